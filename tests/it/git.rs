//! Git repositories for tests: the `git` CLI in a temporary folder,
//! isolated from the user's configuration, with fixed authors and dates, so
//! history never depends on the machine, the clock or this repository.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A commit author.
#[derive(Clone, Copy)]
pub struct Who {
    pub name: &'static str,
    pub email: &'static str,
}

/// Matches the person `alice` (whose `email` is `alice@example.com`):
/// the case differs on purpose, e-mail matching ignores it.
pub const ALICE: Who = Who {
    name: "Alice Doe",
    email: "Alice@Example.com",
};
/// Matches no person.
pub const BOB: Who = Who {
    name: "Bob Builder",
    email: "bob@example.com",
};
/// Makes the merge commits.
pub const CAROL: Who = Who {
    name: "Carol Merger",
    email: "carol@example.com",
};

/// The `git` CLI in a folder, isolated from the user's configuration,
/// with fixed authors and dates.
pub struct Git {
    dir: PathBuf,
}

impl Git {
    /// `git init` on branch `main`.
    pub fn init(dir: &Path) -> Git {
        let git = Git {
            dir: dir.to_path_buf(),
        };
        git.run(&["-c", "init.defaultBranch=main", "init", "-q"]);
        git
    }

    /// An existing work tree (a clone).
    pub fn at(dir: &Path) -> Git {
        Git {
            dir: dir.to_path_buf(),
        }
    }

    /// Dates: a day is taken at noon UTC; a full time (`…T23:30:00-05:00`)
    /// as written.
    pub fn command(
        &self,
        args: &[&str],
        author_date: &str,
        committer_date: &str,
        who: Who,
    ) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(&self.dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", who.name)
            .env("GIT_AUTHOR_EMAIL", who.email)
            .env("GIT_AUTHOR_DATE", at_noon(author_date))
            .env("GIT_COMMITTER_NAME", who.name)
            .env("GIT_COMMITTER_EMAIL", who.email)
            .env("GIT_COMMITTER_DATE", at_noon(committer_date));
        cmd
    }

    pub fn run_as(&self, args: &[&str], date: &str, who: Who) -> String {
        self.run_dated(args, date, date, who)
    }

    pub fn run_dated(
        &self,
        args: &[&str],
        author_date: &str,
        committer_date: &str,
        who: Who,
    ) -> String {
        let out = self
            .command(args, author_date, committer_date, who)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn run(&self, args: &[&str]) -> String {
        self.run_as(args, "2026-01-01", ALICE)
    }

    /// Commits everything in the work tree as Alice; returns the id.
    pub fn commit(&self, msg: &str, date: &str) -> String {
        self.commit_as(msg, date, ALICE)
    }

    /// Commits everything in the work tree; returns the id.
    pub fn commit_as(&self, msg: &str, date: &str, who: Who) -> String {
        self.commit_dated(msg, date, date, who)
    }

    /// Commits with distinct author and committer dates.
    pub fn commit_dated(
        &self,
        msg: &str,
        author_date: &str,
        committer_date: &str,
        who: Who,
    ) -> String {
        self.run(&["add", "-A"]);
        self.run_dated(
            &["commit", "-q", "--allow-empty", "-m", msg],
            author_date,
            committer_date,
            who,
        );
        self.run(&["rev-parse", "HEAD"])
    }
}

/// `2026-03-10` at noon UTC; a date with a time as it is.
fn at_noon(date: &str) -> String {
    if date.contains('T') {
        date.to_string()
    } else {
        format!("{date}T12:00:00+00:00")
    }
}
