//! Numbers on the site as a reader sees them: units and thousands separators,
//! decimals as written, objective status (not started, computed beside
//! declared, with the reason), demand in its units, "Referenced by" in plain
//! words, planned scope against release notes, and the kind list tables.

use crate::common::{Repo, html_words};

/// A site built from `repo` into a temporary folder.
struct Site {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
}

impl Site {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel} of the built site: {e}"))
    }
}

fn build(repo: &Repo) -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let run = repo.run(&["build", "-o", dir.to_str().expect("utf-8 path")]);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    Site { _tmp: tmp, dir }
}

/// The first element whose start tag has `class` among its classes, up to
/// its matching end tag (same tag name, nesting counted).
fn element<'h>(html: &'h str, class: &str) -> &'h str {
    elements(html, class)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no element with class `{class}`"))
}

/// Every element with `class` (see [`element`]).
fn elements<'h>(html: &'h str, class: &str) -> Vec<&'h str> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = html[at..].find('<').map(|i| i + at) {
        let Some(end) = html[i..].find('>').map(|e| e + i + 1) else {
            break;
        };
        let tag = &html[i..end];
        at = end;
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let has = tag
            .split("class=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .is_some_and(|c| c.split_whitespace().any(|x| x == class));
        if name.is_empty() || !has {
            continue;
        }
        let (open, close) = (format!("<{name}"), format!("</{name}>"));
        let mut depth = 1;
        let mut j = end;
        while depth > 0 {
            let next_open = html[j..].find(&open).map(|k| k + j);
            let Some(next_close) = html[j..].find(&close).map(|k| k + j) else {
                j = html.len();
                break;
            };
            match next_open {
                Some(o) if o < next_close => {
                    depth += 1;
                    j = o + open.len();
                }
                _ => {
                    depth -= 1;
                    j = next_close + close.len();
                }
            }
        }
        out.push(&html[i..j]);
    }
    out
}

/// The texts of the header cells of the first table.
fn headers(html: &str) -> Vec<String> {
    let head = html
        .split("<thead>")
        .nth(1)
        .and_then(|h| h.split("</thead>").next())
        .expect("a table head");
    head.split("<th")
        .skip(1)
        .map(|c| html_words(&format!("<th{c}")))
        .collect()
}

/// The rows of the first table's body, each as the text of its cells.
fn rows(html: &str) -> Vec<Vec<String>> {
    let body = html
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tbody>").next())
        .expect("a table body");
    body.split("<tr>")
        .skip(1)
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| html_words(&format!("<td{c}")))
                .collect()
        })
        .collect()
}

/// A base repository with a metric in thousands of US dollars and an
/// objective over the second half of 2026 (today is 1 Nov 2026: 67% of
/// the period gone) whose key results track it.
fn okr_repo(status: Option<&str>, krs: &str) -> Repo {
    let repo = Repo::base();
    repo.file(
        "arr.yaml",
        "kind: metric\nid: arr\ntitle: Enterprise ARR\nunit: k USD\ndirection: increase\ncurrent: 480\ntarget: 1500\n",
    );
    let status = status.map(|s| format!("status: {s}\n")).unwrap_or_default();
    repo.file(
        "okr.yaml",
        &format!(
            "kind: objective\nid: okr\ntitle: Win enterprise\nstrategy: strat\nperiod: 2026-H2\n{status}key_results:\n{krs}"
        ),
    );
    repo
}

#[test]
fn key_results_take_their_metrics_unit_with_thousands_separators() {
    let repo = okr_repo(
        None,
        "  - title: Grow ARR\n    metric: arr\n    baseline: 420\n    target: 1500\n    current: 480\n",
    );
    let site = build(&repo);
    let page = site.read("objective/okr.html");
    let kr = html_words(element(&page, "kr"));
    assert!(
        kr.contains("480 k USD / 1,500 k USD (baseline 420 k USD)"),
        "{kr}"
    );
    // Progress 6%, 67% of the period gone: the bar has its mark, and its
    // text says both.
    assert!(kr.contains("6% done, 67% expected by now"), "{kr}");
    assert!(
        element(&page, "kr").contains("class=\"expected\" style=\"left: 67%\""),
        "{page}"
    );
    assert!(html_words(element(&page, "kr-legend")).contains("expected"));
    let home = site.read("index.html");
    assert!(
        html_words(&home).contains("480 k USD / 1,500 k USD"),
        "{home}"
    );
    // The metric's own page and the list too.
    let metric = site.read("metric/arr.html");
    assert!(html_words(&metric).contains("1,500 k USD"), "{metric}");
}

