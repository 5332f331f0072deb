//! The replayed state at HEAD, cached beside the per-commit cache
//! (`state.bin`), so a build after new commits replays only those rather
//! than every commit since the first.
//!
//! Replaying is order-sensitive (status periods, slips), and the order is
//! git's: parents first, by commit time. The state at an old HEAD is reused
//! only when appending the new commits gives the same order a full replay
//! would: the old HEAD is an ancestor of the new one and the new commits'
//! times strictly increase from above every commit replayed (a merge that
//! brings in older branch commits, or commits made in the same second,
//! replay from the start, from the per-commit cache). Like
//! the per-commit cache, the file carries a fingerprint of how commits are
//! read, and one that does not parse, or was written for another
//! fingerprint, format or shallow boundary, is ignored and rewritten.

use super::codec::{self, Bytes};
use crate::history::replay::Replay;
use std::path::Path;

/// The file's first bytes: a state file of another program, or a JSON one
/// of an earlier northstar, is recognised as not ours.
const MAGIC: &[u8; 8] = b"NSSTATE\n";

/// Raised whenever the encoding or the meaning of what it holds changes
/// (a test pins the encoding to it): a state of another format is not
/// read, and the replay runs from the per-commit cache.
pub(crate) const FORMAT: u64 = 17;

/// The cached state and what it is the state of.
pub struct Saved {
    /// The commit replayed last (HEAD when written).
    pub head: String,
    /// The latest commit time among the commits replayed.
    pub max_time: i64,
    /// The per-commit cache's length in bytes when written: entries after
    /// it are commits read since.
    pub cache_len: u64,
    /// The shallow boundary when written.
    pub shallow: Vec<String>,
    /// The state.
    pub replay: Replay,
}

/// A state file read while the plans are scanned (both take a while on a
/// large plan, and neither needs the other), on the same pool of threads:
/// a thread of its own would allocate its state in fresh memory of its
/// own.
pub struct Prefetch {
    path: std::path::PathBuf,
    fingerprint: String,
    saved: std::sync::Mutex<Option<Option<Saved>>>,
}

impl Prefetch {
    /// Reads `path` now, for a build that will ask for it soon.
    pub fn load(path: std::path::PathBuf, fingerprint: String) -> Prefetch {
        let saved = load(&path, &fingerprint);
        Prefetch {
            path,
            fingerprint,
            saved: std::sync::Mutex::new(Some(saved)),
        }
    }

    /// The state read, once, if it was read from `path` for `fingerprint`
    /// (what the build asks for now); None otherwise, or the second time.
    pub fn take(&self, path: &Path, fingerprint: &str) -> Option<Option<Saved>> {
        if self.path != path || self.fingerprint != fingerprint {
            return None;
        }
        self.saved.lock().ok()?.take()
    }
}

/// Reads the state file; None when it is missing, unreadable, damaged, or
/// written for another fingerprint or format.
pub fn load(path: &Path, fingerprint: &str) -> Option<Saved> {
    let _t = crate::timings::phase("history: read state file");
    let bytes = map(path)?;
    decode((*bytes).as_ref(), fingerprint)
}

/// The state file's bytes, mapped: they are in the page cache already
/// (every build reads them), so reading them into fresh memory would cost
/// a copy for nothing (the blocks decoded from them are copied out, see
/// [`super::codec::Lazy`]). Read into memory where mapping fails.
///
/// Only a regular file within [`super::file::MAX_BYTES`] is read,
/// never through a symbolic link (see [`super::file`]).
fn map(path: &Path) -> Option<Bytes> {
    use super::file::{MAX_BYTES, Opened, open};
    use std::io::Read;
    let Opened::File(file, len) = open(path, MAX_BYTES) else {
        return None;
    };
    // SAFETY: the state file is only ever replaced by renaming a new one
    // into place (`save`), never written in place, so the mapped bytes
    // stay as they were; they are checked against the file's checksum
    // before use and every read is bounds-checked. (A file cut short in
    // place by another program would fault, as the mapped git packs of
    // `source::pack` would.)
    // Not on Windows, which refuses to replace a file mapped by the
    // process renaming over it (`save`, while unread blocks are mapped).
    #[cfg(unix)]
    if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
        return Some(std::sync::Arc::new(map));
    }
    let mut bytes = Vec::new();
    file.take(len).read_to_end(&mut bytes).ok()?;
    Some(std::sync::Arc::new(bytes))
}

