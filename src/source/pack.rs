//! Reading objects straight from git's pack files, for the one job where
//! libgit2 is slow: reading every version of every plan file and every
//! plans tree of a long history. libgit2 keeps decoded delta bases in a
//! 16 MB cache that is emptied whole when full (its size is fixed when
//! libgit2 is compiled), so a walk over thousands of versions inflated
//! the same bases again and again. Here each reader keeps its own cache of
//! decoded objects by pack position, evicted oldest first.
//!
//! This reader only ever answers "here are the bytes" or "I cannot":
//! loose objects, objects in alternates, unknown index versions and
//! anything malformed give `None`, and the caller asks libgit2 instead.
//! Every read is bounds-checked; corrupt data is never a panic.

use flate2::{Decompress, FlushDecompress, Status};
use git2::Oid;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

/// Object types as packs number them.
pub const COMMIT: u8 = 1;
/// A tree.
pub const TREE: u8 = 2;
/// A blob.
pub const BLOB: u8 = 3;
const TAG: u8 = 4;
const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

/// Decoded bytes kept per reader (one per thread). Reading in pack order,
/// a delta's base was decoded moments before, so a small cache hits
/// almost always; a larger one only adds fresh memory for the kernel to
/// zero (bench/README.md, "Findings").
const CACHE_BYTES: usize = 8 << 20;
/// No plan file or tree is anywhere near this; a larger declared size is
/// corrupt data, not something to allocate.
const MAX_OBJECT: usize = 256 << 20;
/// Git's own packs stop at a depth of 4,095.
const MAX_CHAIN: usize = 10_000;

/// A pack's `.idx` file (version 2), read in place: a fan-out table of
/// 256 counts, the sorted object ids, their CRCs, 4-byte offsets, and
/// 8-byte offsets for those past 2 GB. Every read is bounds-checked: a
/// short or foreign file gives no positions, never a panic.
pub(crate) struct PackIndex<'a> {
    b: &'a [u8],
    n: usize,
}

impl<'a> PackIndex<'a> {
    const IDS: usize = 8 + 256 * 4;

    pub(crate) fn new(b: &'a [u8]) -> Option<PackIndex<'a>> {
        if b.get(..8)? != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let n = be32(b, 8 + 255 * 4)? as usize;
        // Ids, CRCs and small offsets must all be there.
        (b.len() >= n.checked_mul(28)?.checked_add(Self::IDS)?).then_some(PackIndex { b, n })
    }

    fn id(&self, i: usize) -> Option<&'a [u8]> {
        self.b.get(Self::IDS + i * 20..Self::IDS + i * 20 + 20)
    }

    /// The CRC-32 of the `i`-th object's entry in the pack, as written.
    fn crc(&self, i: usize) -> Option<u32> {
        be32(self.b, Self::IDS + self.n * 20 + i * 4)
    }

    /// Where the `i`-th object's entry starts in the pack.
    fn offset_at(&self, i: usize) -> Option<u64> {
        let small = be32(self.b, Self::IDS + self.n * 24 + i * 4)?;
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let j = Self::IDS + self.n * 28 + (small & 0x7fff_ffff) as usize * 8;
        Some(u64::from_be_bytes(self.b.get(j..j + 8)?.try_into().ok()?))
    }

    /// Every entry's start and CRC, by start: where each entry ends is
    /// where the next one starts. Empty for an index that names one start
    /// twice or cannot be read whole: a damaged offset that points one id
    /// at another's entry would pass that entry's CRC, so nothing is read
    /// through such an index (libgit2 is asked, and its objects hashed).
    fn entries(&self) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u32)> = (0..self.n)
            .filter_map(|i| Some((self.offset_at(i)?, self.crc(i)?)))
            .collect();
        v.sort_unstable();
        if v.len() != self.n || v.windows(2).any(|w| w[0].0 == w[1].0) {
            return Vec::new();
        }
        v
    }

    pub(crate) fn offset(&self, want: &[u8]) -> Option<u64> {
        let first = usize::from(*want.first()?);
        let lo = if first == 0 {
            0
        } else {
            be32(self.b, 8 + (first - 1) * 4)? as usize
        };
        let hi = (be32(self.b, 8 + first * 4)? as usize).min(self.n);
        let (mut lo, mut hi) = (lo.min(hi), hi);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid)?.cmp(want) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return self.offset_at(mid),
            }
        }
        None
    }
}

