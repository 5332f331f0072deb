//! Watching the plans for `serve`: notify's recommended watcher on the
//! plans root (recursively), events coalesced by path and debounced for at
//! most [`QUIET`] (editors save in several writes; notify's debouncers are
//! usually set to hundreds of milliseconds, which alone would miss the
//! edit-to-reload target).
//!
//! Ignored: editors' temporary and swap files, dot-folders, the output
//! folder `site/` and the folders the scan skips. Inside the git folder,
//! only `HEAD`, `packed-refs` and `refs/heads/` count: a moved HEAD (a
//! commit, a branch switch) reloads everything, history included.

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long the plans must be quiet before a batch of changes is built.
pub const QUIET: Duration = Duration::from_millis(30);
/// The longest a batch waits while events keep coming.
pub const MAX_WAIT: Duration = Duration::from_millis(250);

/// What changed, coalesced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Paths under the plans root (`/`-separated) that were written,
    /// created, removed or renamed.
    pub paths: BTreeSet<String>,
    /// HEAD or a branch moved: reload everything, history included.
    pub git: bool,
    /// The watcher lost events: scan everything again.
    pub rescan: bool,
    /// When the first event of the batch arrived.
    pub since: Option<Instant>,
}

impl Batch {
    /// True when nothing in it needs a build.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.git && !self.rescan
    }
}

/// What one changed path means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Nothing to build.
    Ignored,
    /// A path under the plans root.
    Plans(String),
    /// HEAD or a branch.
    Git,
}

/// The watcher: notify's, plus the rules of what counts.
pub struct Watcher {
    _inner: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    git_dir: Option<PathBuf>,
    skip: Vec<PathBuf>,
}

impl Watcher {
    /// Watches `root` recursively (and the git folder's HEAD and refs when
    /// it lies outside the root), ignoring `skip` folders (absolute).
    pub fn new(root: &Path, git_dir: Option<&Path>, skip: &[PathBuf]) -> Result<Watcher, String> {
        let (tx, events) = channel();
        let mut inner = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .map_err(|e| format!("cannot watch the plans: {e}"))?;
        inner
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let git_dir = git_dir.map(|g| g.canonicalize().unwrap_or_else(|_| g.to_path_buf()));
        if let Some(g) = git_dir.as_deref().filter(|g| !g.starts_with(root)) {
            // A plans folder inside a larger repository: its git folder is
            // not under the root. Best effort: history still loads at start.
            let _ = inner.watch(g, RecursiveMode::NonRecursive);
            let _ = inner.watch(&g.join("refs").join("heads"), RecursiveMode::Recursive);
        }
        Ok(Watcher {
            _inner: inner,
            events,
            root: root.to_path_buf(),
            git_dir,
            skip: skip.to_vec(),
        })
    }

    /// Blocks until something relevant changed, then collects until the
    /// plans are quiet for [`QUIET`] (at most [`MAX_WAIT`]). None when the
    /// watcher stopped.
    pub fn next(&self) -> Option<Batch> {
        gather(&self.events, |batch, event| self.add(batch, event))
    }

    fn add(&self, batch: &mut Batch, event: notify::Result<notify::Event>) {
        let event = match event {
            Ok(e) => e,
            Err(_) => {
                batch.rescan = true;
                return;
            }
        };
        if event.need_rescan() {
            batch.rescan = true;
        }
        if !counts(&event.kind) {
            return;
        }
        for p in &event.paths {
            match classify(&self.root, self.git_dir.as_deref(), &self.skip, p) {
                Seen::Ignored => {}
                Seen::Git => batch.git = true,
                Seen::Plans(rel) => {
                    batch.paths.insert(rel);
                }
            }
        }
    }
}

/// The debounce: waits for a first event that `add` finds relevant, then
/// takes events until none came for [`QUIET`] (or [`MAX_WAIT`] passed).
fn gather<E>(events: &Receiver<E>, mut add: impl FnMut(&mut Batch, E)) -> Option<Batch> {
    let mut batch = Batch::default();
    loop {
        let event = if batch.is_empty() {
            events.recv().ok()?
        } else {
            let since = batch.since.unwrap_or_else(Instant::now);
            let left = MAX_WAIT.saturating_sub(since.elapsed());
            match events.recv_timeout(QUIET.min(left)) {
                Ok(e) => e,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    return Some(batch);
                }
            }
        };
        let was_empty = batch.is_empty();
        add(&mut batch, event);
        if was_empty && !batch.is_empty() {
            batch.since = Some(Instant::now());
        }
    }
}

