//! Nothing outside the repository is read or published: templates, schema
//! files, the cache folder and linked files are used only when they
//! resolve inside it (and outside its hidden folders, `.git` among them);
//! links that loop do not hang the scan; a template cannot crash a build
//! or `serve`; `schema` never overwrites a file it did not write.

use crate::common::*;
use crate::serve::{Server, feature, wait_for};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the planted files hold: found in any output, it leaked.
const SECRET: &str = "SECRET-7f3a9c-TOKEN";

/// A folder outside the repository holding the secret in a few shapes.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("secret.txt"), SECRET).expect("write");
    std::fs::write(
        dir.path().join("secret.schema.json"),
        format!(
            "{{\"type\": \"object\", \"description\": \"{SECRET}\", \"properties\": {{\"hypothesis\": {{\"type\": \"string\"}}}}}}"
        ),
    )
    .expect("write");
    dir
}

/// The files under `dir` (recursively) whose bytes contain [`SECRET`].
fn leaks(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.map(|e| e.expect("entry")) {
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                todo.push(p);
            } else if std::fs::read(&p)
                .is_ok_and(|b| b.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()))
            {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

/// `northstar -C dir args` started in `cwd`, killed after `limit`: a hang
/// fails the test instead of the whole run. None when it was killed.
fn run_within(dir: &Path, cwd: &Path, args: &[&str], limit: Duration) -> Option<Run> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_northstar"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run northstar");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

#[test]
fn a_symlinked_template_is_not_published() {
    let away = outside();
    let secret = away.path().join("secret.txt");
    for name in ["site.js", "style.css", "layout.hbs"] {
        // Out of the repository, and into its hidden folders (where
        // `actions/checkout` keeps the token, in `.git/config`).
        for target in [secret.clone(), "../.private/token".into()] {
            let repo = Repo::base();
            repo.file(".private/token", SECRET);
            std::fs::create_dir_all(repo.join("templates")).expect("mkdir");
            symlink(&target, repo.join(&format!("templates/{name}"))).expect("link");
            let site = tempfile::tempdir().expect("tempdir");
            let out = site.path().join("out");
            let run = repo.run(&["build", "-o", out.to_str().expect("utf-8")]);
            assert_eq!(run.code, 2, "{name} -> {target:?}: {run:?}");
            assert!(
                run.stderr.contains(&format!("templates/{name}")),
                "the error names the link: {}",
                run.stderr
            );
            assert!(!run.stderr.contains(SECRET), "{}", run.stderr);
            assert_eq!(leaks(site.path()), Vec::<String>::new(), "{name}");
        }
    }
}

#[test]
fn a_schema_path_out_of_the_repository_is_refused() {
    let away = outside();
    let abs = away.path().join("secret.schema.json");
    let config = |path: &str| {
        format!(
            "product: Test Product\ntoday: 2026-11-01\nkinds:\n  experiment:\n    schema: '{path}'\n"
        )
    };
    for path in [abs.to_str().expect("utf-8"), "../secret.schema.json"] {
        let repo = Repo::base();
        repo.file("northstar.yaml", &config(path));
        let run = repo.run(&["check"]);
        assert_eq!(run.code, 2, "{path}: {run:?}");
        assert!(
            run.stderr.contains("northstar.yaml:5:13")
                && run
                    .stderr
                    .contains("relative path inside the plans repository"),
            "{path}: {}",
            run.stderr
        );
    }
    // A relative path that a link takes out of the repository.
    let repo = Repo::base();
    repo.file("northstar.yaml", &config("schema/experiment.schema.json"));
    std::fs::create_dir(repo.join("schema")).expect("mkdir");
    symlink(&abs, repo.join("schema/experiment.schema.json")).expect("link");
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("out");
    for args in [
        &["check"][..],
        &["build", "-o", out.to_str().expect("utf-8")],
    ] {
        let run = repo.run(args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("schema/experiment.schema.json is a symbolic link"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains(SECRET), "{}", run.stderr);
    }
    assert_eq!(leaks(site.path()), Vec::<String>::new());
}

#[test]
fn a_cache_folder_linked_out_of_the_repository_is_refused() {
    let away = tempfile::tempdir().expect("tempdir");
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\ncache: hist/cache\n",
    );
    symlink(away.path(), repo.join("hist")).expect("link");
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("`cache`") && run.stderr.contains("hist is a symbolic link"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(away.path()).expect("dir").count(), 0);
}

