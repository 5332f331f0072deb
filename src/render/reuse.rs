//! Rendered history kept from one build to the next.
//!
//! Every document page lists every change to the document
//! (docs/format.md#history), and `plan.json` carries them all again: with
//! a long history that is megabytes of HTML and JSON, and writing them
//! would be most of what a build after one new commit costs beyond a build
//! with no history. Yet one commit changes the history of a document or
//! two. So the list and
//! the JSON of each document's history are kept in the history cache
//! (`reuse-internal.bin`, `reuse-public.bin`), keyed by the digest of the
//! changes they were written from (`DocHistory::digest`, kept with the
//! history state), and the next build copies those whose
//! changes are unchanged instead of writing them again.
//!
//! What a list says depends on more than its changes: who is a person
//! (an author's e-mail shown as a linked person, with the person's title),
//! the audience, and the program that wrote it. All of that is the
//! *context*, hashed into every record: a record of another context is
//! never used. The file is read through a memory map (its pages come from
//! the page cache, not fresh memory), and every record carries a checksum
//! that is checked before it is used: a damaged record, or a damaged or
//! cut tail, is ignored, and the file is rewritten whole. Records are
//! appended; the file is rewritten without the records no build uses any
//! more once those are most of it.

use crate::history::store::state::checksum;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The file's first bytes.
const MAGIC: &[u8; 8] = b"NSREUSE\n";

/// What a kept rendering is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// A document's history list (`<li>` items) on its page.
    List,
    /// A document's history as the JSON array of `plan.json`.
    Json,
}

impl Part {
    fn byte(self) -> u8 {
        match self {
            Part::List => 1,
            Part::Json => 2,
        }
    }
}

/// A record's place in the file: `body` is the rendering, `whole` the
/// record with its header and checksum (copied as it is when the file is
/// rewritten).
#[derive(Debug, Clone)]
struct Place {
    body: Range<usize>,
    whole: Range<usize>,
}

/// The renderings kept by earlier builds, and those this build adds.
pub struct Reuse {
    path: PathBuf,
    context: u64,
    map: Option<memmap2::Mmap>,
    /// Checked records of this context, by part and digest.
    found: HashMap<(Part, u64), Place>,
    /// The file must be written whole next time (missing, another format,
    /// a damaged record).
    rewrite: bool,
    /// A record failed its checksum when used.
    damaged: AtomicBool,
    /// Records this build took from the file, by place.
    used: Mutex<Vec<Range<usize>>>,
    /// Records this build rendered, encoded.
    fresh: Mutex<Vec<u8>>,
}

impl std::fmt::Debug for Reuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reuse")
            .field("path", &self.path)
            .field("found", &self.found.len())
            .finish()
    }
}

/// A kept rendering, as bytes.
pub struct Kept<'r>(&'r [u8]);

impl AsRef<[u8]> for Kept<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0
    }
}

impl Reuse {
    /// The renderings kept at `path` for `context` (none when the file is
    /// missing or not one of ours). Only a regular file is read, never
    /// through a symbolic link ([`crate::history::store::file`]): anything
    /// else is warned about, and replaced by the file this build writes.
    pub fn open(path: PathBuf, context: u64) -> Reuse {
        use crate::history::store::file::{self, Opened};
        let _t = crate::timings::phase("render: read kept history");
        let file = match file::open(&path, file::MAX_BYTES) {
            Opened::File(f, _) => Some(f),
            Opened::Absent => None,
            Opened::Refused(why) => {
                eprintln!(
                    "warning: the kept history {} {why}: it was not read, and is written again",
                    path.display()
                );
                None
            }
        };
        let map = file.and_then(|f| {
            // SAFETY: the file is only ever replaced by renaming a new one
            // into place or appended to, never changed in place, so the
            // mapped bytes stay as they were; every read below is
            // bounds-checked against the mapping's length. (A file cut
            // short in place by another program would fault, as the git
            // packs mapped by `source::pack` would.)
            unsafe { memmap2::Mmap::map(&f) }.ok()
        });
        let mut reuse = Reuse {
            path,
            context,
            map: None,
            found: HashMap::new(),
            rewrite: true,
            damaged: AtomicBool::new(false),
            used: Mutex::new(Vec::new()),
            fresh: Mutex::new(Vec::new()),
        };
        if let Some(map) = map {
            let (found, damaged) = read(&map, context);
            reuse.found = found;
            reuse.rewrite = damaged;
            reuse.map = Some(map);
        }
        reuse
    }

