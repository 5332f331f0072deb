//! The change log a reader follows (commits grouped by week, each with its
//! message, creations folded, key results named, gaps summed up), the
//! health page's portfolio of risks, and the home page's risk summary.
//! Repositories with history are made by code (`git.rs`).

use crate::common::*;
use crate::git::{ALICE, BOB, Git};
use std::path::{Path, PathBuf};

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

    /// The change log's commits, newest first: the HTML of each
    /// `<article class="commit">`.
    fn commits(&self) -> Vec<String> {
        let html = self.read("changes.html");
        html.split("<article class=\"commit\">")
            .skip(1)
            .map(|c| c[..c.find("</article>").expect("closed commit")].to_string())
            .collect()
    }

    /// The text of the element whose opening tag holds `marker` in `page`.
    fn text_of(&self, page: &str, marker: &str) -> String {
        let html = self.read(page);
        element_text(&html, marker).unwrap_or_else(|| panic!("no {marker} in {page}:\n{html}"))
    }
}

/// Builds `root` into a fresh folder; asserts the build succeeded.
fn build(root: &Path, extra: &[&str]) -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let out = dir.to_str().expect("utf-8 path").to_string();
    let mut args = vec!["build", "--allow-errors", "-o", out.as_str()];
    args.extend_from_slice(extra);
    let run = run_in(root, &args);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    Site { _tmp: tmp, dir }
}

/// The text of the first element whose opening tag holds `marker`, up to
/// its closing tag (nested elements of the same name are counted).
fn element_text(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let open = html[..=at].rfind('<')?;
    let name: String = html[open + 1..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let body = at + html[at..].find('>')? + 1;
    let (mut depth, mut i) = (1, body);
    while depth > 0 {
        let next_open = html[i..].find(&format!("<{name}")).map(|p| p + i);
        let next_close = html[i..].find(&format!("</{name}>")).map(|p| p + i)?;
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o + 1;
            }
            _ => {
                depth -= 1;
                i = next_close + 1;
            }
        }
    }
    Some(html_text(&html[body..i - 1]))
}

fn feature(id: &str, title: &str, status: &str, milestone: &str) -> String {
    format!(
        "---\nkind: feature\nid: {id}\ntitle: {title}\nstatus: {status}\nowner: alice\nobjectives: [obj]\nmilestone: {milestone}\nvisibility: public\n---\n## Problem\nSlow.\n\n## Goals\nFast.\n\n## Non-goals\nNone.\n\n## Requirements\nFast.\n"
    )
}

fn objective(current: u32) -> String {
    format!(
        "kind: objective\nid: obj\ntitle: Objective\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: Reach forty paying teams\n    metric: met\n    baseline: 0\n    target: 40\n    current: {current}\n"
    )
}

/// The commit's message heads its block, above its changes, with who and
/// when; the message is the commit's, not another's.
#[test]
fn each_commit_is_shown_with_its_message_author_and_date_above_its_changes() {
    let repo = Repo::base();
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m1"));
    let git = Git::init(repo.path());
    git.commit_as("Initial plans", "2026-01-05", ALICE);
    repo.file("f1.md", &feature("f1", "Feature One", "in-progress", "m1"));
    let start = git.commit_as("Start F1: the team is free", "2026-02-03", BOB);
    let site = build(repo.path(), &[]);
    let commits = site.commits();
    assert_eq!(commits.len(), 2, "{commits:#?}");
    assert_eq!(
        element_text(&commits[0], "class=\"commit-message\"").as_deref(),
        Some("Start F1: the team is free")
    );
    assert_eq!(
        element_text(&commits[0], "class=\"commit-meta").as_deref(),
        Some(format!("by Bob Builder, 3 Feb 2026 {}", &start[..10]).as_str())
    );
    assert_eq!(
        element_text(&commits[0], "class=\"commit-changes\"").as_deref(),
        Some("Feature One: status planned → in-progress")
    );
    assert_eq!(
        element_text(&commits[1], "class=\"commit-message\"").as_deref(),
        Some("Initial plans")
    );
    // A status change is marked for the "status changes" filter.
    assert!(
        commits[0].contains("data-log-status=\"1\""),
        "{}",
        commits[0]
    );
}

/// Commits are grouped by the week (from Monday) they were made in,
/// newest week first.
#[test]
fn commits_are_grouped_by_week() {
    let repo = Repo::base();
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m1"));
    let git = Git::init(repo.path());
    git.commit("Initial plans", "2026-03-02");
    repo.file("f1.md", &feature("f1", "Feature One", "in-progress", "m1"));
    git.commit("Start F1", "2026-03-05");
    repo.file("f1.md", &feature("f1", "Feature One", "beta", "m1"));
    git.commit("F1 in beta", "2026-03-10");
    let site = build(repo.path(), &[]);
    let html = site.read("changes.html");
    let weeks: Vec<(String, usize)> = html
        .split("<section class=\"week\">")
        .skip(1)
        .map(|w| {
            let w = &w[..w.find("</section>").expect("closed week")];
            let head = element_text(w, "class=\"week-head\"").expect("week heading");
            (head, w.matches("<article class=\"commit\">").count())
        })
        .collect();
    assert_eq!(
        weeks,
        [
            ("Week of 9 Mar 2026".to_string(), 1),
            ("Week of 2 Mar 2026".to_string(), 2)
        ]
    );
}

