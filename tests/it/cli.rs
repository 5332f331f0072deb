//! The command line as CI and scripts see it (docs/format.md §1, §3, §4):
//! exit codes, finding and reading the config, what is scanned, every output
//! format of `check`, colour, `schema -o` and `list`.

use crate::common::{Repo, Run, run_in, skip_unless_ci};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};

/// A committed feature that checks clean against [`Repo::base`].
const FEATURE_OK: &str = "---\nkind: feature\ntitle: OK\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: m1\n---\n## Problem\n## Goals\n## Non-goals\n## Requirements\n";

/// The same with a milestone that does not exist (a `broken-reference` at
/// line 7, column 12, with the suggestion `m1`).
const FEATURE_BROKEN: &str = "---\nkind: feature\ntitle: Broken\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: m9\n---\n## Problem\n## Goals\n## Non-goals\n## Requirements\n";

/// A segment nothing references: one `orphan` warning and nothing else.
const ORPHAN_SEGMENT: &str = "kind: segment\nid: lonely\ntitle: Lonely\n";

/// A document broken enough to be reported wherever it is scanned.
const BROKEN_YAML: &str = "kind: person\nid: [oops\n";

/// A base repository plus a feature with a broken reference in a
/// subfolder, a duplicate id (a note) and an orphan (a warning).
fn mixed_repo() -> Repo {
    let repo = Repo::base();
    repo.file("features/web/broken.md", FEATURE_BROKEN)
        .file("dup.yaml", "kind: person\nid: alice\ntitle: Alice again\n")
        .file("lonely.yaml", ORPHAN_SEGMENT);
    repo
}

/// Runs the binary with `-C dir` and full control of the environment.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_northstar"));
    cmd.arg("-C").arg(dir).args(args);
    cmd
}

fn output(mut cmd: Command) -> Run {
    let out = cmd.output().expect("run northstar");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("bad json ({e}): {}", run.stdout))
}

fn rules_of(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------- exit codes

#[test]
fn clean_repo_exits_0() {
    let repo = Repo::base();
    repo.file("features/ok.md", FEATURE_OK);
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("no problems"), "{}", run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn errors_exit_1() {
    let repo = Repo::base();
    repo.file("features/broken.md", FEATURE_BROKEN);
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("1 error, 0 warnings"), "{}", run.stdout);
}

#[test]
fn warnings_alone_exit_0_and_deny_warnings_makes_them_fail() {
    let repo = Repo::base();
    repo.file("lonely.yaml", ORPHAN_SEGMENT);
    assert_eq!(rules_of(&repo.diagnostics()), ["orphan"]);
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("0 errors, 1 warning"), "{}", run.stdout);
    let run = repo.run(&["check", "--deny", "warnings"]);
    assert_eq!(run.code, 1, "{run:?}");
    for format in ["json", "github", "sarif"] {
        let run = repo.run(&["check", "--deny", "warnings", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {run:?}");
    }
}

#[test]
fn a_rule_set_to_warning_in_the_config_no_longer_fails() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nrules:\n  broken-reference: warning\n",
    )
    .file("features/broken.md", FEATURE_BROKEN);
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(repo.run(&["check", "--deny", "warnings"]).code, 1);
}

