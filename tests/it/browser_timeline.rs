//! The roadmap timeline in a real browser (headless Chromium through
//! chromedriver, as `browser.rs`): a bar's painted right edge is its
//! target's x, a shipped feature is left of the Today line, and the zoom
//! buttons keep both true at every zoom.

use crate::browser::{Driver, browser_tools};
use crate::common::{Repo, skip_unless_ci};
use serde_json::{Value, json};

/// The plan drawn: a bar with a start, a marker, a shipped feature.
fn repo() -> Repo {
    let repo = Repo::base();
    let feature = |id: &str, status: &str, extra: &str| {
        format!(
            "---\nkind: feature\nid: {id}\ntitle: Feature {id}\nstatus: {status}\nowner: alice\nobjectives: [obj]\n{extra}---\n## Problem\nx\n## Goals\nx\n## Non-goals\nx\n## Requirements\nx\n"
        )
    };
    repo.file(
        "mp.yaml",
        "kind: milestone\nid: mp\ntitle: Past\ndate: 2026-09-15\nstatus: released\n",
    )
    .file(
        "bar.md",
        &feature("bar", "in-progress", "milestone: m2\nstart: 2026-12-01\n"),
    )
    .file("mark.md", &feature("mark", "planned", "milestone: m1\n"))
    .file(
        "done.md",
        &feature("done", "shipped", "milestone: mp\nstart: 2026-07-01\n"),
    );
    repo
}

/// Each feature's target: its milestone's date.
const TARGETS: &str = r#"{"bar": "2027-04-15", "mark": "2027-01-15", "done": "2026-09-15"}"#;

/// Geometry as painted, in CSS px of the page: per feature, the right
/// edge of its bar (or its marker) and of its whole group, and the x of
/// its milestone's line (`TARGETS`); the Today line's x.
const MEASURE: &str = r#"
var targets = TARGETS;
var svg = document.querySelector('svg.timeline');
var at = function (el) { var r = el.getBoundingClientRect(); return { l: r.left, r: r.right }; };
var out = { zoom: svg.getAttribute('data-zoom'), today: at(svg.querySelector('line.today')).l, items: {} };
Array.prototype.forEach.call(svg.querySelectorAll('g.item'), function (g) {
  var end = targets[g.getAttribute('data-id')];
  var line = svg.querySelector('line.milestone[data-date="' + end + '"]');
  var shape = g.querySelector('rect.bar') || g.querySelector('path.marker');
  out.items[g.getAttribute('data-id')] = {
    shape: at(shape).r, group: at(g).r, target: at(line).l, bar: !!g.querySelector('rect.bar')
  };
});
return out;
"#;

#[test]
fn timeline_bars_end_at_their_target_and_shipped_work_is_left_of_today() {
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        skip_unless_ci(
            "timeline browser test",
            "chromium and chromedriver are not installed",
        );
        return;
    };
    let repo = repo();
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("site");
    let run = repo.run(&["build", "-o", out.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);
    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.post("window/rect", json!({ "width": 1280, "height": 900 }));
    s.post(
        "url",
        json!({ "url": format!("file://{}", out.join("roadmap.html").display()) }),
    );
    s.assert_no_console_errors("roadmap");
    for zoom in ["quarter", "month", "half"] {
        s.script(&format!(
            "document.querySelector('.timeline-zoom button[data-zoom={zoom}]').click(); return 0;"
        ));
        let m: Value = s.script(&MEASURE.replace("TARGETS", TARGETS));
        assert_eq!(m["zoom"], zoom, "{m}");
        let item = |id: &str| &m["items"][id];
        let f = |v: &Value, k: &str| v[k].as_f64().unwrap_or_else(|| panic!("{k} in {v}"));
        let bar = item("bar");
        assert_eq!(bar["bar"], true, "{m}");
        // The bar's painted right edge is its milestone line's x.
        assert!(
            (f(bar, "shape") - f(bar, "target")).abs() <= 1.0,
            "{zoom}: bar ends at {} px, its target at {} px",
            f(bar, "shape"),
            f(bar, "target")
        );
        for id in ["bar", "mark", "done"] {
            let it = item(id);
            assert!(
                f(it, "group") <= f(it, "target") + 1.0,
                "{zoom}: {id} is painted to {} px, past its target at {} px",
                f(it, "group"),
                f(it, "target")
            );
        }
        assert_eq!(item("mark")["bar"], false, "{m}");
        assert!(
            f(item("done"), "group") < m["today"].as_f64().expect("today"),
            "{zoom}: shipped feature reaches {} px, Today is at {}",
            f(item("done"), "group"),
            m["today"]
        );
    }
    s.assert_no_console_errors("roadmap zoom");
}
