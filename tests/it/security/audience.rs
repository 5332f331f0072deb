//! See `security.rs`. A public build (`--audience public`) hides internal
//! documents, e-mail addresses, insights' customers, commit messages and
//! days (SPEC §5), in every file it writes; and the data files stay
//! readable whatever a title or a commit message holds.

use crate::common::*;
use std::path::{Path, PathBuf};

/// Builds the site of `root` into a fresh folder; returns the folder and
/// every file in it (path, text), whatever its type.
fn build(root: &Path, extra: &[&str]) -> (tempfile::TempDir, Vec<(String, String)>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let out = dir.to_str().expect("utf-8 path").to_string();
    let mut args = vec!["build", "--allow-errors", "-o", out.as_str()];
    args.extend_from_slice(extra);
    let run = run_in(root, &args);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    let mut files = Vec::new();
    let mut todo: Vec<PathBuf> = vec![dir.clone()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(&dir).expect("inside").display().to_string();
                let bytes = std::fs::read(&p).expect("read");
                files.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    (tmp, files)
}

/// Titles that spreadsheets would run as formulas are neutralised in both
/// CSV writers, `features.csv` and `list --format csv`; commas, quotes
/// and line breaks are quoted so the rows read back as written.
#[test]
fn csv_cells_cannot_run_as_formulas() {
    let repo = Repo::base();
    let titles = [
        (
            "f1",
            "\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\"",
            "=HYPERLINK(\"http://evil.example\",\"x\")",
        ),
        ("f2", "\"\\tcmd\"", "\tcmd"),
        ("f3", "\"\\rx\"", "\rx"),
        ("f4", "\"@SUM(1+1)\"", "@SUM(1+1)"),
        ("f5", "\"+1\"", "+1"),
        ("f6", "\"-2\"", "-2"),
        (
            "f7",
            "\"Plain, \\\"quoted\\\"\\nand two lines\"",
            "Plain, \"quoted\"\nand two lines",
        ),
    ];
    for (id, yaml, _) in titles {
        repo.file(
            &format!("{id}.md"),
            &format!(
                "---\nkind: feature\ntitle: {yaml}\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: m1\n---\n## Problem\nSlow.\n"
            ),
        );
    }
    let read = |csv: &str| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes())
            .records()
            .map(|r| r.expect("a CSV record").iter().map(String::from).collect())
            .collect()
    };
    let (_dir, files) = build(repo.path(), &[]);
    let site = files
        .iter()
        .find(|(p, _)| p == "features.csv")
        .map(|(_, t)| read(t))
        .expect("features.csv");
    let listed = repo.run(&["list", "feature", "--format", "csv"]);
    assert_eq!(listed.code, 0, "{listed:?}");
    let listed = read(&listed.stdout);
    for (name, rows) in [("features.csv", &site), ("list", &listed)] {
        assert_eq!(rows[0][0..2], ["id", "title"], "{name}");
        for (id, _, title) in titles {
            let row = rows
                .iter()
                .find(|r| r[0] == id)
                .unwrap_or_else(|| panic!("{name}: no {id} in {rows:?}"));
            let want = if title.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{title}")
            } else {
                title.to_string()
            };
            assert_eq!(row[1], want, "{name}");
        }
    }
}
