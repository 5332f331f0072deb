//! Every rule of docs/format.md#rules (except `stale`, which needs git
//! history): one fixture that triggers it and one that does not, with the
//! rule, file, line and column asserted exactly.

use crate::common::Repo;
use serde_json::Value;

/// The sections a committed feature needs by default, as a body.
const SECTIONS: &str = "\n## Problem\n\n## Goals\n\n## Non-goals\n\n## Requirements\n";

/// Fields of a committed feature that raises nothing.
const OK: &str = "status: planned\nowner: alice\nobjectives: [obj]\n";

/// A feature in Markdown: line 1 is `---`, line 2 `kind: feature`, line 3
/// `title: F`, and `fields` start on line 4. The body has every section.
fn feature(fields: &str) -> String {
    feature_body(fields, SECTIONS)
}

/// A feature with its own body (which starts on the line after the
/// closing `---`).
fn feature_body(fields: &str, body: &str) -> String {
    format!("---\nkind: feature\ntitle: F\n{fields}---\n{body}")
}

/// A (file, line, column) triple.
fn at(file: &str, line: u64, col: u64) -> (String, u64, u64) {
    (file.to_string(), line, col)
}

/// Diagnostics of one rule.
fn of(repo: &Repo, rule: &str) -> Vec<Value> {
    repo.diagnostics()
        .into_iter()
        .filter(|d| d["rule"] == rule)
        .collect()
}

/// The only diagnostic of `rule`; fails when there are none or several.
fn one(repo: &Repo, rule: &str) -> Value {
    let ds = of(repo, rule);
    assert_eq!(ds.len(), 1, "expected one `{rule}`, got {ds:#?}");
    ds.into_iter().next().unwrap_or_default()
}

/// (file, line, column) of a diagnostic.
fn where_(d: &Value) -> (String, u64, u64) {
    (
        d["file"].as_str().unwrap_or_default().to_string(),
        d["line"].as_u64().unwrap_or_default(),
        d["column"].as_u64().unwrap_or_default(),
    )
}

/// Asserts the repository raises nothing at all.
fn clean(repo: &Repo) {
    assert_eq!(repo.diagnostics(), Vec::<Value>::new());
}

/// Asserts `rule` is not raised.
fn none(repo: &Repo, rule: &str) {
    let ds = of(repo, rule);
    assert!(ds.is_empty(), "unexpected `{rule}`: {ds:#?}");
}

// ---------------------------------------------------------------- yaml-syntax

#[test]
fn yaml_syntax_colon_in_unquoted_value_suggests_quoting() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        "---\nkind: feature\ntitle: Search: faster\nstatus: idea\n---\n",
    );
    let d = one(&repo, "yaml-syntax");
    assert_eq!(where_(&d), at("f.md", 3, 14));
    assert_eq!(d["level"], "error");
    assert_eq!(
        d["suggestion"],
        "quote the value: `title: \"Search: faster\"`"
    );
}

#[test]
fn yaml_syntax_unclosed_front_matter() {
    let repo = Repo::base();
    repo.file("f.md", "---\nkind: feature\ntitle: F\nstatus: idea\n");
    assert_eq!(repo.positions("yaml-syntax"), vec![at("f.md", 1, 1)]);
}

#[test]
fn yaml_syntax_duplicate_key_at_the_second_key() {
    let repo = Repo::base();
    repo.file("bob.yaml", "kind: person\nid: bob\ntitle: B\ntitle: C\n");
    let d = one(&repo, "yaml-syntax");
    assert_eq!(where_(&d), at("bob.yaml", 4, 1));
    assert!(
        d["message"]
            .as_str()
            .unwrap_or_default()
            .contains("duplicate key `title`"),
        "{d}"
    );
}

#[test]
fn yaml_syntax_in_a_yaml_file() {
    let repo = Repo::base();
    repo.file("bob.yaml", "kind: person\nid: bob\ntitle: [B\n");
    let ds = of(&repo, "yaml-syntax");
    assert_eq!(ds.len(), 1, "{ds:#?}");
    assert_eq!(ds[0]["file"], "bob.yaml");
}

#[test]
fn yaml_syntax_not_raised_by_prose_or_clean_documents() {
    let repo = Repo::base();
    repo.file("README.md", "# Plans\n\ntitle: a: b\n\n[[nobody]]\n");
    repo.file("bob.yaml", "kind: person\nid: bob\ntitle: 'B: C'\n");
    clean(&repo);
}

#[test]
fn yaml_syntax_cannot_be_switched_off() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nrules:\n  yaml-syntax: off\n",
    );
    repo.file("f.md", "---\nkind: feature\n");
    assert_eq!(repo.positions("yaml-syntax"), vec![at("f.md", 1, 1)]);
}

#[test]
fn yaml_syntax_cannot_be_lowered_to_a_warning() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nrules:\n  yaml-syntax: warning\n",
    );
    repo.file("f.md", "---\nkind: feature\n");
    let d = one(&repo, "yaml-syntax");
    assert_eq!(where_(&d), at("f.md", 1, 1));
    assert_eq!(d["level"], "error");
}

// --------------------------------------------------------------------- schema

#[test]
fn schema_wrong_type_at_the_value() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: idea\nowner: alice\nobjectives: obj\n"),
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("f.md", 6, 13));
    assert_eq!(d["level"], "error");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or_default()
            .contains("objectives"),
        "{d}"
    );
}

#[test]
fn schema_unknown_enum_value() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: shiped\nowner: alice\nobjectives: [obj]\n"),
    );
    assert_eq!(repo.positions("schema"), vec![at("f.md", 4, 9)]);
}

#[test]
fn schema_missing_required_field_at_kind() {
    let repo = Repo::base();
    repo.file("f.md", &feature("owner: alice\nobjectives: [obj]\n"));
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("f.md", 2, 1));
    assert_eq!(d["message"], "missing required field `status`");
}

#[test]
fn schema_missing_nested_field_at_the_objects_key() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature(
            "status: idea\nobjectives: [obj]\nrice:\n  reach: 10\n  impact: 1\n  confidence: 0.5\n",
        ),
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("f.md", 6, 1));
    assert_eq!(d["message"], "missing required field `rice.effort`");
}

#[test]
fn schema_unknown_field_suggests_the_nearest() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: idea\nobjectives: [obj]\nmilestne: m1\n"),
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("f.md", 6, 1));
    assert_eq!(d["message"], "unknown field `milestne`");
    assert_eq!(d["suggestion"], "did you mean `milestone`?");
}