    /// The kept `part` rendered from changes of `digest`, if any (and if
    /// its checksum matches: records are checked when used, on the
    /// threads that use them, not all before the build starts).
    pub fn get(&self, part: Part, digest: u64) -> Option<Kept<'_>> {
        let place = self.found.get(&(part, digest))?;
        let map = self.map.as_ref()?;
        let record = map.get(place.whole.clone())?;
        let (content, sum) = record.split_at(record.len().checked_sub(8)?);
        if checksum(content).to_le_bytes() != sum {
            self.damaged.store(true, Ordering::Relaxed);
            return None;
        }
        let body = map.get(place.body.clone())?;
        if let Ok(mut used) = self.used.lock() {
            used.push(place.whole.clone());
        }
        Some(Kept(body))
    }

    /// Keeps `body`, this build's `part` rendered from changes of `digest`,
    /// for the next build.
    pub fn keep(&self, part: Part, digest: u64, body: &[u8]) {
        if let Ok(mut fresh) = self.fresh.lock() {
            encode(&mut fresh, part, self.context, digest, body);
        }
    }

    /// Writes what this build rendered for the next one: appended, or the
    /// file rewritten with only the records this build used when those are
    /// less than half of it (or it was damaged, or missing). A file that
    /// cannot be written only costs time next build. Nothing is kept when
    /// `history_damaged` (see `History::damaged`): lists rendered from a
    /// block of the state that did not read show no changes, and must not
    /// be kept under the digest of the changes they lack.
    pub fn save(self, history_damaged: bool) {
        let _t = crate::timings::phase("render: keep history");
        if history_damaged {
            return;
        }
        let fresh = self.fresh.into_inner().unwrap_or_default();
        let mut used = self.used.into_inner().unwrap_or_default();
        if fresh.is_empty() && used.is_empty() && self.map.is_none() {
            return;
        }
        // Two documents with the same changes share their records.
        used.sort_unstable_by_key(|r| r.start);
        used.dedup();
        let file_len = self.map.as_ref().map_or(0, |m| m.len());
        let live = used.iter().map(|r| r.len()).sum::<usize>() + fresh.len();
        let dead = (file_len + fresh.len()).saturating_sub(live + MAGIC.len());
        // Compacted once a third of the file is records no build uses.
        let rewrite = self.rewrite || self.damaged.into_inner() || dead > (live / 2).max(1 << 20);
        if !rewrite {
            if !fresh.is_empty() {
                let _ = append(&self.path, &fresh);
            }
            return;
        }
        let mut bytes = Vec::with_capacity(MAGIC.len() + live);
        bytes.extend_from_slice(MAGIC);
        if let Some(map) = &self.map {
            for r in used {
                if let Some(record) = map.get(r) {
                    bytes.extend_from_slice(record);
                }
            }
        }
        bytes.extend_from_slice(&fresh);
        // Unmapped before the file is replaced.
        drop(self.map);
        let _ = crate::atomic::replace_file(&self.path, |w| w.write_all(&bytes));
    }
}

/// Appends records to the file (a regular file only: never through a
/// link).
fn append(path: &Path, records: &[u8]) -> std::io::Result<()> {
    let mut f = crate::history::store::file::open_append(path)?;
    f.write_all(records)
}

