//! Opening the files of the history cache (`history.bin`, `state.bin`)
//! without trusting what sits at their paths. They live in
//! `.git/northstar` (or the config's `cache`), where a clone, a script or
//! another tool can leave anything: a symbolic link to `/dev/zero` made a
//! build read one endless line until an allocation of a gigabyte failed,
//! and one to a file outside the repository would be read, or appended
//! to. Only a regular file is opened, never through a link, and only up
//! to a size bound; anything else counts as absent (the cache is rebuilt
//! and replaces it) and is said in a note.

use std::fs::File;
use std::path::Path;

/// The largest cache file read: far above what the largest plans write
/// (a few tens of megabytes at 10,000 documents and 50,000 commits), far
/// below what would strain memory.
pub const MAX_BYTES: u64 = 1 << 30;

/// What is at a cache file's path.
pub enum Opened {
    /// Nothing: a first build.
    Absent,
    /// Something not to read: why, for a note.
    Refused(String),
    /// A regular file, opened, and its length (at most the bound).
    File(File, u64),
}

/// Opens the regular file at `path` for reading, if it is one of at most
/// `max` bytes. The file opened is checked to be the one whose link
/// status was looked at (same device and inode), so a link swapped in
/// between is not followed either.
pub fn open(path: &Path, max: u64) -> Opened {
    let before = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Opened::Absent,
        Err(e) => return Opened::Refused(format!("cannot be read ({e})")),
    };
    if before.file_type().is_symlink() {
        return Opened::Refused("is a symbolic link".into());
    }
    if !before.is_file() {
        return Opened::Refused("is not a regular file".into());
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Opened::Refused(format!("cannot be read ({e})")),
    };
    let Ok(now) = file.metadata() else {
        return Opened::Refused("cannot be read".into());
    };
    if !now.is_file() || !same_file(&before, &now) {
        return Opened::Refused("changed while it was opened".into());
    }
    if now.len() > max {
        return Opened::Refused(format!("is larger than {} MB", max >> 20));
    }
    Opened::File(file, now.len())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    true
}

/// Opens the regular file at `path` for appending; an error for anything
/// else (a link is never followed: appending through one would write
/// wherever it points).
pub fn open_append(path: &Path) -> std::io::Result<File> {
    let before = std::fs::symlink_metadata(path)?;
    if !before.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = std::fs::OpenOptions::new().append(true).open(path)?;
    let now = file.metadata()?;
    if !now.is_file() || !same_file(&before, &now) {
        return Err(std::io::Error::other("changed while it was opened"));
    }
    Ok(file)
}

/// The note for a cache file at `path` that is there but is not read, if
/// it is one ([`open`]); None when it is absent or a regular file within
/// `max` bytes.
pub fn refusal(path: &Path, max: u64) -> Option<String> {
    match open(path, max) {
        Opened::Refused(why) => Some(format!(
            "the history cache file {} {why}: it was not read, and has been rebuilt",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        )),
        Opened::Absent | Opened::File(..) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_file_within_the_bound_is_opened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("state.bin");
        assert!(matches!(open(&file, 10), Opened::Absent));
        std::fs::write(&file, b"12345").expect("write");
        assert!(matches!(open(&file, 10), Opened::File(_, 5)));
        assert!(matches!(open(&file, 4), Opened::Refused(_)));
        assert!(refusal(&file, 10).is_none());
        assert!(matches!(open(dir.path(), 10), Opened::Refused(_)));
        #[cfg(unix)]
        {
            let link = dir.path().join("history.bin");
            std::os::unix::fs::symlink(&file, &link).expect("symlink");
            assert!(matches!(open(&link, 10), Opened::Refused(_)));
            assert!(open_append(&link).is_err());
            let note = refusal(&link, 10).expect("a note");
            assert!(note.contains("history.bin is a symbolic link"), "{note}");
            assert_eq!(std::fs::read(&file).expect("read"), b"12345");
        }
        assert!(open_append(&file).is_ok());
    }
}
