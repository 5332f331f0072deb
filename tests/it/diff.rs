//! `northstar diff BASE [HEAD]` and `check --changed-since REV`
//! (docs/format.md §4, §6): git repositories built by code in temporary
//! folders, with fixed authors and dates, compared by the real binary. The
//! JSON output is asserted field by field; the Markdown by its key lines.

use crate::common::{Repo, run_in};
use crate::git::Git;
use serde_json::{Value, json};
use std::path::Path;

// ---------------------------------------------------------------------------
// Git fixtures

/// [`Repo::base`] in a fresh git repository, nothing committed yet.
fn plans() -> (Repo, Git) {
    let repo = Repo::base();
    let git = Git::init(repo.path());
    (repo, git)
}

// ---------------------------------------------------------------------------
// Documents

/// A feature document (Markdown) that checks clean in [`Repo::base`] when
/// its fields are left at their defaults.
struct F<'a> {
    title: &'a str,
    status: &'a str,
    milestone: Option<&'a str>,
    owner: Option<&'a str>,
    reach: u32,
    depends_on: &'a [&'a str],
    goals: &'a str,
}

impl Default for F<'_> {
    fn default() -> Self {
        F {
            title: "F1",
            status: "planned",
            milestone: Some("m1"),
            owner: Some("alice"),
            reach: 100,
            depends_on: &[],
            goals: "Fast.",
        }
    }
}

impl F<'_> {
    fn md(&self) -> String {
        let mut s = format!(
            "---\nkind: feature\ntitle: {}\nstatus: {}\n",
            self.title, self.status
        );
        if let Some(o) = self.owner {
            s.push_str(&format!("owner: {o}\n"));
        }
        s.push_str("objectives: [obj]\n");
        if let Some(m) = self.milestone {
            s.push_str(&format!("milestone: {m}\n"));
        }
        if !self.depends_on.is_empty() {
            s.push_str(&format!("depends_on: [{}]\n", self.depends_on.join(", ")));
        }
        s.push_str(&format!(
            "rice:\n  reach: {}\n  impact: 1\n  confidence: 0.5\n  effort: 2\n---\n",
            self.reach
        ));
        s.push_str(&format!(
            "## Problem\nCheckout is slow.\n\n## Goals\n{}\n\n## Non-goals\nNone.\n\n## Requirements\nFast.\n",
            self.goals
        ));
        s
    }
}

fn objective(target: u32) -> String {
    format!(
        "kind: objective\nid: obj\ntitle: Objective\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: KR\n    metric: met\n    baseline: 0\n    target: {target}\n"
    )
}

fn metric(current: u32) -> String {
    format!(
        "kind: metric\nid: met\ntitle: Metric\nunit: count\ndirection: increase\ncurrent: {current}\n"
    )
}

fn milestone(id: &str, title: &str, date: &str) -> String {
    format!("kind: milestone\nid: {id}\ntitle: {title}\ndate: {date}\n")
}

// ---------------------------------------------------------------------------
// Running

/// `diff ARGS --format json`, expecting exit 0; the parsed output.
fn diff_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let run = run_in(dir, &all);
    assert_eq!(run.code, 0, "{all:?}: {run:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("bad json ({e}): {}", run.stdout))
}

/// `diff ARGS --format markdown`, expecting exit 0.
fn diff_md(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "markdown"]);
    let run = run_in(dir, &all);
    assert_eq!(run.code, 0, "{all:?}: {run:?}");
    run.stdout
}

fn has_line(out: &str, line: &str) {
    assert!(
        out.lines().any(|l| l == line),
        "no line {line:?} in:\n{out}"
    );
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x["id"].as_str().unwrap_or_default())
        .collect()
}

/// The `field` names of a changed document's field changes.
fn field_names(doc: &Value) -> Vec<&str> {
    doc["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields: {doc}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default())
        .collect()
}

/// The changed document with this id.
fn changed<'a>(d: &'a Value, id: &str) -> &'a Value {
    d["changed"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("`{id}` not changed in {d:#}"))
}

/// The field change `field` of a changed document.
fn field<'a>(doc: &'a Value, field: &str) -> &'a Value {
    doc["fields"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["field"] == field))
        .unwrap_or_else(|| panic!("no change to `{field}` in {doc:#}"))
}