/// A commit that creates many documents shows one folded line with the
/// count, the documents listed inside; a commit creating a few lists them.
#[test]
fn a_bulk_creation_is_folded_into_one_line_with_its_count() {
    let repo = Repo::base();
    let git = Git::init(repo.path());
    // The base plan: eight documents.
    git.commit("Import the plan", "2026-01-05");
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m1"))
        .file("f2.md", &feature("f2", "Feature Two", "planned", "m1"));
    git.commit("Two features", "2026-01-06");
    let site = build(repo.path(), &[]);
    let commits = site.commits();
    assert_eq!(commits.len(), 2);
    assert_eq!(
        element_text(&commits[1], "<summary").as_deref(),
        Some(
            "8 documents created (1 metric, 2 milestones, 1 objective, 1 person, 1 product, 1 segment, 1 strategy)"
        )
    );
    assert!(commits[1].contains("<details>"), "{}", commits[1]);
    assert_eq!(commits[1].matches("<li class=\"event").count(), 0);
    assert!(commits[1].contains("<a href=\"milestone/m2.html\">M2</a>"));
    // Two creations are listed one by one.
    assert!(!commits[0].contains("<details>"));
    assert_eq!(
        element_text(&commits[0], "class=\"commit-changes\"").as_deref(),
        Some("Feature Two: created Feature One: created")
    );
}

/// The change log lists at most 500 changes one by one; a commit past that
/// budget says how many of its changes are left out (and where to find
/// them) instead of dropping them silently.
#[test]
fn a_commit_past_the_log_s_budget_says_how_many_changes_are_left_out() {
    let repo = Repo::base();
    let ids: Vec<String> = (0..503).map(|i| format!("f{i:03}")).collect();
    for id in &ids {
        repo.file(&format!("{id}.md"), &feature(id, id, "planned", "m1"));
    }
    let git = Git::init(repo.path());
    git.commit("Import the plan", "2026-01-05");
    for id in &ids {
        repo.file(&format!("{id}.md"), &feature(id, id, "in-progress", "m1"));
    }
    git.commit("Start everything", "2026-01-12");
    let site = build(repo.path(), &[]);
    let commits = site.commits();
    // Only the newest commit is shown: the budget is spent inside it.
    assert_eq!(commits.len(), 1, "{} commits", commits.len());
    assert_eq!(commits[0].matches("<li class=\"event").count(), 500);
    assert_eq!(
        element_text(&commits[0], "class=\"more muted\"").as_deref(),
        Some(
            "and 3 more changes in this commit (every document's page, and plan.json, has its whole history)"
        )
    );
}

/// A key result's change names the key result by its text, not by its
/// place in the list.
#[test]
fn a_key_result_change_names_the_key_result_by_its_text() {
    let repo = Repo::base();
    repo.file("obj.yaml", &objective(1));
    let git = Git::init(repo.path());
    git.commit("Initial plans", "2026-01-05");
    repo.file("obj.yaml", &objective(4));
    git.commit("Weekly numbers", "2026-01-12");
    let site = build(repo.path(), &[]);
    assert_eq!(
        element_text(&site.commits()[0], "class=\"commit-changes\"").as_deref(),
        Some("Objective: key result “Reach forty paying teams” current 1 → 4")
    );
}

/// Versions of one file that did not parse are summed up in one note,
/// not one per commit.
#[test]
fn history_gaps_of_one_document_are_summed_up_in_one_line() {
    let repo = Repo::base();
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m1"));
    let git = Git::init(repo.path());
    git.commit("Add F1", "2026-01-05");
    repo.file("f1.md", &feature("f1", "Feature One", "[planned", "m1"));
    let bad1 = git.commit("Oops", "2026-01-10");
    repo.file("f1.md", &feature("f1", "Feature One", "[planned", "m2"));
    git.commit("Oops again", "2026-01-12");
    repo.file("f1.md", &feature("f1", "Feature One", "[beta", "m1"));
    let bad3 = git.commit("And again", "2026-01-14");
    repo.file("f1.md", &feature("f1", "Feature One", "in-progress", "m1"));
    git.commit("Fix F1", "2026-01-20");
    let site = build(repo.path(), &[]);
    let html = site.read("changes.html");
    let notes: Vec<String> = html
        .match_indices("<p class=\"note muted\">")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            html_text(&rest[..rest.find("</p>").expect("closed note")])
        })
        .collect();
    assert_eq!(
        notes,
        [format!(
            "f1.md did not parse at 3 commits, from {} (10 Jan 2026) to {} (14 Jan 2026): its history has gaps there",
            &bad1[..10],
            &bad3[..10]
        )]
    );
}

