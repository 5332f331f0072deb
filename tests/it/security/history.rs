//! See `security.rs`. History read from git and the caches kept beside it:
//! a hostile or damaged repository or cache never costs the rest of the
//! history, never makes northstar exhaust memory, and is always said.

#[allow(unused_imports)]
use crate::common::*;
use crate::git::{ALICE, Git};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A feature of [`Repo::base`] with the given status and title.
fn feature(title: &str, status: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: {title}\nstatus: {status}\nowner: alice\nobjectives: [obj]\nmilestone: m1\nrice:\n  reach: 1\n  impact: 1\n  confidence: 0.5\n  effort: 2\n---\n## Problem\nSlow.\n\n## Goals\nFast.\n\n## Non-goals\nNone.\n\n## Requirements\nFast.\n"
    )
}

/// A built site in a temporary folder.
struct Site {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    run: Run,
    took: Duration,
}

impl Site {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel} of the built site: {e}"))
    }

    /// A document's history in `plan.json`: its commit ids, newest first.
    fn commits(&self, id: &str) -> Vec<String> {
        let plan: Value = serde_json::from_str(&self.read("plan.json")).expect("plan.json");
        let doc = plan["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no document `{id}`"));
        doc["history"]
            .as_array()
            .map(|h| {
                h.iter()
                    .map(|e| e["commit"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The notes on the changes page, as raw HTML text.
    fn notes(&self) -> Vec<String> {
        let html = self.read("changes.html");
        html.match_indices("<p class=\"note muted\">")
            .map(|(i, m)| {
                let rest = &html[i + m.len()..];
                rest[..rest.find("</p>").expect("closed note")].to_string()
            })
            .collect()
    }
}

/// Builds `root`; asserts the build succeeded.
fn build(root: &Path) -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let start = Instant::now();
    let run = run_in(root, &["build", "-o", dir.to_str().expect("utf-8 path")]);
    let took = start.elapsed();
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    Site {
        _tmp: tmp,
        dir,
        run,
        took,
    }
}

/// Writes a commit object as given, unchecked, as a tool other than git
/// could; returns its id.
fn raw_commit(git: &Git, text: &str) -> String {
    let mut child = git
        .command(
            &[
                "hash-object",
                "-t",
                "commit",
                "-w",
                "--literally",
                "--stdin",
            ],
            "2026-01-01",
            "2026-01-01",
            ALICE,
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git hash-object");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("git hash-object");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The base plans with feature `f1`, committed once; returns the commit.
fn plans_with_f1() -> (Repo, Git, String) {
    let repo = Repo::base();
    repo.file("features/f1.md", &feature("Feature One", "planned"));
    let git = Git::init(repo.path());
    let first = git.commit("Add F1", "2026-01-05");
    (repo, git, first)
}

/// docs/format.md#safety: a commit dated at the end of git's range (`@` + the
/// largest 64-bit number, which git accepts and `git fsck` calls clean) made
/// the build allocate gigabytes for the roadmap and `stale` count
/// 106751991146506 days. Dates read from git are clamped to the years 1970 to
/// 9999, and the history says which commit was.
#[test]
fn a_commit_dated_at_the_end_of_time_is_clamped_with_a_note() {
    let (repo, git, _) = plans_with_f1();
    // "today" comes from the commit built: nothing pinned.
    repo.file("northstar.yaml", "product: Test Product\n");
    repo.file("features/f1.md", &feature("Feature One", "in-progress"));
    repo.file("features/f2.md", &feature("Feature Two", "planned"));
    git.commit("Start F1", "2026-02-01");
    repo.file(
        "features/f2.md",
        &feature("Feature Two, renamed", "planned"),
    );
    git.run(&["add", "-A"]);
    let end = "@9223372036854775807 +0000";
    let out = git
        .command(
            &["commit", "-q", "-m", "From the future"],
            "2026-01-01",
            "2026-01-01",
            ALICE,
        )
        .env("GIT_AUTHOR_DATE", end)
        .env("GIT_COMMITTER_DATE", end)
        .output()
        .expect("git commit");
    assert!(out.status.success(), "{out:?}");
    let future = git.run(&["rev-parse", "HEAD"]);

    let site = build(repo.path());
    assert!(site.took < Duration::from_secs(30), "took {:?}", site.took);
    let notes = site.notes();
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&future[..10]) && n.contains("31 Dec 9999")),
        "{notes:?}"
    );
    assert_eq!(site.commits("f2").first(), Some(&future));
    // `stale` counts from the clamped day: millions of days at most.
    let diags = repo.diagnostics();
    let stale: Vec<&str> = diags
        .iter()
        .filter(|d| d["rule"] == "stale")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(stale.len(), 1, "{diags:?}");
    let days: u64 = stale[0]
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("a day count");
    assert!(days < 3_000_000, "{}", stale[0]);
    assert!(site.run.stderr.contains("wrote"), "{}", site.run.stderr);
}

/// One commit that libgit2 cannot parse (no author line; a date that
/// overflows) made the walk fail, and its error was dropped: every page
/// said "no history", silently. The commit is left out with a note
/// naming it, and the history of the others stays.
#[test]
fn a_malformed_commit_is_left_out_with_a_note_not_all_history() {
    let (repo, git, first) = plans_with_f1();
    repo.file("features/f1.md", &feature("Feature One", "in-progress"));
    git.run(&["add", "-A"]);
    let tree = git.run(&["write-tree"]);
    let no_author = raw_commit(
        &git,
        &format!(
            "tree {tree}\nparent {first}\ncommitter Alice Doe <alice@example.com> 1767614400 +0000\n\nNo author\n"
        ),
    );
    repo.file("features/f1.md", &feature("Feature One", "beta"));
    git.run(&["add", "-A"]);
    let tree = git.run(&["write-tree"]);
    let overflow = raw_commit(
        &git,
        &format!(
            "tree {tree}\nparent {no_author}\nauthor Alice Doe <alice@example.com> 99999999999999999999999 +0000\ncommitter Alice Doe <alice@example.com> 99999999999999999999999 +0000\n\nOverflow\n"
        ),
    );
    git.run(&["update-ref", "HEAD", &overflow]);
    repo.file("features/f1.md", &feature("Feature One", "shipped"));
    let last = git.commit("Ship F1", "2026-03-01");

    let site = build(repo.path());
    assert_eq!(site.commits("f1"), vec![last.clone(), first.clone()]);
    let notes = site.notes();
    for bad in [&no_author, &overflow] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&bad[..10]) && n.contains("left out")),
            "{bad}: {notes:?}"
        );
    }
    // Built again, from the caches: the same history and the same notes.
    let again = build(repo.path());
    assert_eq!(again.commits("f1"), vec![last, first]);
    assert_eq!(again.notes(), notes);
}

