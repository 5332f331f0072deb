//! The roadmap's views: what the page holds without JavaScript (boards
//! capped, with the count of what they leave out), what its script draws
//! from `roadmap-data.js` (filters that fold lanes and change counts,
//! grouping, sorting, the view in the address), the timeline's share of
//! features per lane, and `roadmap.svg` for slides.

use crate::browser::{Driver, browser_tools};
use crate::common::{Repo, Site, build, skip_unless_ci};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

fn feature(id: &str, title: &str, status: &str, extra: &str) -> String {
    format!(
        "---\nkind: feature\nid: {id}\ntitle: {title}\nstatus: {status}\nowner: alice\n{extra}---\n## Problem\nx\n## Goals\nx\n## Non-goals\nx\n## Requirements\nx\n"
    )
}

/// Two teams; Alpha has two features, Beta two and `bulk` more, all
/// Beta's bulk features `discovery`, due at M1 and in the "next" column.
fn repo(bulk: usize) -> Repo {
    let repo = Repo::base();
    repo.file("ta.yaml", "kind: team\nid: ta\ntitle: Alpha\nfunction: engineering\n")
        .file("tb.yaml", "kind: team\nid: tb\ntitle: Beta\nfunction: engineering\n")
        .file(
            "obj2.yaml",
            "kind: objective\nid: obj2\ntitle: Second objective\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: KR2\n    metric: met\n    baseline: 0\n    target: 5\n",
        )
        .file(
            "a1.md",
            &feature("a1", "Zeta planning", "planned", "team: ta\nmilestone: m1\nobjectives: [obj]\n"),
        )
        .file(
            "a2.md",
            &feature("a2", "Alpha engine", "in-progress", "team: ta\nmilestone: m2\nobjectives: [obj2]\n"),
        )
        .file(
            "b1.md",
            &feature("b1", "Beta late", "planned", "team: tb\nmilestone: m2\nobjectives: [obj]\n"),
        )
        .file(
            "b2.md",
            &feature("b2", "Beta unscheduled", "idea", "team: tb\nobjectives: [obj]\n"),
        );
    for i in 0..bulk {
        repo.file(
            &format!("bulk/c{i:03}.md"),
            &feature(
                &format!("c{i:03}"),
                &format!("Bulk {i:03}"),
                "discovery",
                "team: tb\nmilestone: m1\nobjectives: [obj]\nhorizon: next\n",
            ),
        );
    }
    repo
}

/// The features of `roadmap-data.js`, by id.
fn data(site: &Site) -> Value {
    let js = site.read("roadmap-data.js");
    let json = js
        .trim_end()
        .strip_prefix("window.NORTHSTAR_ROADMAP = ")
        .and_then(|s| s.strip_suffix(';'))
        .unwrap_or_else(|| {
            panic!(
                "unexpected roadmap-data.js shape: {}",
                &js[..js.len().min(80)]
            )
        });
    serde_json::from_str(json).expect("roadmap-data.js holds JSON")
}

/// The text of the section with `id` in a page.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let a = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let b = page[a..].find("</section>").expect("</section>") + a;
    &page[a..b]
}

