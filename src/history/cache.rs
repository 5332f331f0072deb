//! The history cache: per-commit results keyed by commit id, so a build
//! after one new commit reads only that commit. A commit id names its
//! content forever, so an entry never goes stale by itself; what can change
//! is how northstar reads commits (its version, the config, the schemas),
//! and that is the fingerprint in the header. A file that does not parse,
//! or whose header differs, is ignored and rewritten whole.

use super::CommitChanges;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// 4: files whose object could not be read are `missing`, not `unreadable`.
const FORMAT: u32 = 4;

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: u32,
    fingerprint: String,
}

/// Whether a cache's first line is the header of this format and
/// `fingerprint`: Some(true) ours, Some(false) another's, None not a header.
fn header_is_ours(line: &str, fingerprint: &str) -> Option<bool> {
    let h: Header = serde_json::from_str(line.trim_end()).ok()?;
    Some(h.format == FORMAT && h.fingerprint == fingerprint)
}

/// What loading found.
pub enum Loaded {
    /// Entries by commit id.
    Entries(HashMap<String, CommitChanges>),
    /// No cache yet.
    Missing,
    /// A cache written for another config, schema or version.
    Stale,
    /// A cache that does not parse.
    Corrupt,
}

/// Reads the cache file.
pub fn load(path: &Path, fingerprint: &str) -> Loaded {
    let Ok(file) = std::fs::File::open(path) else {
        return Loaded::Missing;
    };
    let mut lines = BufReader::new(file).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    match header_is_ours(&first, fingerprint) {
        None => return Loaded::Corrupt,
        Some(false) => return Loaded::Stale,
        Some(true) => {}
    }
    let mut out = HashMap::new();
    for line in lines {
        let Ok(line) = line else {
            return Loaded::Corrupt;
        };
        match serde_json::from_str::<CommitChanges>(&line) {
            Ok(c) => {
                out.insert(c.commit.id.clone(), c);
            }
            Err(_) => return Loaded::Corrupt,
        }
    }
    Loaded::Entries(out)
}

/// Writes the cache atomically (`output::replace_file`).
pub fn save<'a>(
    path: &Path,
    fingerprint: &str,
    entries: impl Iterator<Item = &'a CommitChanges>,
) -> std::io::Result<()> {
    crate::output::replace_file(path, |w| {
        let header = Header {
            format: FORMAT,
            fingerprint: fingerprint.to_string(),
        };
        writeln!(
            w,
            "{}",
            serde_json::to_string(&header).map_err(std::io::Error::other)?
        )?;
        for e in entries {
            writeln!(
                w,
                "{}",
                serde_json::to_string(e).map_err(std::io::Error::other)?
            )?;
        }
        Ok(())
    })
}

/// Adds entries to the end of a cache written for `fingerprint`, or writes
/// a new cache when there is none. A cache written for another fingerprint
/// is left for the next full read to rewrite. Loading keeps the last entry
/// of a commit read twice.
pub fn append<'a>(
    path: &Path,
    fingerprint: &str,
    entries: impl Iterator<Item = &'a CommitChanges>,
) -> std::io::Result<()> {
    let Ok(file) = std::fs::File::open(path) else {
        return save(path, fingerprint, entries);
    };
    let first = BufReader::new(file)
        .lines()
        .next()
        .and_then(Result::ok)
        .unwrap_or_default();
    if header_is_ours(&first, fingerprint) != Some(true) {
        return Ok(());
    }
    let mut w = std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(path)?);
    for e in entries {
        writeln!(
            w,
            "{}",
            serde_json::to_string(e).map_err(std::io::Error::other)?
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
    let Ok(file) = std::fs::File::open(path) else {
        return out;
    };
    let mut reader = BufReader::new(file);
    let mut first = String::new();
    if reader.read_line(&mut first).is_err()
        || header_is_ours(&first, fingerprint) != Some(true)
        || from < first.len() as u64
    {
        return out;
    }
    if reader.seek(SeekFrom::Start(from)).is_err() {
        return out;
    }
    for line in reader.lines() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<CommitChanges>(&line) {
            Ok(c) => {
                out.insert(c.commit.id.clone(), c);
            }
            Err(_) => break,
        }
    }
    out
}