/// A pack damaged where HEAD's commit is made every plan file look
/// created and "not committed yet", on every page, silently. The build
/// says the commit built could not be read, and shows no made-up history.
#[test]
fn a_damaged_pack_at_head_is_noted_not_shown_as_uncommitted() {
    let (repo, git, _) = plans_with_f1();
    repo.file("features/f1.md", &feature("Feature One", "in-progress"));
    let head = git.commit("Start F1", "2026-02-01");
    git.run(&["gc", "-q"]);
    let pack_dir = repo.join(".git/objects/pack");
    let pack = std::fs::read_dir(&pack_dir)
        .expect("pack dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .expect("a pack");
    let mut bytes = std::fs::read(&pack).expect("read pack");
    // Every object's bytes (after the 12-byte header, before the 20-byte
    // checksum) garbled.
    let len = bytes.len();
    for b in &mut bytes[12..len - 20] {
        *b ^= 0x55;
    }
    let mut perms = std::fs::metadata(&pack).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).expect("chmod");
    std::fs::write(&pack, &bytes).expect("write pack");

    let site = build(repo.path());
    let notes = site.notes();
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&head[..10]) && n.contains("could not be read")),
        "{notes:?}"
    );
    let page = site.read("feature/f1.html");
    assert!(!page.contains("not committed yet"), "{page}");
    assert!(site.commits("f1").is_empty());
}

