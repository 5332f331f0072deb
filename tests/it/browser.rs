//! The built site in a real browser: headless Chromium driven through
//! chromedriver (WebDriver over plain HTTP, spoken here with a tiny
//! HTTP/1.1 client on `std::net::TcpStream`).
//!
//! It opens the home page, the roadmap and a PRD from `file://`, fails on
//! any console error, types into the header search, changes a roadmap
//! filter, and saves screenshots to `target/screenshots/` (desktop, phone
//! and dark) for people to look at.
//!
//! Without Chromium and chromedriver the test says so and passes, unless
//! `CI` is set: then it fails, because CI installs both (`.ci/run`).
//!
//! `every_page_type_passes_axe` runs axe-core (npm, `tests/axe/`, installed
//! by `.ci/run` with `npm ci`) on each kind of page, light and dark.

use crate::common::{Repo, copy_example, skip_unless_ci};
use crate::git::{BOB, Git};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

#[test]
fn site_works_in_headless_chromium() {
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        skip_unless_ci(
            "browser test",
            "chromium and chromedriver are not installed (Debian: apt-get install \
             chromium chromium-driver; or set NORTHSTAR_CHROMIUM and NORTHSTAR_CHROMEDRIVER)",
        );
        return;
    };
    let started = Instant::now();

    let (_site, out) = example_site();

    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).expect("mkdir target/screenshots");

    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.size(1280, 900);

    // Home: no console errors, search as you type.
    s.open(&out.join("index.html"));
    s.assert_no_console_errors("home");
    let input = s.find(".search-box input[type=search]");
    s.post(
        &format!("element/{input}/value"),
        json!({ "text": "search" }),
    );
    let hits = s.wait_for(Duration::from_secs(2), || {
        let n = s.script(
            "var p = document.querySelector('.search-results');\
             return p && !p.hidden ? p.querySelectorAll('a[href]').length : 0;",
        );
        n.as_u64().filter(|n| *n > 0)
    });
    assert!(
        hits.is_some(),
        "typing in the header search showed no result link"
    );
    let first =
        s.script("return document.querySelector('.search-results a').getAttribute('href');");
    assert!(
        first.as_str().is_some_and(|h| h.ends_with(".html")),
        "first search result is not a page link: {first}"
    );
    s.assert_no_console_errors("home search");
    s.viewport_shot(&shots.join("home-search.png"));
    // Empty the box and close the results for the page's own screenshot.
    s.post(&format!("element/{input}/clear"), json!({}));
    s.script("document.querySelector('.search-results').hidden = true; document.activeElement.blur(); return 0;");
    s.full_page_shot(&shots.join("home.png"));

    // Roadmap: the filters appear and hide cards.
    s.open(&out.join("roadmap.html"));
    s.assert_no_console_errors("roadmap");
    let shown =
        s.script("var f = document.querySelector('form.filters'); return !!f && !f.hidden;");
    assert_eq!(shown, json!(true), "the roadmap filters stay hidden");
    s.full_page_shot(&shots.join("roadmap.png"));
    // The board is the script's, drawn from roadmap-data.js.
    let cards = s.count("#ns-board .card");
    assert!(cards > 0, "the roadmap's board has no cards");
    // Choose the first status in the filter: the board keeps only cards
    // of that status, fewer than before.
    let option = s.find("form.filters select[data-filter=status] option:nth-child(2)");
    s.post(&format!("element/{option}/click"), json!({}));
    let left = s.wait_for(Duration::from_secs(2), || {
        Some(s.count("#ns-board .card")).filter(|n| *n < cards)
    });
    let left = left.expect("choosing a status filter left every card on the board");
    let wrong = s.script(
        "var want = document.querySelector('form.filters select[data-filter=status]').value;\
         return Array.prototype.filter.call(document.querySelectorAll('#ns-board .card'), function (c) {\
           return !c.classList.contains('status-' + want); }).length;",
    );
    assert_eq!(
        wrong,
        json!(0),
        "cards of another status stay ({left} left)"
    );
    s.assert_no_console_errors("roadmap filter");

    // A feature page: the PRD, at desktop and phone width, light and dark.
    let prd = out.join("feature").join("sync-engine-v2.html");
    s.open(&prd);
    s.assert_no_console_errors("PRD");
    for class in ["rice-score", "depends-on", "evidence"] {
        assert!(s.count(&format!(".{class}")) > 0, "PRD has no .{class}");
    }
    // "Referenced by" reads across the column like the sections above
    // it, not wrapped into a strip at its left.
    let widths = s.script(
        "var w = function (q) { return Math.round(document.querySelector(q).getBoundingClientRect().width); };\
         return [w('.backlinks .referenced-by'), w('.body.markdown')];",
    );
    let (list, body) = (widths[0].as_i64(), widths[1].as_i64());
    assert!(
        list.zip(body).is_some_and(|(l, b)| l * 10 >= b * 9),
        "Referenced by is {list:?} px wide in a {body:?} px column"
    );
    s.full_page_shot(&shots.join("prd.png"));

    s.dark(true);
    s.full_page_shot(&shots.join("prd-dark.png"));
    s.open(&out.join("roadmap.html"));
    s.full_page_shot(&shots.join("roadmap-dark.png"));
    s.open(&out.join("index.html"));
    s.full_page_shot(&shots.join("home-dark.png"));
    s.dark(false);

    // A 390 px phone: nothing scrolls the page sideways (the timeline
    // scrolls inside its own box).
    s.phone(true);
    for (name, page) in [
        ("prd", prd.clone()),
        ("home", out.join("index.html")),
        ("roadmap", out.join("roadmap.html")),
    ] {
        s.open(&page);
        let overflow = s.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        );
        s.full_page_shot(&shots.join(format!("{name}-phone.png")));
        assert!(
            overflow.as_i64().is_some_and(|o| o <= 0),
            "{name} scrolls sideways on a phone by {overflow} px"
        );
    }
    s.assert_no_console_errors("phone");

    drop(s);
    drop(driver);
    eprintln!(
        "browser test: screenshots in {} ({:.1} s)",
        shots.display(),
        started.elapsed().as_secs_f64()
    );
}