/// (rule, file, line) of the new or fixed diagnostics.
fn diags(d: &Value, which: &str) -> Vec<(String, String, u64)> {
    d["diagnostics"][which]
        .as_array()
        .unwrap_or_else(|| panic!("no diagnostics.{which} in {d:#}"))
        .iter()
        .map(|x| {
            (
                x["rule"].as_str().unwrap_or_default().to_string(),
                x["file"].as_str().unwrap_or_default().to_string(),
                x["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn d3(rule: &str, file: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), file.to_string(), line)
}

fn summary(
    added: u64,
    removed: u64,
    changed: u64,
    errors: u64,
    warnings: u64,
    fixed: u64,
) -> Value {
    json!({
        "added": added, "removed": removed, "changed": changed,
        "new_errors": errors, "new_warnings": warnings, "fixed": fixed,
    })
}

// ---------------------------------------------------------------------------
// Field changes, scope and slips

#[test]
fn status_move_and_slip_with_days() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("F1 planned in M1", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            status: "in-progress",
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    );
    let c1 = git.commit("Start F1 and move it to M2", "2026-02-01");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["format"], 1);
    assert_eq!(d["base"], c0.as_str());
    assert_eq!(d["head"], c1.as_str());
    assert_eq!(d["summary"], summary(0, 0, 1, 0, 0, 0));
    assert_eq!(d["added"], json!([]));
    assert_eq!(d["removed"], json!([]));
    assert_eq!(d["changed"].as_array().map(Vec::len), Some(1));
    let f1 = changed(&d, "f1");
    assert_eq!(f1["kind"], "feature");
    assert_eq!(f1["title"], "F1");
    assert_eq!(f1["status"], "in-progress");
    assert_eq!(f1["sections"], json!([]));
    assert_eq!(field_names(f1), ["milestone", "status"]);
    assert_eq!(
        field(f1, "milestone"),
        &json!({"field": "milestone", "from": "m1", "to": "m2", "words": "milestone M1 → M2 (+90 days)"})
    );
    assert_eq!(
        field(f1, "status"),
        &json!({"field": "status", "from": "planned", "to": "in-progress", "words": "status planned → in-progress"})
    );
    let feature = json!({"id": "f1", "kind": "feature", "title": "F1", "status": "in-progress"});
    let m = |id: &str, title: &str| json!({"id": id, "kind": "milestone", "title": title});
    assert_eq!(
        d["milestones"],
        json!([
            {"milestone": m("m1", "M1"), "gained": [], "lost": [feature]},
            {"milestone": m("m2", "M2"), "gained": [feature], "lost": []},
        ])
    );
    assert_eq!(
        d["slips"],
        json!([{"feature": feature, "from": "m1", "to": "m2", "days": 90}])
    );
    assert_eq!(d["diagnostics"], json!({"new": [], "fixed": []}));

    let md = diff_md(repo.path(), &[&c0, &c1]);
    assert!(
        md.starts_with(&format!("### Plan changes: `{c0}` → `{c1}`\n")),
        "{md}"
    );
    has_line(
        &md,
        "0 added, 0 removed, 1 changed · 0 new errors, 0 new warnings, 0 fixed",
    );
    has_line(&md, "#### Changed");
    has_line(
        &md,
        "- **F1** (feature): milestone M1 → M2 (+90 days); status planned → in-progress",
    );
    has_line(&md, "#### Roadmap");
    has_line(&md, "| milestone | gains | loses |");
    has_line(&md, "| **M1** |  | **F1** |");
    has_line(&md, "| **M2** | **F1** |  |");
    has_line(&md, "- **F1** slips 90 days (`m1` → `m2`)");
    assert!(!md.contains("#### New problems"), "{md}");
    assert!(!md.contains("<details>"), "{md}");

    let text = run_in(repo.path(), &["diff", &c0, &c1]);
    assert_eq!(text.code, 0);
    has_line(&text.stdout, "  ~ feature f1 (F1)");
    has_line(&text.stdout, "      milestone M1 → M2 (+90 days)");
    has_line(&text.stdout, "  slip: f1 +90 days (m1 → m2)");
    has_line(&text.stdout, "  milestone m1 (M1): loses f1");
    has_line(&text.stdout, "  milestone m2 (M2): gains f1");
}

#[test]
fn pulling_a_feature_forward_gains_days_and_is_no_slip() {
    let (repo, git) = plans();
    repo.file(
        "f1.md",
        &F {
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("F1 in M2", "2026-01-05");
    repo.file("f1.md", &F::default().md());
    let c1 = git.commit("F1 forward to M1", "2026-01-06");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(
        field(changed(&d, "f1"), "milestone")["words"],
        "milestone M2 → M1 (-90 days)"
    );
    assert_eq!(d["slips"], json!([]));
    assert_eq!(d["milestones"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_milestone_date_moving_later_slips_its_features() {
    let (repo, git) = plans();
    repo.file(
        "f1.md",
        &F {
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("F1 in M2", "2026-01-05");
    repo.file("m2.yaml", &milestone("m2", "M2", "2027-05-01"));
    let c1 = git.commit("M2 slips", "2026-01-06");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 1, 0, 0, 0));
    let m2 = changed(&d, "m2");
    assert_eq!(m2["kind"], "milestone");
    assert_eq!(
        m2["fields"],
        json!([{"field": "date", "from": "2027-04-15", "to": "2027-05-01", "words": "date 2027-04-15 → 2027-05-01"}])
    );
    // The feature itself did not change, but it now ships 16 days later.
    assert_eq!(d["milestones"], json!([]));
    assert_eq!(d["slips"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["slips"][0]["feature"]["id"], "f1");
    assert_eq!(d["slips"][0]["from"], "m2");
    assert_eq!(d["slips"][0]["to"], "m2");
    assert_eq!(d["slips"][0]["days"], 16);
    let md = diff_md(repo.path(), &[&c0, &c1]);
    has_line(&md, "- **M2** (milestone): date 2027-04-15 → 2027-05-01");
    has_line(&md, "- **F1** slips 16 days (`m2` → `m2`)");
}

#[test]
fn scope_moved_between_milestones() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md()).file(
        "f2.md",
        &F {
            title: "F2",
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("F1 in M1, F2 in M2", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    )
    .file(
        "f2.md",
        &F {
            title: "F2",
            ..F::default()
        }
        .md(),
    );
    let c1 = git.commit("Swap F1 and F2", "2026-01-06");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 2, 0, 0, 0));
    assert_eq!(ids(&d["changed"]), ["f1", "f2"]);
    let scope: Vec<(&str, Vec<&str>, Vec<&str>)> = d["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .map(|s| {
            (
                s["milestone"]["id"].as_str().unwrap_or_default(),
                ids(&s["gained"]),
                ids(&s["lost"]),
            )
        })
        .collect();
    assert_eq!(
        scope,
        [
            ("m1", vec!["f2"], vec!["f1"]),
            ("m2", vec!["f1"], vec!["f2"])
        ]
    );
    // Only the feature that moved later slips.
    assert_eq!(
        ids(&d["slips"]
            .as_array()
            .expect("slips")
            .iter()
            .map(|s| s["feature"].clone())
            .collect::<Value>()),
        ["f1"]
    );
    assert_eq!(d["slips"][0]["days"], 90);
    assert_eq!(
        field(changed(&d, "f2"), "milestone")["words"],
        "milestone M2 → M1 (-90 days)"
    );

    let md = diff_md(repo.path(), &[&c0, &c1]);
    has_line(&md, "| **M1** | **F2** | **F1** |");
    has_line(&md, "| **M2** | **F1** | **F2** |");
    has_line(&md, "- **F1** slips 90 days (`m1` → `m2`)");
    assert!(!md.contains("**F2** slips"), "{md}");
}

/// A list field reads as what it gained and lost, with titles for ids.
#[test]
fn a_list_change_names_what_was_added_and_removed() {
    let (repo, git) = plans();
    let other = |id: &str, title: &str| {
        F {
            title,
            ..F::default()
        }
        .md()
        .replace("title: ", &format!("id: {id}\ntitle: "))
    };
    repo.file("f2.md", &other("f2", "Search"))
        .file("f3.md", &other("f3", "Sync"))
        .file("f4.md", &other("f4", "Share"))
        .file(
            "f1.md",
            &F {
                depends_on: &["f2", "f3"],
                ..F::default()
            }
            .md(),
        );
    let c0 = git.commit("Initial", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            depends_on: &["f3", "f4"],
            ..F::default()
        }
        .md(),
    );
    let d = diff_json(repo.path(), &[&c0]);
    assert_eq!(
        field(changed(&d, "f1"), "depends_on")["words"],
        "depends on: added Share; removed Search"
    );
}

#[test]
fn rice_owner_key_result_metric_and_body_changes_in_words() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md())
        .file("bob.yaml", "kind: person\nid: bob\ntitle: Bob\n")
        .file("obj.yaml", &objective(10))
        .file("met.yaml", &metric(10));
    let c0 = git.commit("Initial", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            owner: Some("bob"),
            reach: 250,
            goals: "Faster than ever.",
            ..F::default()
        }
        .md(),
    )
    .file("obj.yaml", &objective(20))
    .file("met.yaml", &metric(20));
    let c1 = git.commit("Rescope", "2026-01-06");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 3, 0, 0, 0));
    assert_eq!(ids(&d["changed"]), ["f1", "met", "obj"]);

    let f1 = changed(&d, "f1");
    assert_eq!(field_names(f1), ["owner", "rice.reach", "RICE score"]);
    assert_eq!(
        field(f1, "owner"),
        &json!({"field": "owner", "from": "alice", "to": "bob", "words": "owner Alice → Bob"})
    );
    assert_eq!(
        field(f1, "rice.reach"),
        &json!({"field": "rice.reach", "from": 100, "to": 250, "words": "rice reach 100 → 250"})
    );
    // 100 × 1 × 0.5 / 2 = 25 → 250 × 1 × 0.5 / 2 = 62.5, shown rounded.
    assert_eq!(
        field(f1, "RICE score"),
        &json!({"field": "RICE score", "from": 25, "to": 63, "words": "RICE score 25 → 63"})
    );
    assert_eq!(f1["sections"], json!(["Goals"]));

    assert_eq!(
        changed(&d, "obj")["fields"],
        json!([{"field": "key_results.0.target", "from": 10, "to": 20, "words": "key result 1 target 10 → 20"}])
    );
    assert_eq!(
        changed(&d, "met")["fields"],
        json!([{"field": "current", "from": 10, "to": 20, "words": "current 10 → 20"}])
    );
    assert_eq!(d["milestones"], json!([]));
    assert_eq!(d["slips"], json!([]));

    let md = diff_md(repo.path(), &[&c0, &c1]);
    has_line(
        &md,
        "- **F1** (feature): owner Alice → Bob; rice reach 100 → 250; RICE score 25 → 63; body edited (Goals)",
    );
    has_line(
        &md,
        "- **Objective** (objective): key result 1 target 10 → 20",
    );
    has_line(&md, "- **Metric** (metric): current 10 → 20");
    assert!(!md.contains("#### Roadmap"), "{md}");
}

