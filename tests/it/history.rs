//! History from git (docs/format.md: `stale` in §3.2, "today" in §5.1, §6):
//! git repositories built by code in temporary folders, with fixed authors
//! and dates, then built and checked by the real binary. Asserted through
//! `plan.json` (`documents[].history`), the changes page, document pages, the
//! feed and `check --format json`.

use crate::common::{Repo, decode_html, html_text, replace_bytes, run_in};
use crate::git::{BOB, CAROL, Git, Who};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// Git fixtures

// ---------------------------------------------------------------------------
// Plans

/// `alice` with the e-mail her commits carry.
const ALICE_PERSON: &str = "kind: person\nid: alice\ntitle: Alice\nemail: alice@example.com\n";

/// The config of most tests: `today` pinned, `stale` at 30 days.
const CONFIG: &str =
    "product: Test Product\ntoday: 2026-11-01\nrules:\n  stale: { level: warning, days: 30 }\n";

/// A feature that checks clean in [`Repo::base`]; `status:` is on line 4.
fn feature(title: &str, status: &str, milestone: &str, reach: u32, goals: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: {title}\nstatus: {status}\nowner: alice\nobjectives: [obj]\nmilestone: {milestone}\nrice:\n  reach: {reach}\n  impact: 1\n  confidence: 0.5\n  effort: 2\n---\n## Problem\nCheckout is slow.\n\n## Goals\n{goals}\n\n## Non-goals\nNone.\n\n## Requirements\nFast.\n"
    )
}

fn metric(current: u32) -> String {
    format!(
        "kind: metric\nid: met\ntitle: Metric\nunit: count\ndirection: increase\ncurrent: {current}\n"
    )
}

fn objective(current: Option<u32>) -> String {
    let current = current
        .map(|c| format!("    current: {c}\n"))
        .unwrap_or_default();
    format!(
        "kind: objective\nid: obj\ntitle: Objective\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: KR\n    metric: met\n    baseline: 0\n    target: 10\n{current}"
    )
}

fn milestone(id: &str, title: &str, date: &str) -> String {
    format!("kind: milestone\nid: {id}\ntitle: {title}\ndate: {date}\n")
}

/// [`Repo::base`] with [`CONFIG`], Alice's e-mail and a metric with a
/// `current` value, in a fresh git repository (nothing committed).
fn plans() -> (Repo, Git) {
    let repo = Repo::base();
    repo.file("northstar.yaml", CONFIG)
        .file("alice.yaml", ALICE_PERSON)
        .file("met.yaml", &metric(10));
    let git = Git::init(repo.path());
    (repo, git)
}

/// The main story: one feature's life over eight commits.
struct Story {
    repo: Repo,
    git: Git,
    /// Commit ids, oldest first.
    c: Vec<String>,
}

impl Story {
    fn short(&self, i: usize) -> &str {
        &self.c[i][..10]
    }
}

/// c0 2026-01-05 Alice  Initial plans     f1 planned in M1 (reach 100), met 10
/// c1 2026-02-01 Bob    Start F1          f1 planned → in-progress
/// c2 2026-02-10 Alice  Move F1 to M2     f1 milestone M1 → M2 (+90 days)
/// c3 2026-03-01 Bob    Rescope F1        f1 reach 100 → 250, Goals edited; KR 1 current set to 4
/// c4 2026-03-15 Alice  M2 slips          m2 2027-04-15 → 2027-05-01 (+16 days, slips f1)
/// c5 2026-04-01 Bob    F1 in beta        f1 in-progress → beta; met 10 → 20
/// c6 2026-05-01 Alice  Pull F1 forward   f1 milestone M2 → M1 (-106 days: no slip)
/// c7 2026-06-01 Bob    Add F2            f2 created in M1; met 20 → 35
fn story() -> Story {
    let (repo, git) = plans();
    let mut c = Vec::new();
    repo.file(
        "features/f1.md",
        &feature("Feature One", "planned", "m1", 100, "Be fast."),
    );
    c.push(git.commit("Initial plans", "2026-01-05"));
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in-progress", "m1", 100, "Be fast."),
    );
    c.push(git.commit_as("Start F1", "2026-02-01", BOB));
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in-progress", "m2", 100, "Be fast."),
    );
    c.push(git.commit("Move F1 to M2", "2026-02-10"));
    repo.file(
        "features/f1.md",
        &feature(
            "Feature One",
            "in-progress",
            "m2",
            250,
            "Be fast and cheap.",
        ),
    )
    .file("obj.yaml", &objective(Some(4)));
    c.push(git.commit_as("Rescope F1", "2026-03-01", BOB));
    repo.file("m2.yaml", &milestone("m2", "M2", "2027-05-01"));
    c.push(git.commit("M2 slips", "2026-03-15"));
    repo.file(
        "features/f1.md",
        &feature("Feature One", "beta", "m2", 250, "Be fast and cheap."),
    )
    .file("met.yaml", &metric(20));
    c.push(git.commit_as("F1 in beta", "2026-04-01", BOB));
    repo.file(
        "features/f1.md",
        &feature("Feature One", "beta", "m1", 250, "Be fast and cheap."),
    );
    c.push(git.commit("Pull F1 forward", "2026-05-01"));
    repo.file(
        "features/f2.md",
        &feature("Feature Two", "planned", "m1", 10, "More."),
    )
    .file("met.yaml", &metric(35));
    c.push(git.commit_as("Add F2", "2026-06-01", BOB));
    Story { repo, git, c }
}

// ---------------------------------------------------------------------------
// Building and reading the site

/// A site built into a temporary folder.
struct Site {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Site {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel} of the built site: {e}"))
    }

    fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).is_file()
    }

    fn plan(&self) -> Value {
        serde_json::from_str(&self.read("plan.json")).expect("plan.json is JSON")
    }

    /// A document of `plan.json`.
    fn doc(&self, id: &str) -> Value {
        self.plan()["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .find(|d| d["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no document `{id}` in plan.json"))
    }

    /// A document's history in `plan.json`, newest first.
    fn history(&self, id: &str) -> Vec<Value> {
        self.doc(id)["history"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("document `{id}` has no history in plan.json"))
    }

    /// The changes page's entries: (class, text), newest first, one per
    /// change as "Title: words, by Author, date commit" (the page shows
    /// who and when once per commit; a folded creation counts one entry
    /// per document it names). See `changelog.rs` for the page's layout.
    fn changes(&self) -> Vec<(String, String)> {
        let html = self.read("changes.html");
        let Some(log) = inner(&html, "id=\"changelog\"") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for commit in log.split("<article class=\"commit\">").skip(1) {
            let meta = inner(commit, "class=\"commit-meta")
                .map(html_text)
                .unwrap_or_default();
            let list = &commit[commit.find("class=\"commit-changes\"").unwrap_or(0)..];
            // A folded creation's `<li>` holds a list: its own text is
            // not an entry, the items inside are.
            let list = list.split("<li").skip(1).map(|li| {
                let tag_end = li.find('>').expect("li tag");
                let class = li[..tag_end]
                    .split_once("class=\"")
                    .and_then(|(_, c)| c.split_once('"'))
                    .map(|(c, _)| c.to_string())
                    .unwrap_or_default();
                let end = li.find("</li>").unwrap_or(li.len());
                (class, html_text(&li[tag_end + 1..end]))
            });
            for (class, t) in list {
                if class.starts_with("event") {
                    out.push((class, format!("{t}, {meta}")));
                } else if class.is_empty() {
                    let t = match t.strip_suffix(" (first seen)") {
                        Some(title) => format!("{title}: first seen"),
                        None => format!("{t}: created"),
                    };
                    out.push(("event".to_string(), format!("{t}, {meta}")));
                }
            }
        }
        out
    }

    /// The notes on the changes page.
    fn notes(&self) -> Vec<String> {
        let html = self.read("changes.html");
        html.match_indices("<p class=\"note muted\">")
            .map(|(i, m)| {
                let rest = &html[i + m.len()..];
                html_text(&rest[..rest.find("</p>").expect("closed note")])
            })
            .collect()
    }

    /// A document page's history entries: (class, text), newest first.
    fn page_history(&self, page: &str) -> Vec<(String, String)> {
        let html = self.read(page);
        let section = inner(&html, "id=\"ns-history\"").expect("history section");
        items(section, "<ol class=\"history-list\">")
    }

    /// A document page's history facts: (term, definition) pairs.
    fn facts(&self, page: &str) -> Vec<(String, String)> {
        let html = self.read(page);
        let section = inner(&html, "id=\"ns-history\"").expect("history section");
        let Some(dl) = inner(section, "<dl class=\"facts\">") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut rest = dl;
        while let Some(i) = rest.find("<dt>") {
            let after = &rest[i + 4..];
            let dt_end = after.find("</dt>").expect("closed dt");
            let term = html_text(&after[..dt_end]);
            let after = &after[dt_end..];
            let dd_start = after.find("<dd").expect("dd");
            let dd = &after[dd_start..];
            let open_end = dd.find('>').expect("dd tag");
            let dd_end = dd.find("</dd>").expect("closed dd");
            out.push((term, html_text(&dd[open_end + 1..dd_end])));
            rest = &dd[dd_end..];
        }
        out
    }
}

/// Builds `root` into `<tmp>/site` with extra arguments; asserts success.
fn build(root: &Path, extra: &[&str]) -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let out = dir.to_str().expect("utf-8 path").to_string();
    let mut args = vec!["build", "-o", out.as_str()];
    args.extend_from_slice(extra);
    let run = run_in(root, &args);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    Site { _tmp: tmp, dir }
}

/// The inner HTML of the first element whose opening tag contains
/// `marker` (elements of the same name are not nested in what we read).
fn inner<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let at = html.find(marker)?;
    let open = html[..=at].rfind('<')?;
    let name: String = html[open + 1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let body = at + html[at..].find('>')? + 1;
    let end = body + html[body..].find(&format!("</{name}>"))?;
    Some(&html[body..end])
}

/// The `<li>` items of the list opened by `open`: (class, text).
fn items(html: &str, open: &str) -> Vec<(String, String)> {
    let Some(list) = inner(html, open) else {
        return Vec::new();
    };
    list.split("<li")
        .skip(1)
        .map(|li| {
            let tag_end = li.find('>').expect("li tag");
            let class = li[..tag_end]
                .split_once("class=\"")
                .and_then(|(_, c)| c.split_once('"'))
                .map(|(c, _)| c.to_string())
                .unwrap_or_default();
            let end = li.find("</li>").expect("closed li");
            (class, html_text(&li[tag_end + 1..end]))
        })
        .collect()
}

/// Only the texts of [`items`].
fn texts(items: &[(String, String)]) -> Vec<&str> {
    items.iter().map(|(_, t)| t.as_str()).collect()
}

/// One `plan.json` history entry.
fn event(commit: &str, date: &str, author: &str, what: &str, changes: Value) -> Value {
    json!({
        "commit": commit, "date": date, "author": author, "what": what,
        "changes": changes, "sections": [], "uncommitted": false,
    })
}