/// Chromedriver, Chromium and axe-core's script, for a test that runs
/// axe; None (the test skipped, or failed in CI) when one is missing.
fn axe_tools(test: &str) -> Option<(PathBuf, PathBuf, String)> {
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        skip_unless_ci(
            test,
            "chromium and chromedriver are not installed (Debian: apt-get install \
             chromium chromium-driver)",
        );
        return None;
    };
    let Some(axe) = axe_script() else {
        skip_unless_ci(test, "axe-core is not installed (cd tests/axe && npm ci)");
        return None;
    };
    Some((driver_bin, browser_bin, axe))
}

/// axe-core's script, installed by `npm ci` in `tests/axe/` (`.ci/run`).
fn axe_script() -> Option<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// WCAG 2.1 AA on every page type, light and dark: axe-core injected into
/// the built pages of a copy of `example-repo/` with git history (so the
/// change log and "last changed" have content) finds no `serious` or
/// `critical` violation. A failure names each rule, its impact and the
/// elements it found.
#[test]
fn every_page_type_passes_axe() {
    let Some((driver_bin, browser_bin, axe)) = axe_tools("axe test") else {
        return;
    };

    // example-repo with two commits: a feature changes status in between.
    let repo = Repo::empty();
    copy_example(repo.path());
    let git = Git::init(repo.path());
    let feature = repo.join("plans/features/search-v2.md");
    let text = std::fs::read_to_string(&feature).expect("read search-v2.md");
    std::fs::write(
        &feature,
        text.replacen("status: in-progress", "status: planned", 1),
    )
    .expect("write");
    git.commit("Initial plans", "2026-09-01");
    std::fs::write(&feature, &text).expect("write");
    git.commit_as("Start search v2", "2026-10-01", BOB);

    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("site");
    let run = repo.run(&["build", "-o", out.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);

    let pages = [
        "index.html",
        "roadmap.html",
        "feature/sync-engine-v2.html",
        "metric/activation-rate.html",
        "objective/find-anything.html",
        "feature/index.html",
        // A user-defined kind: its statuses have no colour of their own.
        "experiment/index.html",
        "experiment/exp-checklist-vs-tour.html",
        "changes.html",
        "health.html",
        "not-doing.html",
        "search.html",
    ];
    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.size(1280, 900);
    assert_axe_clean(&s, &axe, &out, &pages);
}

/// That axe-core finds no serious or critical violation on any of
/// `pages` of the site in `out`, light and then dark; each one found is
/// named with its page and mode.
fn assert_axe_clean(s: &Session, axe: &str, out: &Path, pages: &[&str]) {
    let mut failures = Vec::new();
    for dark in [false, true] {
        s.dark(dark);
        for page in pages {
            let file = out.join(page);
            assert!(file.is_file(), "the site has no {page}");
            s.open(&file);
            s.script(&format!("{axe}\n;return 0;"));
            let found = s.post("execute/async", json!({ "script": AXE_RUN, "args": [] }));
            let mode = if dark { "dark" } else { "light" };
            for v in found.as_array().into_iter().flatten() {
                failures.push(format!(
                    "{page} ({mode}): {}",
                    v.as_str().unwrap_or_default()
                ));
            }
        }
    }
    s.dark(false);
    assert!(
        failures.is_empty(),
        "axe-core found serious or critical violations (rule, impact, elements):\n{}",
        failures.join("\n")
    );
}

/// A repository of specs and nothing else, as adopted with a kind by
/// location (display name, a status field mapped onto the lifecycle): its
/// home, list, spec and roadmap pages pass axe light and dark, the
/// lifecycle badges included, and a spec's page fits a phone's width. Screenshots
/// (light, dark, phone) go to `target/screenshots/specs-*.png`.
#[test]
fn a_specs_only_site_passes_axe_and_fits_a_phone() {
    let Some((driver_bin, browser_bin, axe)) = axe_tools("specs site test") else {
        return;
    };
    let repo = Repo::empty();
    repo.file(
        "northstar.yaml",
        "product: Ember\ntoday: 2026-11-01\nrules:\n  single-product: off\nkinds:\n  rfc:\n    schema: schema/rfc.json\n    files: \"text/*.md\"\n    title: \"#\"\n    name: RFC\n    plural: RFCs\n    status: stage\n    lifecycle: { exploring: discovery, accepted: planned, released: shipped, discontinued: declined }\n    target: release\n",
    )
    .file(
        "schema/rfc.json",
        r#"{"type": "object", "additionalProperties": true, "properties": {"stage": {"type": "string"}}}"#,
    );
    for (i, stage) in [
        "exploring",
        "accepted",
        "released",
        "discontinued",
        "parked",
    ]
    .iter()
    .enumerate()
    {
        repo.file(
            &format!("text/000{i}-rfc-{stage}.md"),
            &format!(
                "---\nstage: {stage}\nauthors: [\"@ann\", \"@bo\"]\nstart-date: 2026-0{}-01\nrelease: {}\n---\n# An RFC that is {stage}\n\n## Summary\n\nWhat it proposes, with `inline_code_that_is_rather_long_and_unbroken` and a [link](https://example.com/a/rather/long/address/that/goes/on).\n",
                i + 1,
                ["2026-12-01", "2027-03-01", "2026-09-01", "2027-06-01", "2027-09-01"][i]
            ),
        );
    }
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("site");
    let run = repo.run(&["build", "-o", out.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);

    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.size(1280, 900);
    let spec = "rfc/0001-rfc-accepted.html";
    assert_axe_clean(
        &s,
        &axe,
        &out,
        &["index.html", "rfc/index.html", spec, "roadmap.html"],
    );

    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).expect("mkdir target/screenshots");
    s.open(&out.join("index.html"));
    s.viewport_shot(&shots.join("specs-home-light.png"));
    s.dark(true);
    s.viewport_shot(&shots.join("specs-home-dark.png"));
    s.dark(false);
    s.open(&out.join("roadmap.html"));
    s.viewport_shot(&shots.join("specs-roadmap-light.png"));
    s.phone(true);
    s.open(&out.join(spec));
    s.viewport_shot(&shots.join("specs-rfc-phone.png"));
    // Nothing runs past the right edge: the page, and a long unbroken
    // `code` span in the body (which wraps).
    let widths = s.script(
        "return [document.documentElement.scrollWidth, window.innerWidth,\
         Math.ceil(document.querySelector('.markdown code').getBoundingClientRect().right)];",
    );
    assert!(
        widths[0].as_u64() <= widths[1].as_u64() && widths[2].as_u64() <= widths[1].as_u64(),
        "wider than the phone (page, window, code's right edge): {widths}"
    );
    // The title is shown once: the body's `# Title` is the page's heading.
    let h1 = s.script("return document.querySelectorAll('h1').length;");
    assert_eq!(h1, json!(1), "the title shows twice");
}

/// A repository of decision records in Nygard's format, adopted with
/// `init --from adr`: statuses from `## Status`, one record without a
/// level-1 heading (titled by its file's name), an author's e-mail as an
/// autolink, every record decided (home without a board). Home, the list
/// and a record pass axe light and dark, a record fits a phone, and its
/// title shows once. Screenshots (light, dark, phone) go to
/// `target/screenshots/records-*.png`.
#[test]
fn a_decision_records_site_passes_axe_and_fits_a_phone() {
    let Some((driver_bin, browser_bin, axe)) = axe_tools("records site test") else {
        return;
    };
    let repo = Repo::empty();
    repo.file(
        "doc/adr/0001-record-architecture-decisions.md",
        "# 1. Record architecture decisions\n\nDate: 2026-01-05\n\nAuthor: Ada Lovelace <ada@example.com>\n\n## Status\n\nAccepted\n\n## Context\n\nWe need to record the architectural decisions made on this project.\n",
    )
    .file(
        "doc/adr/0002-use-a-rather-long-and-unbroken-name-for-a-decision.md",
        "Date: 2026-02-01\n\n## Status\n\nSuperseded by [1. Record architecture decisions](0001-record-architecture-decisions.md)\n\n## Context\n\nWith `inline_code_that_is_rather_long_and_unbroken` in it.\n",
    );
    let git = Git::init(repo.path());
    git.commit("Two records", "2026-02-01");
    let run = repo.run(&["init", "--from", "adr"]);
    assert_eq!(run.code, 0, "{run:?}");
    let site = crate::common::build(&repo, &[]);
    let out = site.path.clone();

    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.size(1280, 900);
    let record = "adr/0002-use-a-rather-long-and-unbroken-name-for-a-decision.html";
    assert_axe_clean(
        &s,
        &axe,
        &out,
        &[
            "index.html",
            "adr/index.html",
            "adr/0001-record-architecture-decisions.html",
            record,
        ],
    );

    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).expect("mkdir target/screenshots");
    s.open(&out.join("index.html"));
    s.viewport_shot(&shots.join("records-home-light.png"));
    s.dark(true);
    s.open(&out.join("adr/0001-record-architecture-decisions.html"));
    s.viewport_shot(&shots.join("records-adr-dark.png"));
    s.dark(false);
    s.phone(true);
    s.open(&out.join(record));
    s.viewport_shot(&shots.join("records-adr-phone.png"));
    let widths = s.script(
        "return [document.documentElement.scrollWidth, window.innerWidth,\
         Math.ceil(document.querySelector('h1').getBoundingClientRect().right)];",
    );
    assert!(
        widths[0].as_u64() <= widths[1].as_u64() && widths[2].as_u64() <= widths[1].as_u64(),
        "wider than the phone (page, window, title's right edge): {widths}"
    );
    let h1 =
        s.script("return [...document.querySelectorAll('h1')].map(h => h.textContent.trim());");
    assert_eq!(
        h1,
        json!(["Use a rather long and unbroken name for a decision"]),
        "the title from the file's name, once"
    );
}

