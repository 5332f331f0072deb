//! `northstar serve`: the real binary on a temp plans repository, spoken to
//! over raw HTTP/1.1 (`std::net::TcpStream`): pages, the live-reload event
//! stream, edits, broken edits and their overlay, a config error, deletions
//! and new folders, a branch switch, history marks, a port in use, and a
//! page in headless Chromium that reloads by itself.
//!
//! Every wait is bounded; the server is killed when a test ends, panics
//! included (`Server`'s `Drop`).

use crate::browser;
use crate::common::{Repo, skip_unless_ci};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long anything may take before the test fails.
const LIMIT: Duration = Duration::from_secs(30);

pub fn feature(title: &str) -> String {
    format!(
        "---\nkind: feature\ntitle: {title}\nstatus: idea\nobjectives: [obj]\nowner: alice\n---\n\nThe body of {title}.\n"
    )
}

/// A running `northstar serve`, killed on drop.
pub struct Server {
    child: Child,
    /// The port it listens on (loopback).
    pub port: u16,
    stderr: Receiver<String>,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_northstar"))
            .arg("-C")
            .arg(dir)
            .args(["serve", "--port", "0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start northstar serve");
        let (tx, lines) = channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (etx, stderr) = channel();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = etx.send(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
        };
        let deadline = Instant::now() + LIMIT;
        while server.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match lines.recv_timeout(left) {
                Ok(l) => l,
                Err(_) => panic!(
                    "serve printed no URL within {LIMIT:?}; stderr:\n{}",
                    server.log()
                ),
            };
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                server.port = rest
                    .split('/')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| panic!("no port in {line:?}"));
            }
        }
        server
    }

    /// What the server printed on stderr so far.
    pub fn log(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    pub fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path)
    }

    pub fn events(&self) -> Events {
        Events::connect(self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Response {
    pub code: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        let name = format!("{}:", name.to_ascii_lowercase());
        self.head.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with(&name)
                .then(|| l[name.len()..].trim().to_string())
        })
    }
}

/// One request on a fresh connection (the server closes it after one).
fn request(port: u16, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    s.set_read_timeout(Some(LIMIT)).expect("timeout");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Response {
        code,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// A reader of the live-reload event stream.
pub struct Events {
    builds: Receiver<String>,
}

impl Events {
    fn connect(port: u16) -> Events {
        let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        write!(
            s,
            "GET /__northstar/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        )
        .expect("send");
        let (tx, builds) = channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e.to_string();
                } else if let Some(data) = line.strip_prefix("data: ")
                    && event == "build"
                    && tx.send(data.to_string()).is_err()
                {
                    return;
                }
            }
        });
        Events { builds }
    }

    /// The next build announced, within [`LIMIT`].
    pub fn next(&self) -> String {
        self.builds
            .recv_timeout(LIMIT)
            .expect("no build event on the event stream")
    }
}

/// The counter of a build's tag (`<session>-<counter>`): one more for
/// every build the server ran.
fn build_number(tag: &str) -> u64 {
    tag.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no build counter in the tag {tag:?}"))
}