#[test]
fn body_edits_are_summarised_by_section() {
    let (repo, git) = plans();
    let intro = |text: &str| {
        F::default()
            .md()
            .replacen("## Problem\n", &format!("{text}\n\n## Problem\n"), 1)
    };
    repo.file("f1.md", &intro("Checkout, again."));
    let c0 = git.commit("Initial", "2026-01-05");
    // The introduction and Goals edited, a section added; Problem untouched.
    repo.file(
        "f1.md",
        &format!(
            "{}\n## Open questions\nWho pays?\n",
            intro("Checkout, once more.").replace("## Goals\nFast.\n", "## Goals\nFaster.\n")
        ),
    );
    let c1 = git.commit("Edit the PRD", "2026-01-06");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    let f1 = changed(&d, "f1");
    assert_eq!(f1["fields"], json!([]));
    assert_eq!(f1["sections"], json!(["", "Goals", "Open questions"]));
    has_line(
        &diff_md(repo.path(), &[&c0, &c1]),
        "- **F1** (feature): body edited (introduction, Goals, Open questions)",
    );
    let text = repo.run(&["diff", &c0, &c1]);
    has_line(
        &text.stdout,
        "      body edited (introduction, Goals, Open questions)",
    );
    // A section removed is named too.
    repo.file(
        "f1.md",
        &intro("Checkout, again.").replace("## Non-goals\nNone.\n\n", ""),
    );
    let d = diff_json(repo.path(), &[&c0]);
    assert_eq!(changed(&d, "f1")["sections"], json!(["Non-goals"]));
}

#[test]
fn documents_added_and_removed_with_kind_and_title() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md())
        .file("bob.yaml", "kind: person\nid: bob\ntitle: Bob\n");
    let c0 = git.commit("Initial", "2026-01-05");
    std::fs::remove_file(repo.join("bob.yaml")).expect("rm");
    repo.file(
        "features/f2.md",
        &F {
            title: "Second feature",
            status: "idea",
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    )
    .file(
        "dec.yaml",
        "kind: decision\nid: dec\ntitle: Go with F2\ndate: 2026-01-10\nstatus: accepted\nfeatures: [f2]\n",
    );
    let c1 = git.commit("Add F2 and its decision, drop Bob", "2026-01-10");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(2, 1, 0, 0, 0, 0));
    assert_eq!(
        d["added"],
        json!([
            {"id": "dec", "kind": "decision", "title": "Go with F2", "status": "accepted"},
            {"id": "f2", "kind": "feature", "title": "Second feature", "status": "idea"},
        ])
    );
    // A person has no status: the key is left out.
    assert_eq!(
        d["removed"],
        json!([{"id": "bob", "kind": "person", "title": "Bob"}])
    );
    assert_eq!(d["changed"], json!([]));
    // An added feature is scope a milestone gains.
    assert_eq!(d["milestones"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["milestones"][0]["milestone"]["id"], "m2");
    assert_eq!(ids(&d["milestones"][0]["gained"]), ["f2"]);
    assert_eq!(d["slips"], json!([]));

    let md = diff_md(repo.path(), &[&c0, &c1]);
    has_line(
        &md,
        "2 added, 1 removed, 0 changed · 0 new errors, 0 new warnings, 0 fixed",
    );
    has_line(&md, "#### Added");
    has_line(&md, "| kind | document | status |");
    has_line(&md, "| decision | **Go with F2** | accepted |");
    has_line(&md, "| feature | **Second feature** | idea |");
    has_line(&md, "#### Removed");
    has_line(&md, "| person | **Bob** |  |");
    has_line(&md, "| **M2** | **Second feature** |  |");

    let text = run_in(repo.path(), &["diff", &c0, &c1, "--format", "text"]);
    has_line(&text.stdout, "  + feature f2 (Second feature)");
    has_line(&text.stdout, "  - person bob (Bob)");
}

#[test]
fn a_renamed_file_is_a_moved_document_not_an_add_and_a_remove() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Initial", "2026-01-05");
    std::fs::remove_file(repo.join("f1.md")).expect("rm");
    // A Markdown id defaults to the stem: the id is kept by writing it.
    repo.file(
        "features/checkout.md",
        &F::default().md().replacen("---\n", "---\nid: f1\n", 1),
    );
    let c1 = git.commit("Move F1", "2026-01-06");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 1, 0, 0, 0));
    let f1 = changed(&d, "f1");
    assert_eq!(f1["moved_from"], "f1.md");
    assert_eq!(f1["fields"], json!([]));
    has_line(
        &diff_md(repo.path(), &[&c0, &c1]),
        "- **F1** (feature): moved from `f1.md`",
    );
}

// ---------------------------------------------------------------------------
// Diagnostics

#[test]
fn new_and_fixed_diagnostics_new_errors_first() {
    let (repo, git) = plans();
    repo.file(
        "f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    )
    .file(
        "f2.md",
        &F {
            title: "F2",
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("F1 depends on a ghost", "2026-01-05");
    assert_eq!(
        repo.positions("broken-reference"),
        [("f1.md".into(), 8, 14)]
    );

    // F1's reference is fixed; F2 loses its owner (a warning) and a
    // required section (an error).
    repo.file("f1.md", &F::default().md()).file(
        "f2.md",
        &F {
            title: "F2",
            owner: None,
            ..F::default()
        }
        .md()
        .replace("## Non-goals\n", "## Out of scope\n"),
    );
    let c1 = git.commit("Fix F1, break F2", "2026-01-06");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 2, 1, 1, 1));
    assert_eq!(
        diags(&d, "new"),
        [d3("missing-section", "f2.md", 4), d3("unowned", "f2.md", 2)]
    );
    let new = &d["diagnostics"]["new"];
    assert_eq!(new[0]["level"], "error");
    assert_eq!(new[0]["column"], 1);
    assert_eq!(new[0]["message"], "missing section `Non-goals`");
    assert_eq!(new[1]["level"], "warning");
    assert_eq!(diags(&d, "fixed"), [d3("broken-reference", "f1.md", 8)]);
    let fixed = &d["diagnostics"]["fixed"][0];
    assert_eq!(fixed["level"], "error");
    assert_eq!(fixed["column"], 14);
    assert!(
        fixed["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ghost"),
        "{fixed}"
    );

    let md = diff_md(repo.path(), &[&c0, &c1]);
    has_line(
        &md,
        "0 added, 0 removed, 2 changed · 1 new error, 1 new warning, 1 fixed",
    );
    has_line(&md, "#### New problems");
    has_line(&md, "| | rule | where | message |");
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("no {s:?} in:\n{md}"));
    // New problems come before everything else, errors before warnings.
    assert!(at("#### New problems") < at("#### Changed"));
    assert!(
        at("| error | `missing-section` | `f2.md:4:1` |")
            < at("| warning | `unowned` | `f2.md:2:1` |")
    );
    has_line(&md, "<details><summary>Fixed problems (1)</summary>");
    assert!(at("#### Changed") < at("Fixed problems (1)"));
    assert!(
        md.contains("| error | `broken-reference` | `f1.md:8:14` |"),
        "{md}"
    );
}