#[test]
fn schema_unknown_nested_field_suggests_the_nearest() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature(
            "status: idea\nobjectives: [obj]\nrice:\n  reach: 1\n  impact: 1\n  confidence: 1\n  effort: 1\n  efort: 2\n",
        ),
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("f.md", 11, 3));
    assert_eq!(d["message"], "unknown field `rice.efort`");
    assert_eq!(d["suggestion"], "did you mean `effort`?");
}

#[test]
fn schema_quoted_number_is_an_error() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature(
            "status: idea\nobjectives: [obj]\nrice:\n  reach: \"5\"\n  impact: 1\n  confidence: 1\n  effort: 1\n",
        ),
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("f.md", 7, 10));
    assert!(
        d["message"]
            .as_str()
            .unwrap_or_default()
            .contains("rice.reach"),
        "{d}"
    );
}

#[test]
fn schema_unquoted_numbers_are_numbers() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature(
            "status: idea\nobjectives: [obj]\nrice:\n  reach: 5\n  impact: 0.25\n  confidence: 1\n  effort: 1e1\n",
        ),
    );
    clean(&repo);
}

#[test]
fn schema_impossible_date_at_its_position() {
    let repo = Repo::base();
    repo.file(
        "m9.yaml",
        "kind: milestone\nid: m9\ntitle: M9\ndate: 2027-02-30\n",
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("m9.yaml", 4, 7));
    assert!(
        d["message"].as_str().unwrap_or_default().contains("date"),
        "{d}"
    );
}

#[test]
fn schema_real_leap_day_is_a_date() {
    let repo = Repo::base();
    repo.file(
        "m9.yaml",
        "kind: milestone\nid: m9\ntitle: M9\ndate: 2028-02-29\n",
    );
    clean(&repo);
}

#[test]
fn schema_plain_scalars_are_strings_where_the_schema_wants_text() {
    let repo = Repo::base();
    repo.file(
        "s2.yaml",
        "kind: strategy\nid: s2\ntitle: no\nperiod: 2027\nsummary: 12.5\n",
    );
    repo.file(
        "o2.yaml",
        "kind: objective\nid: o2\ntitle: yes\nstrategy: s2\nperiod: 2027-Q3\nkey_results:\n  - title: 10\n    metric: met\n    baseline: 0\n    target: 1.5\n",
    );
    clean(&repo);
    let run = repo.run(&["list", "strategy", "--format", "json"]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    let s2 = v
        .as_array()
        .and_then(|a| a.iter().find(|d| d["id"] == "s2"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(s2["title"], "no", "{}", run.stdout);
}

#[test]
fn schema_missing_kind_in_a_yaml_file() {
    let repo = Repo::base();
    repo.file("bob.yaml", "id: bob\ntitle: B\n");
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("bob.yaml", 1, 1));
    assert_eq!(d["message"], "missing required field `kind`");
}

#[test]
fn schema_missing_id_in_a_yaml_file() {
    let repo = Repo::base();
    repo.file("bob.yaml", "title: B\nkind: person\n");
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("bob.yaml", 2, 1));
    assert_eq!(d["message"], "missing required field `id`");
}

// --------------------------------------------------------------- unknown-kind

#[test]
fn unknown_kind_suggests_the_nearest_kind() {
    let repo = Repo::base();
    repo.file("u.yaml", "kind: featur\nid: u\ntitle: U\n");
    let d = one(&repo, "unknown-kind");
    assert_eq!(where_(&d), at("u.yaml", 1, 7));
    assert_eq!(d["level"], "error");
    assert_eq!(d["suggestion"], "did you mean `feature`?");
}

#[test]
fn unknown_kind_not_raised_for_a_kind_declared_in_the_config() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  experiment:\n    schema: schema/experiment.schema.json\n",
    );
    repo.file(
        "schema/experiment.schema.json",
        r#"{"type": "object", "properties": {"hypothesis": {"type": "string"}}}"#,
    );
    repo.file(
        "exp.yaml",
        "kind: experiment\nid: exp\ntitle: E\nhypothesis: faster is better\n",
    );
    clean(&repo);
}

// --------------------------------------------------------------- duplicate-id

#[test]
fn duplicate_id_at_each_later_id_with_a_note_naming_the_first() {
    let repo = Repo::base();
    repo.file("zed.yaml", "kind: person\nid: alice\ntitle: A2\n");
    repo.file("zoe.yaml", "kind: person\ntitle: A3\nid: alice\n");
    let ds = of(&repo, "duplicate-id");
    let got: Vec<_> = ds.iter().map(where_).collect();
    assert_eq!(got, vec![at("zed.yaml", 2, 1), at("zoe.yaml", 3, 1)]);
    for d in &ds {
        assert_eq!(d["level"], "error");
        assert_eq!(d["notes"][0], "first defined at alice.yaml:2:1", "{d}");
    }
}

#[test]
fn duplicate_id_inside_one_yaml_stream() {
    let repo = Repo::base();
    repo.file(
        "people.yaml",
        "kind: person\nid: bob\ntitle: B\n---\nkind: person\nid: bob\ntitle: B2\n",
    );
    assert_eq!(
        repo.positions("duplicate-id"),
        vec![at("people.yaml", 6, 1)]
    );
}

#[test]
fn duplicate_id_not_raised_for_distinct_ids() {
    let repo = Repo::base();
    repo.file(
        "people.yaml",
        "kind: person\nid: bob\ntitle: B\n---\nkind: person\nid: carol\ntitle: C\n",
    );
    clean(&repo);
}

// ----------------------------------------------------------------- invalid-id

#[test]
fn invalid_id_at_the_value() {
    let repo = Repo::base();
    repo.file("bob.yaml", "kind: person\nid: _bob\ntitle: B\n");
    let ds = repo.diagnostics();
    let got: Vec<_> = ds
        .iter()
        .map(|d| (d["rule"].as_str().unwrap_or_default(), where_(d)))
        .collect();
    assert_eq!(got, vec![("invalid-id", at("bob.yaml", 2, 5))], "{ds:#?}");
}

#[test]
fn invalid_id_from_a_markdown_file_stem() {
    let repo = Repo::base();
    repo.file("my notes.md", "---\nkind: person\ntitle: Notes\n---\n");
    assert_eq!(repo.positions("invalid-id"), vec![at("my notes.md", 1, 1)]);
}