#[test]
fn a_number_written_with_a_decimal_point_keeps_it() {
    let repo = okr_repo(
        None,
        "  - title: Ratio\n    baseline: 0.5\n    target: 1.0\n    current: 0.75\n",
    );
    let site = build(&repo);
    let kr = html_words(element(&site.read("objective/okr.html"), "kr"));
    assert!(kr.contains("0.75 / 1.0 (baseline 0.5)"), "{kr}");
}

#[test]
fn an_objective_before_its_period_is_not_started() {
    // The base objective's period is 2027; today is 1 Nov 2026. With a
    // current value at its baseline, progress 0 against 0% elapsed would
    // read "on-track".
    let repo = Repo::base();
    repo.file(
        "obj.yaml",
        "kind: objective\nid: obj\ntitle: Objective\nstrategy: strat\nperiod: 2027\nkey_results:\n  - title: KR\n    metric: met\n    baseline: 0\n    target: 10\n    current: 0\n",
    );
    let site = build(&repo);
    let page = site.read("objective/obj.html");
    let eyebrow = html_words(element(&page, "eyebrow"));
    assert!(eyebrow.contains("not started"), "{eyebrow}");
    assert!(!eyebrow.contains("on-track"), "{eyebrow}");
    let kr = html_words(element(&page, "kr"));
    assert!(
        kr.contains("not started") && !kr.contains("on-track"),
        "{kr}"
    );
    assert!(
        html_words(element(&page, "status-reason")).contains("the period 2027 has not started yet"),
        "{page}"
    );
    let home = html_words(element(&site.read("index.html"), "objective"));
    assert!(home.contains("not started"), "{home}");
    assert!(!home.contains("on-track"), "{home}");
}

#[test]
fn an_objective_without_measured_key_results_is_never_on_track() {
    let repo = okr_repo(
        None,
        "  - title: Grow ARR\n    metric: arr\n    baseline: 420\n    target: 1500\n",
    );
    let site = build(&repo);
    let page = site.read("objective/okr.html");
    let eyebrow = html_words(element(&page, "eyebrow"));
    assert!(eyebrow.contains("no progress data"), "{eyebrow}");
    assert!(!eyebrow.contains("on-track"), "{eyebrow}");
    let kr = html_words(element(&page, "kr"));
    assert!(kr.contains("not measured / 1,500 k USD"), "{kr}");
}

#[test]
fn a_declared_status_is_shown_beside_the_computed_one_with_the_reason() {
    let repo = okr_repo(
        Some("at-risk"),
        "  - title: Grow ARR\n    metric: arr\n    baseline: 0\n    target: 100\n    current: 80\n  - title: Security reviews\n    baseline: 0\n    target: 10\n    current: 2\n",
    );
    let site = build(&repo);
    let page = site.read("objective/okr.html");
    let eyebrow = html_words(element(&page, "eyebrow"));
    assert!(eyebrow.contains("off-track"), "{eyebrow}");
    assert!(eyebrow.contains("declared at-risk"), "{eyebrow}");
    let reason = html_words(element(&page, "status-reason"));
    assert_eq!(
        reason,
        "declared at-risk; computed off-track: KR 2 at 20% with 67% of the period gone"
    );
    let home = site.read("index.html");
    let panel = elements(&home, "objective")
        .into_iter()
        .map(html_words)
        .find(|t| t.contains("Win enterprise"))
        .expect("the objective on the home page");
    assert!(panel.contains(&reason), "{panel}");
    // Where they agree, no reason is given as a disagreement.
    let agree = okr_repo(
        Some("off-track"),
        "  - title: Security reviews\n    baseline: 0\n    target: 10\n    current: 2\n",
    );
    let page = build(&agree).read("objective/okr.html");
    assert!(!html_words(&page).contains("declared off-track;"), "{page}");
}