#[test]
fn static_boards_hold_a_share_of_the_cards_and_say_how_many_more() {
    let site = build(&repo(70), &[]);
    let page = site.read("roadmap.html");
    // "Next" holds 71 features (the bulk and b1, due within the year):
    // 50 cards, and the rest named as a count with a link to every
    // feature.
    let board = section(&page, "ns-now-next-later");
    let next = &board[board.find(">Next <").expect("a Next column")..];
    let next = &next[..next.find(">Later <").expect("a Later column")];
    assert_eq!(next.matches("<li class=\"card").count(), 50, "{next}");
    assert!(next.contains("<span class=\"count\">71</span>"), "{next}");
    assert!(
        next.contains("21 more in <a href=\"feature/index.html\">all features</a>"),
        "{next}"
    );
    // By status: discovery holds 70, 30 of them as cards.
    let by_status = section(&page, "ns-by-status");
    let disc = &by_status[by_status.find(">discovery <").expect("discovery column")..];
    let disc = &disc[..disc.find(">planned <").expect("a planned column")];
    assert_eq!(disc.matches("<li class=\"card").count(), 30, "{disc}");
    assert!(disc.contains("40 more in"), "{disc}");
    // The home page's board is a glance: ten cards, and a link for the rest.
    let home = site.read("index.html");
    assert!(
        home.contains("61 more on the roadmap"),
        "home board not capped"
    );

    // The script's data holds every feature, with what it groups by.
    let d = data(&site);
    let features = d["features"].as_array().expect("features");
    assert_eq!(features.len(), 74);
    let a1 = features.iter().find(|f| f["i"] == "a1").expect("a1");
    assert_eq!(a1["t"], "Zeta planning");
    assert_eq!(a1["u"], "feature/a1.html");
    assert_eq!(a1["tm"], "ta");
    assert_eq!(a1["o"], json!(["obj"]));
    assert_eq!(a1["m"], "m1");
    assert_eq!(a1["d"], "2027-01-15");
    assert_eq!(a1["s"], "planned");
    let b2 = features.iter().find(|f| f["i"] == "b2").expect("b2");
    assert_eq!(b2["m"], Value::Null);
    assert_eq!(b2["d"], Value::Null);
    assert_eq!(d["teams"]["tb"], "Beta");
    let ms: Vec<&str> = d["milestones"]
        .as_array()
        .expect("milestones")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(ms, ["m1", "m2"], "milestones by date");
}

#[test]
fn a_crowded_lane_draws_its_share_and_says_how_many_it_leaves_out() {
    // One team's lane and the Unassigned lane share 400 features: 200
    // each. Beta holds 2 + 230.
    let repo = repo(230);
    repo.file(
        "m9.yaml",
        "kind: milestone\nid: m9\ntitle: Far\ndate: 2029-01-15\n",
    )
    .file(
        "far.md",
        &feature("far", "Far away", "planned", "team: tb\nmilestone: m9\n"),
    );
    let site = build(&repo, &[]);
    let page = site.read("roadmap.html");
    let svg = &page[page.find("<svg class=\"timeline\"").expect("timeline")..];
    let svg = &svg[..svg.find("</svg>").expect("</svg>") + 6];
    let doc = roxmltree::Document::parse(svg).expect("the timeline is XML");
    let lane_of = |lane: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("data-lane") == Some(lane))
            .count()
    };
    let lanes: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lane-label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(lanes, ["Alpha", "Beta", "Unassigned"]);
    // Three lanes: 133 each. Beta's 232 scheduled features: 133 drawn.
    assert_eq!(lane_of("0"), 2, "Alpha keeps both");
    assert_eq!(lane_of("1"), 133, "Beta draws its share");
    let more = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("lane-more"))
        .expect("a lane-more line");
    assert_eq!(more.attribute("data-lane"), Some("1"));
    assert_eq!(more.text(), Some("+99 not drawn"));
    // The default window's work (a quarter back, a year ahead) comes
    // first, then what is nearest today: work due in 2029 goes, work due
    // at M1 stays.
    assert!(
        !svg.contains("data-id=\"far\""),
        "work two years out is drawn"
    );
    assert!(
        svg.contains("data-id=\"c000\""),
        "work due next is left out"
    );
}