#[test]
fn a_problem_that_only_moved_lines_is_neither_new_nor_fixed() {
    let (repo, git) = plans();
    repo.file(
        "f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("F1 depends on a ghost", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md()
        .replacen("---\n", "---\nsummary: Now with a summary.\ntags: [a]\n", 1),
    );
    let c1 = git.commit("Summary above the problem", "2026-01-06");
    assert_eq!(
        repo.positions("broken-reference"),
        [("f1.md".into(), 10, 14)]
    );
    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 1, 0, 0, 0));
    assert_eq!(d["diagnostics"], json!({"new": [], "fixed": []}));
}

/// Three teams in one stream file: a problem that moves from one document
/// to the other, with the same words, is one new and one fixed (it is
/// matched by its document, not only by its file); and a second copy of
/// a problem already there is new.
#[test]
fn a_problem_moving_between_documents_of_one_file_is_new_and_fixed() {
    let (repo, git) = plans();
    let teams = |a: &str, b: &str| {
        format!(
            "kind: team\nid: ta\ntitle: A\nfunction: engineering\nlead: {a}\n---\nkind: team\nid: tb\ntitle: B\nfunction: engineering\nlead: {b}\n---\nkind: team\nid: tc\ntitle: C\nfunction: engineering\n"
        )
    };
    repo.file("teams.yaml", &teams("ghost", "alice"));
    let c0 = git.commit("A led by a ghost", "2026-01-05");
    repo.file("teams.yaml", &teams("alice", "ghost"));
    let c1 = git.commit("Now B is", "2026-01-06");
    repo.file("teams.yaml", &teams("ghost", "ghost"));
    let c2 = git.commit("Both are", "2026-01-07");
    let positions = repo.positions("broken-reference");
    assert_eq!(positions.len(), 2, "{positions:?}");
    let (line_a, line_b) = (positions[0].1, positions[1].1);
    assert!(line_a < line_b, "{positions:?}");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(
        diags(&d, "new"),
        [d3("broken-reference", "teams.yaml", line_b)]
    );
    assert_eq!(
        diags(&d, "fixed"),
        [d3("broken-reference", "teams.yaml", line_a)]
    );

    let d = diff_json(repo.path(), &[&c1, &c2]);
    assert_eq!(
        diags(&d, "new"),
        [d3("broken-reference", "teams.yaml", line_a)]
    );
    assert_eq!(diags(&d, "fixed"), []);
    // The same problem twice in one document: the second copy is new.
    repo.file(
        "teams.yaml",
        "kind: team\nid: ta\ntitle: A\nfunction: engineering\nlead: alice\nmembers: [ghost]\n---\nkind: team\nid: tb\ntitle: B\nfunction: engineering\nlead: alice\n",
    );
    let c3 = git.commit("One ghost member", "2026-01-08");
    repo.file(
        "teams.yaml",
        "kind: team\nid: ta\ntitle: A\nfunction: engineering\nlead: alice\nmembers: [ghost, ghost]\n---\nkind: team\nid: tb\ntitle: B\nfunction: engineering\nlead: alice\n",
    );
    let c4 = git.commit("Two", "2026-01-09");
    let d = diff_json(repo.path(), &[&c3, &c4]);
    assert_eq!(diags(&d, "new").len(), 1, "{d:#}");
    assert_eq!(diags(&d, "fixed"), []);
}

/// A YAML document moved to another file, its text unchanged, is a move
/// (its id is written, so nothing else differs).
#[test]
fn a_document_moved_unchanged_is_a_move() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Initial", "2026-01-05");
    let m1 = std::fs::read_to_string(repo.join("m1.yaml")).expect("m1");
    std::fs::remove_file(repo.join("m1.yaml")).expect("rm");
    repo.file("milestones/m1.yaml", &m1);
    let c1 = git.commit("Milestones in a folder", "2026-01-06");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 1, 0, 0, 0), "{d:#}");
    let m = changed(&d, "m1");
    assert_eq!(m["moved_from"], "m1.yaml");
    assert_eq!(m["fields"], json!([]));
}

/// A feature moved to another milestone on the same date has not slipped
/// or gained: its milestone change says no days.
#[test]
fn a_milestone_change_to_the_same_date_names_no_days() {
    let (repo, git) = plans();
    repo.file("m1b.yaml", &milestone("m1b", "M1b", "2027-01-15"))
        .file("f1.md", &F::default().md());
    let c0 = git.commit("F1 in M1", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            milestone: Some("m1b"),
            ..F::default()
        }
        .md(),
    );
    let c1 = git.commit("F1 in M1b, same day", "2026-01-06");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    let f1 = changed(&d, "f1");
    let words = field(f1, "milestone")["words"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(words, "milestone M1 → M1b", "{f1:#}");
}