/// Features `f1` and `f2`, and insights: an interview of 5 customers and
/// 200 support tickets about `f1`, the tickets about `f2` as well.
fn demand_repo() -> Repo {
    let repo = Repo::base();
    repo.file(
        "f1.md",
        "---\nkind: feature\nid: f1\ntitle: Feature One\nstatus: idea\nrice:\n  reach: 2000\n  impact: 2\n  confidence: 0.8\n  effort: 14\n---\nText.\n",
    );
    repo.file(
        "f2.md",
        "---\nkind: feature\nid: f2\ntitle: Feature Two\nstatus: idea\n---\nText.\n",
    );
    repo.file(
        "talk.yaml",
        "kind: insight\nid: talk\ntitle: Interviews\nsource: interview\ndate: 2026-10-01\nfeatures: [f1]\ncount: 5\n",
    );
    repo.file(
        "tickets.yaml",
        "kind: insight\nid: tickets\ntitle: Tickets\nsource: support\ndate: 2026-10-02\nfeatures: [f1, f2]\ncount: 200\n",
    );
    repo
}

#[test]
fn demand_counts_customers_and_support_tickets_apart() {
    let site = build(&demand_repo());
    let page = site.read("feature/f1.html");
    let demand = html_words(element(&page, "demand"));
    assert!(
        demand.starts_with("5 customers · 200 support tickets"),
        "{demand}"
    );
    assert!(
        !html_words(&page).contains("205"),
        "customers and tickets added"
    );
    let evidence = html_words(element(&page, "evidence"));
    assert!(evidence.contains("200 support tickets"), "{evidence}");
    assert!(evidence.contains("5 customers"), "{evidence}");
    let list = site.read("feature/index.html");
    assert!(!html_words(&list).contains("205"), "{}", html_words(&list));
}

#[test]
fn an_insight_naming_two_features_is_shared_not_counted_twice() {
    let site = build(&demand_repo());
    let page = site.read("feature/f1.html");
    let evidence = element(&page, "evidence");
    assert!(
        html_words(evidence).contains("Tickets shared with Feature Two"),
        "{}",
        html_words(evidence)
    );
    assert!(
        evidence.contains("href=\"../feature/f2.html\""),
        "{evidence}"
    );
    let foot = html_words(element(&site.read("feature/index.html"), "list-foot"));
    assert!(
        foot.starts_with("Demand over all 2 features: 5 customers · 200 support tickets"),
        "{foot}"
    );
    assert!(!foot.contains("400"), "{foot}");
}

#[test]
fn rice_inputs_show_separators_and_effort_says_it_has_no_unit() {
    let site = build(&demand_repo());
    let rice = html_words(element(&site.read("feature/f1.html"), "rice-score"));
    // 2000 × 2 × 0.8 / 14 = 228.57.
    assert!(rice.starts_with("229 "), "{rice}");
    assert!(
        rice.contains("reach 2,000 × impact 2 × confidence 80% ÷ effort 14 (RICE)"),
        "{rice}"
    );
}