#[test]
fn roadmap_svg_stands_alone_with_its_styles() {
    let site = build(&repo(0), &[]);
    let svg = site.read("roadmap.svg");
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg class=\"timeline\""));
    let doc = roxmltree::Document::parse(&svg).expect("roadmap.svg is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let style = root
        .children()
        .find(|n| n.has_tag_name("style"))
        .and_then(|n| n.text())
        .expect("a <style> of its own");
    // The light palette and the timeline's rules from the site's CSS.
    assert!(
        style.starts_with(":root{--page: #f5f6f8"),
        "{}",
        &style[..80]
    );
    assert!(
        style.contains("svg.timeline .item .marker"),
        "timeline rules missing"
    );
    assert!(!style.contains("prefers-color-scheme"), "dark rules copied");
    assert!(!style.contains(".card"), "page rules copied");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("lane-label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(titles, ["Alpha", "Beta", "Unassigned"]);
    assert!(svg.contains("Zeta planning") && svg.contains("Beta late"));
    // The page links it for slides.
    assert!(site.read("roadmap.html").contains("href=\"roadmap.svg\""));
}

#[test]
fn roadmap_data_of_a_public_build_leaves_internal_features_out() {
    // Only `visibility: public` documents are published publicly.
    let repo = repo(0);
    repo.file(
        "a1.md",
        &feature(
            "a1",
            "Zeta planning",
            "planned",
            "team: ta\nmilestone: m1\nvisibility: public\n",
        ),
    )
    .file(
        "m1.yaml",
        "kind: milestone\nid: m1\ntitle: M1\ndate: 2027-01-15\nvisibility: public\n",
    )
    .file(
        "secret.md",
        &feature(
            "secret",
            "Secret acquisition",
            "planned",
            "team: ta\nmilestone: m1\nvisibility: internal\n",
        ),
    );
    let public = build(&repo, &["--audience", "public"]);
    let js = public.read("roadmap-data.js");
    assert!(
        !js.contains("secret"),
        "an internal feature is in public data"
    );
    let internal = build(&repo, &[]);
    assert!(
        internal
            .read("roadmap-data.js")
            .contains("Secret acquisition")
    );
    // A public build shows no day: targets are quarters' firsts.
    let d = data(&public);
    let a1 = d["features"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["i"] == "a1"))
        .expect("a1");
    assert_eq!(a1["d"], "2027-01-01");
    assert_eq!(a1["m"], "m1");
    // Its team is not public: not named, not even by id.
    assert_eq!(a1["tm"], "none");
    assert!(!js.contains("\"ta\"") && !js.contains("Alpha"), "{js}");
    assert_eq!(d["features"].as_array().map(Vec::len), Some(1));
}

/// Runs `f` with a browser session on `site`'s roadmap at `hash`.
fn with_roadmap(site: &Path, hash: &str, f: impl FnOnce(&crate::browser::Session)) {
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        skip_unless_ci(
            "roadmap views browser test",
            "chromium and chromedriver are not installed",
        );
        return;
    };
    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    s.post("window/rect", json!({ "width": 1280, "height": 900 }));
    s.post(
        "url",
        json!({ "url": format!("file://{}{hash}", site.join("roadmap.html").display()) }),
    );
    s.assert_no_console_errors("roadmap");
    f(&s);
    s.assert_no_console_errors("roadmap views");
}

/// What the page shows: the board's columns (key, heading count, card
/// titles), the timeline's unfolded lane names, the svg's height, the
/// counts line, the address's hash, the selects' values.
const STATE: &str = r#"
var cols = Array.prototype.map.call(document.querySelectorAll('#ns-board .column'), function (c) {
  return { key: c.getAttribute('data-group'), count: c.querySelector('h3 .count').textContent,
    cards: Array.prototype.map.call(c.querySelectorAll('.card-title'), function (a) { return a.textContent; }),
    showAll: !!c.querySelector('button.show-all') };
});
var lanes = Array.prototype.filter.call(document.querySelectorAll('svg.timeline .lane-label'), function (t) {
  return t.getBoundingClientRect().height > 0;
}).map(function (t) { return t.textContent; });
var sel = {};
Array.prototype.forEach.call(document.querySelectorAll('#ns-view select'), function (s) {
  sel[s.getAttribute('data-filter') || s.getAttribute('data-view')] = s.value;
});
return { cols: cols, lanes: lanes, height: +document.querySelector('svg.timeline').getAttribute('height'),
  shown: document.getElementById('ns-view-shown').textContent, hash: location.hash, sel: sel,
  board: !document.getElementById('ns-board').hidden,
  staticShown: Array.prototype.some.call(document.querySelectorAll('.static-view'), function (s) { return !s.hidden; }) };
"#;

/// The board's group keys, in order, from what [`STATE`] returns.
fn group_keys(v: &Value) -> Vec<&str> {
    v["cols"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["key"].as_str())
        .collect()
}

