//! The ready-made setups: `.pre-commit-hooks.yaml`,
//! `ci/github-actions/northstar.yml` and `ci/gitlab/northstar.gitlab-ci.yml`.
//! Every file parses as YAML; every `northstar …` command line in them
//! parses with the real command-line definition and uses only flags that
//! `northstar <command> --help` shows; and the steps that need no network
//! are run with bash, as the CI would, on git repositories built by code
//! (`gh` and `curl` replaced by stand-ins that record what they were given).

use crate::common::{Repo, copy_example};
use clap::Parser;
use northstar::parse::yaml::{Node, NodeValue, parse_stream};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PRE_COMMIT: &str = ".pre-commit-hooks.yaml";
const GITHUB: &str = "ci/github-actions/northstar.yml";
const GITLAB: &str = "ci/gitlab/northstar.gitlab-ci.yml";
const ACTION: &str = "action.yml";
const RELEASE: &str = ".github/workflows/release.yml";

// ---------------------------------------------------------------------------
// Reading the setups

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The one YAML document of a setup file, which must parse.
fn load(rel: &str) -> Node {
    let text = std::fs::read_to_string(root().join(rel))
        .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"));
    let (docs, err) = parse_stream(&text, 1);
    assert!(err.is_none(), "{rel} does not parse: {err:?}");
    assert_eq!(docs.len(), 1, "{rel} holds one YAML document");
    docs.into_iter().next().expect("one document")
}

fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
    &node
        .get(key)
        .unwrap_or_else(|| panic!("no `{key}` in {node:?}"))
        .1
}

fn text<'a>(node: &'a Node, key: &str) -> &'a str {
    get(node, key)
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is not text"))
}

fn seq(node: &Node) -> &[Node] {
    match &node.value {
        NodeValue::Seq(items) => items,
        other => panic!("not a list: {other:?}"),
    }
}

fn map(node: &Node) -> Vec<(&str, &Node)> {
    match &node.value {
        NodeValue::Map(entries) => entries
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default(), v))
            .collect(),
        other => panic!("not a mapping: {other:?}"),
    }
}

/// Keys whose values are shell commands, in all three formats.
const COMMAND_KEYS: &[&str] = &["run", "script", "before_script", "entry"];

/// Every shell command text in a file: the scalars under [`COMMAND_KEYS`]
/// (directly or in a list).
fn commands(node: &Node, key: Option<&str>, out: &mut Vec<String>) {
    match &node.value {
        NodeValue::Scalar { text, .. } => {
            if key.is_some_and(|k| COMMAND_KEYS.contains(&k)) {
                out.push(text.clone());
            }
        }
        NodeValue::Seq(items) => {
            for item in items {
                commands(item, key, out);
            }
        }
        NodeValue::Map(entries) => {
            for (k, v) in entries {
                commands(v, k.as_str(), out);
            }
        }
    }
}

/// Shell words of one line, quotes removed; `${NAME:+TEXT}` is taken as
/// set (TEXT); a word holding a variable becomes `X`, since only its
/// place matters to the argument parser.
fn words(line: &str) -> Vec<String> {
    let mut line = line.to_string();
    while let Some(start) = line.find("${")
        && let Some(plus) = line[start..].find(":+").map(|i| start + i)
        && let Some(end) = line[plus..].find('}').map(|i| plus + i)
    {
        line = format!(
            "{}{}{}",
            &line[..start],
            &line[plus + 2..end],
            &line[end + 1..]
        );
    }
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut dollar = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => {
                dollar |= c == '$';
                word.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(if dollar { "X".into() } else { word.clone() });
                }
                word.clear();
                in_word = false;
                dollar = false;
            }
            (None, c) => {
                dollar |= c == '$';
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(if dollar { "X".into() } else { word });
    }
    out
}

fn is_operator(w: &str) -> bool {
    matches!(w, "|" | "||" | "&&" | ";" | "then" | "fi") || w.starts_with('>') || w.starts_with('<')
}

/// Every `northstar …` invocation in a command text, as its arguments
/// (without `northstar`).
fn invocations(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let w = words(line);
        for (i, x) in w.iter().enumerate() {
            if x != "northstar" {
                continue;
            }
            let mut args = Vec::new();
            for a in &w[i + 1..] {
                if is_operator(a) {
                    break;
                }
                if let Some(a) = a.strip_suffix(';') {
                    args.push(a.to_string());
                    break;
                }
                args.push(a.clone());
            }
            // `cargo install … northstar`, `command -v northstar ||`.
            if !args.is_empty() {
                out.push(args);
            }
        }
    }
    out
}