#[test]
fn fail_on_sets_the_exit_status() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Initial", "2026-01-05");

    // A new warning only: F1 loses its owner.
    repo.file(
        "f1.md",
        &F {
            owner: None,
            ..F::default()
        }
        .md(),
    );
    let code = |args: &[&str]| {
        let mut all = vec!["diff", c0.as_str()];
        all.extend_from_slice(args);
        let run = repo.run(&all);
        assert!(run.stderr.is_empty(), "{run:?}");
        run.code
    };
    assert_eq!(code(&[]), 0);
    assert_eq!(code(&["--fail-on", "new-errors"]), 0);
    assert_eq!(code(&["--fail-on", "new-warnings"]), 1);
    assert_eq!(code(&["--fail-on", "new-warnings", "--format", "json"]), 1);

    // A new error too: a reference to nothing. Without --fail-on, diff
    // reports and succeeds (docs/format.md#exit-status).
    repo.file(
        "f1.md",
        &F {
            owner: None,
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );
    assert_eq!(code(&[]), 0);
    assert_eq!(code(&["--fail-on", "new-errors"]), 1);
    assert_eq!(
        code(&["--fail-on", "new-errors", "--format", "markdown"]),
        1
    );
    assert_eq!(code(&["--fail-on", "new-warnings"]), 1);

    // Fixing old problems is never a failure.
    git.commit("Break F1", "2026-01-06");
    repo.file("f1.md", &F::default().md());
    let run = repo.run(&[
        "diff",
        "HEAD",
        "--fail-on",
        "new-warnings",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let d: Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(d["summary"]["fixed"], 2);

    // A bad value for --fail-on is a usage error.
    assert_eq!(repo.run(&["diff", "HEAD", "--fail-on", "errors"]).code, 2);
}

// ---------------------------------------------------------------------------
// Revisions

#[test]
fn merge_base_syntax_compares_with_where_the_branch_started() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md()).file(
        "f2.md",
        &F {
            title: "F2",
            ..F::default()
        }
        .md(),
    );
    git.commit("Initial", "2026-01-05");
    git.run(&["checkout", "-q", "-b", "topic"]);
    repo.file(
        "f1.md",
        &F {
            status: "in-progress",
            ..F::default()
        }
        .md(),
    );
    git.commit("Start F1 on the branch", "2026-01-06");
    git.run(&["checkout", "-q", "main"]);
    repo.file(
        "f2.md",
        &F {
            title: "F2",
            status: "beta",
            ..F::default()
        }
        .md(),
    );
    git.commit("F2 in beta on main", "2026-01-07");
    git.run(&["checkout", "-q", "topic"]);

    // The branch's own change only.
    let d = diff_json(repo.path(), &["main...topic"]);
    assert_eq!(d["base"], "main...topic");
    assert_eq!(d["head"], "topic");
    assert_eq!(ids(&d["changed"]), ["f1"]);
    assert_eq!(
        field(changed(&d, "f1"), "status")["words"],
        "status planned → in-progress"
    );
    // `main...` is `main...HEAD`.
    let d = diff_json(repo.path(), &["main..."]);
    assert_eq!(d["head"], "HEAD");
    assert_eq!(ids(&d["changed"]), ["f1"]);
    // Two dots would also undo main's change on the branch's side.
    let d = diff_json(repo.path(), &["main", "topic"]);
    assert_eq!(ids(&d["changed"]), ["f1", "f2"]);
    assert_eq!(
        field(changed(&d, "f2"), "status")["words"],
        "status beta → planned"
    );
    let md = diff_md(repo.path(), &["main...topic"]);
    assert!(
        md.starts_with("### Plan changes: `main...topic` → `topic`\n"),
        "{md}"
    );

    // Both forms at once is a usage error.
    let run = repo.run(&["diff", "main...topic", "topic"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not both"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let run = repo.run(&["diff", "nope...topic"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("`nope`"), "{}", run.stderr);
}

/// The commands of the ready-made CI setups: a pull request's base as a
/// remote-tracking branch, compared by merge base.
#[test]
fn a_pull_request_against_its_remote_base_branch() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Initial", "2026-01-05");
    git.run(&["update-ref", "refs/remotes/origin/main", &c0]);
    git.run(&["checkout", "-q", "-b", "topic"]);
    repo.file(
        "f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );
    git.commit("Break F1 on the branch", "2026-01-06");

    let d = diff_json(repo.path(), &["origin/main...HEAD"]);
    assert_eq!(field_names(changed(&d, "f1")), ["depends_on"]);
    assert_eq!(diags(&d, "new"), [d3("broken-reference", "f1.md", 8)]);
    let run = repo.run(&["diff", "origin/main...HEAD", "--fail-on", "new-errors"]);
    assert_eq!(run.code, 1, "{run:?}");
    // check --changed-since takes the same forms.
    for rev in ["origin/main", "origin/main...", "origin/main...HEAD"] {
        assert_eq!(
            changed_since(&repo, rev),
            (1, vec![d3("broken-reference", "f1.md", 8)]),
            "{rev}"
        );
    }
}

#[test]
fn a_shallow_clone_or_unrelated_histories_get_a_hint_not_a_crash() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    git.commit("Initial", "2026-01-05");
    git.run(&["checkout", "-q", "-b", "topic"]);
    repo.file(
        "f2.md",
        &F {
            title: "F2",
            ..F::default()
        }
        .md(),
    );
    git.commit("F2", "2026-01-06");
    git.run(&["checkout", "-q", "main"]);
    repo.file(
        "f3.md",
        &F {
            title: "F3",
            ..F::default()
        }
        .md(),
    );
    git.commit("F3", "2026-01-07");

    // What a CI checkout with the default depth of 1 gives.
    let clone = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", repo.path().display());
    let dest = clone.path().join("c");
    Git::at(clone.path()).run(&[
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        "--branch",
        "topic",
        &url,
        "c",
    ]);
    for args in [vec!["diff", "origin/main...HEAD"], vec!["diff", "HEAD~1"]] {
        let run = run_in(&dest, &args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
        assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    }
    let run = run_in(&dest, &["check", "--changed-since", "origin/main..."]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("shallow clone"), "{}", run.stderr);
    // With the whole history, the same command works.
    let d = diff_json(repo.path(), &["main...topic"]);
    assert_eq!(ids(&d["added"]), ["f2"]);

    // Histories with nothing in common.
    git.run(&["checkout", "-q", "--orphan", "other"]);
    git.commit("Unrelated", "2026-01-08");
    let run = repo.run(&["diff", "main...other"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("`main` and `other` have no common ancestor"),
        "{}",
        run.stderr
    );
}

#[test]
fn head_as_a_revision_or_the_working_tree() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Initial", "2026-01-05");
    repo.file(
        "f1.md",
        &F {
            status: "in-progress",
            ..F::default()
        }
        .md(),
    );
    let c1 = git.commit("Start F1", "2026-01-06");
    // Uncommitted: reach 100 → 300.
    repo.file(
        "f1.md",
        &F {
            status: "in-progress",
            reach: 300,
            ..F::default()
        }
        .md(),
    );

    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["head"], c1.as_str());
    assert_eq!(field_names(changed(&d, "f1")), ["status"]);

    let d = diff_json(repo.path(), &[&c0]);
    assert_eq!(d["head"], "working tree");
    assert_eq!(
        field_names(changed(&d, "f1")),
        ["rice.reach", "status", "RICE score"]
    );

    let d = diff_json(repo.path(), &["HEAD"]);
    assert_eq!(d["base"], "HEAD");
    assert_eq!(field_names(changed(&d, "f1")), ["rice.reach", "RICE score"]);
    assert_eq!(
        field(changed(&d, "f1"), "RICE score")["words"],
        "RICE score 25 → 75"
    );

    // Short ids, branch names and `~` work on both sides.
    let d = diff_json(repo.path(), &[&c0[..8], "main"]);
    assert_eq!(field_names(changed(&d, "f1")), ["status"]);
    let d = diff_json(repo.path(), &["HEAD~1", "HEAD"]);
    assert_eq!(field_names(changed(&d, "f1")), ["status"]);
}

#[test]
fn an_empty_change_says_so_in_one_line() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Initial", "2026-01-05");
    // Not documents, or not a change to one: a README, a comment, a
    // reordered key.
    repo.file("README.md", "# Our plans\n\nHow to edit them.\n")
        .file(
            "seg.yaml",
            "# Our one segment.\ntitle: Segment\nid: seg\nkind: segment\n",
        );
    let c1 = git.commit("Docs and formatting", "2026-01-06");

    for args in [
        vec![c0.as_str(), c1.as_str()],
        vec!["HEAD"],
        vec![c0.as_str()],
    ] {
        let mut all = vec!["diff"];
        all.extend_from_slice(&args);
        let text = repo.run(&all);
        assert_eq!(text.code, 0, "{text:?}");
        assert_eq!(text.stdout, "No change to the plan.\n");

        let d = diff_json(repo.path(), &args);
        assert_eq!(d["summary"], summary(0, 0, 0, 0, 0, 0));
        for key in ["added", "removed", "changed", "milestones", "slips"] {
            assert_eq!(d[key], json!([]), "{key}");
        }
        assert_eq!(d["diagnostics"], json!({"new": [], "fixed": []}));

        let md = diff_md(repo.path(), &args);
        let lines: Vec<&str> = md.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2, "{md}");
        assert!(lines[0].starts_with("### Plan changes: "), "{md}");
        assert_eq!(lines[1], "No change to the plan.");
    }
    // --fail-on on an empty change succeeds.
    assert_eq!(
        repo.run(&["diff", "HEAD", "--fail-on", "new-warnings"])
            .code,
        0
    );
}