/// A plan with one of each risk: a feature whose milestone slipped 90
/// days, a planned milestone past its date holding an open feature, an
/// objective of this year whose key result is far behind.
fn risky() -> Repo {
    let repo = Repo::base();
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m1"))
        .file(
            "m0.yaml",
            "kind: milestone\nid: m0\ntitle: Autumn drop\ndate: 2026-10-01\nstatus: planned\n",
        )
        .file("f2.md", &feature("f2", "Feature Two", "in-progress", "m0"))
        .file(
            "obj26.yaml",
            "kind: objective\nid: obj26\ntitle: This year\nstrategy: strat\nperiod: 2026\nkey_results:\n  - title: Sign ninety partners\n    metric: met\n    baseline: 0\n    target: 90\n    current: 9\n",
        );
    let git = Git::init(repo.path());
    git.commit("Initial plans", "2026-10-20");
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m2"));
    git.commit("F1 moves to M2: the vendor is late", "2026-10-26");
    repo
}

/// The health page opens with the portfolio: the slipped feature with
/// its days, the overdue milestone with how late it is; the slip is
/// marked in the change log for the "slips only" filter.
#[test]
fn health_lists_the_slipped_feature_with_its_days_and_the_overdue_milestone() {
    let repo = risky();
    let site = build(repo.path(), &[]);
    assert_eq!(
        site.text_of("health.html", "id=\"slipped\""),
        "Slipped features 1 Feature One — slipped 90 days (once); now due with M2, 15 Apr 2027"
    );
    assert_eq!(
        site.text_of("health.html", "id=\"overdue\""),
        "Overdue milestones 1 Autumn drop — was due 1 Oct 2026, 31 days ago; 1 open feature"
    );
    assert_eq!(
        site.text_of("health.html", "id=\"off-track\""),
        "Key results off track 1 Sign ninety partners — of This year: 9 now, target 90 (from 0); 10% of the way in 2026"
    );
    let health = site.read("health.html");
    assert!(health.contains("<a href=\"feature/f1.html\">Feature One</a>"));
    assert!(health.contains("<a href=\"milestone/m0.html\">Autumn drop</a>"));
    // The raw diagnostics below are text: no Markdown backticks.
    let diags = site.text_of("health.html", "class=\"diags\"");
    assert!(diags.contains("milestone Autumn drop was due"), "{diags}");
    assert!(!health.contains('`'), "{health}");
    let slip = &site.commits()[0];
    assert!(
        slip.contains("data-log-slip=\"1\"") && slip.contains("(+90 days)"),
        "{slip}"
    );
}

/// Only a milestone or date moved later is a slip in the change log's
/// filter: a feature pulled into an earlier milestone is a change, not a
/// slip, and so is a moved date of anything else.
#[test]
fn a_milestone_pulled_in_is_not_marked_as_a_slip() {
    let repo = Repo::base();
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m2"));
    let git = Git::init(repo.path());
    git.commit("Plan F1 for M2", "2026-01-05");
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m1"));
    git.commit("Pull F1 into M1", "2026-01-12");
    repo.file("f1.md", &feature("f1", "Feature One", "planned", "m2"));
    git.commit("Push F1 back to M2", "2026-01-19");
    let site = build(repo.path(), &[]);
    let commits = site.commits();
    let (later, earlier) = (&commits[0], &commits[1]);
    assert!(later.contains("(+90 days)"), "{later}");
    assert!(later.contains("data-log-slip=\"1\""), "{later}");
    assert!(
        earlier.contains("(-90 days)") || earlier.contains("(−90 days)"),
        "{earlier}"
    );
    assert!(!earlier.contains("data-log-slip"), "{earlier}");
}

/// The home page sums the risks up near the top, each count linking to
/// its section of the health page; a plan without risks says so.
#[test]
fn home_sums_up_the_risks_with_exact_counts() {
    let site = build(risky().path(), &[]);
    assert_eq!(
        site.text_of("index.html", "class=\"risk-summary\""),
        "Risks: 1 key result off track, 1 feature slipped, 1 milestone overdue."
    );
    let home = site.read("index.html");
    for (text, id) in [
        ("1 key result off track", "off-track"),
        ("1 feature slipped", "slipped"),
        ("1 milestone overdue", "overdue"),
    ] {
        assert!(
            home.contains(&format!("<a href=\"health.html#{id}\">{text}</a>")),
            "{home}"
        );
    }
    let calm = Repo::base();
    Git::init(calm.path()).commit("Initial plans", "2026-10-20");
    let site = build(calm.path(), &[]);
    assert_eq!(
        site.text_of("index.html", "class=\"risk-summary\""),
        "No risks flagged."
    );
}

/// A public build groups by quarter (a week is finer than it shows),
/// shows no commit message, and flags no risks on its home page (it has
/// no health page to link to). `security::audience` searches every file.
#[test]
fn a_public_change_log_groups_by_quarter_without_messages() {
    let repo = risky();
    let site = build(repo.path(), &["--audience", "public"]);
    let html = site.read("changes.html");
    assert!(!html.contains("Week of"), "{html}");
    assert!(!html.contains("the vendor is late"), "{html}");
    assert!(!html.contains("commit-message"), "{html}");
    assert!(!site.read("index.html").contains("risk-summary"));
}