/// `northstar <sub> --help`.
fn help(sub: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_northstar"))
        .args([sub, "--help"])
        .output()
        .expect("run northstar");
    assert!(out.status.success(), "northstar {sub} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Checks every invocation in a file; returns the subcommands used.
fn check_invocations(rel: &str) -> Vec<String> {
    let mut scripts = Vec::new();
    let file = load(rel);
    commands(&file, None, &mut scripts);
    assert!(!scripts.is_empty(), "no commands found in {rel}");
    // A variable the file sets itself (a workflow's `env:`) stands for its
    // value, so `--audience "$PAGES_AUDIENCE"` is checked as `public`.
    if let Some((_, env)) = file.get("env") {
        for (k, v) in map(env) {
            if let Some(v) = v.as_str().filter(|v| !v.is_empty()) {
                for s in &mut scripts {
                    *s = s.replace(&format!("\"${k}\""), v);
                }
            }
        }
    }
    let mut subs = Vec::new();
    for script in &scripts {
        for args in invocations(script) {
            let argv = std::iter::once("northstar".to_string()).chain(args.iter().cloned());
            if let Err(e) = northstar::cmd::Cli::try_parse_from(argv) {
                panic!("{rel}: `northstar {}` does not parse:\n{e}", args.join(" "));
            }
            // The subcommand: the first word that is neither a flag nor
            // the value of `-C`.
            let mut it = args.iter();
            let mut sub = None;
            while let Some(a) = it.next() {
                if a == "-C" {
                    it.next();
                } else if !a.starts_with('-') {
                    sub = Some(a.clone());
                    break;
                }
            }
            let sub = sub.unwrap_or_else(|| panic!("{rel}: no command in {args:?}"));
            let help = help(&sub);
            let mut prev: Option<&str> = None;
            for a in &args {
                if a.starts_with('-') && a.len() > 1 {
                    let flag = a.split('=').next().unwrap_or(a);
                    assert!(
                        [" ", ",", "\n"]
                            .iter()
                            .any(|end| help.contains(&format!("{flag}{end}"))),
                        "{rel}: `northstar {sub}` has no flag {flag}"
                    );
                }
                // A literal value of an enumerated option is one it lists.
                if let Some(p) = prev
                    && matches!(p, "--format" | "--fail-on" | "--deny" | "--audience")
                    && a != "X"
                {
                    assert!(
                        help.contains(&format!("- {a}:")),
                        "{rel}: `northstar {sub} {p}` has no value {a}"
                    );
                }
                prev = Some(a);
            }
            subs.push(sub);
        }
    }
    subs
}

// ---------------------------------------------------------------------------
// Running steps

/// The `git` CLI in a folder with a fixed author and dates.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice Doe")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-05T12:00:00+00:00")
        .env("GIT_COMMITTER_NAME", "Alice Doe")
        .env("GIT_COMMITTER_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_DATE", "2026-01-05T12:00:00+00:00")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A feature that checks clean in [`Repo::base`].
fn feature(title: &str, status: &str, milestone: &str, depends_on: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: {title}\nstatus: {status}\nowner: alice\nobjectives: [obj]\nmilestone: {milestone}\ndepends_on: [{depends_on}]\n---\n## Problem\nP.\n\n## Goals\nG.\n\n## Non-goals\nN.\n\n## Requirements\nR.\n"
    )
}

/// A pull request: `main` with F1 in M1, pushed as `origin/main`; the
/// branch `topic` moves F1 to M2 (a slip) and adds F2, which depends on a
/// feature that does not exist (a new error). Checked out on `topic`.
fn pull_request() -> (Repo, String) {
    let repo = Repo::base();
    let dir = repo.path();
    git(dir, &["-c", "init.defaultBranch=main", "init", "-q"]);
    repo.file("f1.md", &feature("F1", "planned", "m1", ""));
    let c0 = commit(dir, "Initial plans");
    git(dir, &["update-ref", "refs/remotes/origin/main", &c0]);
    git(dir, &["checkout", "-q", "-b", "topic"]);
    repo.file("f1.md", &feature("F1", "planned", "m2", ""))
        .file("f2.md", &feature("F2", "planned", "m2", "ghost"));
    commit(dir, "Move F1, add F2");
    (repo, c0)
}

/// A folder holding stand-ins for `gh` and `curl` that log their arguments
/// and keep the comment body they were given.
struct Fakes {
    dir: tempfile::TempDir,
}

impl Fakes {
    fn new() -> Fakes {
        let gh = r#"#!/usr/bin/env bash
echo "gh $*" >> "$FAKE_LOG"
if [ "$1" = api ] && [[ " $* " == *" --jq "* ]]; then
  [ -n "$FAKE_EXISTING" ] && echo "$FAKE_EXISTING"
fi
prev=
for a in "$@"; do
  [ "$prev" = --body-file ] && cp "$a" "$FAKE_BODY"
  case "$a" in body=@*) cp "${a#body=@}" "$FAKE_BODY" ;; esac
  prev=$a
done
exit 0
"#;
        let curl = r#"#!/usr/bin/env bash
echo "curl $*" >> "$FAKE_LOG"
for a in "$@"; do
  case "$a" in body@*) cp "${a#body@}" "$FAKE_BODY" ;; esac
done
exit 0
"#;
        Fakes::of(&[("gh", gh), ("curl", curl)])
    }

    /// A folder of stand-ins: each (name, bash script) made executable.
    fn of(scripts: &[(&str, &str)]) -> Fakes {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, body) in scripts {
            let p = dir.path().join(name);
            std::fs::write(&p, body).expect("write fake");
            make_executable(&p);
        }
        Fakes { dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn body(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("body")).unwrap_or_default()
    }
}

