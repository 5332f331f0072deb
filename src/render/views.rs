//! Contexts of the plan-wide pages: home, roadmap, health, not doing, kind
//! lists, search.

use super::facts;
use super::links::Index;
use super::pages::Ctx;
use super::svg::{self, Item, Mark};
use crate::dates;
use crate::diag::{Diagnostic, Level};
use crate::plan::Document;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const STATUSES: &[&str] = &[
    "idea",
    "discovery",
    "planned",
    "in-progress",
    "beta",
    "shipped",
    "on-hold",
    "declined",
];

fn card(ctx: &Ctx<'_>, d: &Document, root: &str) -> Value {
    json!({
        "id": d.id, "title": d.title, "href": format!("{root}{}", Index::page(d)),
        "status": d.str("status"), "summary": d.str("summary"),
        "team": d.str("team").and_then(|t| ctx.index.get(t)).map(|t| t.title.clone()),
        "milestone": d.str("milestone").and_then(|m| ctx.index.get(m)).map(|m| m.title.clone()),
        "rice": facts::rice(d).map(|s| s.round() as i64),
        "filter_team": d.str("team").filter(|t| ctx.index.get(t).is_some()).unwrap_or("none"),
        "filter_objectives": d.strs("objectives").into_iter().filter(|o| ctx.index.get(o).is_some()).collect::<Vec<_>>().join(" "),
        "filter_segments": d.strs("segments").into_iter().filter(|o| ctx.index.get(o).is_some()).collect::<Vec<_>>().join(" "),
        "demand": ctx.index.demand(&d.id),
    })
}

fn objectives_summary(ctx: &Ctx<'_>, root: &str) -> Vec<Value> {
    ctx.index
        .of_kind("objective")
        .map(|o| super::pages::objective_summary(ctx, o, root))
        .collect()
}

/// The home page.
pub fn home(ctx: &Ctx<'_>, changes: Vec<Value>) -> Value {
    let product = ctx.index.of_kind("product").next();
    let north_star = product.and_then(|p| p.str("north_star")).and_then(|m| ctx.index.get(m)).map(|m| {
        json!({"title": m.title, "href": Index::page(m), "current": m.num("current").map(svg::fmt_num),
               "target": m.num("target").map(svg::fmt_num), "unit": m.str("unit")})
    });
    let strategies: Vec<Value> = ctx
        .index
        .of_kind("strategy")
        .map(|s| json!({"title": s.title, "href": Index::page(s), "period": s.str("period"), "pillars": s.data.get("pillars")}))
        .collect();
    let board = now_next_later(ctx, "");
    json!({
        "vision": product.and_then(|p| p.str("vision")),
        "problem": product.and_then(|p| p.str("problem")),
        "product_href": product.map(Index::page),
        "north_star": north_star,
        "strategies": strategies,
        "objectives": objectives_summary(ctx, ""),
        "board": board,
        "changes": changes,
    })
}

fn now_next_later(ctx: &Ctx<'_>, root: &str) -> Vec<Value> {
    let mut cols: BTreeMap<&str, Vec<&Document>> = BTreeMap::new();
    for f in ctx.index.of_kind("feature") {
        if let Some(h) = facts::horizon(ctx.index.plan, f) {
            cols.entry(h).or_default().push(f);
        }
    }
    ["now", "next", "later"]
        .iter()
        .map(|h| {
            let mut fs = cols.remove(h).unwrap_or_default();
            fs.sort_by(|a, b| {
                facts::rice(b)
                    .unwrap_or(0.0)
                    .total_cmp(&facts::rice(a).unwrap_or(0.0))
                    .then(a.title.cmp(&b.title))
            });
            json!({"name": h, "label": match *h { "now" => "Now", "next" => "Next", _ => "Later" },
                   "features": fs.iter().map(|f| card(ctx, f, root)).collect::<Vec<_>>()})
        })
        .collect()
}

