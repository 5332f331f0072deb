//! Shared helpers: build a plans repository in a temp folder, run the
//! binary on it, read its JSON diagnostics.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A plans repository in a temporary folder.
pub struct Repo {
    dir: tempfile::TempDir,
}

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// A minimal repository that checks clean: one of each kind that the
/// rules need, so a test adds only the document it is about.
pub const BASE: &[(&str, &str)] = &[
    (
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\n",
    ),
    (
        "product.md",
        "---\nkind: product\ntitle: Test\nvision: Be useful\ntarget_segments: [seg]\nnorth_star: met\n---\n",
    ),
    ("seg.yaml", "kind: segment\nid: seg\ntitle: Segment\n"),
    (
        "met.yaml",
        "kind: metric\nid: met\ntitle: Metric\nunit: count\ndirection: increase\n",
    ),
    (
        "strat.yaml",
        "kind: strategy\nid: strat\ntitle: Strategy\nperiod: 2027\n",
    ),
    (
        "obj.yaml",
        "kind: objective\nid: obj\ntitle: Objective\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: KR\n    metric: met\n    baseline: 0\n    target: 10\n",
    ),
    ("alice.yaml", "kind: person\nid: alice\ntitle: Alice\n"),
    (
        "m1.yaml",
        "kind: milestone\nid: m1\ntitle: M1\ndate: 2027-01-15\n",
    ),
    (
        "m2.yaml",
        "kind: milestone\nid: m2\ntitle: M2\ndate: 2027-04-15\n",
    ),
];

impl Repo {
    /// An empty repository (no config).
    pub fn empty() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A repository holding [`BASE`].
    pub fn base() -> Repo {
        let repo = Repo::empty();
        for (path, text) in BASE {
            repo.file(path, text);
        }
        repo
    }

    /// Writes a file (creating folders).
    pub fn file(&self, path: &str, text: &str) -> &Repo {
        let p = self.dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
        self
    }

    /// Writes raw bytes.
    pub fn bytes(&self, path: &str, bytes: &[u8]) -> &Repo {
        let p = self.dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, bytes).expect("write");
        self
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the folder.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs `northstar -C <repo> args...`.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(self.path(), args)
    }

    /// Runs `check --format json` and parses the array.
    pub fn diagnostics(&self) -> Vec<Value> {
        let run = self.run(&["check", "--format", "json"]);
        let v: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("bad json ({e}): {}", run.stdout));
        v.as_array().cloned().unwrap_or_default()
    }

    /// `list KIND --format json`, each document as the text of `fields`
    /// (empty where absent), in the list's order.
    pub fn list(&self, kind: &str, fields: &[&str]) -> Vec<Vec<String>> {
        let run = self.run(&["list", kind, "--format", "json"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let list: Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("bad json ({e}): {}", run.stdout));
        list.as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|d| {
                fields
                    .iter()
                    .map(|f| d[*f].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .collect()
    }

    /// Diagnostics of one rule as [`told`] gives them.
    pub fn told(&self, rule: &str) -> Vec<Told> {
        told(&self.diagnostics(), rule)
    }

    /// Diagnostics of one rule as (file, line, column) triples.
    pub fn positions(&self, rule: &str) -> Vec<(String, u64, u64)> {
        self.diagnostics()
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| {
                (
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or_default(),
                    d["column"].as_u64().unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// Runs the binary with `-C dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_northstar"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run northstar");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Repo {
    /// A copy of the project's `example-repo/` in a temporary folder
    /// (without git, so without history, and without any built `site/`):
    /// tests build and check the copy, never the project's own folder,
    /// whose history cache would land in the project's `.git` and whose
    /// output would be shared by tests running at the same time.
    pub fn example() -> Repo {
        let repo = Repo::empty();
        copy_example(repo.path());
        repo
    }
}

/// The project's `example-repo/` (read only: copy it with [`copy_example`]).
pub fn example_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo")
}

/// Copies `example-repo/` into `to` (created), leaving out a built `site/`.
pub fn copy_example(to: &Path) {
    copy_tree(&example_source(), to, Some("site"));
}

/// Copies the folder tree `from` into `to` (created), leaving out folders
/// named `skip`: tests work on copies, never in the project's folders.
pub fn copy_tree(from: &Path, to: &Path, skip: Option<&str>) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("type").is_dir() {
            if skip.is_none_or(|name| entry.file_name() != name) {
                copy_tree(&src, &dst, skip);
            }
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// A site built into a temporary folder, read page by page.
pub struct Site {
    _dir: tempfile::TempDir,
    /// The site's folder.
    pub path: PathBuf,
}

impl Site {
    /// The text of the page `name`, relative to the site.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Builds `repo`'s site (with `extra` arguments) into a temporary folder;
/// asserts the build succeeds.
pub fn build(repo: &Repo, extra: &[&str]) -> Site {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("site");
    let mut args = vec!["build", "-o", path.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let run = repo.run(&args);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);
    Site { _dir: dir, path }
}

/// True when the tests run in CI (`CI` set, and not to `0` or `false`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// For a test that cannot run here (a tool is missing): outside CI it says
/// why on stderr, past the harness's capture so a plain `cargo test` shows
/// it, and the caller returns; in CI, which installs every tool, it fails
/// the test instead, so a skip never hides a broken product there.
pub fn skip_unless_ci(test: &str, why: &str) {
    use std::io::Write;
    assert!(
        !in_ci(),
        "{test} cannot run: {why}; CI is set, so this is a failure"
    );
    let _ = writeln!(std::io::stderr(), "\n{test} SKIPPED: {why}");
}

/// The character references the templates write, decoded (`&amp;` last,
/// so an escaped `&amp;lt;` reads back as the `&lt;` a document wrote).
pub fn decode_html(s: &str) -> String {
    s.replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The text of an HTML fragment as a reader sees it: tags dropped, with
/// `gap` in their place, references decoded, white space collapsed.
fn html_text_with(html: &str, gap: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push_str(gap);
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_html(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of an HTML fragment, the text of adjacent elements joined as
/// the browser shows inline ones (`<b>3</b>%` reads `3%`).
pub fn html_text(html: &str) -> String {
    html_text_with(html, "")
}

/// The text of an HTML fragment with every tag read as a space, so table
/// cells and block elements stay apart (`<td>1</td><td>2</td>` reads `1 2`).
pub fn html_words(html: &str) -> String {
    html_text_with(html, " ")
}

/// What a diagnostic tells a reader, and where: file, line, column,
/// message and suggestion ("" when there is none).
pub type Told = (String, u64, u64, String, String);

/// The diagnostics of one rule in `diags` (`check --format json`), in
/// their order, as [`Told`].
pub fn told(diags: &[Value], rule: &str) -> Vec<Told> {
    let text = |d: &Value, key: &str| d[key].as_str().unwrap_or_default().to_string();
    diags
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| {
            (
                text(d, "file"),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                text(d, "message"),
                text(d, "suggestion"),
            )
        })
        .collect()
}

/// `bytes` with every `from` replaced by `to` (of the same length, so
/// a binary file stays well-formed).
pub fn replace_bytes(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut out = bytes.to_vec();
    let mut found = false;
    let mut i = 0;
    while i + from.len() <= out.len() {
        if &out[i..i + from.len()] == from {
            out[i..i + from.len()].copy_from_slice(to);
            found = true;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(found, "not found");
    out
}