// ---------------------------------------------------------------------------
// Markdown for a pull request

#[test]
fn site_url_links_documents_to_the_published_site() {
    let (repo, git) = plans();
    repo.file("f1.md", &F::default().md())
        .file("bob.yaml", "kind: person\nid: bob\ntitle: Bob\n");
    let c0 = git.commit("Initial", "2026-01-05");
    std::fs::remove_file(repo.join("bob.yaml")).expect("rm");
    repo.file(
        "f1.md",
        &F {
            milestone: Some("m2"),
            ..F::default()
        }
        .md(),
    )
    .file(
        "f2.md",
        &F {
            title: "F2 [beta] *new*",
            status: "idea",
            milestone: None,
            ..F::default()
        }
        .md(),
    );
    let site = "https://plans.example.com/lumen/";
    let md = diff_md(repo.path(), &[&c0, "--site-url", site]);
    let base = "https://plans.example.com/lumen";
    // Titles are escaped so they stay text, whatever they hold.
    has_line(
        &md,
        &format!("| feature | [F2 \\[beta\\] \\*new\\*]({base}/feature/f2.html) | idea |"),
    );
    has_line(
        &md,
        &format!("| person | [Bob]({base}/person/bob.html) |  |"),
    );
    has_line(
        &md,
        &format!("- [F1]({base}/feature/f1.html) (feature): milestone M1 → M2 (+90 days)"),
    );
    has_line(
        &md,
        &format!("| [M1]({base}/milestone/m1.html) |  | [F1]({base}/feature/f1.html) |"),
    );
    has_line(
        &md,
        &format!("- [F1]({base}/feature/f1.html) slips 90 days (`m1` → `m2`)"),
    );
    // Without it, no links at all.
    let plain = diff_md(repo.path(), &[&c0]);
    assert!(!plain.contains("](http"), "{plain}");
    assert!(!plain.contains(".html"), "{plain}");
    let _ = git;
}

#[test]
fn a_long_change_folds_into_details() {
    let (repo, git) = plans();
    for i in 0..11 {
        repo.file(
            &format!("people/p{i:02}.yaml"),
            &format!("kind: person\nid: p{i:02}\ntitle: Person {i}\n"),
        );
    }
    let c0 = git.commit("People", "2026-01-05");
    for i in 0..11 {
        repo.file(
            &format!("people/p{i:02}.yaml"),
            &format!("kind: person\nid: p{i:02}\ntitle: Person {i}\nrole: PM\n"),
        );
    }
    for i in 0..12 {
        repo.file(
            &format!("segments/s{i:02}.yaml"),
            &format!("kind: segment\nid: s{i:02}\ntitle: Segment {i}\n"),
        );
    }
    repo.file("f1.md", &F::default().md());
    let md = diff_md(repo.path(), &[&c0]);
    has_line(&md, "<details><summary>Added (13)</summary>");
    has_line(&md, "<details><summary>Changed (11)</summary>");
    has_line(&md, "- **Person 0** (person): role set to PM");
    has_line(&md, "</details>");
    assert!(!md.contains("#### Added"), "{md}");
    assert!(!md.contains("#### Changed"), "{md}");
    // The new orphan warnings (segments nothing references) are not folded:
    // a reviewer must see them.
    has_line(&md, "#### New problems");
    // Each fold opens and closes.
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    // A short section stays a heading.
    let _ = git.commit("All of it", "2026-01-06");
    repo.file(
        "f2.md",
        &F {
            title: "F2",
            ..F::default()
        }
        .md(),
    );
    let md = diff_md(repo.path(), &["HEAD"]);
    has_line(&md, "#### Added");
    assert!(!md.contains("<details>"), "{md}");
}

#[test]
fn a_change_too_long_for_a_pull_request_comment_is_cut_to_fit() {
    let (repo, git) = plans();
    let c0 = git.commit("Initial", "2026-01-05");
    let long =
        "a person with a title long enough to fill a pull-request comment quickly, ".repeat(2);
    for i in 0..700 {
        repo.file(
            &format!("people/p{i:03}.yaml"),
            &format!("kind: person\nid: p{i:03}\ntitle: {long}{i}\n"),
        );
    }
    let md = diff_md(repo.path(), &[&c0]);
    // GitHub refuses comments over 65,536 characters.
    assert!(md.chars().count() <= 65_536, "{}", md.len());
    has_line(&md, "<details><summary>Added (700)</summary>");
    let shown = md.lines().filter(|l| l.starts_with("| person |")).count();
    assert!((10..700).contains(&shown), "{shown}");
    has_line(
        &md,
        &format!(
            "…and {} more (`northstar diff --format json` lists them all).",
            700 - shown
        ),
    );
    has_line(&md, "</details>");
    // JSON and text list everything.
    let d = diff_json(repo.path(), &[&c0]);
    assert_eq!(d["added"].as_array().map(Vec::len), Some(700));
    let text = repo.run(&["diff", &c0]);
    assert_eq!(
        text.stdout
            .lines()
            .filter(|l| l.starts_with("  + person"))
            .count(),
        700
    );
}

// ---------------------------------------------------------------------------
// Bad input

