//! Contexts of the document pages: every kind gets the generic page
//! (fields, references both ways, body, table of contents); built-in kinds
//! add what gives them meaning (a PRD's RICE and evidence, an objective's
//! progress, a metric's chart, a milestone's release notes).

use super::facts;
use super::links::Index;
use super::markdown;
use super::svg;
use crate::dates;
use crate::plan::Document;
use crate::schema::refs;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

use super::ctx::{Ctx, ROOT};
const SHOWN_ELSEWHERE: &[&str] = &[
    "kind",
    "id",
    "title",
    "summary",
    "tags",
    "links",
    "visibility",
    "suppress",
    "owner",
];

fn label(field: &str) -> String {
    crate::config::capitalised(&field.replace(['_', '-'], " "))
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(_) => facts::number(v).unwrap_or_default(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Null => String::new(),
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{}: {}", label(k), plain(v)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// `v` with every date in it as readers of this build may see it (a public
/// build shows quarters, in nested values too: a metric's readings).
fn with_dates(ctx: &Ctx<'_>, v: &Value) -> Value {
    match v {
        Value::String(s) if dates::parse(s).is_some() => Value::String(ctx.date(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| with_dates(ctx, x)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), with_dates(ctx, x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Fields a built-in kind's page shows in its own section, so the generic
/// panel leaves them out (deciding here keeps the template free of long
/// helper chains evaluated for every field of every page).
fn shown_by_kind(kind: &str, field: &str) -> bool {
    matches!(
        (kind, field),
        (_, "status" | "body")
            | (
                "feature",
                "milestone" | "horizon" | "rice" | "objectives" | "depends_on"
            )
            | ("objective", "key_results")
            | ("metric", "readings")
            | ("milestone", "date" | "launch")
            | ("person", "email")
    )
}

/// A document's fields as this build shows them: a public build, as
/// [`super::audience::scrub`] leaves them.
fn shown_data<'d>(ctx: &Ctx<'_>, doc: &'d Document) -> std::borrow::Cow<'d, Value> {
    if ctx.public {
        let mut d = doc.data.clone();
        super::audience::scrub(ctx.index, &mut d);
        std::borrow::Cow::Owned(d)
    } else {
        std::borrow::Cow::Borrowed(&doc.data)
    }
}

/// The generic metadata panel: every field of `data` (the document's, as
/// [`shown_data`] gives them), references as links.
fn fields(ctx: &Ctx<'_>, doc: &Document, data: &Value) -> Vec<Value> {
    let refs_by_field: BTreeMap<String, Vec<String>> = ctx
        .registry
        .get(&doc.kind)
        .map(|k| refs::find(&k.typing, data))
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.ptr.matches('/').count() <= 2)
        .fold(BTreeMap::new(), |mut m, r| {
            // A reference by path links to the document at that path;
            // one that names none stays as written.
            let id = match r.by_path {
                true => crate::check::references::by_path(ctx.index.plan, &doc.file, &r.id)
                    .map_or(r.id, |i| ctx.index.plan.docs[i].id.clone()),
                false => r.id,
            };
            m.entry(r.field).or_default().push(id);
            m
        });
    let Some(obj) = data.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in obj {
        if SHOWN_ELSEWHERE.contains(&k.as_str()) || shown_by_kind(&doc.kind, k) {
            continue;
        }
        if let Some(ids) = refs_by_field.get(k) {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            out.push(json!({"name": k, "label": label(k), "links": ctx.links(&ids)}));
        } else {
            let mut text = plain(&with_dates(ctx, v));
            // A metric's values in its unit.
            if doc.kind == "metric" && matches!(k.as_str(), "current" | "target") && v.is_number() {
                text = facts::with_unit(&text, doc.str("unit"));
            }
            let url = match v {
                Value::String(s) if s.starts_with("http") && markdown::safe_url(s) => {
                    Some(s.clone())
                }
                _ => None,
            };
            out.push(json!({"name": k, "label": label(k), "text": text, "url": url}));
        }
    }
    out
}

/// How a referring document names this one, in words: "depends on it",
/// "is evidence for it". `field` is the top-level field of the reference
/// (`body` for a `[[id]]` in its text).
fn reference_words(from_kind: &str, field: &str) -> String {
    match (from_kind, field) {
        (_, "body") => "mentions it in its body".into(),
        (_, "depends_on") => "depends on it".into(),
        ("insight", "features") => "is evidence for it".into(),
        ("feature", "objectives" | "strategy") | (_, "strategy") => "serves it".into(),
        (_, "milestone") => "ships in it".into(),
        (_, "team") => "belongs to it".into(),
        (_, "owner") => "names it as owner".into(),
        (_, "key_results") => "tracks it in a key result".into(),
        (_, "parent") => "is part of it".into(),
        (_, "decision") => "cites it as its decision".into(),
        (_, "north_star") => "has it as north-star metric".into(),
        (_, "lead") => "names it as lead".into(),
        (_, "members") => "lists it as a member".into(),
        (_, "segments" | "target_segments") => "is for it".into(),
        (_, "supersedes") => "supersedes it".into(),
        (_, f) if f.ends_with('s') => "lists it".into(),
        (_, f) => format!("names it as {}", label(f).to_lowercase()),
    }
}

/// Who refers to this document: one line per referring document, the
/// ways it does in plain words ("Feature Sync engine v2 depends on it and
/// mentions it in its body"), by kind then title. A document that refers
/// twice (a field and its body) is one line, not one per heading.
fn referenced_by(ctx: &Ctx<'_>, doc: &Document) -> Vec<Value> {
    let plan = ctx.index.plan;
    let Some(&to) = plan.by_id.get(&doc.id) else {
        return Vec::new();
    };
    let mut by_doc: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for &ei in plan.incoming.get(to).map(Vec::as_slice).unwrap_or(&[]) {
        let e = &plan.edges[ei];
        if e.from != to {
            by_doc.entry(e.from).or_default().insert(e.field.as_str());
        }
    }
    let mut lines: Vec<(&Document, String)> = by_doc
        .into_iter()
        .filter_map(|(from, fields)| {
            let d = &plan.docs[from];
            ctx.index.get(&d.id)?;
            // The body last: "depends on it and mentions it in its body".
            let mut words: Vec<String> = fields
                .iter()
                .filter(|f| **f != "body")
                .map(|f| reference_words(&d.kind, f))
                .collect();
            words.dedup();
            if fields.contains("body") {
                words.push(reference_words(&d.kind, "body"));
            }
            Some((d, words.join(" and ")))
        })
        .collect();
    lines.sort_by(|a, b| {
        (a.0.kind.as_str(), a.0.title.as_str(), a.0.id.as_str()).cmp(&(
            b.0.kind.as_str(),
            b.0.title.as_str(),
            b.0.id.as_str(),
        ))
    });
    lines
        .into_iter()
        .map(|(d, words)| {
            let mut c = ctx.doc_card(d);
            c["kind_label"] = json!(ctx.config.kind_name(&d.kind));
            c["words"] = json!(words);
            c
        })
        .collect()
}

/// [`referenced_by`] as the `backlinks` of templates written before it
/// (`heading` and `docs` per kind), each document once.
fn backlinks(lines: &[Value]) -> Vec<Value> {
    let mut groups: Vec<Value> = Vec::new();
    for l in lines {
        let heading = l["kind_label"].clone();
        match groups.last_mut() {
            Some(g) if g["heading"] == heading => {
                if let Some(a) = g["docs"].as_array_mut() {
                    a.push(l.clone());
                }
            }
            _ => groups.push(json!({"heading": heading, "docs": [l]})),
        }
    }
    groups
}

/// A body whose first level-1 heading is the document's title (a kind
/// whose `title: "#"` takes it from there) without that heading: the page
/// shows the title above the body already, as GitHub shows it once.
fn without_title_heading(html: String, title: &str) -> String {
    let Some(start) = html.find("<h1") else {
        return html;
    };
    let Some(end) = html[start..]
        .find("</h1>")
        .map(|i| start + i + "</h1>".len())
    else {
        return html;
    };
    let inner = &html[start..end];
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    if text.trim() != title.trim() {
        return html;
    }
    let rest = html[end..].trim_start_matches('\n');
    format!("{}{rest}", &html[..start])
}

/// The context of a document's page, and the files its body links to.
pub fn document(ctx: &Ctx<'_>, doc: &Document, assets: &mut BTreeSet<String>) -> Value {
    let linker = ctx.index.linker(ROOT);
    let (body, toc) = match &doc.body {
        Some(b) => {
            let mut r = markdown::render(&b.text, &b.file, &linker);
            if ctx
                .config
                .kinds
                .get(&doc.kind)
                .and_then(|k| k.title.as_deref())
                == Some("#")
            {
                r.html = without_title_heading(r.html, &doc.title);
            }
            assets.extend(r.files);
            let toc: Vec<Value> = b
                .info
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .map(|h| json!({"text": h.text, "slug": h.slug, "level": h.level}))
                .collect();
            (Some(r.html), toc)
        }
        None => (None, Vec::new()),
    };
    let data = shown_data(ctx, doc);
    let links: Vec<Value> = data
        .get("links")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|l| {
                    l.get("url")
                        .and_then(Value::as_str)
                        .is_some_and(markdown::safe_url)
                })
                .map(|l| json!({"title": l.get("title"), "url": l.get("url")}))
                .collect()
        })
        .unwrap_or_default();
    let edit = ctx
        .edit_url
        .map(|u| u.replace("{path}", &doc.file))
        .filter(|u| markdown::safe_url(u));
    let refs = referenced_by(ctx, doc);
    let mut v = json!({
        "id": doc.id, "kind": doc.kind, "kind_label": ctx.config.kind_name(&doc.kind), "title": doc.title,
        "summary": doc.str("summary"), "status": ctx.status(doc).map(|s| s.0),
        "status_class": ctx.status(doc).map(|s| s.1),
        "owner": doc.str("owner").and_then(|o| ctx.link(o)),
        "tags": doc.strs("tags"), "links": links,
        "fields": fields(ctx, doc, &data), "referenced_by": refs, "backlinks": backlinks(&refs),
        "body": body, "toc": toc, "has_toc": toc.len() > 1, "edit_url": edit, "file": doc.file,
        "public": doc.public(),
    });
    let extra = match doc.kind.as_str() {
        "feature" => feature(ctx, doc),
        "objective" => objective(ctx, doc),
        "metric" => metric(ctx, doc),
        "milestone" => milestone(ctx, doc),
        "team" => team(ctx, doc),
        "person" => person(ctx, doc),
        _ => Value::Null,
    };
    if let (Value::Object(o), Value::Object(e)) = (&mut v, extra) {
        o.extend(e);
    }
    v
}

/// Whether this build publishes `d` (the very document, not another of
/// the same id).
fn published(ctx: &Ctx<'_>, d: &Document) -> bool {
    ctx.index.get(&d.id).is_some_and(|p| std::ptr::eq(p, d))
}

/// A feature's demand by unit in this build.
pub fn demand(ctx: &Ctx<'_>, feature: &str) -> facts::Demand {
    facts::demand_split(ctx.index.plan, feature, &|d| published(ctx, d))
}

fn feature(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let num = |r: &Value, k: &str| r.get(k).and_then(facts::number);
    let rice = doc.data.get("rice").map(|r| {
        json!({
            "score": facts::rice(doc).map(|s| facts::group_int(s.round() as i128)),
            "reach": num(r, "reach"), "impact": num(r, "impact"),
            "confidence": r.get("confidence").and_then(Value::as_f64).map(|c| format!("{}%", facts::number_f64((c * 1000.0).round() / 10.0))),
            "effort": num(r, "effort"),
            // The feature schema gives effort no unit ("e.g. in
            // person-months"): say it is RICE's, not a made-up one.
            "effort_unit": "RICE",
        })
    });
    let evidence: Vec<Value> = facts::insights_of(plan, &doc.id, &|d| published(ctx, d))
        .into_iter()
        .map(|(d, others)| {
            let (unit, n) = facts::evidence(d);
            let mut c = ctx.doc_card(d);
            c["count"] = json!(n);
            c["count_text"] = json!(facts::group_int(n as i128));
            c["unit"] = json!(unit.words(n));
            c["source"] = json!(d.str("source"));
            c["date"] = json!(d.str("date").map(|s| ctx.date(s)));
            c["shared_with"] = json!(ctx.links(&others));
            if !ctx.public {
                c["customer"] = json!(d.str("customer"));
            }
            c
        })
        .collect();
    let dem = demand(ctx, &doc.id);
    let demand_rows: Vec<Value> = [
        (dem.customers, facts::EvidenceUnit::Customers),
        (dem.tickets, facts::EvidenceUnit::Tickets),
        (dem.findings, facts::EvidenceUnit::Findings),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, u)| json!({"count": facts::group_int(*n as i128), "unit": u.words(*n)}))
    .collect();
    let mut decisions: Vec<&Document> = plan
        .referrers(&doc.id, Some("features"))
        .into_iter()
        .filter(|d| d.kind == "decision")
        .collect();
    if let Some(d) = doc.str("decision").and_then(|id| plan.get(id)) {
        decisions.insert(0, d);
    }
    let milestone = doc.str("milestone").and_then(|m| {
        let mut l = ctx.link(m)?;
        if let Some(date) = plan.get(m).and_then(|d| d.str("date")) {
            l["date"] = json!(ctx.date(date));
        }
        Some(l)
    });
    json!({
        "is_feature": true,
        "rice": rice,
        "objectives": ctx.links(&doc.strs("objectives")),
        "success_metrics": success_metrics(ctx, doc),
        "depends_on": ctx.links(&doc.strs("depends_on")),
        "dependents": ctx.doc_links(plan.referrers(&doc.id, Some("depends_on"))),
        "segments": ctx.links(&doc.strs("segments")),
        "team": doc.str("team").and_then(|t| ctx.link(t)),
        "milestone": milestone,
        "horizon": facts::horizon(plan, doc),
        "evidence": evidence,
        "demand": dem.words(),
        "demand_rows": demand_rows,
        "demand_shared": dem.shared,
        "decisions": ctx.doc_links(decisions),
    })
}

/// A feature's success metrics: the key results of the objectives it
/// serves, each with its metric's latest value beside the target.
fn success_metrics(ctx: &Ctx<'_>, doc: &Document) -> Vec<Value> {
    doc.strs("objectives")
        .into_iter()
        .filter_map(|o| ctx.index.get(o))
        .filter(|o| o.kind == "objective")
        .map(|o| {
            let a = facts::assess(o, ctx.index.plan.today);
            json!({
                "title": o.title, "href": format!("{ROOT}{}", Index::page(o)),
                "status": a.computed, "status_label": a.computed_label(),
                "key_results": key_results_at(ctx, o, &a, ROOT),
            })
        })
        .collect()
}

/// The unit of a key result: its metric's, when this build publishes it.
fn kr_unit<'d>(ctx: &Ctx<'d>, kr: &Value) -> Option<&'d str> {
    kr.get("metric")
        .and_then(Value::as_str)
        .and_then(|m| ctx.index.get(m))
        .and_then(|m| m.str("unit"))
}