/// Whether an event can change a file: opening and reading (ours too,
/// when we build) cannot.
fn counts(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Editors' temporary, backup and swap files: vim's `.swp`, `.swx`, `~`
/// backups and `4913` probe, emacs' `.#` locks and `#name#` auto-saves,
/// and `*.tmp`.
pub fn is_temp(name: &str) -> bool {
    name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with('~')
        || name.starts_with(".#")
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name.ends_with(".tmp")
}

/// What a changed path means for the build.
pub fn classify(root: &Path, git_dir: Option<&Path>, skip: &[PathBuf], path: &Path) -> Seen {
    if let Some(rel) = git_dir.and_then(|g| path.strip_prefix(g).ok()) {
        let rel = slashed(rel);
        let git = rel == "HEAD"
            || rel == "packed-refs"
            || (rel.starts_with("refs/heads/") && !rel.ends_with(".lock"));
        return if git { Seen::Git } else { Seen::Ignored };
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return Seen::Ignored;
    };
    if skip.iter().any(|s| path.starts_with(s)) {
        return Seen::Ignored;
    }
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    if parts.len() != rel.components().count() || parts.is_empty() {
        // Not UTF-8 (the scan skips those too), or the root itself.
        return Seen::Ignored;
    }
    let name = parts[parts.len() - 1];
    if parts[0] == "site" || is_temp(name) || parts.iter().any(|p| p.starts_with('.')) {
        return Seen::Ignored;
    }
    Seen::Plans(parts.join("/"))
}

fn slashed(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(p: &str) -> Seen {
        let root = Path::new("/r");
        classify(
            root,
            Some(Path::new("/r/.git")),
            &[PathBuf::from("/r/out")],
            &root.join(p),
        )
    }

    #[test]
    fn plans_files_count() {
        assert_eq!(
            seen("plans/features/a.md"),
            Seen::Plans("plans/features/a.md".into())
        );
        assert_eq!(seen("northstar.yaml"), Seen::Plans("northstar.yaml".into()));
        assert_eq!(
            seen("templates/layout.hbs"),
            Seen::Plans("templates/layout.hbs".into())
        );
    }

    #[test]
    fn editor_files_dot_folders_and_output_do_not() {
        for p in [
            "plans/.a.md.swp",
            "plans/.a.md.swx",
            "plans/a.md~",
            "plans/.#a.md",
            "plans/4913",
            "plans/a.md.tmp",
            ".vscode/settings.json",
            "plans/.hidden/a.md",
            "site/index.html",
            "out/index.html",
            ".git/index",
            ".git/objects/ab/cdef",
            ".git/refs/heads/main.lock",
            ".git/refs/remotes/origin/main",
        ] {
            assert_eq!(seen(p), Seen::Ignored, "{p}");
        }
        assert_eq!(
            classify(Path::new("/r"), None, &[], Path::new("/elsewhere/a.md")),
            Seen::Ignored
        );
    }

    #[test]
    fn editors_swap_backup_and_autosave_names_are_temporary() {
        for name in [
            ".foo.md.swp",
            ".foo.md.swx",
            "foo.md~",
            "4913",
            "#foo.md#",
            ".#foo.md",
            "foo.md.tmp",
        ] {
            assert!(is_temp(name), "{name}");
            assert_eq!(seen(&format!("plans/{name}")), Seen::Ignored, "{name}");
        }
        for name in ["foo.md", "foo.yaml", "4914", "#foo.md", "issue-#4.md"] {
            assert!(!is_temp(name), "{name}");
        }
    }

    #[test]
    fn head_and_branches_are_a_git_change() {
        for p in [".git/HEAD", ".git/refs/heads/main", ".git/packed-refs"] {
            assert_eq!(seen(p), Seen::Git, "{p}");
        }
    }

    #[test]
    fn a_file_saved_in_several_writes_is_one_batch() {
        // The writes are queued before the watcher looks, and the later
        // save is sent only once the first batch is out: no sleep decides
        // the outcome, so a loaded machine gives the same batches.
        let (tx, rx) = channel::<&'static str>();
        for p in ["a.md", "a.md", "b.md", "a.md"] {
            tx.send(p).expect("send");
        }
        let add = |b: &mut Batch, p: &str| {
            b.paths.insert(p.to_string());
        };
        let first = gather(&rx, add).expect("a batch");
        assert_eq!(
            first.paths,
            ["a.md", "b.md"].map(String::from).into_iter().collect()
        );
        tx.send("c.md").expect("send");
        let second = gather(&rx, add).expect("another batch");
        assert_eq!(second.paths, ["c.md".to_string()].into_iter().collect());
        drop(tx);
        assert!(gather(&rx, add).is_none(), "the watcher stopped");
    }

    #[test]
    fn reads_do_not_count() {
        assert!(!counts(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!counts(&EventKind::Access(AccessKind::Read)));
        assert!(counts(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(counts(&EventKind::Modify(notify::event::ModifyKind::Any)));
    }
}
