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
             |       ^^^^^^^^^^^^^^^^^^^^^\n"
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
            "::error file=bad.yaml,line=3,col=7,title=unknown-kind::unknown kind \
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