/// The big-endian `u32` at `i`, if the bytes are there.
fn be32(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// One `.pack` with its `.idx`, mapped read-only.
struct Pack {
    idx: memmap2::Mmap,
    data: memmap2::Mmap,
    /// [`PackIndex::entries`], made when the first entry is checked.
    entries: std::sync::OnceLock<Vec<(u64, u32)>>,
}

impl Pack {
    /// Whether the entry at `at` is as the index says it was written: its
    /// bytes, from its header to the next entry, have the CRC-32 the
    /// index holds for it. zlib's checksum and the sizes catch damage
    /// inside an entry's compressed data, not in its header or in a
    /// delta's reference to its base: a base offset damaged into another
    /// entry of the same size gave another version's text under the
    /// right id, for the whole history. Checking the entries' bytes, not
    /// each object's SHA-1, keeps this to the compressed bytes: hashing
    /// every tree a history reads was 7 % of a cold build.
    fn entry_is_sound(&self, at: u64) -> bool {
        let entries = self
            .entries
            .get_or_init(|| PackIndex::new(&self.idx).map_or_else(Vec::new, |i| i.entries()));
        let Ok(k) = entries.binary_search_by_key(&at, |e| e.0) else {
            return false;
        };
        // The pack ends with a 20-byte checksum of its own.
        let end = entries
            .get(k + 1)
            .map_or(self.data.len().saturating_sub(20) as u64, |e| e.0);
        let (Ok(from), Ok(to)) = (usize::try_from(at), usize::try_from(end)) else {
            return false;
        };
        let Some(bytes) = self.data.get(from..to) else {
            return false;
        };
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        crc.sum() == entries[k].1
    }
}

/// The packs of a repository's object store, opened once and shared by
/// reading threads.
#[derive(Default)]
pub struct Packs {
    packs: Vec<Pack>,
}

fn map(path: &Path) -> Option<memmap2::Mmap> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: git writes a pack and its index under temporary names and
    // renames them into place; it never changes them in place afterwards.
    // A repack during a build unlinks them, which leaves this mapping
    // intact. Every access below is bounds-checked against the length.
    // (A file truncated in place by another tool would fault, as it would
    // under libgit2, which maps packs the same way.)
    unsafe { memmap2::Mmap::map(&file) }.ok()
}

impl Packs {
    /// The packs in `objects/pack` under a repository's common git dir.
    /// Packs that cannot be opened, or whose index is not version 2, are
    /// left out (their objects are then read through libgit2).
    pub fn open(objects: &Path) -> Packs {
        let Ok(entries) = std::fs::read_dir(objects.join("pack")) else {
            return Packs::default();
        };
        // An entry that cannot be listed only leaves its pack to libgit2,
        // like any pack this reader cannot open: no object is lost, and a
        // damaged one is reported where libgit2 fails to read it.
        let mut idx: Vec<std::path::PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
            .collect();
        idx.sort();
        let packs = idx
            .iter()
            .filter_map(|i| {
                let idx = map(i)?;
                PackIndex::new(&idx)?;
                let data = map(&i.with_extension("pack"))?;
                (data.get(..4)? == b"PACK").then_some(Pack {
                    idx,
                    data,
                    entries: std::sync::OnceLock::new(),
                })
            })
            .collect();
        Packs { packs }
    }

    /// Where an object sits: (pack number, offset).
    pub fn position(&self, oid: &Oid) -> Option<Pos> {
        self.packs.iter().enumerate().find_map(|(k, p)| {
            let off = PackIndex::new(&p.idx)?.offset(oid.as_bytes())?;
            Some((k, off))
        })
    }

    /// Whether an object is in the packs.
    pub fn has(&self, oid: &Oid) -> bool {
        self.position(oid).is_some()
    }

    /// A reader with its own cache; one per thread.
    pub fn reader(&self) -> PackReader<'_> {
        PackReader {
            packs: self,
            cache: HashMap::new(),
            order: VecDeque::new(),
            cached: 0,
            z: Decompress::new(true),
        }
    }
}

/// A place in the packs: (pack number, offset).
type Pos = (usize, u64);
/// An object's type and bytes.
pub type Object = (u8, Arc<Vec<u8>>);

/// Reads objects from [`Packs`], keeping what it decoded for the deltas
/// that follow.
pub struct PackReader<'p> {
    packs: &'p Packs,
    cache: HashMap<Pos, Object>,
    order: VecDeque<Pos>,
    cached: usize,
    z: Decompress,
}

/// An entry's header: its type, its size, and where its data starts.
fn header(data: &[u8], at: usize) -> Option<(u8, usize, usize)> {
    let mut i = at;
    let mut c = *data.get(i)?;
    i += 1;
    let kind = (c >> 4) & 7;
    let mut size = u64::from(c & 15);
    let mut shift = 4;
    while c & 0x80 != 0 {
        c = *data.get(i)?;
        i += 1;
        if shift > 56 {
            return None;
        }
        size |= u64::from(c & 0x7f) << shift;
        shift += 7;
    }
    Some((kind, usize::try_from(size).ok()?, i))
}

