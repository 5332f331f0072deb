//! The roadmap timeline draws time truthfully (docs/format.md#timeline): a
//! feature's bar ends at its target (its milestone's date) and starts when
//! work started (its `start`, else the day git history first shows it in
//! progress), else it is a marker at its target; nothing is drawn right of
//! the target; a slip leaves a ghost with the days; dependencies are lines,
//! red when `dependency-order` fails; risk is flagged in words on bars and
//! cards; dense milestone labels collapse.
//!
//! The SVG is read as XML, and every x is checked against the scale the
//! SVG states (`data-lo`, `data-ppd`, `data-plot-left`), which its own
//! month gridlines (`data-date`) must follow too.

use crate::common::Repo;
use crate::git::Git;
use roxmltree::{Document, Node};

/// A built roadmap page.
struct Built {
    _out: tempfile::TempDir,
    page: String,
}

fn build(repo: &Repo) -> Built {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("site");
    let run = repo.run(&["build", "-o", dir.to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "build failed:\n{}{}", run.stdout, run.stderr);
    let page = std::fs::read_to_string(dir.join("roadmap.html")).expect("roadmap.html");
    Built { _out: out, page }
}

/// The timeline's SVG text.
fn svg(page: &str) -> &str {
    let a = page
        .find("<svg class=\"timeline\"")
        .expect("a timeline SVG");
    let b = page[a..].find("</svg>").expect("</svg>") + a + 6;
    &page[a..b]
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn days(iso: &str) -> i64 {
    let mut p = iso.split('-').map(|n| n.parse::<i64>().expect("number"));
    let (y, m, d) = (
        p.next().expect("y"),
        p.next().expect("m"),
        p.next().expect("d"),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn has_class(n: &Node<'_, '_>, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|x| x == class))
}

fn num(n: &Node<'_, '_>, attr: &str) -> f64 {
    n.attribute(attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number {attr} on {n:?}"))
}

/// The x of a `translate(x y)`.
fn translate_x(n: &Node<'_, '_>) -> f64 {
    n.attribute("transform")
        .and_then(|t| t.strip_prefix("translate("))
        .and_then(|t| t.split_whitespace().next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no translate on {n:?}"))
}

/// The timeline, parsed, with its date-to-x scale.
struct Timeline<'a> {
    doc: &'a Document<'a>,
    lo: i64,
    ppd: f64,
    left: f64,
}

impl<'a> Timeline<'a> {
    fn new(doc: &'a Document<'a>) -> Timeline<'a> {
        let root = doc.root_element();
        let t = Timeline {
            doc,
            lo: days(root.attribute("data-lo").expect("data-lo")),
            ppd: num(&root, "data-ppd"),
            left: num(&root, "data-plot-left"),
        };
        // The scale stated is the one the axis follows: every month
        // gridline sits at its date's x.
        let mut ticks = 0;
        for g in t.all(|n| has_class(n, "grid")) {
            let d = g.attribute("data-date").expect("a gridline's date");
            assert!(
                (num(&g, "x1") - t.x(d)).abs() < 0.06,
                "gridline {d} at {} not {}",
                num(&g, "x1"),
                t.x(d)
            );
            ticks += 1;
        }
        assert!(ticks >= 6, "{ticks} gridlines");
        t
    }

    fn x(&self, iso: &str) -> f64 {
        self.left + (days(iso) - self.lo) as f64 * self.ppd
    }

    fn all(&self, f: impl Fn(&Node<'_, '_>) -> bool) -> Vec<Node<'a, 'a>> {
        self.doc
            .descendants()
            .filter(|n| n.is_element() && f(n))
            .collect()
    }

    /// A feature's group.
    fn item(&self, id: &str) -> Node<'a, 'a> {
        self.all(|n| has_class(n, "item") && n.attribute("data-id") == Some(id))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no item {id}"))
    }

    fn today_x(&self) -> f64 {
        let t = self.all(|n| has_class(n, "today"));
        num(&t[0], "x1")
    }
}

/// The first descendant element of `n` with `class`.
fn child<'a>(n: &Node<'a, 'a>, class: &str) -> Option<Node<'a, 'a>> {
    n.descendants()
        .find(|c| c.is_element() && has_class(c, class))
}

/// The `<title>` text of a node.
fn title(n: &Node<'_, '_>) -> String {
    n.children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
        .unwrap_or_default()
        .to_string()
}

/// The rightmost x any part of a feature's group reaches (text by its
/// anchor: a start-anchored label is measured at a generous 7 px a
/// character).
fn rightmost(n: &Node<'_, '_>) -> f64 {
    let mut right = f64::NEG_INFINITY;
    for e in n.descendants().filter(|e| e.is_element()) {
        let r = match e.tag_name().name() {
            "rect" => num(&e, "x") + num(&e, "width"),
            "line" => num(&e, "x1").max(num(&e, "x2")),
            "path" => translate_x(&e),
            "text" => {
                let x = num(&e, "x");
                if e.attribute("text-anchor") == Some("end") {
                    x
                } else {
                    let chars = e
                        .descendants()
                        .filter(|t| t.is_text())
                        .filter_map(|t| t.text())
                        .map(|t| t.chars().count())
                        .sum::<usize>();
                    x + chars as f64 * 6.4
                }
            }
            _ => continue,
        };
        right = right.max(r);
    }
    right
}

fn feature(id: &str, extra: &str) -> String {
    format!(
        "---\nkind: feature\nid: {id}\ntitle: Feature {id}\nstatus: planned\nowner: alice\nobjectives: [obj]\n{extra}---\n## Problem\nx\n## Goals\nx\n## Non-goals\nx\n## Requirements\nx\n"
    )
}

#[test]
fn a_start_date_gives_a_bar_from_start_to_its_target() {
    let repo = Repo::base();
    repo.file(
        "f1.md",
        &feature("f1", "milestone: m1\nstart: 2026-12-01\n"),
    );
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let item = tl.item("f1");
    assert_eq!(item.attribute("data-start"), Some("2026-12-01"));
    assert_eq!(item.attribute("data-end"), Some("2027-01-15"));
    let bar = child(&item, "bar").expect("a bar");
    assert!(
        (num(&bar, "x") - tl.x("2026-12-01")).abs() < 0.06,
        "{bar:?}"
    );
    let right = num(&bar, "x") + num(&bar, "width");
    assert!(
        (right - tl.x("2027-01-15")).abs() < 0.11,
        "bar ends at {right}"
    );
    // Its milestone's line is where the bar ends.
    let m1 =
        tl.all(|n| has_class(n, "milestone") && n.attribute("data-date") == Some("2027-01-15"));
    assert!((num(&m1[0], "x1") - right).abs() < 0.11);
    assert!(
        rightmost(&item) <= right + 0.11,
        "drawn past its target: {} > {right}",
        rightmost(&item)
    );
    let t = title(&item);
    assert!(
        t.starts_with("Feature f1: 1 Dec 2026 → 15 Jan 2027, planned"),
        "{t}"
    );
}

#[test]
fn a_feature_with_no_start_and_no_history_is_a_marker_at_its_target() {
    let repo = Repo::base();
    repo.file("f2.md", &feature("f2", "milestone: m2\n"));
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let item = tl.item("f2");
    assert!(has_class(&item, "marker-only"), "{item:?}");
    assert!(child(&item, "bar").is_none(), "a bar without a start");
    let marker = child(&item, "marker").expect("a marker");
    assert!((translate_x(&marker) - tl.x("2027-04-15")).abs() < 0.06);
    assert!(rightmost(&item) <= tl.x("2027-04-15") + 0.06);
    assert!(
        title(&item).contains("target 15 Apr 2027"),
        "{}",
        title(&item)
    );
}

#[test]
fn nothing_of_any_feature_is_drawn_right_of_its_target() {
    let repo = Repo::base();
    repo.file("a.md", &feature("a", "milestone: m1\nstart: 2026-10-01\n"))
        .file("b.md", &feature("b", "milestone: m1\n"))
        .file("c.md", &feature("c", "milestone: m2\nstart: 2027-04-10\n"))
        .file("d.md", &feature("d", "milestone: m2\nstart: 2027-06-01\n"))
        .file(
            "e.md",
            &feature("e", "milestone: m2\nstart: 2026-11-20\ndepends_on: [a]\n"),
        );
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    for id in ["a", "b", "c", "d", "e"] {
        let item = tl.item(id);
        let end = tl.x(item.attribute("data-end").expect("data-end"));
        let right = rightmost(&item);
        assert!(
            right <= end + 0.11,
            "{id} reaches {right}, its target is at {end}"
        );
    }
    // A start after the target is no bar.
    assert!(child(&tl.item("d"), "bar").is_none());
}

#[test]
fn history_starts_the_bar_on_the_day_work_started() {
    let repo = Repo::base();
    repo.file("f3.md", &feature("f3", "milestone: m2\n"));
    let git = Git::init(repo.path());
    git.commit("plan it", "2026-06-01");
    repo.file(
        "f3.md",
        &feature("f3", "milestone: m2\n").replace("status: planned", "status: in-progress"),
    );
    git.commit("start it", "2026-08-10");
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let item = tl.item("f3");
    assert_eq!(item.attribute("data-start"), Some("2026-08-10"), "{item:?}");
    let bar = child(&item, "bar").expect("a bar");
    assert!((num(&bar, "x") - tl.x("2026-08-10")).abs() < 0.06);
}

#[test]
fn a_slip_leaves_a_ghost_of_the_old_target_with_the_days() {
    let repo = Repo::base();
    repo.file("f4.md", &feature("f4", "milestone: m1\n"));
    let git = Git::init(repo.path());
    git.commit("plan it", "2026-06-01");
    repo.file(
        "m1.yaml",
        "kind: milestone\nid: m1\ntitle: M1\ndate: 2027-01-29\n",
    );
    git.commit("m1 slips two weeks", "2026-07-01");
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let item = tl.item("f4");
    assert_eq!(item.attribute("data-end"), Some("2027-01-29"));
    let ghost = child(&item, "ghost").expect("a ghost");
    assert_eq!(ghost.attribute("data-date"), Some("2027-01-15"));
    assert_eq!(ghost.attribute("data-slip-days"), Some("14"));
    assert!(
        title(&ghost).contains("slipped 14 days"),
        "{}",
        title(&ghost)
    );
    let mark = child(&ghost, "ghost-mark").expect("its mark");
    assert!((translate_x(&mark) - tl.x("2027-01-15")).abs() < 0.06);
    // The flag is words on the bar and in its title, not colour only.
    assert!(title(&item).contains("slipped 14 days"), "{}", title(&item));
    let label = child(&item, "label").expect("a label");
    let shown: String = label
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    assert!(shown.contains("slipped 14 days"), "{shown}");
    // And on its card.
    let card = card(&built.page, "Feature f4");
    assert!(
        card.contains("<li class=\"risk-flag\">slipped 14 days</li>"),
        "{card}"
    );
}

/// The first roadmap card of a feature (its `<li class="card …">`).
fn card<'p>(page: &'p str, title: &str) -> &'p str {
    let at = page
        .find(&format!(">{title}</a>"))
        .unwrap_or_else(|| panic!("no card {title}"));
    let start = page[..at].rfind("<li class=\"card").expect("card start");
    let end = page[at..].find("\n  </li>").expect("card end") + at;
    &page[start..end]
}

