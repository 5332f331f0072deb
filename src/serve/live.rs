//! The published state of `serve`: the snapshot the HTTP threads answer
//! from, replaced whole by each build, with a signal for the event streams,
//! and the plan-wide pages still being rendered after an edit.

use super::Pages;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// What the HTTP threads serve: one consistent state, replaced whole.
#[derive(Clone)]
pub struct Snapshot {
    /// The last good site.
    pub files: Arc<Pages>,
    /// Plan files its pages link to, served from disk under `files/`.
    pub assets: Arc<BTreeSet<String>>,
    /// The plans root.
    pub root: Arc<Path>,
    /// Added to every HTML page: the reload script, and the overlay while
    /// there are errors.
    pub snippet: Arc<str>,
    /// This build's tag (`<session>-<counter>`), sent on the event stream.
    pub tag: Arc<str>,
    /// Pages still being rendered for this build (the plan-wide ones after
    /// an edit): a request for one waits for them.
    pub pending: Option<Arc<Pending>>,
}

/// Pages of the current build not rendered yet.
pub struct Pending {
    /// Their paths.
    pub paths: Arc<BTreeSet<String>>,
    done: Mutex<bool>,
    ready: Condvar,
}

impl Pending {
    pub(super) fn new(paths: Arc<BTreeSet<String>>) -> Pending {
        Pending {
            paths,
            done: Mutex::new(false),
            ready: Condvar::new(),
        }
    }

    /// Waits until they are rendered (at most `limit`).
    pub fn wait(&self, limit: Duration) {
        let guard = self.done.lock().unwrap_or_else(|e| e.into_inner());
        let _ = self
            .ready
            .wait_timeout_while(guard, limit, |done| !*done)
            .unwrap_or_else(|e| e.into_inner());
    }

    pub(super) fn finish(&self) {
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.ready.notify_all();
    }
}

/// The published snapshot and a signal for each new build.
pub struct Live {
    state: Mutex<Snapshot>,
    changed: Condvar,
}

impl Live {
    pub(super) fn new(first: Snapshot) -> Live {
        Live {
            state: Mutex::new(first),
            changed: Condvar::new(),
        }
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn publish(&self, snap: Snapshot) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = snap;
        self.changed.notify_all();
    }

    /// The rest of the current build's pages, without a new build event.
    pub(super) fn complete(&self, files: Arc<Pages>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.files = files;
        state.pending = None;
    }

    /// The current build's tag, once it differs from `seen` or `limit`
    /// has passed.
    pub fn wait_for_build(&self, seen: Option<&str>, limit: Duration) -> String {
        let guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(seen) = seen else {
            return guard.tag.to_string();
        };
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, limit, |s| &*s.tag == seen)
            .unwrap_or_else(|e| e.into_inner());
        guard.tag.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_sees_the_next_build() {
        let snap = |tag: &str| Snapshot {
            files: Arc::default(),
            assets: Arc::default(),
            root: Arc::from(Path::new("/")),
            snippet: Arc::from(""),
            tag: Arc::from(tag),
            pending: None,
        };
        let live = Arc::new(Live::new(snap("s-1")));
        assert_eq!(live.wait_for_build(None, Duration::ZERO), "s-1");
        assert_eq!(
            live.wait_for_build(Some("s-1"), Duration::from_millis(10)),
            "s-1"
        );
        let l2 = live.clone();
        let t = std::thread::spawn(move || l2.wait_for_build(Some("s-1"), Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(20));
        live.publish(snap("s-2"));
        assert_eq!(t.join().expect("join"), "s-2");
    }
}
