//! Every file the history keeps on disk, in one place: their names, how
//! each is opened, encoded and checked. All live in one folder
//! (docs/format.md#config, `cache`), are rebuilt from git when absent,
//! damaged or of another format, and are replaced whole
//! ([`crate::atomic::replace_file`]) or appended to, never edited in
//! place.
//!
//! - `history.jsonl` ([`commits`]): what each commit changed, one JSON line
//!   per commit closed by its checksum; read whole when the replay runs
//!   from the start. JSON, because a change holds field values of any
//!   shape (`serde_json::Value`), which the compact serde formats
//!   (postcard, bincode) cannot read back: they need the type up front.
//! - `state.bin` ([`state`], encoded by [`codec`]): the replayed history
//!   at HEAD, read on every rebuild, each document's changes a block read
//!   only when used.
//! - `reuse-internal.bin`, `reuse-public.bin` (`render::reuse`): the
//!   history lists and `plan.json` events rendered by the build before,
//!   by digest of the changes they show.
//!
//! Every file carries its format number and the fingerprint of what it
//! was made from (program, config, schemas); a checksum (xxh3) closes
//! each line, the state file and each kept record. What cannot be read is
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
    dir.join("history.jsonl")
}

/// Where the state at HEAD is kept, beside the per-commit cache file.
pub fn state_path(commits: &Path) -> PathBuf {
    commits.with_file_name("state.bin")
}

/// Where the renderings kept for one audience are, in the cache folder
/// `dir`: each audience's pages differ, so each has its own.
pub fn kept_path(dir: &Path, public: bool) -> PathBuf {
    dir.join(if public {
        "reuse-public.bin"
    } else {
        "reuse-internal.bin"
    })
}