#[test]
fn invalid_id_not_raised_for_valid_ids() {
    let repo = Repo::base();
    let long = "a".repeat(128);
    repo.file("bob.yaml", "kind: person\nid: B0b.x_y-z\ntitle: B\n");
    repo.file(
        "long.yaml",
        &format!("kind: person\nid: {long}\ntitle: L\n"),
    );
    clean(&repo);
    let repo = Repo::base();
    repo.file(
        "long.yaml",
        &format!("kind: person\nid: {long}a\ntitle: L\n"),
    );
    assert_eq!(repo.positions("invalid-id"), vec![at("long.yaml", 2, 5)]);
}

/// `index` would be the address of its kind's list page
/// (`<kind>/index.html`): reserved, in any case, whether written or taken
/// from the file name.
#[test]
fn invalid_id_for_the_reserved_id_index() {
    let repo = Repo::base();
    repo.file("seg.yaml", "kind: segment\nid: index\ntitle: S\n")
        .file("people/Index.md", "---\nkind: person\ntitle: P\n---\n")
        .file("ok.yaml", "kind: segment\nid: index-page\ntitle: T\n");
    let ds = repo.diagnostics();
    let got: Vec<_> = ds
        .iter()
        .filter(|d| d["rule"] == "invalid-id")
        .map(|d| (d["message"].as_str().unwrap_or_default(), where_(d)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("reserved id `Index`", at("people/Index.md", 1, 1)),
            ("reserved id `index`", at("seg.yaml", 2, 5)),
        ],
        "{ds:#?}"
    );
    let seg = ds
        .iter()
        .find(|d| d["file"] == "seg.yaml" && d["rule"] == "invalid-id")
        .expect("seg.yaml diagnostic");
    assert_eq!(seg["level"], "error");
    assert!(
        seg["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("`segment/index.html` is the list of every segment")),
        "{seg:#?}"
    );
}

// ------------------------------------------------------------- case-collision

#[test]
fn case_collision_at_the_later_id() {
    let repo = Repo::base();
    repo.file("zz.yaml", "kind: person\nid: ALICE\ntitle: A\n");
    let d = one(&repo, "case-collision");
    assert_eq!(where_(&d), at("zz.yaml", 2, 1));
    assert_eq!(d["level"], "error");
    none(&repo, "duplicate-id");
}

#[test]
fn case_collision_not_raised_for_different_ids() {
    let repo = Repo::base();
    repo.file("zz.yaml", "kind: person\nid: Alicia\ntitle: A\n");
    clean(&repo);
}

// ----------------------------------------------------------- broken-reference

#[test]
fn broken_reference_suggests_the_nearest_id() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: planned\nowner: alcie\nobjectives: [obj]\n"),
    );
    let d = one(&repo, "broken-reference");
    assert_eq!(where_(&d), at("f.md", 5, 8));
    assert_eq!(d["level"], "error");
    assert_eq!(d["suggestion"], "did you mean `alice`?");
}

#[test]
fn broken_reference_in_a_list_and_a_nested_object() {
    let repo = Repo::base();
    repo.file(
        "m3.yaml",
        "kind: milestone\nid: m3\ntitle: M3\ndate: 2027-06-01\nlaunch:\n  segments: [seg, sge]\n",
    );
    assert_eq!(
        repo.positions("broken-reference"),
        vec![at("m3.yaml", 6, 19)]
    );
}

#[test]
fn broken_reference_not_raised_for_existing_ids() {
    let repo = Repo::base();
    repo.file("f.md", &feature(OK));
    clean(&repo);
}

#[test]
fn reference_to_a_document_with_schema_errors_resolves() {
    let repo = Repo::base();
    repo.file(
        "m3.yaml",
        "kind: milestone\nid: m3\ntitle: M3\ndate: soon\n",
    );
    repo.file(
        "f.md",
        &feature("status: planned\nowner: alice\nobjectives: [obj]\nmilestone: m3\n"),
    );
    assert_eq!(repo.positions("schema"), vec![at("m3.yaml", 4, 7)]);
    none(&repo, "broken-reference");
}

#[test]
fn reference_into_a_file_that_did_not_parse_is_not_reported_again() {
    let repo = Repo::base();
    repo.file(
        "bob.md",
        "---\nkind: person\ntitle: Bob: the builder\n---\n",
    );
    repo.file(
        "f.md",
        &feature("status: planned\nowner: bob\nobjectives: [obj]\n"),
    );
    let ds = repo.diagnostics();
    let rules: Vec<_> = ds
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(rules, vec!["yaml-syntax"], "{ds:#?}");
    assert_eq!(ds[0]["file"], "bob.md");
}

// ------------------------------------------------------- wrong-kind-reference

#[test]
fn wrong_kind_reference_at_the_value() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: planned\nowner: seg\nobjectives: [obj]\n"),
    );
    let d = one(&repo, "wrong-kind-reference");
    assert_eq!(where_(&d), at("f.md", 5, 8));
    assert_eq!(d["level"], "error");
    none(&repo, "broken-reference");
}

#[test]
fn wrong_kind_reference_in_a_list() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: planned\nowner: alice\nobjectives: [obj, met]\n"),
    );
    assert_eq!(
        repo.positions("wrong-kind-reference"),
        vec![at("f.md", 6, 19)]
    );
}

// ----------------------------------------------------------- dependency-cycle

#[test]
fn dependency_cycle_once_at_the_smallest_id() {
    let repo = Repo::base();
    // Path order c, a, b is not id order: the cycle is reported in `a`.
    repo.file(
        "1/c.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [a]\n"),
    );
    repo.file(
        "2/a.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on:\n  - m-none\n  - b\n"),
    );
    repo.file(
        "3/b.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [c]\n"),
    );
    let d = one(&repo, "dependency-cycle");
    assert_eq!(where_(&d), at("2/a.md", 8, 5));
    assert_eq!(d["level"], "error");
    assert_eq!(d["message"], "dependency cycle: a → b → c → a");
}

#[test]
fn dependency_cycle_of_one_feature_on_itself() {
    let repo = Repo::base();
    repo.file(
        "s.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [s]\n"),
    );
    let d = one(&repo, "dependency-cycle");
    assert_eq!(where_(&d), at("s.md", 6, 14));
    assert_eq!(d["message"], "dependency cycle: s → s");
}

#[test]
fn dependency_cycle_not_raised_for_a_chain() {
    let repo = Repo::base();
    repo.file(
        "a.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [b, c]\n"),
    );
    repo.file(
        "b.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [c]\n"),
    );
    repo.file("c.md", &feature("status: idea\nobjectives: [obj]\n"));
    clean(&repo);
}

