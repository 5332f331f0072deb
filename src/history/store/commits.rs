//! The history cache: per-commit results keyed by commit id, so a build
//! after one new commit reads only that commit. A commit id names its
//! content forever, so an entry never goes stale by itself; what can change
//! is how northstar reads commits: its version and the config's reading
//! settings, the fingerprint in the header, and how the schemas type what
//! an entry was read from, which each entry records
//! ([`crate::history::Typed`]). A file that does not parse, or whose header
//! differs, is ignored and rewritten whole.
//!
//! Every line ends with a tab and the checksum of what precedes it (as
//! `state.bin` ends with one, [`super::state::checksum`]): a line damaged
//! or edited by hand in a way that still parses must not be shown as
//! history. The file is read only as a regular file of bounded size
//! ([`super::file`]), one line of bounded length at a time.

use super::file::{self, Opened};
use crate::history::CommitChanges;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// Raised whenever what a line holds, or what it means, changes (a commit
/// now carries its time-zone offsets): a file of another format is read
/// as absent and rebuilt, never misread.
const FORMAT: u32 = 7;

/// The longest line read: one commit's changes (a commit that adds
/// thousands of documents writes a few megabytes).
const MAX_LINE: u64 = 64 << 20;

/// `json` closed by its checksum, as a line of the file.
fn seal(json: &str) -> String {
    format!("{json}\t{:016x}", super::state::checksum(json.as_bytes()))
}

/// The JSON of a line (its newline already cut) whose checksum matches.
/// JSON as serde writes it holds no raw tab: the last one starts the sum.
fn unseal(line: &str) -> Option<&str> {
    let (json, sum) = line.rsplit_once('\t')?;
    let sum = u64::from_str_radix(sum, 16).ok()?;
    (sum == super::state::checksum(json.as_bytes()) && line.len() - json.len() == 17)
        .then_some(json)
}

/// Reads the next line into `buf` (its newline cut): Some(true) when one
/// was read whole, Some(false) at the end, None for a line that is too
/// long, cut short or not UTF-8.
fn next_line(reader: &mut impl BufRead, buf: &mut String) -> Option<bool> {
    buf.clear();
    let n = reader.by_ref().take(MAX_LINE + 1).read_line(buf).ok()?;
    if n == 0 {
        return Some(false);
    }
    buf.strip_suffix('\n')?;
    buf.pop();
    Some(true)
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

/// Whether a cache's first line (its newline cut) is the header of this
/// format and `fingerprint`: Some(true) ours, Some(false) another's
/// (another format's line may have no checksum), None not a header.
fn header_is_ours(line: &str, fingerprint: &str) -> Option<bool> {
    if let Some(json) = unseal(line) {
        let h: Header = serde_json::from_str(json).ok()?;
        return Some(h.format == FORMAT && h.fingerprint == fingerprint);
    }
    // Another format's header, sealed with another checksum or none.
    let json = line.rsplit_once('\t').map_or(line, |(json, _)| json);
    let h: Header = serde_json::from_str(json).ok()?;
    (h.format != FORMAT).then_some(false)
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
    let mut line = String::new();
    if next_line(&mut reader, &mut line) != Some(true) {
        return Loaded::Corrupt;
    }
    match header_is_ours(&line, fingerprint) {
        None => return Loaded::Corrupt,
        Some(false) => return Loaded::Stale,
        Some(true) => {}
    }
    let mut out = HashMap::new();
    loop {
        match next_line(&mut reader, &mut line) {
            Some(false) => break,
            None => return Loaded::Corrupt,
            Some(true) => {}
        }
        match unseal(&line).and_then(|json| serde_json::from_str::<CommitChanges>(json).ok()) {
            Some(c) => {
                out.insert(c.commit.id.clone(), c);
            }
            None => return Loaded::Corrupt,
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
        writeln!(
            w,
            "{}",
            seal(&serde_json::to_string(&header).map_err(std::io::Error::other)?)
        )?;
        for e in entries {
            writeln!(
                w,
                "{}",
                seal(&serde_json::to_string(e).map_err(std::io::Error::other)?)
            )?;
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
    let mut first = String::new();
    if next_line(&mut reader, &mut first) != Some(true)
        || header_is_ours(&first, fingerprint) != Some(true)
    {
        return Ok(());
    }
    let mut w = std::io::BufWriter::new(file::open_append(path)?);
    for e in entries {
        writeln!(
            w,
            "{}",
            seal(&serde_json::to_string(e).map_err(std::io::Error::other)?)
        )?;
    }
    w.flush()
}

/// The entries after byte `from` of a cache written for `fingerprint`:
/// the commits read since a state was saved. Nothing when the file is
/// missing, for another fingerprint, or shorter than `from`; a line that
/// does not parse ends the tail (its commits are read again).
pub fn tail(path: &Path, fingerprint: &str, from: u64) -> HashMap<String, CommitChanges> {
    use std::io::{Seek, SeekFrom};
    let mut out = HashMap::new();
    let Opened::File(mut file, len) = file::open(path, file::MAX_BYTES) else {
        return out;
    };
    let mut first = String::new();
    {
        let mut reader = BufReader::new((&mut file).take(len));
        if next_line(&mut reader, &mut first) != Some(true)
            || header_is_ours(&first, fingerprint) != Some(true)
            || from <= first.len() as u64
            || from > len
        {
            return out;
        }
    }
    if file.seek(SeekFrom::Start(from)).is_err() {
        return out;
    }
    let mut reader = BufReader::new(file.take(len - from));
    let mut line = String::new();
    while next_line(&mut reader, &mut line) == Some(true) {
        match unseal(&line).and_then(|json| serde_json::from_str::<CommitChanges>(json).ok()) {
            Some(c) => {
                out.insert(c.commit.id.clone(), c);
            }
            None => break,
        }
    }
    out
}
