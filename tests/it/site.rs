//! The built site (docs/format.md §5, §7), asserted as a reader sees it: PRD
//! pages, the roadmap timeline, key results and charts, links and anchors
//! that resolve from any folder, sanitized documents, byte-identical
//! rebuilds, atomic output, the public audience, the data files and template
//! overrides.

use crate::common::{Repo, Run, example_source, run_in};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// Building

/// A site built into a temporary folder.
struct Built {
    _tmp: tempfile::TempDir,
    /// The copy of the example repository it was built from, if it was.
    _example: Option<Repo>,
    dir: PathBuf,
    run: Run,
}

impl Built {
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel} of the built site: {e}"))
    }

    fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).is_file()
    }

    fn plan(&self) -> Value {
        serde_json::from_str(&self.read("plan.json")).expect("plan.json is JSON")
    }
}

/// Builds `root` into `<tmp>/site` with extra arguments; asserts success.
fn build(root: &Path, extra: &[&str]) -> Built {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("site");
    let run = build_into(root, &dir, extra);
    assert_eq!(run.code, 0, "build failed:\n{}\n{}", run.stdout, run.stderr);
    Built {
        _tmp: tmp,
        _example: None,
        dir,
        run,
    }
}

fn build_into(root: &Path, out: &Path, extra: &[&str]) -> Run {
    let out = out.to_str().expect("utf-8 path");
    let mut args = vec!["build", "-o", out];
    args.extend_from_slice(extra);
    run_in(root, &args)
}

/// The example repository, built from a copy in a temporary folder.
fn example() -> Built {
    example_with(&[])
}

fn example_with(extra: &[&str]) -> Built {
    let repo = Repo::example();
    let mut built = build(repo.path(), extra);
    built._example = Some(repo);
    built
}

/// The names of the entries of `dir` (not recursive).
fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every file under `dir`, by `/`-separated relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .expect("under base")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn html_pages(dir: &Path) -> BTreeMap<String, String> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).expect("pages are UTF-8")))
        .collect()
}

// ---------------------------------------------------------------------------
// A small HTML reader: enough for the markup northstar writes (and for
// proving what a hostile document could not make it write).

#[derive(Debug, Clone)]
struct Tag {
    /// Lowercase name; closing tags are `/name`.
    name: String,
    attrs: Vec<(String, String)>,
    self_closing: bool,
    start: usize,
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|t| t == class))
    }

    fn num(&self, name: &str) -> f64 {
        self.attr(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("<{}> has no numeric {name}: {:?}", self.name, self.attrs))
    }
}

/// Decodes the character references northstar and ammonia write.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => {
                if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                    u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
                } else if let Some(d) = ent.strip_prefix('#') {
                    d.parse().ok().and_then(char::from_u32)
                } else {
                    None
                }
            }
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every start and end tag of `html`, in order, attributes decoded.
fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = html[i..].find('<') {
        let pos = i + p;
        if html[pos..].starts_with("<!--") {
            i = html[pos..].find("-->").map_or(b.len(), |e| pos + e + 3);
            continue;
        }
        if html[pos..].starts_with("<!") || html[pos..].starts_with("<?") {
            i = html[pos..].find('>').map_or(b.len(), |e| pos + e + 1);
            continue;
        }
        let closing = b.get(pos + 1) == Some(&b'/');
        let mut j = pos + 1 + usize::from(closing);
        if !b.get(j).is_some_and(u8::is_ascii_alphabetic) {
            i = pos + 1;
            continue;
        }
        let ns = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        let name = html[ns..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut self_closing = false;
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() {
                break;
            }
            if b[j] == b'>' {
                j += 1;
                break;
            }
            if b[j] == b'/' {
                self_closing = true;
                j += 1;
                continue;
            }
            let an = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let aname = html[an..j].to_ascii_lowercase();
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if b.get(j) == Some(&b'=') {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                match b.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let vs = j + 1;
                        let ve = html[vs..].find(q as char).map_or(b.len(), |e| vs + e);
                        value = decode(&html[vs..ve]);
                        j = (ve + 1).min(b.len());
                    }
                    _ => {
                        let vs = j;
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        value = decode(&html[vs..j]);
                    }
                }
            }
            if aname.is_empty() {
                j += 1;
            } else {
                attrs.push((aname, value));
            }
        }
        let tag = Tag {
            name: if closing { format!("/{name}") } else { name },
            attrs,
            self_closing,
            start: pos,
            end: j,
        };
        // Raw text: skip to the end tag so script or style text is not read as markup.
        let raw = matches!(tag.name.as_str(), "script" | "style");
        let tag_name = tag.name.clone();
        out.push(tag);
        i = j;
        if raw {
            let close = format!("</{tag_name}");
            if let Some(e) = html[i..].to_ascii_lowercase().find(&close) {
                i += e;
            }
        }
    }
    out
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The outer HTML of every element whose class list holds `class`.
fn elements<'h>(html: &'h str, class: &str) -> Vec<&'h str> {
    let all = tags(html);
    let mut out = Vec::new();
    for (k, t) in all.iter().enumerate() {
        if t.name.starts_with('/') || !t.has_class(class) {
            continue;
        }
        if t.self_closing || VOID.contains(&t.name.as_str()) {
            out.push(&html[t.start..t.end]);
            continue;
        }
        let close = format!("/{}", t.name);
        let mut depth = 0;
        let mut end = html.len();
        for u in &all[k + 1..] {
            if u.name == t.name && !u.self_closing {
                depth += 1;
            } else if u.name == close {
                if depth == 0 {
                    end = u.end;
                    break;
                }
                depth -= 1;
            }
        }
        out.push(&html[t.start..end]);
    }
    out
}

/// The first element with `class`, which must exist.
fn element<'h>(html: &'h str, class: &str, what: &str) -> &'h str {
    elements(html, class)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{what}: no element with class `{class}`"))
}