/// Key results with progress and status, for objective pages and the home.
pub fn key_results(ctx: &Ctx<'_>, doc: &Document) -> Vec<Value> {
    let a = facts::assess(doc, ctx.index.plan.today);
    key_results_at(ctx, doc, &a, ROOT)
}

/// [`key_results`] for a page `root` away from the site root: each with
/// its values in its metric's unit ("480 k USD / 1,500 k USD (baseline
/// 420 k USD)"), its progress, the share of the period expected by now,
/// and its status (none before the period starts or without a current
/// value).
pub fn key_results_at(
    ctx: &Ctx<'_>,
    doc: &Document,
    a: &facts::Assessment,
    root: &str,
) -> Vec<Value> {
    let started = a.computed != "not-started";
    let expected = a.elapsed.filter(|_| started).map(facts::percent);
    doc.data
        .get("key_results")
        .and_then(Value::as_array)
        .map(|krs| {
            krs.iter()
                .enumerate()
                .map(|(i, kr)| {
                    let unit = kr_unit(ctx, kr);
                    let val = |k: &str| {
                        kr.get(k)
                            .and_then(facts::number)
                            .map(|t| facts::with_unit(&t, unit))
                    };
                    let p = facts::progress(kr);
                    let status = match (started, p) {
                        (false, _) => None,
                        (true, Some(p)) => Some(facts::kr_status(p, a.elapsed.unwrap_or(0.0))),
                        (true, None) => None,
                    };
                    // A short unit goes with every figure ("480 k USD /
                    // 1,500 k USD"); a long one once, after the target.
                    let bare = |k: &str| kr.get(k).and_then(facts::number);
                    let values = if unit.is_some_and(|u| u.chars().count() > 6) {
                        format!(
                            "{} / {} (baseline {})",
                            bare("current").unwrap_or_else(|| "not measured".into()),
                            val("target").unwrap_or_default(),
                            bare("baseline").unwrap_or_default()
                        )
                    } else {
                        format!(
                            "{} / {} (baseline {})",
                            val("current").unwrap_or_else(|| "not measured".into()),
                            val("target").unwrap_or_default(),
                            val("baseline").unwrap_or_default()
                        )
                    };
                    let metric = kr
                        .get("metric")
                        .and_then(Value::as_str)
                        .and_then(|m| ctx.link_at(m, root));
                    let live = kr
                        .get("metric")
                        .and_then(Value::as_str)
                        .and_then(|m| ctx.index.get(m))
                        // The metric's latest value, where the key result
                        // was not updated to it.
                        .filter(|m| {
                            let (a, b) = (m.num("current"), kr.get("current").and_then(Value::as_f64));
                            a.is_some() && a != b
                        })
                        .and_then(|m| {
                            let unit = m.str("unit");
                            let current = m.data.get("current").and_then(facts::number)?;
                            let mut s = format!("{} now {}", m.title, facts::with_unit(&current, unit));
                            if let Some(t) = m.data.get("target").and_then(facts::number) {
                                s.push_str(&format!(", target {}", facts::with_unit(&t, unit)));
                            }
                            Some(s)
                        });
                    let percent = p.map(facts::percent);
                    let status_label = match (started, status) {
                        (false, _) => "not started",
                        (true, Some(s)) => s,
                        (true, None) => "no data",
                    };
                    let done = percent.map_or_else(|| "no progress data".to_string(), |p| format!("{p}% done"));
                    let text = match expected {
                        Some(e) => format!("{done}, {e}% expected by now"),
                        None => done.clone(),
                    };
                    json!({
                        "n": i + 1,
                        "title": kr.get("title").map(plain),
                        "metric": metric,
                        "unit": unit,
                        "baseline": val("baseline"), "target": val("target"), "current": val("current"),
                        "values": values,
                        "live": live,
                        "percent": p.map(|p| (p * 100.0).round().clamp(0.0, 100.0) as i64),
                        "percent_text": percent.map(|p| format!("{p}%")),
                        "expected": expected,
                        "progress_text": text,
                        "status": status.unwrap_or(if started { "no-data" } else { "not-started" }),
                        "status_label": status_label,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An objective's status for its page and the home: the computed one,
/// the declared one beside it, and why they differ when they do.
fn objective_status_fields(a: &facts::Assessment) -> Value {
    json!({
        "status": a.computed,
        "status_label": a.computed_label(),
        "declared": a.declared,
        "differs": a.declared.as_deref().is_some_and(|d| d != a.computed),
        "reason": a.reason(),
        "why": a.why,
        "elapsed": a.elapsed.map(facts::percent),
        "not_started": a.computed == "not-started",
    })
}

/// An objective as the home lists it, for a page `root` away from the
/// site root.
pub fn objective_summary(ctx: &Ctx<'_>, o: &Document, root: &str) -> Value {
    let a = facts::assess(o, ctx.index.plan.today);
    let mut v = json!({
        "title": o.title, "href": format!("{root}{}", Index::page(o)), "period": o.str("period"),
        "key_results": key_results_at(ctx, o, &a, root),
    });
    if let (Value::Object(m), Value::Object(s)) = (&mut v, objective_status_fields(&a)) {
        m.extend(s);
    }
    v
}

fn objective(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let a = facts::assess(doc, plan.today);
    json!({
        "is_objective": true,
        "key_results": key_results_at(ctx, doc, &a, ROOT),
        "objective_status": a.computed,
        "objective": objective_status_fields(&a),
        "elapsed": a.elapsed.filter(|_| a.computed != "not-started").map(facts::percent),
        "features": ctx.doc_links(plan.referrers(&doc.id, Some("objectives")).into_iter().filter(|d| d.kind == "feature")),
        "children": ctx.doc_links(plan.referrers(&doc.id, Some("parent"))),
    })
}

/// A metric's points: readings, the value of `current` after every commit
/// that changed it (history), and `current` today when it differs from the
/// last point.
pub fn metric_points(doc: &Document, today: i64, history: &[(i64, f64)]) -> Vec<(i64, f64)> {
    let mut pts: Vec<(i64, f64)> = doc
        .data
        .get("readings")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    Some((
                        dates::parse(r.get("date")?.as_str()?)?,
                        r.get("value")?.as_f64()?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    for (d, v) in history {
        if !pts.iter().any(|p| p.0 == *d) {
            pts.push((*d, *v));
        }
    }
    pts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    if let Some(c) = doc.num("current")
        && pts
            .last()
            .is_none_or(|l| (l.1 - c).abs() > f64::EPSILON && l.0 < today)
    {
        pts.push((today, c));
    }
    pts
}

/// [`metric_points`] of a metric in this build.
fn points(ctx: &Ctx<'_>, doc: &Document) -> Vec<(i64, f64)> {
    let from_git = ctx
        .history
        .docs
        .get(&doc.id)
        .map(|h| h.values.as_slice())
        .unwrap_or(&[]);
    metric_points(doc, ctx.index.plan.today, from_git)
}

fn metric(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let pts = points(ctx, doc);
    let unit = doc.str("unit").unwrap_or("");
    json!({
        "is_metric": true,
        "chart": svg::chart(&pts, doc.num("target"), unit, ctx.day()),
        "readings_html": readings_html(ctx, &pts),
        "objectives": ctx.doc_links(plan.referrers(&doc.id, Some("key_results"))),
    })
}

/// The table rows of a metric's values, newest first, as HTML: with the
/// value after every commit that changed `current`, a metric can have
/// hundreds, and a Handlebars loop costs far more a row than the row's
/// HTML.
fn readings_html(ctx: &Ctx<'_>, pts: &[(i64, f64)]) -> String {
    let mut out = String::with_capacity(pts.len() * 48);
    for (d, v) in pts.iter().rev() {
        out.push_str("<tr><td>");
        super::history::date_into(ctx, *d, &mut out);
        out.push_str("</td><td>");
        svg::esc_into(&facts::number_f64(*v), &mut out);
        out.push_str("</td></tr>");
    }
    out
}

/// A metric's values as a list of `{date, value}`, newest first, for a
/// repository's own `document.hbs` written before `page.readings_html`.
pub fn readings(ctx: &Ctx<'_>, doc: &Document) -> Value {
    points(ctx, doc)
        .iter()
        .rev()
        .map(|(d, v)| json!({"date": ctx.date(&dates::format(*d)), "value": facts::number_f64(*v)}))
        .collect()
}

fn milestone(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let features = ctx.doc_links(
        plan.referrers(&doc.id, Some("milestone"))
            .into_iter()
            .filter(|d| d.kind == "feature"),
    );
    let launch = doc.data.get("launch").map(|l| {
        json!({
            "segments": ctx.links(&l.get("segments").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>()).unwrap_or_default()),
            "channels": l.get("channels"), "enablement": l.get("enablement"),
        })
    });
    let status = doc.str("status").unwrap_or("planned");
    let overdue = status == "planned"
        && doc
            .str("date")
            .and_then(dates::parse)
            .is_some_and(|d| d < plan.today);
    // What its features are depends on whether it is out: notes of a
    // release, or the scope of one still to come (a date gone by does not
    // release it).
    let scope_heading = match status {
        "released" => "Release notes",
        "cancelled" => "Scope (cancelled)",
        _ => "Planned scope",
    };
    json!({
        "is_milestone": true,
        "date": doc.str("date").map(|d| ctx.date(d)),
        "milestone_status": status,
        "released": status == "released",
        "scope_heading": scope_heading,
        "overdue": overdue,
        "features": features, "launch": launch,
    })
}

/// Rows of one kind list page at most: 500 rows of the widest table (the
/// features') stay far below 1 MB, and a reader's browser sorts them
/// without a pause. Longer lists are paged (`<kind>/index.html`, then
/// `<kind>/index/2.html`…; no document id can make a folder of that
/// name, as `index` is reserved); `features.csv` and `plan.json` hold
/// every row at once.
pub const LIST_PAGE_ROWS: usize = 500;

/// One page of a kind's list: its site path, its way to the site root,
/// and its template context.
pub struct ListPage {
    /// Site path.
    pub path: String,
    /// `../` or `../../`.
    pub root: &'static str,
    /// The `kind` template's `page`.
    pub context: Value,
}

/// A cell of a list table.
#[derive(Default)]
struct Cell {
    text: String,
    href: Option<String>,
    /// What the table sorts the column by, when not the text (ISO dates,
    /// numbers; never text a document wrote); an empty key sorts last.
    sort: Option<String>,
    /// Class of a badge to show the text in.
    badge: Option<String>,
    /// Muted text after it.
    note: Option<String>,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            ..Cell::default()
        }
    }
    fn sort(mut self, key: impl Into<String>) -> Cell {
        self.sort = Some(key.into());
        self
    }
    fn note(mut self, n: Option<String>) -> Cell {
        self.note = n.filter(|n| !n.is_empty());
        self
    }
}

/// A column: its heading, whether it holds numbers (right-aligned), and
/// whether the table is sorted by it by default (ascending or not).
struct Col {
    label: &'static str,
    numeric: bool,
}

const fn col(label: &'static str, numeric: bool) -> Col {
    Col { label, numeric }
}

/// A sortable key of a number: fixed width, so text order is numeric
/// order (the script compares keys that read as numbers as numbers; this
/// also keeps a page sorted without it).
fn num_key(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// A link cell to a published document (plain text when it is not; empty
/// when a public build does not know it).
fn link_cell(ctx: &Ctx<'_>, id: Option<&str>, root: &str) -> Cell {
    let Some(l) = id.and_then(|id| ctx.link_at(id, root)) else {
        return Cell::default().sort("");
    };
    let title = l["title"].as_str().unwrap_or_default().to_string();
    Cell {
        href: l["href"].as_str().map(String::from),
        text: title,
        ..Cell::default()
    }
}

fn status_cell(status: Option<&str>, class: &str) -> Cell {
    match status {
        Some(s) => Cell {
            text: s.to_string(),
            badge: Some(format!("{class}-{s}")),
            ..Cell::default()
        },
        None => Cell::default().sort(""),
    }
}

/// A day as a sort key: ISO, or in a public build the first day of its
/// quarter (a key is in the page too, and may be no finer than the date
/// shown).
fn day_key(ctx: &Ctx<'_>, d: i64) -> String {
    if ctx.public {
        let q = dates::period_range(&dates::quarter(d)).map_or(d, |r| r.0);
        dates::format(q)
    } else {
        dates::format(d)
    }
}

fn date_cell(ctx: &Ctx<'_>, day: Option<i64>) -> Cell {
    match day {
        Some(d) => Cell::text(ctx.day()(d)).sort(day_key(ctx, d)),
        None => Cell::default().sort(""),
    }
}

/// A kind's list table: its columns, its rows in the default order, and
/// a line under it (the features' demand total).
struct Table {
    cols: Vec<Col>,
    rows: Vec<Vec<Cell>>,
    foot: Option<String>,
}

/// The title cell of a row, linked to the document's page in the kind's
/// own folder, with its summary as a note when the table has no other
/// columns to tell documents apart.
fn title_cell(d: &Document, with_summary: bool) -> Cell {
    Cell {
        text: d.title.clone(),
        // In the kind's own folder.
        href: Some(format!("{}.html", d.id)),
        note: if with_summary {
            d.str("summary").map(String::from)
        } else {
            None
        },
        ..Cell::default()
    }
}

/// The owner column, shared by most tables: a link to the person.
fn owner_cell(ctx: &Ctx<'_>, d: &Document, root: &str) -> Cell {
    link_cell(ctx, d.str("owner"), root)
}

/// The "Last changed" column: the day of the last commit that touched
/// the document, from the history.
fn last_changed_cell(ctx: &Ctx<'_>, d: &Document) -> Cell {
    date_cell(
        ctx,
        ctx.history.docs.get(&d.id).and_then(|h| h.last_changed),
    )
}

/// The columns and the rows (in the default order) of a kind's table, and
/// a line under it. Built-in kinds with a table of their own each have a
/// function that reads top to bottom as its columns; the others share
/// [`other_table`].
fn kind_table(ctx: &Ctx<'_>, kind: &str, root: &str) -> Table {
    let mut docs: Vec<&Document> = ctx.index.of_kind(kind).collect();
    // By title as a reader alphabetises: `p95 latency` among the P's.
    docs.sort_by_cached_key(|d| (d.title.to_lowercase(), d.title.clone(), d.id.clone()));
    match kind {
        "feature" => feature_table(ctx, docs, root),
        "metric" => metric_table(ctx, &docs, root),
        "objective" => objective_table(ctx, docs, root),
        "insight" => insight_table(ctx, docs),
        _ => other_table(ctx, &docs, root),
    }
}

/// A feature's target day: its milestone's date, when it has one.
fn feature_target(ctx: &Ctx<'_>, d: &Document) -> Option<i64> {
    d.str("milestone")
        .and_then(|m| ctx.index.get(m))
        .and_then(|m| m.str("date"))
        .and_then(dates::parse)
}

/// The features' table: who, where it stands, when it is due, and how
/// much it is worth (RICE, demand), with the demand over all of them
/// underneath. By target date, the unscheduled last, then by title.
fn feature_table(ctx: &Ctx<'_>, mut docs: Vec<&Document>, root: &str) -> Table {
    docs.sort_by_key(|d| feature_target(ctx, d).unwrap_or(i64::MAX));
    let cols = vec![
        col("Feature", false),
        col("Owner", false),
        col("Team", false),
        col("Status", false),
        col("Target", false),
        col("RICE", true),
        col("Demand", true),
        col("Last changed", false),
    ];
    let rows = docs.iter().map(|d| feature_row(ctx, d, root)).collect();
    let foot = Some(feature_foot(ctx, &docs));
    Table { cols, rows, foot }
}

/// One row of [`feature_table`].
fn feature_row(ctx: &Ctx<'_>, d: &Document, root: &str) -> Vec<Cell> {
    let m = d.str("milestone").and_then(|m| ctx.index.get(m));
    let target = feature_target(ctx, d);
    let mut target_cell = link_cell(ctx, m.map(|m| m.id.as_str()), root);
    target_cell.sort = Some(target.map(|t| day_key(ctx, t)).unwrap_or_default());
    target_cell.note = target.map(ctx.day());
    let rice = facts::rice(d);
    let dem = demand(ctx, &d.id);
    vec![
        title_cell(d, false),
        owner_cell(ctx, d, root),
        link_cell(ctx, d.str("team"), root),
        status_cell(d.str("status"), "status"),
        target_cell,
        Cell::text(
            rice.map(|r| facts::group_int(r.round() as i128))
                .unwrap_or_default(),
        )
        .sort(rice.map(num_key).unwrap_or_default()),
        Cell::text(if dem == facts::Demand::default() {
            String::new()
        } else {
            dem.words()
        })
        .sort(dem.sort_key())
        .note((dem.shared > 0).then(|| "shared".to_string())),
        last_changed_cell(ctx, d),
    ]
}

/// The line under the features' table: the demand of all of them, each
/// insight counted once however many features it names.
fn feature_foot(ctx: &Ctx<'_>, docs: &[&Document]) -> String {
    let total = facts::demand_total(ctx.index.plan, docs.iter().copied(), &|d| published(ctx, d));
    format!(
        "Demand over all {} features: {}{}.",
        facts::group_int(docs.len() as i128),
        total.words(),
        if total.shared > 0 {
            format!(
                " (each insight counted once; {} of them name{} several features, \"shared\" above)",
                total.shared,
                if total.shared == 1 { "s" } else { "" }
            )
        } else {
            String::new()
        }
    )
}

/// The metrics' table: each one's latest value beside its target, and
/// which way it last moved. By title.
fn metric_table(ctx: &Ctx<'_>, docs: &[&Document], root: &str) -> Table {
    let cols = vec![
        col("Metric", false),
        col("Current", true),
        col("Target", true),
        col("Unit", false),
        col("Trend", false),
        col("Owner", false),
    ];
    let rows = docs
        .iter()
        .map(|d| {
            let n = |k: &str| {
                let v = d.data.get(k);
                Cell::text(v.and_then(facts::number).unwrap_or_default())
                    .sort(v.and_then(Value::as_f64).map(num_key).unwrap_or_default())
            };
            vec![
                title_cell(d, false),
                n("current"),
                n("target"),
                Cell::text(d.str("unit").unwrap_or_default()),
                trend_cell(d, &points(ctx, d)),
                owner_cell(ctx, d, root),
            ]
        })
        .collect();
    Table {
        cols,
        rows,
        foot: None,
    }
}

/// A metric's trend: which way its last two points moved, and whether
/// that is better or worse given its direction; empty with fewer points.
fn trend_cell(d: &Document, pts: &[(i64, f64)]) -> Cell {
    let [.., (_, prev), (_, last)] = pts else {
        return Cell::default().sort("");
    };
    let better = match d.str("direction") {
        Some("decrease") => last < prev,
        _ => last > prev,
    };
    let (arrow, word) = if last > prev {
        ("↑", "up")
    } else if last < prev {
        ("↓", "down")
    } else {
        ("→", "unchanged")
    };
    let judged = if last == prev {
        String::new()
    } else if better {
        ", better".into()
    } else {
        ", worse".into()
    };
    Cell::text(format!("{arrow} {word}"))
        .sort(num_key(last - prev))
        .note(Some(format!("from {}{judged}", facts::number_f64(*prev))))
}

/// The objectives' table: the period, the mean progress of the key
/// results against the share of the period gone, and the computed
/// status. By the start of the period, then by title.
fn objective_table(ctx: &Ctx<'_>, mut docs: Vec<&Document>, root: &str) -> Table {
    let start = |d: &Document| {
        d.str("period")
            .and_then(dates::period_range)
            .map(|r| r.0)
            .unwrap_or(i64::MAX)
    };
    docs.sort_by_key(|d| start(d));
    let cols = vec![
        col("Objective", false),
        col("Period", false),
        col("Progress", true),
        col("Status", false),
        col("Owner", false),
    ];
    let rows = docs
        .iter()
        .map(|d| {
            let a = facts::assess(d, ctx.index.plan.today);
            vec![
                title_cell(d, false),
                Cell::text(d.str("period").unwrap_or_default()).sort(
                    d.str("period")
                        .and_then(dates::period_range)
                        .map(|r| dates::format(r.0))
                        .unwrap_or_default(),
                ),
                progress_cell(d, &a),
                objective_status_cell(&a),
                owner_cell(ctx, d, root),
            ]
        })
        .collect();
    Table {
        cols,
        rows,
        foot: None,
    }
}

/// An objective's progress: the mean of its key results' progress, with
/// the share of the period expected by now as a note; words instead
/// before it starts or without data.
fn progress_cell(d: &Document, a: &facts::Assessment) -> Cell {
    let ps: Vec<f64> = d
        .data
        .get("key_results")
        .and_then(Value::as_array)
        .map(|k| k.iter().filter_map(facts::progress).collect())
        .unwrap_or_default();
    if a.computed == "not-started" {
        Cell::text("not started").sort("")
    } else if ps.is_empty() {
        Cell::text("no data").sort("")
    } else {
        let mean = ps.iter().sum::<f64>() / ps.len() as f64;
        Cell::text(format!("{}%", facts::percent(mean)))
            .sort(num_key(mean))
            .note(
                a.elapsed
                    .map(|e| format!("{}% expected", facts::percent(e))),
            )
    }
}

/// An objective's computed status as a badge, the declared one as a
/// note when they differ.
fn objective_status_cell(a: &facts::Assessment) -> Cell {
    let mut status = status_cell(Some(a.computed), "obj");
    status.text = a.computed_label().into();
    status.note = a
        .declared
        .as_deref()
        .filter(|d| *d != a.computed)
        .map(|d| format!("declared {d}"));
    status
}

/// The insights' table: where each came from, how much evidence it
/// carries, and when; the customer only in a full build. Newest first.
fn insight_table(ctx: &Ctx<'_>, mut docs: Vec<&Document>) -> Table {
    docs.sort_by_key(|d| std::cmp::Reverse(d.str("date").and_then(dates::parse)));
    let mut cols = vec![col("Insight", false), col("Source", false)];
    if !ctx.public {
        cols.push(col("Customer", false));
    }
    cols.extend([col("Count", true), col("Date", false)]);
    let rows = docs
        .iter()
        .map(|d| {
            let (unit, n) = facts::evidence(d);
            let mut row = vec![
                title_cell(d, false),
                Cell::text(d.str("source").unwrap_or_default()),
            ];
            if !ctx.public {
                row.push(Cell::text(d.str("customer").unwrap_or_default()));
            }
            row.push(
                Cell::text(format!("{} {}", facts::group_int(n as i128), unit.words(n)))
                    .sort(format!("{}{:020}", unit as u8, n)),
            );
            row.push(date_cell(ctx, d.str("date").and_then(dates::parse)));
            row
        })
        .collect();
    Table {
        cols,
        rows,
        foot: None,
    }
}

/// The table of any other kind: the title with its summary, and a status
/// and an owner column when some document of the kind has one. By title.
fn other_table(ctx: &Ctx<'_>, docs: &[&Document], root: &str) -> Table {
    let has_status = docs.iter().any(|d| ctx.status(d).is_some());
    let has_owner = docs.iter().any(|d| d.str("owner").is_some());
    let mut cols = vec![col("Title", false)];
    if has_status {
        cols.push(col("Status", false));
    }
    if has_owner {
        cols.push(col("Owner", false));
    }
    let rows = docs
        .iter()
        .map(|d| {
            let mut row = vec![title_cell(d, true)];
            if has_status {
                row.push(match ctx.status(d) {
                    Some((text, class)) => Cell {
                        text: text.to_string(),
                        badge: Some(format!("status-{class}")),
                        ..Cell::default()
                    },
                    None => Cell::default().sort(""),
                });
            }
            if has_owner {
                row.push(owner_cell(ctx, d, root));
            }
            row
        })
        .collect();
    Table {
        cols,
        rows,
        foot: None,
    }
}

/// Table rows as HTML, every value escaped: a list has thousands of cells,
/// and a Handlebars loop costs far more a cell than the cell's HTML.
fn rows_html(cols: &[Col], rows: &[Vec<Cell>], prefix: &str) -> String {
    let mut out = String::with_capacity(rows.len() * 400);
    for row in rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            out.push_str("<td");
            if cols.get(i).is_some_and(|c| c.numeric) {
                out.push_str(" class=\"num\"");
            }
            if let Some(k) = &c.sort {
                out.push_str(" data-sort=\"");
                svg::esc_into(k, &mut out);
                out.push('"');
            }
            out.push('>');
            match (&c.badge, &c.href) {
                (Some(b), _) => {
                    out.push_str("<span class=\"badge ");
                    svg::esc_into(b, &mut out);
                    out.push_str("\">");
                    svg::esc_into(&c.text, &mut out);
                    out.push_str("</span>");
                }
                (None, Some(h)) => {
                    out.push_str("<a href=\"");
                    svg::esc_into(prefix, &mut out);
                    svg::esc_into(h, &mut out);
                    out.push_str("\">");
                    svg::esc_into(&c.text, &mut out);
                    out.push_str("</a>");
                }
                (None, None) => svg::esc_into(&c.text, &mut out),
            }
            if let Some(n) = &c.note {
                out.push_str(" <span class=\"muted\">");
                svg::esc_into(n, &mut out);
                out.push_str("</span>");
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out
}

/// A kind's list: a table with the columns its readers expect (see
/// `kind_table`), sorted by a sensible default (features by target
/// date, insights newest first, objectives by period, the rest by title)
/// so it is complete without JavaScript, which only re-sorts it by a
/// clicked heading. Paged beyond [`LIST_PAGE_ROWS`] rows.
pub fn kind_list(ctx: &Ctx<'_>, kind: &str) -> Vec<ListPage> {
    // Links are made for the first page, in the kind's folder; a later
    // page, one folder down, puts `../` before each.
    let Table {
        cols,
        rows: all,
        foot,
    } = kind_table(ctx, kind, "../");
    let pages = all.len().div_ceil(LIST_PAGE_ROWS).max(1);
    let mut all = all.into_iter();
    (0..pages)
        .map(|p| {
            let root: &'static str = if p == 0 { "../" } else { "../../" };
            let here = if p == 0 { "" } else { "../" };
            let from = p * LIST_PAGE_ROWS;
            let rows: Vec<Vec<Cell>> = all.by_ref().take(LIST_PAGE_ROWS).collect();
            let items: Vec<Value> = rows
                .iter()
                .filter_map(|r| r.first())
                .map(|c| json!({"title": c.text, "href": c.href.as_ref().map(|h| format!("{here}{h}"))}))
                .collect();
            let page_href = |q: usize| match (p, q) {
                (0, 0) => "index.html".to_string(),
                (0, q) => format!("index/{}.html", q + 1),
                (_, 0) => "../index.html".to_string(),
                (_, q) => format!("{}.html", q + 1),
            };
            let pager: Vec<Value> = if pages > 1 {
                (0..pages)
                    .map(|q| json!({"n": q + 1, "href": page_href(q), "current": q == p}))
                    .collect()
            } else {
                Vec::new()
            };
            // The column the rows come sorted by, as `aria-sort` says.
            let (by, order) = match kind {
                "feature" => (4, "ascending"),
                "objective" => (1, "ascending"),
                "insight" => (cols.len() - 1, "descending"),
                _ => (0, "ascending"),
            };
            let columns: Vec<Value> = cols
                .iter()
                .enumerate()
                .map(|(i, c)| json!({"label": c.label, "numeric": c.numeric, "index": i, "sorted": (i == by).then_some(order)}))
                .collect();
            ListPage {
                path: if p == 0 {
                    format!("{kind}/index.html")
                } else {
                    format!("{kind}/index/{}.html", p + 1)
                },
                root,
                context: json!({
                    "kind": kind,
                    "columns": columns,
                    "rows_html": rows_html(&cols, &rows, here),
                    "rows": rows.len(),
                    "foot": foot,
                    "items": items,
                    "pager": pager,
                    "page_number": p + 1,
                    "pages": pages,
                    "first_row": from + 1,
                    "last_row": from + rows.len(),
                    "is_feature": kind == "feature",
                }),
            }
        })
        .collect()
}

fn team(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    json!({
        "is_team": true,
        "owns": ctx.doc_links(plan.referrers(&doc.id, Some("team"))),
    })
}

fn person(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let teams: Vec<&Document> = plan
        .referrers(&doc.id, None)
        .into_iter()
        .filter(|d| {
            d.kind == "team"
                && (d.str("lead") == Some(&doc.id) || d.strs("members").contains(&doc.id.as_str()))
        })
        .collect();
    json!({
        "is_person": true,
        "email": if ctx.public { None } else { doc.str("email") },
        "teams": ctx.doc_links(teams),
        "owns": ctx.doc_links(plan.referrers(&doc.id, Some("owner"))),
    })
}