#[test]
fn a_view_sent_as_a_link_opens_filtered_grouped_and_sorted() {
    let repo = repo(35);
    let site = build(&repo, &[]);
    with_roadmap(&site.path, "#team=ta&group=status&sort=title", |s| {
        let v = s.script(STATE);
        assert_eq!(v["sel"]["team"], "ta", "{v}");
        assert_eq!(v["sel"]["group"], "status", "{v}");
        assert_eq!(v["sel"]["sort"], "title", "{v}");
        assert_eq!(v["board"], true, "{v}");
        assert_eq!(v["staticShown"], false, "{v}");
        // Alpha's two features, by status in the plan's order.
        let cols = v["cols"].as_array().expect("columns");
        let keys = group_keys(&v);
        assert_eq!(keys, ["planned", "in-progress"], "{v}");
        assert_eq!(cols[0]["cards"], json!(["Zeta planning"]), "{v}");
        assert_eq!(cols[1]["cards"], json!(["Alpha engine"]), "{v}");
        // The timeline keeps Alpha's lane only, and is shorter for it.
        assert_eq!(v["lanes"], json!(["Alpha"]), "{v}");
        assert_eq!(v["shown"], "2 of 39 features, 2 on the timeline", "{v}");
        let folded = v["height"].as_f64().expect("height");

        // Another team, chosen in the form: the address follows, the
        // lanes and counts too.
        s.script(
            "var t = document.querySelector('#ns-view select[data-filter=team]'); t.value = 'tb';\
                 t.dispatchEvent(new Event('change', { bubbles: true })); return 0;",
        );
        let v = s.script(STATE);
        assert_eq!(v["hash"], "#team=tb&group=status&sort=title", "{v}");
        assert_eq!(v["lanes"], json!(["Beta"]), "{v}");
        assert_eq!(v["shown"], "37 of 39 features, 36 on the timeline", "{v}");
        let keys = group_keys(&v);
        assert_eq!(keys, ["idea", "discovery", "planned"], "{v}");
        // A column holds 30 cards and a button for the rest, sorted by title.
        let disc = &v["cols"][1];
        assert_eq!(disc["count"], "35", "{v}");
        assert_eq!(disc["cards"].as_array().map(Vec::len), Some(30), "{v}");
        assert_eq!(disc["cards"][0], "Bulk 000", "{v}");
        assert_eq!(disc["showAll"], true, "{v}");
        s.script("document.querySelector('#ns-board .column[data-group=discovery] button.show-all').click(); return 0;");
        let v = s.script(STATE);
        assert_eq!(
            v["cols"][1]["cards"].as_array().map(Vec::len),
            Some(35),
            "{v}"
        );

        // Reset: every lane back, the full height, an empty address.
        s.script("document.getElementById('ns-view-reset').click(); return 0;");
        let v = s.script(STATE);
        assert_eq!(v["hash"], "", "{v}");
        assert_eq!(v["lanes"], json!(["Alpha", "Beta", "Unassigned"]), "{v}");
        assert!(v["height"].as_f64().expect("height") > folded, "{v}");
        assert_eq!(v["shown"], "", "{v}");
        let keys = group_keys(&v);
        assert_eq!(keys, ["now", "next", "later"], "{v}");

        // Grouped by team, sorted by target: Beta's M1 work before its
        // M2 feature, the unscheduled one last.
        s.script("location.hash = '#group=team&sort=target'; return 0;");
        let v = s
            .wait_for(Duration::from_secs(2), || {
                let v = s.script(STATE);
                (v["sel"]["group"] == "team").then_some(v)
            })
            .expect("the view follows the address");
        let beta = v["cols"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["key"] == "tb"))
            .expect("a Beta column");
        assert_eq!(beta["count"], "37", "{v}");
        s.script("document.querySelector('#ns-board .column[data-group=tb] button.show-all').click(); return 0;");
        let v = s.script(STATE);
        let beta = v["cols"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["key"] == "tb"))
            .expect("a Beta column");
        let cards: Vec<&str> = beta["cards"]
            .as_array()
            .expect("cards")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(cards.len(), 37, "{v}");
        assert_eq!(cards[35..], ["Beta late", "Beta unscheduled"], "{v}");
    });
}