#[test]
fn dependency_rules_read_only_depends_on_between_features() {
    // Prose links between features are no dependencies: a shipped feature
    // linking a planned one, which links back, is neither a cycle nor
    // shipped before a dependency.
    let repo = Repo::base();
    repo.file(
        "x.md",
        &feature_body(
            "status: shipped\nowner: alice\nobjectives: [obj]\n",
            &format!("{SECTIONS}\nSee [[y]].\n"),
        ),
    );
    repo.file(
        "y.md",
        &feature_body(OK, &format!("{SECTIONS}\nAfter [x](x.md).\n")),
    );
    clean(&repo);
}

// ----------------------------------------------------------- dependency-order

/// Feature `x` in milestone `xm` depending on feature `y` (status
/// `y_status`, in milestone `ym` unless empty).
fn order_repo(xm: &str, y_status: &str, ym: &str) -> Repo {
    let repo = Repo::base();
    repo.file(
        "m3.yaml",
        "kind: milestone\nid: m3\ntitle: M3\ndate: 2027-06-01\nstatus: cancelled\n",
    );
    repo.file(
        "x.md",
        &feature(&format!("{OK}milestone: {xm}\ndepends_on: [y]\n")),
    );
    let ym = if ym.is_empty() {
        String::new()
    } else {
        format!("milestone: {ym}\n")
    };
    repo.file(
        "y.md",
        &feature(&format!(
            "status: {y_status}\nowner: alice\nobjectives: [obj]\n{ym}"
        )),
    );
    repo
}

#[test]
fn dependency_order_at_the_depends_on_entry() {
    let repo = order_repo("m1", "planned", "m2");
    let d = one(&repo, "dependency-order");
    assert_eq!(where_(&d), at("x.md", 8, 14));
    assert_eq!(d["level"], "error");
    assert_eq!(
        d["message"],
        "`x` is due in `m1` (2027-01-15) before its dependency `y` in `m2` (2027-04-15)"
    );
    assert_eq!(repo.diagnostics().len(), 1);
}

#[test]
fn dependency_order_not_raised_when_the_order_is_right() {
    clean(&order_repo("m2", "planned", "m1"));
    clean(&order_repo("m1", "planned", "m1"));
}

#[test]
fn dependency_order_not_raised_for_a_dependency_without_milestone() {
    clean(&order_repo("m1", "planned", ""));
}

#[test]
fn dependency_order_not_raised_for_a_cancelled_milestone() {
    // `y` sits in the cancelled m3 (dated after m1): nothing.
    clean(&order_repo("m1", "planned", "m3"));
}

#[test]
fn dependency_order_not_raised_for_a_shipped_dependency() {
    clean(&order_repo("m1", "shipped", "m2"));
}

// -------------------------------------------------- shipped-before-dependency

#[test]
fn shipped_before_dependency_at_the_entry() {
    let repo = Repo::base();
    repo.file(
        "x.md",
        &feature("status: shipped\nowner: alice\nobjectives: [obj]\ndepends_on: [z, y]\n"),
    );
    repo.file("y.md", &feature(OK));
    repo.file(
        "z.md",
        &feature("status: shipped\nowner: alice\nobjectives: [obj]\n"),
    );
    let d = one(&repo, "shipped-before-dependency");
    assert_eq!(where_(&d), at("x.md", 7, 17));
    assert_eq!(d["level"], "error");
    assert_eq!(repo.diagnostics().len(), 1);
}

#[test]
fn shipped_before_dependency_not_raised_when_both_shipped() {
    let repo = Repo::base();
    repo.file(
        "x.md",
        &feature("status: shipped\nowner: alice\nobjectives: [obj]\ndepends_on: [y]\n"),
    );
    repo.file(
        "y.md",
        &feature("status: shipped\nowner: alice\nobjectives: [obj]\n"),
    );
    clean(&repo);
}

// ---------------------------------------------------------------- broken-link

/// A person document with headings, the target of anchor links.
const TARGET: &str = "---\nkind: person\ntitle: Target\n---\n# Top\n\n## Next steps\n";

/// A person at `file` whose body (from line 5) is `body`.
fn linker(repo: &Repo, file: &str, body: &str) {
    repo.file(
        file,
        &format!("---\nkind: person\ntitle: Linker\n---\n{body}"),
    );
}

#[test]
fn broken_link_wiki_links() {
    let repo = Repo::base();
    repo.file("notes/target.md", TARGET);
    linker(
        &repo,
        "l.md",
        "See [[nobody]].\n\
         [[target]] and [[target|the target]] and [[target#next-steps]].\n\
         Also [[targt|label]].\n\
         And [[target#nope]].\n\
         And [[target#top|Top]] [[seg]].\n",
    );
    let ds = of(&repo, "broken-link");
    let got: Vec<_> = ds.iter().map(where_).collect();
    assert_eq!(
        got,
        vec![at("l.md", 5, 5), at("l.md", 7, 6), at("l.md", 8, 5)],
        "{ds:#?}"
    );
    assert_eq!(ds[0]["level"], "error");
    assert_eq!(ds[0]["message"], "no document with id `nobody`");
    assert_eq!(ds[1]["suggestion"], "did you mean `target`?");
    assert_eq!(ds[2]["message"], "no heading `#nope` in `target`");
}

/// A link to a document that does not parse is not also broken (its
/// parse error is the problem), but a prose file without front matter is
/// no document: a wiki link to its name is broken.
#[test]
fn broken_link_to_a_prose_file_but_not_to_one_that_does_not_parse() {
    let repo = Repo::base();
    repo.file("notes.md", "# Notes\n\nJust prose.\n");
    repo.file("broken.md", "---\nkind: feature\ntitle: [unclosed\n---\n");
    linker(&repo, "l.md", "See [[notes]] and [[broken]].\n");
    let ds = of(&repo, "broken-link");
    assert_eq!(
        ds.iter().map(where_).collect::<Vec<_>>(),
        vec![at("l.md", 5, 5)],
        "{ds:#?}"
    );
    assert_eq!(ds[0]["message"], "no document with id `notes`");
}

