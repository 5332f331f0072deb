//! `northstar init [DIR]` and `northstar new KIND TITLE`: scaffolding that
//! checks, never overwrites, and picks free ids.

use crate::common::{Repo, run_in};
use serde_json::Value;
use std::path::Path;

const BUILTIN: &[&str] = &[
    "product",
    "strategy",
    "objective",
    "metric",
    "feature",
    "milestone",
    "team",
    "person",
    "segment",
    "insight",
    "decision",
];

/// Rules a fresh document must never break, whatever content it still lacks.
const STRUCTURAL: &[&str] = &[
    "schema",
    "yaml-syntax",
    "unknown-kind",
    "broken-reference",
    "wrong-kind-reference",
    "invalid-id",
    "duplicate-id",
    "case-collision",
    "broken-link",
];

/// Every file under `dir`, relative and sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("prefix");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Ids `list KIND --format json` reports.
fn ids(dir: &Path, kind: &str) -> Vec<String> {
    let run = run_in(dir, &["list", kind, "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v: Value = serde_json::from_str(&run.stdout).expect("json");
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect()
}

/// Structural diagnostics (see [`STRUCTURAL`]) as `rule file message`.
fn structural(repo: &Repo) -> Vec<String> {
    repo.diagnostics()
        .iter()
        .filter(|d| STRUCTURAL.contains(&d["rule"].as_str().unwrap_or_default()))
        .map(|d| format!("{} {} {}", d["rule"], d["file"], d["message"]))
        .collect()
}

/// Runs `new` and returns the written path, checked to exist.
fn new(repo: &Repo, args: &[&str]) -> String {
    let mut all = vec!["new"];
    all.extend(args);
    let run = repo.run(&all);
    assert_eq!(run.code, 0, "{run:?}");
    let path = run.stdout.trim().to_string();
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(Path::new(&path).is_file(), "{path} not written");
    path.replace('\\', "/")
}

#[test]
fn init_writes_a_repository_that_checks_clean_under_deny_warnings() {
    let repo = Repo::empty();
    let run = repo.run(&["init"]);
    assert_eq!(run.code, 0, "{run:?}");
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains("no problems"), "{}", check.stdout);
    assert_eq!(repo.diagnostics(), Vec::<Value>::new());

    let files = tree(repo.path());
    for f in ["northstar.yaml", "README.md", "plans/product.md"] {
        assert!(files.contains(&f.to_string()), "{files:?}");
    }
    // One document of each built-in kind, in the kind's folder.
    for kind in BUILTIN {
        let found = ids(repo.path(), kind);
        assert_eq!(found.len(), 1, "{kind}: {found:?}");
    }
    for folder in [
        "features",
        "objectives",
        "metrics",
        "milestones",
        "teams",
        "people",
        "segments",
        "insights",
        "decisions",
        "strategy",
    ] {
        assert!(
            files
                .iter()
                .any(|f| f.starts_with(&format!("plans/{folder}/"))),
            "nothing in plans/{folder}: {files:?}"
        );
    }
    // A real repository follows the calendar: no pinned today.
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(!config.contains("\ntoday:"), "{config}");
    assert!(config.contains("paths: [plans]"), "{config}");
    // The feature is a committed PRD with its sections.
    let feature =
        std::fs::read_to_string(repo.join("plans/features/guided-onboarding.md")).expect("feature");
    assert!(feature.contains("status: planned"), "{feature}");
    for s in ["Problem", "Goals", "Non-goals", "Requirements"] {
        assert!(feature.contains(&format!("\n## {s}\n")), "{s}: {feature}");
    }
    let readme = std::fs::read_to_string(repo.join("README.md")).expect("readme");
    assert!(readme.contains("northstar new feature"), "{readme}");
    assert!(readme.contains("northstar check"), "{readme}");
    assert!(readme.contains("northstar build"), "{readme}");
    // Every file written is named on stdout.
    assert_eq!(run.stdout.lines().count(), files.len(), "{run:?}");
}

#[test]
fn init_takes_a_folder_relative_to_dash_c_and_creates_it() {
    let repo = Repo::empty();
    let run = repo.run(&["init", "plans-repo"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(repo.join("plans-repo/northstar.yaml").is_file());
    let check = run_in(&repo.join("plans-repo"), &["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    // An existing config.
    let repo = Repo::empty();
    repo.file("northstar.yaml", "product: Mine\n");
    let run = repo.run(&["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("northstar.yaml"), "{run:?}");
    assert_eq!(tree(repo.path()), ["northstar.yaml"]);
    assert_eq!(
        std::fs::read_to_string(repo.join("northstar.yaml")).expect("read"),
        "product: Mine\n"
    );

    // Any other file it would write, deep down.
    let repo = Repo::empty();
    repo.file("plans/features/guided-onboarding.md", "mine\n");
    let run = repo.run(&["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("plans/features/guided-onboarding.md"),
        "{run:?}"
    );
    assert_eq!(tree(repo.path()), ["plans/features/guided-onboarding.md"]);
    assert_eq!(
        std::fs::read_to_string(repo.join("plans/features/guided-onboarding.md")).expect("read"),
        "mine\n"
    );

    // A second init over a first one changes nothing.
    let repo = Repo::empty();
    assert_eq!(repo.run(&["init"]).code, 0);
    repo.file("plans/product.md", "edited\n");
    let before = tree(repo.path());
    let run = repo.run(&["init"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(tree(repo.path()), before);
    assert_eq!(
        std::fs::read_to_string(repo.join("plans/product.md")).expect("read"),
        "edited\n"
    );
}

#[test]
fn init_templates_still_writes_the_templates() {
    let repo = Repo::base();
    let run = repo.run(&["init", "--templates"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(repo.join("templates/layout.hbs").is_file());
    assert!(repo.join("templates/style.css").is_file());
    // No plans scaffolding alongside.
    assert!(!repo.join("README.md").exists());
    assert!(!repo.join("plans").exists());
    // A folder given is relative to `-C`.
    let run = repo.run(&["init", "--templates", "elsewhere"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(repo.join("elsewhere/templates/layout.hbs").is_file());
}

#[test]
fn new_writes_a_document_of_every_builtin_kind_that_checks() {
    let repo = Repo::base();
    for kind in BUILTIN {
        let title = format!("A new {kind}: draft");
        let path = new(&repo, &[kind, &title]);
        let id = format!("a-new-{kind}-draft");
        let folder = match *kind {
            "product" => String::new(),
            "strategy" => "strategy/".into(),
            "person" => "people/".into(),
            k => format!("{k}s/"),
        };
        assert!(path.ends_with(&format!("/{folder}{id}.md")), "{path}");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with(&format!("---\nkind: {kind}\n")), "{text}");
        assert!(ids(repo.path(), kind).contains(&id), "{kind}: {id}");
    }
    assert_eq!(structural(&repo), Vec::<String>::new());
    // A new feature is an idea with the PRD's sections ready to fill in,
    // so the only thing it lacks is an objective.
    let feature = std::fs::read_to_string(repo.join("features/a-new-feature-draft.md")).expect("f");
    assert!(feature.contains("\nstatus: idea\n"), "{feature}");
    for s in ["Problem", "Goals", "Non-goals", "Requirements"] {
        assert!(feature.contains(&format!("\n## {s}\n")), "{s}: {feature}");
    }
    let about_feature: Vec<String> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["file"] == "features/a-new-feature-draft.md")
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(about_feature, ["feature-without-objective"]);
}

#[test]
fn new_goes_under_the_first_path_of_a_fresh_init() {
    let repo = Repo::empty();
    assert_eq!(repo.run(&["init"]).code, 0);
    let path = new(&repo, &["feature", "Offline mode"]);
    assert!(path.ends_with("/plans/features/offline-mode.md"), "{path}");
    let path = new(&repo, &["objective", "Retain teams"]);
    assert!(
        path.ends_with("/plans/objectives/retain-teams.md"),
        "{path}"
    );
    // The objective serves the repository's strategy.
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("\nstrategy: strategy-"), "{text}");
    // Only warnings: what the new documents still lack.
    let check = repo.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(structural(&repo), Vec::<String>::new());
}

const SURVEY_SCHEMA: &str = r##"{
  "type": "object",
  "required": ["question", "responses", "channel", "sent", "period", "score",
               "panel", "waves", "feature", "anonymous", "size", "level"],
  "$defs": {"level": {"type": "string", "enum": ["low", "high"]}},
  "properties": {
    "question": {"type": "string", "minLength": 1, "description": "The question asked."},
    "responses": {"type": "integer", "minimum": 10},
    "channel": {"type": "string", "enum": ["email", "in-app"]},
    "sent": {"type": "string", "format": "date"},
    "period": {"type": "string", "pattern": "^[0-9]{4}(-Q[1-4])?$"},
    "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
    "panel": {
      "type": "object",
      "required": ["size", "segments"],
      "properties": {
        "size": {"type": "integer"},
        "segments": {"type": "array", "minItems": 1,
                     "items": {"type": "string", "x-ref": "segment"}}
      }
    },
    "waves": {
      "type": "array", "minItems": 2,
      "items": {"type": "object", "required": ["date"],
                "properties": {"date": {"type": "string", "format": "date"},
                               "tags": {"type": "array", "items": {"type": "string"}}}}
    },
    "feature": {"type": "string", "x-ref": "feature"},
    "anonymous": {"type": "boolean"},
    "size": {"type": ["number", "string"]},
    "level": {"$ref": "#/$defs/level"},
    "notes": {"type": "string"}
  }
}"##;

#[test]
fn new_generates_a_user_defined_kind_from_its_schema() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  survey:\n    schema: schema/survey.schema.json\n    required_sections: [Method, Findings]\n",
    )
    .file("schema/survey.schema.json", SURVEY_SCHEMA)
    .file(
        "f1.md",
        "---\nkind: feature\ntitle: F1\nstatus: idea\nobjectives: [obj]\n---\n",
    );
    let path = new(&repo, &["survey", "NPS, third quarter"]);
    assert!(path.ends_with("/surveys/nps-third-quarter.md"), "{path}");
    let text = std::fs::read_to_string(&path).expect("read");
    for line in [
        "\nquestion: TODO\n",
        "\nresponses: 10\n",
        "\nchannel: email\n",
        "\nsent: 2026-11-01\n",
        "\nperiod: \"2026\"\n",
        "\nfeature: f1\n",
        "\nanonymous: false\n",
        "\nlevel: low\n",
        "\n## Method\n",
        "\n## Findings\n",
        "# The question asked.\n",
        "# optional: notes\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert_eq!(structural(&repo), Vec::<String>::new());
    assert!(ids(repo.path(), "survey").contains(&"nps-third-quarter".to_string()));
    // A user-defined kind with sections needs them whatever its status:
    // they are there.
    assert!(
        !repo
            .diagnostics()
            .iter()
            .any(|d| d["rule"] == "missing-section"),
        "{:?}",
        repo.diagnostics()
    );
}

#[test]
fn new_fills_what_a_tightened_builtin_kind_requires() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  feature:\n    schema: schema/feature.schema.json\n",
    )
    .file(
        "schema/feature.schema.json",
        r#"{"type": "object", "required": ["jira", "owner"],
            "properties": {"jira": {"type": "string", "pattern": "^[A-Z]+-[0-9]+$"}}}"#,
    );
    let path = new(&repo, &["feature", "Tracked"]);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("\njira: TODO-1\n"), "{text}");
    // A required reference names an existing document of its kind.
    assert!(text.contains("\nowner: alice\n"), "{text}");
    assert_eq!(structural(&repo), Vec::<String>::new());
}

#[test]
fn new_picks_a_free_id() {
    let repo = Repo::base();
    let first = new(&repo, &["feature", "Search"]);
    assert!(first.ends_with("/features/search.md"), "{first}");
    let second = new(&repo, &["feature", "Search"]);
    assert!(second.ends_with("/features/search-2.md"), "{second}");
    let third = new(&repo, &["decision", "search"]);
    assert!(third.ends_with("/decisions/search-3.md"), "{third}");
    // Taken by a document of another kind, or in another case.
    let alice = new(&repo, &["feature", "Alice"]);
    assert!(alice.ends_with("/features/alice-2.md"), "{alice}");
    let m1 = new(&repo, &["team", "M1"]);
    assert!(m1.ends_with("/teams/m1-2.md"), "{m1}");
    let found = ids(repo.path(), "feature");
    for id in ["search", "search-2", "alice-2"] {
        assert!(found.contains(&id.to_string()), "{id}: {found:?}");
    }
    // Nothing to make an id of: the kind's name.
    let bare = new(&repo, &["segment", "!!!"]);
    assert!(bare.ends_with("/segments/segment.md"), "{bare}");
    // Long titles are cut.
    let long = new(&repo, &["feature", &"word ".repeat(40)]);
    let stem = Path::new(&long).file_stem().expect("stem");
    assert!(stem.len() <= 60, "{long}");
    assert_eq!(structural(&repo), Vec::<String>::new());
}

#[test]
fn new_with_an_explicit_id() {
    let repo = Repo::base();
    let path = new(&repo, &["feature", "Whatever", "--id", "Custom.id_1"]);
    assert!(path.ends_with("/features/Custom.id_1.md"), "{path}");
    assert!(ids(repo.path(), "feature").contains(&"Custom.id_1".to_string()));

    for bad in ["bad id", "-x", "a/b", "", &"a".repeat(129), "é"] {
        let run = repo.run(&["new", "feature", "X", &format!("--id={bad}")]);
        assert_eq!(run.code, 2, "{bad:?}: {run:?}");
        assert!(run.stderr.contains("invalid id"), "{run:?}");
    }
    // Taken, also in another case.
    for taken in ["alice", "ALICE", "custom.ID_1"] {
        let run = repo.run(&["new", "feature", "X", "--id", taken]);
        assert_eq!(run.code, 2, "{taken}: {run:?}");
        assert!(run.stderr.contains("taken"), "{run:?}");
    }
    // Reserved: the page of a document called `index` would be the list
    // of its kind.
    for reserved in ["index", "Index"] {
        let run = repo.run(&["new", "feature", "X", "--id", reserved]);
        assert_eq!(run.code, 2, "{reserved}: {run:?}");
        assert!(run.stderr.contains("reserved id"), "{run:?}");
        assert!(run.stderr.contains("feature/index.html"), "{run:?}");
    }
    assert!(!repo.join("features/x.md").exists());
    assert_eq!(
        tree(&repo.join("features")),
        ["Custom.id_1.md"],
        "a refused run writes nothing"
    );
}

/// A title whose slug is a reserved id gets the next free one, and the
/// document written checks clean of `invalid-id`.
#[test]
fn new_never_derives_a_reserved_id_from_a_title() {
    let repo = Repo::base();
    let path = new(&repo, &["segment", "Index"]);
    assert!(path.ends_with("/index-2.md"), "{path}");
    assert!(ids(repo.path(), "segment").contains(&"index-2".to_string()));
    assert!(
        !repo.diagnostics().iter().any(|d| d["rule"] == "invalid-id"),
        "{:#?}",
        repo.diagnostics()
    );
}

#[test]
fn new_refuses_to_overwrite_a_file_that_is_not_a_document() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nexclude: [\"features/notes.md\"]\n",
    )
    .file("features/notes.md", "my notes\n");
    let run = repo.run(&["new", "feature", "Notes", "--id", "notes"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("notes.md"), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(repo.join("features/notes.md")).expect("read"),
        "my notes\n"
    );
    let path = new(&repo, &["feature", "Notes"]);
    assert!(path.ends_with("/features/notes-2.md"), "{path}");
}

#[test]
fn new_rejects_an_unknown_kind_and_an_empty_title() {
    let repo = Repo::base();
    let run = repo.run(&["new", "epic", "Big"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("unknown kind `epic`"), "{run:?}");
    let run = repo.run(&["new", "feature", "  "]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!repo.join("features").exists());
    // Outside a plans repository.
    let empty = Repo::empty();
    assert_eq!(empty.run(&["new", "feature", "X"]).code, 2);
}

#[test]
fn new_quotes_titles_yaml_would_misread() {
    let repo = Repo::base();
    for title in [
        "Search: the sequel",
        "no",
        "2027",
        "#1 priority",
        "say \"hi\"",
        "  padded  ",
    ] {
        new(&repo, &["insight", title]);
    }
    let found = repo.run(&["list", "insight", "--format", "json"]);
    let v: Value = serde_json::from_str(&found.stdout).expect("json");
    let mut titles: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|d| d["title"].as_str().expect("title"))
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "#1 priority",
            "2027",
            "Search: the sequel",
            "no",
            "padded",
            "say \"hi\""
        ]
    );
    assert_eq!(structural(&repo), Vec::<String>::new());
}

/// `init --from adr` in a repository of decision records (adr-tools'
/// `doc/adr`, no front matter; one record with it): a config and a schema
/// that check clean; `new adr` numbers the next record there.
#[test]
fn init_from_adr_adopts_decision_records_and_new_numbers_the_next() {
    let repo = Repo::empty();
    repo.file("src/main.rs", "fn main() {}\n")
        .file(".github/workflows/ci.yaml", "on: push\n")
        .file("doc/adr/README.md", "# Decisions\n")
        .file(
            "doc/adr/0001-record-architecture-decisions.md",
            "# 1. Record architecture decisions\n\nDate: 2026-01-05\n\n## Status\n\nAccepted\n",
        )
        .file(
            "doc/adr/0002-use-rust.md",
            "---\nstatus: accepted\ndate: 2026-02-01\n---\n# 2. Use Rust\n\n## Context\n",
        );
    let run = repo.run(&["init", "--from", "adr"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        tree(repo.path()),
        [
            ".github/workflows/ci.yaml",
            "doc/adr/0001-record-architecture-decisions.md",
            "doc/adr/0002-use-rust.md",
            "doc/adr/README.md",
            "northstar.yaml",
            "schema/adr.schema.json",
            "src/main.rs"
        ]
    );
    assert!(
        run.stderr.starts_with(
            "found 2 decision records in doc/adr/ (statuses from their `## Status` sections);"
        ) && run.stderr.contains("next: `northstar -C "),
        "{run:?}"
    );
    // One record writes its status in front matter: the statuses are the
    // lifecycle.
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(config.contains("    lifecycle:\n"), "{config}");
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(
        ids(repo.path(), "adr"),
        ["0001-record-architecture-decisions", "0002-use-rust"]
    );

    let path = new(&repo, &["adr", "Drop the cache"]);
    assert!(path.ends_with("doc/adr/0003-drop-the-cache.md"), "{path}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "# Drop the cache\n\nTODO: describe it here.\n\n## Status\n\nProposed\n"
    );
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{check:?}");
    let run = repo.run(&["list", "adr", "--format", "json"]);
    assert!(
        run.stdout.contains("\"title\": \"Drop the cache\""),
        "{run:?}"
    );
}

/// Decision records in Nygard's format (adr-tools' own repository): each
/// keeps its status in a `## Status` section, none in front matter. The
/// recipe reads the status from there, so the records are coloured and
/// counted by it, the history tells when it changed, and a proposed
/// record is on the roadmap. Records with no status anywhere get no
/// lifecycle: it would put every one of them on the roadmap as "later".
#[test]
fn init_from_adr_reads_nygard_statuses_from_their_section() {
    let repo = Repo::empty();
    let record = |n: u32, title: &str, status: &str| {
        format!(
            "# {n}. {title}\n\nDate: 2026-01-05\n\n## Status\n\n{status}\n\n## Context\n\nWhy.\n"
        )
    };
    let git = crate::git::Git::init(repo.path());
    repo.file(
        "doc/adr/0001-record-architecture-decisions.md",
        &record(1, "Record architecture decisions", "Accepted"),
    )
    .file(
        "doc/adr/0002-use-rust.md",
        &record(2, "Use Rust", "Proposed"),
    );
    git.commit("Two records", "2026-01-05");
    repo.file(
        "doc/adr/0002-use-rust.md",
        &record(2, "Use Rust", "Accepted"),
    )
    .file(
        "doc/adr/0003-use-zig.md",
        &record(
            3,
            "Use Zig",
            "Proposed\n\nSupersedes [2. Use Rust](0002-use-rust.md)",
        ),
    );
    git.commit("Accept Rust; propose Zig", "2026-02-10");

    let run = repo.run(&["init", "--from", "adr"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.starts_with(
            "found 3 decision records in doc/adr/ (statuses from their `## Status` sections); wrote a config"
        ),
        "{run:?}"
    );
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(
        config.contains("    status: \"## Status\"") && config.contains("    lifecycle:\n"),
        "{config}"
    );
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(
        repo.list("adr", &["id", "status"]),
        [
            ["0001-record-architecture-decisions", "accepted"],
            ["0002-use-rust", "accepted"],
            ["0003-use-zig", "proposed"]
        ]
    );
    let site = crate::common::build(&repo, &[]);
    let page = site.read("adr/0002-use-rust.html");
    assert!(page.contains("status proposed → accepted"), "{page}");
    // `new` writes the status where the records keep it.
    let path = new(&repo, &["adr", "Use Go"]);
    assert!(path.ends_with("doc/adr/0004-use-go.md"), "{path}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "# Use Go\n\nTODO: describe it here.\n\n## Status\n\nProposed\n"
    );
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{check:?}");
    let home = site.read("index.html");
    // The proposed record is the one on the roadmap; the accepted ones
    // are done.
    assert!(
        home.contains("<h3>Later <span class=\"count\">1</span></h3><ul class=\"cards\">")
            && home
                .contains("<a class=\"card-title\" href=\"adr/0003-use-zig.html\">3. Use Zig</a>"),
        "{home}"
    );
}

/// Records with a status nowhere (no front matter, no `## Status`): no
/// lifecycle, so none is on the roadmap.
#[test]
fn init_from_adr_without_any_status_puts_no_record_on_the_roadmap() {
    let repo = Repo::empty();
    for (n, title) in [(1, "Record architecture decisions"), (2, "Use Rust")] {
        repo.file(
            &format!(
                "doc/adr/000{n}-{}.md",
                title.to_lowercase().replace(' ', "-")
            ),
            &format!("# {n}. {title}\n\n## Context\n\nWhy.\n"),
        );
    }
    let run = repo.run(&["init", "--from", "adr"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .starts_with("found 2 decision records in doc/adr/ (no status found); wrote a config"),
        "{run:?}"
    );
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(!config.contains("lifecycle:"), "{config}");
    let site = crate::common::build(&repo, &[]);
    let home = site.read("index.html");
    assert!(!home.contains("Later"), "{home}");
    assert!(home.contains("ADRs"), "{home}");
}

/// `init --from front-matter` finds a folder of Markdown specs with front
/// matter, accepts any field, maps the status words it finds onto the
/// lifecycle, and gives ids that stay unique when file names repeat.
#[test]
fn init_from_front_matter_adopts_a_docs_folder() {
    let repo = Repo::empty();
    repo.file(
        "docs/search/index.md",
        "---\ntitle: Search v2\nstatus: Draft\nowner_team: core\n---\n# Search\n",
    )
    .file(
        "docs/billing/index.md",
        "---\nstatus: approved\nreviewers: [ann]\n---\n# Billing\n",
    );
    let run = repo.run(&["init", "--from", "front-matter"]);
    assert_eq!(run.code, 0, "{run:?}");
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(
        config.contains("    files: \"docs/**/*.md\"\n    id: \"{dir}-{stem}\"")
            && config.contains("      Draft: idea\n      approved: planned\n"),
        "{config}"
    );
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(ids(repo.path(), "spec"), ["billing-index", "search-index"]);
    // Where a pattern does not say where a new spec goes, `new` says so.
    let run = repo.run(&["new", "spec", "Another"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "kind `spec` is found by `files: docs/**/*.md`, which does not say where a new one goes"
        ),
        "{run:?}"
    );
}

/// The status words of Kubernetes-style processes (`provisional`,
/// `replaced`) are on the lifecycle, and what a template left in a
/// `status:` (`provisional|implementable|…`), a mapping or a boolean is
/// a `schema` error at its line: the recipe's schema takes the status
/// words the specs use, and none.
#[test]
fn init_from_front_matter_maps_process_words_and_points_at_placeholders() {
    let repo = Repo::empty();
    let spec = |status: &str| format!("---\ntitle: T\nstatus: {status}\n---\n# T\n");
    repo.file("enhancements/a.md", &spec("provisional"))
        .file("enhancements/b.md", &spec("implementable"))
        .file("enhancements/c.md", &spec("replaced"))
        .file("enhancements/d.md", &spec(""))
        .file(
            "enhancements/e.md",
            &spec("provisional|implementable|implemented|deferred|rejected|withdrawn|replaced"),
        )
        .file("enhancements/f.md", &spec("{}"))
        .file("enhancements/g.md", &spec("\"False\""));
    let run = repo.run(&["init", "--from", "front-matter", "--folder", "enhancements"]);
    assert_eq!(run.code, 0, "{run:?}");
    let config = std::fs::read_to_string(repo.join("northstar.yaml")).expect("config");
    assert!(
        config.contains(
            "      implementable: planned\n      provisional: discovery\n      replaced: declined\n"
        ),
        "{config}"
    );
    let found: Vec<(String, String, u64)> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["level"] == "error")
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let at = |f: &str| ("schema".to_string(), format!("enhancements/{f}.md"), 3);
    assert_eq!(found, [at("e"), at("f"), at("g")]);
}

/// `init --from` writes nothing when one of its files exists, and says
/// which; without specs where the layout keeps them it says where it
/// looked. Both exit 2.
#[test]
fn init_from_never_overwrites_and_says_what_it_did_not_find() {
    let repo = Repo::empty();
    repo.file("keps/sig-x/1-one/kep.yaml", "title: One\n")
        .file("schema/kep.schema.json", "{}\n");
    let before = tree(repo.path());
    let run = repo.run(&["init", "--from", "kep"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "schema/kep.schema.json already exists; nothing written (init never overwrites)"
        ),
        "{run:?}"
    );
    assert_eq!(tree(repo.path()), before);
    assert_eq!(
        std::fs::read_to_string(repo.join("schema/kep.schema.json")).expect("read"),
        "{}\n"
    );

    let repo = Repo::empty();
    repo.file("notes.md", "# Notes\n");
    let run = repo.run(&["init", "--from", "rfc"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("found no RFCs (`.md` files) for `--from rfc` in ")
            && run
                .stderr
                .contains("(looked in text/, rfcs/text/, rfcs/); name the folder with --folder"),
        "{run:?}"
    );
    assert_eq!(tree(repo.path()), ["notes.md"]);
    // --folder names it.
    repo.file("proposals/0001-first.md", "# First\n");
    let run = repo.run(&["init", "--from", "rfc", "--folder", "proposals"]);
    assert_eq!(run.code, 0, "{run:?}");
    let check = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(check.code, 0, "{check:?}");
    assert_eq!(ids(repo.path(), "rfc"), ["0001-first"]);
}
