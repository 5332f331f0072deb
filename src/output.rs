//! Writing a rendered site to disk, atomically and only where asked.
//!
//! The site is written into a temporary folder beside the output, each file
//! as it is rendered, and swapped in only when complete, so a failed or interrupted build leaves the
//! previous site untouched. A folder is replaced only when it is empty or
//! was written by northstar (it holds the marker file): a mistyped `-o`
//! can never delete a user's folder.

use crate::atomic::{leftovers, remove_leftovers};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The file a built site holds, so a later build may replace the folder
/// (and refuses any other non-empty folder).
pub const SITE_MARKER: &str = ".northstar-site";

/// Where rendered files go, one by one as they are made. Document pages
/// are rendered on every core, and each thread hands its page over at
/// once: a build writes it and lets it go, rather than holding the whole
/// site until the end.
pub trait Sink: Sync {
    /// Takes the file at site path `path`.
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), String>;

    /// Takes the file at `path` made of `parts` in order.
    fn put_parts(&self, path: &str, parts: &[&[u8]]) -> Result<(), String> {
        self.put(path, parts.concat())
    }
}

/// Refuses outputs that would destroy plans or other people's files.
pub fn validate_target(out: &Path, plans_root: &Path) -> Result<(), String> {
    let abs = absolute(out);
    let root = plans_root
        .canonicalize()
        .unwrap_or_else(|_| plans_root.to_path_buf());
    // `starts_with` holds for the root itself too.
    if root.starts_with(&abs) {
        return Err(format!(
            "refusing to write the site to {}: it holds the plans",
            out.display()
        ));
    }
    if abs.exists() {
        if !abs.is_dir() {
            return Err(format!(
                "refusing to write the site to {}: it is a file",
                out.display()
            ));
        }
        let empty = std::fs::read_dir(&abs)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !abs.join(SITE_MARKER).exists() {
            return Err(format!(
                "refusing to replace {}: it is not empty and was not written by northstar (no {SITE_MARKER} file)",
                out.display()
            ));
        }
    }
    Ok(())
}

/// The absolute, symlink-resolved form of a path; one that does not exist
/// yet is only made absolute (it can be neither the plans root nor hold
/// it, and the system resolves its links when the site is written).
fn absolute(p: &Path) -> PathBuf {
    p.canonicalize()
        .unwrap_or_else(|_| std::env::current_dir().unwrap_or_default().join(p))
}

/// Builds a site straight into `out`. `render` hands each file to the
/// sink as soon as it is rendered, and the sink writes it into a staging
/// folder beside `out` (pages are written by the threads that render them,
/// and the site is never held in memory whole: at 10,000 documents it is
/// hundreds of megabytes). `render` returns the plans files the pages link
/// to, copied in from `root` after. The staging folder replaces `out` only
/// once everything is written; on any error it is removed and `out` is
/// left as it was. Returns how many files the site has (the marker file
/// left out).
pub fn write_with(
    out: &Path,
    root: &Path,
    render: impl FnOnce(&dyn Sink) -> Result<BTreeSet<String>, String>,
) -> Result<usize, String> {
    validate_target(out, root)?;
    let out = absolute(out);
    let parent = out
        .parent()
        .ok_or("output folder has no parent")?
        .to_path_buf();
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("site");
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    // A build killed between moving the old site aside and the new one in
    // left the old site only as `.NAME.old-PID`: put it back first.
    let old_prefix = format!(".{name}.old-");
    if !out.exists()
        && let Some((kept, _)) = leftovers(&parent, &[&old_prefix]).into_iter().next()
    {
        let _ = std::fs::rename(kept, &out);
    }
    remove_leftovers(&parent, &[&format!(".{name}.tmp-"), &old_prefix]);
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let _lock = lock_folder(&tmp);
    // Removes the staging folder however this function is left (an error,
    // or a panic in a render thread unwinding through here) unless the
    // folder became the site.
    let mut guard = Cleanup(Some(tmp.clone()));
    let staging = Staging {
        dir: tmp.clone(),
        made: Mutex::new(HashSet::from([tmp.clone()])),
        files: AtomicUsize::new(0),
    };
    let result = render(&staging)
        .and_then(|assets| copy_assets(&staging, &assets, root))
        .map(|()| staging.files.load(Ordering::Relaxed))
        .and_then(|files| {
            staging.put(
                SITE_MARKER,
                b"This folder is a site written by northstar build; it is replaced whole on every build.\n".to_vec(),
            )?;
            swap(&tmp, &out, &old)?;
            guard.0 = None;
            Ok(files)
        });
    drop(guard);
    result
}