#[test]
fn a_bad_revision_is_a_clear_message_and_exit_2() {
    let (repo, git) = plans();
    let c0 = git.commit("Initial", "2026-01-05");
    for (args, named) in [
        (vec!["diff", "nope"], "`nope`"),
        (vec!["diff", "HEAD", "nope"], "`nope`"),
        (vec!["diff", "HEAD~1"], "`HEAD~1`"),
        (
            vec!["diff", "0000000000000000000000000000000000000000"],
            "0000000",
        ),
        (vec!["diff", "--format", "markdown", "v9.9"], "`v9.9`"),
    ] {
        let run = repo.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.contains(named),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("revision"), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    // A missing argument is clap's usage error.
    assert_eq!(repo.run(&["diff"]).code, 2);
    let _ = c0;

    // Not in git: diff needs it.
    let bare = Repo::base();
    let run = bare.run(&["diff", "HEAD"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("git"), "{}", run.stderr);
    // Not a plans repository.
    let run = Repo::empty().run(&["diff", "HEAD"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("northstar.yaml"), "{}", run.stderr);
}

#[test]
fn a_base_with_no_plans_yet_adds_everything() {
    let repo = Repo::empty();
    let git = Git::init(repo.path());
    repo.file("README.md", "# An app\n");
    let c0 = git.commit("The app, before any plans", "2026-01-05");
    for (path, text) in crate::common::BASE {
        repo.file(path, text);
    }
    repo.file("f1.md", &F::default().md());
    let c1 = git.commit("Plans", "2026-01-06");

    // A base without a config has no plan: diff says so and how to go on,
    // rather than guessing.
    let run = run_in(repo.path(), &["diff", &c0, &c1]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "`{c0}` has no northstar.yaml for these plans, so it has no plan to compare with"
        )) && run.stderr.contains("--config-from head"),
        "{}",
        run.stderr
    );
    let run = run_in(repo.path(), &["diff", &c0]);
    assert_eq!(run.code, 2, "{run:?}");

    // Read with the head's config, the base has none of the documents.
    let all = [
        "alice", "f1", "m1", "m2", "met", "obj", "product", "seg", "strat",
    ];
    let d = diff_json(repo.path(), &[&c0, &c1, "--config-from", "head"]);
    assert_eq!(d["summary"]["added"], 9);
    assert_eq!(d["summary"]["changed"], 0);
    assert_eq!(ids(&d["added"]), all);
    assert_eq!(d["removed"], json!([]));
    // The base, read as the head reads it, had no product: now it has.
    assert_eq!(diags(&d, "new"), []);
    assert_eq!(
        diags(&d, "fixed"),
        [(
            "single-product".to_string(),
            "northstar.yaml".to_string(),
            1
        )]
    );
    assert_eq!(ids(&d["milestones"][0]["gained"]), ["f1"]);
    // And against the working tree.
    let d = diff_json(repo.path(), &[&c0, "--config-from", "head"]);
    assert_eq!(ids(&d["added"]), all);
    // The other way round, everything is removed; a head without a config
    // has none to lend.
    let d = diff_json(repo.path(), &[&c1, &c0]);
    assert_eq!(ids(&d["removed"]), all);
    assert_eq!(d["summary"]["removed"], 9);
    let run = run_in(repo.path(), &["diff", &c1, &c0, "--config-from", "head"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("--config-from head: {c0} has no northstar.yaml")),
        "{}",
        run.stderr
    );

    let md = diff_md(repo.path(), &[&c0, &c1, "--config-from", "head"]);
    has_line(&md, "#### Added");
    has_line(&md, "| product | **Test** |  |");
}

/// Adopting northstar on specs already in git: the documents are
/// committed, the config is not (yet). With the working tree's config both
/// sides read alike, and the diff is the edit, not the whole plan.
#[test]
fn documents_committed_before_the_config_diff_with_the_head_config() {
    let repo = Repo::empty();
    let git = Git::init(repo.path());
    for (path, text) in crate::common::BASE {
        if *path != "northstar.yaml" {
            repo.file(path, text);
        }
    }
    repo.file("f1.md", &F::default().md());
    let c0 = git.commit("Specs, before northstar", "2026-01-05");
    repo.file("northstar.yaml", crate::common::BASE[0].1);
    repo.file(
        "f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );

    let run = run_in(repo.path(), &["diff", &c0]);
    assert_eq!(run.code, 2, "{run:?}");
    let d = diff_json(repo.path(), &[&c0, "--config-from", "head"]);
    assert_eq!(d["added"], json!([]), "{d}");
    assert_eq!(d["removed"], json!([]), "{d}");
    assert_eq!(ids(&d["changed"]), ["f1"], "{d}");
    assert_eq!(diags(&d, "new"), [d3("broken-reference", "f1.md", 8)]);
}

#[test]
fn plans_in_a_subfolder_new_at_base_are_all_added() {
    let repo = Repo::empty();
    let git = Git::init(repo.path());
    repo.file("src/main.rs", "fn main() {}\n");
    let c0 = git.commit("Code only", "2026-01-05");
    for (path, text) in crate::common::BASE {
        repo.file(&format!("product/plans/{path}"), text);
    }
    let c1 = git.commit("Plans in product/plans", "2026-01-06");
    repo.file("product/plans/f1.md", &F::default().md());

    let plans = repo.join("product/plans");
    let d = diff_json(&plans, &[&c0, &c1, "--config-from", "head"]);
    assert_eq!(d["summary"]["added"], 8);
    assert_eq!(d["summary"]["removed"], 0);
    let d = diff_json(&plans, &[&c0, "--config-from", "head"]);
    assert_eq!(d["summary"]["added"], 9);
    let d = diff_json(&plans, &[&c1]);
    assert_eq!(ids(&d["added"]), ["f1"]);
    // Diagnostics keep paths relative to northstar.yaml.
    repo.file(
        "product/plans/f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );
    let d = diff_json(&plans, &[&c1]);
    assert_eq!(diags(&d, "new"), [d3("broken-reference", "f1.md", 8)]);
}

#[test]
fn a_base_whose_documents_do_not_parse_is_compared_not_crashed_on() {
    let (repo, git) = plans();
    // Unquoted `: ` in a value, and a YAML file that is not YAML.
    repo.file(
        "f1.md",
        &F::default()
            .md()
            .replace("title: F1", "title: F1: the return"),
    )
    .file("bad.yaml", "kind: [segment\nid: bad\n");
    let c0 = git.commit("Broken", "2026-01-05");
    let broken = repo.diagnostics();
    assert!(
        broken
            .iter()
            .any(|d| d["rule"] == "yaml-syntax" && d["file"] == "f1.md"),
        "{broken:?}"
    );

    repo.file(
        "f1.md",
        &F::default()
            .md()
            .replace("title: F1", "title: \"F1: the return\""),
    );
    std::fs::remove_file(repo.join("bad.yaml")).expect("rm");
    let c1 = git.commit("Fixed", "2026-01-06");

    let d = diff_json(repo.path(), &[&c0, &c1]);
    // The base could not read F1: in the head it is a new document.
    assert_eq!(
        d["added"],
        json!([{"id": "f1", "kind": "feature", "title": "F1: the return", "status": "planned"}])
    );
    assert_eq!(d["summary"]["new_errors"], 0);
    let fixed = diags(&d, "fixed");
    assert!(fixed.contains(&d3("yaml-syntax", "f1.md", 3)), "{fixed:?}");
    assert!(
        fixed
            .iter()
            .any(|(r, f, _)| r == "yaml-syntax" && f == "bad.yaml"),
        "{fixed:?}"
    );

    // Breaking it again: the document is gone from the plan, the syntax
    // error is new, and --fail-on catches it.
    let d = diff_json(repo.path(), &[&c1, &c0]);
    assert_eq!(ids(&d["removed"]), ["f1"]);
    let new = diags(&d, "new");
    assert!(
        new.iter()
            .any(|(r, f, _)| r == "yaml-syntax" && f == "bad.yaml"),
        "{new:?}"
    );
    assert!(new.contains(&d3("yaml-syntax", "f1.md", 3)), "{new:?}");
    let run = repo.run(&["diff", &c1, &c0, "--fail-on", "new-errors"]);
    assert_eq!(run.code, 1, "{run:?}");
    let md = diff_md(repo.path(), &[&c1, &c0]);
    assert!(md.contains("| error | `yaml-syntax` | `f1.md:3:"), "{md}");
}

#[test]
fn a_base_with_a_broken_config_is_a_clear_message() {
    let (repo, git) = plans();
    repo.file("northstar.yaml", "product: Test Product\npathz: [plans]\n");
    let c0 = git.commit("Typo in the config", "2026-01-05");
    repo.file("northstar.yaml", crate::common::BASE[0].1);
    let run = repo.run(&["diff", &c0]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("pathz"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("`{c0}`")), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn both_sides_are_checked_on_the_same_day() {
    // No `today` pin: the base would be checked on its commit's day and the
    // head on a later one, and time alone would make a milestone overdue.
    let repo = Repo::base();
    let git = Git::init(repo.path());
    repo.file("northstar.yaml", "product: Test Product\n")
        .file("m1.yaml", &milestone("m1", "M1", "2026-03-01"))
        .file("f1.md", &F::default().md());
    let c0 = git.commit("F1 due in March", "2026-01-05");
    repo.file("seg.yaml", "kind: segment\nid: seg\ntitle: Students\n");
    let c1 = git.commit("Rename a segment", "2026-06-01");
    let d = diff_json(repo.path(), &[&c0, &c1]);
    assert_eq!(d["summary"], summary(0, 0, 1, 0, 0, 0));
    assert_eq!(d["diagnostics"], json!({"new": [], "fixed": []}));
    // The same for the working tree (checked on the clock's day).
    let d = diff_json(repo.path(), &[&c0]);
    assert_eq!(d["diagnostics"], json!({"new": [], "fixed": []}));
    // A change that does make it overdue is new.
    repo.file("m2.yaml", &milestone("m2", "M2", "2026-02-01"))
        .file(
            "f1.md",
            &F {
                milestone: Some("m2"),
                ..F::default()
            }
            .md(),
        );
    let d = diff_json(repo.path(), &[&c1]);
    assert_eq!(diags(&d, "new"), [d3("overdue-milestone", "m2.yaml", 4)]);
    assert_eq!(diags(&d, "fixed"), [d3("overdue-milestone", "m1.yaml", 4)]);
}

// ---------------------------------------------------------------------------
// check --changed-since

/// `check --changed-since REV --format json`: (exit status, (rule, file,
/// line) of each diagnostic).
fn changed_since(repo: &Repo, rev: &str) -> (i32, Vec<(String, String, u64)>) {
    let run = repo.run(&["check", "--changed-since", rev, "--format", "json"]);
    let v: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("bad json ({e}): {run:?}"));
    let list = v
        .as_array()
        .expect("array")
        .iter()
        .map(|x| {
            (
                x["rule"].as_str().unwrap_or_default().to_string(),
                x["file"].as_str().unwrap_or_default().to_string(),
                x["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    (run.code, list)
}

#[test]
fn check_changed_since_gates_only_what_changed() {
    let (repo, git) = plans();
    // An old, imperfect repository: a broken reference in a document
    // nobody touches, and an unowned feature (a warning).
    repo.file(
        "old.md",
        &F {
            title: "Old",
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    )
    .file(
        "lazy.md",
        &F {
            title: "Lazy",
            owner: None,
            ..F::default()
        }
        .md(),
    )
    .file("f1.md", &F::default().md())
    .file(
        "f2.md",
        &F {
            title: "F2",
            depends_on: &["f3"],
            ..F::default()
        }
        .md(),
    )
    .file(
        "f3.md",
        &F {
            title: "F3",
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("Old plans", "2026-01-05");
    let full = repo.run(&["check", "--format", "json"]);
    assert_eq!(full.code, 1);

    // Nothing changed: nothing to report, exit 0 despite the old error.
    assert_eq!(changed_since(&repo, "HEAD"), (0, vec![]));
    let human = repo.run(&["check", "--changed-since", "HEAD"]);
    assert_eq!(human.code, 0, "{human:?}");

    // A new problem in a changed document is reported...
    repo.file(
        "f1.md",
        &F {
            depends_on: &["nope"],
            ..F::default()
        }
        .md(),
    );
    assert_eq!(
        changed_since(&repo, "HEAD"),
        (1, vec![d3("broken-reference", "f1.md", 8)])
    );
    // ...and so is a broken reference the change causes in a document it
    // did not touch: F3 is deleted, F2 still depends on it.
    std::fs::remove_file(repo.join("f3.md")).expect("rm");
    assert_eq!(
        changed_since(&repo, &c0),
        (
            1,
            vec![
                d3("broken-reference", "f1.md", 8),
                d3("broken-reference", "f2.md", 8)
            ]
        )
    );
    // Touching the old document makes its problems the change's.
    repo.file(
        "old.md",
        &F {
            title: "Old, renamed",
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );
    let (code, list) = changed_since(&repo, "HEAD");
    assert_eq!(code, 1);
    assert!(
        list.contains(&d3("broken-reference", "old.md", 8)),
        "{list:?}"
    );
    assert!(!list.iter().any(|(_, f, _)| f == "lazy.md"), "{list:?}");

    // Only warnings in what changed: exit 0 unless --deny warnings.
    repo.file(
        "old.md",
        &F {
            title: "Old",
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    )
    .file(
        "f1.md",
        &F {
            owner: None,
            ..F::default()
        }
        .md(),
    )
    .file(
        "f3.md",
        &F {
            title: "F3",
            ..F::default()
        }
        .md(),
    );
    assert_eq!(
        changed_since(&repo, "HEAD"),
        (0, vec![d3("unowned", "f1.md", 2)])
    );
    let deny = repo.run(&["check", "--changed-since", "HEAD", "--deny", "warnings"]);
    assert_eq!(deny.code, 1, "{deny:?}");
    // Other formats are filtered the same way.
    let gh = repo.run(&["check", "--changed-since", "HEAD", "--format", "github"]);
    assert!(gh.stdout.contains("file=f1.md"), "{}", gh.stdout);
    assert!(!gh.stdout.contains("old.md"), "{}", gh.stdout);
}

#[test]
fn check_changed_since_an_edited_file_that_still_does_not_parse() {
    let (repo, git) = plans();
    repo.file("bad.md", "---\nkind: feature\ntitle: Bad\n");
    git.commit("Unclosed front matter", "2026-01-05");
    assert_eq!(changed_since(&repo, "HEAD"), (0, vec![]));
    // Edited, still broken the same way: the editor must hear of it.
    repo.file("bad.md", "---\nkind: feature\ntitle: Still bad\n");
    let (code, list) = changed_since(&repo, "HEAD");
    assert_eq!(code, 1);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(
        (list[0].0.as_str(), list[0].1.as_str()),
        ("yaml-syntax", "bad.md")
    );
}

#[test]
fn check_changed_since_ignores_staleness_of_untouched_documents() {
    // `stale` is about time, not about the change: a document nobody
    // touched going stale is an old problem.
    let (repo, git) = plans();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nrules:\n  stale: { level: error, days: 30 }\n",
    )
    .file(
        "f1.md",
        &F {
            status: "in-progress",
            ..F::default()
        }
        .md(),
    );
    let c0 = git.commit("F1 in progress", "2026-01-05");
    repo.file("seg.yaml", "kind: segment\nid: seg\ntitle: Students\n");
    git.commit("Rename a segment", "2026-10-30");
    let full = repo.diagnostics();
    assert!(full.iter().any(|d| d["rule"] == "stale"), "{full:?}");
    assert_eq!(changed_since(&repo, &c0), (0, vec![]));
}

#[test]
fn check_changed_since_a_bad_revision_or_a_base_without_plans() {
    let (repo, git) = plans();
    git.commit("Initial", "2026-01-05");
    let run = repo.run(&["check", "--changed-since", "nope"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("`nope`"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{run:?}");

    // A base with no plans: everything is the change's.
    let repo = Repo::empty();
    let git = Git::init(repo.path());
    repo.file("README.md", "# An app\n");
    let c0 = git.commit("Before plans", "2026-01-05");
    for (path, text) in crate::common::BASE {
        repo.file(path, text);
    }
    repo.file(
        "f1.md",
        &F {
            depends_on: &["ghost"],
            ..F::default()
        }
        .md(),
    );
    assert_eq!(
        changed_since(&repo, &c0),
        (1, vec![d3("broken-reference", "f1.md", 8)])
    );
}