#[test]
fn referenced_by_names_each_document_once_in_plain_words() {
    let repo = demand_repo();
    repo.file(
        "f2.md",
        "---\nkind: feature\nid: f2\ntitle: Feature Two\nstatus: idea\ndepends_on: [f1]\n---\nBuilt on [[f1]].\n",
    );
    repo.file(
        "note.md",
        "---\nkind: decision\nid: note\ntitle: A decision\nstatus: accepted\ndate: 2026-10-01\n---\nAbout [[f1]] and again [[f1]].\n",
    );
    let site = build(&repo);
    let page = site.read("feature/f1.html");
    let refs = element(&page, "referenced-by");
    let lines: Vec<String> = refs.split("<li>").skip(1).map(html_words).collect();
    assert!(
        lines.contains(&"Feature Feature Two depends on it and mentions it in its body".into()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Insight Tickets is evidence for it".into()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"Decision A decision mentions it in its body".into()),
        "{lines:?}"
    );
    assert_eq!(
        refs.matches("href=\"../feature/f2.html\"").count(),
        1,
        "{refs}"
    );
    assert_eq!(lines.len(), 4, "one line per referring document: {lines:?}");
}

#[test]
fn a_milestone_not_yet_released_shows_planned_scope() {
    let repo = demand_repo();
    repo.file(
        "f1.md",
        "---\nkind: feature\nid: f1\ntitle: Feature One\nstatus: idea\nmilestone: m1\n---\nText.\n",
    );
    repo.file(
        "f2.md",
        "---\nkind: feature\nid: f2\ntitle: Feature Two\nstatus: idea\nmilestone: m0\n---\nText.\n",
    );
    repo.file(
        "m0.yaml",
        "kind: milestone\nid: m0\ntitle: M0\ndate: 2026-10-15\nstatus: released\n",
    );
    let site = build(&repo);
    let planned = html_words(&site.read("milestone/m1.html"));
    assert!(planned.contains("Planned scope Feature One"), "{planned}");
    assert!(!planned.contains("Release notes"), "{planned}");
    let released = html_words(&site.read("milestone/m0.html"));
    assert!(released.contains("Release notes Feature Two"), "{released}");
    assert!(!released.contains("Planned scope"), "{released}");
}

#[test]
fn the_feature_list_is_a_table_sorted_by_target_date() {
    let repo = demand_repo();
    repo.file(
        "f1.md",
        "---\nkind: feature\nid: f1\ntitle: A late one\nstatus: idea\nmilestone: m2\nowner: alice\n---\nText.\n",
    );
    repo.file(
        "f2.md",
        "---\nkind: feature\nid: f2\ntitle: B early one\nstatus: idea\nmilestone: m1\n---\nText.\n",
    );
    repo.file(
        "f3.md",
        "---\nkind: feature\nid: f3\ntitle: C unscheduled\nstatus: idea\n---\nText.\n",
    );
    let site = build(&repo);
    let list = site.read("feature/index.html");
    assert_eq!(
        headers(&list),
        [
            "Feature",
            "Owner",
            "Team",
            "Status",
            "Target",
            "RICE",
            "Demand",
            "Last changed"
        ]
    );
    let rows = rows(&list);
    let titles: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(titles, ["B early one", "A late one", "C unscheduled"]);
    assert_eq!(rows[1][1], "Alice");
    assert_eq!(rows[0][4], "M1 15 Jan 2027");
    assert_eq!(rows[1][6], "5 customers · 200 support tickets shared");
    assert!(list.contains("aria-sort=\"ascending\">Target"), "{list}");
    assert!(list.contains("class=\"list-table sortable\""));
}

#[test]
fn metric_objective_and_insight_lists_have_their_columns() {
    let repo = okr_repo(
        None,
        "  - title: Grow ARR\n    metric: arr\n    baseline: 0\n    target: 100\n    current: 50\n",
    );
    repo.file(
        "arr.yaml",
        "kind: metric\nid: arr\ntitle: Enterprise ARR\nunit: k USD\ndirection: increase\ncurrent: 1480\ntarget: 1500\nreadings:\n  - date: 2026-09-30\n    value: 1465\n  - date: 2026-10-31\n    value: 1480\n",
    );
    repo.file(
        "tickets.yaml",
        "kind: insight\nid: tickets\ntitle: Tickets\nsource: support\ndate: 2026-10-02\ncount: 1200\n",
    );
    let site = build(&repo);
    let metrics = site.read("metric/index.html");
    assert_eq!(
        headers(&metrics),
        ["Metric", "Current", "Target", "Unit", "Trend", "Owner"]
    );
    let arr = rows(&metrics)
        .into_iter()
        .find(|r| r[0] == "Enterprise ARR")
        .expect("a row");
    assert_eq!(
        arr[1..5],
        ["1,480", "1,500", "k USD", "↑ up from 1,465, better"]
    );
    let objectives = site.read("objective/index.html");
    assert_eq!(
        headers(&objectives),
        ["Objective", "Period", "Progress", "Status", "Owner"]
    );
    let okr = rows(&objectives)
        .into_iter()
        .find(|r| r[0] == "Win enterprise")
        .expect("a row");
    assert_eq!(okr[1..4], ["2026-H2", "50% 67% expected", "at-risk"]);
    let insights = site.read("insight/index.html");
    assert_eq!(
        headers(&insights),
        ["Insight", "Source", "Customer", "Count", "Date"]
    );
    assert_eq!(
        rows(&insights)[0],
        [
            "Tickets",
            "support",
            "",
            "1,200 support tickets",
            "2 Oct 2026"
        ]
    );
}

#[test]
fn a_list_beyond_five_hundred_rows_is_paged_under_a_megabyte() {
    let repo = Repo::base();
    for i in 0..1100 {
        repo.file(
            &format!("segs/s{i:04}.yaml"),
            &format!(
                "kind: segment\nid: s{i:04}\ntitle: Segment {i:04}\nsummary: {}\n",
                "words ".repeat(40)
            ),
        );
    }
    let site = build(&repo);
    let first = site.read("segment/index.html");
    let second = site.read("segment/index/2.html");
    let third = site.read("segment/index/3.html");
    for page in [&first, &second, &third] {
        assert!(page.len() < 1_000_000, "{} bytes", page.len());
    }
    assert_eq!(rows(&first).len(), 500);
    assert_eq!(rows(&second).len(), 500);
    // 1,100 of ours and the base's own segment.
    assert_eq!(rows(&third).len(), 101);
    assert!(first.contains("href=\"index/2.html\""), "pager");
    assert!(second.contains("href=\"../index.html\""), "pager");
    assert!(second.contains("href=\"../s0500.html\""), "{second}");
    assert!(second.contains("href=\"../../style.css\""), "root");
    assert!(html_words(element(&first, "pager")).contains("plan.json"));
}

/// In a browser, a click on a heading sorts the table by that column
/// (numbers as numbers, empty cells last), and a second click reverses it.
#[test]
fn a_click_on_a_list_heading_sorts_the_table() {
    use crate::browser::{Driver, browser_tools};
    let Some((driver_bin, browser_bin)) = browser_tools() else {
        crate::common::skip_unless_ci(
            "table sort test",
            "chromium and chromedriver are not installed",
        );
        return;
    };
    let repo = demand_repo();
    // RICE 229 (f1), 1,500 (f3), none (f2): as text "229" > "1,500".
    repo.file(
        "f3.md",
        "---\nkind: feature\nid: f3\ntitle: Feature Three\nstatus: idea\nrice:\n  reach: 1000\n  impact: 3\n  confidence: 1\n  effort: 2\n---\nText.\n",
    );
    let site = build(&repo);
    let profile = tempfile::tempdir().expect("tempdir");
    let driver = Driver::start(&driver_bin);
    let s = driver.session(&browser_bin, profile.path());
    let url = format!("file://{}", site.dir.join("feature/index.html").display());
    s.post("url", serde_json::json!({ "url": url }));
    let titles = "return Array.from(document.querySelectorAll('table.sortable tbody tr')).map(r => r.cells[0].textContent.trim());";
    let click_rice = "Array.from(document.querySelectorAll('table.sortable th button')).find(b => b.textContent === 'RICE').click();";
    s.script(click_rice);
    let asc = s.script(titles);
    assert_eq!(
        asc,
        serde_json::json!(["Feature One", "Feature Three", "Feature Two"])
    );
    s.script(click_rice);
    let desc = s.script(titles);
    assert_eq!(
        desc,
        serde_json::json!(["Feature Three", "Feature One", "Feature Two"])
    );
    let sorted = s.script(
        "return document.querySelector('th[aria-sort]').textContent + ' ' + document.querySelector('th[aria-sort]').getAttribute('aria-sort');",
    );
    assert_eq!(sorted, "RICE descending");
}

/// The north-star figure on home is written like every other number:
/// with thousands separators, and the target beside it.
#[test]
fn the_north_star_figure_has_thousands_separators() {
    let site = build(&Repo::example());
    let home = html_words(&site.read("index.html"));
    assert!(
        home.contains("52,300 writers → target 90,000"),
        "{}",
        home.get(home.find("NORTH").unwrap_or(0)..)
            .unwrap_or(&home)
            .chars()
            .take(300)
            .collect::<String>()
    );
}