/// Locks a staging folder while a build writes it, so another build
/// (one whose process ids are not ours to see) never takes it for left
/// over. None where folders cannot be locked.
fn lock_folder(dir: &Path) -> Option<std::fs::File> {
    let f = std::fs::File::open(dir).ok()?;
    f.lock().ok()?;
    Some(f)
}

/// A staging folder to remove when dropped, unless taken out.
struct Cleanup(Option<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(dir) = &self.0 {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Whether `rel` stays inside the folder it is joined to: only plain
/// names, no `..`, no root, no drive. Page paths come from document ids,
/// and a plan built with `--allow-errors` can hold an id that is not a
/// valid one.
fn inside(rel: &str) -> bool {
    let path = Path::new(rel);
    path.components().next().is_some()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The folder a site is being written into.
struct Staging {
    dir: PathBuf,
    /// Folders made so far. Held while a folder is made, so no thread
    /// writes into one another thread is still creating.
    made: Mutex<HashSet<PathBuf>>,
    files: AtomicUsize,
}

impl Sink for Staging {
    fn put(&self, rel: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.put_parts(rel, &[&bytes])
    }

    fn put_parts(&self, rel: &str, parts: &[&[u8]]) -> Result<(), String> {
        if !inside(rel) {
            return Err(format!(
                "refusing to write {rel:?}: it is not a path inside the site"
            ));
        }
        let path = self.dir.join(rel);
        self.folder_of(&path)?;
        write_parts(&path, parts).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        self.files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Staging {
    /// Makes the folder `path` goes in, once.
    fn folder_of(&self, path: &Path) -> Result<(), String> {
        let Some(p) = path.parent() else {
            return Ok(());
        };
        let mut made = self.made.lock().map_err(|_| "a writer thread failed")?;
        if !made.contains(p) {
            std::fs::create_dir_all(p)
                .map_err(|e| format!("cannot create {}: {e}", p.display()))?;
            made.insert(p.to_path_buf());
        }
        Ok(())
    }
}

/// Writes `parts` one after another into a new file at `path`, with as
/// few system calls as the kernel allows (`writev`).
fn write_parts(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    use std::io::{IoSlice, Write};
    let mut file = std::fs::File::create(path)?;
    let mut slices: Vec<IoSlice<'_>> = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| IoSlice::new(p))
        .collect();
    let mut left = &mut slices[..];
    while !left.is_empty() {
        match file.write_vectored(left) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Copies the plans files pages link to into `files/`.
fn copy_assets(sink: &dyn Sink, assets: &BTreeSet<String>, root: &Path) -> Result<(), String> {
    for asset in assets {
        // Assets come from the scanned file list, which never leaves the
        // root; read again through the same rule, as a link may have
        // changed since the scan.
        let bytes = crate::source::confine::read(root, Path::new(asset))
            .map_err(|e| format!("cannot read {asset}: {e}"))?;
        sink.put(&format!("files/{asset}"), bytes)?;
    }
    Ok(())
}

fn swap(tmp: &Path, out: &Path, old: &Path) -> Result<(), String> {
    if out.exists() {
        std::fs::rename(out, old).map_err(|e| format!("cannot move the old site aside: {e}"))?;
        if let Err(e) = std::fs::rename(tmp, out) {
            let _ = std::fs::rename(old, out);
            return Err(format!("cannot move the new site into place: {e}"));
        }
        let _ = std::fs::remove_dir_all(old);
        Ok(())
    } else {
        std::fs::rename(tmp, out).map_err(|e| format!("cannot move the new site into place: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn leftovers_of_dead_processes_are_removed_others_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        // No process has an id this large (the kernel's limit is 2^22).
        let dead = dir.path().join(".site.tmp-4294967295");
        std::fs::create_dir_all(dead.join("feature")).expect("mkdir");
        std::fs::write(dead.join("feature/a.html"), "x").expect("write");
        let dead_file = dir.path().join("state.tmp-4294967294");
        std::fs::write(&dead_file, "x").expect("write");
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&dead_file)
            .and_then(|f| f.set_modified(an_hour_ago))
            .expect("set mtime");
        // Just written: its writer may be about to rename it.
        let fresh_file = dir.path().join("state.tmp-4294967293");
        std::fs::write(&fresh_file, "x").expect("write");
        // A folder another build (in another container) holds.
        let held = dir.path().join(".site.tmp-4294967292");
        std::fs::create_dir(&held).expect("mkdir");
        let lock = lock_folder(&held).expect("lock");
        let mine = dir.path().join(format!(".site.tmp-{}", std::process::id()));
        std::fs::create_dir(&mine).expect("mkdir");
        let unrelated = dir.path().join("site.tmp-4294967295");
        std::fs::create_dir(&unrelated).expect("mkdir");
        remove_leftovers(dir.path(), &[".site.tmp-", "state.tmp-"]);
        assert!(!dead.exists() && !dead_file.exists());
        assert!(mine.exists() && unrelated.exists());
        assert!(fresh_file.exists() && held.exists());
        drop(lock);
        remove_leftovers(dir.path(), &[".site.tmp-"]);
        assert!(!held.exists());
    }

    #[test]
    fn parts_are_written_in_order_into_one_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("page.html");
        let big = vec![b'x'; 1 << 20];
        write_parts(&path, &[b"<main>", b"", &big, b"</main>"]).expect("write");
        let got = std::fs::read(&path).expect("read");
        assert_eq!(got.len(), 6 + (1 << 20) + 7);
        assert!(got.starts_with(b"<main>x") && got.ends_with(b"x</main>"));
        // Nothing but empty parts: an empty file.
        write_parts(&path, &[b"", b""]).expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"");
    }

    #[test]
    fn a_site_is_staged_then_swapped_in_with_its_folders() {
        let root = tempfile::tempdir().expect("tempdir");
        let out_parent = tempfile::tempdir().expect("tempdir");
        let out = out_parent.path().join("site");
        std::fs::write(root.path().join("diagram.png"), b"png").expect("asset");
        let n = write_with(&out, root.path(), |sink| {
            sink.put("index.html", b"home".to_vec())?;
            sink.put_parts("feature/a.html", &[b"<p>", b"a", b"</p>"])?;
            sink.put_parts("feature/b.html", &[b"b"])?;
            Ok(BTreeSet::from(["diagram.png".to_string()]))
        })
        .expect("written");
        assert_eq!(n, 4, "three pages and one linked file");
        let read = |p: &str| std::fs::read(out.join(p)).expect(p);
        assert_eq!(read("feature/a.html"), b"<p>a</p>");
        assert_eq!(read("files/diagram.png"), b"png");
        assert!(out.join(SITE_MARKER).is_file());
        // A failing render leaves the site as it was and no staging folder.
        let err = write_with(&out, root.path(), |sink| {
            sink.put("index.html", b"new home".to_vec())?;
            Err("the render failed".to_string())
        });
        assert_eq!(err, Err("the render failed".to_string()));
        assert_eq!(read("index.html"), b"home");
        let left: Vec<_> = std::fs::read_dir(out_parent.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("site")]);
    }

    #[test]
    fn a_new_site_replaces_the_old_one_whole() {
        let root = tempfile::tempdir().expect("tempdir");
        let out_parent = tempfile::tempdir().expect("tempdir");
        let out = out_parent.path().join("site");
        write_with(&out, root.path(), |sink| {
            sink.put("index.html", b"one".to_vec())?;
            sink.put("feature/gone.html", b"gone".to_vec())?;
            Ok(BTreeSet::new())
        })
        .expect("first site");
        write_with(&out, root.path(), |sink| {
            sink.put("index.html", b"two".to_vec())?;
            Ok(BTreeSet::new())
        })
        .expect("second site");
        assert_eq!(std::fs::read(out.join("index.html")).expect("read"), b"two");
        assert!(
            !out.join("feature").exists(),
            "a page of the old site stayed"
        );
    }

    #[test]
    fn a_panicking_render_leaves_no_staging_folder() {
        let root = tempfile::tempdir().expect("tempdir");
        let out_parent = tempfile::tempdir().expect("tempdir");
        let out = out_parent.path().join("site");
        let caught = std::panic::catch_unwind(|| {
            write_with(&out, root.path(), |sink| {
                sink.put("index.html", b"half".to_vec())?;
                panic!("a render thread panicked");
            })
        });
        assert!(caught.is_err());
        let left: Vec<_> = std::fs::read_dir(out_parent.path())
            .expect("read_dir")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn only_plain_relative_paths_are_inside() {
        assert!(inside("index.html"));
        assert!(inside("feature/a.html"));
        assert!(inside("files/plans/img/a b.png"));
        for bad in ["", "../x.html", "feature/../../x.html", "/etc/x", "./x"] {
            assert!(!inside(bad), "{bad:?}");
        }
    }
}
