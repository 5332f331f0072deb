//! What northstar writes for others to read — the site, `serve`'s answers,
//! the pull-request comment, the terminal — cannot be turned against its
//! reader, and no value in a plan stops it from being written.

use crate::common::Repo;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A build of a small plan takes well under a second; debug builds and a
/// shared machine get slack, a hang does not.
const BUILD_LIMIT: Duration = Duration::from_secs(5);

/// A plan whose every number is `n`, every date `date` and every title
/// `title`: metric readings, key results, RICE inputs, segment size,
/// insight count, milestone, insight and decision dates. The metric also
/// holds the readings ±8e307, whose range overflows to infinity.
fn extreme_repo(n: &str, date: &str, title: &str) -> Repo {
    let repo = Repo::base();
    repo.file(
        "met.yaml",
        &format!(
            "kind: metric\nid: met\ntitle: {title}\nunit: {title}\ndirection: increase\n\
             current: {n}\ntarget: {n}\nreadings:\n  - date: {date}\n    value: {n}\n\
             \x20 - date: 2026-01-01\n    value: -8e307\n  - date: 2026-02-01\n    value: 8e307\n\
             \x20 - date: 2026-03-01\n    value: 1\n"
        ),
    )
    .file(
        "obj.yaml",
        &format!(
            "kind: objective\nid: obj\ntitle: {title}\nstrategy: strat\nperiod: 2027\n\
             key_results:\n  - title: {title}\n    metric: met\n    baseline: {n}\n\
             \x20   target: {n}\n    current: {n}\n  - title: KR2\n    metric: met\n\
             \x20   baseline: 0\n    target: {n}\n"
        ),
    )
    .file(
        "m1.yaml",
        &format!("kind: milestone\nid: m1\ntitle: {title}\ndate: {date}\n"),
    )
    .file(
        "features/f.md",
        &format!(
            "---\nkind: feature\ntitle: {title}\nstatus: in-progress\nowner: alice\n\
             milestone: m1\nobjectives: [obj]\nrice: {{reach: {n}, impact: 3, confidence: 1, \
             effort: {n}}}\n---\n\n# Problem\n\nx\n\n# Goals\n\nx\n\n# Non-goals\n\nx\n\n\
             # Requirements\n\n{title}\n"
        ),
    )
    .file(
        "features/g.md",
        &format!(
            "---\nkind: feature\ntitle: G\nstatus: planned\nowner: alice\nmilestone: m2\n\
             objectives: [obj]\nrice: {{reach: 1, impact: 1, confidence: 1, effort: {n}}}\n---\n"
        ),
    )
    .file(
        "seg.yaml",
        &format!("kind: segment\nid: seg\ntitle: {title}\nsize: {n}\n"),
    )
    .file(
        "ins.yaml",
        &format!(
            "kind: insight\nid: ins\ntitle: {title}\nsource: survey\ndate: {date}\n\
             features: [f]\ncount: {n}\ncustomer: {title}\n"
        ),
    )
    .file(
        "dec.yaml",
        &format!(
            "kind: decision\nid: dec\ntitle: {title}\ndate: {date}\nstatus: accepted\n\
             features: [f]\n"
        ),
    );
    repo
}

