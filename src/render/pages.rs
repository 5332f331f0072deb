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
use crate::schema::{Registry, refs};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Everything page builders read.
pub struct Ctx<'a> {
    /// Published documents.
    pub index: &'a Index<'a>,
    /// Kinds, for references in generic fields.
    pub registry: &'a Registry,
    /// Public build: coarser dates, no e-mails or customer names.
    pub public: bool,
    /// "Edit this page" URL template.
    pub edit_url: Option<&'a str>,
    /// History from git (empty without a repository).
    pub history: &'a crate::history::History,
    /// Published people by lowercase e-mail, so commit authors show as
    /// people (built once: every history entry asks).
    pub people: std::collections::HashMap<String, &'a Document>,
    /// The `stale` rule's days, for the roadmap's risk flags.
    pub stale_days: u32,
}

impl<'a> Ctx<'a> {
    /// The context of one build (full or partial): what it publishes and
    /// how it shows dates, people and edit links.
    pub fn new(
        index: &'a Index<'a>,
        registry: &'a Registry,
        history: &'a crate::history::History,
        config: &'a crate::config::Config,
        public: bool,
    ) -> Ctx<'a> {
        Ctx {
            index,
            registry,
            history,
            people: super::history::people_by_email(index),
            public,
            stale_days: config.stale_days(),
            edit_url: if public {
                None
            } else {
                config.site.edit_url.as_deref()
            },
        }
    }
}

const ROOT: &str = "../";
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

impl Ctx<'_> {
    /// A date as readers of this build may see it.
    pub fn date(&self, s: &str) -> String {
        match dates::parse(s) {
            Some(d) if self.public => dates::quarter(d),
            Some(d) => dates::human(d),
            None => s.to_string(),
        }
    }

    /// How this build writes a day number (quarters in a public build).
    pub fn day(&self) -> fn(i64) -> String {
        if self.public {
            dates::quarter
        } else {
            dates::human
        }
    }

    /// A reference as a link (unlinked text when the document is not
    /// published); None in a public build for a document it does not
    /// publish, whose id is as internal as its title.
    fn link(&self, id: &str) -> Option<Value> {
        (!self.public || self.index.get(id).is_some()).then(|| self.index.link(id, ROOT))
    }

    fn links(&self, ids: &[&str]) -> Vec<Value> {
        ids.iter().filter_map(|id| self.link(id)).collect()
    }

    /// A list of documents as links, sorted by title.
    fn doc_links<'d>(&self, docs: impl IntoIterator<Item = &'d Document>) -> Vec<Value> {
        let mut v: Vec<&Document> = docs
            .into_iter()
            .filter(|d| self.index.get(&d.id).is_some())
            .collect();
        v.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
        v.dedup_by(|a, b| a.id == b.id);
        v.into_iter().map(|d| self.doc_card(d)).collect()
    }

    /// A short description of a document for lists.
    pub fn doc_card(&self, d: &Document) -> Value {
        json!({
            "id": d.id, "title": d.title, "kind": d.kind,
            "href": format!("{ROOT}{}", Index::page(d)),
            "status": d.str("status"), "summary": d.str("summary"),
        })
    }
}