/// The part of `html` from `start` to the next `end`.
fn between<'h>(html: &'h str, start: &str, end: &str) -> &'h str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// A kind the config maps onto the lifecycle, with a target field, is on
/// the roadmap beside features: on now/next/later by its target (a date,
/// or a milestone's id), by status as the lifecycle status its value
/// stands for, on the timeline when it has a target, and in "not
/// scheduled" when it has none. Its cards show the kind's name and the
/// value as written. A kind with neither setting stays off the roadmap.
#[test]
fn a_kind_mapped_onto_the_lifecycle_is_on_the_roadmap() {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-01\nkinds:\n  rfc:\n    schema: schema/spec.json\n    files: \"text/*.md\"\n    title: \"#\"\n    name: RFC\n    plural: RFCs\n    status: stage\n    target: release\n    lifecycle: { exploring: discovery, accepted: planned, released: shipped }\n  adr:\n    schema: schema/spec.json\n    files: \"adr/*.md\"\n    title: \"#\"\n",
    )
    .file(
        "schema/spec.json",
        r#"{"type": "object", "properties": {"stage": {"type": "string"}, "release": {"type": "string"}, "status": {"type": "string"}}}"#,
    )
    .file("text/0001-dated.md", "---\nstage: accepted\nrelease: 2026-12-20\n---\n# Dated Thing\n")
    .file("text/0002-at-m2.md", "---\nstage: exploring\nrelease: m2\n---\n# Milestone Thing\n")
    .file("text/0003-undated.md", "---\nstage: accepted\n---\n# Undated Thing\n")
    .file("text/0004-done.md", "---\nstage: released\nrelease: 2026-06-01\n---\n# Done Thing\n")
    .file("adr/0001-use-x.md", "---\nstatus: accepted\n---\n# Use X\n");
    let site = build(&repo, &[]);
    let read = |p: &str| site.read(p);
    let page = read("roadmap.html");

    // Now, next, later: by the target's date, a milestone's, or none.
    let board = between(&page, "id=\"ns-now-next-later\"", "</section>");
    let columns: Vec<&str> = board.split("<div class=\"column\">").skip(1).collect();
    assert_eq!(columns.len(), 3, "{board}");
    assert!(
        columns[0].starts_with("<h3>Now <span class=\"count\">1</span>"),
        "{}",
        columns[0]
    );
    assert!(columns[0].contains("Dated Thing"), "{}", columns[0]);
    assert!(
        columns[1].starts_with("<h3>Next <span class=\"count\">1</span>"),
        "{}",
        columns[1]
    );
    assert!(columns[1].contains("Milestone Thing"), "{}", columns[1]);
    assert!(
        columns[2].starts_with("<h3>Later <span class=\"count\">1</span>"),
        "{}",
        columns[2]
    );
    assert!(columns[2].contains("Undated Thing"), "{}", columns[2]);
    assert!(!board.contains("Done Thing"), "shipped: {board}");
    // Cards name the kind and show the stage as written, coloured as the
    // status it stands for.
    assert!(
        columns[0].contains("<span class=\"card-kind\">RFC</span> <span class=\"badge status-planned\">accepted</span>"),
        "{}",
        columns[0]
    );

    // By status: as the lifecycle status each stage stands for.
    let by_status = between(&page, "id=\"ns-by-status\"", "</section>");
    let column = |name: &str| between(by_status, &format!("<h3>{name} "), "</ul>");
    assert!(
        column("planned").contains("Dated Thing") && column("planned").contains("Undated Thing"),
        "{by_status}"
    );
    assert!(
        column("discovery").contains("Milestone Thing"),
        "{by_status}"
    );
    assert!(column("shipped").contains("Done Thing"), "{by_status}");

    // Not scheduled: the one without a target.
    let unscheduled = between(&page, "id=\"ns-unscheduled\"", "</details>");
    assert!(unscheduled.contains("Undated Thing"), "{unscheduled}");
    assert!(!unscheduled.contains("Dated Thing<"), "{unscheduled}");

    // The timeline draws those with a target, the stage in its words.
    let svg = read("roadmap.svg");
    for title in ["Dated Thing", "Milestone Thing", "Done Thing"] {
        assert!(svg.contains(&format!("<title>{title}: ")), "{title}: {svg}");
    }
    assert!(!svg.contains("Undated Thing"), "{svg}");
    assert!(
        svg.contains("Dated Thing: target 20 Dec 2026, accepted"),
        "{svg}"
    );
    assert!(
        svg.contains("class=\"item status-planned marker-only\""),
        "{svg}"
    );

    // Named by the kind, and no link to a features list that is not there.
    assert!(
        page.contains("<h2 id=\"ns-board-title\">RFCs</h2>"),
        "{page}"
    );
    assert!(!page.contains("feature/index.html"), "{page}");
    assert!(
        !page.contains("Use X"),
        "an ADR is not on the roadmap: {page}"
    );
    // No filter without a choice: the plan has no team.
    assert!(!page.contains("data-filter=\"team\""), "{page}");
    assert!(page.contains("data-filter=\"milestone\""), "{page}");

    // What the page's script draws from.
    let data = read("roadmap-data.js");
    let json = data
        .strip_prefix("window.NORTHSTAR_ROADMAP = ")
        .and_then(|d| d.strip_suffix(";\n"))
        .expect("roadmap data");
    let data: Value = serde_json::from_str(json).expect("json");
    assert_eq!(data["noun"], "RFCs");
    let items = data["features"].as_array().expect("items");
    assert_eq!(items.len(), 4, "{data:#}");
    let dated = items.iter().find(|i| i["i"] == "0001-dated").expect("0001");
    assert_eq!(
        (
            &dated["s"],
            &dated["sv"],
            &dated["kd"],
            &dated["h"],
            &dated["d"]
        ),
        (
            &json!("planned"),
            &json!("accepted"),
            &json!("RFC"),
            &json!("now"),
            &json!("2026-12-20")
        )
    );
    let at_m2 = items.iter().find(|i| i["i"] == "0002-at-m2").expect("0002");
    assert_eq!((&at_m2["m"], &at_m2["h"]), (&json!("m2"), &json!("next")));

    // Home links the roadmap and shows its board.
    let home = read("index.html");
    assert!(home.contains("Roadmap at a glance"), "{home}");
    assert!(home.contains("href=\"roadmap.html\""), "{home}");
}

