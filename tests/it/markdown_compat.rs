//! Markdown as GitHub reads it, where `broken-link` and the pages must
//! agree with what people see in their repository: a fence closed with
//! a trailing tab, anchors written as HTML, `[[…]]` that is not a wiki
//! link, and anchors that differ only in case.

use crate::common::Repo;
use serde_json::Value;

fn decision(id: &str, body: &str) -> String {
    format!(
        "---\nkind: decision\nid: {id}\ntitle: {id}\nstatus: accepted\ndate: 2026-01-01\n---\n{body}"
    )
}

/// `d1` links in every way the tests look at; `d2` has an HTML anchor.
fn repo() -> Repo {
    let repo = Repo::base();
    repo.file(
        "d1.md",
        &decision(
            "d1",
            "# One\n\n```\ncode\n```\t\n\n## After\n\nSee [a](#after), [[1]](https://example.com/paper), [[route, controller]], [b](d2.md#setup), [c](d2.md#Later) and [[ghost]].\n",
        ),
    )
    .file(
        "d2.md",
        &decision("d2", "# Two\n\n<a id=\"setup\"></a>\n\nSetting up.\n\n## Later\n"),
    );
    repo
}

/// (rule, level, line, column, message) of each diagnostic about `d1.md`.
fn about_d1(diags: &[Value]) -> Vec<(String, String, u64, u64, String)> {
    diags
        .iter()
        .filter(|d| d["file"] == "d1.md")
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["level"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["column"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn links_are_checked_as_github_reads_the_markdown() {
    let repo = repo();
    let diags = repo.diagnostics();
    // Line 16 of the file: the front matter is 7 lines.
    assert_eq!(
        about_d1(&diags),
        [
            (
                "broken-link".into(),
                "warning".into(),
                16,
                93,
                "anchor `#Later` of `d2` differs from its heading's `#later` in case".into()
            ),
            (
                "broken-link".into(),
                "error".into(),
                16,
                114,
                "no document with id `ghost`".into()
            ),
        ],
        "{diags:#?}"
    );
    let case = diags
        .iter()
        .find(|d| d["level"] == "warning" && d["file"] == "d1.md")
        .expect("the case warning");
    assert_eq!(case["suggestion"], "write `#later`");
}

#[test]
fn pages_show_what_github_shows() {
    let repo = repo();
    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    let run = repo.run(&[
        "build",
        "--allow-errors",
        "-o",
        site.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let d1 = std::fs::read_to_string(site.join("decision/d1.html")).expect("d1 page");
    // The heading after the fence is a heading, not code.
    assert!(d1.contains("<h2 id=\"after\">"), "{d1}");
    // `[[1]](url)` is a link whose text is `[1]`; prose stays prose.
    assert!(
        d1.contains("<a href=\"https://example.com/paper\" rel=\"noopener noreferrer\">[1]</a>"),
        "{d1}"
    );
    assert!(d1.contains("[[route, controller]]"), "{d1}");
    // The HTML anchor a link points to is on the page.
    let d2 = std::fs::read_to_string(site.join("decision/d2.html")).expect("d2 page");
    assert!(d2.contains("<a id=\"setup\""), "{d2}");
}

/// A protocol-relative address (`//host/path`) is a link elsewhere, as
/// GitHub reads it, not a file of the plans; neither is an empty one. A
/// colon after a folder or a blank starts no scheme: that is a file.
#[test]
fn protocol_relative_and_empty_links_are_not_files() {
    let repo = Repo::base();
    repo.file(
        "d3.md",
        &decision(
            "d3",
            "# Three\n\nSee [the CDN](//cdn.example.com/lib/app.css), [nothing]() and [gone](gone.md).\n\nA colon is no scheme after a folder or a blank: [w](notes/a:b.md), [v](<a b:c.md>).\n",
        ),
    );
    let broken: Vec<String> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["file"] == "d3.md" && d["rule"] == "broken-link")
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        broken,
        [
            "link to missing file `gone.md`",
            "link to missing file `notes/a:b.md`",
            "link to missing file `a b:c.md`"
        ]
    );
}

/// An e-mail autolink (`Author: Ada <ada@example.com>`, as every Go
/// design document opens) is a mailto link, as GitHub shows it: not a
/// missing file named by the address, and not unlinked on the page.
#[test]
fn an_e_mail_autolink_is_a_mailto_link_not_a_file() {
    let repo = Repo::base();
    repo.file(
        "d4.md",
        &decision(
            "d4",
            "# Four\n\nAuthor: Ada Lovelace <ada@example.com>\n\nSee [gone](gone.md).\n",
        ),
    );
    let broken: Vec<String> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["file"] == "d4.md" && d["rule"] == "broken-link")
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(broken, ["link to missing file `gone.md`"]);
    let site = crate::common::build(&repo, &["--allow-errors"]);
    let page = site.read("decision/d4.html");
    assert!(
        page.contains(
            "<a href=\"mailto:ada@example.com\" rel=\"noopener noreferrer\">ada@example.com</a>"
        ),
        "{page}"
    );
}