fn label(field: &str) -> String {
    let s = field.replace(['_', '-'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .map(svg::fmt_num)
            .unwrap_or_else(|| n.to_string()),
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
            m.entry(r.field).or_default().push(r.id);
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
            let text = plain(&with_dates(ctx, v));
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

/// Who refers to this document, grouped by kind and field.
fn backlinks(ctx: &Ctx<'_>, doc: &Document) -> Vec<Value> {
    let plan = ctx.index.plan;
    let Some(&to) = plan.by_id.get(&doc.id) else {
        return Vec::new();
    };
    let mut groups: BTreeMap<(String, String), Vec<&Document>> = BTreeMap::new();
    for &ei in plan.incoming.get(to).map(Vec::as_slice).unwrap_or(&[]) {
        let e = &plan.edges[ei];
        let from = &plan.docs[e.from];
        groups
            .entry((from.kind.clone(), e.field.clone()))
            .or_default()
            .push(from);
    }
    groups
        .into_iter()
        .map(|((kind, field), docs)| {
            let how = if field == "body" {
                "mentioned in".to_string()
            } else {
                format!("via {}", label(&field).to_lowercase())
            };
            json!({"heading": format!("{} ({how})", label(&kind)), "docs": ctx.doc_links(docs)})
        })
        .filter(|g| g["docs"].as_array().is_some_and(|a| !a.is_empty()))
        .collect()
}

/// The context of a document's page, and the files its body links to.
pub fn document(ctx: &Ctx<'_>, doc: &Document, assets: &mut BTreeSet<String>) -> Value {
    let linker = ctx.index.linker(ROOT);
    let (body, toc) = match &doc.body {
        Some(b) => {
            let r = markdown::render(&b.text, &b.file, &linker);
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
    let mut v = json!({
        "id": doc.id, "kind": doc.kind, "kind_label": label(&doc.kind), "title": doc.title,
        "summary": doc.str("summary"), "status": doc.str("status"),
        "owner": doc.str("owner").and_then(|o| ctx.link(o)),
        "tags": doc.strs("tags"), "links": links,
        "fields": fields(ctx, doc, &data), "backlinks": backlinks(ctx, doc),
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

fn feature(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let rice = doc.data.get("rice").map(|r| {
        json!({
            "score": facts::rice(doc).map(|s| format!("{}", s.round() as i64)),
            "reach": r.get("reach").map(plain), "impact": r.get("impact").map(plain),
            "confidence": r.get("confidence").and_then(Value::as_f64).map(|c| format!("{}%", (c * 100.0).round() as i64)),
            "effort": r.get("effort").map(plain),
        })
    });
    let insights: Vec<&Document> = plan
        .referrers(&doc.id, Some("features"))
        .into_iter()
        .filter(|d| d.kind == "insight")
        .collect();
    let evidence: Vec<Value> = insights
        .iter()
        .filter(|d| ctx.index.get(&d.id).is_some())
        .map(|d| {
            let mut c = ctx.doc_card(d);
            c["count"] = json!(d.num("count").map(|n| n as u64).unwrap_or(1));
            c["source"] = json!(d.str("source"));
            c["date"] = json!(d.str("date").map(|s| ctx.date(s)));
            if !ctx.public {
                c["customer"] = json!(d.str("customer"));
            }
            c
        })
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
        "depends_on": ctx.links(&doc.strs("depends_on")),
        "dependents": ctx.doc_links(plan.referrers(&doc.id, Some("depends_on"))),
        "segments": ctx.links(&doc.strs("segments")),
        "team": doc.str("team").and_then(|t| ctx.link(t)),
        "milestone": milestone,
        "horizon": facts::horizon(plan, doc),
        "evidence": evidence,
        "demand": ctx.index.demand(&doc.id),
        "decisions": ctx.doc_links(decisions),
    })
}

/// Key results with progress and status, for objective pages and the home.
pub fn key_results(ctx: &Ctx<'_>, doc: &Document) -> Vec<Value> {
    let today = ctx.index.plan.today;
    let el = doc
        .str("period")
        .and_then(|p| facts::elapsed(p, today))
        .unwrap_or(0.0);
    doc.data
        .get("key_results")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|kr| {
                    let p = facts::progress(kr);
                    json!({
                        "title": kr.get("title").map(plain),
                        "metric": kr.get("metric").and_then(Value::as_str).and_then(|m| ctx.link(m)),
                        "baseline": kr.get("baseline").map(plain), "target": kr.get("target").map(plain),
                        "current": kr.get("current").map(plain),
                        "percent": p.map(|p| (p * 100.0).round().clamp(0.0, 100.0) as i64),
                        "status": p.map(|p| facts::kr_status(p, el)),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn objective(ctx: &Ctx<'_>, doc: &Document) -> Value {
    let plan = ctx.index.plan;
    let el = doc
        .str("period")
        .and_then(|p| facts::elapsed(p, plan.today));
    json!({
        "is_objective": true,
        "key_results": key_results(ctx, doc),
        "objective_status": facts::objective_status(doc, plan.today),
        "elapsed": el.map(|e| (e * 100.0).round() as i64),
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
/// hundreds, and a Handlebars loop over them cost a few thousand
/// instructions a row.
fn readings_html(ctx: &Ctx<'_>, pts: &[(i64, f64)]) -> String {
    let mut out = String::with_capacity(pts.len() * 48);
    for (d, v) in pts.iter().rev() {
        out.push_str("<tr><td>");
        super::history::date_into(ctx, *d, &mut out);
        out.push_str("</td><td>");
        svg::esc_into(&svg::fmt_num(*v), &mut out);
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
        .map(|(d, v)| json!({"date": ctx.date(&dates::format(*d)), "value": svg::fmt_num(*v)}))
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
    json!({
        "is_milestone": true,
        "date": doc.str("date").map(|d| ctx.date(d)),
        "milestone_status": doc.str("status").unwrap_or("planned"),
        "features": features, "launch": launch,
    })
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
