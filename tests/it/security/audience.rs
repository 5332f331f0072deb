//! See `security.rs`. A public build (`--audience public`) hides internal
//! documents, e-mail addresses, insights' customers, commit messages and days
//! (docs/format.md#public), in every file it writes; and the data files stay
//! readable whatever a title or a commit message holds.

use crate::common::*;
use crate::git::{ALICE, BOB, Git};
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

/// The files of `files` that hold `needle` (ignoring ASCII case).
fn holding<'f>(files: &'f [(String, String)], needle: &str) -> Vec<&'f str> {
    let needle = needle.to_ascii_lowercase();
    files
        .iter()
        .filter(|(_, text)| text.to_ascii_lowercase().contains(&needle))
        .map(|(p, _)| p.as_str())
        .collect()
}

/// A date as the site and its data files could write it: ISO, compact
/// (iCalendar) and in words.
fn spellings(iso: &str) -> Vec<String> {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<u32> = iso.split('-').map(|p| p.parse().expect("n")).collect();
    vec![
        iso.to_string(),
        iso.replace('-', ""),
        format!("{} {} {}", parts[2], M[parts[1] as usize - 1], parts[0]),
    ]
}

fn person(email: &str) -> String {
    format!("kind: person\nid: alice\ntitle: Alice\nemail: {email}\nvisibility: public\n")
}

fn insight(customer: &str, count: u32) -> String {
    format!(
        "kind: insight\nid: ins1\ntitle: Users want speed\nsource: interview\ndate: 2026-02-03\nfeatures: [f1]\ncustomer: {customer}\ncount: {count}\nvisibility: public\n"
    )
}

fn feature(status: &str, milestone: &str, depends: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: Feature One\nstatus: {status}\nowner: alice\nobjectives: [obj]\nmilestone: {milestone}\ndepends_on: [{depends}]\nvisibility: public\nlinks:\n  - title: Write to sales\n    url: mailto:sales.desk@secret-mail.example\nrice:\n  reach: 100\n  impact: 1\n  confidence: 0.5\n  effort: 2\n---\n## Problem\nSlow.\n"
    )
}

fn zephyr(body: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: Zephyr Project\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: zephyr-ms\n---\n## Problem\n{body}\n"
    )
}

