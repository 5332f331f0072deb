//! Diagnostics a PM understands: a value the schema does not allow names
//! the values it does and the one probably meant.

use crate::common::Repo;
use serde_json::Value;

fn feature(status: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: F1\nstatus: {status}\nowner: alice\nobjectives: [obj]\n---\n## Problem\nx\n## Goals\nx\n## Non-goals\nx\n## Requirements\nx\n"
    )
}

/// The one `schema` diagnostic of `f1.md`.
fn schema_diag(repo: &Repo) -> Value {
    let diags = repo.diagnostics();
    let mine: Vec<&Value> = diags
        .iter()
        .filter(|d| d["rule"] == "schema" && d["file"] == "f1.md")
        .collect();
    assert_eq!(mine.len(), 1, "{diags:#?}");
    mine[0].clone()
}

#[test]
fn a_status_typo_lists_the_allowed_values_and_the_one_meant() {
    for (written, meant) in [
        ("in progres", "in-progress"),
        ("inprogress", "in-progress"),
        ("Planned", "planned"),
        ("IN_PROGRESS", "in-progress"),
        ("shiped", "shipped"),
    ] {
        let repo = Repo::base();
        repo.file("f1.md", &feature(written));
        let d = schema_diag(&repo);
        assert_eq!(
            d["message"],
            format!("`{written}` is not an allowed `status`"),
            "{d:#}"
        );
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(4), Some(9)),
            "{d:#}"
        );
        assert_eq!(
            d["notes"][0],
            "allowed: `idea`, `discovery`, `planned`, `in-progress`, `beta`, `shipped`, `on-hold`, `declined`",
            "{d:#}"
        );
        assert_eq!(d["suggestion"], format!("did you mean `{meant}`?"), "{d:#}");
    }
    // Nothing near: the list, no guess.
    let repo = Repo::base();
    repo.file("f1.md", &feature("someday"));
    let d = schema_diag(&repo);
    assert_eq!(d["suggestion"], Value::Null, "{d:#}");
}

/// Articles read right: "an objective", "an in-progress".
#[test]
fn articles_agree_with_the_word() {
    let repo = Repo::base();
    repo.file(
        "f1.md",
        "---\nkind: feature\ntitle: F1\nstatus: in-progress\nowner: obj\nobjectives: [obj]\nmilestone: m1\n---\n## Problem\nx\n",
    );
    let diags = repo.diagnostics();
    let message = |rule: &str| -> Value {
        diags
            .iter()
            .find(|d| d["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {diags:#?}"))
            .clone()
    };
    assert_eq!(
        message("wrong-kind-reference")["message"],
        "`obj` is an objective, but `owner` expects a person"
    );
    let section = message("missing-section");
    assert!(
        section["notes"][0]
            .as_str()
            .is_some_and(|n| n.starts_with("an in-progress `f1` needs a heading `## ")),
        "{section:#}"
    );
}

/// YAML mistakes in plain words at the faulty token, with the fix.
#[test]
fn yaml_mistakes_are_explained_with_their_fix() {
    let repo = Repo::base();
    repo.file(
        "a.yaml",
        "kind: person\nid: p1\ntitle: P1\nreviewers:\n  - @bparees\n",
    )
    .file("b.yaml", "kind: person\nid: p2\ntitle: **provisional**\n")
    .file("c.yaml", "kind: person\nid: p3\ntitle: P3\nreplaces:[]\n")
    .file(
        "d.md",
        "---\nkind: person\nid: p4\ntitle: `code`\n---\nBody.\n",
    );
    let diags = repo.diagnostics();
    let got = crate::common::told(&diags, "yaml-syntax");
    let want = |f: &str, l: u64, c: u64, m: &str, s: &str| {
        (f.to_string(), l, c, m.to_string(), s.to_string())
    };
    assert_eq!(
        got,
        [
            want(
                "a.yaml",
                5,
                5,
                "a value starting with `@` must be quoted",
                "quote it: `- \"@bparees\"`"
            ),
            want(
                "b.yaml",
                3,
                8,
                "`*` starts an alias in YAML, so a value starting with it must be quoted",
                "quote it: `title: \"**provisional**\"`"
            ),
            want(
                "c.yaml",
                4,
                10,
                "`replaces:` needs a space after its colon",
                "write `replaces: []`"
            ),
            want(
                "d.md",
                4,
                8,
                "a value starting with a backtick must be quoted",
                "quote it: `title: \"`code`\"`"
            ),
        ],
        "{diags:#?}"
    );
}

/// A reference typed short finds the document by its words.
#[test]
fn a_short_reference_suggests_the_document_by_its_words() {
    let repo = Repo::base();
    repo.file(
        "alex.yaml",
        "kind: person\nid: alex-example\ntitle: Alex Example\n",
    )
    .file(
        "sam.yaml",
        "kind: person\nid: sam-o\ntitle: Samantha Okafor\n",
    )
    .file(
        "f1.md",
        "---\nkind: feature\ntitle: F1\nstatus: idea\nowner: alex\nobjectives: [obj]\n---\nx\n",
    )
    .file(
        "f2.md",
        "---\nkind: feature\ntitle: F2\nstatus: idea\nowner: okafor\nobjectives: [obj]\n---\nx\n",
    );
    let diags = repo.diagnostics();
    let suggestion = |file: &str| -> Value {
        diags
            .iter()
            .find(|d| d["rule"] == "broken-reference" && d["file"] == file)
            .unwrap_or_else(|| panic!("no broken-reference in {file}: {diags:#?}"))["suggestion"]
            .clone()
    };
    assert_eq!(suggestion("f1.md"), "did you mean `alex-example`?");
    assert_eq!(suggestion("f2.md"), "did you mean `sam-o`?");
}

