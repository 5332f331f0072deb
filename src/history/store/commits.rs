//! The history cache: per-commit results keyed by commit id, so a build
//! after one new commit reads only that commit. A commit id names its
//! content forever, so an entry never goes stale by itself; what can change
//! is how northstar reads commits: its version and the config's reading
//! settings, the fingerprint in the header, and how the schemas type what
//! an entry was read from, which each entry records
//! ([`crate::history::Typed`]). A file that does not parse, or whose header
//! differs, is ignored and rewritten whole.
//!
//! The file is a sequence of records, each its length (4 bytes,
//! little-endian), its content in postcard's format ([`super::codec`]),
//! and the checksum of that content (as `state.bin` ends with one,
//! [`super::state::checksum`]): a record damaged in a way that still
//! decodes must not be shown as history. The first record is the header
//! (format and fingerprint), each of the others one commit's changes. The
//! file is read only as a regular file of bounded size ([`super::file`]),
//! one record of bounded length at a time.

use super::codec;
use super::file::{self, Opened};
use crate::history::CommitChanges;
use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// Raised whenever what a record holds, or what it means, changes: a file
/// of another format is read as absent and rebuilt, never misread.
const FORMAT: u32 = 11;

/// The longest record read: one commit's changes (a commit that adds
/// thousands of documents writes a few megabytes).
const MAX_RECORD: u32 = 64 << 20;

/// `value` as a record of the file.
fn record<T: serde::Serialize>(value: &T) -> Vec<u8> {
    seal(&codec::to_bytes(value))
}

/// What reading the next record found.
enum Next {
    /// A whole record whose checksum matches: its content.
    Record(Vec<u8>),
    /// The end of the file, between records.
    End,
    /// A record cut short, too long, or whose checksum does not match.
    Bad,
}

/// Reads the next record, counting the bytes read into `pos`.
fn next_record(reader: &mut impl Read, pos: &mut u64) -> Next {
    let mut len = [0u8; 4];
    match reader.read(&mut len[..1]) {
        Ok(0) => return Next::End,
        Ok(_) => {}
        Err(_) => return Next::Bad,
    }
    if reader.read_exact(&mut len[1..]).is_err() {
        return Next::Bad;
    }
    let len = u32::from_le_bytes(len);
    if len > MAX_RECORD {
        return Next::Bad;
    }
    // Read as it comes, not allocated up front: a damaged length is not
    // trusted with 64 MB before the bytes are there.
    let mut content = Vec::new();
    let mut sum = [0u8; 8];
    let got = reader.take(u64::from(len)).read_to_end(&mut content);
    if got.ok() != Some(len as usize) || reader.read_exact(&mut sum).is_err() {
        return Next::Bad;
    }
    if u64::from_le_bytes(sum) != super::state::checksum(&content) {
        return Next::Bad;
    }
    *pos += 12 + u64::from(len);
    Next::Record(content)
}

/// The cache file opened for reading: None when absent or refused (see
/// [`file::refusal`], which says so in a note).
fn open(path: &Path) -> Option<BufReader<std::io::Take<std::fs::File>>> {
    match file::open(path, file::MAX_BYTES) {
        Opened::File(file, len) => Some(BufReader::new(file.take(len))),
        Opened::Absent | Opened::Refused(_) => None,
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: u32,
    fingerprint: String,
}

/// Whether a cache's first record is the header of this format and
/// `fingerprint`: Some(true) ours, Some(false) another's, None not a
/// header (or not a record: the JSON cache of an earlier version).
fn header_is_ours(reader: &mut impl Read, pos: &mut u64, fingerprint: &str) -> Option<bool> {
    let Next::Record(content) = next_record(reader, pos) else {
        return None;
    };
    let (h, _): (Header, _) = codec::take(&content)?;
    Some(h.format == FORMAT && h.fingerprint == fingerprint)
}

/// What loading found.
pub enum Loaded {
    /// Entries by commit id.
    Entries(HashMap<String, CommitChanges>),
    /// No cache yet.
    Missing,
    /// A cache written for another config or version.
    Stale,
    /// A cache that does not parse.
    Corrupt,
}

/// Reads the cache file. One that is not a regular file (a symbolic
/// link) reads as missing: it is rebuilt, and replaced by a file.
pub fn load(path: &Path, fingerprint: &str) -> Loaded {
    let Some(mut reader) = open(path) else {
        return Loaded::Missing;
    };
    let mut pos = 0;
    match header_is_ours(&mut reader, &mut pos, fingerprint) {
        None => return Loaded::Corrupt,
        Some(false) => return Loaded::Stale,
        Some(true) => {}
    }
    let mut out = HashMap::new();
    loop {
        match next_record(&mut reader, &mut pos) {
            Next::End => break,
            Next::Bad => return Loaded::Corrupt,
            Next::Record(content) => match codec::from_bytes::<CommitChanges>(&content) {
                Some(c) => {
                    out.insert(c.commit.id.clone(), c);
                }
                None => return Loaded::Corrupt,
            },
        }
    }
    Loaded::Entries(out)
}

/// Writes the cache atomically (`atomic::replace_file`).
pub fn save<'a>(
    path: &Path,
    fingerprint: &str,
    entries: impl Iterator<Item = &'a CommitChanges>,
) -> std::io::Result<()> {
    crate::atomic::replace_file(path, |w| {
        let header = Header {
            format: FORMAT,
            fingerprint: fingerprint.to_string(),
        };
        w.write_all(&record(&header))?;
        for e in entries {
            w.write_all(&record(e))?;
        }
        Ok(())
    })
}