#[test]
fn broken_link_relative_paths_and_anchors() {
    let repo = Repo::base();
    repo.file("notes/target.md", TARGET);
    repo.file("notes/pic.png", "png");
    linker(
        &repo,
        "notes/l.md",
        "[ok](target.md) [ok](target.md#next-steps) [ok](pic.png) [ok](../product.md)\n\
         \n\
         [bad](missing.md)\n\
         \n\
         x [bad](target.md#nope)\n\
         \n\
         [bad](../../outside.md)\n\
         \n\
         [ok](../notes/./target.md#top)\n",
    );
    let ds = of(&repo, "broken-link");
    let got: Vec<_> = ds.iter().map(where_).collect();
    assert_eq!(
        got,
        vec![
            at("notes/l.md", 7, 1),
            at("notes/l.md", 9, 3),
            at("notes/l.md", 11, 1)
        ],
        "{ds:#?}"
    );
}

/// A link to a missing file suggests the nearest file of the same folder,
/// written the way the link was; files in other folders, or in a folder
/// below, are not suggested.
#[test]
fn broken_link_to_a_missing_file_suggests_a_file_beside_it() {
    let repo = Repo::base();
    repo.file("notes/target.md", TARGET);
    repo.file("notes/deep/targets.md", TARGET);
    repo.file("other/zzz.png", "png");
    linker(
        &repo,
        "notes/l.md",
        "[a](targt.md) [b](../notes/targt.md#top) [c](../other/zzz.pn)\n",
    );
    let got: Vec<(String, String)> = of(&repo, "broken-link")
        .iter()
        .map(|d| {
            (
                d["message"].as_str().unwrap_or_default().to_string(),
                d["suggestion"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "link to missing file `targt.md`".to_string(),
                "did you mean `target.md`?".to_string()
            ),
            (
                "link to missing file `../notes/targt.md#top`".to_string(),
                "did you mean `../notes/target.md`?".to_string()
            ),
            (
                "link to missing file `../other/zzz.pn`".to_string(),
                "did you mean `../other/zzz.png`?".to_string()
            ),
        ]
    );
}

/// A link to a folder of the repository, or to its root, is no broken
/// link; a folder that is not there is.
#[test]
fn broken_link_not_raised_for_a_folder_or_the_root() {
    let repo = Repo::base();
    repo.file("notes/target.md", TARGET);
    linker(
        &repo,
        "l.md",
        "[folder](notes/) [also](notes) [root](./) [gone](drafts/)\n",
    );
    let ds = of(&repo, "broken-link");
    assert_eq!(
        ds.iter().map(where_).collect::<Vec<_>>(),
        vec![at("l.md", 5, 43)],
        "{ds:#?}"
    );
    assert_eq!(ds[0]["message"], "link to missing file `drafts/`");
}

#[test]
fn broken_link_same_page_anchors_with_repeated_headings() {
    let repo = Repo::base();
    linker(
        &repo,
        "l.md",
        "## Goals\n\n## Goals\n\n[a](#goals) [b](#goals-1) [c](#goals-2)\n",
    );
    assert_eq!(repo.positions("broken-link"), vec![at("l.md", 9, 27)]);
}

#[test]
fn broken_link_ignores_external_links_and_code() {
    let repo = Repo::base();
    linker(
        &repo,
        "l.md",
        "[a](https://example.com/missing.md) [b](mailto:a@example.com) <https://x.io>\n\n\
         `[[nobody]]` and `[c](missing.md)`\n\n\
         ```\n[[nobody]] [d](missing.md)\n```\n",
    );
    clean(&repo);
}

// ------------------------------------------------------------ missing-section

#[test]
fn missing_section_once_per_section_at_status() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature_body(OK, "\n# problem\n\n### GOALS  \n\n## Requirements\n"),
    );
    let ds = of(&repo, "missing-section");
    let got: Vec<_> = ds.iter().map(where_).collect();
    assert_eq!(got, vec![at("f.md", 4, 1)], "{ds:#?}");
    assert_eq!(ds[0]["level"], "error");
    assert_eq!(ds[0]["message"], "missing section `Non-goals`");
}

#[test]
fn missing_section_lists_each_missing_one() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature_body(
            "owner: alice\nobjectives: [obj]\nstatus: in-progress\n",
            "\n## Goals\n",
        ),
    );
    let ds = of(&repo, "missing-section");
    let got: Vec<_> = ds
        .iter()
        .map(|d| {
            (
                where_(d),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (at("f.md", 6, 1), "missing section `Non-goals`".to_string()),
            (at("f.md", 6, 1), "missing section `Problem`".to_string()),
            (
                at("f.md", 6, 1),
                "missing section `Requirements`".to_string()
            ),
        ]
    );
}

#[test]
fn missing_section_not_raised_for_uncommitted_features() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature_body("status: discovery\nobjectives: [obj]\n", ""),
    );
    clean(&repo);
}

#[test]
fn missing_section_uses_the_configured_sections() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  feature:\n    required_sections: [Summary]\n  decision:\n    required_sections: [Context]\n",
    );
    repo.file("f.md", &feature(OK));
    repo.file("g.md", &feature_body(OK, "## Summary\n"));
    repo.file(
        "d.md",
        "---\nkind: decision\ntitle: D\ndate: 2026-10-01\nstatus: accepted\n---\n## Decision\n",
    );
    repo.file(
        "e.md",
        "---\nkind: decision\ntitle: E\ndate: 2026-10-01\nstatus: accepted\n---\n## Context\n",
    );
    let ds = of(&repo, "missing-section");
    let got: Vec<_> = ds
        .iter()
        .map(|d| {
            (
                where_(d),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (at("d.md", 5, 1), "missing section `Context`".to_string()),
            (at("f.md", 4, 1), "missing section `Summary`".to_string()),
        ]
    );
}

// ------------------------------------------------------------- single-product

#[test]
fn single_product_none_at_the_config() {
    let repo = Repo::base();
    std::fs::remove_file(repo.join("product.md")).expect("rm");
    let d = one(&repo, "single-product");
    assert_eq!(where_(&d), at("northstar.yaml", 1, 1));
    assert_eq!(d["level"], "error");
}

#[test]
fn single_product_two_at_the_second() {
    let repo = Repo::base();
    repo.file(
        "vision.yaml",
        "id: vision\ntitle: Again\nkind: product\nvision: Be more useful\n",
    );
    let d = one(&repo, "single-product");
    assert_eq!(where_(&d), at("vision.yaml", 3, 1));
}

#[test]
fn single_product_not_raised_for_one() {
    clean(&Repo::base());
}

// -------------------------------------------------- feature-without-objective

#[test]
fn feature_without_objective_at_kind() {
    let repo = Repo::base();
    repo.file("f.md", &feature("status: planned\nowner: alice\n"));
    let d = one(&repo, "feature-without-objective");
    assert_eq!(where_(&d), at("f.md", 2, 1));
    assert_eq!(d["level"], "warning");
    assert_eq!(repo.diagnostics().len(), 1);
}