/// A record: part (1 byte), context (8), digest (8), body length (4),
/// body, then the checksum of all of that (8); little-endian.
fn encode(out: &mut Vec<u8>, part: Part, context: u64, digest: u64, body: &[u8]) {
    let Ok(len) = u32::try_from(body.len()) else {
        return;
    };
    let start = out.len();
    out.push(part.byte());
    out.extend_from_slice(&context.to_le_bytes());
    out.extend_from_slice(&digest.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    let sum = checksum(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// The records of `context` in a file's bytes, the last of each part and
/// digest, and whether the file is damaged (not ours, or a record cut
/// short or of no known part; reading stops there). Checksums are checked
/// by [`Reuse::get`].
fn read(bytes: &[u8], context: u64) -> (HashMap<(Part, u64), Place>, bool) {
    let mut found = HashMap::new();
    if bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
        return (found, true);
    }
    let mut at = MAGIC.len();
    while at < bytes.len() {
        let Some((part, ctx, digest, body, end)) = record(bytes, at) else {
            return (found, true);
        };
        if ctx == context {
            found.insert(
                (part, digest),
                Place {
                    body,
                    whole: at..end,
                },
            );
        }
        at = end;
    }
    (found, false)
}

/// The record at `at`: its part, context, digest, body and end, if it is
/// whole.
fn record(bytes: &[u8], at: usize) -> Option<(Part, u64, u64, Range<usize>, usize)> {
    let u64_at = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?))
    };
    let part = match bytes.get(at)? {
        1 => Part::List,
        2 => Part::Json,
        _ => return None,
    };
    let context = u64_at(at + 1)?;
    let digest = u64_at(at + 9)?;
    let len = u32::from_le_bytes(bytes.get(at + 17..at + 21)?.try_into().ok()?);
    let body = at + 21..(at + 21).checked_add(usize::try_from(len).ok()?)?;
    let end = body.end.checked_add(8)?;
    (end <= bytes.len()).then_some((part, context, digest, body, end))
}