impl PackReader<'_> {
    /// Whether an object is in the packs.
    pub fn has(&self, oid: &Oid) -> bool {
        self.packs.has(oid)
    }

    /// An object's type and bytes, if it is in a pack and reads cleanly:
    /// every entry it is decoded from is as the index says it was written
    /// (`Pack::entry_is_sound`).
    pub fn read(&mut self, oid: &Oid) -> Option<Object> {
        let pos = self.packs.position(oid)?;
        self.read_at(pos)
    }

    fn read_at(&mut self, pos: Pos) -> Option<Object> {
        // Follow the delta chain down to something decoded, then apply the
        // deltas back up, caching each step: the next version of the same
        // file is usually a delta against one of them.
        let mut chain: Vec<(Pos, usize, usize)> = Vec::new();
        let mut cur = pos;
        let (kind, mut bytes) = loop {
            if let Some(hit) = self.cache.get(&cur) {
                break hit.clone();
            }
            if chain.len() > MAX_CHAIN {
                return None;
            }
            let pack = self.packs.packs.get(cur.0)?;
            if !pack.entry_is_sound(cur.1) {
                return None;
            }
            let data: &[u8] = &pack.data;
            let at = usize::try_from(cur.1).ok()?;
            let (kind, size, start) = header(data, at)?;
            if size > MAX_OBJECT {
                return None;
            }
            match kind {
                COMMIT | TREE | BLOB | TAG => {
                    let raw: Arc<Vec<u8>> = self.inflate(data.get(start..)?, size)?.into();
                    self.keep(cur, kind, raw.clone());
                    break (kind, raw);
                }
                OFS_DELTA => {
                    let (back, used) = ofs_back(data.get(start..)?)?;
                    chain.push((cur, start + used, size));
                    cur = (cur.0, cur.1.checked_sub(back).filter(|b| *b > 0)?);
                }
                REF_DELTA => {
                    let base = Oid::from_bytes(data.get(start..start + 20)?).ok()?;
                    chain.push((cur, start + 20, size));
                    cur = self.packs.position(&base)?;
                }
                _ => return None,
            }
        };
        while let Some((at, start, size)) = chain.pop() {
            let data: &[u8] = &self.packs.packs.get(at.0)?.data;
            let delta = self.inflate(data.get(start..)?, size)?;
            let out: Arc<Vec<u8>> = apply(&bytes, &delta)?.into();
            self.keep(at, kind, out.clone());
            bytes = out;
        }
        Some((kind, bytes))
    }

    fn inflate(&mut self, input: &[u8], size: usize) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(size);
        self.z.reset(true);
        match self
            .z
            .decompress_vec(input, &mut out, FlushDecompress::Finish)
        {
            Ok(Status::StreamEnd) if out.len() == size => Some(out),
            _ => None,
        }
    }

    fn keep(&mut self, at: Pos, kind: u8, bytes: Arc<Vec<u8>>) {
        if bytes.len() > CACHE_BYTES / 4 {
            return;
        }
        self.cached += bytes.len();
        match self.cache.insert(at, (kind, bytes)) {
            Some((_, old)) => self.cached -= old.len(),
            None => self.order.push_back(at),
        }
        while self.cached > CACHE_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some((_, b)) = self.cache.remove(&old) {
                self.cached -= b.len();
            }
        }
    }
}

/// An `OFS_DELTA`'s distance back to its base, and the bytes it took.
fn ofs_back(b: &[u8]) -> Option<(u64, usize)> {
    let mut i = 0;
    let mut c = *b.first()?;
    let mut back = u64::from(c & 0x7f);
    while c & 0x80 != 0 {
        i += 1;
        c = *b.get(i)?;
        back = back.checked_add(1)?.checked_mul(128)? | u64::from(c & 0x7f);
    }
    Some((back, i + 1))
}

/// A size at the start of a delta (7 bits per byte, low bits first).
fn delta_size(d: &[u8], i: &mut usize) -> Option<usize> {
    let mut size = 0u64;
    let mut shift = 0;
    loop {
        let c = *d.get(*i)?;
        *i += 1;
        if shift > 56 {
            return None;
        }
        size |= u64::from(c & 0x7f) << shift;
        shift += 7;
        if c & 0x80 == 0 {
            return usize::try_from(size).ok();
        }
    }
}