/// The per-commit cache had no checksum: a hand edit (here, an author
/// renamed) was shown as history. Each record now carries its checksum; an
/// edited cache is discarded and rebuilt from git.
#[test]
fn a_hand_edited_history_cache_changes_nothing_on_the_site() {
    let (repo, git, first) = plans_with_f1();
    repo.file("features/f1.md", &feature("Feature One", "in-progress"));
    let second = git.commit("Start F1", "2026-02-01");
    let good = build(repo.path());
    assert_eq!(good.commits("f1"), vec![second, first]);
    let dir = repo.join(".git/northstar");
    let cache = dir.join("history.bin");
    let bytes = std::fs::read(&cache).expect("cache");
    // An edit of the same length: every record still decodes.
    let (from, to) = (b"Alice Doe".as_slice(), b"Mallory E".as_slice());
    let edited = replace_bytes(&bytes, from, to);
    assert_ne!(edited, bytes, "the author is in the cache");
    std::fs::write(&cache, edited).expect("write");
    // Without the state, the cache is what is read.
    std::fs::remove_file(dir.join("state.bin")).expect("remove");
    let site = build(repo.path());
    assert_eq!(site.read("plan.json"), good.read("plan.json"));
    assert!(!site.read("changes.html").contains("Mallory"));
    assert!(
        site.notes()
            .iter()
            .any(|n| n.contains("history cache was unreadable and has been rebuilt")),
        "{:?}",
        site.notes()
    );
    let rebuilt = std::fs::read(&cache).expect("cache");
    assert!(!rebuilt.windows(to.len()).any(|w| w == to));
}

/// A symbolic link at a cache file's path was followed: `history.jsonl ->
/// /dev/zero` (now `history.bin`) made the build read one endless line until an allocation of
/// a gigabyte aborted it, and a link to a file outside the repository was
/// read (or appended to). No cache file is read through a link: each is
/// treated as absent, said in a note, and replaced by a file.
#[cfg(unix)]
#[test]
fn a_symlinked_cache_file_is_not_followed() {
    let (repo, git, first) = plans_with_f1();
    repo.file("features/f1.md", &feature("Feature One", "in-progress"));
    let second = git.commit("Start F1", "2026-02-01");
    let good = build(repo.path());
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.bin");
    std::fs::write(&secret, b"not northstar's").expect("write");
    let dir = repo.join(".git/northstar");
    let links = [
        ("history.bin", PathBuf::from("/dev/zero")),
        ("state.bin", secret.clone()),
    ];
    for (name, target) in &links {
        std::fs::remove_file(dir.join(name)).expect("remove");
        std::os::unix::fs::symlink(target, dir.join(name)).expect("symlink");
    }
    let site = build(repo.path());
    assert!(site.took < Duration::from_secs(30), "took {:?}", site.took);
    assert_eq!(site.commits("f1"), vec![second.clone(), first.clone()]);
    assert_eq!(site.read("plan.json"), good.read("plan.json"));
    let notes = site.notes();
    for name in ["history.bin", "state.bin"] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(name) && n.contains("symbolic link")),
            "{name}: {notes:?}"
        );
    }
    assert_eq!(std::fs::read(&secret).expect("read"), b"not northstar's");
    // Replaced by files of northstar's own: the next build reads them.
    for (name, _) in &links {
        let meta = std::fs::symlink_metadata(dir.join(name)).expect("meta");
        assert!(meta.is_file(), "{name}");
    }
    let again = build(repo.path());
    assert!(again.notes().is_empty(), "{:?}", again.notes());
    assert_eq!(again.commits("f1"), vec![second, first]);
}