/// What a state is the state of, written before it: read first, so a
/// state of another fingerprint is refused before the bulk is read.
#[derive(serde::Serialize, serde::Deserialize)]
struct Head {
    fingerprint: String,
    head: String,
    max_time: i64,
    cache_len: u64,
    shallow: Vec<String>,
}

/// The state in `bytes`, if they hold one for `fingerprint` and every byte
/// reads back. Documents' changes are kept as the blocks they are in the
/// file and read when used (see [`crate::history::replay::Events`]): the
/// file passed the checksum, so every block is as it was written.
pub fn decode(bytes: &[u8], fingerprint: &str) -> Option<Saved> {
    let (head, rest) = opened(bytes)?;
    if head.fingerprint != fingerprint {
        return None;
    }
    Some(Saved {
        head: head.head,
        max_time: head.max_time,
        cache_len: head.cache_len,
        shallow: head.shallow,
        replay: codec::from_bytes(rest)?,
    })
}

/// The bytes of a state file: the magic, the format, then `Head` and
/// the replay in postcard's format, closed by a checksum.
pub fn encode(
    fingerprint: &str,
    head: &str,
    max_time: i64,
    cache_len: u64,
    shallow: &[String],
    replay: &Replay,
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 << 20);
    bytes.extend_from_slice(MAGIC);
    codec::extend(&mut bytes, &FORMAT);
    let head = Head {
        fingerprint: fingerprint.to_string(),
        head: head.to_string(),
        max_time,
        cache_len,
        shallow: shallow.to_vec(),
    };
    codec::extend(&mut bytes, &head);
    codec::extend(&mut bytes, replay);
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    bytes
}

/// The integrity check closing a state file (and each line of the
/// per-commit cache): a file damaged in a way that still decodes (a
/// changed letter in a name) must not be shown as history. xxh3, 64 bits:
/// not cryptographic, as it guards against damage, and anyone able to
/// write the file could as well write a valid one.
pub fn checksum(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The body of a state file whose closing checksum matches it.
fn sealed(bytes: &[u8]) -> Option<&[u8]> {
    let split = bytes.len().checked_sub(8)?;
    let (body, sum) = bytes.split_at(split);
    let sum = u64::from_le_bytes(sum.try_into().ok()?);
    (checksum(body) == sum).then_some(body)
}

/// What a state file is the state of, read without the rest: the
/// fingerprint it was written for and the commit it was written at (for
/// tools and tests that look at the cache).
pub fn header(bytes: &[u8]) -> Option<(String, String)> {
    let (head, _) = opened(bytes)?;
    Some((head.fingerprint, head.head))
}

/// The [`Head`] of a sealed state file of ours and the bytes after it.
fn opened(bytes: &[u8]) -> Option<(Head, &[u8])> {
    let rest = sealed(bytes)?.strip_prefix(MAGIC.as_slice())?;
    let (format, rest): (u64, _) = codec::take(rest)?;
    if format != FORMAT {
        return None;
    }
    codec::take(rest)
}

/// Writes the state file atomically (`atomic::replace_file`).
pub fn save(
    path: &Path,
    fingerprint: &str,
    head: String,
    max_time: i64,
    cache_len: u64,
    shallow: &[String],
    replay: &Replay,
) -> std::io::Result<()> {
    let bytes = encode(fingerprint, &head, max_time, cache_len, shallow, replay);
    if let Some(dir) = path.parent() {
        // The JSON state of earlier versions is never read again.
        let _ = std::fs::remove_file(dir.join("state.json"));
    }
    crate::atomic::replace_file(path, |w| w.write_all(&bytes))
}