/// Readings of ±8e307 once made the metric chart's gridline loop run
/// forever. Every extreme number, date and length in every field now
/// builds a site in bounded time, and `check` names each number out of
/// range at its value.
#[test]
fn extreme_numbers_dates_and_lengths_build_in_bounded_time() {
    let long = "T".repeat(100_000);
    let numbers = [
        "-8e307",
        "8e307",
        "1e308",
        "-0",
        "99999999999999999999",
        "1e-320",
    ];
    let dates = ["0001-01-01", "9999-12-31"];
    for (i, n) in numbers.iter().enumerate() {
        let date = dates[i % dates.len()];
        let title = if i == 0 { long.as_str() } else { "Extreme" };
        let repo = extreme_repo(n, date, title);
        let start = Instant::now();
        let out = repo.join("out");
        let out = out.to_str().expect("utf-8 temp path");
        let run = repo.run(&["build", "--allow-errors", "-o", out]);
        let took = start.elapsed();
        assert!(
            took < BUILD_LIMIT,
            "build with {n} and {date} took {took:?}"
        );
        assert!(!run.stderr.contains("panicked"), "{n}: {}", run.stderr);
        let page = std::fs::read_to_string(repo.join("out/metric/met.html"))
            .unwrap_or_else(|e| panic!("{n}: no metric page ({e}): {}", run.stderr));
        assert!(page.contains("<svg class=\"chart\""), "{n}: no chart");
        assert!(repo.join("out/roadmap.html").is_file(), "{n}: no roadmap");

        // Each number beyond ±1e15 is a `schema` error at its value; the
        // readings of ±8e307 (lines 12 and 14) in every variant.
        let ranged: Vec<(String, u64, u64)> = repo
            .diagnostics()
            .iter()
            .filter(|d| {
                d["rule"] == "schema"
                    && d["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("out of range"))
            })
            .map(|d| {
                (
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or_default(),
                    d["column"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        for at in [("met.yaml", 12, 12), ("met.yaml", 14, 12)] {
            assert!(
                ranged.contains(&(at.0.to_string(), at.1, at.2)),
                "{n}: {at:?} not reported: {ranged:?}"
            );
        }
        let huge = !matches!(*n, "-0" | "1e-320");
        let expected_elsewhere = [
            ("met.yaml", 6, 10),
            ("met.yaml", 7, 9),
            ("met.yaml", 10, 12),
            ("obj.yaml", 9, 15),
            ("obj.yaml", 10, 13),
            ("obj.yaml", 11, 14),
            ("obj.yaml", 15, 13),
            ("features/f.md", 8, 15),
            ("features/g.md", 8, 52),
            ("seg.yaml", 4, 7),
            ("ins.yaml", 7, 8),
        ];
        for at in expected_elsewhere {
            let found = ranged.contains(&(at.0.to_string(), at.1, at.2));
            assert_eq!(found, huge, "{n}: {at:?} in {ranged:?}");
        }
        let total = if huge {
            2 + expected_elsewhere.len() + 1
        } else {
            2
        };
        assert_eq!(ranged.len(), total, "{n}: {ranged:?}");
    }
}

/// `check` explains what is out of range and why.
#[test]
fn an_out_of_range_number_is_a_schema_error_naming_the_field() {
    let repo = Repo::base();
    repo.file(
        "met.yaml",
        "kind: metric\nid: met\ntitle: M\nunit: u\ndirection: increase\ncurrent: 8e307\n",
    );
    let diags = repo.diagnostics();
    let d: Vec<&Value> = diags.iter().filter(|d| d["rule"] == "schema").collect();
    assert_eq!(d.len(), 1, "{diags:?}");
    assert_eq!(d[0]["message"], "`current`: 8e+307 is out of range");
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
        (Some(6), Some(10))
    );
}

/// The `href` values of a page.
fn hrefs(page: &str) -> Vec<&str> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

/// Builds `repo` into its `out/` folder; returns the page at `path`.
fn build_page(repo: &Repo, path: &str) -> String {
    let out = repo.join("out");
    let run = repo.run(&[
        "build",
        "--allow-errors",
        "-o",
        out.to_str().expect("utf-8 temp path"),
    ]);
    std::fs::read_to_string(out.join(path))
        .unwrap_or_else(|e| panic!("no {path} ({e}): {}{}", run.stdout, run.stderr))
}

/// Browsers read `/\evil.example` as `https://evil.example/`: neither a
/// body link nor a `links:` entry may become such an `href`.
#[test]
fn a_backslash_protocol_relative_url_is_not_linked() {
    let repo = Repo::base();
    repo.file(
        "f.md",
        "---\nkind: feature\ntitle: F\nstatus: idea\nowner: alice\nobjectives: [obj]\n\
         links:\n  - {title: Spec, url: '/\\evil.example'}\n  - {title: Two, url: '\\\\evil.example'}\n\
         \x20 - {title: Tab, url: \"java\\tscript:alert(1)\"}\n  - {title: Fine, url: 'https://ok.example/'}\n\
         ---\n\nSee [x](/\\evil.example) and [y](\\\\evil.example).\n",
    );
    let page = build_page(&repo, "feature/f.html");
    let links = hrefs(&page);
    assert!(
        links.contains(&"https://ok.example/"),
        "the fine link is missing: {links:?}"
    );
    for h in &links {
        assert!(
            !h.contains("evil.example") && !h.contains("script:"),
            "{h:?} is linked"
        );
    }
}

/// `ESC [2J` in a document cleared the terminal of whoever ran `check`:
/// human output shows every control character escaped, in the message,
/// the source line and the suggestion; `github` escapes what would end a
/// workflow command.
#[test]
fn control_characters_in_a_document_reach_the_terminal_escaped() {
    let repo = Repo::base();
    repo.file(
        "bad.yaml",
        "id: bad\ntitle: B\nkind: \u{1b}[2Jmetric\u{1b}]0;pwned\u{7}\n",
    );
    let run = repo.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "error[unknown-kind]: unknown kind `\\u{1b}[2Jmetric\\u{1b}]0;pwned\\u{7}`\n \
             --> bad.yaml:3:7\n  |\n\
             3 | kind: \\u{1b}[2Jmetric\\u{1b}]0;pwned\\u{7}\n  \
             |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'));

    repo.file(
        "bad.yaml",
        "id: bad\ntitle: B\nkind: \"100%\\r\\n::x\\e\"\n",
    );
    let run = repo.run(&["check", "--format", "github"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("unknown-kind"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        line.starts_with(
            "::error file=bad.yaml,line=3,col=7,endLine=3,endColumn=21,title=unknown-kind::unknown kind \
             `100%25%0D%0A::x\\u{1b}`%0Anote: known kinds: "
        ),
        "{line}"
    );
}

/// A title that reaches the pull-request comment.
const EVIL_TITLE: &str = "A\\n---\\n@org/team <script>x</script> [y](https://evil.example)";

/// A newline in a title broke out of `diff --format markdown`'s list and
/// table, so a plan edit could post a `---` rule, HTML, and an `@team`
/// mention that notifies a whole team. Each value stays on its line, its
/// Markdown shows as text, and no `@` mentions anyone.
#[test]
fn a_title_cannot_break_out_of_the_pull_request_comment() {
    let repo = Repo::base();
    let git = crate::git::Git::init(repo.path());
    let feature = |title: &str| {
        format!(
            "---\nkind: feature\ntitle: \"{title}\"\nstatus: idea\nowner: alice\n\
             objectives: [obj]\n---\n"
        )
    };
    repo.file("g.md", &feature("G"));
    let c0 = git.commit("Initial", "2026-01-05");
    repo.file("g.md", &feature(EVIL_TITLE))
        .file("f.md", &feature(EVIL_TITLE));
    let c1 = git.commit("Retitle", "2026-01-06");

    let run = repo.run(&["diff", &c0, &c1, "--format", "markdown"]);
    assert_eq!(run.code, 0, "{run:?}");
    let md = run.stdout;
    let shown = "A --- @\u{200d}org/team \\<script\\>x\\</script\\> \\[y\\](https://evil.example)";
    assert!(
        md.lines()
            .any(|l| l == format!("| feature | **{shown}** | idea |")),
        "no one-line row for the added feature in:\n{md}"
    );
    assert!(
        md.lines()
            .any(|l| l == format!("- **{shown}** (feature): title G → {shown}")),
        "no one-line entry for the changed feature in:\n{md}"
    );
    for line in md.lines() {
        let t = line.trim();
        assert!(t != "---" && !t.starts_with('@'), "{line:?} in:\n{md}");
    }
    assert!(!md.contains("@org") && !md.contains("<script>"), "{md}");
}

/// One raw request head to `serve` on loopback; the status and head of
/// the answer.
fn raw_request(port: u16, head: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s =
        std::net::TcpStream::connect((std::net::Ipv4Addr::LOCALHOST, port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    s.write_all(head.as_bytes()).expect("send");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_string();
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"));
    (code, head)
}

/// A page on another site whose name resolves to 127.0.0.1 (DNS
/// rebinding) reaches `serve` with its own name as `Host`: refused, while
/// the loopback names are answered.
#[test]
fn serve_refuses_a_foreign_host() {
    let repo = Repo::base();
    let server = crate::serve::Server::start(repo.path());
    let port = server.port;
    let get = |host: &str| {
        raw_request(
            port,
            &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .0
    };
    assert_eq!(get("evil.example"), 403);
    assert_eq!(get(&format!("evil.example:{port}")), 403);
    assert_eq!(get("localhost.evil.example"), 403);
    assert_eq!(get(&format!("localhost:{port}")), 200);
    assert_eq!(get(&format!("127.0.0.1:{port}")), 200);
    assert_eq!(get(&format!("[::1]:{port}")), 200);
    assert_eq!(get("localhost"), 200);
}

/// 64 clients each sending a header line every two seconds once held
/// every connection slot, and the browser got nothing. Now a normal
/// request is answered at once beside them, and each of them is cut off
/// when its head has taken too long in all.
#[test]
fn slow_clients_cannot_lock_out_serve() {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let repo = Repo::base();
    let server = crate::serve::Server::start(repo.path());
    let port = server.port;
    let slow: Vec<std::net::TcpStream> = (0..64)
        .map(|_| {
            let mut s = std::net::TcpStream::connect((std::net::Ipv4Addr::LOCALHOST, port))
                .expect("connect");
            s.write_all(b"GET / HTTP/1.1\r\n").expect("send");
            s
        })
        .collect();
    let writers: Vec<std::net::TcpStream> =
        slow.iter().map(|s| s.try_clone().expect("clone")).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let trickle = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut writers = writers;
            // Bounded: at most 15 rounds of one line each, two seconds apart.
            for _ in 0..15 {
                for w in &mut writers {
                    let _ = w.write_all(b"X-Slow: 1\r\n");
                }
                for _ in 0..20 {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let start = Instant::now();
    let (code, _) = raw_request(
        port,
        &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    let took = start.elapsed();
    assert_eq!(code, 200);
    assert!(took < Duration::from_secs(3), "answered after {took:?}");

    // The slow ones are dropped within the head timeout (5 s), although
    // their lines keep coming.
    let mut first = slow.into_iter().next().expect("a slow client");
    first
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let mut answer = Vec::new();
    let _ = first.read_to_end(&mut answer);
    let waited = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = trickle.join();
    assert!(
        waited < Duration::from_secs(10),
        "a slow head was kept {waited:?}"
    );
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408 "),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
}

/// A plan linking an SVG and an HTML file (with script), a PNG and a text
/// file; the links are on line 6 of `f.md`.
fn active_content_repo() -> Repo {
    let repo = Repo::base();
    repo.file(
        "f.md",
        "---\nkind: feature\ntitle: F\nstatus: idea\n---\n\
         See [d](diagram.svg), [p](docs/page.HTML), ![i](pic.png) and [n](notes.txt).\n",
    )
    .file(
        "diagram.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.domain)\"/>",
    )
    .file("docs/page.HTML", "<script>alert(document.domain)</script>")
    .bytes("pic.png", b"\x89PNG\r\n\x1a\n")
    .file("notes.txt", "notes");
    repo
}

/// A linked SVG or HTML file was copied into `files/` and, opened from
/// the site, ran its script with the site's origin. A static site sends
/// no header to sandbox it, so it is not copied: its link shows as text,
/// and `check` says why with an `active-content` warning at the link.
#[test]
fn a_linked_svg_or_html_file_is_not_published() {
    let repo = active_content_repo();
    let warned: Vec<(String, u64, u64)> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["rule"] == "active-content")
        .inspect(|d| {
            assert_eq!(d["level"], "warning");
            assert!(
                d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("can run script")),
                "{d}"
            );
        })
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        warned,
        [("f.md".to_string(), 6, 5), ("f.md".to_string(), 6, 23)]
    );

    let page = build_page(&repo, "feature/f.html");
    let out = repo.join("out/files");
    assert!(!out.join("diagram.svg").exists() && !out.join("docs/page.HTML").exists());
    assert!(out.join("pic.png").is_file() && out.join("notes.txt").is_file());
    let links = hrefs(&page);
    assert!(links.contains(&"../files/notes.txt"), "{links:?}");
    assert!(
        !links
            .iter()
            .any(|h| h.contains("diagram") || h.contains("page")),
        "{links:?}"
    );
    assert!(page.contains("<span class=\"unlinked\">d</span>"), "{page}");
}

/// `serve` does not serve an active file either, and says `nosniff` on
/// everything, so no file is read as a type it does not claim.
#[test]
fn serve_does_not_serve_a_linked_svg_and_sends_nosniff() {
    let repo = active_content_repo();
    let server = crate::serve::Server::start(repo.path());
    assert_eq!(server.get("/files/diagram.svg").code, 404);
    assert_eq!(server.get("/files/docs/page.HTML").code, 404);
    for path in ["/files/pic.png", "/feature/f.html", "/nothing-here"] {
        let r = server.get(path);
        assert_eq!(
            r.header("X-Content-Type-Options").as_deref(),
            Some("nosniff"),
            "{path}: {}",
            r.head
        );
    }
    assert_eq!(server.get("/files/pic.png").code, 200);
}