/// Adds entries to the end of a cache written for `fingerprint`, or writes
/// a new cache when there is none. A cache written for another fingerprint
/// is left for the next full read to rewrite, and so is anything that is
/// not a regular file (never appended to through a link). Loading keeps
/// the last entry of a commit read twice.
pub fn append<'a>(
    path: &Path,
    fingerprint: &str,
    entries: impl Iterator<Item = &'a CommitChanges>,
) -> std::io::Result<()> {
    let mut reader = match file::open(path, file::MAX_BYTES) {
        Opened::Absent => return save(path, fingerprint, entries),
        Opened::Refused(_) => return Ok(()),
        Opened::File(file, len) => BufReader::new(file.take(len)),
    };
    if header_is_ours(&mut reader, &mut 0, fingerprint) != Some(true) {
        return Ok(());
    }
    let mut w = std::io::BufWriter::new(file::open_append(path)?);
    for e in entries {
        w.write_all(&record(e))?;
    }
    w.flush()
}

/// The entries after byte `from` of a cache written for `fingerprint`:
/// the commits read since a state was saved. Nothing when the file is
/// missing, for another fingerprint, or shorter than `from`; a record that
/// does not read ends the tail (its commits are read again).
pub fn tail(path: &Path, fingerprint: &str, from: u64) -> HashMap<String, CommitChanges> {
    use std::io::{Seek, SeekFrom};
    let mut out = HashMap::new();
    let Opened::File(mut file, len) = file::open(path, file::MAX_BYTES) else {
        return out;
    };
    {
        let mut pos = 0;
        let mut reader = BufReader::new((&mut file).take(len));
        if header_is_ours(&mut reader, &mut pos, fingerprint) != Some(true)
            || from < pos
            || from > len
        {
            return out;
        }
    }
    if file.seek(SeekFrom::Start(from)).is_err() {
        return out;
    }
    let mut reader = BufReader::new(file.take(len - from));
    let mut pos = from;
    while let Next::Record(content) = next_record(&mut reader, &mut pos) {
        match codec::from_bytes::<CommitChanges>(&content) {
            Some(c) => {
                out.insert(c.commit.id.clone(), c);
            }
            None => break,
        }
    }
    out
}

/// The contents of the records at the start of a cache file's `bytes`, in
/// order, as far as they read whole with matching checksums (for tools
/// and tests that look at the cache).
pub fn records(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Next::Record(content) = next_record(&mut bytes, &mut 0) {
        out.push(content);
    }
    out
}

/// The format and fingerprint a header record's content holds.
pub fn header(content: &[u8]) -> Option<(u32, String)> {
    let (h, _): (Header, _) = codec::take(content)?;
    Some((h.format, h.fingerprint))
}

/// The commit's changes an entry record's content holds.
pub fn entry(content: &[u8]) -> Option<CommitChanges> {
    codec::from_bytes(content)
}

/// `content` as a record, length and checksum around it (for tests that
/// write a cache by hand).
pub fn seal(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 12);
    out.extend_from_slice(
        &u32::try_from(content.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(content);
    out.extend_from_slice(&super::state::checksum(content).to_le_bytes());
    out
}