#[test]
fn a_linked_file_that_leads_out_of_the_repository_is_not_copied_into_the_site() {
    let away = outside();
    let repo = Repo::base();
    repo.file(".private/token", SECRET);
    symlink(away.path(), repo.join("docs")).expect("link");
    symlink(away.path().join("secret.txt"), repo.join("notes.txt")).expect("link");
    symlink(".private/token", repo.join("token.txt")).expect("link");
    repo.file(
        "feat.md",
        &feature("Linker").replace(
            "The body of Linker.",
            "[a](docs/secret.txt) [b](notes.txt) [c](token.txt)",
        ),
    );
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("out");
    let run = repo.run(&[
        "build",
        "--allow-errors",
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(out.join("feature/feat.html").is_file());
    assert_eq!(leaks(site.path()), Vec::<String>::new());
    // The scan does not see them, so the links are broken ones.
    let broken = repo.positions("broken-link");
    assert_eq!(broken.len(), 3, "{broken:?}");
}

#[test]
fn folders_linked_to_themselves_neither_hang_check_nor_duplicate_ids() {
    let repo = Repo::base();
    repo.file("plans/feat.md", &feature("Looped"));
    symlink(".", repo.join("plans/a")).expect("link");
    symlink(".", repo.join("plans/b")).expect("link");
    symlink("..", repo.join("plans/up")).expect("link");
    let cwd = tempfile::tempdir().expect("tempdir");
    let run = run_within(
        repo.path(),
        cwd.path(),
        &["check", "--format", "json"],
        Duration::from_secs(20),
    )
    .expect("check did not finish within 20 s");
    assert_eq!((run.code, run.stdout.trim()), (0, "[]"), "{run:?}");
}

#[test]
fn serve_does_not_follow_a_linked_folder_out_of_the_repository() {
    let away = tempfile::tempdir().expect("tempdir");
    let repo = Repo::base();
    repo.file("feat.md", &feature("Inside One"));
    symlink(away.path(), repo.join("linked")).expect("link");
    let server = Server::start(repo.path());
    let events = server.events();
    events.next();
    let leaked = |when: &str| {
        for page in [
            "/",
            "/feature/index.html",
            "/feature/leak.html",
            "/plan.json",
        ] {
            let r = server.get(page);
            assert!(
                !r.body.contains(SECRET),
                "{when}: {page} shows the outside file"
            );
            assert!(!r.body.contains("leak.md"), "{when}: {page}: {}", r.body);
        }
        assert_eq!(server.get("/feature/leak.html").code, 404, "{when}");
    };
    // A file written behind the link (a watcher that follows links
    // reports it as `linked/leak.md`), then an edit inside: once that is
    // served, the file outside was handled too.
    std::fs::write(away.path().join("leak.md"), feature(SECRET)).expect("write");
    repo.file("feat.md", &feature("Inside Two"));
    wait_for(&server, "/feature/feat.html", "the edit inside", |r| {
        r.body.contains("Inside Two")
    });
    leaked("after an edit");
    // A link made while serving: the folder is scanned again.
    symlink(away.path(), repo.join("later")).expect("link");
    events.next();
    leaked("after a new link");
}

/// A template override whose inline partial includes itself.
const RECURSIVE: &str = r#"{{#*inline "x"}}{{> x}}{{/inline}}{{> x}}"#;

#[test]
fn a_recursive_partial_is_a_template_error_not_a_crash() {
    let repo = Repo::base();
    repo.file("templates/index.hbs", RECURSIVE);
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("out");
    let run = run_within(
        repo.path(),
        site.path(),
        &["build", "-o", out.to_str().expect("utf-8")],
        Duration::from_secs(30),
    )
    .expect("build did not finish");
    assert_eq!(run.code, 2, "killed by a signal?\n{run:?}");
    assert!(
        run.stderr.contains("templates/index.hbs") && run.stderr.contains("includes itself"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

#[test]
fn serve_survives_a_recursive_partial() {
    let repo = Repo::base();
    repo.file("feat.md", &feature("Still Served"));
    let server = Server::start(repo.path());
    let events = server.events();
    events.next();
    repo.file("templates/index.hbs", RECURSIVE);
    events.next();
    // The last good site stays, under the overlay naming the error.
    let home = wait_for(&server, "/", "the overlay", |r| {
        r.code == 200 && r.body.contains("includes itself")
    });
    assert!(home.body.contains("Still Served"), "{}", home.body);
    std::fs::remove_file(repo.join("templates/index.hbs")).expect("rm");
    wait_for(&server, "/", "the fixed site", |r| {
        r.code == 200 && !r.body.contains("includes itself")
    });
}

#[test]
fn schema_never_overwrites_a_file_northstar_did_not_write() {
    const OWN: &str =
        "{\"type\": \"object\", \"properties\": {\"hypothesis\": {\"type\": \"string\"}}}\n";
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\nkinds:\n  feature:\n    schema: schema/feature.schema.json\n  broken: [\n",
    );
    repo.file("schema/feature.schema.json", OWN);
    let cwd = tempfile::tempdir().expect("tempdir");
    let limit = Duration::from_secs(30);
    // A config that does not load: nothing is written, exit 2.
    let run = run_within(repo.path(), repo.path(), &["schema", "-o", "schema"], limit)
        .expect("schema finished");
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        std::fs::read_to_string(repo.join("schema/feature.schema.json")).expect("read"),
        OWN
    );
    // Loaded: the default folder is the repository's `schema/`, not the
    // current folder; the kind's own schema is kept.
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  feature:\n    schema: schema/feature.schema.json\n",
    );
    let run = run_within(repo.path(), cwd.path(), &["schema"], limit).expect("finished");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        !cwd.path().join("schema").exists(),
        "wrote into the current folder"
    );
    assert!(repo.join("schema/metric.schema.json").is_file(), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(repo.join("schema/feature.schema.json")).expect("read"),
        OWN
    );
    // A file northstar did not write is kept (exit 1, named); one it
    // wrote is replaced.
    repo.file("schema/team.schema.json", "hand written\n");
    let run = run_within(repo.path(), cwd.path(), &["schema"], limit).expect("finished");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("team.schema.json"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.join("schema/team.schema.json")).expect("read"),
        "hand written\n"
    );
    assert!(run.stdout.contains("metric.schema.json"), "{run:?}");
}

/// Runs git in `dir` with a fixed identity.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn a_working_file_linked_out_of_the_repository_is_not_read_into_history() {
    let away = tempfile::tempdir().expect("tempdir");
    std::fs::write(away.path().join("secret.md"), feature(SECRET)).expect("write");
    let repo = Repo::base();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "plans"]);
    // History compares the working tree with HEAD: an untracked link and
    // a committed one, both leading out.
    symlink(away.path().join("secret.md"), repo.join("evil.md")).expect("link");
    symlink(away.path().join("secret.md"), repo.join("feat.md")).expect("link");
    git(repo.path(), &["add", "feat.md"]);
    git(repo.path(), &["commit", "-qm", "a link"]);
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("out");
    let run = repo.run(&["build", "-o", out.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(out.join("changes.html").is_file());
    assert_eq!(leaks(site.path()), Vec::<String>::new());
}

/// `lsp` takes buffers only for files of the plans: a file outside the
/// repository, one reached through a link leading out of it and one in
/// `.git` do not join the plan, and get no diagnostics.
#[test]
fn lsp_takes_no_buffer_from_outside_the_plans() {
    let away = outside();
    let doc = format!(
        "---\nkind: feature\ntitle: {SECRET}\nstatus: idea\nobjectives: [obj]\ndepends_on: [nope]\n---\n"
    );
    std::fs::write(away.path().join("secret.md"), &doc).expect("write");
    let repo = Repo::base();
    symlink(away.path().join("secret.md"), repo.join("link.md")).expect("link");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    let mut s = crate::lsp::Server::start(repo);
    let away_uri = format!(
        "file://{}/secret.md",
        away.path().canonicalize().expect("canonical").display()
    );
    s.notify(
        "textDocument/didOpen",
        serde_json::json!({ "textDocument": { "uri": away_uri, "languageId": "markdown", "version": 1, "text": doc } }),
    );
    s.open_text("link.md", &doc);
    s.open_text(".git/x.md", &doc);
    let p = s.published();
    assert!(p.values().all(|d| d.is_empty()), "{p:?}");
    assert!(!p.contains_key(&away_uri), "{p:?}");
    let found = s.request("workspace/symbol", serde_json::json!({ "query": SECRET }));
    assert_eq!(found, serde_json::json!([]), "{found}");
}
