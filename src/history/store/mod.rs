//! Every file the history keeps on disk, in one place: their names, how
//! each is opened, encoded and checked. All live in one folder
//! (docs/format.md#config, `cache`), are rebuilt from git when absent,
//! damaged or of another format, and are replaced whole
//! ([`crate::atomic::replace_file`]) or appended to, never edited in
//! place.
//!
//! - `history.bin` ([`commits`]): what each commit changed, one record
//!   per commit closed by its checksum; read whole when the replay runs
//!   from the start, appended to as commits are read.
//! - `state.bin` ([`state`]): the replayed history at HEAD, read on every
//!   rebuild, each document's changes a block read only when used.
//!
//! Both are serde types written in postcard's format ([`codec`]): a field
//! added to a history type is stored with no other edit, and a test pins
//! the encoding to the format number.
//!
//! Nothing rendered is kept: the history lists of the pages are written
//! on every build (bench/README.md, "What each cache pays": kept
//! renderings saved under a tenth of a warm build, the other two caches
//! most of it). Files an earlier version kept and this one does not are
//! removed when the cache is next written ([`remove_retired`]).
//!
//! Every file carries its format number and the fingerprint of what it
//! was made from (program, the config's reading settings:
//! `history::fingerprint`; how schemas typed it is recorded inside,
//! `history::Typed`); a checksum (xxh3) closes
//! each record of the per-commit cache and the state file. What cannot be read is
//! a value its reader gets back (`commits::Loaded`, `None`, a damaged
//! block), never a panic or a process-wide flag; a file that is not a
//! regular file inside the cache folder is not opened at all ([`mod@file`]).

pub mod codec;
pub mod commits;
pub mod file;
pub mod state;

use std::path::{Path, PathBuf};

/// The per-commit cache in the cache folder `dir`: the path every other
/// cache file is placed beside.
pub fn commits_path(dir: &Path) -> PathBuf {
    dir.join("history.bin")
}

/// Where the state at HEAD is kept, beside the per-commit cache file.
pub fn state_path(commits: &Path) -> PathBuf {
    commits.with_file_name("state.bin")
}

/// Files of formats no longer kept, by name in the cache folder.
const RETIRED: &[&str] = &["history.jsonl", "reuse-internal.bin", "reuse-public.bin"];

/// Removes from the cache folder `dir` the files earlier versions kept
/// there and this one no longer reads, so they do not sit there for ever.
/// Only regular files are removed (a link by that name is left alone,
/// as is anything else that is not ours).
pub fn remove_retired(dir: &Path) {
    for name in RETIRED {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            let _ = std::fs::remove_file(path);
        }
    }
}