#[test]
fn a_dependency_is_a_line_and_red_when_dependency_order_fails() {
    let repo = Repo::base();
    // b (m2) after a (m1): in order. c (m1) before d (m2): out of order.
    repo.file("a.md", &feature("a", "milestone: m1\nstart: 2026-11-15\n"))
        .file(
            "b.md",
            &feature("b", "milestone: m2\nstart: 2027-02-01\ndepends_on: [a]\n"),
        )
        .file("c.md", &feature("c", "milestone: m1\ndepends_on: [d]\n"))
        .file("d.md", &feature("d", "milestone: m2\n"));
    let rules: Vec<String> = repo
        .diagnostics()
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(rules.contains(&"dependency-order".to_string()), "{rules:?}");
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("site");
    let run = repo.run(&[
        "build",
        "--allow-errors",
        "-o",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(
        dir.join("roadmap.html").is_file(),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let page = std::fs::read_to_string(dir.join("roadmap.html")).expect("roadmap.html");
    let doc = Document::parse(svg(&page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let dep = |from: &str, to: &str| {
        tl.all(|n| {
            has_class(n, "dep")
                && n.attribute("data-from-id") == Some(from)
                && n.attribute("data-to-id") == Some(to)
        })
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no line {from} → {to}"))
    };
    let ok = dep("a", "b");
    assert!(!has_class(&ok, "broken"), "{ok:?}");
    // From the dependency's end to the dependent's start.
    assert_eq!(ok.attribute("data-from"), Some("2027-01-15"));
    assert_eq!(ok.attribute("data-to"), Some("2027-02-01"));
    let d = ok.attribute("d").expect("d");
    let x1 = d[1..]
        .split_whitespace()
        .next()
        .and_then(|x| x.parse::<f64>().ok())
        .expect("M x");
    assert!((x1 - tl.x("2027-01-15")).abs() < 0.06, "{d}");
    assert!(
        d.ends_with(&format!(
            "{:.1} {:.1}",
            tl.x("2027-02-01"),
            num(&ok, "data-y2")
        )),
        "{d}"
    );
    let bad = dep("d", "c");
    assert!(has_class(&bad, "broken"), "{bad:?}");
    assert!(title(&bad).contains("dependency-order"), "{}", title(&bad));
    // The dependent is flagged, in words, on its bar and card.
    assert!(title(&tl.item("c")).contains("dependency problem"));
    assert!(card(&page, "Feature c").contains("dependency problem"));
    assert!(!card(&page, "Feature b").contains("risk-flag"));
}

#[test]
fn overdue_milestones_and_on_hold_dependencies_are_flagged_on_cards() {
    let repo = Repo::base();
    repo.file(
        "m0.yaml",
        "kind: milestone\nid: m0\ntitle: M0\ndate: 2026-10-01\n",
    )
    .file("late.md", &feature("late", "milestone: m0\n"))
    .file(
        "held.md",
        &feature("held", "").replace("status: planned", "status: on-hold"),
    )
    .file(
        "waits.md",
        &feature("waits", "milestone: m2\ndepends_on: [held]\n"),
    );
    let built = build(&repo);
    let late = card(&built.page, "Feature late");
    assert!(
        late.contains("<li class=\"risk-flag\">overdue milestone</li>"),
        "{late}"
    );
    assert!(late.contains("aria-label=\"Risks\""), "{late}");
    let waits = card(&built.page, "Feature waits");
    assert!(
        waits.contains("blocked: Feature held is on hold"),
        "{waits}"
    );
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    assert!(has_class(&tl.item("late"), "at-risk"));
    assert!(title(&tl.item("late")).contains("overdue milestone"));
}

#[test]
fn dense_milestone_labels_collapse_into_one_that_lists_them() {
    let repo = Repo::base();
    for (id, date) in [
        ("ma", "2027-06-01"),
        ("mb", "2027-06-03"),
        ("mc", "2027-06-06"),
    ] {
        repo.file(
            &format!("{id}.yaml"),
            &format!("kind: milestone\nid: {id}\ntitle: Release {id}\ndate: {date}\n"),
        );
    }
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let shown = tl.all(|n| has_class(n, "milestone-label") && has_class(n, "z-quarter"));
    let collapsed: Vec<&Node<'_, '_>> =
        shown.iter().filter(|n| has_class(n, "collapsed")).collect();
    assert_eq!(collapsed.len(), 1, "{shown:?}");
    let words: String = collapsed[0]
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.descendants().find_map(|t| t.text()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("Release ma +2"), "{words}");
    let listed = title(collapsed[0]);
    for id in ["ma", "mb", "mc"] {
        assert!(listed.contains(&format!("Release {id}")), "{listed}");
    }
    // No two labels shown at one zoom overlap.
    for zoom in ["z-month", "z-quarter", "z-half"] {
        let mut xs: Vec<f64> = tl
            .all(|n| {
                has_class(n, "milestone-title") && n.parent().is_some_and(|p| has_class(&p, zoom))
            })
            .iter()
            .map(|n| num(n, "x"))
            .collect();
        xs.sort_by(f64::total_cmp);
        for w in xs.windows(2) {
            assert!(
                w[1] - w[0] >= 30.0,
                "{zoom}: labels at {} and {}",
                w[0],
                w[1]
            );
        }
    }
}

#[test]
fn a_shipped_feature_sits_left_of_today() {
    let repo = Repo::base();
    repo.file(
        "mp.yaml",
        "kind: milestone\nid: mp\ntitle: Past\ndate: 2026-09-15\nstatus: released\n",
    )
    .file(
        "done.md",
        &feature("done", "milestone: mp\nstart: 2026-07-01\n")
            .replace("status: planned", "status: shipped"),
    );
    let built = build(&repo);
    let doc = Document::parse(svg(&built.page)).expect("SVG parses");
    let tl = Timeline::new(&doc);
    let item = tl.item("done");
    assert!(
        rightmost(&item) < tl.today_x(),
        "{} ≥ today {}",
        rightmost(&item),
        tl.today_x()
    );
    assert!((tl.today_x() - tl.x("2026-11-01")).abs() < 0.06);
    // A text alternative for the whole chart, whose links stay reachable
    // (an `img` would hide them).
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("figure"));
    assert_eq!(
        root.attribute("aria-labelledby"),
        Some("ns-tl-title ns-tl-desc")
    );
    assert!(root.children().any(|c| c.has_tag_name("title")));
    assert!(root.children().any(|c| c.has_tag_name("desc")));
}

#[test]
fn start_is_a_feature_field_and_must_be_a_date() {
    let repo = Repo::base();
    repo.file(
        "f5.md",
        &feature("f5", "milestone: m1\nstart: 2026-12-01\n"),
    );
    assert_eq!(repo.diagnostics(), Vec::<serde_json::Value>::new());
    repo.file(
        "f5.md",
        &feature("f5", "milestone: m1\nstart: 2026-13-45\n"),
    );
    let d = repo.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["rule"], "schema");
    assert_eq!(
        (
            d[0]["file"].as_str(),
            d[0]["line"].as_u64(),
            d[0]["column"].as_u64()
        ),
        (Some("f5.md"), Some(9), Some(8))
    );
    assert!(
        d[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("is not a \"date\"")),
        "{d:?}"
    );
}