#[test]
fn feature_without_objective_not_raised_with_one() {
    let repo = Repo::base();
    repo.file("f.md", &feature(OK));
    clean(&repo);
}

// --------------------------------------------------- objective-without-metric

#[test]
fn objective_without_metric_at_key_results() {
    let repo = Repo::base();
    repo.file(
        "o2.yaml",
        "kind: objective\nid: o2\ntitle: O2\nstrategy: strat\nperiod: 2027-H1\nkey_results:\n  - title: KR\n    baseline: 0\n    target: 10\n",
    );
    let d = one(&repo, "objective-without-metric");
    assert_eq!(where_(&d), at("o2.yaml", 6, 1));
    assert_eq!(d["level"], "warning");
}

#[test]
fn objective_without_metric_not_raised_when_one_kr_has_one() {
    let repo = Repo::base();
    repo.file(
        "o2.yaml",
        "kind: objective\nid: o2\ntitle: O2\nstrategy: strat\nperiod: 2027-H1\nkey_results:\n  - title: KR\n    baseline: 0\n    target: 10\n  - title: KR2\n    metric: met\n    baseline: 0\n    target: 10\n",
    );
    clean(&repo);
}

// -------------------------------------------------------------------- unowned

#[test]
fn unowned_committed_feature_at_kind() {
    let repo = Repo::base();
    repo.file("f.md", &feature("status: beta\nobjectives: [obj]\n"));
    let d = one(&repo, "unowned");
    assert_eq!(where_(&d), at("f.md", 2, 1));
    assert_eq!(d["level"], "warning");
    assert_eq!(repo.diagnostics().len(), 1);
}

#[test]
fn unowned_not_raised_for_uncommitted_or_owned_features() {
    let repo = Repo::base();
    repo.file("f.md", &feature("status: idea\nobjectives: [obj]\n"));
    repo.file("g.md", &feature(OK));
    clean(&repo);
}

// ---------------------------------------------------------- overdue-milestone

#[test]
fn overdue_milestone_at_its_date() {
    let repo = Repo::base();
    repo.file(
        "m0.yaml",
        "kind: milestone\nid: m0\ntitle: M0\ndate: 2026-10-01\n",
    );
    repo.file("f.md", &feature(&format!("{OK}milestone: m0\n")));
    let d = one(&repo, "overdue-milestone");
    assert_eq!(where_(&d), at("m0.yaml", 4, 7));
    assert_eq!(d["level"], "warning");
    assert_eq!(d["notes"][0], "open: `f`");
}

#[test]
fn overdue_milestone_not_raised_when_done_future_or_released() {
    let repo = Repo::base();
    repo.file(
        "m0.yaml",
        "kind: milestone\nid: m0\ntitle: M0\ndate: 2026-10-01\n",
    );
    repo.file(
        "f.md",
        &feature("status: shipped\nowner: alice\nobjectives: [obj]\nmilestone: m0\n"),
    );
    repo.file(
        "g.md",
        &feature("status: declined\nobjectives: [obj]\nmilestone: m0\ndecision: d1\n"),
    );
    repo.file(
        "d1.yaml",
        "kind: decision\nid: d1\ntitle: No\ndate: 2026-09-01\nstatus: rejected\nfeatures: [g]\n",
    );
    repo.file("h.md", &feature(&format!("{OK}milestone: m1\n")));
    clean(&repo);
}

#[test]
fn overdue_milestone_from_the_day_after_its_date_not_on_it() {
    // `today: 2026-11-01` (Repo::base): a milestone due today is not late
    // yet; one due yesterday is.
    let repo = Repo::base();
    repo.file(
        "due-today.yaml",
        "kind: milestone\nid: due-today\ntitle: Today\ndate: 2026-11-01\n",
    );
    repo.file(
        "due-yesterday.yaml",
        "kind: milestone\nid: due-yesterday\ntitle: Yesterday\ndate: 2026-10-31\n",
    );
    repo.file("f.md", &feature(&format!("{OK}milestone: due-today\n")));
    repo.file("g.md", &feature(&format!("{OK}milestone: due-yesterday\n")));
    assert_eq!(
        repo.positions("overdue-milestone"),
        vec![at("due-yesterday.yaml", 4, 7)]
    );
    let d = one(&repo, "overdue-milestone");
    assert_eq!(
        d["message"],
        "milestone `due-yesterday` was due 2026-10-31 and still holds open features"
    );
}

// ---------------------------------------------------- released-with-unshipped

#[test]
fn released_with_unshipped_at_status() {
    let repo = Repo::base();
    repo.file(
        "m0.yaml",
        "kind: milestone\nid: m0\ntitle: M0\ndate: 2026-10-01\nstatus: released\n",
    );
    repo.file(
        "f.md",
        &feature("status: in-progress\nowner: alice\nobjectives: [obj]\nmilestone: m0\n"),
    );
    let d = one(&repo, "released-with-unshipped");
    assert_eq!(where_(&d), at("m0.yaml", 5, 9));
    assert_eq!(d["level"], "warning");
    none(&repo, "overdue-milestone");
}

#[test]
fn released_with_unshipped_not_raised_when_all_shipped() {
    let repo = Repo::base();
    repo.file(
        "m0.yaml",
        "kind: milestone\nid: m0\ntitle: M0\ndate: 2026-10-01\nstatus: released\n",
    );
    repo.file(
        "f.md",
        &feature("status: shipped\nowner: alice\nobjectives: [obj]\nmilestone: m0\n"),
    );
    clean(&repo);
}

// -------------------------------------------------- declined-without-decision

#[test]
fn declined_without_decision_at_status() {
    let repo = Repo::base();
    // A decision naming the feature does not count: the feature's own
    // `decision` field is empty.
    repo.file(
        "d1.yaml",
        "kind: decision\nid: d1\ntitle: No\ndate: 2026-09-01\nstatus: rejected\nfeatures: [f]\n",
    );
    repo.file("f.md", &feature("objectives: [obj]\nstatus: declined\n"));
    let d = one(&repo, "declined-without-decision");
    assert_eq!(where_(&d), at("f.md", 5, 9));
    assert_eq!(d["level"], "warning");
    assert_eq!(repo.diagnostics().len(), 1);
}