/// Every secret a public build must not write, and every day it must not
/// show, are planted in hidden fields, an internal document (its id,
/// title and body, referred to by a public feature and changed over
/// several commits), commit messages and an author's name; then every file
/// of the public build is searched for each. The internal build shows
/// them all, so the search can find them.
#[test]
fn a_public_build_leaks_no_hidden_field_message_internal_document_or_day() {
    let repo = Repo::base();
    repo.file("alice.yaml", &person("alice.first@secret-mail.example"))
        .file(
            "m2.yaml",
            "kind: milestone\nid: m2\ntitle: M2\ndate: 2027-04-15\nvisibility: public\n",
        )
        .file(
            "zephyr-ms.yaml",
            "kind: milestone\nid: zephyr-ms\ntitle: Zephyr Launch\ndate: 2027-05-20\n",
        )
        .file("zephyr.md", &zephyr("zephyr-body-one"))
        .file("ins1.yaml", &insight("Acme Hidden Corp", 1))
        .file("f1.md", &feature("planned", "m2", "m2"));
    let git = Git::init(repo.path());
    let mut commit_days = Vec::new();
    let mut commit = |msg: &str, day: &str, who| {
        git.commit_as(msg, day, who);
        commit_days.push(day.to_string());
    };
    commit("Initial plans with NIGHTJAR-MSG-1", "2026-02-17", ALICE);
    repo.file("alice.yaml", &person("alice.second@secret-mail.example"))
        .file("ins1.yaml", &insight("Globex Hidden Corp", 1))
        .file("zephyr.md", &zephyr("zephyr-body-two"))
        .file("f1.md", &feature("in-progress", "zephyr-ms", "zephyr"));
    commit("Deal with NIGHTJAR-MSG-2", "2026-05-19", BOB);
    repo.file("ins1.yaml", &insight("Initech Hidden Corp", 3))
        .file("f1.md", &feature("in-progress", "m2", "zephyr"))
        .file(
            "zephyr-ms.yaml",
            "kind: milestone\nid: zephyr-ms\ntitle: Zephyr Launch\ndate: 2027-06-02\nvisibility: internal\n",
        );
    commit("Only hidden things NIGHTJAR-MSG-3", "2026-08-12", ALICE);

    let secrets = [
        "alice.first@secret-mail.example",
        "alice.second@secret-mail.example",
        "secret-mail",
        "sales.desk@secret-mail.example",
        "Acme Hidden Corp",
        "Globex Hidden Corp",
        "Initech Hidden Corp",
        "NIGHTJAR-MSG",
        "zephyr",
        "Bob Builder",
    ];
    // Commit days, dates in fields, and the pinned "today".
    let mut days: Vec<String> = commit_days.clone();
    days.extend(
        [
            "2026-02-03",
            "2027-04-15",
            "2027-05-20",
            "2027-06-02",
            "2026-11-01",
        ]
        .map(String::from),
    );

    let (_internal_dir, internal) = build(repo.path(), &[]);
    for s in secrets {
        assert!(
            !holding(&internal, s).is_empty(),
            "the internal build shows {s}"
        );
    }
    for d in &commit_days {
        let shown = spellings(d)
            .iter()
            .any(|s| !holding(&internal, s).is_empty());
        assert!(shown, "the internal build shows the day of a commit, {d}");
    }

    let (_public_dir, public) = build(repo.path(), &["--audience", "public"]);
    // The public documents are there, with their history.
    for page in [
        "feature/f1.html",
        "insight/ins1.html",
        "person/alice.html",
        "feed.xml",
    ] {
        assert!(public.iter().any(|(p, _)| p == page), "{page}");
    }
    assert!(!holding(&public, "in-progress").is_empty());
    let mut leaks = Vec::new();
    // Commit authors' e-mails, which no build shows, with the rest.
    for s in secrets
        .iter()
        .chain(&["bob@example.com", "Alice@Example.com"])
    {
        for p in holding(&public, s) {
            leaks.push(format!("{p}: {s}"));
        }
    }
    for d in &days {
        for s in spellings(d) {
            for p in holding(&public, &s) {
                leaks.push(format!("{p}: day {s}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "the public build shows:\n{}",
        leaks.join("\n")
    );
}

/// Control characters in commit messages and titles do not make the feed
/// ill-formed XML, nor the calendar break its lines with a bare CR; the
/// calendar escapes commas, semicolons and backslashes (RFC 5545).
#[test]
fn control_characters_keep_the_feed_and_calendar_well_formed() {
    let repo = Repo::base();
    repo.file(
        "m1.yaml",
        "kind: milestone\nid: m1\ntitle: \"Launch, day; one\\\\two\\rthree\\x01\"\ndate: 2027-01-15\n",
    )
    .file(
        "f1.md",
        "---\nkind: feature\ntitle: \"Feature \\x0bOne\\x01\"\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: m1\n---\n## Problem\nSlow.\n",
    );
    let git = Git::init(repo.path());
    git.commit("Bell \u{1} and tab \u{b} in a message", "2026-02-17");

    let (_dir, files) = build(repo.path(), &[]);
    let file = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let feed = file("feed.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("{e}:\n{feed}"));
    let text: String = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(text.contains("Bell  and tab  in a message"), "{text}");
    assert!(text.contains("Feature One"), "{text}");

    let ics = file("roadmap.ics");
    for (i, _) in ics.match_indices('\r') {
        assert_eq!(
            ics.as_bytes().get(i + 1),
            Some(&b'\n'),
            "a bare CR in:\n{ics:?}"
        );
    }
    assert!(!ics.contains('\u{1}'), "{ics:?}");
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:Launch\\, day\\; one\\\\two\\nthree\r\n"),
        "{unfolded:?}"
    );
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

/// A document made internal since an earlier public build is not named
/// by the history of a public document that depends on it, though that
/// history did not change.
#[test]
fn a_document_made_internal_is_not_named_by_kept_history() {
    let repo = Repo::base();
    let zephyr_public = zephyr("Body.").replacen("---\nkind", "---\nvisibility: public\nkind", 1);
    repo.file("alice.yaml", &person("alice@example.com"))
        .file(
            "m2.yaml",
            "kind: milestone\nid: m2\ntitle: M2\ndate: 2027-04-15\nvisibility: public\n",
        )
        .file(
            "zephyr-ms.yaml",
            "kind: milestone\nid: zephyr-ms\ntitle: Zephyr Launch\ndate: 2027-05-20\n",
        )
        .file("zephyr.md", &zephyr_public)
        .file("f1.md", &feature("planned", "m2", "m2"));
    let git = Git::init(repo.path());
    git.commit("Plans", "2026-02-17");
    repo.file("f1.md", &feature("planned", "m2", "zephyr"));
    git.commit("F1 needs Zephyr", "2026-05-19");
    let page = |files: &[(String, String)]| {
        files
            .iter()
            .find(|(p, _)| p == "feature/f1.html")
            .map(|(_, t)| t.clone())
            .expect("f1 page")
    };
    let (_d1, first) = build(repo.path(), &["--audience", "public"]);
    assert!(page(&first).contains("Zephyr Project"));
    // Only the other document changes: f1's history is the same.
    repo.file("zephyr.md", &zephyr("Body."));
    git.commit("Zephyr is internal again", "2026-08-12");
    let (_d2, second) = build(repo.path(), &["--audience", "public"]);
    assert_eq!(holding(&second, "zephyr"), Vec::<&str>::new());
}

/// A public document's body that links to an internal one by `[[id]]`
/// names neither its id nor its title, on the page or in the search
/// index; the internal build links it by title.
#[test]
fn a_wiki_link_to_an_internal_document_does_not_name_it_in_a_public_build() {
    let repo = Repo::base();
    repo.file(
        "m2.yaml",
        "kind: milestone\nid: m2\ntitle: M2\ndate: 2027-04-15\nvisibility: public\n",
    )
    .file(
        "zephyr-ms.yaml",
        "kind: milestone\nid: zephyr-ms\ntitle: Zephyr Launch\ndate: 2027-05-20\n",
    )
    .file("zephyr.md", &zephyr("internal only"))
    .file(
        "f1.md",
        "---\nkind: feature\ntitle: Feature One\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: m2\nvisibility: public\n---\n## Problem\nSlow; see [[zephyr]] for the plan.\n",
    );
    let (_internal_dir, internal) = build(repo.path(), &[]);
    let page = |files: &[(String, String)], name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no {name}"))
    };
    assert!(page(&internal, "feature/f1.html").contains(">Zephyr Project</a> for the plan"));
    let (_public_dir, public) = build(repo.path(), &["--audience", "public"]);
    assert_eq!(holding(&public, "zephyr"), Vec::<&str>::new());
    for name in ["feature/f1.html", "search-index.js"] {
        let text = page(&public, name);
        let at = text.find("Slow; see").unwrap_or(0);
        // The page's text, without the tags around the unlinked label.
        let shown = html_words(text.get(at..at + 100).unwrap_or_default());
        assert!(
            shown.starts_with("Slow; see an internal document for the plan"),
            "{name}: {shown}"
        );
    }
}

/// What a public build keeps of history is as much its promise as what
/// it hides: a public feature's page and the change log still say when it
/// was created and how its public fields changed, by quarter.
#[test]
fn a_public_build_keeps_the_public_history_of_public_documents() {
    let repo = Repo::base();
    repo.file("alice.yaml", &person("alice@secret-mail.example"))
        .file(
            "m2.yaml",
            "kind: milestone\nid: m2\ntitle: M2\ndate: 2027-04-15\nvisibility: public\n",
        )
        .file("f1.md", &feature("planned", "m2", "m2"));
    let git = Git::init(repo.path());
    git.commit_as("First", "2026-02-17", ALICE);
    repo.file("f1.md", &feature("in-progress", "m2", "m2"));
    git.commit_as("Start", "2026-05-19", ALICE);
    repo.file(
        "f1.md",
        &feature("in-progress", "m2", "m2").replace("Slow.", "Slow on large teams."),
    );
    git.commit_as("Explain", "2026-08-19", ALICE);
    let (_dir, public) = build(repo.path(), &["--audience", "public"]);
    let page = |name: &str| {
        let html = &public
            .iter()
            .find(|(p, _)| p == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1;
        html_words(html)
    };
    let feature_page = page("feature/f1.html");
    for shown in [
        "status planned → in-progress",
        "2026-Q2",
        "created",
        "body edited (Problem)",
    ] {
        assert!(
            feature_page.contains(shown),
            "the public feature page lacks {shown:?}:\n{feature_page}"
        );
    }
    assert!(
        page("changes.html").contains("status planned → in-progress"),
        "{}",
        page("changes.html")
    );
}