#[cfg(unix)]
fn make_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// What a step's shell gave.
#[derive(Debug)]
struct Shell {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs a script with bash as CI runners do (`-eo pipefail`), in `dir`,
/// with `northstar` and the fakes first on PATH.
fn bash(dir: &Path, script: &str, env: &BTreeMap<String, String>, fakes: &Fakes) -> Shell {
    let bin = Path::new(env!("CARGO_BIN_EXE_northstar"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = std::env::join_paths([bin, fakes.dir.path().to_path_buf()].into_iter().chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .envs(env)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("FAKE_LOG", fakes.dir.path().join("log"))
        .env("FAKE_BODY", fakes.dir.path().join("body"))
        .output()
        .expect("run bash");
    Shell {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The values of a mapping of variables (`env:`, `variables:`), with
/// GitHub's `${{ … }}` expressions replaced from `exprs`.
fn vars(node: &Node, exprs: &[(&str, &str)]) -> BTreeMap<String, String> {
    map(node)
        .into_iter()
        .map(|(k, v)| {
            let mut s = v.as_str().unwrap_or_default().to_string();
            for (e, val) in exprs {
                s = s.replace(&format!("${{{{ {e} }}}}"), val);
            }
            assert!(!s.contains("${{"), "unknown expression in {k}: {s}");
            (k.to_string(), s)
        })
        .collect()
}

/// A copy of the example repository at `under` in a temporary folder.
fn example_copy(under: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(under);
    copy_example(&dir);
    (tmp, dir)
}

// ---------------------------------------------------------------------------
// Every setup: parses, and says only what northstar understands

#[test]
fn every_setup_parses_and_uses_only_real_commands_and_flags() {
    let pre = check_invocations(PRE_COMMIT);
    assert_eq!(pre, ["check", "check"]);
    let gh = check_invocations(GITHUB);
    for sub in ["diff", "check", "build"] {
        assert!(
            gh.iter().any(|s| s == sub),
            "{GITHUB} runs no `{sub}`: {gh:?}"
        );
    }
    for rel in [ACTION, RELEASE] {
        load(rel);
    }
    let gl = check_invocations(GITLAB);
    for sub in ["diff", "check", "build"] {
        assert!(
            gl.iter().any(|s| s == sub),
            "{GITLAB} runs no `{sub}`: {gl:?}"
        );
    }
}

#[test]
fn the_checker_of_command_lines_catches_mistakes() {
    // The tokenizer and the checks above, on lines that must fail.
    assert_eq!(
        words(r#"northstar -C "$DIR" diff "origin/$B...HEAD" ${URL:+--site-url "$URL"} > f"#),
        [
            "northstar",
            "-C",
            "X",
            "diff",
            "X",
            "--site-url",
            "X",
            ">",
            "f"
        ]
    );
    assert_eq!(
        invocations(
            "command -v northstar || cargo install --git x northstar\nnorthstar check; echo"
        ),
        [vec!["check".to_string()]]
    );
    let parses = |line: &str| {
        let args = &invocations(line)[0];
        northstar::cmd::Cli::try_parse_from(
            std::iter::once("northstar".to_string()).chain(args.iter().cloned()),
        )
        .is_ok()
    };
    assert!(parses("northstar diff X --format markdown"));
    assert!(!parses("northstar diff X --format html"));
    assert!(!parses("northstar check --fail-on new-errors"));
    assert!(!parses("northstar publish"));
}

// ---------------------------------------------------------------------------
// pre-commit

#[test]
fn pre_commit_hooks_are_declared_as_pre_commit_expects() {
    let hooks = load(PRE_COMMIT);
    let hooks = seq(&hooks);
    let ids: Vec<&str> = hooks.iter().map(|h| text(h, "id")).collect();
    assert_eq!(ids, ["northstar-check", "northstar-check-changed"]);
    for h in hooks {
        // `rust`: pre-commit builds the hook repository with `cargo
        // install`; the entry is the binary's name and its arguments.
        assert_eq!(text(h, "language"), "rust");
        assert!(text(h, "entry").starts_with("northstar check"));
        assert_eq!(text(h, "pass_filenames"), "false");
        assert_eq!(text(h, "files"), r"\.(md|ya?ml)$");
        assert!(!text(h, "name").is_empty());
        assert!(!text(h, "description").is_empty());
    }
    // The binary pre-commit would build is this crate's `northstar`.
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(cargo.contains("name = \"northstar\""), "{cargo}");
}

/// Runs a hook's entry (plus `args`) in `dir`, as pre-commit does: from
/// the repository's root, with no file names.
fn run_hook(id: &str, dir: &Path, args: &[&str]) -> Shell {
    let hooks = load(PRE_COMMIT);
    let hook = seq(&hooks)
        .iter()
        .find(|h| text(h, "id") == id)
        .unwrap_or_else(|| panic!("no hook {id}"));
    let mut script = text(hook, "entry").to_string();
    for a in args {
        script.push(' ');
        script.push_str(a);
    }
    bash(dir, &script, &BTreeMap::new(), &Fakes::new())
}

#[test]
fn pre_commit_hook_passes_on_the_example_repository() {
    let (_tmp, dir) = example_copy("plans-repo");
    git(&dir, &["-c", "init.defaultBranch=main", "init", "-q"]);
    // The first commit: HEAD does not exist yet.
    let first = run_hook("northstar-check-changed", &dir, &[]);
    assert_eq!(first.code, 0, "{first:?}");
    commit(&dir, "Example plans");
    let run = run_hook("northstar-check", &dir, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("error["), "{}", run.stdout);
    let run = run_hook("northstar-check-changed", &dir, &[]);
    assert_eq!(run.code, 0, "{run:?}");

    // A broken edit fails both.
    std::fs::write(
        dir.join("plans/features/broken.md"),
        "---\nkind: feature\ntitle: Broken\nstatus: idea\ndepends_on: [nope]\n---\n",
    )
    .expect("write");
    assert_eq!(run_hook("northstar-check", &dir, &[]).code, 1);
    let run = run_hook("northstar-check-changed", &dir, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("broken.md"), "{}", run.stdout);

    // Committed, it is an old problem: the changed-only hook lets an
    // unrelated, clean change through; the full one does not.
    commit(&dir, "Broken feature");
    std::fs::write(
        dir.join("plans/segments/new-segment.yaml"),
        "kind: segment\nid: new-segment\ntitle: New\n",
    )
    .expect("write");
    assert_eq!(run_hook("northstar-check", &dir, &[]).code, 1);
    let run = run_hook("northstar-check-changed", &dir, &[]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn pre_commit_hook_with_args_for_plans_in_a_subfolder() {
    let (tmp, _dir) = example_copy("product/plans");
    let root = tmp.path();
    git(root, &["-c", "init.defaultBranch=main", "init", "-q"]);
    commit(root, "Plans in a subfolder");
    // From the repository root, northstar.yaml is not found...
    assert_eq!(run_hook("northstar-check", root, &[]).code, 2);
    // ...unless the hook is told where it is (`args: [-C, product/plans]`).
    for id in ["northstar-check", "northstar-check-changed"] {
        let run = run_hook(id, root, &["-C", "product/plans"]);
        assert_eq!(run.code, 0, "{id}: {run:?}");
    }
}

// ---------------------------------------------------------------------------
// GitHub Actions

/// The steps of the workflow's `plans` job, by name.
fn github_steps(wf: &Node) -> Vec<(&str, &Node)> {
    named_steps(get(get(get(wf, "jobs"), "plans"), "steps"))
}

/// A list of GitHub steps, each with its `name` ("" for none).
fn named_steps(steps: &Node) -> Vec<(&str, &Node)> {
    seq(steps)
        .iter()
        .map(|s| (s.get("name").and_then(|n| n.1.as_str()).unwrap_or(""), s))
        .collect()
}

fn step<'a>(steps: &'a [(&str, &'a Node)], name: &str) -> &'a Node {
    steps
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no step `{name}`"))
        .1
}

#[test]
fn github_workflow_has_what_the_readme_promises() {
    let wf = load(GITHUB);
    assert!(
        map(get(&wf, "on"))
            .iter()
            .any(|(k, _)| *k == "pull_request")
    );
    assert_eq!(text(get(&wf, "permissions"), "pull-requests"), "write");
    let env = map(get(&wf, "env"));
    let keys: Vec<&str> = env.iter().map(|(k, _)| *k).collect();
    assert_eq!(keys, ["PLANS_DIR", "SITE_URL", "PAGES_AUDIENCE"]);
    assert_eq!(text(get(&wf, "env"), "PAGES_AUDIENCE"), "public");
    let steps = github_steps(&wf);
    let checkout = steps[0].1;
    assert_eq!(text(checkout, "uses"), "actions/checkout@v4");
    assert_eq!(text(get(checkout, "with"), "fetch-depth"), "0");
    // northstar's own action installs it and keeps the history cache.
    assert_eq!(
        text(step(&steps, "Install northstar"), "uses"),
        "OWNER/northstar@v0.1.0"
    );
    assert!(text(step(&steps, "Check the plans"), "run").contains("check --format github"));
    let diff = text(step(&steps, "Plan changes"), "run");
    assert!(
        diff.contains("diff \"origin/$BASE_REF...HEAD\" --format markdown"),
        "{diff}"
    );
    assert!(text(step(&steps, "Comment on the pull request"), "run").contains("gh pr comment"));
    let upload = step(&steps, "Upload the site");
    assert_eq!(text(upload, "uses"), "actions/upload-artifact@v4");

    let at = |name: &str| steps.iter().position(|(n, _)| *n == name).unwrap();
    assert!(at("Install northstar") < at("Plan changes"));

    // Pushes to the default branch publish with GitHub Pages.
    let pages_build = step(&steps, "Build the site for Pages");
    assert_eq!(text(pages_build, "if"), "github.event_name == 'push'");
    let pages_upload = step(&steps, "Upload the site for Pages");
    assert_eq!(
        text(pages_upload, "uses"),
        "actions/upload-pages-artifact@v3"
    );
    assert_eq!(
        text(get(pages_upload, "with"), "path"),
        "${{ runner.temp }}/pages-site"
    );
    let pages = get(get(&wf, "jobs"), "pages");
    assert_eq!(text(pages, "needs"), "plans");
    assert_eq!(text(pages, "if"), "github.event_name == 'push'");
    assert_eq!(text(get(pages, "permissions"), "pages"), "write");
    assert_eq!(text(get(pages, "permissions"), "id-token"), "write");
    assert_eq!(text(get(pages, "environment"), "name"), "github-pages");
    let deploy = &seq(get(pages, "steps"))[0];
    assert_eq!(text(deploy, "uses"), "actions/deploy-pages@v4");
}

#[test]
fn github_workflow_steps_run_on_a_pull_request() {
    let wf = load(GITHUB);
    let steps = github_steps(&wf);
    let (repo, _) = pull_request();
    let temp = tempfile::tempdir().expect("tempdir");
    let summary = temp.path().join("summary.md");
    let exprs = [
        ("github.base_ref", "main"),
        ("github.token", "token"),
        ("github.event.pull_request.number", "7"),
    ];
    let run = |name: &str, extra: &[(&str, &str)], fakes: &Fakes| {
        let mut env = vars(get(&wf, "env"), &exprs);
        env.insert("SITE_URL".into(), "https://plans.example.com".into());
        let s = step(&steps, name);
        if let Some((_, e)) = s.get("env") {
            env.extend(vars(e, &exprs));
        }
        env.insert("RUNNER_TEMP".into(), temp.path().display().to_string());
        env.insert("GITHUB_STEP_SUMMARY".into(), summary.display().to_string());
        env.insert("GITHUB_REPOSITORY".into(), "acme/plans".into());
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        bash(repo.path(), text(s, "run"), &env, fakes)
    };

    // The diff, into a file and the run's summary.
    let fakes = Fakes::new();
    let out = run("Plan changes", &[], &fakes);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stderr, "", "{out:?}");
    let md = std::fs::read_to_string(temp.path().join("plan-diff.md")).expect("plan-diff.md");
    assert!(
        md.starts_with("<!-- northstar-diff -->\n### Plan changes: `origin/main...HEAD` → `HEAD`"),
        "{md}"
    );
    assert!(
        md.contains("| error | `broken-reference` | `f2.md:8:"),
        "{md}"
    );
    assert!(
        md.contains(
            "- [F1](https://plans.example.com/feature/f1.html) slips 90 days (`m1` → `m2`)"
        ),
        "{md}"
    );
    assert_eq!(std::fs::read_to_string(&summary).expect("summary"), md);

    // The first comment is created...
    let out = run("Comment on the pull request", &[], &fakes);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        fakes.log().contains("gh pr comment 7 --body-file"),
        "{}",
        fakes.log()
    );
    assert_eq!(fakes.body(), md);
    // ...and later ones update it.
    let fakes = Fakes::new();
    let out = run(
        "Comment on the pull request",
        &[("FAKE_EXISTING", "123")],
        &fakes,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let log = fakes.log();
    assert!(log.contains("repos/acme/plans/issues/7/comments"), "{log}");
    assert!(
        log.contains("--method PATCH repos/acme/plans/issues/comments/123"),
        "{log}"
    );
    assert!(!log.contains("pr comment"), "{log}");
    assert_eq!(fakes.body(), md);

    // The check annotates and fails on the new error.
    let out = run("Check the plans", &[], &fakes);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("::error file=f2.md,line=8,"),
        "{}",
        out.stdout
    );

    // The site is built despite it, for the artifact.
    let out = run("Build the site", &[], &fakes);
    assert_eq!(out.code, 0, "{out:?}");
    let site = temp.path().join("plans-site");
    assert!(
        site.join("index.html").is_file(),
        "no site in {}",
        site.display()
    );
    assert!(site.join("feature/f2.html").is_file());
    let upload = step(&steps, "Upload the site");
    assert_eq!(
        text(get(upload, "with"), "path"),
        "${{ runner.temp }}/plans-site"
    );

    // The history the builds read is where the action keeps it.
    let action = load(ACTION);
    let inputs = get(&action, "inputs");
    let kept = text(get(inputs, "history-cache"), "default");
    assert!(
        repo.path().join(kept).join("history.bin").is_file(),
        "no history cache at {kept}"
    );

    // On the default branch, the Pages build is public: the plans'
    // features are internal (no `visibility`), so it leaves them out.
    git(repo.path(), &["checkout", "-q", "origin/main"]);
    let out = run("Build the site for Pages", &[], &fakes);
    assert_eq!(out.code, 0, "{out:?}");
    let pages = temp.path().join("pages-site");
    assert!(pages.join("index.html").is_file(), "{out:?}");
    assert!(!pages.join("feature/f1.html").exists());
    assert!(site.join("feature/f1.html").is_file());
}

/// The pull request that sets northstar up on specs already in git: its
/// base has no `northstar.yaml`, and the diff reads both sides with the
/// pull request's config instead of stopping.
#[test]
fn github_workflow_diffs_the_pull_request_that_adds_the_config() {
    let wf = load(GITHUB);
    let steps = github_steps(&wf);
    let repo = Repo::empty();
    let dir = repo.path();
    git(dir, &["-c", "init.defaultBranch=main", "init", "-q"]);
    for (path, text) in crate::common::BASE {
        if *path != "northstar.yaml" {
            repo.file(path, text);
        }
    }
    repo.file("f1.md", &feature("F1", "planned", "m1", ""));
    let c0 = commit(dir, "Specs, before northstar");
    git(dir, &["update-ref", "refs/remotes/origin/main", &c0]);
    git(dir, &["checkout", "-q", "-b", "adopt"]);
    repo.file("northstar.yaml", crate::common::BASE[0].1)
        .file("f2.md", &feature("F2", "planned", "m1", ""));
    commit(dir, "Set up northstar, add F2");

    let temp = tempfile::tempdir().expect("tempdir");
    let exprs = [("github.base_ref", "main")];
    let s = step(&steps, "Plan changes");
    let mut env = vars(get(&wf, "env"), &exprs);
    env.extend(vars(get(s, "env"), &exprs));
    env.insert("RUNNER_TEMP".into(), temp.path().display().to_string());
    let summary = temp.path().join("summary.md");
    env.insert("GITHUB_STEP_SUMMARY".into(), summary.display().to_string());
    let out = bash(dir, text(s, "run"), &env, &Fakes::new());
    assert_eq!(out.code, 0, "{out:?}");
    let md = std::fs::read_to_string(temp.path().join("plan-diff.md")).expect("plan-diff.md");
    // Only F2 is new: F1 was there before, read with the new config.
    assert!(md.contains("| feature | **F2** |"), "{md}");
    assert!(!md.contains("**F1**"), "{md}");
}

// ---------------------------------------------------------------------------
// GitLab CI

#[test]
fn gitlab_jobs_have_what_the_readme_promises() {
    let ci = load(GITLAB);
    let jobs: Vec<&str> = map(&ci).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        jobs,
        [
            "variables",
            ".northstar",
            "northstar:check",
            "northstar:diff",
            "pages"
        ]
    );
    assert_eq!(text(get(&ci, "variables"), "GIT_DEPTH"), "0");
    let check = get(&ci, "northstar:check");
    assert_eq!(text(check, "extends"), ".northstar");
    assert_eq!(text(get(check, "artifacts"), "when"), "always");
    let diff = get(&ci, "northstar:diff");
    let rules = seq(get(diff, "rules"));
    assert_eq!(
        text(&rules[0], "if"),
        "$CI_PIPELINE_SOURCE == \"merge_request_event\""
    );
    let pages = get(&ci, "pages");
    let paths: Vec<&str> = seq(get(get(pages, "artifacts"), "paths"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(paths, ["public"]);
    // The binary, and the history cache per branch (from the default
    // branch's at first).
    let caches = seq(get(get(&ci, ".northstar"), "cache"));
    assert_eq!(text(&caches[0], "key"), "northstar-$NORTHSTAR_TAG");
    assert_eq!(
        text(&caches[1], "key"),
        "northstar-history-$CI_COMMIT_REF_SLUG"
    );
    let fallback: Vec<&str> = seq(get(&caches[1], "fallback_keys"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(fallback, ["northstar-history-$CI_DEFAULT_BRANCH"]);
}

/// GitLab caches only paths inside the project, and northstar's history
/// cache is in `.git/northstar`: a job copies it out to the cached
/// `.northstar/history` when it ends, and the next job copies it back in.
#[test]
fn gitlab_jobs_keep_the_history_cache() {
    let ci = load(GITLAB);
    let (repo, _) = pull_request();
    let env = gitlab_env(&ci, repo.path());
    let after = script_lines(get(get(&ci, ".northstar"), "after_script"));
    let fakes = Fakes::new();
    // The check fails on the pull request's error; the cache is kept anyway
    // (GitLab runs `after_script` whatever the job's outcome).
    let out = bash(
        repo.path(),
        &gitlab_script(&ci, "northstar:check"),
        &env,
        &fakes,
    );
    assert_eq!(out.code, 1, "{out:?}");
    let after_out = bash(repo.path(), &after.join("\n"), &env, &fakes);
    assert_eq!(after_out.code, 0, "{after_out:?}");
    let kept = repo.join(".northstar/history/history.bin");
    assert!(kept.is_file(), "nothing kept for the next job");
    // The next job, on a fresh clone: the history is put back in place.
    std::fs::remove_dir_all(repo.join(".git/northstar")).expect("rm");
    let before = script_lines(get(get(&ci, ".northstar"), "before_script"));
    let out = bash(repo.path(), &before.join("\n"), &env, &fakes);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        std::fs::read(repo.join(".git/northstar/history.bin")).expect("restored"),
        std::fs::read(&kept).expect("kept")
    );
}

/// What a GitLab job sees: the pipeline's variables, and the project
/// checked out at `dir`.
fn gitlab_env(ci: &Node, dir: &Path) -> BTreeMap<String, String> {
    let mut env = vars(get(ci, "variables"), &[]);
    env.insert("CI_PROJECT_DIR".into(), dir.display().to_string());
    env
}

/// A GitLab job's `before_script` and `script`, as one bash script.
fn gitlab_script(ci: &Node, job: &str) -> String {
    let mut lines = Vec::new();
    for part in [get(ci, ".northstar"), get(ci, job)] {
        for key in ["before_script", "script"] {
            if let Some((_, list)) = part.get(key) {
                lines.extend(script_lines(list));
            }
        }
    }
    lines.join("\n")
}

/// The lines of a GitLab script list (`before_script`, `script`, …).
fn script_lines(list: &Node) -> Vec<String> {
    seq(list)
        .iter()
        .filter_map(|l| l.as_str().map(String::from))
        .collect()
}

#[test]
fn gitlab_jobs_run_on_a_merge_request() {
    let ci = load(GITLAB);
    let (repo, base) = pull_request();
    let mut env = gitlab_env(&ci, repo.path());
    env.insert("CI_MERGE_REQUEST_DIFF_BASE_SHA".into(), base.clone());
    env.insert(
        "NORTHSTAR_SITE_URL".into(),
        "https://plans.example.com/".into(),
    );

    // The diff: files for the artifacts, the text in the log, no comment
    // without a token.
    let fakes = Fakes::new();
    let out = bash(
        repo.path(),
        &gitlab_script(&ci, "northstar:diff"),
        &env,
        &fakes,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let md = std::fs::read_to_string(repo.join("plan-diff.md")).expect("plan-diff.md");
    assert!(
        md.starts_with(&format!("### Plan changes: `{base}` → `HEAD`")),
        "{md}"
    );
    assert!(
        md.contains("[F2](https://plans.example.com/feature/f2.html)"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("plan-diff.json")).expect("json"))
            .expect("plan-diff.json is JSON");
    assert_eq!(json["summary"]["new_errors"], 1);
    assert_eq!(json["slips"][0]["days"], 90);
    assert!(
        out.stdout.contains("slip: f1 +90 days (m1 → m2)"),
        "{}",
        out.stdout
    );
    assert_eq!(fakes.log(), "");
    // With a token, the Markdown is posted as a note on the merge request.
    std::fs::remove_file(repo.join("plan-diff.md")).expect("rm");
    env.insert("NORTHSTAR_GITLAB_TOKEN".into(), "secret".into());
    env.insert(
        "CI_API_V4_URL".into(),
        "https://gitlab.example.com/api/v4".into(),
    );
    env.insert("CI_PROJECT_ID".into(), "42".into());
    env.insert("CI_MERGE_REQUEST_IID".into(), "7".into());
    let out = bash(
        repo.path(),
        &gitlab_script(&ci, "northstar:diff"),
        &env,
        &fakes,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let log = fakes.log();
    assert!(
        log.contains("https://gitlab.example.com/api/v4/projects/42/merge_requests/7/notes"),
        "{log}"
    );
    assert!(log.contains("PRIVATE-TOKEN: secret"), "{log}");
    assert_eq!(fakes.body(), md);

    // The check: the JSON artifact, the human log, exit 1 for the error.
    let out = bash(
        repo.path(),
        &gitlab_script(&ci, "northstar:check"),
        &env,
        &fakes,
    );
    assert_eq!(out.code, 1, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("northstar-check.json")).expect("check json"),
    )
    .expect("northstar-check.json is JSON");
    assert_eq!(report[0]["rule"], "broken-reference");
    assert_eq!(report[0]["file"], "f2.md");
    assert!(
        out.stdout.contains("error[broken-reference]"),
        "{}",
        out.stdout
    );

    // Fixed, the check passes and the pages job publishes the site.
    repo.file("f2.md", &feature("F2", "planned", "m2", "f1"));
    std::fs::remove_file(repo.join("plan-diff.md")).expect("rm");
    std::fs::remove_file(repo.join("plan-diff.json")).expect("rm");
    let out = bash(
        repo.path(),
        &gitlab_script(&ci, "northstar:check"),
        &env,
        &fakes,
    );
    assert_eq!(out.code, 0, "{out:?}");
    std::fs::remove_file(repo.join("northstar-check.json")).expect("rm");
    let out = bash(repo.path(), &gitlab_script(&ci, "pages"), &env, &fakes);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(repo.join("public/index.html").is_file());
    assert!(repo.join("public/roadmap.html").is_file());
}

// ---------------------------------------------------------------------------
// northstar's own action (action.yml) and releases

/// The release target `ci/install.sh` picks on this machine.
fn release_target() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("x86_64-unknown-linux-gnu"),
        ("linux", "aarch64") => Some("aarch64-unknown-linux-gnu"),
        ("macos", "aarch64") => Some("aarch64-apple-darwin"),
        ("macos", "x86_64") => Some("x86_64-apple-darwin"),
        _ => None,
    }
}

/// Stand-ins for `curl` (serving files from `$FAKE_RELEASES` by the
/// address's last segment, 404 otherwise) and `cargo` (installing a
/// script that says it was built from source), both logging their
/// arguments.
fn release_fakes() -> Fakes {
    let curl = r#"#!/usr/bin/env bash
echo "curl $*" >> "$FAKE_LOG"
out= url=
while [ $# -gt 0 ]; do
  case "$1" in
    --output | -o | --retry) [ "$1" = --retry ] || out=$2; shift 2 ;;
    -*) shift ;;
    *) url=$1; shift ;;
  esac
done
f="$FAKE_RELEASES/${url##*/}"
[ -f "$f" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$f" "$out"
"#;
    let cargo = r#"#!/usr/bin/env bash
echo "cargo $*" >> "$FAKE_LOG"
root=
while [ $# -gt 0 ]; do [ "$1" = --root ] && root=$2; shift; done
mkdir -p "$root/bin"
printf '#!/usr/bin/env bash\necho "northstar (built from source)"\n' > "$root/bin/northstar"
chmod +x "$root/bin/northstar"
"#;
    Fakes::of(&[("curl", curl), ("cargo", cargo)])
}

/// The release assets of `tag` for `target`, packaged by the release
/// workflow's own `Package` step from this build's binary, in a folder.
fn release_assets(tag: &str, target: &str) -> tempfile::TempDir {
    let wf = load(RELEASE);
    let steps = named_steps(get(get(get(&wf, "jobs"), "binaries"), "steps"));
    let package = step(&steps, "Package");
    let work = tempfile::tempdir().expect("tempdir");
    let built = work.path().join(format!("target/{target}/release"));
    std::fs::create_dir_all(&built).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_northstar"), built.join("northstar")).expect("copy binary");
    let env = vars(
        get(package, "env"),
        &[("github.ref_name", tag), ("matrix.target", target)],
    );
    let out = bash(work.path(), text(package, "run"), &env, &Fakes::new());
    assert_eq!(out.code, 0, "{out:?}");
    let dist = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(work.path().join("dist")).expect("dist") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), dist.path().join(e.file_name())).expect("copy asset");
    }
    dist
}

/// What running the action's install step gave: the shell, the folder it
/// installed into, and the lines it added to `$GITHUB_PATH`.
struct Installed {
    shell: Shell,
    bin: PathBuf,
    path_lines: String,
    _tmp: tempfile::TempDir,
}

/// Runs action.yml's install step as GitHub runs it, from a copy of this
/// repository's `ci/install.sh` where the runner puts an action used as
/// `OWNER/northstar@v0.1.0`, with `version` as the input.
fn install_step(version: &str, releases: &Path, fakes: &Fakes) -> Installed {
    let action = load(ACTION);
    let steps = named_steps(get(get(&action, "runs"), "steps"));
    let install = step(&steps, "Install northstar");
    assert_eq!(text(install, "shell"), "bash");
    let tmp = tempfile::tempdir().expect("tempdir");
    let action_path = tmp.path().join("_actions/OWNER/northstar/v0.1.0");
    std::fs::create_dir_all(action_path.join("ci")).expect("mkdir");
    std::fs::copy(
        root().join("ci/install.sh"),
        action_path.join("ci/install.sh"),
    )
    .expect("copy");
    let runner_temp = tmp.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).expect("mkdir");
    let github_path = tmp.path().join("github-path");
    let mut env = vars(get(install, "env"), &[("inputs.version", version)]);
    env.insert(
        "GITHUB_ACTION_PATH".into(),
        action_path.display().to_string(),
    );
    env.insert("RUNNER_TEMP".into(), runner_temp.display().to_string());
    env.insert("GITHUB_PATH".into(), github_path.display().to_string());
    env.insert("FAKE_RELEASES".into(), releases.display().to_string());
    let shell = bash(tmp.path(), text(install, "run"), &env, fakes);
    Installed {
        shell,
        bin: runner_temp.join("northstar-bin"),
        path_lines: std::fs::read_to_string(&github_path).unwrap_or_default(),
        _tmp: tmp,
    }
}

/// The action keeps the history cache as the workflow used to: saved under
/// the commit, restored from the newest; and releases are made on tags.
#[test]
fn the_action_keeps_the_history_cache_and_releases_are_made_on_tags() {
    let action = load(ACTION);
    assert_eq!(text(get(&action, "runs"), "using"), "composite");
    let steps = seq(get(get(&action, "runs"), "steps"));
    let cache = &steps[0];
    assert_eq!(text(cache, "uses"), "actions/cache@v4");
    let with = get(cache, "with");
    assert_eq!(text(with, "path"), "${{ inputs.history-cache }}");
    assert_eq!(
        text(with, "key"),
        "northstar-history-${{ runner.os }}-${{ github.sha }}"
    );
    assert_eq!(
        text(with, "restore-keys"),
        "northstar-history-${{ runner.os }}-"
    );
    assert_eq!(
        text(get(get(&action, "inputs"), "history-cache"), "default"),
        ".git/northstar"
    );
    let release = load(RELEASE);
    let tags: Vec<&str> = seq(get(get(get(&release, "on"), "push"), "tags"))
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(tags, ["v*"]);
    assert_eq!(text(get(&release, "permissions"), "contents"), "write");
}

/// The action installs the release's binary for this machine, packaged
/// by the release workflow, after checking it against the release's
/// SHA-256; it compiles nothing.
#[test]
fn the_action_installs_the_released_binary_checked_against_its_sha256() {
    let Some(target) = release_target() else {
        eprintln!("skipped: no northstar release is built for this platform");
        return;
    };
    let assets = release_assets("v0.1.0", target);
    let asset = format!("northstar-v0.1.0-{target}.tar.gz");
    assert!(assets.path().join(&asset).is_file());
    let fakes = release_fakes();
    let got = install_step("", assets.path(), &fakes);
    assert_eq!(got.shell.code, 0, "{:?}", got.shell);
    assert_eq!(got.path_lines.trim(), got.bin.display().to_string());
    let run = Command::new(got.bin.join("northstar"))
        .arg("--version")
        .output()
        .expect("run the installed northstar");
    assert!(
        String::from_utf8_lossy(&run.stdout).starts_with("northstar "),
        "{run:?}"
    );
    let log = fakes.log();
    assert!(
        log.contains(&format!(
            "https://github.com/OWNER/northstar/releases/download/v0.1.0/{asset}"
        )),
        "{log}"
    );
    assert!(log.contains(&format!("{asset}.sha256")), "{log}");
    assert!(!log.contains("cargo"), "{log}");

    // A binary that does not match the SHA-256 its release lists is not
    // installed, and the step fails saying why.
    let sum = assets.path().join(format!("{asset}.sha256"));
    std::fs::write(&sum, format!("{} {asset}\n", "0".repeat(64))).expect("write");
    let got = install_step("", assets.path(), &release_fakes());
    assert_ne!(got.shell.code, 0, "{:?}", got.shell);
    assert!(
        got.shell.stderr.contains(&format!(
            "northstar: {asset} does not match the SHA-256 its release lists"
        )),
        "{:?}",
        got.shell
    );
    assert!(!got.bin.join("northstar").exists());
}

/// A version with no binary for this machine (or no release at all) is
/// built from source with cargo, at that tag, and the step says so; the
/// `version` input wins over the tag the action is used at.
#[test]
fn the_action_builds_from_source_when_the_release_has_no_binary() {
    let empty = tempfile::tempdir().expect("tempdir");
    let fakes = release_fakes();
    let got = install_step("v0.2.0", empty.path(), &fakes);
    assert_eq!(got.shell.code, 0, "{:?}", got.shell);
    assert!(
        got.shell.stderr.contains("building v0.2.0 from source"),
        "{:?}",
        got.shell
    );
    let log = fakes.log();
    assert!(
        log.lines()
            .any(|l| l.starts_with("cargo install --locked --root ")
                && l.ends_with(" --git https://github.com/OWNER/northstar --tag v0.2.0 northstar")),
        "{log}"
    );
    assert!(
        got.shell.stdout.contains("northstar (built from source)"),
        "{:?}",
        got.shell
    );
    assert_eq!(got.path_lines.trim(), got.bin.display().to_string());
}