#[test]
fn declined_without_decision_not_raised_with_one() {
    let repo = Repo::base();
    repo.file(
        "d1.yaml",
        "kind: decision\nid: d1\ntitle: No\ndate: 2026-09-01\nstatus: rejected\n",
    );
    repo.file(
        "f.md",
        &feature("objectives: [obj]\nstatus: declined\ndecision: d1\n"),
    );
    clean(&repo);
}

// --------------------------------------------------------------------- orphan

#[test]
fn orphan_segment_and_metric_at_kind() {
    let repo = Repo::base();
    repo.file("seg2.yaml", "id: seg2\nkind: segment\ntitle: S2\n");
    repo.file(
        "met2.md",
        "---\nkind: metric\ntitle: M2\nunit: '%'\ndirection: decrease\n---\n",
    );
    let ds = of(&repo, "orphan");
    let got: Vec<_> = ds.iter().map(where_).collect();
    assert_eq!(got, vec![at("met2.md", 2, 1), at("seg2.yaml", 2, 1)]);
    assert_eq!(ds[0]["level"], "warning");
}

#[test]
fn orphan_not_raised_for_a_body_link() {
    let repo = Repo::base();
    repo.file("seg2.yaml", "kind: segment\nid: seg2\ntitle: S2\n");
    repo.file(
        "met2.md",
        "---\nkind: metric\ntitle: M2\nunit: '%'\ndirection: decrease\n---\n",
    );
    linker(
        &repo,
        "l.md",
        "For [[seg2|the second segment]], see [M2](met2.md).\n",
    );
    clean(&repo);
}

#[test]
fn orphan_insight_without_features() {
    let repo = Repo::base();
    repo.file(
        "i1.yaml",
        "kind: insight\nid: i1\ntitle: They want X\nsource: interview\ndate: 2026-09-01\nsegments: [seg]\n",
    );
    let d = one(&repo, "orphan");
    assert_eq!(where_(&d), at("i1.yaml", 1, 1));
}

#[test]
fn orphan_not_raised_for_an_insight_naming_a_feature() {
    let repo = Repo::base();
    repo.file("f.md", &feature(OK));
    repo.file(
        "i1.yaml",
        "kind: insight\nid: i1\ntitle: They want X\nsource: interview\ndate: 2026-09-01\nfeatures: [f]\n",
    );
    clean(&repo);
}

// ------------------------------------------------- levels and suppression

#[test]
fn config_levels_override_defaults() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nrules:\n  orphan: off\n  unowned: error\n  broken-reference: warning\n",
    );
    repo.file("seg2.yaml", "kind: segment\nid: seg2\ntitle: S2\n");
    repo.file(
        "f.md",
        &feature("status: planned\nobjectives: [obj]\nteam: nope\n"),
    );
    none(&repo, "orphan");
    let d = one(&repo, "unowned");
    assert_eq!(d["level"], "error");
    assert_eq!(where_(&d), at("f.md", 2, 1));
    let d = one(&repo, "broken-reference");
    assert_eq!(d["level"], "warning");
    assert_eq!(repo.run(&["check"]).code, 1);
}

#[test]
fn a_warning_only_run_exits_zero_unless_denied() {
    let repo = Repo::base();
    repo.file("f.md", &feature("status: planned\nobjectives: [obj]\n"));
    assert_eq!(repo.run(&["check"]).code, 0);
    assert_eq!(repo.run(&["check", "--deny", "warnings"]).code, 1);
}

#[test]
fn suppress_silences_one_rule_for_one_document() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        &feature("status: planned\nobjectives: [obj]\nsuppress: [unowned]\n"),
    );
    repo.file("g.md", &feature("status: planned\nobjectives: [obj]\n"));
    assert_eq!(repo.positions("unowned"), vec![at("g.md", 2, 1)]);
}

// ----------------------------------------------- robustness and positions

#[test]
fn a_broken_file_never_hides_another_files_problems() {
    let repo = Repo::base();
    repo.file("a.md", "---\nkind: feature\ntitle: [oops\n---\n");
    repo.file(
        "b.md",
        &feature("status: planned\nowner: nobody\nobjectives: [obj]\n"),
    );
    repo.file(
        "c.yaml",
        "kind: person\nid: carol\ntitle: C\nowner: nobody\n---\nkind: person\nid: [dave\n",
    );
    let ds = repo.diagnostics();
    let got: Vec<_> = ds
        .iter()
        .map(|d| (d["rule"].as_str().unwrap_or_default(), where_(d)))
        .collect();
    assert_eq!(got.len(), 4, "{ds:#?}");
    assert_eq!(got[0].0, "yaml-syntax");
    assert_eq!(got[0].1.0, "a.md");
    assert_eq!(got[1], ("broken-reference", at("b.md", 5, 8)));
    assert_eq!(got[2], ("broken-reference", at("c.yaml", 4, 8)));
    assert_eq!(got[3].0, "yaml-syntax");
    assert_eq!(got[3].1.0, "c.yaml");
}