/// The roadmap page: timeline, now/next/later, by status, by objective.
pub fn roadmap(ctx: &Ctx<'_>) -> Value {
    let plan = ctx.index.plan;
    let mut teams: Vec<&Document> = ctx.index.of_kind("team").collect();
    teams.sort_by(|a, b| a.title.cmp(&b.title));
    let mut lanes: Vec<String> = teams.iter().map(|t| t.title.clone()).collect();
    lanes.push("Unassigned".into());
    let mut marks = Vec::new();
    for m in ctx.index.of_kind("milestone") {
        if m.str("status") == Some("cancelled") {
            continue;
        }
        if let Some(d) = m.str("date").and_then(dates::parse) {
            let date = if ctx.public {
                dates::period_range(&dates::quarter(d))
                    .map(|r| r.0)
                    .unwrap_or(d)
            } else {
                d
            };
            marks.push(Mark {
                label: m.title.clone(),
                date,
                href: Some(Index::page(m)),
            });
        }
    }
    marks.sort_by_key(|m| m.date);
    let mut items = Vec::new();
    for f in ctx.index.of_kind("feature") {
        let status = f.str("status").unwrap_or("");
        if status == "declined" {
            continue;
        }
        let Some(m) = f.str("milestone").and_then(|m| ctx.index.get(m)) else {
            continue;
        };
        if m.str("status") == Some("cancelled") {
            continue;
        }
        let Some(date) = m.str("date").and_then(dates::parse) else {
            continue;
        };
        let date = if ctx.public {
            dates::period_range(&dates::quarter(date))
                .map(|r| r.0)
                .unwrap_or(date)
        } else {
            date
        };
        let lane = f
            .str("team")
            .and_then(|t| teams.iter().position(|d| d.id == t))
            .unwrap_or(teams.len());
        let c = card(ctx, f, "");
        items.push(Item {
            title: f.title.clone(),
            href: Some(Index::page(f)),
            status: status.to_string(),
            lane,
            date,
            filters: [
                c["filter_team"].as_str().unwrap_or("").to_string(),
                c["filter_objectives"].as_str().unwrap_or("").to_string(),
                c["filter_segments"].as_str().unwrap_or("").to_string(),
            ],
        });
    }
    let unscheduled: Vec<Value> = ctx
        .index
        .of_kind("feature")
        .filter(|f| {
            f.str("milestone").and_then(|m| ctx.index.get(m)).is_none()
                && f.str("status") != Some("declined")
        })
        .map(|f| card(ctx, f, ""))
        .collect();
    let by_status: Vec<Value> = STATUSES
        .iter()
        .map(|s| {
            let fs: Vec<Value> = ctx
                .index
                .of_kind("feature")
                .filter(|f| f.str("status") == Some(s))
                .map(|f| card(ctx, f, ""))
                .collect();
            json!({"name": s, "features": fs})
        })
        .collect();
    let mut by_objective: Vec<Value> = ctx
        .index
        .of_kind("objective")
        .map(|o| {
            let fs: Vec<Value> = plan
                .referrers(&o.id, Some("objectives"))
                .into_iter()
                .filter(|f| f.kind == "feature" && ctx.index.get(&f.id).is_some())
                .map(|f| card(ctx, f, ""))
                .collect();
            json!({"title": o.title, "href": Index::page(o), "status": facts::objective_status(o, plan.today), "features": fs})
        })
        .collect();
    let orphans: Vec<Value> = ctx
        .index
        .of_kind("feature")
        .filter(|f| {
            f.strs("objectives")
                .iter()
                .all(|o| ctx.index.get(o).is_none())
        })
        .map(|f| card(ctx, f, ""))
        .collect();
    if !orphans.is_empty() {
        by_objective.push(json!({"title": "No objective", "features": orphans}));
    }
    let filter = |kind: &str| -> Vec<Value> {
        ctx.index
            .of_kind(kind)
            .map(|d| json!({"id": d.id, "title": d.title}))
            .collect()
    };
    json!({
        "timeline": svg::timeline(&lanes, &marks, &items, plan.today, ctx.day()),
        "unscheduled": unscheduled,
        "board": now_next_later(ctx, ""),
        "by_status": by_status,
        "by_objective": by_objective,
        "filters": {"teams": filter("team"), "objectives": filter("objective"), "segments": filter("segment"), "statuses": STATUSES},
    })
}

/// The health page: every diagnostic, grouped by file.
pub fn health(ctx: &Ctx<'_>, diags: &[Diagnostic]) -> Value {
    let mut by_file: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for d in diags {
        by_file.entry(d.file.as_str()).or_default().push(json!({
            "rule": d.rule, "level": d.level.as_str(), "message": d.message, "line": d.line, "column": d.column,
            "notes": d.notes, "suggestion": d.suggestion,
        }));
    }
    let plan = ctx.index.plan;
    let groups: Vec<Value> = by_file
        .into_iter()
        .map(|(file, items)| {
            let doc = plan.docs.iter().find(|d| d.file == file);
            json!({"file": file, "doc": doc.map(|d| json!({"title": d.title, "href": Index::page(d)})), "items": items})
        })
        .collect();
    json!({
        "errors": diags.iter().filter(|d| d.level == Level::Error).count(),
        "warnings": diags.iter().filter(|d| d.level == Level::Warning).count(),
        "groups": groups,
    })
}

/// The "not doing" page: declined features and the decisions behind them.
pub fn not_doing(ctx: &Ctx<'_>) -> Value {
    let items: Vec<Value> = ctx
        .index
        .of_kind("feature")
        .filter(|f| f.str("status") == Some("declined"))
        .map(|f| {
            let decision = f.str("decision").and_then(|d| ctx.index.get(d)).map(|d| {
                json!({"title": d.title, "href": Index::page(d), "date": d.str("date").map(|s| ctx.date(s)), "summary": d.str("summary")})
            });
            json!({"title": f.title, "href": Index::page(f), "summary": f.str("summary"), "decision": decision})
        })
        .collect();
    json!({"items": items})
}