/// `stale` diagnostics as (file, line, column, message).
fn stale(repo: &Repo) -> Vec<(String, u64, u64, String)> {
    repo.diagnostics()
        .iter()
        .filter(|d| d["rule"] == "stale")
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The local date of the clock, `YYYY-MM-DD` (docs/format.md#today). A
/// build that takes "today" from the clock read it between a `clock_day()`
/// before the build and one after: a test accepts exactly those two (the
/// same day, unless midnight passed while the build ran).
fn clock_day() -> String {
    jiff::ZonedDateTime::now().date().to_string()
}

// ---------------------------------------------------------------------------
// Field changes as data

#[test]
fn each_commit_records_field_changes_as_data() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    let f1 = site.history("f1");
    let mut rescope = event(
        &s.c[3],
        "2026-03-01",
        "Bob Builder",
        "modified",
        json!([{"field": "rice.reach", "from": 100, "to": 250}]),
    );
    rescope["sections"] = json!(["Goals"]);
    let mut created = event(
        &s.c[0],
        "2026-01-05",
        "Alice Doe",
        "created",
        json!([
            {"field": "milestone", "to": "m1"},
            {"field": "objectives", "to": ["obj"]},
            {"field": "owner", "to": "alice"},
            {"field": "rice", "to": {"confidence": 0.5, "effort": 2, "impact": 1, "reach": 100}},
            {"field": "status", "to": "planned"},
            {"field": "title", "to": "Feature One"},
        ]),
    );
    created["sections"] = json!(["Problem", "Goals", "Non-goals", "Requirements"]);
    assert_eq!(
        f1,
        vec![
            event(
                &s.c[6],
                "2026-05-01",
                "Alice Doe",
                "modified",
                json!([{"field": "milestone", "from": "m2", "to": "m1"}])
            ),
            event(
                &s.c[5],
                "2026-04-01",
                "Bob Builder",
                "modified",
                json!([{"field": "status", "from": "in-progress", "to": "beta"}])
            ),
            rescope,
            event(
                &s.c[2],
                "2026-02-10",
                "Alice Doe",
                "modified",
                json!([{"field": "milestone", "from": "m1", "to": "m2"}])
            ),
            event(
                &s.c[1],
                "2026-02-01",
                "Bob Builder",
                "modified",
                json!([{"field": "status", "from": "planned", "to": "in-progress"}])
            ),
            created,
        ]
    );
    // A key result's `current`, by index.
    assert_eq!(
        site.history("obj")[0],
        event(
            &s.c[3],
            "2026-03-01",
            "Bob Builder",
            "modified",
            json!([{"field": "key_results.0.current", "to": 4}])
        )
    );
    // A milestone's own date.
    assert_eq!(
        site.history("m2")[0],
        event(
            &s.c[4],
            "2026-03-15",
            "Alice Doe",
            "modified",
            json!([{"field": "date", "from": "2027-04-15", "to": "2027-05-01"}])
        )
    );
    // Documents no commit touched after the first have one entry.
    assert_eq!(site.history("seg").len(), 1);
    assert_eq!(site.history("seg")[0]["what"], "created");
}

/// One e-mail that committed under two names (no person has it): each
/// change shows the name it was made under.
#[test]
fn an_email_with_two_names_shows_each_as_written() {
    let (repo, git) = plans();
    repo.file(
        "features/f1.md",
        &feature("Feature One", "planned", "m1", 100, "Be fast."),
    );
    git.commit_as(
        "Initial",
        "2026-01-05",
        Who {
            name: "Bob Builder",
            email: "bob@example.com",
        },
    );
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in-progress", "m1", 100, "Be fast."),
    );
    git.commit_as(
        "Start",
        "2026-02-01",
        Who {
            name: "B. Builder",
            email: "bob@example.com",
        },
    );
    let site = build(repo.path(), &[]);
    let history = site.page_history("feature/f1.html");
    let lines = texts(&history);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("by B. Builder"), "{lines:?}");
    assert!(lines[1].contains("by Bob Builder"), "{lines:?}");
    // Again after a new commit, with the older changes read from the
    // saved state, whose equal strings are shared.
    repo.file(
        "features/f1.md",
        &feature("Feature One", "beta", "m1", 100, "Be fast."),
    );
    git.commit_as("Beta", "2026-03-01", CAROL);
    let site = build(repo.path(), &[]);
    let history = site.page_history("feature/f1.html");
    let lines = texts(&history);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[1].contains("by B. Builder"), "{lines:?}");
    assert!(lines[2].contains("by Bob Builder"), "{lines:?}");
}

#[test]
fn a_feature_page_shows_its_history_in_words_newest_first() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    let page = "feature/f1.html";
    assert_eq!(
        texts(&site.page_history(page)),
        [
            format!(
                "1 May 2026 milestone M2 → M1 (-106 days) by Alice — Pull F1 forward {}",
                s.short(6)
            ),
            format!(
                "1 Apr 2026 status in-progress → beta by Bob Builder — F1 in beta {}",
                s.short(5)
            ),
            format!(
                "1 Mar 2026 rice reach 100 → 250; body edited (Goals) by Bob Builder — Rescope F1 {}",
                s.short(3)
            ),
            format!(
                "10 Feb 2026 milestone M1 → M2 (+90 days) by Alice — Move F1 to M2 {}",
                s.short(2)
            ),
            format!(
                "1 Feb 2026 status planned → in-progress by Bob Builder — Start F1 {}",
                s.short(1)
            ),
            format!("5 Jan 2026 created by Alice — Initial plans {}", s.short(0)),
        ]
    );
    assert_eq!(
        texts(&site.page_history("objective/obj.html"))[0],
        format!(
            "1 Mar 2026 key result 1 current set to 4 by Bob Builder — Rescope F1 {}",
            s.short(3)
        )
    );
    // The author is linked to the person's page when the e-mail matches.
    let html = site.read(page);
    let section = inner(&html, "id=\"ns-history\"").expect("history");
    assert!(
        section.contains("by <a href=\"../person/alice.html\">Alice</a>"),
        "{section}"
    );
    assert!(!section.contains("Alice Doe"), "{section}");
}

/// A commit author whose name reads like markup once unescaped: git
/// strips `<` and `>` from names, so the name carries their references,
/// which an unescaped page would turn into a tag's text.
const MALLORY: Who = Who {
    name: "Mallory &lt;img src=x onerror=alert(2)&gt; \"the\" O'Brien",
    email: "mallory@example.com",
};

#[test]
fn commit_messages_and_author_names_are_shown_as_text_not_markup() {
    let (repo, git) = plans();
    repo.file(
        "features/f1.md",
        &feature("Feature One", "planned", "m1", 100, "Be fast."),
    );
    git.commit("Initial plans", "2026-01-05");
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in-progress", "m1", 100, "Be fast."),
    );
    let message = "<img src=x onerror=alert(1)> & <b>bold</b>";
    let c = git.commit_as(message, "2026-02-01", MALLORY);
    let site = build(repo.path(), &[]);

    // The reader sees the message and the name exactly as written.
    let page = "feature/f1.html";
    assert_eq!(
        texts(&site.page_history(page))[0],
        format!(
            "1 Feb 2026 status planned → in-progress by {} — {message} {}",
            MALLORY.name,
            &c[..10]
        )
    );
    let changes = site.changes();
    let changes = texts(&changes);
    assert!(
        changes[0].starts_with(&format!(
            "Feature One: status planned → in-progress, by {},",
            MALLORY.name
        )),
        "{changes:?}"
    );
    // ...and no page has an element made of them.
    for p in [page, "changes.html", "index.html"] {
        let html = site.read(p).to_ascii_lowercase();
        for tag in ["<img", "<b>"] {
            assert!(!html.contains(tag), "{p} has a `{tag}` element:\n{html}");
        }
        assert!(
            !html.contains("&lt;img src=x onerror=alert(2)&gt;"),
            "{p}: the name is not escaped"
        );
    }
    // The feed escapes them too.
    let feed = site.read("feed.xml");
    assert!(!feed.contains("<img") && !feed.contains("<b>"), "{feed}");
    assert!(
        feed.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{feed}"
    );
}

// ---------------------------------------------------------------------------
// Derived facts

/// A status an old version held that is no lifecycle status (`in
/// review`, from before the schema had its list) is counted under its own
/// class: one class name, not `status-in` and `review`.
#[test]
fn days_in_a_status_outside_the_lifecycle_are_counted_under_one_class() {
    let (repo, git) = plans();
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in review", "m1", 100, "Be fast."),
    );
    git.commit("Draft F1", "2026-01-05");
    repo.file(
        "features/f1.md",
        &feature("Feature One", "planned", "m1", 100, "Be fast."),
    );
    git.commit("Plan F1", "2026-02-01");
    let site = build(repo.path(), &["--allow-errors"]);
    let html = site.read("feature/f1.html");
    assert!(
        html.contains("<span class=\"badge status-in-review\">in review</span> 27"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"badge status-planned\">planned</span> "),
        "{html}"
    );
}

#[test]
fn facts_created_last_changed_slips_and_days_in_status() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    // Slips: M1 → M2 (+90), then M2's own date +16; the move back to M1
    // is earlier and does not count. Days in status: planned 5 Jan → 1 Feb
    // (27), in-progress 1 Feb → 1 Apr (59), beta 1 Apr → today 1 Nov (214).
    assert_eq!(
        site.facts("feature/f1.html"),
        [
            ("Created".to_string(), "5 Jan 2026".to_string()),
            ("Last changed".to_string(), "1 May 2026".to_string()),
            (
                "Milestone slips".to_string(),
                "2 times, 106 days in all".to_string()
            ),
            (
                "Days in each status".to_string(),
                "beta 214 · in-progress 59 · planned 27".to_string()
            ),
        ]
    );
    // F2 never slipped and has been planned since 1 Jun (153 days).
    assert_eq!(
        site.facts("feature/f2.html"),
        [
            ("Created".to_string(), "1 Jun 2026".to_string()),
            ("Last changed".to_string(), "1 Jun 2026".to_string()),
            ("Milestone slips".to_string(), "none".to_string()),
            ("Days in each status".to_string(), "planned 153".to_string()),
        ]
    );
    let html = site.read("feature/f1.html");
    assert!(html.contains("<dd class=\"last-changed\">1 May 2026</dd>"));
    assert!(html.contains("<dd class=\"slips\">2 times, 106 days in all</dd>"));
}

#[test]
fn milestone_scope_added_and_removed_since_it_first_appeared() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    // M1 started with F1; F1 left (c2) and came back (c6): net, nothing
    // removed. F2 joined later (c7): added.
    assert_eq!(
        site.facts("milestone/m1.html"),
        [
            ("Created".to_string(), "5 Jan 2026".to_string()),
            ("Last changed".to_string(), "5 Jan 2026".to_string()),
            ("Scope added".to_string(), "Feature Two".to_string()),
        ]
    );
    // M2: F1 joined (c2) and left again (c6): net, no change of scope.
    assert_eq!(
        site.facts("milestone/m2.html"),
        [
            ("Created".to_string(), "5 Jan 2026".to_string()),
            ("Last changed".to_string(), "15 Mar 2026".to_string()),
        ]
    );
    let html = site.read("milestone/m1.html");
    assert!(
        html.contains(
            "<dd class=\"scope-added\"><a href=\"../feature/f2.html\">Feature Two</a></dd>"
        ),
        "{html}"
    );
}

/// Features a milestone gained, listed with commas; in a public build
/// only the public ones, and nothing of an internal one.
#[test]
fn milestone_scope_lists_each_feature_and_a_public_build_only_public_ones() {
    let (repo, git) = plans();
    repo.file(
        "m3.yaml",
        "kind: milestone\nid: m3\ntitle: M3\ndate: 2027-06-15\nvisibility: public\n",
    )
    .file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."));
    git.commit("Plans", "2026-01-05");
    let public = |title: &str| {
        feature(title, "planned", "m3", 1, "G.").replacen("---\n", "---\nvisibility: public\n", 1)
    };
    repo.file("f2.md", &public("Feature Two"))
        .file("f3.md", &public("Feature Three"))
        .file("f4.md", &feature("Zephyr Secret", "planned", "m3", 1, "G."));
    git.commit("Scope for M3", "2026-02-01");
    repo.file("m3.yaml", "kind: milestone\nid: m3\ntitle: M3\ndate: 2027-06-15\nvisibility: public\nstatus: planned\n");
    git.commit("M3 planned", "2026-02-02");
    let site = build(repo.path(), &[]);
    let scope = |facts: Vec<(String, String)>| {
        facts
            .into_iter()
            .find(|(k, _)| k == "Scope added")
            .map(|(_, v)| v)
            .unwrap_or_default()
    };
    assert_eq!(
        scope(site.facts("milestone/m3.html")),
        "Feature Two, Feature Three, Zephyr Secret"
    );
    let public_site = build(repo.path(), &["--audience", "public"]);
    assert_eq!(
        scope(public_site.facts("milestone/m3.html")),
        "Feature Two, Feature Three"
    );
    let html = public_site.read("milestone/m3.html");
    assert!(
        !html.contains("Zephyr") && !html.contains("feature/f4.html") && !html.contains(">f4<"),
        "{html}"
    );
}

#[test]
fn milestone_scope_removed_when_an_original_feature_leaves() {
    let (repo, git) = plans();
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."))
        .file("f2.md", &feature("Feature Two", "planned", "m1", 1, "G."));
    git.commit("Plans", "2026-01-05");
    repo.file("f1.md", &feature("Feature One", "planned", "m2", 1, "G."));
    git.commit("F1 to M2", "2026-02-01");
    let site = build(repo.path(), &[]);
    assert_eq!(
        site.facts("milestone/m1.html")[2..],
        [("Scope removed".to_string(), "Feature One".to_string())]
    );
    assert_eq!(
        site.facts("milestone/m2.html")[2..],
        [("Scope added".to_string(), "Feature One".to_string())]
    );
    assert!(site.read("milestone/m1.html").contains(
        "<dd class=\"scope-removed\"><a href=\"../feature/f1.html\">Feature One</a></dd>"
    ));
}