/// The text of a fragment: tags dropped, references decoded, spaces collapsed.
fn text(fragment: &str) -> String {
    let mut s = String::new();
    let mut last = 0;
    for t in tags(fragment) {
        s.push_str(&fragment[last..t.start]);
        s.push(' ');
        last = t.end;
    }
    s.push_str(&fragment[last..]);
    decode(&s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `href` in a fragment.
fn hrefs(fragment: &str) -> Vec<String> {
    tags(fragment)
        .iter()
        .filter_map(|t| t.attr("href").map(String::from))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves a relative URL path against the page at `page` (both relative
/// to the site root). None when it climbs out of the site.
fn resolve(page: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Whether a URL leaves the site (external schemes a reader may follow).
fn is_external(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("mailto:")
}

/// Checks every internal `href`, `src` and form `action` of every page of
/// a built site: relative, resolving to a file in the site, and every
/// `#anchor` an id of its target page. Returns the problems.
fn broken_links(dir: &Path) -> Vec<String> {
    let pages = html_pages(dir);
    let files: BTreeSet<String> = tree(dir).into_keys().collect();
    let mut ids: HashMap<&str, BTreeSet<String>> = HashMap::new();
    for (p, html) in &pages {
        let set = tags(html)
            .iter()
            .filter_map(|t| {
                t.attr("id")
                    .or_else(|| (t.name == "a").then(|| t.attr("name")).flatten())
            })
            .map(String::from)
            .collect();
        ids.insert(p.as_str(), set);
    }
    let mut problems = Vec::new();
    for (page, html) in &pages {
        for t in tags(html) {
            for (k, v) in &t.attrs {
                if !matches!(k.as_str(), "href" | "src" | "action" | "xlink:href") {
                    continue;
                }
                if v.starts_with('/') {
                    problems.push(format!("{page}: <{} {k}=\"{v}\"> is not relative", t.name));
                    continue;
                }
                if is_external(v) {
                    continue;
                }
                if let Some(colon) = v.find(':')
                    && !v[..colon].contains(['/', '?', '#'])
                {
                    problems.push(format!("{page}: <{} {k}=\"{v}\"> has a scheme", t.name));
                    continue;
                }
                let (path, frag) = match v.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (v.as_str(), None),
                };
                let path = path.split('?').next().unwrap_or_default();
                let target = if path.is_empty() {
                    page.clone()
                } else {
                    match resolve(page, &percent_decode(path)) {
                        Some(t) => t,
                        None => {
                            problems.push(format!("{page}: {k}=\"{v}\" leaves the site"));
                            continue;
                        }
                    }
                };
                let target = if target.is_empty() || files.contains(&format!("{target}/index.html"))
                {
                    // A folder link is served as its index.
                    if target.is_empty() {
                        "index.html".to_string()
                    } else {
                        format!("{target}/index.html")
                    }
                } else {
                    target
                };
                if !files.contains(&target) {
                    problems.push(format!("{page}: {k}=\"{v}\" -> missing {target}"));
                    continue;
                }
                if let Some(f) = frag.filter(|f| !f.is_empty()) {
                    let f = percent_decode(f);
                    match ids.get(target.as_str()) {
                        Some(set) if set.contains(&f) => {}
                        Some(_) => {
                            problems.push(format!("{page}: {k}=\"{v}\" -> no id `{f}` in {target}"))
                        }
                        None => problems.push(format!(
                            "{page}: {k}=\"{v}\" -> anchor into non-page {target}"
                        )),
                    }
                }
            }
        }
    }
    problems
}

/// The search index entries (`search-index.js` is a script holding JSON).
fn search_entries(site: &Built) -> Vec<Value> {
    let js = site.read("search-index.js");
    let json = js
        .trim()
        .strip_prefix("window.NORTHSTAR_SEARCH = ")
        .and_then(|s| s.strip_suffix(';'))
        .unwrap_or_else(|| {
            panic!(
                "unexpected search-index.js shape: {}",
                &js[..js.len().min(200)]
            )
        })
        .replace("<\\/", "</");
    serde_json::from_str::<Value>(&json)
        .expect("search index is JSON")
        .as_array()
        .cloned()
        .expect("search index is an array")
}

// ---------------------------------------------------------------------------
// The plan, read from plan.json (as written in the example repository).

fn docs(plan: &Value) -> Vec<Value> {
    plan["documents"].as_array().cloned().expect("documents")
}

fn doc<'p>(plan: &'p Value, id: &str) -> &'p Value {
    plan["documents"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["id"] == id))
        .unwrap_or_else(|| panic!("no document `{id}` in plan.json"))
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Document pages

#[test]
fn prd_page_shows_dependencies_dependents_rice_evidence_and_milestone() {
    let site = example();
    let plan = site.plan();
    let page = site.read("feature/sync-engine-v2.html");

    // Dependencies and dependents, as links to their pages.
    let deps = element(&page, "depends-on", "sync-engine-v2 dependencies");
    assert_eq!(hrefs(deps), ["../feature/offline-mode.html"], "{deps}");
    let dependents: BTreeSet<String> = hrefs(element(&page, "dependents", "dependents"))
        .into_iter()
        .collect();
    let expected: BTreeSet<String> = docs(&plan)
        .iter()
        .filter(|d| strs(&d["fields"]["depends_on"]).contains(&"sync-engine-v2".to_string()))
        .map(|d| format!("../feature/{}.html", d["id"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        expected,
        [
            "../feature/conflict-resolution-ui.html",
            "../feature/end-to-end-encryption.html"
        ]
        .map(String::from)
        .into_iter()
        .collect()
    );
    assert_eq!(dependents, expected);

    // RICE: reach × impact × confidence / effort, rounded to a whole number.
    let rice = &doc(&plan, "sync-engine-v2")["fields"]["rice"];
    let score = f64_of(&rice["reach"]) * f64_of(&rice["impact"]) * f64_of(&rice["confidence"])
        / f64_of(&rice["effort"]);
    // With a thousands separator, as every figure on the site.
    let shown = grouped(score.round() as u64);
    assert_eq!(shown, "8,914");
    let rice_el = text(element(&page, "rice-score", "RICE"));
    assert!(
        rice_el.split_whitespace().next() == Some(shown.as_str()),
        "RICE shown as `{rice_el}`, expected {shown}"
    );

    // Evidence: each insight with its count, and the demand total.
    let evidence = element(&page, "evidence", "evidence");
    assert!(
        hrefs(evidence).contains(&"../insight/ins-sync-conflicts-support.html".to_string()),
        "{evidence}"
    );
    assert!(text(evidence).contains("214 support tickets"), "{evidence}");
    assert!(
        text(element(&page, "demand", "demand")).contains("214 support tickets"),
        "demand"
    );

    // Milestone: linked, with its date.
    let ms = element(&page, "milestone", "milestone");
    assert_eq!(hrefs(ms), ["../milestone/r-2026-q4.html"], "{ms}");
    assert!(text(ms).contains("8 Dec 2026"), "{ms}");
    assert!(text(ms).contains("Sync you can trust"), "{ms}");
}

/// Evidence rows and the demand of every feature, against counts computed
/// here from the insights in plan.json (count defaults to 1), in their
/// units: support tickets apart from customers, and analytics or market
/// research without a count as findings, never added together.
#[test]
fn evidence_rows_carry_customer_counts_and_sum_to_the_demand() {
    let checked_multi = assert_evidence(&example());
    assert!(
        checked_multi,
        "the example should have a feature with two insights"
    );
}

/// A count with thousands separators, as the site writes it.
fn grouped(n: u64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An insight's unit (singular, plural) and count, as the site counts it.
fn evidence_unit(insight: &Value) -> (&'static str, &'static str, u64) {
    let f = &insight["fields"];
    match (f["source"].as_str(), f["count"].as_u64()) {
        (Some("support"), c) => ("support ticket", "support tickets", c.unwrap_or(1)),
        (Some("analytics" | "market-research"), None) => {
            ("research finding", "research findings", 1)
        }
        (_, c) => ("customer", "customers", c.unwrap_or(1)),
    }
}

/// Checks every feature page of a site against its plan.json; whether a
/// feature with several insights was among them.
fn assert_evidence(site: &Built) -> bool {
    let plan = site.plan();
    let mut checked_multi = false;
    for f in docs(&plan).iter().filter(|d| d["kind"] == "feature") {
        let id = f["id"].as_str().expect("id");
        let insights: Vec<(String, (&str, &str, u64), u64)> = docs(&plan)
            .iter()
            .filter(|d| {
                d["kind"] == "insight" && strs(&d["fields"]["features"]).contains(&id.to_string())
            })
            .map(|d| {
                (
                    d["id"].as_str().unwrap_or_default().to_string(),
                    evidence_unit(d),
                    d["fields"]["count"].as_u64().unwrap_or(1),
                )
            })
            .collect();
        // plan.json's demand is the sum of counts its schema defines.
        let total: u64 = insights.iter().map(|(_, _, c)| c).sum();
        assert_eq!(
            f["demand"].as_u64(),
            Some(total),
            "plan.json demand of {id}"
        );
        let page = site.read(&format!("feature/{id}.html"));
        let evidence = element(&page, "evidence", id);
        // Rows of the evidence table (the header row holds no cells).
        let trs: Vec<&str> = evidence
            .split("<tr")
            .skip(1)
            .filter(|r| r.contains("<td"))
            .collect();
        if insights.is_empty() {
            assert!(
                trs.is_empty(),
                "{id}: evidence rows without insights: {evidence}"
            );
            for d in elements(&page, "demand") {
                assert!(
                    text(d).starts_with("no evidence"),
                    "{id}: demand `{}` with no evidence",
                    text(d)
                );
            }
            continue;
        }
        // One row per insight: its link and its count in the same row.
        let mut by_unit: BTreeMap<&str, u64> = BTreeMap::new();
        for (ins, (one, many, n), _) in &insights {
            let href = format!("../insight/{ins}.html");
            let row = trs
                .iter()
                .find(|r| hrefs(&format!("<tr{r}")).contains(&href))
                .unwrap_or_else(|| panic!("{id}: no evidence row for {ins}: {evidence}"));
            let last_cell = row.rsplit("<td").next().map(|c| text(&format!("<td{c}")));
            let unit = if *n == 1 { one } else { many };
            assert_eq!(
                last_cell,
                Some(format!("{} {unit}", grouped(*n))),
                "{id}: count of {ins} in `{row}`"
            );
            *by_unit.entry(many).or_default() += n;
        }
        // One total row per unit, never one sum of them.
        let foot = text(evidence.split("<tfoot>").nth(1).expect("a total row"));
        let figure = text(element(&page, "demand", id));
        for (unit, n) in &by_unit {
            let shown = format!(
                "{} {}",
                grouped(*n),
                if *n == 1 {
                    unit.trim_end_matches('s')
                } else {
                    unit
                }
            );
            assert!(foot.contains(&shown), "{id}: `{shown}` in `{foot}`");
            assert!(figure.contains(&shown), "{id}: `{shown}` in `{figure}`");
        }
        if by_unit.len() > 1 {
            assert!(
                !figure.contains(&grouped(total)),
                "{id}: units added in `{figure}`"
            );
        }
        checked_multi |= insights.len() > 1;
    }
    checked_multi
}

#[test]
fn objective_page_shows_key_result_progress() {
    let site = example();
    let plan = site.plan();
    let o = doc(&plan, "trustworthy-sync");
    let page = site.read("objective/trustworthy-sync.html");
    let krs = elements(&page, "kr");
    let written = o["fields"]["key_results"].as_array().expect("key results");
    assert_eq!(krs.len(), written.len(), "one block per key result");
    // Period 2026-H2 with today 2026-11-01: 123 of 184 days elapsed (0.67).
    // KR 1 is 41% done (< 0.67 - 0.25): off track; KR 2 is 56%: at risk.
    let statuses = ["off-track", "at-risk"];
    for ((kr, block), status) in written.iter().zip(&krs).zip(statuses) {
        let (b, t, c) = (
            f64_of(&kr["baseline"]),
            f64_of(&kr["target"]),
            f64_of(&kr["current"]),
        );
        let pct = ((c - b) / (t - b) * 100.0).round() as i64;
        let words = text(block);
        assert!(
            words.contains(kr["title"].as_str().expect("title")),
            "{words}"
        );
        assert!(words.contains(&format!("{pct}%")), "{pct}% in `{words}`");
        assert!(words.contains(status), "{status} in `{words}`");
        let bar = tags(block)
            .into_iter()
            .find(|t| t.attr("role") == Some("progressbar"))
            .unwrap_or_else(|| panic!("no progress bar in {block}"));
        assert_eq!(bar.attr("aria-valuenow"), Some(pct.to_string().as_str()));
        let metric = kr["metric"].as_str().expect("metric");
        assert!(
            hrefs(block).contains(&format!("../metric/{metric}.html")),
            "{block}"
        );
    }
    assert_eq!(
        krs.iter()
            .map(|k| text(k))
            .filter(|t| t.contains("41%"))
            .count(),
        1
    );
}

#[test]
fn metric_pages_have_a_chart_of_their_readings() {
    let site = example();
    let plan = site.plan();
    let mut charts = 0;
    for m in docs(&plan).iter().filter(|d| d["kind"] == "metric") {
        let id = m["id"].as_str().expect("id");
        let page = site.read(&format!("metric/{id}.html"));
        let readings = m["fields"]["readings"].as_array().map_or(0, Vec::len);
        if readings == 0 && m["fields"]["current"].is_null() {
            continue;
        }
        let chart = element(&page, "chart", id);
        assert!(chart.starts_with("<svg class=\"chart\""), "{id}: {chart}");
        let points = tags(chart).iter().filter(|t| t.has_class("point")).count();
        assert!(
            points >= readings,
            "{id}: {points} points for {readings} readings"
        );
        charts += 1;
    }
    assert!(charts >= 5, "only {charts} metric charts");
}

#[test]
fn every_document_has_a_page_including_user_defined_kinds() {
    let site = example();
    let plan = site.plan();
    let all = docs(&plan);
    // The count the build reported, independent of plan.json.
    let out = format!("{}{}", site.run.stdout, site.run.stderr);
    let reported: usize = out
        .split("checked ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no document count in: {out}"));
    assert_eq!(all.len(), reported);
    for d in &all {
        let (kind, id) = (
            d["kind"].as_str().expect("kind"),
            d["id"].as_str().expect("id"),
        );
        let rel = format!("{kind}/{id}.html");
        assert_eq!(d["url"], rel.as_str());
        let page = site.read(&rel);
        let title = d["title"].as_str().expect("title");
        let h1 = tags(&page).into_iter().find(|t| t.name == "h1").map(|t| {
            let close = page[t.end..].find("</h1>").expect("</h1>");
            text(&page[t.end..t.end + close])
        });
        assert_eq!(h1.as_deref(), Some(title), "{rel}");
    }
    let pages = html_pages(&site.dir)
        .into_keys()
        .filter(|p| p.contains('/') && !p.ends_with("/index.html"))
        .count();
    assert_eq!(pages, reported, "one page per document, no more");

    // The user-defined kind: a page, a list page, its references linked.
    let exp = site.read("experiment/exp-checklist-vs-tour.html");
    let links = hrefs(&exp);
    for want in [
        "../feature/onboarding-checklist.html",
        "../metric/activation-rate.html",
        "../person/aiko-tanaka.html",
    ] {
        assert!(
            links.contains(&want.to_string()),
            "{want} in experiment page"
        );
    }
    assert!(text(&exp).contains("checklist that ends with sharing a note"));
    let list = site.read("experiment/index.html");
    assert!(hrefs(&list).contains(&"exp-instant-search-prefetch.html".to_string()));
    // The experiment shows up among the feature's backlinks.
    let f = site.read("feature/onboarding-checklist.html");
    assert!(hrefs(&f).contains(&"../experiment/exp-checklist-vs-tour.html".to_string()));
    // Excluded drafts get no page.
    assert!(!site.exists("feature/shared-whiteboards.html"));
}

// ---------------------------------------------------------------------------
// The roadmap timeline

#[derive(Debug)]
struct Lane {
    title: String,
    y: f64,
    h: f64,
}

#[derive(Debug)]
struct Timeline {
    lanes: Vec<Lane>,
    /// x of every milestone line, in document order.
    lines: Vec<f64>,
    /// Milestone id -> x of its label's anchor point.
    labels: Vec<(String, f64)>,
    /// The words of each collapsed label's title (the milestones in it).
    collapsed: Vec<String>,
    /// Feature id -> (x, y, height) of its box.
    items: Vec<(String, f64, f64, f64)>,
}

/// Reads the roadmap's timeline: lanes (rect + label), milestone lines and
/// labels, and the feature boxes (`<a href="feature/ID.html"><g class="item">
/// … <rect x y>`).
fn timeline(page: &str) -> Timeline {
    let svg = element(page, "timeline", "roadmap timeline");
    assert!(svg.starts_with("<svg"), "{svg}");
    let all = tags(svg);
    let mut t = Timeline {
        lanes: Vec::new(),
        lines: Vec::new(),
        labels: Vec::new(),
        collapsed: Vec::new(),
        items: Vec::new(),
    };
    // Lane backgrounds come first, their names (drawn over the bars) last.
    let mut lane_rects: std::collections::VecDeque<(f64, f64)> = Default::default();
    let mut link: Option<String> = None;
    let mut in_item = false;
    for (k, tag) in all.iter().enumerate() {
        match tag.name.as_str() {
            "rect" if tag.has_class("lane") => {
                lane_rects.push_back((tag.num("y"), tag.num("height")))
            }
            "text" if tag.has_class("lane-label") => {
                let (y, h) = lane_rects.pop_front().expect("a lane label has its lane");
                // The label's own words, not its tooltip.
                let close = all[k..]
                    .iter()
                    .find(|c| c.name == "/text")
                    .expect("</text>");
                let inner = &svg[tag.end..close.start];
                let shown = match (inner.find("<title"), inner.find("</title>")) {
                    (Some(a), Some(b)) => format!("{}{}", &inner[..a], &inner[b + 8..]),
                    _ => inner.to_string(),
                };
                t.lanes.push(Lane {
                    title: text(&shown),
                    y,
                    h,
                });
            }
            "line" if tag.has_class("milestone") => {
                assert_eq!(tag.num("x1"), tag.num("x2"), "milestone lines are vertical");
                t.lines.push(tag.num("x1"));
            }
            "a" => link = tag.attr("href").map(String::from),
            "/a" => link = None,
            // Milestone labels at the default zoom: one milestone's, in a
            // link to its page, or several collapsed into one.
            "g" if tag.has_class("milestone-label") && tag.has_class("z-quarter") => {
                let close = svg[tag.end..].find("</g>").expect("</g>") + tag.end;
                let inner = &svg[tag.end..close];
                let x = tags(inner)
                    .into_iter()
                    .find(|t| t.has_class("milestone-title"))
                    .expect("a label's title")
                    .num("x");
                match link.as_deref() {
                    Some(href) => {
                        let id = href
                            .strip_prefix("milestone/")
                            .and_then(|s| s.strip_suffix(".html"))
                            .unwrap_or_else(|| {
                                panic!("milestone label in a link elsewhere: {href}")
                            });
                        t.labels.push((id.to_string(), x));
                    }
                    None => {
                        assert!(
                            tag.has_class("collapsed"),
                            "an unlinked label collapses several"
                        );
                        t.collapsed
                            .push(text(&inner[..inner.find("</title>").expect("its title")]));
                    }
                }
            }
            "g" if tag.has_class("item") => in_item = true,
            // The item's end: its marker's tip or its bar's end tick, at
            // its target.
            "path" if in_item && (tag.has_class("marker") || tag.has_class("end-tick")) => {
                let href = link.as_deref().unwrap_or_default();
                let id = href
                    .strip_prefix("feature/")
                    .and_then(|s| s.strip_suffix(".html"))
                    .unwrap_or_else(|| panic!("item outside a feature link: {href}"));
                let x = tag
                    .attr("transform")
                    .and_then(|t| t.strip_prefix("translate("))
                    .and_then(|t| t.split_whitespace().next())
                    .and_then(|x| x.parse::<f64>().ok())
                    .expect("translate(x y)");
                t.items
                    .push((id.to_string(), x, tag.num("data-y") - 12.0, 24.0));
                in_item = false;
            }
            _ => {}
        }
    }
    t
}

#[test]
fn roadmap_places_features_in_their_milestone_and_team_lane() {
    let site = example();
    let plan = site.plan();
    let tl = timeline(&site.read("roadmap.html"));
    let by_id = |id: &str| doc(&plan, id).clone();

    // Lanes: one per team by title, then "Unassigned".
    let mut teams: Vec<String> = docs(&plan)
        .iter()
        .filter(|d| d["kind"] == "team")
        .map(|d| d["title"].as_str().unwrap_or_default().to_string())
        .collect();
    teams.sort();
    teams.push("Unassigned".into());
    let lane_titles: Vec<&str> = tl.lanes.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(lane_titles, teams);
    for w in tl.lanes.windows(2) {
        assert!(w[0].y + w[0].h <= w[1].y, "lanes overlap: {w:?}");
    }

    // Milestones: every dated, non-cancelled one, left to right by date.
    let mut ms: Vec<(String, String)> = docs(&plan)
        .iter()
        .filter(|d| d["kind"] == "milestone" && d["fields"]["status"] != "cancelled")
        .map(|d| {
            (
                d["fields"]["date"].as_str().expect("date").to_string(),
                d["id"].as_str().expect("id").to_string(),
            )
        })
        .collect();
    ms.sort();
    // One line per milestone; left to right they are in date order.
    let mut lines = tl.lines.clone();
    lines.sort_by(f64::total_cmp);
    lines.dedup();
    assert_eq!(
        lines.len(),
        ms.len(),
        "one line per milestone: {:?}",
        tl.lines
    );
    let mx: HashMap<&str, f64> = ms
        .iter()
        .zip(&lines)
        .map(|((_, id), x)| (id.as_str(), *x))
        .collect();
    // Each milestone's label (a link to its page) sits at its own line;
    // labels that would overlap collapse into one that lists them.
    let labelled: BTreeSet<&str> = tl.labels.iter().map(|(id, _)| id.as_str()).collect();
    for (_, id) in &ms {
        let title = by_id(id)["title"].as_str().expect("title").to_string();
        assert!(
            labelled.contains(id.as_str()) || tl.collapsed.iter().any(|c| c.contains(&title)),
            "milestone {id} has no label: {:?} {:?}",
            tl.labels,
            tl.collapsed
        );
    }
    for (id, lx) in &tl.labels {
        let nearest = lines
            .iter()
            .copied()
            .min_by(|a, b| (a - lx).abs().total_cmp(&(b - lx).abs()))
            .expect("a line");
        assert_eq!(nearest, mx[id.as_str()], "label of {id} at x={lx}");
        assert!(
            (nearest - lx).abs() <= 8.0,
            "label of {id} at x={lx}, line at {nearest}"
        );
    }

    // Features: every scheduled, not declined one, ending at its
    // milestone's line, in its team's lane.
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for f in docs(&plan).iter().filter(|d| d["kind"] == "feature") {
        if f["fields"]["status"] != "declined" && f["fields"]["milestone"].is_string() {
            expected.insert(f["id"].as_str().expect("id").to_string());
        }
    }
    let drawn: BTreeSet<String> = tl.items.iter().map(|(i, _, _, _)| i.clone()).collect();
    assert_eq!(drawn, expected);
    assert!(expected.len() >= 10, "{expected:?}");
    for (id, x, y, h) in &tl.items {
        let f = by_id(id);
        let m = f["fields"]["milestone"].as_str().expect("milestone");
        let want_x = mx[m];
        assert!(
            (x - want_x).abs() < 0.05,
            "{id}: ends at x={x}, its milestone {m} at x={want_x}"
        );
        let lane_title = match f["fields"]["team"].as_str() {
            Some(team) => by_id(team)["title"].as_str().expect("title").to_string(),
            None => "Unassigned".to_string(),
        };
        let lane = tl
            .lanes
            .iter()
            .find(|l| l.title == lane_title)
            .unwrap_or_else(|| panic!("no lane {lane_title}"));
        assert!(
            *y >= lane.y && *y + *h <= lane.y + lane.h,
            "{id}: box at y={y} outside lane {lane:?}"
        );
    }
    // A few facts spelled out, so a wrong plan.json cannot hide a wrong SVG.
    let at = |id: &str| {
        tl.items
            .iter()
            .find(|(i, _, _, _)| i == id)
            .map(|(_, x, y, _)| (*x, *y))
            .expect("drawn")
    };
    let lane = |title: &str| tl.lanes.iter().find(|l| l.title == title).expect("lane");
    let (x, y) = at("sync-engine-v2");
    assert!((x - mx["r-2026-q4"]).abs() < 0.05);
    let es = lane("Editor & Sync");
    assert!(y >= es.y && y < es.y + es.h);
    let (x, y) = at("ai-summaries");
    assert!((x - mx["r-2027-q2"]).abs() < 0.05);
    let kn = lane("Knowledge");
    assert!(y >= kn.y && y < kn.y + kn.h);
}

// ---------------------------------------------------------------------------
// Links

#[test]
fn every_internal_link_and_anchor_of_the_example_site_resolves() {
    let site = example();
    let problems = broken_links(&site.dir);
    assert!(
        problems.is_empty(),
        "{} broken:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Anchors the example relies on are really checked.
    let page = site.read("feature/sync-engine-v2.html");
    assert!(hrefs(&page).contains(&"../objective/trustworthy-sync.html#key-results".to_string()));
    // Search results link to pages that exist.
    for e in search_entries(&site) {
        let u = e["u"].as_str().expect("u");
        assert!(!u.starts_with('/'), "{u}");
        assert!(site.exists(u), "search entry {u} has no page");
    }
    // Linked images are copied in.
    assert!(site.exists("files/plans/assets/funnel.png"));
}

#[test]
fn the_link_checker_catches_what_it_should() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let w = |p: &str, s: &str| {
        let path = tmp.path().join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, s).expect("write");
    };
    w(
        "index.html",
        "<a href=\"a/b.html#x\">ok</a><a href=\"a/b.html#nope\">1</a><a href=\"/abs.html\">2</a><a href=\"missing.html\">3</a><img src=\"../up.png\"><a href=\"#top\">4</a><a href=\"javascript:x\">5</a>",
    );
    w(
        "a/b.html",
        "<h2 id=\"x\">X</h2><a href='../index.html'>ok</a><a href=\"https://e.x\">ok</a>",
    );
    let problems = broken_links(tmp.path());
    assert_eq!(problems.len(), 6, "{problems:#?}");
}

// ---------------------------------------------------------------------------
// Sanitization

const HOSTILE_BODY: &str = r#"
<script>alert(1)</script>

<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>

<img src=x onerror=alert(1)>

<img src="x" ONERROR="alert(1)">

[x](javascript:alert(1))

[y](JAVASCRIPT:alert(1))

[z]( javascript:alert(1) )

![i](javascript:alert(1))

<iframe src="https://evil.example"></iframe>

<a href="javascript:alert(1)">a</a>

<a href="jav&#x09;ascript:alert(1)">tab</a>

<svg onload=alert(1)><script>alert(1)</script></svg>

<div style="background:url(javascript:alert(1))" onclick="alert(1)">s</div>

<object data="x.swf"></object><embed src="x.swf">

<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">b</button></form>

<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>

<base href="javascript:alert(1)//">

<meta http-equiv="refresh" content="0;url=javascript:alert(1)">

[[obj|<script>alert(1)</script>]]

[ref]

[ref]: javascript:alert(1)

## <img src=x onerror=alert(1)> heading
"#;

fn hostile_repo() -> Repo {
    let repo = Repo::base();
    repo.file(
        "evil.md",
        &format!(
            r#"---
kind: feature
title: "<script>alert(1)</script> Evil <img src=x onerror=alert(1)>"
summary: "<iframe src=https://evil.example></iframe> <a href=\"javascript:alert(2)\">x</a>"
status: idea
objectives: [obj]
tags: ["<script>alert(3)</script>", "<img src=x onerror=alert(4)>", "\"><iframe>"]
links:
  - title: "<script>alert(5)</script>"
    url: "javascript:alert(1)"
  - title: mixed case
    url: " JaVaScRiPt:alert(1)"
  - title: data
    url: "data:text/html,<script>alert(1)</script>"
  - title: "<b onmouseover=alert(1)>fine</b>"
    url: "https://example.com/\"onmouseover=\"alert(1)"
---
{HOSTILE_BODY}"#
        ),
    );
    repo.file(
        "exp-schema.json",
        r#"{"type": "object", "properties": {"note": {"type": "string"}, "home": {"type": "string"}}}"#,
    );
    repo.file(
        "northstar.yaml",
        "product: \"<script>alert(1)</script>\"\ntoday: 2026-11-01\nsite:\n  title: \"<iframe src=x></iframe>\"\n  edit_url: \"javascript:alert(1)//{path}\"\nkinds:\n  experiment:\n    schema: exp-schema.json\n",
    );
    repo.file(
        "exp.md",
        &format!(
            "---\nkind: experiment\ntitle: \"<img src=x onerror=alert(1)>\"\nnote: \"<script>alert(1)</script>\"\nhome: \"javascript:alert(1)\"\n---\n{HOSTILE_BODY}"
        ),
    );
    repo.file(
        "m-evil.yaml",
        "kind: metric\nid: m-evil\ntitle: \"<svg onload=alert(1)>\"\nunit: \"<script>alert(1)</script>\"\ndirection: increase\nsource: \"javascript:alert(1)\"\ntarget: 3\nreadings:\n  - {date: 2026-01-01, value: 1}\n  - {date: 2026-02-01, value: 2}\n",
    );
    repo.file(
        "bob.yaml",
        "kind: person\nid: bob\ntitle: \"Bob <script>alert(1)</script>\"\nemail: \"\\\"><script>alert(1)</script>@x.io\"\n",
    );
    // A schema error whose message names a hostile key: the health page
    // shows it.
    repo.file(
        "seg2.yaml",
        "kind: segment\nid: seg2\ntitle: S2\n\"<script>alert(1)</script>\": 1\ndescription: \"[x](javascript:alert(1))\"\n",
    );
    repo
}

/// The attribute names and values that can run script.
fn script_vectors(page: &str, html: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let lower = html.to_ascii_lowercase();
    for t in tags(html) {
        let name = t.name.trim_start_matches('/');
        if matches!(
            name,
            "iframe" | "object" | "embed" | "frame" | "frameset" | "base" | "applet"
        ) || (name == "meta" && t.attr("http-equiv").is_some())
        {
            bad.push(format!("{page}: <{}>", t.name));
        }
        if t.name == "script" {
            let src = t.attr("src").unwrap_or_default();
            if !(src.ends_with("roadmap-data.js") || src.ends_with("site.js")) || src.contains(':')
            {
                bad.push(format!("{page}: <script src=\"{src}\">"));
            }
        }
        for (k, v) in &t.attrs {
            if k.starts_with("on") {
                bad.push(format!("{page}: <{} {k}=…>", t.name));
            }
            if k == "style" && !v.starts_with("width:") && !v.starts_with("text-align:") {
                bad.push(format!("{page}: <{} style=\"{v}\">", t.name));
            }
            let squashed: String = v
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if squashed.contains("javascript:")
                || squashed.contains("vbscript:")
                || (squashed.starts_with("data:") && k != "content")
            {
                bad.push(format!("{page}: <{} {k}=\"{v}\">", t.name));
            }
        }
    }
    // Then the raw text, as a browser reads it: escaped text is `&lt;…`.
    // site.js on every page, roadmap-data.js on the roadmap.
    let scripts = lower.matches("<script").count();
    if scripts != 1 + usize::from(page == "roadmap.html") {
        bad.push(format!("{page}: {scripts} <script tags"));
    }
    for needle in ["<iframe", "<object", "<embed", "<svg onload"] {
        if lower.contains(needle) {
            bad.push(format!("{page}: raw `{needle}`"));
        }
    }
    bad
}

#[test]
fn nothing_in_a_document_can_run_script_in_the_site() {
    let repo = hostile_repo();
    let site = build(repo.path(), &["--allow-errors"]);
    let pages = html_pages(&site.dir);
    assert!(
        pages.contains_key("feature/evil.html"),
        "{:?}",
        pages.keys()
    );
    assert!(pages.contains_key("experiment/exp.html"));
    assert!(pages.contains_key("metric/m-evil.html"));
    assert!(pages.contains_key("health.html"));
    let mut bad = Vec::new();
    for (p, html) in &pages {
        bad.extend(script_vectors(p, html));
        // No `onerror=` or `javascript:` inside a tag: an escaped title may
        // say `onerror=` as text, but no tag carries it.
        for t in tags(html) {
            let raw = html[t.start..t.end].to_ascii_lowercase();
            if raw.contains("onerror=") || raw.contains("javascript:") {
                bad.push(format!("{p}: tag `{raw}`"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));

    // The hostile text is shown, escaped, not dropped.
    let evil = &pages["feature/evil.html"];
    assert!(
        evil.contains("&lt;script&gt;alert(1)&lt;/script&gt; Evil"),
        "title not shown escaped"
    );
    // The health page shows seg2's diagnostics themselves (rule, message,
    // position), the hostile key as text.
    let shown = health_lines(&pages["health.html"]);
    let seg2: Vec<String> = repo
        .diagnostics()
        .iter()
        .filter(|d| d["file"] == "seg2.yaml")
        .map(|d| {
            format!(
                "({}, line {})",
                d["rule"].as_str().unwrap_or_default(),
                d["line"]
            )
        })
        .collect();
    assert!(!seg2.is_empty(), "seg2.yaml has no diagnostic");
    for d in &seg2 {
        assert!(
            shown.iter().any(|s| s.contains(d.as_str())),
            "the health page lacks `{d}`; it shows:\n{}",
            shown.join("\n")
        );
    }
    // No field link with a dangerous URL is kept; the https one is.
    let links: Vec<String> = hrefs(evil);
    assert!(
        links.iter().any(|h| h.starts_with("https://example.com/")),
        "{links:?}"
    );
    // The site's own links still resolve (the hostile `<img src=x>` is
    // the author's own broken image, kept without its handler).
    let problems: Vec<String> = broken_links(&site.dir)
        .into_iter()
        .filter(|p| !p.contains("src=\"x\" -> missing"))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Non-HTML files that a browser might run as script or markup.
    let feed = site.read("feed.xml");
    assert!(!feed.to_ascii_lowercase().contains("<script"), "{feed}");
    let js = site.read("search-index.js");
    assert!(
        !js.contains("</script"),
        "search index can close a script element"
    );
    assert_eq!(js.lines().count(), 1, "the index is one statement");
    assert!(js.starts_with("window.NORTHSTAR_SEARCH = ["));
}

// ---------------------------------------------------------------------------
// Determinism and atomic output

#[test]
fn two_builds_are_byte_identical() {
    let a = example();
    let b = example();
    let ta = tree(&a.dir);
    let tb = tree(&b.dir);
    assert_eq!(
        ta.keys().collect::<Vec<_>>(),
        tb.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (p, bytes) in &ta {
        assert!(bytes == &tb[p], "{p} differs between two builds");
    }
    assert!(ta.len() > 90, "{} files", ta.len());
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let repo = Repo::base();
    repo.file(
        "feat.md",
        "---\nkind: feature\ntitle: Feat\nstatus: idea\nobjectives: [obj]\n---\nBody.\n",
    );
    let out_tmp = tempfile::tempdir().expect("tempdir");
    let out = out_tmp.path().join("out");
    let first = build_into(repo.path(), &out, &[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let before = tree(&out);
    assert!(before.contains_key("feature/feat.html"));
    assert!(before.contains_key(".northstar-site"));

    // Errors in the plans: exit 1, nothing written.
    repo.file(
        "broken.md",
        "---\nkind: feature\ntitle: Broken\nstatus: nonsense\ndepends_on: [nowhere]\n---\n",
    );
    let second = build_into(repo.path(), &out, &[]);
    assert_eq!(second.code, 1, "{}{}", second.stdout, second.stderr);
    assert_eq!(tree(&out), before, "the failed build changed the site");

    // A template that fails to render: the build fails, the site stays.
    std::fs::remove_file(repo.join("broken.md")).expect("rm");
    repo.file("templates/kind.hbs", "{{#each page.items}}unclosed");
    let third = build_into(repo.path(), &out, &[]);
    assert_ne!(third.code, 0, "{}{}", third.stdout, third.stderr);
    assert_eq!(tree(&out), before, "the failed render changed the site");
    // No temporary folders left beside it.
    let left = names_in(out_tmp.path());
    assert_eq!(left, ["out"], "{left:?}");

    // A template that compiles but fails while pages are being written
    // (other pages are already in the staging folder by then): the site
    // stays, and the staging folder is gone.
    std::fs::remove_file(repo.join("templates/kind.hbs")).expect("rm");
    repo.file(
        "templates/document.hbs",
        "<h1>{{no_such_helper page.title}}</h1>",
    );
    let midway = build_into(repo.path(), &out, &[]);
    assert_ne!(midway.code, 0, "{}{}", midway.stdout, midway.stderr);
    assert!(
        midway.stderr.contains("no_such_helper"),
        "the error names the helper: {}",
        midway.stderr
    );
    assert_eq!(tree(&out), before, "the failed render changed the site");
    let left = names_in(out_tmp.path());
    assert_eq!(left, ["out"], "{left:?}");
    std::fs::remove_file(repo.join("templates/document.hbs")).expect("rm");

    // With the plans fixed, the next build replaces the site.
    repo.file(
        "feat2.md",
        "---\nkind: feature\ntitle: Feat two\nstatus: idea\nobjectives: [obj]\n---\n",
    );
    let fourth = build_into(repo.path(), &out, &[]);
    assert_eq!(fourth.code, 0, "{}{}", fourth.stdout, fourth.stderr);
    assert!(out.join("feature/feat2.html").is_file());
}

#[test]
fn a_build_failing_midway_leaves_the_previous_site_byte_identical_and_complete() {
    let repo = Repo::base();
    repo.file(
        "feat.md",
        "---\nkind: feature\ntitle: Feat\nstatus: idea\nobjectives: [obj]\n---\nBody.\n",
    );
    let out_tmp = tempfile::tempdir().expect("tempdir");
    let out = out_tmp.path().join("out");
    let first = build_into(repo.path(), &out, &[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let before = tree(&out);
    assert!(before.len() > 20, "{:?}", before.keys());

    // Every page of the next build differs (the product's name is in the
    // header of each), and it fails only once the home, the roadmap and
    // every document page are rendered: the kind lists come late and
    // their override calls a helper that does not exist.
    repo.file(
        "northstar.yaml",
        "product: Renamed Product\ntoday: 2026-11-01\n",
    );
    repo.file(
        "feat.md",
        "---\nkind: feature\ntitle: Feat renamed\nstatus: idea\nobjectives: [obj]\n---\nBody.\n",
    );
    repo.file(
        "templates/kind.hbs",
        "<h1>{{no_such_helper page.kind}}</h1>",
    );
    let failed = build_into(repo.path(), &out, &[]);
    assert_ne!(failed.code, 0, "{}{}", failed.stdout, failed.stderr);
    assert!(
        failed.stderr.contains("no_such_helper"),
        "the error names the helper: {}",
        failed.stderr
    );
    let after = tree(&out);
    let changed: Vec<&String> = before
        .iter()
        .filter(|(p, bytes)| after.get(*p) != Some(*bytes))
        .map(|(p, _)| p)
        .chain(after.keys().filter(|p| !before.contains_key(*p)))
        .collect();
    assert!(
        changed.is_empty(),
        "the failed build changed, removed or added: {changed:?}"
    );
    assert_eq!(
        names_in(out_tmp.path()),
        ["out"],
        "a leftover beside the site"
    );
}

#[test]
fn a_rebuild_drops_the_pages_of_deleted_documents() {
    let repo = Repo::base();
    let feature = |title: &str| {
        format!("---\nkind: feature\ntitle: {title}\nstatus: idea\nobjectives: [obj]\n---\nBody.\n")
    };
    repo.file("keep.md", &feature("Kept feature"))
        .file("gone.md", &feature("Deleted feature"));
    let out_tmp = tempfile::tempdir().expect("tempdir");
    let out = out_tmp.path().join("site");
    let first = build_into(repo.path(), &out, &[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(out.join("feature/gone.html").is_file());

    std::fs::remove_file(repo.join("gone.md")).expect("rm");
    let second = build_into(repo.path(), &out, &[]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert!(
        !out.join("feature/gone.html").exists(),
        "the deleted document's page is still published"
    );
    assert!(out.join("feature/keep.html").is_file());
    let list = std::fs::read_to_string(out.join("feature/index.html")).expect("feature list");
    assert!(text(&list).contains("Kept feature"), "{list}");
    for (p, html) in html_pages(&out) {
        assert!(!html.contains("Deleted feature"), "{p} still names it");
        assert!(!html.contains("gone.html"), "{p} still links to it");
    }
    assert_eq!(names_in(out_tmp.path()), ["site"]);
}

#[test]
fn refuses_to_write_over_a_foreign_folder_or_the_plans() {
    let repo = Repo::base();
    let tmp = tempfile::tempdir().expect("tempdir");

    // A non-empty folder without the marker.
    let foreign = tmp.path().join("mine");
    std::fs::create_dir_all(foreign.join("sub")).expect("mkdir");
    std::fs::write(foreign.join("notes.txt"), "keep me").expect("write");
    std::fs::write(foreign.join("sub/index.html"), "mine").expect("write");
    let before = tree(&foreign);
    let run = build_into(repo.path(), &foreign, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert_eq!(tree(&foreign), before);

    // The plans root itself, and a folder holding it (a temporary one of
    // ours, so that a regression could only ever replace that).
    let plans_before = tree(repo.path());
    let outer = tempfile::tempdir().expect("tempdir");
    let nested = outer.path().join("plans");
    std::fs::create_dir(&nested).expect("mkdir");
    for (path, text) in crate::common::BASE {
        std::fs::write(nested.join(path), text).expect("write");
    }
    let outer_before = tree(outer.path());
    for (root, target) in [
        (repo.path(), repo.path().to_path_buf()),
        (nested.as_path(), outer.path().to_path_buf()),
    ] {
        let run = build_into(root, &target, &[]);
        assert_eq!(
            run.code,
            2,
            "{}: {}{}",
            target.display(),
            run.stdout,
            run.stderr
        );
        // Refused for holding the plans, not only for being a folder
        // northstar did not write.
        assert!(run.stderr.contains("it holds the plans"), "{}", run.stderr);
    }
    assert_eq!(tree(repo.path()), plans_before, "the plans were touched");
    assert_eq!(tree(outer.path()), outer_before, "the plans were touched");

    // A file.
    let file = tmp.path().join("file.html");
    std::fs::write(&file, "x").expect("write");
    let run = build_into(repo.path(), &file, &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "x");

    // An empty folder is fine, and so is rebuilding over our own site.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let run = build_into(repo.path(), &empty, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = build_into(repo.path(), &empty, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    // The default output folder `site/` is not scanned as plans on rebuild.
    let run = repo.run(&["build"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = repo.run(&["build"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(repo.join("site/index.html").is_file());
}

// ---------------------------------------------------------------------------
// The public audience

#[test]
fn public_build_shows_only_public_documents_with_coarse_dates() {
    let site = example_with(&["--audience", "public"]);
    let full = example();
    let plan = full.plan();
    let public: BTreeSet<String> = docs(&plan)
        .iter()
        .filter(|d| d["fields"]["visibility"] == "public")
        .map(|d| d["url"].as_str().expect("url").to_string())
        .collect();
    let all: BTreeSet<String> = docs(&plan)
        .iter()
        .map(|d| d["url"].as_str().expect("url").to_string())
        .collect();
    assert!(
        public.len() > 10 && public.len() < all.len(),
        "{}",
        public.len()
    );

    // Pages: exactly the public documents.
    let pages = html_pages(&site.dir);
    let doc_pages: BTreeSet<String> = pages
        .keys()
        .filter(|p| p.contains('/') && !p.ends_with("/index.html"))
        .cloned()
        .collect();
    assert_eq!(doc_pages, public);
    assert!(!site.exists("health.html"));

    // No link to an internal document's page, anywhere.
    for (p, html) in &pages {
        for h in hrefs(html) {
            if is_external(&h) {
                continue;
            }
            let path = h.split('#').next().unwrap_or_default();
            if path.is_empty() {
                continue;
            }
            let target = resolve(p, path).expect("inside the site");
            if all.contains(&target) {
                assert!(public.contains(&target), "{p} links to internal {target}");
            }
            assert!(!h.contains("health.html"), "{p} links to the health page");
        }
        assert!(!html.contains("mailto:"), "{p} has a mailto link");
    }
    let problems = broken_links(&site.dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Demand counts the research the page shows, not internal insights.
    assert_evidence(&site);

    // No e-mail address and no internal document's source in any file.
    let internal_files: Vec<String> = docs(&plan)
        .iter()
        .filter(|d| d["fields"]["visibility"] != "public")
        .map(|d| d["file"].as_str().expect("file").to_string())
        .collect();
    for (p, bytes) in tree(&site.dir) {
        let s = String::from_utf8_lossy(&bytes);
        // A linked image's compressed bytes are not text.
        let binary = p.starts_with("files/") && std::str::from_utf8(&bytes).is_err();
        for (i, _) in s.match_indices('@').filter(|_| !binary) {
            let before = s[..i].chars().next_back().unwrap_or(' ');
            let after = s[i + 1..].chars().next().unwrap_or(' ');
            assert!(
                !(before.is_ascii_alphanumeric() && after.is_ascii_alphanumeric())
                    || p == "style.css"
                    || p == "roadmap.ics" && s[i..].starts_with("@northstar"),
                "{p}: e-mail-like text near `{}`",
                &s[i.saturating_sub(30)..(i + 30).min(s.len())]
            );
        }
        if let Some(src) = p.strip_prefix("files/") {
            assert!(
                !internal_files.iter().any(|f| f == src),
                "the source of an internal document was copied: {p}"
            );
        }
    }

    // Milestone dates are quarters: a feature's milestone, the milestone
    // page, the timeline, the calendar and the CSV.
    let f = site.read("feature/sync-engine-v2.html");
    let ms = text(element(&f, "milestone", "public milestone"));
    assert!(ms.contains("2026-Q4"), "{ms}");
    assert!(!ms.contains("Dec"), "{ms}");
    // Outside document bodies (the authors' own words, published as
    // written), no page shows a day: not a milestone's, not any other.
    let outside: BTreeMap<&String, String> = pages
        .iter()
        .map(|(p, html)| {
            let mut rest = html.clone();
            for body in elements(html, "body") {
                rest = rest.replace(body, "");
            }
            (p, rest)
        })
        .collect();
    let mut day_dates = Vec::new();
    for d in docs(&plan).iter().filter(|d| d["kind"] == "milestone") {
        let date = d["fields"]["date"].as_str().expect("date");
        let human = human_date(date);
        for (p, html) in &outside {
            // Text a reader sees, and attributes.
            let lower = html.to_ascii_lowercase();
            if lower.contains(date) || lower.contains(&human.to_ascii_lowercase()) {
                day_dates.push(format!("{p}: {date} / {human}"));
            }
        }
    }
    assert!(
        day_dates.is_empty(),
        "milestone days shown:\n{}",
        day_dates.join("\n")
    );
    for (p, html) in &outside {
        if let Some(d) = find_day(&text(html)) {
            panic!("{p}: day-precise date `{d}` in a public page");
        }
    }
    let roadmap = site.read("roadmap.html");
    let tl = element(&roadmap, "timeline", "public timeline");
    assert!(text(tl).contains("2027-Q1"), "{}", text(tl));
    let csv = site.read("features.csv");
    assert!(find_day(&csv).is_none(), "{csv}");
    let pj = site.plan();
    assert!(
        pj["today"].as_str().is_some_and(|t| t.contains("-Q")),
        "{}",
        pj["today"]
    );
    let urls: BTreeSet<String> = docs(&pj)
        .iter()
        .map(|d| d["url"].as_str().expect("url").to_string())
        .collect();
    assert_eq!(urls, public, "plan.json holds the public documents only");
    for e in search_entries(&site) {
        assert!(public.contains(e["u"].as_str().expect("u")), "{e}");
    }
}

/// `8 Dec 2026` for `2026-12-08`, as the site writes days.
fn human_date(iso: &str) -> String {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut it = iso.split('-');
    let (y, m, d) = (
        it.next().expect("y"),
        it.next().and_then(|m| m.parse::<usize>().ok()).expect("m"),
        it.next().and_then(|d| d.parse::<u32>().ok()).expect("d"),
    );
    format!("{d} {} {y}", M[m - 1])
}

/// The first `YYYY-MM-DD` or `D Mon YYYY` in `s`.
fn find_day(s: &str) -> Option<String> {
    let b = s.as_bytes();
    for i in 0..b.len().saturating_sub(9) {
        let w = &b[i..i + 10];
        if w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'-'
            && w[5..7].iter().all(u8::is_ascii_digit)
            && w[7] == b'-'
            && w[8..10].iter().all(u8::is_ascii_digit)
        {
            return Some(String::from_utf8_lossy(w).into_owned());
        }
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for w in words.windows(3) {
        if w[0].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
            && M.contains(&w[1])
            && w[2].len() >= 4
            && w[2][..4].parse::<u32>().is_ok()
        {
            return Some(w.join(" "));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Health and "not doing"

/// A diagnostic of `check --format json` as the health page writes it:
/// level, rule, message, position, then its notes and help.
fn diag_line(d: &Value) -> String {
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
    let mut line = format!(
        "{} {} {} line {}, column {}",
        s("level"),
        s("rule"),
        s("message"),
        d["line"],
        d["column"]
    );
    for n in d["notes"].as_array().into_iter().flatten() {
        line.push_str(&format!(" note: {}", n.as_str().unwrap_or_default()));
    }
    if let Some(help) = d["suggestion"].as_str() {
        line.push_str(&format!(" help: {help}"));
    }
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The diagnostics on the health page, as text, one per item.
fn health_lines(html: &str) -> Vec<String> {
    elements(html, "diag").into_iter().map(text).collect()
}

#[test]
fn the_health_page_shows_each_diagnostic_with_its_rule_and_message() {
    let repo = Repo::base();
    repo.file(
        "lonely.md",
        "---\nkind: feature\ntitle: Lonely\nstatus: idea\n---\n",
    )
    .file(
        "seg2.yaml",
        "kind: segment\nid: seg2\ntitle: Second segment\n",
    );
    let diags = repo.diagnostics();
    let mut expected: Vec<String> = diags.iter().map(diag_line).collect();
    // The two warnings this repository is known for.
    assert_eq!(
        expected,
        [
            "warning feature-without-objective feature `lonely` serves no objective line 2, column 1 note: add `objectives: [<objective id>]`",
            "warning orphan segment `seg2` is not referenced by anything line 1, column 1",
        ]
    );
    let site = build(repo.path(), &[]);
    let html = site.read("health.html");
    let mut shown = health_lines(&html);
    shown.sort();
    expected.sort();
    // As text a reader reads: documents by their titles, no backticks,
    // the rule and where beside the message.
    assert_eq!(
        shown,
        [
            "warning feature Lonely serves no objective (feature-without-objective, line 2) add objectives: [<objective id>]",
            "warning segment Second segment is not referenced by anything (orphan, line 1)",
        ]
    );
    // Grouped by document: its title links to its page, beside its file.
    let groups = elements(&html, "health-file");
    assert_eq!(groups.len(), 2, "{html}");
    assert!(
        text(groups[0]).starts_with("Lonely lonely.md"),
        "{}",
        groups[0]
    );
    assert!(hrefs(groups[0]).contains(&"feature/lonely.html".to_string()));
    assert!(
        text(groups[1]).starts_with("Second segment seg2.yaml"),
        "{}",
        groups[1]
    );
    assert!(
        text(&html).contains("0 errors and 2 warnings in this build"),
        "{html}"
    );
}

#[test]
fn the_not_doing_page_lists_each_declined_feature_with_its_decision() {
    let repo = Repo::base();
    repo.file(
        "offline.md",
        "---\nkind: feature\ntitle: Offline Mode\nstatus: declined\nobjectives: [obj]\ndecision: no-offline\n---\n",
    )
    .file(
        "no-offline.yaml",
        "kind: decision\nid: no-offline\ntitle: Not this year\ndate: 2026-10-01\nstatus: accepted\nfeatures: [offline]\n",
    )
    .file(
        "kept.md",
        "---\nkind: feature\ntitle: Kept Idea\nstatus: idea\nobjectives: [obj]\n---\n",
    );
    assert_eq!(repo.diagnostics(), Vec::<Value>::new());
    let site = build(repo.path(), &[]);
    let html = site.read("not-doing.html");
    let list = element(&html, "not-doing", "not-doing.html");
    let items: Vec<String> = elements(list, "panel").into_iter().map(text).collect();
    assert_eq!(items, ["Offline Mode Decision: Not this year (1 Oct 2026)"]);
    let links = hrefs(list);
    assert!(
        links.contains(&"feature/offline.html".to_string()),
        "{links:?}"
    );
    assert!(
        links.contains(&"decision/no-offline.html".to_string()),
        "{links:?}"
    );
    assert!(!text(&html).contains("Kept Idea"));
}

// ---------------------------------------------------------------------------
// Now / next / later and key-result status at their edges
// (docs/format.md#horizon, docs/format.md#objective-status)

/// [`Repo::base`] on 16 Nov 2026: "now" reaches 16 Feb 2027 (3 months),
/// "next" 16 May 2027 (6 months). One planned feature per milestone date
/// around those edges; one objective of November 2026 (half elapsed on
/// the 16th) per key-result progress around the thresholds (on track from
/// 0.5 − 0.10, at risk from 0.5 − 0.25).
fn edges_repo() -> Repo {
    let repo = Repo::base();
    repo.file(
        "northstar.yaml",
        "product: Test Product\ntoday: 2026-11-16\n",
    )
    .file(
        "strat26.yaml",
        "kind: strategy\nid: strat26\ntitle: S26\nperiod: 2026\n",
    );
    for date in [
        "2027-02-15",
        "2027-02-16",
        "2027-02-17",
        "2027-05-16",
        "2027-05-17",
    ] {
        let id = date.replace('-', "");
        repo.file(
            &format!("m{id}.yaml"),
            &format!("kind: milestone\nid: m{id}\ntitle: Due {date}\ndate: {date}\n"),
        )
        .file(
            &format!("f{id}.md"),
            &format!(
                "---\nkind: feature\ntitle: F {date}\nstatus: planned\nowner: alice\nobjectives: [obj]\nmilestone: m{id}\n---\n## Problem\nP.\n\n## Goals\nG.\n\n## Non-goals\nN.\n\n## Requirements\nR.\n"
            ),
        );
    }
    for current in ["4", "3.9", "2.5", "2.4"] {
        let id = format!("o{}", current.replace('.', ""));
        repo.file(
            &format!("{id}.yaml"),
            &format!(
                "kind: objective\nid: {id}\ntitle: O {current}\nstrategy: strat26\nperiod: 2026-11\nkey_results:\n  - title: KR\n    metric: met\n    baseline: 0\n    target: 10\n    current: {current}\n"
            ),
        );
    }
    repo
}

#[test]
fn now_next_and_later_end_exactly_three_and_six_months_from_today() {
    let repo = edges_repo();
    assert_eq!(repo.diagnostics(), Vec::<Value>::new());
    let plan = build(repo.path(), &[]).plan();
    let horizon = |id: &str| doc(&plan, id)["horizon"].clone();
    assert_eq!(horizon("f20270215"), "now", "a day inside three months");
    assert_eq!(horizon("f20270216"), "now", "exactly three months");
    assert_eq!(horizon("f20270217"), "next", "a day past three months");
    assert_eq!(horizon("f20270516"), "next", "exactly six months");
    assert_eq!(horizon("f20270517"), "later", "a day past six months");
}

#[test]
fn a_key_result_exactly_at_a_threshold_is_on_its_better_side() {
    let repo = edges_repo();
    let plan = build(repo.path(), &[]).plan();
    let status = |id: &str| doc(&plan, id)["computed_status"].clone();
    assert_eq!(status("o4"), "on-track", "0.4 = 0.5 elapsed − 0.10");
    assert_eq!(status("o39"), "at-risk", "0.39 < 0.5 − 0.10");
    assert_eq!(status("o25"), "at-risk", "0.25 = 0.5 − 0.25");
    assert_eq!(status("o24"), "off-track", "0.24 < 0.5 − 0.25");
}

// ---------------------------------------------------------------------------
// Data files

/// A feature's now / next / later as docs/format.md#horizon words it, for the
/// example's `today: 2026-11-01` (three months: 2027-02-01, six: 2027-05-01):
/// its `horizon` if set; else `in-progress` and `beta` are now; else by its
/// milestone's date; no milestone is later; shipped and declined: none.
fn expected_horizon(plan: &Value, feature: &Value) -> Value {
    let f = &feature["fields"];
    let status = f["status"].as_str().unwrap_or_default();
    if matches!(status, "shipped" | "declined") {
        return Value::Null;
    }
    if let Some(h) = f["horizon"].as_str() {
        return h.into();
    }
    if matches!(status, "in-progress" | "beta") {
        return "now".into();
    }
    let date = f["milestone"].as_str().map(|m| {
        doc(plan, m)["fields"]["date"]
            .as_str()
            .expect("date")
            .to_string()
    });
    match date.as_deref() {
        Some(d) if d <= "2027-02-01" => "now".into(),
        Some(d) if d <= "2027-05-01" => "next".into(),
        _ => "later".into(),
    }
}

/// `roadmap.ics` folds a long line as RFC 5545 asks: at 75 octets, not
/// fewer, and never inside a character; unfolded, the text is whole.
#[test]
fn ics_folds_long_lines_at_75_octets() {
    let long = "A milestone whose title runs on well past the seventy-five octets a line may hold";
    let wide = "é".repeat(50);
    let repo = Repo::base();
    repo.file(
        "long.yaml",
        &format!("kind: milestone\nid: long\ntitle: {long}\ndate: 2027-02-01\n"),
    )
    .file(
        "wide.yaml",
        &format!("kind: milestone\nid: wide\ntitle: {wide}\ndate: 2027-03-01\n"),
    );
    let ics = build(repo.path(), &[]).read("roadmap.ics");
    let lines: Vec<&str> = ics.split("\r\n").collect();
    for line in &lines {
        assert!(line.len() <= 75, "longer than 75 octets: {line:?}");
    }
    let at = |start: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no {start} in {ics}"))
    };
    // The ASCII title fills its first line to the 75th octet.
    let first = lines[at(&format!("SUMMARY:{}", &long[..20]))];
    assert_eq!(first.len(), 75, "{first:?}");
    // Two-octet characters: 74 octets, as a 76th would not fit.
    let first = lines[at("SUMMARY:é")];
    assert_eq!(first.len(), 74, "{first:?}");
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains(&format!("SUMMARY:{long}\r\n")),
        "{unfolded}"
    );
    assert!(
        unfolded.contains(&format!("SUMMARY:{wide}\r\n")),
        "{unfolded}"
    );
}

#[test]
fn plan_json_ics_and_csv_describe_the_plan() {
    let site = example();
    let plan = site.plan();
    let schema: Value =
        serde_json::from_str(&site.read("plan.schema.json")).expect("plan.schema.json is JSON");

    // plan.json against its schema's shape, checked by hand.
    for key in schema["required"].as_array().expect("required") {
        let k = key.as_str().expect("key");
        assert!(!plan[k].is_null(), "plan.json lacks `{k}`");
    }
    assert_eq!(plan["format"], 1);
    assert_eq!(plan["product"], "Lumen Notes");
    assert_eq!(plan["today"], "2026-11-01");
    let doc_schema = &schema["properties"]["documents"]["items"];
    let required: Vec<&str> = doc_schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut ids = BTreeSet::new();
    let mut horizons = BTreeSet::new();
    for d in docs(&plan) {
        for k in &required {
            assert!(!d[*k].is_null(), "document {} lacks `{k}`", d["id"]);
        }
        for k in ["id", "kind", "title", "file", "url"] {
            assert!(d[k].is_string(), "{k} of {}", d["id"]);
        }
        assert!(d["fields"].is_object());
        for (k, v) in d.as_object().expect("object") {
            assert!(
                doc_schema["properties"].get(k).is_some(),
                "key `{k}` of {} is not in the schema",
                d["id"]
            );
            match k.as_str() {
                "rice_score" => assert!(v.is_number() || v.is_null()),
                "demand" => assert!(v.is_u64()),
                "horizon" => {
                    assert_eq!(*v, expected_horizon(&plan, &d), "horizon of {}", d["id"]);
                    horizons.insert(v.as_str().unwrap_or("none").to_string());
                }
                "history" => assert!(v.is_array()),
                _ => {}
            }
        }
        assert!(
            ids.insert(d["id"].as_str().expect("id").to_string()),
            "duplicate {}",
            d["id"]
        );
        let file = example_source().join(d["file"].as_str().expect("file"));
        assert!(file.is_file(), "{}", file.display());
    }
    // Every board column (and "not on the board") is there to be checked.
    assert_eq!(
        horizons,
        ["later", "next", "none", "now"]
            .map(String::from)
            .into_iter()
            .collect(),
    );
    let s = doc(&plan, "sync-engine-v2");
    assert_eq!(s["rice_score"].as_f64().map(f64::round), Some(8914.0));
    assert_eq!(s["demand"], 214);

    // roadmap.ics: one event per milestone.
    let ics = site.read("roadmap.ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "CRLF line ends");
    assert!(ics.trim_end().ends_with("END:VCALENDAR"));
    let milestones: Vec<Value> = docs(&plan)
        .into_iter()
        .filter(|d| d["kind"] == "milestone")
        .collect();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), milestones.len());
    assert_eq!(ics.matches("END:VEVENT").count(), milestones.len());
    for m in &milestones {
        let id = m["id"].as_str().expect("id");
        let date = m["fields"]["date"].as_str().expect("date").replace('-', "");
        let event = ics
            .split("BEGIN:VEVENT")
            .find(|e| e.contains(&format!("UID:{id}@")))
            .unwrap_or_else(|| panic!("no event for {id}"));
        assert!(
            event.contains(&format!("DTSTART;VALUE=DATE:{date}")),
            "{event}"
        );
    }
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "ics line longer than 75 octets: {line}");
    }

    // features.csv: a header and one row per feature.
    let csv = site.read("features.csv");
    let rows = csv_rows(&csv);
    let features: Vec<Value> = docs(&plan)
        .into_iter()
        .filter(|d| d["kind"] == "feature")
        .collect();
    assert_eq!(rows.len(), features.len() + 1, "{csv}");
    let header = &rows[0];
    assert_eq!(header[0], "id");
    assert!(header.contains(&"title".to_string()) && header.contains(&"status".to_string()));
    let col = |name: &str| header.iter().position(|h| h == name).expect("column");
    let ids: BTreeSet<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    for f in &features {
        assert!(ids.contains(f["id"].as_str().expect("id")));
    }
    for r in &rows[1..] {
        assert_eq!(r.len(), header.len(), "{r:?}");
    }
    let sync = rows.iter().find(|r| r[0] == "sync-engine-v2").expect("row");
    assert_eq!(sync[col("rice_score")], "8914");
    assert_eq!(sync[col("milestone")], "r-2026-q4");
    assert_eq!(sync[col("title")], "Sync engine v2");
}

/// RFC 4180 rows (quoted fields may hold commas, quotes and newlines).
fn csv_rows(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

// ---------------------------------------------------------------------------
// Templates

#[test]
fn a_template_in_the_plans_repository_overrides_the_built_in_one() {
    let repo = Repo::base();
    repo.file(
        "feat.md",
        "---\nkind: feature\ntitle: Feat\nstatus: idea\nobjectives: [obj]\n---\n",
    );
    repo.file(
        "templates/kind.hbs",
        "{{#> layout}}<p id=\"marker\">OVERRIDE-MARKER-7731</p><ul>{{#each page.items}}<li><a href=\"{{href}}\">{{title}}</a></li>{{/each}}</ul>{{/layout}}",
    );
    let site = build(repo.path(), &[]);
    let list = site.read("feature/index.html");
    assert!(list.contains("OVERRIDE-MARKER-7731"), "{list}");
    assert!(hrefs(&list).contains(&"feat.html".to_string()), "{list}");
    assert!(
        site.read("milestone/index.html")
            .contains("OVERRIDE-MARKER-7731")
    );
    // Only kind pages: other pages keep the built-in templates.
    assert!(!site.read("feature/feat.html").contains("OVERRIDE-MARKER"));
    assert!(!site.read("index.html").contains("OVERRIDE-MARKER"));
    // The template folder is neither a document nor copied into the site.
    assert!(!site.exists("files/templates/kind.hbs"));
    let problems = broken_links(&site.dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Without the override, the built-in kind page comes back.
    std::fs::remove_file(repo.join("templates/kind.hbs")).expect("rm");
    let site = build(repo.path(), &[]);
    assert!(!site.read("feature/index.html").contains("OVERRIDE-MARKER"));
}

/// A plan built with `--allow-errors` can hold an id that is not a valid
/// one; its page path must still never leave the site.
#[test]
fn an_id_that_climbs_out_of_the_site_is_never_written() {
    let repo = Repo::base();
    repo.file(
        "escape.yaml",
        "kind: segment\nid: ../../../escape-by-id\ntitle: Escape\n",
    );
    let parent = tempfile::tempdir().expect("tempdir");
    let out = parent.path().join("a/b/out");
    let run = build_into(repo.path(), &out, &["--allow-errors"]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("not a path inside the site"),
        "{}",
        run.stderr
    );
    // Nothing anywhere above the output, no site, no staging folder.
    for dir in [parent.path().to_path_buf(), parent.path().join("a")] {
        let names = names_in(&dir);
        assert!(
            names
                .iter()
                .all(|n| !n.contains("escape") && !n.contains(".tmp-")),
            "{dir:?}: {names:?}"
        );
    }
    assert!(!out.exists());
}

/// A build killed while writing (Ctrl-C, an out-of-memory kill) leaves its
/// staging folder, or the old site it had moved aside, beside the output;
/// the next build into that output removes them. A folder of a process
/// still running, or with another name, is left alone.
#[cfg(target_os = "linux")]
#[test]
fn leftovers_of_an_interrupted_build_are_removed_by_the_next() {
    let repo = Repo::base();
    let parent = tempfile::tempdir().expect("tempdir");
    let out = parent.path().join("site");
    // No process has these ids (the kernel's limit is 2^22).
    let staging = parent.path().join(".site.tmp-4294967295");
    std::fs::create_dir_all(staging.join("feature")).expect("mkdir");
    std::fs::write(staging.join("feature/half.html"), "<html>").expect("write");
    let old = parent.path().join(".site.old-4294967294");
    std::fs::create_dir_all(&old).expect("mkdir");
    std::fs::write(old.join(".northstar-site"), "").expect("write");
    let running = parent
        .path()
        .join(format!(".site.tmp-{}", std::process::id()));
    std::fs::create_dir(&running).expect("mkdir");
    let other = parent.path().join(".other.tmp-4294967295");
    std::fs::create_dir(&other).expect("mkdir");
    let run = build_into(repo.path(), &out, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut names = names_in(parent.path());
    names.sort();
    let mut want = vec![
        ".other.tmp-4294967295".to_string(),
        format!(".site.tmp-{}", std::process::id()),
        "site".to_string(),
    ];
    want.sort();
    assert_eq!(names, want);
    assert!(out.join("index.html").is_file());

    // Killed between moving the old site aside and the new one in: the
    // old site is only `.site.old-<pid>`. The next build puts it back
    // first, so a build that then fails leaves it in place.
    std::fs::rename(&out, parent.path().join(".site.old-4294967293")).expect("move aside");
    repo.file("templates/kind.hbs", "{{#each page.items}}unclosed");
    let failed = build_into(repo.path(), &out, &[]);
    assert_ne!(failed.code, 0, "{failed:?}");
    assert!(out.join("index.html").is_file(), "the old site is back");
    assert!(!parent.path().join(".site.old-4294967293").exists());
}

/// A document whose id is `index` has its kind's list page path: the
/// build refuses it (`invalid-id`), and with `--allow-errors` its own page
/// is what the build writes there, on every run.
#[test]
fn a_document_with_id_index_takes_its_kinds_list_page() {
    let repo = Repo::base();
    repo.file(
        "index.yaml",
        "kind: segment\nid: index\ntitle: The Index Segment\n",
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let refused = build_into(repo.path(), &tmp.path().join("site"), &[]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused
            .stdout
            .contains("error[invalid-id]: reserved id `index`"),
        "{}",
        refused.stdout
    );
    assert!(!tmp.path().join("site").exists());
    for _ in 0..3 {
        let site = build(repo.path(), &["--allow-errors"]);
        let page = site.read("segment/index.html");
        assert!(page.contains("The Index Segment"), "{page}");
        assert!(!page.contains("<title>segments ·"), "{page}");
    }
}

/// `Index` is a reserved id too (the page would be the list's where file
/// names ignore case), but where they do not, a build with
/// `--allow-errors` writes both the list and the document's own page.
#[cfg(target_os = "linux")]
#[test]
fn a_document_with_id_capital_index_keeps_its_kinds_list_page_on_linux() {
    let repo = Repo::base();
    repo.file(
        "index.yaml",
        "kind: segment\nid: Index\ntitle: The Index Segment\n",
    );
    let refused = run_in(repo.path(), &["check"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused
            .stdout
            .contains("error[invalid-id]: reserved id `Index`"),
        "{}",
        refused.stdout
    );
    let site = build(repo.path(), &["--allow-errors"]);
    let list = site.read("segment/index.html");
    assert!(list.contains("<title>segments ·"), "{list}");
    assert!(list.contains("The Index Segment"), "{list}");
    let page = site.read("segment/Index.html");
    assert!(page.contains("The Index Segment"), "{page}");
}