/// Specs mapped onto the lifecycle with no target and no milestone: the
/// roadmap says nothing has a date instead of drawing an empty timeline.
#[test]
fn a_roadmap_with_nothing_dated_says_so() {
    let repo = Repo::empty();
    repo.file(
        "northstar.yaml",
        "product: Specs\ntoday: 2026-11-01\nrules:\n  single-product: off\nkinds:\n  spec:\n    schema: schema/spec.json\n    files: \"specs/*.md\"\n    title: \"#\"\n    lifecycle: { draft: discovery, approved: planned }\n",
    )
    .file(
        "schema/spec.json",
        r#"{"type": "object", "properties": {"status": {"type": "string"}}}"#,
    )
    .file("specs/one.md", "---\nstatus: approved\n---\n# One Spec\n")
    .file("specs/two.md", "---\nstatus: draft\n---\n# Two Spec\n");
    let site = build(&repo, &[]);
    let read = |p: &str| site.read(p);
    let page = read("roadmap.html");
    assert!(
        page.contains("Nothing has a date yet: the timeline draws milestones, and specs once they have a target."),
        "{page}"
    );
    assert!(!page.contains("timeline-wrap"), "{page}");
    // Both are later, on the page's board.
    let board = between(&page, "id=\"ns-now-next-later\"", "</section>");
    assert!(
        board.contains("<h3>Later <span class=\"count\">2</span>"),
        "{board}"
    );
    let home = read("index.html");
    assert!(home.contains("href=\"roadmap.html\""), "{home}");
}