/// Runs axe and answers its serious and critical violations as strings:
/// rule id, impact, then each element's selector and what is wrong.
const AXE_RUN: &str = r#"
var done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
  done(r.violations
    .filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
    .map(function (v) {
      return v.id + ' [' + v.impact + '] ' + v.nodes.map(function (n) {
        var why = n.any.concat(n.all, n.none).map(function (c) { return c.message; }).join('; ');
        return '\n    ' + n.target.join(' ') + ': ' + why;
      }).join('');
    }));
}, function (e) { done(['axe failed: ' + e]); });
"#;

/// The roadmap prints on one landscape page (the `@page roadmap` rule and
/// the print styles): Chromium's own PDF of it has one page, wider than
/// tall, and no link in it is underlined.
#[test]
fn roadmap_prints_on_one_landscape_page() {
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        skip_unless_ci("print test", "chromium and chromedriver are not installed");
        return;
    };
    let (_site, out) = example_site();

    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.open(&out.join("roadmap.html"));
    s.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    let underlined = s.script(
        "return Array.from(document.querySelectorAll('main a')).filter(function (a) {\
           return a.getClientRects().length && getComputedStyle(a).textDecorationLine.indexOf('underline') >= 0;\
         }).map(function (a) { return a.textContent.trim(); });",
    );
    assert_eq!(
        underlined,
        json!([]),
        "underlined links in the printed roadmap"
    );
    s.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }));
    let pdf = s.cdp(
        "Page.printToPDF",
        json!({ "preferCSSPageSize": true, "printBackground": true }),
    );
    let pdf = base64_decode(pdf["data"].as_str().expect("PDF data")).expect("base64");
    let text = String::from_utf8_lossy(&pdf);
    // The page tree's `/Count` is the number of pages.
    let pages: Option<u32> = text
        .split("/Count ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok());
    let pages = pages.expect("a page count in the PDF");
    assert_eq!(pages, 1, "the roadmap prints on {pages} pages");
    let media = text
        .split("/MediaBox [")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .expect("a MediaBox");
    let size: Vec<f64> = media
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        size.len() == 4 && size[2] > size[3],
        "the roadmap page is not landscape: MediaBox [{media}]"
    );
}