#[test]
fn metric_values_over_time_are_points_of_its_chart() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    let html = site.read("metric/met.html");
    let titles: Vec<String> = html
        .match_indices("<circle class=\"point\"")
        .map(|(i, _)| {
            let rest = &html[i..];
            let t = rest.find("<title>").expect("title") + 7;
            let e = rest.find("</title>").expect("closed title");
            decode_html(&rest[t..e])
        })
        .collect();
    assert_eq!(
        titles,
        [
            "5 Jan 2026: 10 count",
            "1 Apr 2026: 20 count",
            "1 Jun 2026: 35 count"
        ]
    );
    // The same points in the table of values, newest first.
    assert!(
        html.contains(
            "<tbody><tr><td>1 Jun 2026</td><td>35</td></tr><tr><td>1 Apr 2026</td><td>20</td></tr>\
             <tr><td>5 Jan 2026</td><td>10</td></tr></tbody>"
        ),
        "{html}"
    );
    assert_eq!(
        site.history("met")[1],
        event(
            &s.c[5],
            "2026-04-01",
            "Bob Builder",
            "modified",
            json!([{"field": "current", "from": 10, "to": 20}])
        )
    );
}

// ---------------------------------------------------------------------------
// The change log and the feed

#[test]
fn the_changes_page_is_the_plan_log_newest_first_in_words() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    let entries = site.changes();
    let all = texts(&entries);
    // The first commit creates all nine documents; then one line per change.
    assert_eq!(all.len(), 9 + 10, "{all:#?}");
    assert_eq!(
        all[..10],
        [
            format!(
                "Metric: current 20 → 35, by Bob Builder, 1 Jun 2026 {}",
                s.short(7)
            ),
            format!(
                "Feature Two: created, by Bob Builder, 1 Jun 2026 {}",
                s.short(7)
            ),
            format!(
                "Feature One: milestone M2 → M1 (-106 days), by Alice, 1 May 2026 {}",
                s.short(6)
            ),
            format!(
                "Metric: current 10 → 20, by Bob Builder, 1 Apr 2026 {}",
                s.short(5)
            ),
            format!(
                "Feature One: status in-progress → beta, by Bob Builder, 1 Apr 2026 {}",
                s.short(5)
            ),
            format!(
                "M2: date 2027-04-15 → 2027-05-01 (+16 days), by Alice, 15 Mar 2026 {}",
                s.short(4)
            ),
            format!(
                "Objective: key result “KR” current set to 4, by Bob Builder, 1 Mar 2026 {}",
                s.short(3)
            ),
            format!(
                "Feature One: rice reach 100 → 250; body edited (Goals), by Bob Builder, 1 Mar 2026 {}",
                s.short(3)
            ),
            format!(
                "Feature One: milestone M1 → M2 (+90 days), by Alice, 10 Feb 2026 {}",
                s.short(2)
            ),
            format!(
                "Feature One: status planned → in-progress, by Bob Builder, 1 Feb 2026 {}",
                s.short(1)
            ),
        ]
    );
    assert!(
        all[10..]
            .iter()
            .all(|t| t.contains(": created, by Alice, 5 Jan 2026")),
        "{all:#?}"
    );
    assert!(entries.iter().all(|(class, _)| class == "event"));
    // The author is a person, linked, when the commit e-mail is theirs.
    let html = site.read("changes.html");
    assert!(html.contains(
        "<a href=\"feature/f1.html\">Feature One</a>: <span class=\"what\">milestone M1 → M2 (+90 days)</span>"
    ), "{html}");
    assert!(
        html.contains(
            "by <a href=\"person/alice.html\">Alice</a>, <span class=\"when\">10 Feb 2026</span>"
        ),
        "{html}"
    );
    assert!(site.notes().is_empty(), "{:?}", site.notes());
}