/// The context of a build's renderings: the program (its version, and the
/// size and time of its file, so a rebuilt program never reads what
/// another wrote), the audience, and the people commit authors are shown
/// as. None when the program's file cannot be found: nothing is kept then.
pub fn context<'a>(
    public: bool,
    people: impl Iterator<Item = (&'a String, &'a &'a crate::plan::Document)>,
) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut h = crate::fingerprint::hasher();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    (meta.len(), modified.as_nanos()).hash(&mut h);
    public.hash(&mut h);
    let mut people: Vec<_> = people
        .map(|(email, d)| {
            (
                email.as_str(),
                d.kind.as_str(),
                d.id.as_str(),
                d.title.as_str(),
            )
        })
        .collect();
    people.sort_unstable();
    people.hash(&mut h);
    Some(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(records: &[(Part, u64, u64, &[u8])]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        for (part, ctx, digest, body) in records {
            encode(&mut bytes, *part, *ctx, *digest, body);
        }
        bytes
    }

    #[test]
    fn records_read_back_by_part_and_digest_within_their_context() {
        let bytes = file(&[
            (Part::List, 7, 1, b"<li>a</li>"),
            (Part::Json, 7, 1, b"[1]"),
            (Part::List, 8, 2, b"<li>other context</li>"),
            (Part::List, 7, 1, b"<li>later</li>"),
        ]);
        let (found, damaged) = read(&bytes, 7);
        assert!(!damaged);
        assert_eq!(found.len(), 2);
        let body = |k| &bytes[found[&k].body.clone()];
        assert_eq!(body((Part::List, 1)), b"<li>later</li>");
        assert_eq!(body((Part::Json, 1)), b"[1]");
        assert!(!found.contains_key(&(Part::List, 2)));
    }

    #[test]
    fn a_cut_record_and_all_after_it_are_ignored() {
        let bytes = file(&[
            (Part::List, 7, 1, b"<li>a</li>"),
            (Part::List, 7, 2, b"<li>b</li>"),
            (Part::List, 7, 3, b"<li>c</li>"),
        ]);
        let second = MAGIC.len() + 21 + 10 + 8;
        for cut in [bytes.len() - 1, second + 5, MAGIC.len() + 3] {
            let (found, bad) = read(&bytes[..cut], 7);
            assert!(bad, "{cut}");
            assert!(found.len() <= 2, "{cut}");
            assert!(!found.contains_key(&(Part::List, 3)), "{cut}");
        }
        // A record of no known part: what follows cannot be trusted.
        let mut unknown = bytes.clone();
        unknown[second] = 9;
        let (found, bad) = read(&unknown, 7);
        assert!(bad);
        assert_eq!(found.keys().map(|k| k.1).collect::<Vec<_>>(), [1]);
        // Not ours at all.
        assert!(read(b"{\"format\":1}", 7).1);
    }

    #[test]
    fn a_record_that_fails_its_checksum_is_not_used_and_the_file_is_rewritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reuse-internal.bin");
        let mut bytes = file(&[
            (Part::List, 7, 1, b"<li>a</li>"),
            (Part::List, 7, 2, b"<li>b</li>"),
        ]);
        // A changed letter in the first record's body.
        bytes[MAGIC.len() + 21 + 4] ^= 1;
        std::fs::write(&path, &bytes).expect("write");
        let r = Reuse::open(path.clone(), 7);
        assert!(r.get(Part::List, 1).is_none());
        assert_eq!(
            r.get(Part::List, 2).map(|k| k.as_ref().to_vec()),
            Some(b"<li>b</li>".to_vec())
        );
        r.keep(Part::List, 1, b"<li>a</li>");
        r.save(false);
        let again = Reuse::open(path.clone(), 7);
        assert_eq!(
            again.get(Part::List, 1).map(|k| k.as_ref().to_vec()),
            Some(b"<li>a</li>".to_vec())
        );
        assert!(again.get(Part::List, 2).is_some());
        assert!(!again.damaged.load(Ordering::Relaxed));
        assert_eq!(
            again.found.len(),
            2,
            "rewritten whole, without the damaged record"
        );
        assert_eq!(
            std::fs::metadata(&path).expect("file").len() as usize,
            bytes.len(),
        );
    }

    #[test]
    fn kept_renderings_are_found_by_the_next_build_then_compacted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reuse-internal.bin");
        let first = Reuse::open(path.clone(), 7);
        assert!(first.get(Part::List, 1).is_none());
        first.keep(Part::List, 1, b"<li>one</li>");
        first.keep(Part::Json, 1, b"[1]");
        first.save(false);

        let second = Reuse::open(path.clone(), 7);
        assert_eq!(
            second.get(Part::List, 1).map(|k| k.as_ref().to_vec()),
            Some(b"<li>one</li>".to_vec())
        );
        assert!(second.get(Part::List, 2).is_none());
        // Another context sees nothing.
        assert!(Reuse::open(path.clone(), 8).get(Part::List, 1).is_none());
        second.keep(Part::List, 2, b"<li>two</li>");
        let before = std::fs::metadata(&path).expect("file").len();
        second.save(false);
        // Appended: the records before are still there, as they were.
        let after = std::fs::read(&path).expect("file");
        assert!(after.len() as u64 > before);
        let third = Reuse::open(path.clone(), 7);
        assert!(third.get(Part::List, 2).is_some());
        assert!(third.get(Part::Json, 1).is_some());
        assert_eq!(third.found.len(), 3);

        // A build that uses one small record of a large file rewrites it
        // with only that record.
        let big = vec![b'x'; 3 << 20];
        let fourth = Reuse::open(path.clone(), 7);
        fourth.keep(Part::List, 9, &big);
        fourth.save(false);
        let fifth = Reuse::open(path.clone(), 7);
        assert!(fifth.get(Part::List, 1).is_some());
        fifth.save(false);
        let sixth = Reuse::open(path.clone(), 7);
        assert_eq!(sixth.found.len(), 1);
        assert!(std::fs::metadata(&path).expect("file").len() < 1024);
    }

    #[test]
    fn a_damaged_file_is_rewritten_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reuse-internal.bin");
        let mut bytes = file(&[(Part::List, 7, 1, b"<li>a</li>")]);
        bytes.extend_from_slice(b"garbage");
        std::fs::write(&path, &bytes).expect("write");
        let r = Reuse::open(path.clone(), 7);
        assert!(r.get(Part::List, 1).is_some());
        r.keep(Part::List, 2, b"<li>b</li>");
        r.save(false);
        let (found, damaged) = read(&std::fs::read(&path).expect("file"), 7);
        assert!(!damaged);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn nothing_is_kept_from_a_build_whose_history_did_not_read_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reuse-internal.bin");
        let r = Reuse::open(path.clone(), 7);
        r.keep(Part::List, 1, b"<li>no changes</li>");
        r.save(true);
        assert!(Reuse::open(path.clone(), 7).get(Part::List, 1).is_none());
    }
}