/// On a 390 px phone the timeline scrolls sideways inside its box; the lane
/// names stay at the box's left edge, visible, whatever the scroll.
#[test]
fn lane_names_stay_visible_when_the_timeline_scrolls_on_a_phone() {
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        skip_unless_ci(
            "phone lanes test",
            "chromium and chromedriver are not installed",
        );
        return;
    };
    let (_site, out) = example_site();

    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.phone(true);
    s.open(&out.join("roadmap.html"));
    // Scrolled to the far right: each lane name is still drawn inside the
    // box, at its left edge, and is the topmost thing there.
    let seen = s.script(
        "var w = document.querySelector('.timeline-wrap');\
         if (w.scrollWidth <= w.clientWidth) return 'the timeline does not scroll';\
         w.scrollLeft = w.scrollWidth;\
         w.dispatchEvent(new Event('scroll'));\
         var box = w.getBoundingClientRect();\
         return Array.from(w.querySelectorAll('svg.timeline .lane-label')).map(function (e) {\
           window.scrollTo(0, window.scrollY + e.getBoundingClientRect().top - 200);\
           box = w.getBoundingClientRect();\
           var r = e.getBoundingClientRect();\
           var top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);\
           var ok = r.width > 20 && r.left >= box.left && r.right <= box.left + 200\
             && top && top.closest('.lane-label, .lane-head');\
           return ok ? e.textContent : 'hidden: ' + e.textContent + ' at ' + r.left + ', ' + r.top;\
         });",
    );
    let names = seen.as_array().unwrap_or_else(|| panic!("{seen}"));
    assert!(
        names.iter().any(|n| n == "Editor & Sync"),
        "no lane name at the left edge: {seen}"
    );
    assert!(
        names
            .iter()
            .all(|n| !n.as_str().unwrap_or("").starts_with("hidden")),
        "lane names scrolled away: {seen}"
    );
}