#[test]
fn diagnostics_are_sorted_by_file_line_column_rule() {
    let repo = Repo::base();
    repo.file(
        "z.md",
        &feature("status: planned\nobjectives: [obj]\nteam: nope\n"),
    );
    repo.file(
        "b/y.md",
        &feature("status: planned\nowner: nope\nobjectives: [obj]\n"),
    );
    repo.file("a.yaml", "kind: segment\nid: a\ntitle: A\n");
    let ds = repo.diagnostics();
    let got: Vec<_> = ds
        .iter()
        .map(|d| {
            (
                where_(d),
                d["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (at("a.yaml", 1, 1), "orphan".to_string()),
            (at("b/y.md", 5, 8), "broken-reference".to_string()),
            (at("z.md", 2, 1), "unowned".to_string()),
            (at("z.md", 6, 7), "broken-reference".to_string()),
        ]
    );
}

#[test]
fn bom_and_crlf_give_correct_positions() {
    let repo = Repo::base();
    let text = "\u{feff}---\r\nkind: feature\r\ntitle: F\r\nstatus: planned\r\nowner: nobody\r\nobjectives: [obj]\r\n---\r\n\r\n## Problem\r\n## Goals\r\n## Non-goals\r\n## Requirements\r\n\r\nSee [[nobody]].\r\n";
    repo.file("f.md", text);
    let ds = repo.diagnostics();
    let got: Vec<_> = ds
        .iter()
        .map(|d| (d["rule"].as_str().unwrap_or_default(), where_(d)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("broken-reference", at("f.md", 5, 8)),
            ("broken-link", at("f.md", 14, 5)),
        ]
    );
    let repo = Repo::base();
    repo.file(
        "bob.yaml",
        "\u{feff}kind: person\r\nid: bob\r\ntitle: B\r\nowner: nobody\r\n",
    );
    assert_eq!(
        repo.positions("broken-reference"),
        vec![at("bob.yaml", 4, 8)]
    );
    let repo = Repo::base();
    repo.file(
        "bob.yaml",
        "\u{feff}rol: x\r\nkind: person\r\nid: bob\r\ntitle: B\r\n",
    );
    assert_eq!(repo.positions("schema"), vec![at("bob.yaml", 1, 1)]);
    let repo = Repo::base();
    repo.file(
        "bob.yaml",
        "\u{feff}{kind: person, id: bob, title: B, owner: nobody}\r\n",
    );
    assert_eq!(
        repo.positions("broken-reference"),
        vec![at("bob.yaml", 1, 42)]
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let repo = Repo::base();
    // A whole document in flow style: `owner` comes after multibyte text.
    repo.file(
        "bob.yaml",
        "{kind: person, id: bob, title: \"Ünïcödé ☃\", owner: nobody}\n",
    );
    linker(&repo, "l.md", "Ünïcödé ☃ — [[nobody]]\n");
    repo.file("f.md", "---\nkind: feature\ntitle: Ünï: ☃\n---\n");
    let ds = repo.diagnostics();
    let got: Vec<_> = ds
        .iter()
        .map(|d| (d["rule"].as_str().unwrap_or_default(), where_(d)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("broken-reference", at("bob.yaml", 1, 52)),
            ("yaml-syntax", at("f.md", 3, 11)),
            ("broken-link", at("l.md", 5, 13)),
        ]
    );
}

// ------------------------------------------------------------------ more edges

#[test]
fn schema_missing_field_in_a_list_item_at_the_item() {
    let repo = Repo::base();
    repo.file(
        "o2.yaml",
        "kind: objective\nid: o2\ntitle: O2\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: KR\n    metric: met\n    baseline: 0\n",
    );
    let d = one(&repo, "schema");
    assert_eq!(where_(&d), at("o2.yaml", 7, 5));
    assert_eq!(
        d["message"],
        "missing required field `key_results.0.target`"
    );
}

#[test]
fn unknown_kind_far_from_any_lists_the_known_kinds() {
    let repo = Repo::base();
    repo.file("u.md", "---\nkind: spaceship\ntitle: U\n---\n");
    let d = one(&repo, "unknown-kind");
    assert_eq!(where_(&d), at("u.md", 2, 7));
    assert!(d.get("suggestion").is_none(), "{d}");
    assert!(
        d["notes"][0]
            .as_str()
            .unwrap_or_default()
            .contains("feature"),
        "{d}"
    );
}

#[test]
fn dependency_cycle_each_cycle_once() {
    let repo = Repo::base();
    repo.file(
        "a.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [b]\n"),
    );
    repo.file(
        "b.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [a]\n"),
    );
    repo.file(
        "x.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [a, y]\n"),
    );
    repo.file(
        "y.md",
        &feature("status: idea\nobjectives: [obj]\ndepends_on: [x]\n"),
    );
    let ds = of(&repo, "dependency-cycle");
    let got: Vec<_> = ds
        .iter()
        .map(|d| {
            (
                where_(d),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (at("a.md", 6, 14), "dependency cycle: a → b → a".to_string()),
            (at("x.md", 6, 17), "dependency cycle: x → y → x".to_string()),
        ]
    );
}

#[test]
fn dependency_order_not_raised_for_a_closed_feature() {
    let repo = order_repo("m1", "planned", "m2");
    repo.file(
        "x.md",
        &feature("status: declined\nobjectives: [obj]\nmilestone: m1\ndepends_on: [y]\n"),
    );
    none(&repo, "dependency-order");
}

#[test]
fn links_into_a_file_that_did_not_parse_are_not_reported_again() {
    let repo = Repo::base();
    repo.file(
        "bob.md",
        "---\nkind: person\ntitle: Bob: the builder\n---\n# Bio\n",
    );
    linker(&repo, "l.md", "[[bob]] [[bob#bio]] [b](bob.md)\n");
    let ds = repo.diagnostics();
    let rules: Vec<_> = ds
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(rules, vec!["yaml-syntax"], "{ds:#?}");
}

#[test]
fn orphan_a_link_to_itself_does_not_count() {
    let repo = Repo::base();
    repo.file(
        "seg2.md",
        "---\nkind: segment\ntitle: S2\n---\nSee [[seg2]] and [me](seg2.md).\n",
    );
    assert_eq!(repo.positions("orphan"), vec![at("seg2.md", 2, 1)]);
}

/// A `kind:` left empty is a missing kind, not an unknown kind named ``;
/// a document of an unknown kind whose id is a number is one problem (its
/// kind), not also a missing id.
#[test]
fn an_empty_kind_is_missing_and_a_numeric_id_is_an_id() {
    let repo = Repo::base();
    repo.file("a.yaml", "kind: \"\"\nid: a1\ntitle: A\n")
        .file("b.yaml", "kind: nope\nid: 42\ntitle: B\n");
    let mine: Vec<(String, String, u64, u64)> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["file"] == "a.yaml" || d["file"] == "b.yaml")
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            (
                "a.yaml".into(),
                "missing required field `kind`".into(),
                1,
                1
            ),
            ("b.yaml".into(), "unknown kind `nope`".into(), 1, 7),
        ]
    );
}

/// An invalid id is one `invalid-id`, not also the schema's pattern error;
/// the document's other schema errors are still reported, and an id that
/// is not a string at all is the schema's to report.
#[test]
fn an_invalid_id_does_not_hide_other_schema_errors() {
    let repo = Repo::base();
    repo.file("a.yaml", "kind: segment\nid: \"bad id!\"\ntitle: [1]\n")
        .file("b.yaml", "kind: segment\nid: [x]\ntitle: B\n");
    let mut got: Vec<(String, String, u64, u64)> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["rule"] != "orphan" && (d["file"] == "a.yaml" || d["file"] == "b.yaml"))
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    let want = |f: &str, r: &str, l: u64, c: u64| (f.to_string(), r.to_string(), l, c);
    assert_eq!(
        got,
        [
            want("a.yaml", "invalid-id", 2, 5),
            want("a.yaml", "schema", 3, 8),
            want("b.yaml", "schema", 1, 1),
            want("b.yaml", "schema", 2, 5),
        ]
    );
}
