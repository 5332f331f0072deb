//! The replayed state at HEAD, cached beside the per-commit cache
//! (`state.json`), so a build after new commits replays only those rather
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

use super::replay::Replay;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// 4: strings repeated across the file are written once ([`super::intern`]).
const FORMAT: u32 = 4;

/// The cached state and what it is the state of.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    format: u32,
    fingerprint: String,
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

/// A state file being read on another thread while the plans are scanned
/// (at 10,000 documents both take a few hundred milliseconds, and neither
/// needs the other).
pub struct Prefetch {
    path: std::path::PathBuf,
    fingerprint: String,
    handle: std::sync::Mutex<Option<std::thread::JoinHandle<Option<Saved>>>>,
}

impl Prefetch {
    /// Starts reading `path`.
    pub fn start(path: std::path::PathBuf, fingerprint: String) -> Prefetch {
        let (p, f) = (path.clone(), fingerprint.clone());
        let handle = std::thread::Builder::new()
            .name("northstar-state".into())
            .spawn(move || load(&p, &f))
            .ok();
        Prefetch {
            path,
            fingerprint,
            handle: std::sync::Mutex::new(handle),
        }
    }

    /// The state read, once, if it was read from `path` for `fingerprint`
    /// (what the build asks for now); None otherwise, or the second time.
    pub fn take(&self, path: &Path, fingerprint: &str) -> Option<Option<Saved>> {
        if self.path != path || self.fingerprint != fingerprint {
            return None;
        }
        let handle = self.handle.lock().ok()?.take()?;
        Some(handle.join().ok().flatten())
    }
}

/// Reads the state file; None when it is missing, unreadable or written
/// for another fingerprint or format.
pub fn load(path: &Path, fingerprint: &str) -> Option<Saved> {
    let _t = crate::timings::phase("history: read state file");
    let bytes = std::fs::read(path).ok()?;
    let saved: Saved = super::intern::scope(|| serde_json::from_slice(&bytes)).ok()?;
    (saved.format == FORMAT && saved.fingerprint == fingerprint).then_some(saved)
}

/// [`Saved`], borrowing the state to write it.
#[derive(Serialize)]
struct ToSave<'a> {
    format: u32,
    fingerprint: &'a str,
    head: String,
    max_time: i64,
    cache_len: u64,
    shallow: &'a [String],
    replay: &'a Replay,
}

/// Writes the state file atomically (temporary file, then rename).
pub fn save(
    path: &Path,
    fingerprint: &str,
    head: String,
    max_time: i64,
    cache_len: u64,
    shallow: &[String],
    replay: &Replay,
) -> std::io::Result<()> {
    let saved = ToSave {
        format: FORMAT,
        fingerprint,
        head,
        max_time,
        cache_len,
        shallow,
        replay,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        super::intern::scope(|| serde_json::to_writer(&mut w, &saved))
            .map_err(std::io::Error::other)?;
        w.flush()?;
    }
    std::fs::rename(&tmp, path)
}