/// Applies a git delta to its base: copy runs from the base and inserted
/// bytes, checked against both declared sizes.
fn apply(base: &[u8], d: &[u8]) -> Option<Vec<u8>> {
    let mut i = 0;
    if delta_size(d, &mut i)? != base.len() {
        return None;
    }
    let size = delta_size(d, &mut i)?;
    if size > MAX_OBJECT {
        return None;
    }
    let mut out = Vec::with_capacity(size);
    while i < d.len() {
        let op = d[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut off = 0usize;
            let mut len = 0usize;
            for k in 0..4 {
                if op & (1 << k) != 0 {
                    off |= usize::from(*d.get(i)?) << (8 * k);
                    i += 1;
                }
            }
            for k in 0..3 {
                if op & (0x10 << k) != 0 {
                    len |= usize::from(*d.get(i)?) << (8 * k);
                    i += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            // Never past the declared size: a crafted delta could
            // otherwise ask for gigabytes before the final check.
            if out.len() + len > size {
                return None;
            }
            out.extend_from_slice(base.get(off..off.checked_add(len)?)?);
        } else if op != 0 {
            let n = usize::from(op);
            if out.len() + n > size {
                return None;
            }
            out.extend_from_slice(d.get(i..i + n)?);
            i += n;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index with an offset past 4 GB (the 8-byte table) and a short,
    /// truncated or foreign file.
    #[test]
    fn pack_index_reads_large_offsets_and_refuses_short_files() {
        let a = Oid::from_str(&format!("10{}", "0".repeat(38))).expect("oid");
        let b = Oid::from_str(&format!("ab{}", "1".repeat(38))).expect("oid");
        let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
        for first in 0..256u32 {
            let count = u32::from(first >= 0x10) + u32::from(first >= 0xab);
            idx.extend(count.to_be_bytes());
        }
        idx.extend(a.as_bytes());
        idx.extend(b.as_bytes());
        idx.extend([0u8; 8]); // CRCs
        idx.extend(1234u32.to_be_bytes());
        idx.extend(0x8000_0000u32.to_be_bytes()); // the first large offset
        idx.extend((5u64 << 32).to_be_bytes());
        let index = PackIndex::new(&idx).expect("a valid index");
        assert_eq!(index.offset(a.as_bytes()), Some(1234));
        assert_eq!(index.offset(b.as_bytes()), Some(5 << 32));
        let c = Oid::from_str(&format!("ab{}", "2".repeat(38))).expect("oid");
        assert_eq!(index.offset(c.as_bytes()), None);
        // Truncated in the large-offset table: no offset, no panic.
        let short = &idx[..idx.len() - 4];
        assert_eq!(
            PackIndex::new(short).and_then(|i| i.offset(b.as_bytes())),
            None
        );
        // Truncated in the ids, or not an index at all.
        assert!(PackIndex::new(&idx[..8 + 1024 + 20]).is_none());
        assert!(PackIndex::new(b"PACK\0\0\0\x02").is_none());
        // Its entries by start; none when two ids name the same start,
        // whose CRC would pass for either.
        assert_eq!(index.entries(), [(1234, 0), (5 << 32, 0)]);
        let mut twice = idx.clone();
        let small = 8 + 1024 + 2 * 24;
        twice[small + 4..small + 8].copy_from_slice(&1234u32.to_be_bytes());
        let index = PackIndex::new(&twice).expect("a valid index");
        assert_eq!(index.offset(b.as_bytes()), Some(1234));
        assert_eq!(index.entries(), []);
    }

    #[test]
    fn a_delta_copies_and_inserts() {
        let base = b"hello, world";
        // Sizes 12 → 11; copy 5 bytes at 0; insert "!!"; copy 4 at 8.
        let d = [12, 11, 0x90, 5, 2, b'!', b'!', 0x91, 8, 4];
        assert_eq!(apply(base, &d).as_deref(), Some(&b"hello!!orld"[..]));
        // Wrong base size, a copy past the base, a zero op: refused.
        assert_eq!(apply(b"short", &d), None);
        assert_eq!(apply(base, &[12, 4, 0x91, 10, 4]), None);
        assert_eq!(apply(base, &[12, 1, 0]), None);
        // A copy past the declared size is refused before it is made.
        assert_eq!(apply(base, &[12, 4, 0x80]), None);
        assert_eq!(apply(base, &[12, 1, 2, b'a', b'b']), None);
    }

    #[test]
    fn ofs_distances_use_gits_offset_encoding() {
        assert_eq!(ofs_back(&[0x05]), Some((5, 1)));
        // 0x81 0x00 = ((1 + 1) << 7) | 0 = 256.
        assert_eq!(ofs_back(&[0x81, 0x00]), Some((256, 2)));
        assert_eq!(ofs_back(&[0x81]), None);
    }
}