#[test]
fn no_config_exits_2_with_a_message_on_stderr() {
    let repo = Repo::empty();
    repo.file("feature.md", FEATURE_OK);
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("northstar.yaml"), "{}", run.stderr);
    assert!(
        run.stderr.contains("not a plans repository"),
        "{}",
        run.stderr
    );
    for format in ["json", "github", "sarif"] {
        let run = repo.run(&["check", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {run:?}");
        assert_eq!(run.stdout, "", "{format}");
    }
}

#[test]
fn a_missing_directory_exits_2() {
    let repo = Repo::empty();
    let run = run_in(&repo.join("does/not/exist"), &["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.is_empty());
}

#[test]
fn unknown_config_key_exits_2_naming_line_column_and_the_nearest_key() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\npathz: [plans]\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("northstar.yaml:3:1"), "{}", run.stderr);
    assert!(run.stderr.contains("`pathz`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `paths`"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_nested_config_key_is_named_at_its_position() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\nsite:\n  titel: Plans\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("northstar.yaml:3:3"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `title`"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_rule_in_config_exits_2() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\nrules:\n  orphans: off\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("northstar.yaml:3:3"), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown rule `orphans`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `orphan`"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_rule_level_and_broken_config_yaml_exit_2() {
    let cases = [
        (
            "product: X\nrules:\n  orphan: loud\n",
            "northstar.yaml:3:11",
        ),
        ("product: X\npaths: [plans\n", "northstar.yaml:"),
        ("product: [X\n", "northstar.yaml:"),
        ("paths: [plans]\n", "product"),
        ("product: X\ntoday: tomorrow\n", "northstar.yaml:2:8"),
    ];
    for (config, expected) in cases {
        let repo = Repo::base();
        repo.file("northstar.yaml", config);
        let run = repo.run(&["check"]);
        assert_eq!(run.code, 2, "{config:?}: {run:?}");
        assert!(run.stderr.contains(expected), "{config:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn bad_arguments_exit_2() {
    let repo = Repo::base();
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--deny", "everything"],
        &["check", "--bogus"],
        &["frobnicate"],
        &[],
        &["list"],
        &["list", "feature", "--format", "yaml"],
        &["list", "feature", "--where", "status"],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

// ------------------------------------------------------------ finding files

#[test]
fn config_is_found_by_searching_upward_from_a_subfolder() {
    let repo = mixed_repo();
    std::fs::create_dir_all(repo.join("features/web/deeper")).expect("mkdir");
    let expected = repo.diagnostics();
    assert_eq!(expected.len(), 3);
    for sub in ["features", "features/web/deeper"] {
        let run = run_in(&repo.join(sub), &["check", "--format", "json"]);
        assert_eq!(run.code, 1, "{sub}: {run:?}");
        // Paths stay relative to the folder of northstar.yaml.
        assert_eq!(json_of(&run), Value::Array(expected.clone()), "{sub}");
    }
}

#[test]
fn paths_and_exclude_are_respected() {
    let repo = Repo::empty();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\npaths: [plans, more/]\nexclude: [\"**/drafts/**\", \"plans/skip-*.yaml\"]\n",
    );
    for (path, text) in crate::common::BASE.iter().skip(1) {
        repo.file(&format!("plans/{path}"), text);
    }
    repo.file("outside.yaml", BROKEN_YAML)
        .file("docs/notes.md", "---\nkind: nope\n---\n")
        .file("plans/drafts/wip.yaml", BROKEN_YAML)
        .file("plans/deep/drafts/wip.md", "---\nkind: [\n---\n")
        .file("plans/skip-me.yaml", BROKEN_YAML)
        .file("plans/inside.yaml", BROKEN_YAML)
        .file("more/also.yaml", BROKEN_YAML);
    let files: Vec<String> = repo
        .diagnostics()
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(files, ["more/also.yaml", "plans/inside.yaml"]);
}

#[test]
fn dot_folders_templates_and_schema_are_never_scanned() {
    let repo = Repo::base();
    for path in [
        ".github/workflows/ci.yaml",
        ".git/config.yaml",
        ".hidden/doc.md",
        "features/.scratch/doc.yaml",
        ".dotfile.yaml",
        "templates/feature.md",
        "templates/deep/x.yaml",
        "schema/extra.yaml",
        "schema/feature.md",
    ] {
        repo.file(path, BROKEN_YAML);
    }
    repo.file("features/ok.md", FEATURE_OK);
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(json_of(&run), json!([]));
    // `templates/` and `schema/` are special only at the root of the plans.
    repo.file("features/templates/x.yaml", BROKEN_YAML)
        .file("features/schema/y.yaml", BROKEN_YAML);
    let files: Vec<String> = repo
        .diagnostics()
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        files,
        ["features/schema/y.yaml", "features/templates/x.yaml"]
    );
}

#[test]
fn markdown_without_front_matter_is_skipped() {
    let repo = Repo::base();
    repo.file("README.md", "# Plans\n\nkind: feature\n\n---\n\ntitle: x\n")
        .file("docs/guide.md", "")
        .file("docs/rule.md", "Some text\n---\nkind: nope\n---\n")
        .file("docs/setext.md", "Title\n---\n");
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(json_of(&run), json!([]));
    // ... while a first line `---` makes it a document.
    repo.file("docs/doc.md", "---\nkind: nope\ntitle: X\n---\n");
    assert_eq!(
        repo.positions("unknown-kind"),
        [("docs/doc.md".to_string(), 2, 7)]
    );
}

#[test]
fn other_extensions_are_not_documents() {
    let repo = Repo::base();
    repo.file("notes.txt", BROKEN_YAML)
        .file("data.json", "{")
        .file("img/logo.png", "not really")
        .file("x.yaml.bak", BROKEN_YAML);
    assert_eq!(repo.diagnostics(), Vec::<Value>::new());
    // Extensions match regardless of case.
    repo.file("UPPER.YAML", BROKEN_YAML)
        .file("Doc.YML", BROKEN_YAML);
    let files: Vec<String> = repo
        .diagnostics()
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(files, ["Doc.YML", "UPPER.YAML"]);
}

#[test]
fn symlinks_pointing_outside_the_repository_are_not_followed() {
    let repo = Repo::base();
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.yaml"), BROKEN_YAML).expect("write");
    std::fs::create_dir_all(outside.path().join("dir")).expect("mkdir");
    std::fs::write(outside.path().join("dir/doc.yaml"), BROKEN_YAML).expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret.yaml"), repo.join("linked.yaml"))
        .expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("dir"), repo.join("linked-dir"))
        .expect("symlink");
    std::os::unix::fs::symlink("/etc/passwd", repo.join("passwd.md")).expect("symlink");
    std::os::unix::fs::symlink("../..", repo.join("up")).expect("symlink");
    // A link that loops back into the repository does not hang the scan.
    std::os::unix::fs::symlink(".", repo.join("self")).expect("symlink");
    std::os::unix::fs::symlink("missing.yaml", repo.join("dangling.yaml")).expect("symlink");
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json_of(&run), json!([]));
}

#[test]
fn a_symlink_inside_the_repository_is_read() {
    let repo = Repo::base();
    repo.file("real/broken.yaml", BROKEN_YAML);
    std::os::unix::fs::symlink("real", repo.join("alias")).expect("symlink");
    let files: Vec<String> = repo
        .diagnostics()
        .iter()
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(files.contains(&"real/broken.yaml".to_string()), "{files:?}");
}

// ---------------------------------------------------------------- formats

#[test]
fn human_format_shows_the_source_line_a_caret_and_help() {
    let repo = mixed_repo();
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{run:?}");
    let expected = "\
error[broken-reference]: no milestone with id `m9`
 --> features/web/broken.md:7:12
  |
7 | milestone: m9
  |            ^^
  |
  = help: did you mean `m1`?
";
    assert!(run.stdout.contains(expected), "{}", run.stdout);
    let expected = "\
error[duplicate-id]: duplicate id `alice`
 --> dup.yaml:2:1
  |
2 | id: alice
  | ^^
  |
  = note: first defined at alice.yaml:2:1
";
    assert!(run.stdout.contains(expected), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("warning[orphan]: segment `lonely` is not referenced by anything"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .trim_end()
            .ends_with("checked 11 documents: 2 errors, 1 warning"),
        "{}",
        run.stdout
    );
    // Sorted by file.
    let a = run.stdout.find("dup.yaml:2:1").expect("dup");
    let b = run.stdout.find("features/web/broken.md").expect("broken");
    let c = run.stdout.find("lonely.yaml").expect("lonely");
    assert!(a < b && b < c, "{}", run.stdout);
}

#[test]
fn human_format_caret_counts_characters_not_bytes() {
    let repo = Repo::base();
    repo.file(
        "features/ü.md",
        "---\nkind: feature\ntitle: Zoë\nstatus: idea\nobjectives: [obj]\ndepends_on: [\"ünknown\"]\n---\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{run:?}");
    let expected = "\
 --> features/ü.md:6:14
  |
6 | depends_on: [\"ünknown\"]
  |              ^^^^^^^^^
";
    assert!(run.stdout.contains(expected), "{}", run.stdout);
}

#[test]
fn json_format_has_every_field() {
    let repo = mixed_repo();
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        json_of(&run),
        json!([
            {
                "rule": "duplicate-id",
                "level": "error",
                "message": "duplicate id `alice`",
                "file": "dup.yaml",
                "line": 2,
                "column": 1,
                "end_line": 2,
                "end_column": 3,
                "notes": ["first defined at alice.yaml:2:1"]
            },
            {
                "rule": "broken-reference",
                "level": "error",
                "message": "no milestone with id `m9`",
                "file": "features/web/broken.md",
                "line": 7,
                "column": 12,
                "end_line": 7,
                "end_column": 14,
                "suggestion": "did you mean `m1`?"
            },
            {
                "rule": "orphan",
                "level": "warning",
                "message": "segment `lonely` is not referenced by anything",
                "file": "lonely.yaml",
                "line": 1,
                "column": 1,
                "end_line": 1,
                "end_column": 5
            }
        ])
    );
    // A clean run is an empty array, still valid JSON.
    let clean = Repo::base();
    let run = clean.run(&["check", "--format", "json"]);
    assert_eq!((run.code, json_of(&run)), (0, json!([])));
}

#[test]
fn json_format_types_of_every_field() {
    let repo = mixed_repo();
    for d in repo.diagnostics() {
        let obj = d.as_object().expect("object");
        for key in obj.keys() {
            assert!(
                [
                    "rule",
                    "level",
                    "message",
                    "file",
                    "line",
                    "column",
                    "end_line",
                    "end_column",
                    "notes",
                    "suggestion"
                ]
                .contains(&key.as_str()),
                "unexpected key {key}"
            );
        }
        assert!(d["rule"].is_string() && d["message"].is_string());
        assert!(d["level"] == "error" || d["level"] == "warning");
        let file = d["file"].as_str().expect("file");
        assert!(!file.contains('\\') && !file.starts_with('/') && !file.starts_with("./"));
        assert!(d["line"].as_u64().expect("line") >= 1);
        assert!(d["column"].as_u64().expect("column") >= 1);
        // The end is after the start, on its line or a later one.
        let end = (
            d["end_line"].as_u64().expect("end_line"),
            d["end_column"].as_u64().expect("end_column"),
        );
        assert!(
            end > (
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0)
            )
        );
        if let Some(notes) = obj.get("notes") {
            assert!(
                notes
                    .as_array()
                    .expect("notes")
                    .iter()
                    .all(Value::is_string)
            );
        }
        if let Some(s) = obj.get("suggestion") {
            assert!(s.is_string());
        }
    }
}

#[test]
fn github_format_outside_git_uses_paths_from_the_plans_root() {
    let repo = mixed_repo();
    let run = repo.run(&["check", "--format", "github"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "::error file=dup.yaml,line=2,col=1,endLine=2,endColumn=2,title=duplicate-id::duplicate id `alice`%0Anote: first defined at alice.yaml:2:1",
            "::error file=features/web/broken.md,line=7,col=12,endLine=7,endColumn=13,title=broken-reference::no milestone with id `m9`%0Ahelp: did you mean `m1`?",
            "::warning file=lonely.yaml,line=1,col=1,endLine=1,endColumn=4,title=orphan::segment `lonely` is not referenced by anything",
        ]
    );
}

/// A git work tree whose plans sit in `plans/`.
fn monorepo() -> Repo {
    let repo = Repo::empty();
    for (path, text) in crate::common::BASE {
        repo.file(&format!("plans/{path}"), text);
    }
    repo.file("plans/features/web/broken.md", FEATURE_BROKEN)
        .file("src/main.rs", "fn main() {}\n");
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .status()
        .expect("git init");
    assert!(status.success());
    repo
}

#[test]
fn github_format_paths_are_relative_to_the_git_work_tree() {
    let repo = monorepo();
    let run = run_in(&repo.join("plans"), &["check", "--format", "github"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout,
        "::error file=plans/features/web/broken.md,line=7,col=12,endLine=7,endColumn=13,title=broken-reference::no milestone with id `m9`%0Ahelp: did you mean `m1`?\n"
    );
    // Started from a subfolder of the plans, too.
    let run = run_in(
        &repo.join("plans/features"),
        &["check", "--format", "github"],
    );
    assert!(
        run.stdout
            .starts_with("::error file=plans/features/web/broken.md,line=7,col=12,"),
        "{}",
        run.stdout
    );
    // json keeps paths relative to the folder of northstar.yaml.
    let run = run_in(&repo.join("plans"), &["check", "--format", "json"]);
    assert_eq!(json_of(&run)[0]["file"], "features/web/broken.md");
}

#[test]
fn sarif_format_is_2_1_0_with_rules_results_and_locations() {
    let repo = monorepo();
    repo.file("plans/lonely.yaml", ORPHAN_SEGMENT);
    let run = run_in(&repo.join("plans"), &["check", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{run:?}");
    let sarif = json_of(&run);
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "northstar");
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for rule in [
        "yaml-syntax",
        "schema",
        "broken-reference",
        "orphan",
        "stale",
    ] {
        assert!(ids.contains(&rule), "{rule} missing from {ids:?}");
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{results:?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "broken-reference");
    assert_eq!(r["level"], "error");
    let text = r["message"]["text"].as_str().expect("text");
    assert!(text.contains("no milestone with id `m9`"), "{text}");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "plans/features/web/broken.md"
    );
    assert_eq!(loc["region"]["startLine"], 7);
    assert_eq!(loc["region"]["startColumn"], 12);
    let w = &results[1];
    assert_eq!(w["ruleId"], "orphan");
    assert_eq!(w["level"], "warning");
    assert_eq!(
        w["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "plans/lonely.yaml"
    );
    // Every result has a ruleIndex, and it points at the rule of its id.
    for r in results {
        let i = r["ruleIndex"]
            .as_u64()
            .unwrap_or_else(|| panic!("result without a ruleIndex: {r}"));
        let rule = rules
            .get(i as usize)
            .unwrap_or_else(|| panic!("ruleIndex {i} past the {} rules", rules.len()));
        assert_eq!(rule["id"], r["ruleId"], "{r}");
    }
    // A clean run is still a valid log, with no results.
    let clean = Repo::base();
    let run = clean.run(&["check", "--format", "sarif"]);
    assert_eq!(run.code, 0);
    assert_eq!(json_of(&run)["runs"][0]["results"], json!([]));
}

#[test]
fn no_ansi_escapes_with_no_color_or_when_not_a_terminal() {
    let repo = mixed_repo();
    // Not a terminal (a pipe), NO_COLOR unset.
    let mut cmd = command(repo.path(), &["check"]);
    cmd.env_remove("NO_COLOR");
    let run = output(cmd);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("error[broken-reference]"));
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    assert!(!run.stderr.contains('\x1b'), "{:?}", run.stderr);
    // NO_COLOR set.
    let mut cmd = command(repo.path(), &["check"]);
    cmd.env("NO_COLOR", "1");
    let run = output(cmd);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
}

/// Runs the binary on a pseudo-terminal through util-linux `script`, if
/// there is one.
fn on_a_terminal(dir: &Path, no_color: bool) -> Option<String> {
    let line = format!(
        "{} -C '{}' check",
        env!("CARGO_BIN_EXE_northstar"),
        dir.display()
    );
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(Stdio::null())
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().ok()?;
    out.status.code()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let repo = mixed_repo();
    let Some(colored) = on_a_terminal(repo.path(), false) else {
        skip_unless_ci(
            "colour_on_a_terminal_unless_no_color",
            "no util-linux `script` to make a terminal",
        );
        return;
    };
    if !colored.contains("broken-reference") {
        skip_unless_ci(
            "colour_on_a_terminal_unless_no_color",
            &format!("`script` gave no output ({colored:?})"),
        );
        return;
    }
    assert!(colored.contains("\x1b["), "{colored:?}");
    let plain = on_a_terminal(repo.path(), true).expect("script");
    assert!(plain.contains("error[broken-reference]"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
}

// ------------------------------------------------------------------ schema

const EXPERIMENT_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "experiment",
  "type": "object",
  "required": ["hypothesis"],
  "properties": {
    "hypothesis": {"type": "string"},
    "features": {"type": "array", "items": {"type": "string", "x-ref": "feature"}}
  }
}
"#;

fn repo_with_experiment() -> Repo {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  experiment:\n    schema: schema/experiment.schema.json\n",
    )
    .file("schema/experiment.schema.json", EXPERIMENT_SCHEMA);
    repo
}

#[test]
fn schema_writes_one_file_per_kind_including_user_kinds() {
    let repo = repo_with_experiment();
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("editor/schemas");
    let run = repo.run(&["schema", "-o", dir.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = [
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
        "experiment",
    ]
    .iter()
    .map(|k| format!("{k}.schema.json"))
    .collect();
    expected.sort();
    assert_eq!(names, expected);
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).expect("read");
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
        let props = v["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no properties"));
        // The common fields are in every exported schema.
        for field in ["kind", "title", "id"] {
            assert!(props.contains_key(field), "{name} lacks `{field}`");
        }
    }
    let exp: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("experiment.schema.json")).expect("read"),
    )
    .expect("json");
    assert!(exp["properties"]["hypothesis"].is_object(), "{exp}");
    let feature: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("feature.schema.json")).expect("read"),
    )
    .expect("json");
    assert!(feature["properties"]["status"].is_object(), "{feature}");
    // The user's own schema file is left as it was.
    assert_eq!(
        std::fs::read_to_string(repo.join("schema/experiment.schema.json")).expect("read"),
        EXPERIMENT_SCHEMA
    );
}

#[test]
fn schema_into_the_plans_schema_folder_keeps_the_users_schema_file() {
    let repo = repo_with_experiment();
    let mut cmd = command(repo.path(), &["schema", "-o", "schema"]);
    cmd.current_dir(repo.path());
    let run = output(cmd);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(repo.join("schema/feature.schema.json").is_file());
    assert_eq!(
        std::fs::read_to_string(repo.join("schema/experiment.schema.json")).expect("read"),
        EXPERIMENT_SCHEMA
    );
    let run = repo.run(&["check", "--format", "json"]);
    assert_eq!((run.code, json_of(&run)), (0, json!([])), "{run:?}");
}

#[test]
fn schema_outside_a_plans_repository_exports_the_built_in_kinds() {
    let repo = Repo::empty();
    let out = repo.join("out");
    let run = repo.run(&["schema", "-o", out.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(std::fs::read_dir(&out).expect("read_dir").count(), 11);
}

// -------------------------------------------------------------------- list

fn repo_with_features() -> Repo {
    let repo = Repo::base();
    repo.file("features/ok.md", FEATURE_OK)
        .file(
            "features/second.md",
            &FEATURE_OK
                .replace("title: OK", "title: \"Second, with comma\"")
                .replace("milestone: m1", "milestone: m2"),
        )
        .file(
            "features/idea.md",
            "---\nkind: feature\ntitle: Idea\nstatus: idea\nobjectives: [obj]\n---\n",
        );
    assert_eq!(repo.diagnostics(), Vec::<Value>::new());
    repo
}

#[test]
fn list_json_filters_by_field() {
    let repo = repo_with_features();
    let run = repo.run(&[
        "list",
        "feature",
        "--where",
        "status=planned",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = json_of(&run);
    let items = v.as_array().expect("array");
    let ids: Vec<&str> = items.iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(ids, ["ok", "second"]);
    assert_eq!(items[0]["title"], "OK");
    assert_eq!(items[0]["status"], "planned");
    assert_eq!(items[0]["milestone"], "m1");
    assert_eq!(items[0]["kind"], "feature");
    assert_eq!(items[0]["file"], "features/ok.md");
    // Filters combine; a list field matches when it contains the value.
    let run = repo.run(&[
        "list",
        "feature",
        "--where",
        "status=planned",
        "--where",
        "milestone=m2",
        "--format",
        "json",
    ]);
    let v = json_of(&run);
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["id"], "second");
    let run = repo.run(&[
        "list",
        "feature",
        "--where",
        "objectives=obj",
        "--format",
        "json",
    ]);
    assert_eq!(json_of(&run).as_array().map(Vec::len), Some(3));
    let run = repo.run(&[
        "list",
        "feature",
        "--where",
        "status=shipped",
        "--format",
        "json",
    ]);
    assert_eq!((run.code, json_of(&run)), (0, json!([])));
}

#[test]
fn list_csv_has_a_header_and_quotes_commas() {
    let repo = repo_with_features();
    let run = repo.run(&[
        "list",
        "feature",
        "--where",
        "status=planned",
        "--format",
        "csv",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "id,title,status,milestone,team,owner",
            "ok,OK,planned,m1,,alice",
            "second,\"Second, with comma\",planned,m2,,alice",
        ]
    );
}

#[test]
fn list_table_aligns_columns() {
    let repo = repo_with_features();
    let run = repo.run(&["list", "feature", "--where", "status=planned"]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("id "), "{}", run.stdout);
    for col in ["title", "status", "milestone", "owner"] {
        assert!(lines[0].contains(col), "{}", run.stdout);
    }
    assert!(lines[1].starts_with("ok "), "{}", run.stdout);
    assert!(lines[2].starts_with("second "), "{}", run.stdout);
    assert!(!run.stdout.contains("idea"), "{}", run.stdout);
    // Columns line up: `status` starts at the same character in each row.
    let at = lines[0].find("status").expect("status");
    assert_eq!(lines[1].get(at..at + 7), Some("planned"), "{}", run.stdout);
    assert_eq!(lines[2].get(at..at + 7), Some("planned"), "{}", run.stdout);
    let run = repo.run(&["list", "feature", "--format", "table"]);
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
}

#[test]
fn list_of_a_user_defined_kind() {
    let repo = repo_with_experiment();
    repo.file(
        "exp.yaml",
        "kind: experiment\nid: exp1\ntitle: Exp\nhypothesis: faster is better\n",
    );
    let run = repo.run(&["list", "experiment", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json_of(&run)[0]["hypothesis"], "faster is better");
}

#[test]
fn list_of_an_unknown_kind_exits_2() {
    let repo = Repo::base();
    let run = repo.run(&["list", "featur"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("featur"), "{}", run.stderr);
    assert!(run.stderr.contains("feature"), "{}", run.stderr);
    // And outside a plans repository.
    let run = Repo::empty().run(&["list", "feature"]);
    assert_eq!(run.code, 2, "{run:?}");
}

// ------------------------------------------------------- a closed stdout

/// Runs with stdout a pipe whose reading end is already closed, as with
/// `northstar list feature | head -0`.
fn with_closed_stdout(dir: &Path, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = command(dir, args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .output()
        .expect("run northstar");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_closed_stdout_does_not_panic() {
    let repo = repo_with_features();
    repo.file("lonely.yaml", ORPHAN_SEGMENT);
    for args in [
        &["check"][..],
        &["check", "--format", "json"],
        &["list", "feature"],
        &["list", "feature", "--format", "json"],
        &["list", "feature", "--format", "csv"],
    ] {
        let run = with_closed_stdout(repo.path(), args);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
        assert_ne!(run.code, 101, "{args:?}");
    }
    // `schema` still writes every file when nobody reads the list it prints.
    let out = repo.join("out");
    let run = with_closed_stdout(repo.path(), &["schema", "-o", out.to_str().expect("utf-8")]);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, 0);
    assert_eq!(std::fs::read_dir(&out).expect("read_dir").count(), 11);
}