/// Checks that `xml` is well-formed: one root, balanced tags, quoted
/// attributes, only known references. Returns the tag names in order.
fn well_formed(xml: &str) -> Result<Vec<String>, String> {
    fn refs(s: &str) -> Result<(), String> {
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let end = after.find(';').ok_or(format!("bare & in {s:?}"))?;
            let name = &after[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix("#x")
                    .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name
                    .strip_prefix('#')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("unknown reference &{name};"));
            }
            rest = &after[end + 1..];
        }
        if s.contains('>') {
            return Err(format!("stray > in {s:?}"));
        }
        Ok(())
    }
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        .ok_or("no XML declaration")?;
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    loop {
        let (txt, tail) = match rest.find('<') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        refs(txt)?;
        if stack.is_empty() && !txt.trim().is_empty() {
            return Err(format!("text outside the root: {txt:?}"));
        }
        let Some(tail) = tail else { break };
        let end = tail.find('>').ok_or("unclosed tag")?;
        let tag = &tail[..end];
        rest = &tail[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if open != name {
                return Err(format!("<{open}> closed by </{name}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':') {
            return Err(format!("bad tag name {name:?}"));
        }
        // Attributes: name="value", each value free of < and with known refs.
        let mut attrs = tag[name.len()..].trim();
        while !attrs.is_empty() {
            let (key, value) = attrs
                .split_once("=\"")
                .ok_or(format!("bad attribute in <{tag}>"))?;
            let key = key.trim();
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-')
            {
                return Err(format!("bad attribute name in <{tag}>"));
            }
            let close = value
                .find('"')
                .ok_or(format!("unquoted attribute in <{tag}>"))?;
            refs(&value[..close])?;
            attrs = value[close + 1..].trim_start();
        }
        if stack.is_empty() {
            roots += 1;
        }
        names.push(name.clone());
        if !self_closing {
            stack.push(name);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(names)
}

#[test]
fn the_feed_is_well_formed_atom_with_an_entry_per_change() {
    let s = story();
    let site = build(s.repo.path(), &[]);
    let xml = site.read("feed.xml");
    let names = well_formed(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert_eq!(names[0], "feed");
    assert!(xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    let entries = xml.matches("<entry>").count();
    assert_eq!(entries, 19, "{xml}");
    // Every entry has what Atom requires: id, title, updated, an author.
    for entry in xml.split("<entry>").skip(1) {
        for el in ["<id>", "<title>", "<updated>", "<author><name>"] {
            assert!(entry.contains(el), "entry without {el}: {entry}");
        }
    }
    // The feed is as new as its newest entry; entries newest first.
    assert!(xml.contains("<updated>2026-06-01T00:00:00Z</updated>\n  <link"));
    let first = xml.split("<entry>").nth(1).expect("an entry");
    assert!(
        first.contains("<title>Metric: current 20 → 35</title>"),
        "{first}"
    );
    assert!(
        first.contains("<author><name>Bob Builder</name></author>"),
        "{first}"
    );
    assert!(first.contains("<summary>Add F2</summary>"), "{first}");
    let f1_move = xml
        .split("<entry>")
        .find(|e| e.contains("milestone M1 → M2"))
        .expect("the move to M2");
    assert!(f1_move.contains("<title>Feature One: milestone M1 → M2 (+90 days)</title>"));
    assert!(f1_move.contains("<author><name>Alice</name></author>"));
    assert!(f1_move.contains("<updated>2026-02-10T00:00:00Z</updated>"));
    assert!(f1_move.contains(&format!("<id>urn:northstar:{}:f1:", s.c[2])));
}

/// The feed is a template like the pages (`templates/feed.xml.hbs`):
/// a plans repository can reshape it, and every value it prints is
/// escaped for XML, not HTML (an author's `&` is `&amp;`, a `=` stays).
#[test]
fn the_feed_template_can_be_overridden_and_escapes_for_xml() {
    let s = story();
    s.repo.file(
        "templates/feed.xml.hbs",
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{{title}}</title>{{#each entries}}<entry><title>{{title}}</title><id>{{commit}}</id><updated>{{updated}}T00:00:00Z</updated><author><name>{{author}}</name></author></entry>{{/each}}</feed>\n",
    );
    s.repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nsite:\n  title: \"R&D <plans> = ours\"\n",
    );
    let site = build(s.repo.path(), &[]);
    let xml = site.read("feed.xml");
    well_formed(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    assert!(
        xml.contains("<title>R&amp;D &lt;plans&gt; = ours: plan changes</title>"),
        "{xml}"
    );
    assert_eq!(xml.matches("<entry>").count(), 19, "{xml}");
    assert!(
        xml.contains("<title>Metric: current 20 → 35</title>"),
        "{xml}"
    );
}

// ---------------------------------------------------------------------------
// Renames, streams, deletions

#[test]
fn a_moved_document_keeps_its_history_and_the_move_is_not_a_change() {
    let (repo, git) = plans();
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    )
    .file(
        "features/old-name.md",
        &feature("Checkout", "in-progress", "m1", 1, "G.").replacen(
            "---\n",
            "---\nid: checkout\n",
            1,
        ),
    );
    let c0 = git.commit("Plans", "2026-01-05");
    // A folder move (the id is the file's stem) and a file rename (the id
    // is written): both pure moves.
    std::fs::create_dir_all(repo.join("archive")).expect("mkdir");
    git.run(&["mv", "features/f1.md", "archive/f1.md"]);
    git.run(&["mv", "features/old-name.md", "features/checkout-v2.md"]);
    let c1 = git.commit("Reorganise", "2026-10-20");
    let site = build(repo.path(), &[]);
    for (id, from, to) in [
        ("f1", "features/f1.md", "archive/f1.md"),
        (
            "checkout",
            "features/old-name.md",
            "features/checkout-v2.md",
        ),
    ] {
        let h = site.history(id);
        assert_eq!(h.len(), 2, "{id}: {h:#?}");
        assert_eq!(
            h[0],
            event(&c1, "2026-10-20", "Alice Doe", "renamed", json!([]))
        );
        assert_eq!(h[1]["commit"], c0.as_str());
        assert_eq!(h[1]["what"], "created");
        assert_eq!(site.doc(id)["file"], to);
        let page = format!("feature/{id}.html");
        assert_eq!(
            texts(&site.page_history(&page))[0],
            format!(
                "20 Oct 2026 moved from {from} by Alice — Reorganise {}",
                &c1[..10]
            )
        );
        // The move is not a change: last changed stays at creation.
        assert_eq!(
            site.facts(&page)[1],
            ("Last changed".to_string(), "5 Jan 2026".to_string())
        );
    }
    // ...and `stale` ignores it: unchanged since 5 Jan, 300 days to 1 Nov.
    assert_eq!(
        stale(&repo),
        [
            (
                "archive/f1.md".to_string(),
                4,
                9,
                "in-progress feature `f1` has not changed for 300 days".to_string()
            ),
            (
                "features/checkout-v2.md".to_string(),
                5,
                9,
                "in-progress feature `checkout` has not changed for 300 days".to_string()
            ),
        ]
    );
}

#[test]
fn a_move_with_an_edit_is_a_change() {
    let (repo, git) = plans();
    repo.file(
        "a/f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    git.commit("Plans", "2026-01-05");
    std::fs::remove_file(repo.join("a/f1.md")).expect("rm");
    repo.file("b/f1.md", &feature("Feature One", "beta", "m1", 1, "G."));
    let c1 = git.commit("Move and ship to beta", "2026-10-20");
    let site = build(repo.path(), &[]);
    assert_eq!(
        site.history("f1")[0],
        event(
            &c1,
            "2026-10-20",
            "Alice Doe",
            "modified",
            json!([{"field": "status", "from": "in-progress", "to": "beta"}])
        )
    );
    assert_eq!(site.facts("feature/f1.html")[1].1, "20 Oct 2026");
    assert!(stale(&repo).is_empty());
}

#[test]
fn yaml_stream_documents_are_tracked_one_by_one() {
    let (repo, git) = plans();
    let stream = |m4: &str| {
        format!(
            "{}---\n{}",
            milestone("m3", "M3", "2027-07-01"),
            milestone("m4", "M4", m4)
        )
    };
    repo.file("roadmap.yaml", &stream("2027-10-01"));
    let c0 = git.commit("Roadmap", "2026-01-05");
    repo.file("roadmap.yaml", &stream("2027-10-15"));
    let c1 = git.commit("M4 later", "2026-02-01");
    // M3 moves out of the stream into a file of its own.
    repo.file("roadmap.yaml", &milestone("m4", "M4", "2027-10-15"))
        .file("m3.yaml", &milestone("m3", "M3", "2027-07-01"));
    let c2 = git.commit("Split the roadmap", "2026-03-01");
    let site = build(repo.path(), &[]);
    let created = |title: &str, date: &str| {
        event(
            &c0,
            "2026-01-05",
            "Alice Doe",
            "created",
            json!([{"field": "date", "to": date}, {"field": "title", "to": title}]),
        )
    };
    assert_eq!(
        site.history("m4"),
        [
            event(
                &c1,
                "2026-02-01",
                "Alice Doe",
                "modified",
                json!([{"field": "date", "from": "2027-10-01", "to": "2027-10-15"}])
            ),
            created("M4", "2027-10-01"),
        ]
    );
    assert_eq!(
        site.history("m3"),
        [
            event(&c2, "2026-03-01", "Alice Doe", "renamed", json!([])),
            created("M3", "2027-07-01"),
        ]
    );
    assert_eq!(site.doc("m3")["file"], "m3.yaml");
}

#[test]
fn a_deleted_and_readded_document_keeps_one_history() {
    let (repo, git) = plans();
    repo.file("f3.md", &feature("Feature Three", "planned", "m1", 1, "G."));
    let c0 = git.commit("Add F3", "2026-01-05");
    std::fs::remove_file(repo.join("f3.md")).expect("rm");
    let c1 = git.commit("Drop F3", "2026-02-01");
    repo.file(
        "f3.md",
        &feature("Feature Three", "in-progress", "m1", 1, "G."),
    );
    let c2 = git.commit_as("Bring back F3", "2026-03-01", BOB);
    let site = build(repo.path(), &[]);
    let h = site.history("f3");
    assert_eq!(
        h.iter()
            .map(|e| (
                e["commit"].as_str().unwrap_or(""),
                e["what"].as_str().unwrap_or("")
            ))
            .collect::<Vec<_>>(),
        [
            (c2.as_str(), "created"),
            (c1.as_str(), "deleted"),
            (c0.as_str(), "created"),
        ]
    );
    assert_eq!(h[1]["changes"], json!([]));
    assert_eq!(
        texts(&site.page_history("feature/f3.html"))[..2],
        [
            format!(
                "1 Mar 2026 created by Bob Builder — Bring back F3 {}",
                &c2[..10]
            ),
            format!("1 Feb 2026 deleted by Alice — Drop F3 {}", &c1[..10]),
        ]
    );
    // Created when it first appeared; planned 5 Jan → 1 Feb (27 days),
    // absent a month, in progress 1 Mar → 1 Nov (245 days).
    assert_eq!(
        site.facts("feature/f3.html"),
        [
            ("Created".to_string(), "5 Jan 2026".to_string()),
            ("Last changed".to_string(), "1 Mar 2026".to_string()),
            ("Milestone slips".to_string(), "none".to_string()),
            (
                "Days in each status".to_string(),
                "in-progress 245 · planned 27".to_string()
            ),
        ]
    );
}

#[test]
fn a_file_that_did_not_parse_at_an_old_commit_leaves_a_noted_gap() {
    let (repo, git) = plans();
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."));
    let c0 = git.commit("Add F1", "2026-01-05");
    repo.file("f1.md", &feature("Feature One", "[planned", "m1", 1, "G."));
    let c1 = git.commit("Oops", "2026-01-10");
    repo.file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    let c2 = git.commit("Fix F1", "2026-01-20");
    let site = build(repo.path(), &[]);
    let h = site.history("f1");
    assert_eq!(h.len(), 2, "{h:#?}");
    assert_eq!(
        h[0],
        event(
            &c2,
            "2026-01-20",
            "Alice Doe",
            "modified",
            json!([{"field": "status", "from": "planned", "to": "in-progress"}])
        )
    );
    assert_eq!(
        (&h[1]["commit"], &h[1]["what"]),
        (&json!(c0), &json!("created"))
    );
    assert_eq!(
        site.notes(),
        [format!(
            "f1.md did not parse at commit {} (10 Jan 2026): its history has a gap there",
            &c1[..10]
        )]
    );
    // Days in status carry across the gap.
    assert_eq!(
        site.facts("feature/f1.html")[3].1,
        "in-progress 285 · planned 15"
    );
}

/// A version whose object is missing from the repository (a damaged or
/// partial clone) is a gap in the history, like a version that did not
/// parse: the document is not deleted and created again around it.
#[test]
fn a_version_missing_from_the_repository_leaves_a_noted_gap() {
    let (repo, git) = plans();
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."));
    let c0 = git.commit("Add F1", "2026-01-05");
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 2, "G."));
    let c1 = git.commit("Reach", "2026-01-10");
    repo.file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 2, "G."),
    );
    let c2 = git.commit("Start F1", "2026-01-20");
    let blob = git.run(&["rev-parse", &format!("{c1}:f1.md")]);
    let loose = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&loose).expect("the blob is a loose object");
    let site = build(repo.path(), &[]);
    let h = site.history("f1");
    let whats: Vec<(&Value, &Value)> = h.iter().map(|e| (&e["commit"], &e["what"])).collect();
    assert_eq!(
        whats,
        [
            (&json!(c2), &json!("modified")),
            (&json!(c0), &json!("created"))
        ],
        "{h:#?}"
    );
    assert_eq!(
        site.notes(),
        [format!(
            "f1.md could not be read from the repository at commit {} (10 Jan 2026; its object is missing or damaged): its history has a gap there",
            &c1[..10]
        )]
    );
}

// ---------------------------------------------------------------------------
// Merges

#[test]
fn a_change_on_a_branch_is_attributed_to_its_commit_not_the_merge() {
    let (repo, git) = plans();
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."))
        .file("f2.md", &feature("Feature Two", "planned", "m1", 1, "G."));
    git.commit("Plans", "2026-01-05");
    git.run(&["checkout", "-q", "-b", "feat"]);
    repo.file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    let on_branch = git.commit_as("Start F1 on a branch", "2026-01-10", BOB);
    git.run(&["checkout", "-q", "main"]);
    repo.file("f2.md", &feature("Feature Two", "planned", "m2", 1, "G."));
    let on_main = git.commit("F2 to M2", "2026-01-12");
    git.run_as(
        &["merge", "-q", "--no-ff", "feat", "-m", "Merge feat"],
        "2026-01-15",
        CAROL,
    );
    let merge = git.run(&["rev-parse", "HEAD"]);
    assert_eq!(
        git.run(&["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count(),
        3,
        "a real merge"
    );
    let site = build(repo.path(), &[]);
    let f1 = site.history("f1");
    assert_eq!(f1.len(), 2, "{f1:#?}");
    assert_eq!(
        f1[0],
        event(
            &on_branch,
            "2026-01-10",
            "Bob Builder",
            "modified",
            json!([{"field": "status", "from": "planned", "to": "in-progress"}])
        )
    );
    let f2 = site.history("f2");
    assert_eq!(f2.len(), 2, "{f2:#?}");
    assert_eq!(
        f2[0],
        event(
            &on_main,
            "2026-01-12",
            "Alice Doe",
            "modified",
            json!([{"field": "milestone", "from": "m1", "to": "m2"}])
        )
    );
    let changes = site.read("changes.html");
    assert!(!changes.contains("Carol"), "{changes}");
    assert!(!changes.contains(&merge[..10]), "{changes}");
    // Nothing lost: both changes are on the log, once each.
    let all = site.changes();
    assert_eq!(
        texts(&all)[..2],
        [
            format!(
                "Feature Two: milestone M1 → M2 (+90 days), by Alice, 12 Jan 2026 {}",
                &on_main[..10]
            ),
            format!(
                "Feature One: status planned → in-progress, by Bob Builder, 10 Jan 2026 {}",
                &on_branch[..10]
            ),
        ]
    );
    assert_eq!(all.len(), 2 + 10);
    // Days in status follow the branch commit's date.
    assert_eq!(
        site.facts("feature/f1.html")[3].1,
        "in-progress 295 · planned 5"
    );
}

/// Two branches set F1's status, `planned` → `in-progress` on `feat`
/// (10 Jan, Bob) and → `on-hold` on `main` (12 Jan, Alice); Carol merges
/// on 15 Jan, resolving the conflict with `resolution`. Returns the repo
/// and the merge commit.
fn conflicting_merge(resolution: &str) -> (Repo, String) {
    let (repo, git) = plans();
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."));
    git.commit("Plans", "2026-01-05");
    git.run(&["checkout", "-q", "-b", "feat"]);
    repo.file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    git.commit_as("Start F1", "2026-01-10", BOB);
    git.run(&["checkout", "-q", "main"]);
    repo.file("f1.md", &feature("Feature One", "on-hold", "m1", 1, "G."));
    git.commit("Hold F1", "2026-01-12");
    let merge = git
        .command(&["merge", "-q", "feat"], "2026-01-15", "2026-01-15", CAROL)
        .output()
        .expect("git merge");
    assert!(!merge.status.success(), "the merge conflicts");
    repo.file("f1.md", &feature("Feature One", resolution, "m1", 1, "G."));
    let id = git.commit_as("Merge feat", "2026-01-15", CAROL);
    assert_eq!(
        git.run(&["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count(),
        3,
        "a real merge"
    );
    (repo, id)
}

#[test]
fn a_change_made_in_a_merge_itself_is_attributed_to_the_merge() {
    // The conflict resolved with a value neither branch had: the merge
    // made that change.
    let (repo, merge) = conflicting_merge("beta");
    let site = build(repo.path(), &[]);
    let h = site.history("f1");
    assert_eq!(
        h[0],
        event(
            &merge,
            "2026-01-15",
            "Carol Merger",
            "modified",
            json!([{"field": "status", "from": "on-hold", "to": "beta"}])
        )
    );
    assert_eq!(
        h.iter()
            .map(|e| e["date"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["2026-01-15", "2026-01-12", "2026-01-10", "2026-01-05"]
    );
    assert_eq!(
        texts(&site.changes())[0],
        format!(
            "Feature One: status on-hold → beta, by Carol Merger, 15 Jan 2026 {}",
            &merge[..10]
        )
    );
    // planned 5 Jan → 10 Jan, in progress → 12 Jan, on hold → 15 Jan, then
    // beta until 1 Nov.
    assert_eq!(
        site.facts("feature/f1.html")[3].1,
        "beta 290 · in-progress 2 · on-hold 3 · planned 5"
    );
}

#[test]
fn a_merge_that_keeps_one_side_sets_the_state_without_a_change() {
    // The conflict resolved with the branch's value: no change of the
    // merge's own, but the plan is in progress from the merge on, though
    // `main`'s later commit said on hold.
    let (repo, merge) = conflicting_merge("in-progress");
    let site = build(repo.path(), &[]);
    let h = site.history("f1");
    assert_eq!(
        h.iter()
            .map(|e| e["date"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["2026-01-12", "2026-01-10", "2026-01-05"]
    );
    assert!(!site.read("changes.html").contains(&merge[..10]));
    assert_eq!(
        site.facts("feature/f1.html")[3].1,
        "in-progress 292 · on-hold 3 · planned 5"
    );
}

// ---------------------------------------------------------------------------
// --as-of

#[test]
fn build_as_of_a_tag_a_branch_or_a_commit_renders_the_plan_as_it_was() {
    let s = story();
    s.git.run(&["tag", "v1", &s.c[0]]);
    s.git.run(&["branch", "old", &s.c[2]]);
    // A tag: the first commit. F2 came later: no page; F1 was planned.
    let site = build(s.repo.path(), &["--as-of", "v1"]);
    assert!(!site.exists("feature/f2.html"));
    assert!(site.exists("feature/f1.html"));
    let f1 = site.doc("f1");
    assert_eq!(f1["fields"]["status"], "planned");
    assert_eq!(f1["fields"]["milestone"], "m1");
    assert_eq!(site.history("f1").len(), 1);
    assert_eq!(site.history("f1")[0]["commit"], s.c[0].as_str());
    assert!(
        !site.plan()["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .any(|d| d["id"] == "f2")
    );
    assert_eq!(site.changes().len(), 9);
    // A branch: the third commit, with history up to it.
    let site = build(s.repo.path(), &["--as-of", "old"]);
    assert_eq!(site.doc("f1")["fields"]["milestone"], "m2");
    assert_eq!(
        site.history("f1")
            .iter()
            .map(|e| e["commit"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>(),
        [s.c[2].clone(), s.c[1].clone(), s.c[0].clone()]
    );
    assert_eq!(
        texts(&site.changes())[0],
        format!(
            "Feature One: milestone M1 → M2 (+90 days), by Alice, 10 Feb 2026 {}",
            s.short(2)
        )
    );
    // A commit id: M2's date before its slip, status in progress.
    let site = build(s.repo.path(), &["--as-of", &s.c[3]]);
    assert_eq!(site.doc("m2")["fields"]["date"], "2027-04-15");
    assert_eq!(site.doc("f1")["fields"]["status"], "in-progress");
    assert_eq!(site.history("f1")[0]["commit"], s.c[3].as_str());
    assert_eq!(site.facts("feature/f1.html")[2].1, "1 time, 90 days in all");
    // Uncommitted edits do not leak into an --as-of build.
    s.repo.file(
        "features/f1.md",
        &feature("Feature One", "shipped", "m1", 250, "Be fast and cheap."),
    );
    let site = build(s.repo.path(), &["--as-of", "HEAD"]);
    assert_eq!(site.doc("f1")["fields"]["status"], "beta");
    assert!(site.changes().iter().all(|(class, _)| class == "event"));
}

#[test]
fn build_as_of_a_bad_revision_exits_2_with_a_clear_message() {
    let s = story();
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    let run = run_in(
        s.repo.path(),
        &[
            "build",
            "-o",
            out.to_str().expect("utf-8"),
            "--as-of",
            "no-such-rev",
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("unknown revision `no-such-rev`"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------
// Edge cases of the repository

#[test]
fn a_shallow_clone_builds_with_the_history_it_has_and_says_where_it_stops() {
    let s = story();
    let tmp = tempfile::tempdir().expect("tempdir");
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", s.repo.path().display());
    s.git.run(&[
        "clone",
        "-q",
        "--depth",
        "2",
        &url,
        clone.to_str().expect("utf-8"),
    ]);
    let site = build(&clone, &[]);
    assert_eq!(
        site.notes(),
        [format!(
            "this is a shallow clone: history starts at commit {} (1 May 2026)",
            s.short(6)
        )]
    );
    // What the clone has: F1 first seen at the boundary, F2 created after.
    let f1 = site.history("f1");
    assert_eq!(f1.len(), 1, "{f1:#?}");
    assert_eq!(f1[0]["commit"], s.c[6].as_str());
    assert_eq!(
        texts(&site.page_history("feature/f1.html")),
        [format!(
            "1 May 2026 first seen by Alice — Pull F1 forward {}",
            s.short(6)
        )]
    );
    // The boundary is not a creation, nor a change.
    let facts = site.facts("feature/f1.html");
    assert!(
        !facts
            .iter()
            .any(|(t, _)| t == "Created" || t == "Last changed"),
        "{facts:?}"
    );
    assert_eq!(
        site.facts("feature/f2.html")[..2],
        [
            ("Created".to_string(), "1 Jun 2026".to_string()),
            ("Last changed".to_string(), "1 Jun 2026".to_string()),
        ]
    );
    let changes = site.changes();
    assert_eq!(
        texts(&changes)[..2],
        [
            format!(
                "Metric: current 20 → 35, by Bob Builder, 1 Jun 2026 {}",
                s.short(7)
            ),
            format!(
                "Feature Two: created, by Bob Builder, 1 Jun 2026 {}",
                s.short(7)
            ),
        ]
    );
    assert!(
        texts(&changes)[2..]
            .iter()
            .all(|t| t.contains(": first seen, by Alice, 1 May 2026")),
        "{changes:#?}"
    );
    // Deepened later, the clone's history is whole again: the boundary
    // commit is read afresh, not served from the cache as a boundary.
    Git::at(&clone).run(&["fetch", "-q", "--unshallow"]);
    let site = build(&clone, &[]);
    assert!(site.notes().is_empty(), "{:?}", site.notes());
    assert_eq!(site.history("f1").len(), 6);
    assert_eq!(site.facts("feature/f1.html")[0].1, "5 Jan 2026");
}

#[test]
fn a_shallow_clone_whose_head_is_a_merge_starts_its_history_there() {
    // CI checkouts are often `--depth 1` of a merge commit.
    let (repo, merge) = conflicting_merge("beta");
    let tmp = tempfile::tempdir().expect("tempdir");
    let clone = tmp.path().join("clone");
    let url = format!("file://{}", repo.path().display());
    Git::at(repo.path()).run(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        clone.to_str().expect("utf-8"),
    ]);
    let site = build(&clone, &[]);
    assert_eq!(
        site.notes(),
        [format!(
            "this is a shallow clone: history starts at commit {} (15 Jan 2026)",
            &merge[..10]
        )]
    );
    let h = site.history("f1");
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(
        (&h[0]["commit"], &h[0]["what"]),
        (&json!(merge), &json!("created"))
    );
    assert_eq!(
        texts(&site.page_history("feature/f1.html")),
        [format!(
            "15 Jan 2026 first seen by Carol Merger — Merge feat {}",
            &merge[..10]
        )]
    );
}

#[test]
fn a_folder_outside_git_builds_without_history_and_says_so() {
    let repo = Repo::base();
    repo.file("northstar.yaml", CONFIG).file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    let site = build(repo.path(), &[]);
    assert_eq!(
        site.notes(),
        ["not in a git repository: built without history"]
    );
    assert!(site.changes().is_empty());
    assert!(site.read("changes.html").contains("No recorded changes."));
    assert!(site.doc("f1").get("history").is_none());
    assert!(site.page_history("feature/f1.html").is_empty());
    assert!(
        site.read("feature/f1.html")
            .contains("No git history for this document.")
    );
    // `stale` is silent without history.
    assert!(stale(&repo).is_empty());
    assert_eq!(site.plan()["today"], "2026-11-01");
}

#[test]
fn an_empty_repository_builds_without_history_and_says_so() {
    let repo = Repo::base();
    repo.file("northstar.yaml", CONFIG);
    Git::init(repo.path());
    let site = build(repo.path(), &[]);
    assert_eq!(
        site.notes(),
        ["the git repository has no commits yet: built without history"]
    );
    assert!(site.changes().is_empty());
    assert!(site.doc("obj").get("history").is_none());
    assert_eq!(site.plan()["today"], "2026-11-01");
    // With no pin and nothing committed, today is the clock's.
    repo.file("northstar.yaml", "product: Test Product\n");
    let before = clock_day();
    let today = build(repo.path(), &[]).plan()["today"].clone();
    let after = clock_day();
    assert!(
        today == before.as_str() || today == after.as_str(),
        "{today}: neither {before} nor {after}"
    );
}

#[test]
fn uncommitted_edits_are_built_from_the_working_tree_and_marked() {
    let (repo, git) = plans();
    repo.file("f1.md", &feature("Feature One", "planned", "m1", 1, "G."));
    let c0 = git.commit("Add F1", "2026-01-05");
    repo.file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    )
    .file("f9.md", &feature("Feature Nine", "idea", "m2", 1, "G."));
    let site = build(repo.path(), &[]);
    let f1 = site.history("f1");
    assert_eq!(
        f1[0],
        json!({
            "commit": "", "date": "2026-11-01", "author": "uncommitted", "what": "modified",
            "changes": [{"field": "status", "from": "planned", "to": "in-progress"}],
            "sections": [], "uncommitted": true,
        })
    );
    assert_eq!(f1[1]["commit"], c0.as_str());
    assert_eq!(site.doc("f1")["fields"]["status"], "in-progress");
    // A new file, never committed.
    let f9 = site.history("f9");
    assert_eq!(f9.len(), 1);
    assert_eq!(f9[0]["what"], "created");
    assert_eq!(f9[0]["uncommitted"], true);
    // Marked on the changes page and on the document page.
    let changes = site.changes();
    assert_eq!(
        changes[..2],
        [
            (
                "event uncommitted".to_string(),
                "Feature Nine: created, not committed yet, 1 Nov 2026".to_string()
            ),
            (
                "event uncommitted".to_string(),
                "Feature One: status planned → in-progress, not committed yet, 1 Nov 2026"
                    .to_string()
            ),
        ]
    );
    assert!(changes[2..].iter().all(|(class, _)| class == "event"));
    assert_eq!(
        site.page_history("feature/f1.html")[0],
        (
            "event uncommitted".to_string(),
            "1 Nov 2026 status planned → in-progress not committed yet".to_string()
        )
    );
    // Days in status: the edit is today's, so planned until today.
    assert_eq!(
        site.facts("feature/f1.html")[3].1,
        "in-progress 0 · planned 300"
    );
}

#[test]
fn plans_in_a_subfolder_of_a_larger_repository_read_only_their_paths() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let git = Git::init(root);
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    for (path, text) in crate::common::BASE {
        write(&format!("docs/plans/{path}"), text);
    }
    write("docs/plans/northstar.yaml", "product: Test Product\n");
    write("docs/plans/alice.yaml", ALICE_PERSON);
    write(
        "docs/plans/f1.md",
        &feature("Feature One", "planned", "m1", 1, "G."),
    );
    // A document-looking file outside the plans: never part of them.
    write(
        "docs/other/f1.md",
        &feature("Impostor", "planned", "m1", 1, "G."),
    );
    write("src/main.rs", "fn main() {}\n");
    let c0 = git.commit("Initial", "2026-01-05");
    write("src/main.rs", "fn main() { println!(); }\n");
    write(
        "docs/other/f1.md",
        &feature("Impostor", "shipped", "m2", 1, "G."),
    );
    git.commit_as("Code and other docs", "2026-02-01", BOB);
    write(
        "docs/plans/f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    let c2 = git.commit("Start F1", "2026-02-15");
    write("src/main.rs", "fn main() {}\n");
    git.commit_dated("Code only", "2026-02-28", "2026-03-01", BOB);
    // An uncommitted edit outside the plans: the plans are as committed.
    write("src/main.rs", "fn main() { todo!() }\n");
    let plans = root.join("docs/plans");
    let site = build(&plans, &[]);
    let h = site.history("f1");
    assert_eq!(h.len(), 2, "{h:#?}");
    assert_eq!(
        h[0],
        event(
            &c2,
            "2026-02-15",
            "Alice Doe",
            "modified",
            json!([{"field": "status", "from": "planned", "to": "in-progress"}])
        )
    );
    assert_eq!(
        (&h[1]["commit"], &h[1]["what"]),
        (&json!(c0), &json!("created"))
    );
    assert_eq!(site.doc("f1")["file"], "f1.md");
    assert_eq!(site.changes().len(), 9 + 1);
    assert!(!site.read("changes.html").contains("Impostor"));
    assert!(!site.read("changes.html").contains("Bob"));
    // Today: the committer date of HEAD, though HEAD touched no plan.
    assert_eq!(site.plan()["today"], "2026-03-01");
    // The cache lives in the enclosing repository's git dir.
    assert_eq!(
        cache_records(&root.join(".git/northstar/history.bin")).len(),
        4 + 1
    );
}

// ---------------------------------------------------------------------------
// The cache

fn cache_path(repo: &Repo) -> PathBuf {
    repo.join(".git/northstar/history.bin")
}

/// The contents of the per-commit cache's records, header first.
fn cache_records(path: &std::path::Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).expect("cache file");
    northstar::history::store::commits::records(&bytes)
}

/// The replayed state at HEAD, beside the per-commit cache.
fn state_path(repo: &Repo) -> PathBuf {
    repo.join(".git/northstar/state.bin")
}

/// The commit a state file was written at.
fn state_head(repo: &Repo) -> String {
    let bytes = std::fs::read(state_path(repo)).expect("state file");
    northstar::history::store::state::header(&bytes)
        .expect("a state file northstar reads")
        .1
}

/// A state file edited as `replace_bytes` does, with its closing
/// checksum made to match again: a deliberate edit rather than damage.
fn edit_state(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let body = &bytes[..bytes.len() - 8];
    let mut out = replace_bytes(body, from, to);
    let sum = northstar::history::store::state::checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

#[test]
fn history_is_cached_by_commit_and_a_rebuild_reads_from_the_cache() {
    let s = story();
    let first = build(s.repo.path(), &[]);
    let path = cache_path(&s.repo);
    use northstar::history::store::commits;
    let bytes = std::fs::read(&path).expect("cache file");
    let records = commits::records(&bytes);
    assert_eq!(records.len(), 8 + 1, "one header, one record per commit");
    // Each record is its length, its content and its checksum: the file
    // is those and nothing else.
    assert_eq!(
        records.iter().map(|r| r.len() + 12).sum::<usize>(),
        bytes.len()
    );
    let (format, fingerprint) = commits::header(&records[0]).expect("header");
    assert!(format > 0 && !fingerprint.is_empty());
    let ids: Vec<String> = records[1..]
        .iter()
        .map(|r| commits::entry(r).expect("an entry").commit.id)
        .collect();
    assert_eq!(ids, s.c);
    // A rebuild gives the same site.
    let second = build(s.repo.path(), &[]);
    assert_eq!(first.read("plan.json"), second.read("plan.json"));
    assert_eq!(first.read("changes.html"), second.read("changes.html"));
    // ...and is served from the cache: what the cache says, the site shows.
    // The state at HEAD comes first; without it, the per-commit cache.
    let state = std::fs::read(state_path(&s.repo)).expect("state file");
    std::fs::write(
        state_path(&s.repo),
        edit_state(&state, b"Bob Builder", b"Rob Stately"),
    )
    .expect("write");
    assert_eq!(
        build(s.repo.path(), &[]).history("f1")[1]["author"],
        "Rob Stately"
    );
    std::fs::remove_file(state_path(&s.repo)).expect("remove state");
    // A hand edit of the per-commit cache fails its checksum: the cache is
    // rebuilt from git, and says so.
    let cache = std::fs::read(&path).expect("cache");
    std::fs::write(&path, replace_bytes(&cache, b"Bob Builder", b"Rob Cached!")).expect("write");
    let third = build(s.repo.path(), &[]);
    assert_eq!(third.history("f1")[1]["author"], "Bob Builder");
    assert_eq!(
        third.notes(),
        ["the history cache was unreadable and has been rebuilt"]
    );
    assert!(state_path(&s.repo).exists(), "the state is written again");
    // A new commit: only it is read (the state at the old HEAD is replayed
    // on), and the cache grows by one line.
    s.repo
        .file("seg.yaml", "kind: segment\nid: seg\ntitle: Segment A\n");
    let c8 = s.git.commit("Rename segment", "2026-07-01");
    let fourth = build(s.repo.path(), &[]);
    assert_eq!(fourth.history("seg")[0]["commit"], c8.as_str());
    assert_eq!(fourth.history("f1")[1]["author"], "Bob Builder");
    assert_eq!(cache_lines(&s), 9 + 1);
    // Built again: the new commit comes from the cache, not added twice.
    build(s.repo.path(), &[]);
    assert_eq!(cache_lines(&s), 9 + 1);
}

/// A state whose checksum matches but one of whose blocks does not read
/// (written wrong, or edited by hand) is not built on: a new commit to
/// that document replays the history from the per-commit cache rather
/// than adding to an empty one, and a build that only showed it drops the
/// state, so the build after is whole again.
#[test]
fn a_state_block_that_does_not_read_is_not_built_on() {
    let s = story();
    let whole = build(s.repo.path(), &[]).history("f1");
    assert_eq!(whole[1]["author"], "Bob Builder", "{whole:?}");
    let damage = |s: &Story| {
        let state = std::fs::read(state_path(&s.repo)).expect("state file");
        // Not UTF-8: F1's block of changes no longer reads.
        std::fs::write(
            state_path(&s.repo),
            edit_state(&state, b"Bob Builder", b"Bob Build\xff\xff"),
        )
        .expect("write");
    };
    damage(&s);
    s.repo.file(
        "features/f1.md",
        &feature(
            "Feature One",
            "in-progress",
            "m2",
            250,
            "Be fast, cheap, small.",
        ),
    );
    let c = s.git.commit("Edit F1 again", "2026-07-01");
    let after = build(s.repo.path(), &[]).history("f1");
    assert_eq!(after.len(), whole.len() + 1, "{after:?}");
    assert_eq!(after[0]["commit"], c.as_str());
    assert_eq!(after[1..], whole[..]);
    // Only shown: the build warns and drops the state.
    damage(&s);
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("site");
    let run = run_in(
        s.repo.path(),
        &["build", "-o", out.to_str().expect("utf-8 path")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("warning: the history state")
            && run.stderr.contains("did not read back whole"),
        "{}",
        run.stderr
    );
    assert!(!state_path(&s.repo).exists());
    assert_eq!(build(s.repo.path(), &[]).history("f1"), after);
    assert!(state_path(&s.repo).exists(), "written again");
}

/// Rendered history is not kept (bench/README.md, "What each cache
/// pays"): the files an earlier version kept it in are removed when the
/// cache is written, but only regular files of those names; a link by
/// that name is left alone, and so is what it points to.
#[cfg(unix)]
#[test]
fn files_of_retired_caches_are_removed() {
    let s = story();
    let dir = s.repo.join(".git/northstar");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("reuse-internal.bin"), "kept by 0.1").expect("write");
    let outside = tempfile::tempdir().expect("tempdir");
    let target = outside.path().join("target.bin");
    std::fs::write(&target, "not ours").expect("write");
    std::os::unix::fs::symlink(&target, dir.join("reuse-public.bin")).expect("symlink");
    build(s.repo.path(), &[]);
    assert!(!dir.join("reuse-internal.bin").exists());
    assert!(
        std::fs::symlink_metadata(dir.join("reuse-public.bin"))
            .is_ok_and(|m| m.file_type().is_symlink())
    );
    assert_eq!(std::fs::read(&target).expect("target"), b"not ours");
    // Nothing new is kept for the site.
    build(s.repo.path(), &[]);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["history.bin", "reuse-public.bin", "state.bin"]);
}

/// A build killed while writing a cache leaves its temporary file; the
/// next build that writes that cache removes it.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_writer_s_temporary_cache_files_are_removed() {
    let s = story();
    let dir = s.repo.join(".git/northstar");
    std::fs::create_dir_all(&dir).expect("mkdir");
    // What builds killed while writing the caches left (no process has
    // these ids), and a file that only looks alike.
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in [
        "state.tmp-4294967295",
        "history.tmp-4294967294",
        "notes.tmp-1",
    ] {
        std::fs::write(dir.join(name), "half").expect("write");
        std::fs::File::options()
            .write(true)
            .open(dir.join(name))
            .and_then(|f| f.set_modified(an_hour_ago))
            .expect("set mtime");
    }
    // One just written: its writer may be about to rename it.
    std::fs::write(dir.join("state.tmp-4294967293"), "half").expect("write");
    build(s.repo.path(), &[]);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "history.bin",
            "notes.tmp-1",
            "state.bin",
            "state.tmp-4294967293"
        ]
    );
}

#[test]
fn a_corrupt_cache_is_detected_and_rebuilt() {
    let s = story();
    let good = build(s.repo.path(), &[]);
    let path = cache_path(&s.repo);
    let state = state_path(&s.repo);
    // A state file that does not parse, or was written for another config,
    // is ignored (the per-commit cache replays) and written again.
    let bytes = std::fs::read(&state).expect("state");
    let (fingerprint, _) = northstar::history::store::state::header(&bytes).expect("header");
    let mut other = fingerprint.clone().into_bytes();
    other[0] = if other[0] == b'0' { b'1' } else { b'0' };
    let mut damaged = bytes.clone();
    let mid = damaged.len() / 2;
    damaged[mid] = damaged[mid].wrapping_add(1);
    for garbage in [
        // An earlier version's JSON state.
        b"{\"format\":4,\"fingerprint\":\"x\"".to_vec(),
        // Another fingerprint (the config changed since).
        edit_state(&bytes, fingerprint.as_bytes(), &other),
        // An edit that still decodes, but without a matching checksum.
        replace_bytes(&bytes, b"Bob Builder", b"Rob Stately"),
        // Cut short, and damaged in the middle.
        bytes[..bytes.len() * 2 / 3].to_vec(),
        damaged,
    ] {
        std::fs::write(&state, garbage).expect("write");
        let site = build(s.repo.path(), &[]);
        assert!(site.notes().is_empty(), "{:?}", site.notes());
        assert_eq!(site.read("plan.json"), good.read("plan.json"));
        assert_eq!(site.changes(), good.changes());
        assert_eq!(state_head(&s.repo), s.c[7].as_str());
    }
    // The JSON state of earlier versions is removed when the state is written.
    let old = state.with_file_name("state.json");
    std::fs::write(&old, "{\"format\":4}").expect("write");
    std::fs::remove_file(&state).expect("remove state");
    assert_eq!(
        build(s.repo.path(), &[]).read("plan.json"),
        good.read("plan.json")
    );
    assert!(state.exists() && !old.exists());
    for garbage in [
        "this is not json\n\u{0}\u{1}",
        "{\"format\":1,\"fingerprint\":\"x\"",
    ] {
        // Without the state at HEAD, the per-commit cache is read.
        std::fs::remove_file(&state).expect("remove state");
        std::fs::write(&path, garbage).expect("write");
        let site = build(s.repo.path(), &[]);
        assert_eq!(
            site.notes(),
            ["the history cache was unreadable and has been rebuilt"]
        );
        assert_eq!(site.read("plan.json"), good.read("plan.json"));
        assert_eq!(site.changes(), good.changes());
        assert_eq!(cache_records(&path).len(), 8 + 1);
    }
    // A valid header with a broken entry, its checksum right, is corrupt
    // too.
    let mut records = cache_records(&path);
    records[3] = vec![42];
    let sealed: Vec<u8> = records
        .iter()
        .flat_map(|r| northstar::history::store::commits::seal(r))
        .collect();
    std::fs::write(&path, sealed).expect("write");
    std::fs::remove_file(&state).expect("remove state");
    let site = build(s.repo.path(), &[]);
    assert_eq!(
        site.notes(),
        ["the history cache was unreadable and has been rebuilt"]
    );
    assert_eq!(site.read("plan.json"), good.read("plan.json"));
    // Once rebuilt, no note.
    assert!(build(s.repo.path(), &[]).notes().is_empty());
}

#[test]
fn a_cache_for_another_config_is_rebuilt() {
    let s = story();
    build(s.repo.path(), &[]);
    let path = cache_path(&s.repo);
    let before = cache_records(&path);
    s.repo.file(
        "northstar.yaml",
        &format!("{CONFIG}exclude: [\"drafts/**\"]\n"),
    );
    let site = build(s.repo.path(), &[]);
    assert_eq!(
        site.notes(),
        ["the history cache was for another config or version and has been rebuilt"]
    );
    assert_eq!(site.history("f1").len(), 6);
    let after = cache_records(&path);
    assert_ne!(before[0], after[0], "new fingerprint");
    assert_eq!(after.len(), 8 + 1);
    assert!(build(s.repo.path(), &[]).notes().is_empty());
    // A cache of an earlier format is one for another version, not a
    // damaged one, whatever its entries hold.
    let (format, fingerprint) =
        northstar::history::store::commits::header(&after[0]).expect("header");
    let older = northstar::history::store::codec::to_bytes(&(format - 1, fingerprint));
    let mut file = northstar::history::store::commits::seal(&older);
    file.extend(northstar::history::store::commits::seal(b"{}"));
    std::fs::write(&path, file).expect("write");
    std::fs::remove_file(state_path(&s.repo)).expect("remove state");
    assert_eq!(
        build(s.repo.path(), &[]).notes(),
        ["the history cache was for another config or version and has been rebuilt"]
    );
}

#[test]
fn an_as_of_build_leaves_the_cache_of_the_head_alone() {
    let s = story();
    s.git.run(&["tag", "v1", &s.c[0]]);
    // The config changed after v1: v1 is read with its own config.
    s.repo.file(
        "northstar.yaml",
        &format!("{CONFIG}site:\n  title: New title\n"),
    );
    s.git.commit("Retitle the site", "2026-07-01");
    s.git.run(&["checkout", "-q", "-b", "side"]);
    s.repo
        .file("seg.yaml", "kind: segment\nid: seg\ntitle: Side segment\n");
    let side = s.git.commit("On a side branch", "2026-07-02");
    s.git.run(&["checkout", "-q", "main"]);
    build(s.repo.path(), &[]);
    let path = cache_path(&s.repo);
    let head_cache = std::fs::read(&path).expect("cache");
    assert_eq!(cache_records(&path).len(), 9 + 1);
    // Another config: read without the cache, and the cache is left as is.
    let old = build(s.repo.path(), &["--as-of", "v1"]);
    assert!(old.notes().is_empty(), "{:?}", old.notes());
    assert_eq!(old.history("f1").len(), 1);
    assert_eq!(std::fs::read(&path).expect("cache"), head_cache);
    // The same config, commits HEAD does not have: added to the cache,
    // nothing dropped.
    let branch = build(s.repo.path(), &["--as-of", "side"]);
    assert!(branch.notes().is_empty(), "{:?}", branch.notes());
    assert_eq!(branch.history("seg")[0]["commit"], side.as_str());
    let cache = cache_records(&path);
    assert_eq!(
        cache[0],
        northstar::history::store::commits::records(&head_cache)[0]
    );
    assert_eq!(cache.len(), 9 + 1 + 1);
    // HEAD again: served from the cache, no note.
    let head = build(s.repo.path(), &[]);
    assert!(head.notes().is_empty(), "{:?}", head.notes());
    assert_eq!(head.history("seg").len(), 1);
    assert_eq!(cache_records(&path).len(), 9 + 1 + 1);
}

// ---------------------------------------------------------------------------
// "Today" and `stale`

#[test]
fn today_is_the_head_commit_date_when_the_tree_is_clean_and_unpinned() {
    let (repo, git) = plans();
    let unpinned = "product: Test Product\nrules:\n  stale: { level: warning, days: 30 }\n";
    repo.file("northstar.yaml", unpinned).file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    git.commit("Plans", "2026-02-01");
    repo.file("met.yaml", &metric(11));
    // Authored on 10 Mar, committed on 15 Mar: the committer date counts.
    git.commit_dated("Metric", "2026-03-10", "2026-03-15", BOB);
    let site = build(repo.path(), &[]);
    assert_eq!(site.plan()["today"], "2026-03-15");
    // 1 Feb → 15 Mar: 42 days without a change.
    assert_eq!(
        stale(&repo),
        [(
            "f1.md".to_string(),
            4,
            9,
            "in-progress feature `f1` has not changed for 42 days".to_string()
        )]
    );
    // The same commit builds the same site whatever the calendar says.
    assert_eq!(
        build(repo.path(), &[]).read("plan.json"),
        site.read("plan.json")
    );
    // An edit in the working tree: the plans are no longer as committed,
    // today is the clock's.
    repo.file("met.yaml", &metric(12));
    let before = clock_day();
    let today = build(repo.path(), &[]).plan()["today"].clone();
    let after = clock_day();
    assert!(
        today == before.as_str() || today == after.as_str(),
        "{today}: neither {before} nor {after}"
    );
}

#[test]
fn the_clock_s_today_is_the_local_date() {
    let repo = Repo::empty();
    repo.file("northstar.yaml", "product: Test Product\n").file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    // UTC+14 and UTC-12 are 26 hours apart: never on the same date.
    for zone in ["Etc/GMT-14", "Etc/GMT+12"] {
        let local = || {
            let now = jiff::Timestamp::now().in_tz(zone).expect("zone");
            now.date().to_string()
        };
        let tmp = tempfile::tempdir().expect("tempdir");
        let before = local();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_northstar"))
            .arg("-C")
            .arg(repo.path())
            .args(["build", "--allow-errors", "-o"])
            .arg(tmp.path().join("site"))
            .env("TZ", zone)
            .output()
            .expect("run northstar");
        let after = local();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plan: Value = serde_json::from_slice(
            &std::fs::read(tmp.path().join("site/plan.json")).expect("plan.json"),
        )
        .expect("json");
        let today = plan["today"].as_str().unwrap_or("");
        assert!(
            today == before || today == after,
            "{zone}: {today}, neither {before} nor {after}"
        );
    }
}

#[test]
fn changes_are_dated_when_they_landed_on_the_committer_s_calendar() {
    let (repo, git) = plans();
    let unpinned = "product: Test Product\n";
    repo.file("northstar.yaml", unpinned).file(
        "f1.md",
        &feature("Feature One", "in-progress", "m1", 1, "G."),
    );
    git.commit("Plans", "2026-02-01");
    repo.file("met.yaml", &metric(11));
    git.commit("Metric", "2026-03-09");
    // Written on 2 March, landed (rebased) on 10 March at 23:30 in New
    // York, which is 04:30 UTC on the 11th: dated 10 March, after the
    // change that landed on the 9th.
    repo.file("met.yaml", &metric(12));
    git.commit_dated(
        "Metric again",
        "2026-03-02T10:00:00-05:00",
        "2026-03-10T23:30:00-05:00",
        BOB,
    );
    let site = build(repo.path(), &[]);
    assert_eq!(site.plan()["today"], "2026-03-10");
    let dates = |site: &Site| {
        site.history("met")
            .iter()
            .map(|e| e["date"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(dates(&site), ["2026-03-10", "2026-03-09", "2026-02-01"]);
    // East of UTC the same instant is already the next day.
    repo.file("met.yaml", &metric(13));
    git.commit_dated(
        "Metric once more",
        "2026-03-16T07:30:00+09:00",
        "2026-03-16T07:30:00+09:00",
        BOB,
    );
    let site = build(repo.path(), &[]);
    assert_eq!(site.plan()["today"], "2026-03-16");
    assert_eq!(
        dates(&site),
        ["2026-03-16", "2026-03-10", "2026-03-09", "2026-02-01"]
    );
}

#[test]
fn stale_warns_at_the_status_of_features_unchanged_for_too_long() {
    let (repo, git) = plans();
    let f = |title: &str, status: &str| feature(title, status, "m1", 1, "G.");
    repo.file("f1.md", &f("Old work", "in-progress"))
        .file("f2.md", &f("Touched lately", "in-progress"))
        .file("f3.md", &f("Edited now", "beta"))
        .file("f4.md", &f("Not started", "planned"))
        .file("f5.md", &f("Exactly thirty", "in-progress"))
        .file("f6.md", &f("Thirty-one", "beta"));
    git.commit("Plans", "2026-01-05");
    repo.file("f6.md", &feature("Thirty-one", "beta", "m1", 1, "Updated."));
    git.commit("F6", "2026-10-01");
    repo.file(
        "f5.md",
        &feature("Exactly thirty", "in-progress", "m1", 1, "Updated."),
    );
    git.commit("F5", "2026-10-02");
    repo.file(
        "f2.md",
        &feature("Touched lately", "in-progress", "m1", 2, "G."),
    );
    git.commit("F2", "2026-10-20");
    // F3: an uncommitted edit is a change.
    repo.file("f3.md", &feature("Edited now", "beta", "m1", 1, "G. More."));
    let diags = repo.diagnostics();
    let found: Vec<&Value> = diags.iter().filter(|d| d["rule"] == "stale").collect();
    assert_eq!(
        found,
        [
            &json!({
                "rule": "stale", "level": "warning",
                "message": "in-progress feature `f1` has not changed for 300 days",
                "file": "f1.md", "line": 4, "column": 9, "end_line": 4, "end_column": 20,
                "notes": ["last changed 5 Jan 2026; the limit is 30 days (`rules.stale.days`)"],
            }),
            &json!({
                "rule": "stale", "level": "warning",
                "message": "beta feature `f6` has not changed for 31 days",
                "file": "f6.md", "line": 4, "column": 9, "end_line": 4, "end_column": 13,
                "notes": ["last changed 1 Oct 2026; the limit is 30 days (`rules.stale.days`)"],
            }),
        ]
    );
    // The default is 45 days, and the rule can be turned off.
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\n",
    );
    assert_eq!(
        stale(&repo)
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>(),
        ["f1.md"]
    );
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nrules:\n  stale: off\n",
    );
    assert!(stale(&repo).is_empty());
}

#[test]
fn a_deleted_document_stays_in_the_change_log_without_a_link() {
    let (repo, git) = plans();
    repo.file("f4.md", &feature("Feature Four", "idea", "m1", 1, "G."));
    git.commit("Add F4", "2026-01-05");
    std::fs::remove_file(repo.join("f4.md")).expect("rm");
    git.commit("Drop F4", "2026-02-01");
    let site = build(repo.path(), &[]);
    assert!(!site.exists("feature/f4.html"));
    let changes = texts(&site.changes()).join("\n");
    assert!(
        changes.contains("Feature Four: deleted, by Alice, 1 Feb 2026"),
        "{changes}"
    );
    assert!(
        changes.contains("Feature Four: created, by Alice, 5 Jan 2026"),
        "{changes}"
    );
    assert!(!site.read("changes.html").contains("feature/f4.html"));
    // A public build shows nothing of a document it does not publish.
    let public = build(repo.path(), &["--audience", "public"]);
    assert!(!texts(&public.changes()).join("\n").contains("Feature Four"));
}

/// How a build read its history, from the timings the binary prints with
/// `NORTHSTAR_TIMINGS`.
#[derive(Debug, PartialEq, Eq)]
enum Read {
    /// The state at HEAD as cached: no commit walked, nothing replayed.
    Cached,
    /// The cached state of an earlier HEAD, the new commits replayed on it.
    NewCommits,
    /// Every commit replayed (from the per-commit cache where it can).
    Whole,
}

/// The site a build gives, and how it read its history.
fn build_timed(root: &Path) -> (Site, Read) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_northstar"))
        .arg("-C")
        .arg(root)
        .args(["build", "-o"])
        .arg(&dir)
        .env("NORTHSTAR_TIMINGS", "1")
        .output()
        .expect("run northstar");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "build failed:\n{stderr}");
    let path = if stderr.contains("history: replay new commits") {
        Read::NewCommits
    } else if stderr.contains("history: replay") {
        Read::Whole
    } else {
        assert!(!stderr.contains("history: list commits"), "{stderr}");
        Read::Cached
    };
    (Site { _tmp: tmp, dir }, path)
}

/// Asserts that a build from the caches as they are gives the same site as
/// a build with no cache at all, and says how it read its history. The
/// caches are put back afterwards.
fn same_as_a_full_read(s: &Story) -> Read {
    let (warm, path) = build_timed(s.repo.path());
    let caches = s.repo.join(".git/northstar");
    let aside = s.repo.join(".git/northstar-aside");
    std::fs::rename(&caches, &aside).expect("move caches aside");
    let (cold, again) = build_timed(s.repo.path());
    assert_eq!(
        again,
        Read::Whole,
        "a build without caches reads everything"
    );
    for page in [
        "plan.json",
        "changes.html",
        "feature/f1.html",
        "feature/f2.html",
        "milestone/m1.html",
        "milestone/m2.html",
        "metric/met.html",
        "index.html",
        "feed.xml",
    ] {
        assert_eq!(warm.read(page), cold.read(page), "{page} differs");
    }
    std::fs::remove_dir_all(&caches).expect("remove the cold caches");
    std::fs::rename(&aside, &caches).expect("put caches back");
    path
}

fn cache_lines(s: &Story) -> usize {
    cache_records(&cache_path(&s.repo)).len()
}

#[test]
fn the_state_at_head_gives_the_same_site_as_reading_every_commit() {
    let s = story();
    build(s.repo.path(), &[]);
    assert_eq!(state_head(&s.repo), s.c[7].as_str());
    // No new commit: the state is the history.
    assert_eq!(same_as_a_full_read(&s), Read::Cached);
    // One new commit, newer than every other: replayed on the state.
    s.repo.file(
        "features/f1.md",
        &feature("Feature One", "shipped", "m1", 250, "Be fast, and correct."),
    );
    s.git.commit("Ship F1", "2026-07-01");
    assert_eq!(same_as_a_full_read(&s), Read::NewCommits);
    // A few new commits leave the state where it was (writing it costs
    // more than replaying them next time)...
    assert_eq!(state_head(&s.repo), s.c[7].as_str());
    // ...and builds after them take those commits from the per-commit
    // cache rather than git, without adding them to it again.
    let lines = cache_lines(&s);
    assert_eq!(same_as_a_full_read(&s), Read::NewCommits);
    assert_eq!(same_as_a_full_read(&s), Read::NewCommits);
    assert_eq!(cache_lines(&s), lines);
    // A branch and its merge, all newer: replayed on the state too.
    s.git.run(&["checkout", "-q", "-b", "feat"]);
    s.repo
        .file("seg.yaml", "kind: segment\nid: seg\ntitle: Segment B\n");
    s.git
        .commit_as("Rename segment on a branch", "2026-07-05", BOB);
    s.git.run(&["checkout", "-q", "main"]);
    s.repo.file("met.yaml", &metric(50));
    s.git.commit("Metric 50", "2026-07-06");
    s.git.run_as(
        &["merge", "-q", "--no-ff", "feat", "-m", "Merge feat"],
        "2026-07-07",
        CAROL,
    );
    assert_eq!(same_as_a_full_read(&s), Read::NewCommits);
    // Commits made in the same second: git orders them by how its walk
    // reaches them, which the old HEAD takes part in, so the whole history
    // is replayed.
    let base = s.git.run(&["rev-parse", "HEAD"]);
    s.git.run(&["checkout", "-q", "-b", "x", &base]);
    s.repo.file("met.yaml", &metric(71));
    s.git.commit("Metric 71", "2026-07-08");
    s.git.run(&["checkout", "-q", "-b", "y", &base]);
    s.repo
        .file("seg.yaml", "kind: segment\nid: seg\ntitle: Segment Y\n");
    s.git.commit("Segment Y", "2026-07-08");
    s.git.run(&["checkout", "-q", "main"]);
    s.git.run_as(
        &["merge", "-q", "--no-ff", "x", "y", "-m", "Merge x and y"],
        "2026-07-09",
        CAROL,
    );
    assert_eq!(same_as_a_full_read(&s), Read::Whole);
    // A branch started long ago with an old commit, merged now: the old
    // commit would replay out of order, so the history is replayed whole.
    let head = s.git.run(&["rev-parse", "HEAD"]);
    s.git.run(&["checkout", "-q", "-b", "old", &s.c[3]]);
    s.repo.file("met.yaml", &metric(12));
    s.git.commit("Old metric reading", "2026-03-20");
    s.git.run(&["checkout", "-q", "main"]);
    s.git.run_as(
        &[
            "merge",
            "-q",
            "--no-ff",
            "-X",
            "ours",
            "old",
            "-m",
            "Merge old",
        ],
        "2026-07-10",
        CAROL,
    );
    assert_eq!(same_as_a_full_read(&s), Read::Whole);
    // History rewritten (HEAD is no descendant of the state's): whole too.
    s.git.run(&["reset", "-q", "--hard", &head]);
    s.repo
        .file("seg.yaml", "kind: segment\nid: seg\ntitle: Segment C\n");
    s.git.commit("Rename segment again", "2026-07-11");
    assert_eq!(same_as_a_full_read(&s), Read::Whole);
    // A full replay writes the state at HEAD...
    assert_eq!(
        state_head(&s.repo),
        s.git.run(&["rev-parse", "HEAD"]).as_str()
    );
    // ...after which the next commit is replayed alone again.
    s.repo.file("met.yaml", &metric(60));
    s.git.commit("Metric 60", "2026-07-12");
    assert_eq!(same_as_a_full_read(&s), Read::NewCommits);
    // Enough new commits, and the state moves to HEAD.
    for i in 0..32 {
        s.repo.file("met.yaml", &metric(100 + i));
        let date = format!("2026-{:02}-{:02}", 8 + i / 28, i % 28 + 1);
        s.git.commit(&format!("Metric {}", 100 + i), &date);
    }
    assert_eq!(same_as_a_full_read(&s), Read::NewCommits);
    assert_eq!(
        state_head(&s.repo),
        s.git.run(&["rev-parse", "HEAD"]).as_str()
    );
    assert_eq!(same_as_a_full_read(&s), Read::Cached);
}

/// A public build's `plan.json` history keeps no date finer than the
/// quarter and no author, like the rest of the public site.
#[test]
fn a_public_plan_json_history_has_quarters_and_no_authors() {
    let (repo, git) = plans();
    let public = |date: &str| format!("{}visibility: public\n", milestone("m9", "Launch", date));
    repo.file("m9.yaml", &public("2027-04-15"));
    git.commit("Plan the launch", "2026-01-05");
    repo.file("m9.yaml", &public("2027-08-20"));
    let moved = git.commit("Launch slips", "2026-02-10");
    let internal = build(repo.path(), &[]);
    assert_eq!(
        internal.history("m9")[0]["changes"],
        json!([{"field": "date", "from": "2027-04-15", "to": "2027-08-20"}])
    );
    let site = build(repo.path(), &["--audience", "public"]);
    let h = site.history("m9");
    assert_eq!(h.len(), 2, "{h:#?}");
    assert_eq!(h[0]["commit"], moved.as_str());
    assert_eq!(h[0]["date"], "2026-Q1");
    assert_eq!(h[0]["author"], Value::Null);
    assert_eq!(
        h[0]["changes"],
        json!([{"field": "date", "from": "2027-Q2", "to": "2027-Q3"}])
    );
    assert!(
        !site.read("plan.json").contains("2027-04-15"),
        "no exact date anywhere in the public plan.json"
    );
}

/// A document or changes template written for the lists and facts as
/// template values (`page.history`, `page.facts`, `page.entries`) still
/// gets them.
#[test]
fn overridden_templates_still_get_history_as_values() {
    let s = story();
    s.repo
        .file(
            "templates/document.hbs",
            "{{#each page.history}}<li>{{summary}} ({{author.title}})</li>{{/each}}\
             <p>created {{page.facts.created}}, slips {{page.facts.slips}}</p>\
             {{#each page.readings}}<i>{{date}}={{value}}</i>{{/each}}",
        )
        .file(
            "templates/changes.hbs",
            "{{#each page.entries}}<li>{{title}}: {{summary}}</li>{{/each}}",
        );
    let site = build(s.repo.path(), &[]);
    let page = site.read("feature/f1.html");
    assert!(
        page.contains("<li>status planned → in-progress (Bob Builder)</li>"),
        "{page}"
    );
    // As on the built-in page (`facts_created_last_changed_slips_and_days_in_status`).
    assert!(
        page.contains("<p>created 5 Jan 2026, slips 2</p>"),
        "{page}"
    );
    // A metric's values, as `page.readings` (the built-in template gets
    // `page.readings_html`).
    let met = site.read("metric/met.html");
    assert!(
        met.contains("<i>1 Jun 2026=35</i><i>1 Apr 2026=20</i><i>5 Jan 2026=10</i>"),
        "{met}"
    );
    let changes = site.read("changes.html");
    assert!(
        changes.contains("<li>Feature Two: created</li>"),
        "{changes}"
    );
}

/// One e-mail committing under two names (no person has that e-mail):
/// each change shows the name it was made under, on a first build and on
/// a rebuild from the cached state alike.
#[test]
fn one_email_under_two_names_shows_each_name_from_the_cache_too() {
    let (repo, git) = plans();
    const OLD: crate::git::Who = crate::git::Who {
        name: "Bob Builder",
        email: "bob@example.com",
    };
    const NEW: crate::git::Who = crate::git::Who {
        name: "Robert Renamed",
        email: "bob@example.com",
    };
    repo.file(
        "features/f1.md",
        &feature("Feature One", "planned", "m1", 100, "Be fast."),
    );
    git.commit_as("One", "2026-01-05", OLD);
    repo.file(
        "features/f1.md",
        &feature("Feature One", "in-progress", "m1", 100, "Be fast."),
    );
    git.commit_as("Two", "2026-02-05", NEW);
    let cold = build(repo.path(), &[]);
    let warm = build(repo.path(), &[]);
    let who = |site: &Site| -> Vec<String> {
        site.page_history("feature/f1.html")
            .into_iter()
            .map(|(_, text)| text)
            .collect()
    };
    let first = who(&cold);
    assert!(first[0].contains("by Robert Renamed"), "{first:?}");
    assert!(first[1].contains("by Bob Builder"), "{first:?}");
    assert_eq!(who(&warm), first);
}

/// Editing what only the site or the checks use (the site's title, a
/// rule's level, a kind's display name) keeps the history cache: the next
/// build reads no commit again. Editing which files are plans rebuilds it.
#[test]
fn editing_display_settings_keeps_the_history_cache() {
    let s = story();
    build(s.repo.path(), &[]);
    let cache = s.repo.join(".git/northstar/history.bin");
    let state = state_path(&s.repo);
    let before = (
        std::fs::read(&cache).expect("cache"),
        std::fs::read(&state).expect("state"),
    );
    let config = std::fs::read_to_string(s.repo.join("northstar.yaml")).expect("config");
    s.repo.file(
        "northstar.yaml",
        &format!(
            "# Our plans.\n{}  orphan: off\nsite:\n  title: Renamed\nkinds:\n  feature:\n    name: Initiative\n",
            config.replace("days: 30", "days: 45")
        ),
    );
    let site = build(s.repo.path(), &[]);
    assert!(site.read("index.html").contains("Renamed"));
    let after = (
        std::fs::read(&cache).expect("cache"),
        std::fs::read(&state).expect("state"),
    );
    assert!(before == after, "the history cache was rewritten");
    // Which files are plans: read again.
    s.repo.file(
        "northstar.yaml",
        &format!("{config}exclude: [\"drafts/**\"]\n"),
    );
    build(s.repo.path(), &[]);
    assert!(
        std::fs::read(&cache).expect("cache") != before.0,
        "the cache was kept across a change of what is read"
    );
}

/// A schema edit keeps the history cache unless it changes how a value
/// history read is typed; then the commits that read such values are read
/// again. After each edit the site built from the cache is the site built
/// without it (a cache serving stale typing would show `4,355` where the
/// schema now says text, or the reverse).
#[test]
fn a_schema_edit_rereads_only_what_it_types_otherwise() {
    let repo = Repo::empty();
    let schema = |extra: &str| {
        format!(
            r#"{{"type": "object", "additionalProperties": true, "properties": {{"title": {{"type": "string"}}, "status": {{"type": "string"}}{extra}}}}}"#
        )
    };
    let kep = |status: &str, number: u32| {
        format!("title: Sidecars\nstatus: {status}\nkep-number: {number}\nsig: node\n")
    };
    repo.file(
        "northstar.yaml",
        "product: Specs\nrules:\n  single-product: off\nkinds:\n  kep:\n    schema: schema/kep.json\n    files: \"keps/*/kep.yaml\"\n    id: \"kep-{dir}\"\n    public: true\n",
    )
    .file("schema/kep.json", &schema(""))
    .file("keps/753/kep.yaml", &kep("provisional", 4355));
    let git = Git::init(repo.path());
    git.commit("Propose sidecars", "2026-01-05");
    repo.file("keps/753/kep.yaml", &kep("implementable", 4355));
    git.commit("Sidecars are implementable", "2026-02-02");
    repo.file("keps/753/kep.yaml", &kep("implementable", 4356));
    let renumber = git.commit("Renumber", "2026-03-02");

    let cache = cache_path(&repo);
    let state = state_path(&repo);
    let files = || {
        (
            std::fs::read(&cache).expect("cache"),
            std::fs::read(&state).expect("state"),
        )
    };
    // The site from the cache, then from no cache: the same.
    let both = || {
        let cached = build(repo.path(), &[]);
        std::fs::remove_dir_all(repo.join(".git/northstar")).expect("remove cache");
        let cold = build(repo.path(), &[]);
        for page in ["plan.json", "kep/kep-753.html", "changes.html"] {
            assert_eq!(cached.read(page), cold.read(page), "{page}");
        }
        cached
    };
    let first = both();
    let before = files();
    let plan = first.read("plan.json");
    assert!(
        plan.contains("4356,") && !plan.contains("\"4356\""),
        "typed as a number: {plan}"
    );

    // A description and a field no version has: typed the same; the
    // caches are kept as they were.
    repo.file(
        "schema/kep.json",
        &schema(r#", "owner": {"type": "string", "description": "who"}"#),
    );
    build(repo.path(), &[]);
    assert!(
        files() == before,
        "a schema edit that types nothing otherwise rewrote the cache"
    );

    // `kep-number` made text: what was read as 4355 is read again.
    repo.file(
        "schema/kep.json",
        &schema(r#", "kep-number": {"type": "string"}"#),
    );
    let text = both();
    let plan = text.read("plan.json");
    assert!(
        plan.contains("\"4356\"") && !plan.contains("4356,"),
        "typed as text: {plan}"
    );

    // And back.
    repo.file("schema/kep.json", &schema(""));
    let back = both();
    assert_eq!(back.read("plan.json"), first.read("plan.json"));

    // A build of an older revision, whose schema types kep-number
    // otherwise, leaves HEAD's cache as it was.
    repo.file(
        "schema/kep.json",
        &schema(r#", "kep-number": {"type": "string"}"#),
    );
    git.commit("KEP numbers are text", "2026-04-06");
    build(repo.path(), &[]);
    let kept = files();
    let old = build(repo.path(), &["--as-of", &renumber]);
    assert!(
        old.read("plan.json").contains("4356,"),
        "typed as it was then"
    );
    assert!(files() == kept, "an --as-of build rewrote HEAD's cache");
}