/// `example-repo/` (a copy, with history) built into a temporary folder:
/// the folder's guard and the site's path.
fn example_site() -> (tempfile::TempDir, PathBuf) {
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("site");
    let run = Repo::example().run(&["build", "-o", out.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);
    (site, out)
}

/// chromedriver and the browser, from the environment or the PATH.
pub fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let driver = from_env_or_path("NORTHSTAR_CHROMEDRIVER", &["chromedriver"])?;
    let browser = from_env_or_path(
        "NORTHSTAR_CHROMIUM",
        &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ],
    )?;
    Some((driver, browser))
}

fn from_env_or_path(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Where screenshots go: `<target>/screenshots`.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("screenshots")
}

/// A running chromedriver, killed on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start(bin: &Path) -> Driver {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok((200, v)) = http(port, "GET", "/status", None)
                && v["value"]["ready"] == json!(true)
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn session(&self, browser: &Path, profile: &Path) -> Session {
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": {
                    "binary": browser.to_string_lossy(),
                    "args": [
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--no-default-browser-check",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-extensions",
                        "--hide-scrollbars",
                        "--force-device-scale-factor=1",
                        format!("--user-data-dir={}", profile.display()),
                    ],
                },
            }},
        });
        let (code, v) = http(self.port, "POST", "/session", Some(&caps)).expect("new session");
        assert_eq!(code, 200, "chromedriver refused the session: {v}");
        let id = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Session {
            port: self.port,
            id,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session, closed on drop.
pub struct Session {
    port: u16,
    id: String,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

impl Session {
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let url = format!("/session/{}/{path}", self.id);
        let (code, v) =
            http(self.port, method, &url, body).unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        assert_eq!(code, 200, "{method} {url} gave {code}: {v}");
        v["value"].clone()
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(&body))
    }

    fn get(&self, path: &str) -> Value {
        self.call("GET", path, None)
    }

    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
    }

    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.post("url", json!({ "url": url }));
    }

    fn size(&self, width: u32, height: u32) {
        self.post("window/rect", json!({ "width": width, "height": height }));
    }

    /// Emulates a 390 px wide phone (or stops).
    fn phone(&self, on: bool) {
        if on {
            self.cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
            );
        } else {
            self.cdp("Emulation.clearDeviceMetricsOverride", json!({}));
        }
    }

    /// Emulates `prefers-color-scheme: dark` (or light).
    fn dark(&self, on: bool) {
        let scheme = if on { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
    }

    pub fn script(&self, js: &str) -> Value {
        self.post("execute/sync", json!({ "script": js, "args": [] }))
    }

    fn count(&self, css: &str) -> usize {
        self.post("elements", json!({ "using": "css selector", "value": css }))
            .as_array()
            .map_or(0, Vec::len)
    }

    fn find(&self, css: &str) -> String {
        let v = self.post("element", json!({ "using": "css selector", "value": css }));
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub fn wait_for<T>(&self, limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(t) = f() {
                return Some(t);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Fails on any SEVERE browser-console entry since the last call.
    pub fn assert_no_console_errors(&self, page: &str) {
        let logs = self.post("se/log", json!({ "type": "browser" }));
        let severe: Vec<String> = logs
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(
            severe.is_empty(),
            "console errors on {page}:\n{}",
            severe.join("\n")
        );
    }

    /// Saves a PNG of what the window shows.
    fn viewport_shot(&self, to: &Path) {
        let data = self.get("screenshot");
        let png = base64_decode(data.as_str().expect("screenshot data")).expect("base64");
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        std::fs::write(to, png).expect("write screenshot");
    }

    /// Saves a PNG of the whole page (beyond the viewport).
    /// The page's size is asked until it is laid out: right after a
    /// navigation or a resize, on a loaded machine, Chromium can report a
    /// width of 0, and refuses to take a picture of that.
    fn full_page_shot(&self, to: &Path) {
        let started = Instant::now();
        let (w, h) = loop {
            let metrics = self.cdp("Page.getLayoutMetrics", json!({}));
            let size = &metrics["cssContentSize"];
            let (w, h) = (
                size["width"].as_f64().unwrap_or(1280.0),
                size["height"].as_f64().unwrap_or(900.0).min(12000.0),
            );
            if (w >= 1.0 && h >= 1.0) || started.elapsed() > Duration::from_secs(20) {
                break (w.max(1.0), h.max(1.0));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 },
            }),
        );
        let data = match shot["data"].as_str() {
            Some(d) => d.to_string(),
            None => self
                .get("screenshot")
                .as_str()
                .expect("screenshot data")
                .to_string(),
        };
        let png = base64_decode(&data).expect("screenshot is base64");
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        std::fs::write(to, png).expect("write screenshot");
    }
}

/// One HTTP/1.1 request to chromedriver on loopback; the JSON answer.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()?;
    // chromedriver keeps the connection open whatever we ask, so read
    // exactly the length it announces (or up to the last chunk).
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut head_end = None;
    loop {
        if head_end.is_none() {
            head_end = raw.windows(4).position(|w| w == b"\r\n\r\n");
        }
        if let Some(split) = head_end {
            let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
            let body = &raw[split + 4..];
            let length = head.lines().find_map(|l| {
                l.strip_prefix("content-length:")
                    .and_then(|n| n.trim().parse::<usize>().ok())
            });
            let chunked = head.contains("transfer-encoding:") && head.contains("chunked");
            let complete = match length {
                Some(n) => body.len() >= n,
                None if chunked => dechunk(body).is_some(),
                None => false,
            };
            if complete {
                let code = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|c| c.parse().ok())
                    .ok_or_else(|| bad("no status code"))?;
                let payload = match length {
                    Some(n) => body[..n].to_vec(),
                    None => dechunk(body).unwrap_or_default(),
                };
                return parse_answer(code, &payload);
            }
        }
        // A signal (a child exiting) can interrupt the read: read again.
        let n = match stream.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => r?,
        };
        if n == 0 {
            let split = head_end.ok_or_else(|| bad("connection closed in headers"))?;
            let head = String::from_utf8_lossy(&raw[..split]).to_string();
            let code = head
                .split_whitespace()
                .nth(1)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| bad("no status code"))?;
            return parse_answer(code, &raw[split + 4..]);
        }
        raw.extend_from_slice(&buf[..n]);
    }
}

fn parse_answer(code: u16, payload: &[u8]) -> std::io::Result<(u16, Value)> {
    let v = if payload.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(payload)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?
    };
    Ok((code, v))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\r' | b'\n' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