/// A number field written as the word its description gives a value:
/// one problem, not a type error beside it, and the value meant.
#[test]
fn a_word_for_a_number_suggests_the_value_the_schema_describes() {
    let repo = Repo::base();
    repo.file(
        "f1.md",
        "---\nkind: feature\ntitle: F1\nstatus: idea\nowner: alice\nobjectives: [obj]\nrice:\n  reach: 10\n  impact: high\n  confidence: 0.5\n  effort: 2\n---\nx\n",
    );
    let d = schema_diag(&repo);
    assert_eq!(
        d["message"], "`high` is not an allowed `rice.impact`",
        "{d:#}"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(11))
    );
    assert_eq!(
        d["notes"],
        serde_json::json!([
            "allowed: `0.25`, `0.5`, `1`, `2`, `3`",
            "Impact per person: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal"
        ])
    );
    assert_eq!(d["suggestion"], "did you mean `2`?");
}

/// A field an `if`/`then` of the kind's schema requires: the message says
/// under which condition the schema asks for it.
#[test]
fn a_field_required_by_if_then_says_when() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  feature:\n    schema: schema/feature.json\n",
    )
    .file(
        "schema/feature.json",
        r#"{"properties": {"decision": {"type": "string"}},
            "if": {"properties": {"status": {"const": "declined"}}, "required": ["status"]},
            "then": {"required": ["decision"]}}"#,
    )
    .file("f1.md", &feature("declined"));
    let d = schema_diag(&repo);
    assert_eq!(d["message"], "missing required field `decision`", "{d:#}");
    assert_eq!((&d["line"], &d["column"]), (&2.into(), &1.into()), "{d:#}");
    assert_eq!(
        d["notes"],
        serde_json::json!([
            "the schema asks for this when `status` is `declined` and `status` is set"
        ]),
        "{d:#}"
    );
    // Not declined: nothing is asked for.
    repo.file("f1.md", &feature("planned"));
    assert!(
        repo.diagnostics().iter().all(|d| d["rule"] != "schema"),
        "{:#?}",
        repo.diagnostics()
    );
}

/// More YAML mistakes PMs make, each in words with its fix: a tab after a
/// key or as indentation, a quote never closed, `: ` inside a value (with
/// curly quotes, which YAML takes as text).
#[test]
fn tabs_open_quotes_and_colons_in_values_are_explained() {
    let repo = Repo::base();
    repo.file("a.yaml", "kind: person\nid: p1\ntitle:\tP1\n")
        .file("b.yaml", "kind: person\nid: p2\ntitle: P2\ntags:\n\t- x\n")
        .file("c.yaml", "kind: person\nid: p3\ntitle: \"P3\n")
        .file("d.yaml", "kind: person\nid: p4\ntitle: “Note: P4”\n")
        .file("e.yaml", "kind: person\nid: p5\ntitle: Note: P5\n");
    let got = repo.told("yaml-syntax");
    let want = |f: &str, l: u64, c: u64, m: &str, s: &str| {
        (f.to_string(), l, c, m.to_string(), s.to_string())
    };
    assert_eq!(
        got,
        [
            want(
                "a.yaml",
                3,
                7,
                "`title:` is followed by a tab; YAML needs a space there",
                "write `title: P1`"
            ),
            want(
                "b.yaml",
                5,
                1,
                "a tab indents this line; YAML indents with spaces only",
                "write `  - x`"
            ),
            want(
                "c.yaml",
                3,
                8,
                "the `\"` opened here is never closed",
                "close it on this line: `title: \"P3\"`"
            ),
            want(
                "d.yaml",
                3,
                13,
                "a `: ` inside an unquoted value starts a new key in YAML",
                "quote the value: `title: \"Note: P4\"`"
            ),
            want(
                "e.yaml",
                3,
                12,
                "a `: ` inside an unquoted value starts a new key in YAML",
                "quote the value: `title: \"Note: P5\"`"
            ),
        ]
    );
}

/// The description's "11 big" is not read as "1 big": a value's number
/// counts only as a whole word (not the end of `11` or of `0.1`).
#[test]
fn a_described_word_matches_a_whole_number_only() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  feature:\n    schema: schema/feature.json\n",
    )
    .file(
        "schema/feature.json",
        r#"{"properties": {"size": {"enum": [1, 11], "description": "11 big, 0.1 big, 1 small"}}}"#,
    )
    .file(
        "f1.md",
        &feature("idea").replacen("---\n", "---\nsize: big\n", 1),
    );
    let d = schema_diag(&repo);
    assert_eq!(d["message"], "`big` is not an allowed `size`", "{d:#}");
    assert_eq!(d["suggestion"], "did you mean `11`?", "{d:#}");
}