/// Polls `path` until `ok` holds (within [`LIMIT`]).
pub fn wait_for(
    server: &Server,
    path: &str,
    what: &str,
    ok: impl Fn(&Response) -> bool,
) -> Response {
    let deadline = Instant::now() + LIMIT;
    loop {
        let r = server.get(path);
        if ok(&r) {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "{path}: {what} did not happen; last answer {}:\n{}\nserver log:\n{}",
            r.code,
            r.body,
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn repo_with_feature() -> Repo {
    let repo = Repo::base();
    repo.file("feat.md", &feature("Marker One"));
    repo
}

#[test]
fn serve_serves_pages_and_announces_every_rebuild() {
    let repo = repo_with_feature();
    repo.bytes("pic.png", b"\x89PNG\r\n\x1a\nnot really");
    repo.file(
        "pictured.md",
        &feature("Pictured").replace("The body of Pictured.", "![A diagram](pic.png)"),
    );
    let server = Server::start(repo.path());

    let home = server.get("/");
    assert_eq!(home.code, 200, "{}", server.log());
    assert_eq!(
        home.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        home.header("content-length").and_then(|n| n.parse().ok()),
        Some(home.body.len())
    );
    assert!(
        home.body.contains("/__northstar/events"),
        "no reload script"
    );
    let page = server.get("/feature/feat.html");
    assert_eq!(page.code, 200);
    assert!(page.body.contains("Marker One"));
    assert!(!page.body.contains("northstar-overlay"));

    let css = server.get("/style.css");
    assert_eq!(css.code, 200);
    assert_eq!(
        css.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    assert!(!css.body.contains("__northstar"));
    let json = server.get("/plan.json");
    assert_eq!(
        json.header("content-type").as_deref(),
        Some("application/json")
    );
    let head = request(server.port, "HEAD", "/feature/feat.html");
    assert_eq!(head.code, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length").and_then(|n| n.parse().ok()),
        Some(page.body.len())
    );
    // A file a page links to is served from the plans; other plan files are not.
    let pictured = server.get("/feature/pictured.html");
    assert!(pictured.body.contains("files/pic.png"), "{}", pictured.body);
    let pic = server.get("/files/pic.png");
    assert_eq!(pic.code, 200);
    assert_eq!(pic.header("content-type").as_deref(), Some("image/png"));
    assert_eq!(request(server.port, "POST", "/").code, 405);
    for missing in [
        "/nope.html",
        "/../northstar.yaml",
        "/%2e%2e/northstar.yaml",
        "/files/northstar.yaml",
        "/feat.md",
    ] {
        assert_eq!(server.get(missing).code, 404, "{missing}");
    }
    assert_eq!(server.get("/feature").code, 301);

    // An edit: one event, and the page shows it.
    let events = server.events();
    let first = events.next();
    repo.file("feat.md", &feature("Marker Two"));
    let second = events.next();
    assert_ne!(first, second);
    let page = wait_for(&server, "/feature/feat.html", "the edit", |r| {
        r.body.contains("Marker Two")
    });
    assert!(!page.body.contains("Marker One"));
    // The home and the roadmap follow (they wait for the plan-wide pages).
    let feature_list = server.get("/feature/index.html");
    assert!(
        feature_list.body.contains("Marker Two"),
        "{}",
        feature_list.body
    );

    // A document deleted: its page goes; a new folder with a document: it comes.
    std::fs::remove_file(repo.join("feat.md")).expect("rm");
    wait_for(&server, "/feature/feat.html", "the deletion", |r| {
        r.code == 404
    });
    let moved = repo.path().join("more");
    std::fs::create_dir(&moved).expect("mkdir");
    std::fs::write(moved.join("feat2.md"), feature("Marker Three")).expect("write");
    wait_for(&server, "/feature/feat2.html", "the new folder", |r| {
        r.code == 200 && r.body.contains("Marker Three")
    });
    // Editors' temporary and swap files start no build: the build that
    // shows the next real edit is the very next one. (A build for the
    // swap files would come in between and take a number; the pause keeps
    // the two from being coalesced into one batch.)
    let tag = build_number(&server.events().next());
    for name in [
        ".feat2.md.swp",
        "feat2.md~",
        "4913",
        "#feat2.md#",
        ".#feat2.md",
    ] {
        repo.file(&format!("more/{name}"), "garbage");
    }
    // vim's probe lives for a moment only.
    std::fs::remove_file(repo.join("more/4913")).expect("rm 4913");
    std::thread::sleep(Duration::from_millis(1000));
    repo.file("more/feat2.md", &feature("Marker Four"));
    wait_for(
        &server,
        "/feature/feat2.html",
        "the edit after the swap files",
        |r| r.body.contains("Marker Four"),
    );
    assert_eq!(
        build_number(&server.events().next()),
        tag + 1,
        "a build ran for editors' files; server log:\n{}",
        server.log()
    );

    // Nothing of serve lands on disk, and `build` stays free of it.
    assert!(!repo.join("site").exists());
    let out = repo.path().join("out");
    let run = repo.run(&["build", "-o", out.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let built = std::fs::read_to_string(out.join("index.html")).expect("built home");
    assert!(!built.contains("__northstar"));
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_under_an_overlay() {
    let repo = repo_with_feature();
    let server = Server::start(repo.path());
    let events = server.events();
    events.next();

    // Front matter that does not parse.
    repo.file(
        "feat.md",
        "---\nkind: feature\ntitle: [Marker Broken\nstatus: idea\n---\n",
    );
    events.next();
    let page = wait_for(&server, "/feature/feat.html", "the overlay", |r| {
        r.body.contains("northstar-overlay")
    });
    assert!(page.body.contains("yaml-syntax"), "{}", page.body);
    assert!(
        page.body.contains("feat.md:"),
        "no file:line in the overlay"
    );
    assert!(
        page.body.contains("Marker One"),
        "the last good page is gone"
    );
    assert!(!page.body.contains("Marker Broken"));
    let home = server.get("/");
    assert!(home.body.contains("northstar-overlay"), "not on every page");

    // A broken reference is an error too; the fix clears the overlay.
    repo.file(
        "feat.md",
        &feature("Marker Fixed").replace("objectives: [obj]", "objectives: [objj]"),
    );
    events.next();
    let page = wait_for(&server, "/feature/feat.html", "the new error", |r| {
        r.body.contains("broken-reference")
    });
    assert!(page.body.contains("Marker One"));
    // As the terminal shows it: the source line and the help.
    assert!(
        page.body.contains("| objectives: [objj]</pre>"),
        "no source line in the overlay: {}",
        page.body
    );
    assert!(
        page.body.contains("= help: did you mean `obj`?"),
        "no help in the overlay: {}",
        page.body
    );
    repo.file("feat.md", &feature("Marker Fixed"));
    events.next();
    let page = wait_for(&server, "/feature/feat.html", "the fix", |r| {
        r.body.contains("Marker Fixed")
    });
    assert!(!page.body.contains("northstar-overlay"), "{}", page.body);

    // A config error: the overlay names it; the site stays.
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\npathz: []\n",
    );
    events.next();
    let page = wait_for(&server, "/feature/feat.html", "the config error", |r| {
        r.body.contains("northstar-overlay")
    });
    assert!(page.body.contains("northstar.yaml"), "{}", page.body);
    assert!(page.body.contains("Marker Fixed"));
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\n",
    );
    events.next();
    wait_for(&server, "/feature/feat.html", "the config fix", |r| {
        !r.body.contains("northstar-overlay") && r.body.contains("Marker Fixed")
    });
    // A template override that does not compile: shown, then fixed.
    repo.file("templates/kind.hbs", "{{#if}}");
    events.next();
    wait_for(&server, "/", "the template error", |r| {
        r.body.contains("northstar-overlay") && r.body.contains("kind.hbs")
    });
    std::fs::remove_file(repo.join("templates/kind.hbs")).expect("rm");
    events.next();
    wait_for(&server, "/", "the template fix", |r| {
        !r.body.contains("northstar-overlay")
    });
}

/// Runs git in `dir` with a fixed identity and no user config.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice")
        .env("GIT_AUTHOR_EMAIL", "alice@example.com")
        .env("GIT_COMMITTER_NAME", "Alice")
        .env("GIT_COMMITTER_EMAIL", "alice@example.com")
        .env("GIT_AUTHOR_DATE", "2026-10-01T12:00:00+00:00")
        .env("GIT_COMMITTER_DATE", "2026-10-01T12:00:00+00:00")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn history_marks_uncommitted_edits_and_follows_branch_switches() {
    let repo = repo_with_feature();
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "Plans"]);
    git(repo.path(), &["checkout", "-q", "-b", "other"]);
    repo.file("feat.md", &feature("Marker Branch"));
    repo.file("feat-b.md", &feature("Marker Only On Branch"));
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "On the branch"]);
    git(repo.path(), &["checkout", "-q", "main"]);

    let server = Server::start(repo.path());
    let page = server.get("/feature/feat.html");
    assert!(page.body.contains("Marker One"));
    assert!(page.body.contains("Plans"), "no history on the page");
    assert!(!page.body.contains("not committed yet"));

    // An uncommitted edit is marked as such.
    repo.file("feat.md", &feature("Marker Dirty"));
    let page = wait_for(&server, "/feature/feat.html", "the edit", |r| {
        r.body.contains("Marker Dirty")
    });
    assert!(page.body.contains("not committed yet"), "{}", page.body);

    // A branch switch: many files at once, history included.
    repo.file("feat.md", &feature("Marker One"));
    git(repo.path(), &["checkout", "-q", "other"]);
    let page = wait_for(&server, "/feature/feat.html", "the branch switch", |r| {
        r.body.contains("Marker Branch")
    });
    assert!(page.body.contains("On the branch"), "history of the branch");
    assert!(!page.body.contains("not committed yet"));
    wait_for(
        &server,
        "/feature/feat-b.html",
        "the branch's document",
        |r| r.code == 200,
    );
    git(repo.path(), &["checkout", "-q", "main"]);
    wait_for(&server, "/feature/feat-b.html", "the way back", |r| {
        r.code == 404
    });
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let repo = Repo::base();
    let mut child = Command::new(env!("CARGO_BIN_EXE_northstar"))
        .arg("-C")
        .arg(repo.path())
        .args(["serve", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve kept running on a port in use");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("port {port} is already in use")),
        "{err}"
    );
    drop(taken);
}

#[test]
fn serve_page_reloads_by_itself_in_chromium() {
    let Some((driver_bin, browser_bin)) = browser::browser_tools() else {
        skip_unless_ci(
            "serve browser test",
            "chromium and chromedriver are not installed",
        );
        return;
    };
    let repo = repo_with_feature();
    let server = Server::start(repo.path());
    let profile = tempfile::tempdir().expect("tempdir");
    let driver = browser::Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    let url = format!("http://127.0.0.1:{}/feature/feat.html", server.port);
    s.post("url", json!({ "url": url }));
    let title = s.script("return document.title;");
    assert!(
        title.as_str().is_some_and(|t| t.contains("Marker One")),
        "{title}"
    );
    // Mark this page load: a reload forgets the mark.
    s.script("window.__northstarTest = 1; return 0;");
    // No need to wait for the page's event stream: on connecting it learns
    // the current build, and a page older than that reloads.
    repo.file("feat.md", &feature("Marker Reloaded"));
    let reloaded = s.wait_for(LIMIT, || {
        let v = s.script(
            "return [document.title, document.body ? document.body.innerText : '', window.__northstarTest === 1];",
        );
        let title = v[0].as_str().unwrap_or_default();
        let marked = v[2] == json!(true);
        (title.contains("Marker Reloaded") && !marked).then_some(())
    });
    assert!(
        reloaded.is_some(),
        "the open page did not reload after the edit; server log:\n{}",
        server.log()
    );
    s.assert_no_console_errors("served page");
}
