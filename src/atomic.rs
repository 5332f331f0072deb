//! Files written whole or not at all, and what killed writers left.
//! Below every module that writes (the site, the history caches, kept
//! renderings), so none of them imports another for it.

use std::path::{Path, PathBuf};

/// Removes what writers killed mid-write left in `dir`: entries named
/// one of `prefixes` followed by the id of a process that no longer runs
/// (a staging folder `.site.tmp-4242` after Ctrl-C, a cache's
/// `state.tmp-4242`). Such a process's drop guards never ran, and nothing
/// else would ever remove them. See `leftovers` for what counts as
/// left over.
pub fn remove_leftovers(dir: &Path, prefixes: &[&str]) {
    for (path, is_dir) in leftovers(dir, prefixes) {
        let _ = if is_dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
    }
}

/// Entries of `dir` left by a writer killed mid-write, and whether each
/// is a folder. Named one of `prefixes` and a process id, that process
/// no longer running (`/proc`: where the system cannot say, nothing is
/// left over); and since another container sharing the folder has other
/// process ids, also not in use: a folder not locked (a build holds its
/// staging folder's lock while it writes), a file not changed for a
/// minute (its writer renames it within moments). The entry itself,
/// never what a symbolic link points to.
pub fn leftovers(dir: &Path, prefixes: &[&str]) -> Vec<(PathBuf, bool)> {
    if !Path::new("/proc/self").exists() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| leftover_of(n, prefixes)) else {
            continue;
        };
        if pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                let free = std::fs::File::open(&path).is_ok_and(|f| f.try_lock().is_ok());
                if free {
                    out.push((path, true));
                }
            }
            Ok(_) => {
                let idle = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() >= 60);
                if idle {
                    out.push((path, false));
                }
            }
            Err(_) => {}
        }
    }
    out
}

/// Writes the file at `path` whole or not at all: `write` fills a
/// temporary file beside it (`state.bin` is written as `state.tmp-4242`),
/// renamed into place once complete, and removed if anything fails. What
/// a writer of `path` killed earlier left is removed first. The history
/// caches are written this way.
pub fn replace_file(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    remove_leftovers(dir, &[&format!("{stem}.tmp-")]);
    // `state.tmp-4242-Xy3kQz`: created new (never an existing file), and
    // removed when dropped, so an error or a panic leaves nothing; only a
    // killed process leaves it, for the sweep above to find by its id.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{stem}.tmp-{}-", std::process::id()))
        .tempfile_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// The process id in `name` when it is one of `prefixes` and digits.
fn leftover_of(name: &str, prefixes: &[&str]) -> Option<u32> {
    let rest = prefixes.iter().find_map(|p| name.strip_prefix(p))?;
    // The id, then nothing or `-` and the random part `replace_file` adds.
    let (digits, tail) = rest.split_once('-').unwrap_or((rest, ""));
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (rest.contains('-')
            && (tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_alphanumeric())))
    {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_are_named_by_prefix_and_process_id() {
        let p = [".site.tmp-", ".site.old-"];
        assert_eq!(leftover_of(".site.tmp-4242", &p), Some(4242));
        assert_eq!(leftover_of(".site.old-7", &p), Some(7));
        // What `replace_file` names its temporary files.
        assert_eq!(leftover_of(".site.tmp-4242-Xy3kQz", &p), Some(4242));
        for other in [
            ".site.tmp-",
            ".site.tmp-12a",
            ".site.tmp--1",
            ".sites.tmp-1",
            "site",
            ".site.new-1",
            // `u32::from_str` takes a sign: not a process id here.
            ".site.tmp-+1",
            ".site.tmp-12-",
            ".site.tmp-12-a.b",
        ] {
            assert_eq!(leftover_of(other, &p), None, "{other}");
        }
    }

    /// A write that fails leaves the old file and no temporary file; one
    /// that succeeds replaces the file whole.
    #[test]
    fn a_file_is_replaced_whole_or_not_at_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.bin");
        std::fs::write(&path, b"old").expect("write");
        let failed = replace_file(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"old");
        let names = |d: &Path| -> Vec<String> {
            let mut n: Vec<String> = std::fs::read_dir(d)
                .expect("read_dir")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        assert_eq!(names(dir.path()), ["state.bin"]);
        replace_file(&path, |w| w.write_all(b"new")).expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        assert_eq!(names(dir.path()), ["state.bin"]);
    }
}
