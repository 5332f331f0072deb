//! History on the site: each document's changes, the plan's change log,
//! the Atom feed, and the facts history derives.

use super::links::Index;
use super::pages::Ctx;
use super::svg::esc;
use crate::config::Config;
use crate::dates;
use crate::history::{DocHistory, Event, History, LogEntry};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Most entries on the changes page; each document page keeps its own.
pub const LOG_LIMIT: usize = 500;
/// Most entries in the feed.
pub const FEED_LIMIT: usize = 50;

/// People by lowercase e-mail, so commit authors show as people.
pub fn people_by_email<'p>(index: &Index<'p>) -> HashMap<String, &'p crate::plan::Document> {
    index
        .of_kind("person")
        .filter_map(|p| p.str("email").map(|e| (e.to_lowercase(), p)))
        .collect()
}

fn author(
    ctx: &Ctx<'_>,
    people: &HashMap<String, &crate::plan::Document>,
    e: &Event,
    root: &str,
) -> Value {
    if e.uncommitted {
        return json!({"title": "not committed yet"});
    }
    match people.get(&e.email.to_lowercase()) {
        Some(p) => json!({"title": p.title, "href": format!("{root}{}", Index::page(p))}),
        None if ctx.public => json!({"title": "the team"}),
        None => json!({"title": e.author}),
    }
}

/// One event as the templates show it.
pub fn event(
    ctx: &Ctx<'_>,
    people: &HashMap<String, &crate::plan::Document>,
    e: &Event,
    root: &str,
) -> Value {
    let date = if ctx.public {
        dates::quarter(e.day)
    } else {
        dates::human(e.day)
    };
    json!({
        "date": date,
        "author": author(ctx, people, e, root),
        "words": e.words,
        "summary": e.words.join("; "),
        "commit": e.commit.get(..10).unwrap_or(&e.commit),
        "message": if ctx.public || e.uncommitted { None } else { Some(&e.message) },
        "uncommitted": e.uncommitted,
        "what": e.what,
    })
}

/// A document's history section and derived facts.
pub fn document(ctx: &Ctx<'_>, history: &History, id: &str, kind: &str, root: &str) -> Value {
    let people = &ctx.people;
    let Some(h) = history.docs.get(id) else {
        return json!({"history": [], "facts": Value::Null});
    };
    let events: Vec<Value> = h
        .events
        .iter()
        .rev()
        .map(|e| event(ctx, people, e, root))
        .collect();
    json!({"history": events, "facts": facts(ctx, h, kind)})
}

fn facts(ctx: &Ctx<'_>, h: &DocHistory, kind: &str) -> Value {
    let day = |d: Option<i64>| {
        d.map(|d| {
            if ctx.public {
                dates::quarter(d)
            } else {
                dates::human(d)
            }
        })
    };
    let mut v = json!({"created": day(h.created), "last_changed": day(h.last_changed)});
    if kind == "feature" {
        let statuses: Vec<Value> = h
            .days_in_status
            .iter()
            .map(|(s, d)| json!({"status": s, "days": d}))
            .collect();
        v["days_in_status"] = json!(statuses);
        v["slips"] = json!(h.slips);
        v["slip_days"] = json!(h.slip_days);
    }
    if kind == "milestone" {
        v["scope_added"] = json!(
            h.scope_added
                .iter()
                .map(|id| ctx.index.link(id, "../"))
                .collect::<Vec<_>>()
        );
        v["scope_removed"] = json!(
            h.scope_removed
                .iter()
                .map(|id| ctx.index.link(id, "../"))
                .collect::<Vec<_>>()
        );
    }
    v
}

/// The log entries a build may show: those of published documents, and in
/// an internal build also those of documents since deleted (the change log
/// is the union of every document's history, SPEC §6). A public build never
/// shows a document it does not publish.
fn published<'h>(ctx: &Ctx<'_>, history: &'h History) -> impl Iterator<Item = &'h LogEntry> {
    let index = ctx.index;
    let public = ctx.public;
    history.log.iter().filter(move |l| {
        let shown = index.get(&l.id).is_some() || (!public && index.plan.get(&l.id).is_none());
        shown && !(public && l.event.uncommitted)
    })
}

/// The change log, newest first, for the changes page (`root` "") or home.
pub fn log(ctx: &Ctx<'_>, history: &History, limit: usize) -> Vec<Value> {
    let people = &ctx.people;
    published(ctx, history)
        .take(limit)
        .map(|l| {
            let mut v = event(ctx, people, &l.event, "");
            let d = ctx.index.get(&l.id);
            v["title"] = json!(
                d.map(|d| d.title.clone())
                    .unwrap_or_else(|| l.title.clone())
            );
            v["href"] = json!(d.map(Index::page));
            v["kind"] = json!(l.kind);
            v
        })
        .collect()
}

/// Notes about where history stops.
pub fn notes(history: &History) -> Vec<String> {
    history.notes.clone()
}

/// `feed.xml`: the change log as Atom.
pub fn feed(ctx: &Ctx<'_>, config: &Config, history: &History) -> String {
    let people = &ctx.people;
    let base = config.site.base_url.trim_end_matches('/');
    let updated = published(ctx, history)
        .next()
        .map(|l| l.event.day)
        .unwrap_or(ctx.index.plan.today);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{}</title>\n  <id>urn:northstar:{}:changes</id>\n  <updated>{}T00:00:00Z</updated>\n  <link rel=\"alternate\" href=\"{}/changes.html\"/>\n",
        esc(&format!("{}: plan changes", config.site.title)),
        esc(&config.product.replace(' ', "-").to_lowercase()),
        dates::format(updated),
        esc(base),
    );
    for l in published(ctx, history).take(FEED_LIMIT) {
        let e = event(ctx, people, &l.event, "");
        let title = ctx
            .index
            .get(&l.id)
            .map(|d| d.title.clone())
            .unwrap_or_else(|| l.title.clone());
        let who = e["author"]["title"].as_str().unwrap_or("").to_string();
        let page = ctx.index.get(&l.id).map(Index::page).unwrap_or_default();
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>urn:northstar:{}:{}:{}</id>\n    <updated>{}T00:00:00Z</updated>\n    <author><name>{}</name></author>\n    <link href=\"{}/{}\"/>\n    <summary>{}</summary>\n  </entry>\n",
            esc(&format!("{title}: {}", l.event.words.join("; "))),
            esc(if l.event.commit.is_empty() { "uncommitted" } else { &l.event.commit }),
            esc(&l.id),
            l.event.day,
            dates::format(l.event.day),
            esc(&who),
            esc(base),
            esc(&page),
            esc(&l.event.message),
        ));
    }
    out.push_str("</feed>\n");
    out
}

/// History of every published document for `plan.json`.
pub fn for_plan_json(ctx: &Ctx<'_>, history: &History) -> Value {
    let mut out = serde_json::Map::new();
    for d in ctx.index.docs() {
        if let Some(h) = history.docs.get(&d.id) {
            let events: Vec<Value> = h
                .events
                .iter()
                .rev()
                .filter(|e| !(ctx.public && e.uncommitted))
                .map(|e| {
                    json!({
                        "commit": e.commit, "date": if ctx.public { dates::quarter(e.day) } else { dates::format(e.day) },
                        "author": if ctx.public { Value::Null } else { json!(e.author) },
                        "what": e.what, "changes": e.fields, "sections": e.sections, "uncommitted": e.uncommitted,
                    })
                })
                .collect();
            out.insert(d.id.clone(), json!(events));
        }
    }
    Value::Object(out)
}
