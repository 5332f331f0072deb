//! Contexts of the plan-wide pages: home, roadmap, health, not doing, kind
//! lists, search.

use super::ctx::Ctx;
use super::facts;
use super::links::Index;
use super::pages::key_results;
use super::risk;
use super::svg::{self, Item, Link, Mark, esc};
use crate::dates;
use crate::diag::{Diagnostic, Level, Rule};
use crate::plan::Document;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// A feature's statuses in lifecycle order, for the boards and filters.
const STATUSES: &[&str] = crate::config::LIFECYCLE;

/// What the roadmap's filters match a feature by: its team, objectives,
/// segments and milestone, each only where this build publishes it
/// (`none` for no team or milestone).
struct Filters<'d> {
    team: &'d str,
    objectives: Vec<&'d str>,
    segments: Vec<&'d str>,
    milestone: &'d str,
}

fn filters<'d>(ctx: &Ctx<'_>, d: &'d Document) -> Filters<'d> {
    let published = |ids: Vec<&'d str>| -> Vec<&'d str> {
        ids.into_iter()
            .filter(|id| ctx.index.get(id).is_some())
            .collect()
    };
    let one = |key: &str| -> &'d str {
        d.str(key)
            .filter(|id| ctx.index.get(id).is_some())
            .unwrap_or("none")
    };
    Filters {
        team: one("team"),
        objectives: published(d.strs("objectives")),
        segments: published(d.strs("segments")),
        milestone: one("milestone"),
    }
}

fn card(ctx: &Ctx<'_>, d: &Document, root: &str) -> Value {
    let f = filters(ctx, d);
    let status = ctx.status(d);
    json!({
        "id": d.id, "title": d.title, "href": format!("{root}{}", Index::page(d)),
        "status": status.as_ref().map(|s| s.0), "status_class": status.as_ref().map(|s| &s.1),
        "kind_label": (d.kind != "feature").then(|| ctx.config.kind_name(&d.kind)),
        "summary": d.str("summary"),
        "team": d.str("team").and_then(|t| ctx.index.get(t)).map(|t| t.title.clone()),
        "milestone": d.str("milestone").and_then(|m| ctx.index.get(m)).map(|m| m.title.clone()),
        "rice": facts::rice(d).map(|s| s.round() as i64),
        "filter_team": f.team,
        "filter_objectives": f.objectives.join(" "),
        "filter_segments": f.segments.join(" "),
        "filter_milestone": f.milestone,
        "demand": ctx.index.demand(&d.id),
        "risks": risk::flags(ctx, d),
    })
}

/// Every published document the roadmap shows: features, then the
/// documents of each kind the config puts on it
/// (docs/format.md#kinds-by-location).
fn roadmap_docs<'d>(ctx: &Ctx<'d>) -> Vec<&'d Document> {
    ctx.config
        .roadmap_kinds()
        .into_iter()
        .flat_map(|k| ctx.index.of_kind(k).collect::<Vec<_>>())
        .collect()
}

/// Whether the build publishes a document the roadmap shows (a feature,
/// or one of a kind the config puts on it): a roadmap to link to, and a
/// board on home.
pub(super) fn has_roadmap(config: &crate::config::Config, index: &Index<'_>) -> bool {
    config
        .roadmap_kinds()
        .into_iter()
        .any(|k| index.of_kind(k).next().is_some())
}

/// What the roadmap's documents are called: the plurals of the kinds it
/// shows that have a document ("features", "features and KEPs").
fn roadmap_noun(ctx: &Ctx<'_>, docs: &[&Document]) -> String {
    let mut kinds: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
    kinds.dedup();
    let names: Vec<String> = kinds.iter().map(|k| ctx.config.kind_plural(k)).collect();
    match names.as_slice() {
        [] => ctx.config.kind_plural("feature"),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn objectives_summary(ctx: &Ctx<'_>, root: &str) -> Vec<Value> {
    ctx.index
        .of_kind("objective")
        .map(|o| super::pages::objective_summary(ctx, o, root))
        .collect()
}

/// The home page. With `diags` (internal builds; a public one has no
/// health page and flags no risks), a risk summary that links to the
/// health page's sections.
pub fn home(ctx: &Ctx<'_>, changes: Vec<Value>, diags: Option<&[Diagnostic]>) -> Value {
    let product = ctx.index.of_kind("product").next();
    let north_star = product
        .and_then(|p| p.str("north_star"))
        .and_then(|m| ctx.index.get(m))
        .map(|m| {
            // Numbers as written, with thousands separators, like every other
            // figure of the site ("52,300 writers").
            let figure = |field: &str| m.data.get(field).and_then(facts::number);
            json!({"title": m.title, "href": Index::page(m), "current": figure("current"),
               "target": figure("target"), "unit": m.str("unit")})
        });
    let strategies: Vec<Value> = ctx
        .index
        .of_kind("strategy")
        .map(|s| json!({"title": s.title, "href": Index::page(s), "period": s.str("period"), "pillars": s.data.get("pillars")}))
        .collect();
    let board = now_next_later(ctx, "", HOME_CARDS);
    // A board of three empty columns says something of a product plan
    // (nothing planned); of a repository of records all decided it is
    // noise, and home leaves it out.
    let glance = has_roadmap(ctx.config, ctx.index)
        && (ctx.index.of_kind("feature").next().is_some()
            || board.iter().any(|c| c["count"].as_u64() > Some(0)));
    json!({
        "vision": product.and_then(|p| p.str("vision")),
        "problem": product.and_then(|p| p.str("problem")),
        "product_href": product.map(Index::page),
        "north_star": north_star,
        "strategies": strategies,
        "objectives": objectives_summary(ctx, ""),
        "board": board,
        "has_features": glance,
        "kinds": own_kinds(ctx),
        "changes": changes,
        "risks": diags.map(|d| Risks::new(ctx, d).summary()),
    })
}

/// The kinds the plans define (a repository's KEPs or RFCs), for the home
/// page: each by its display name, with its documents counted by status,
/// in lifecycle order (statuses the kind does not map come after, by
/// name).
fn own_kinds(ctx: &Ctx<'_>) -> Vec<Value> {
    let config = ctx.config;
    let mut out = Vec::new();
    for kind in ctx.registry.names() {
        if crate::schema::is_builtin(kind) {
            continue;
        }
        let mut count = 0usize;
        let mut by: BTreeMap<(usize, String), usize> = BTreeMap::new();
        for d in ctx.index.of_kind(kind) {
            count += 1;
            if let Some((_, class)) = ctx.status(d) {
                let rank = crate::config::LIFECYCLE
                    .iter()
                    .position(|l| *l == class)
                    .unwrap_or(usize::MAX);
                *by.entry((rank, class.into_owned())).or_default() += 1;
            }
        }
        if count == 0 {
            continue;
        }
        let statuses: Vec<Value> = by
            .into_iter()
            .map(|((_, class), n)| {
                json!({"class": class, "label": class.replace('-', " "), "count_text": facts::group_int(n as i128)})
            })
            .collect();
        out.push(json!({
            "label": crate::config::capitalised(&config.kind_plural(kind)),
            "href": format!("{kind}/index.html"),
            "count_text": facts::group_int(count as i128),
            "statuses": statuses,
        }));
    }
    out
}

/// Most cards a column of the roadmap's boards holds in the page itself:
/// at 10,000 documents the whole plan as cards is megabytes of HTML. The
/// page's script draws every feature from `roadmap-data.js`; without it
/// a column names how many more there are and links to the full table.
const COLUMN_CARDS: usize = 50;
/// Most cards a column of the roadmap's "by status" board holds.
const STATUS_CARDS: usize = 30;
/// Most cards a column of the home page's board holds: a glance.
const HOME_CARDS: usize = 10;
/// Most cards the roadmap's "by objective" section holds in all, shared
/// among its groups (at least [`GROUP_MIN`] each).
const GROUPED_CARDS: usize = 200;
const GROUP_MIN: usize = 2;
/// Most features the timeline draws, shared among its lanes (at least
/// [`LANE_MIN`] each); a lane names how many it leaves out.
const TIMELINE_ITEMS: usize = 400;
const LANE_MIN: usize = 8;

/// A board column: the first `cap` cards of `fs`, its whole count, and
/// how many it leaves out, in words.
fn column(ctx: &Ctx<'_>, fs: &[&Document], cap: usize, root: &str) -> Value {
    let more = fs.len().saturating_sub(cap);
    let mut kinds: Vec<&str> = fs.iter().map(|d| d.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    // Where the cards left out are: the list of each kind in the column.
    let lists: Vec<Value> = kinds
        .iter()
        .map(|k| json!({"href": format!("{root}{k}/index.html"), "label": format!("all {}", ctx.config.kind_plural(k))}))
        .collect();
    json!({
        "lists": lists,
        "features": fs.iter().take(cap).map(|f| card(ctx, f, root)).collect::<Vec<_>>(),
        "count": fs.len(),
        "count_text": facts::group_int(fs.len() as i128),
        "more": more,
        "more_text": facts::group_int(more as i128),
    })
}

fn now_next_later(ctx: &Ctx<'_>, root: &str, cap: usize) -> Vec<Value> {
    let mut cols: BTreeMap<&str, Vec<&Document>> = BTreeMap::new();
    for f in roadmap_docs(ctx) {
        if let Some(h) = ctx.horizon(f) {
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
            let mut c = column(ctx, &fs, cap, root);
            c["name"] = json!(h);
            c["label"] = json!(match *h {
                "now" => "Now",
                "next" => "Next",
                _ => "Later",
            });
            c
        })
        .collect()
}

/// The roadmap's timeline as SVG: lanes by team, milestones, features
/// and their dependencies. The roadmap page shows it and `roadmap.svg`
/// holds it for slides.
pub fn timeline(ctx: &Ctx<'_>) -> String {
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
            marks.push(Mark {
                label: m.title.clone(),
                date: coarse(ctx, d),
                href: Some(Index::page(m)),
            });
        }
    }
    marks.sort_by_key(|m| m.date);
    let (items, links) = timeline_items(ctx, &teams);
    let (items, more) = cap_lanes(items, lanes.len(), coarse(ctx, plan.today));
    svg::timeline(&svg::Timeline {
        lanes: &lanes,
        more: &more,
        marks: &marks,
        items: &items,
        links: &links,
        // A public build shows no day, not even today's: its
        // timeline, every date a quarter's first, has Today there too.
        today: coarse(ctx, plan.today),
        day: ctx.day(),
        quarters: ctx.public,
    })
}

/// At most [`TIMELINE_ITEMS`] features over all lanes: where a lane holds
/// more than its share, it keeps the work of the default window (a
/// quarter back, a year ahead) first, at-risk work first within it, then
/// what is nearest today. Returns the items kept and, per lane, how many
/// it left out.
fn cap_lanes(items: Vec<Item>, lanes: usize, today: i64) -> (Vec<Item>, Vec<usize>) {
    let lanes = lanes.max(1);
    let share = (TIMELINE_ITEMS / lanes).max(LANE_MIN);
    let mut by_lane: Vec<Vec<Item>> = (0..lanes).map(|_| Vec::new()).collect();
    for it in items {
        by_lane[it.lane.min(lanes - 1)].push(it);
    }
    let mut more = vec![0; lanes];
    let mut kept = Vec::new();
    for (lane, mut v) in by_lane.into_iter().enumerate() {
        if v.len() > share {
            v.sort_by(|a, b| {
                let key = |it: &Item| {
                    (
                        !(today - 91..=today + 365).contains(&it.target),
                        it.risks.is_empty(),
                        (it.target - today).abs(),
                    )
                };
                key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
            });
            more[lane] = v.len() - share;
            v.truncate(share);
        }
        kept.extend(v);
    }
    (kept, more)
}

/// The roadmap page: the timeline (drawn by [`timeline`]), the boards
/// now/next/later, by status and by objective, and the filters' choices.
pub fn roadmap(ctx: &Ctx<'_>, timeline: String) -> Value {
    let plan = ctx.index.plan;
    let docs = roadmap_docs(ctx);
    let unscheduled: Vec<&Document> = docs
        .iter()
        .copied()
        .filter(|f| unscheduled(ctx, f))
        .collect();
    let by_status: Vec<Value> = STATUSES
        .iter()
        .map(|s| {
            let fs: Vec<&Document> = docs
                .iter()
                .copied()
                .filter(|f| ctx.lifecycle(f) == *s)
                .collect();
            let mut c = column(ctx, &fs, STATUS_CARDS, "");
            c["name"] = json!(s);
            c
        })
        .collect();
    let mut groups: Vec<(Option<&Document>, Vec<&Document>)> = ctx
        .index
        .of_kind("objective")
        .map(|o| {
            let fs = plan
                .referrers(&o.id, Some("objectives"))
                .into_iter()
                .filter(|f| f.kind == "feature" && ctx.index.get(&f.id).is_some())
                .collect();
            (Some(o), fs)
        })
        .collect();
    let orphans: Vec<&Document> = ctx
        .index
        .of_kind("feature")
        .filter(|f| {
            f.strs("objectives")
                .iter()
                .all(|o| ctx.index.get(o).is_none())
        })
        .collect();
    if !orphans.is_empty() {
        groups.push((None, orphans));
    }
    let cap = (GROUPED_CARDS / groups.len().max(1)).max(GROUP_MIN);
    let by_objective: Vec<Value> = groups
        .iter()
        .map(|(o, fs)| {
            let mut c = column(ctx, fs, cap, "");
            match o {
                Some(o) => {
                    c["title"] = json!(o.title);
                    c["href"] = json!(Index::page(o));
                    c["status"] = json!(facts::objective_status(o, plan.today));
                }
                None => c["title"] = json!("No objective"),
            }
            c
        })
        .collect();
    let filter = |kind: &str| -> Vec<Value> {
        ctx.index
            .of_kind(kind)
            .map(|d| json!({"id": d.id, "title": d.title}))
            .collect()
    };
    let noun = roadmap_noun(ctx, &docs);
    // Nothing dated: no milestone, nothing with a target.
    let undated = milestones(ctx).iter().all(|m| m["date"].is_null())
        && !docs.iter().any(|d| ctx.target(d).is_some());
    json!({
        "timeline": timeline,
        "timeline_empty": undated,
        "items_label": crate::config::capitalised(&noun),
        "items_noun": noun,
        "unscheduled": (!unscheduled.is_empty()).then(|| column(ctx, &unscheduled, COLUMN_CARDS, "")),
        "board": now_next_later(ctx, "", COLUMN_CARDS),
        "by_status": by_status,
        "by_objective": by_objective,
        "filters": {"teams": filter("team"), "objectives": filter("objective"), "segments": filter("segment"), "statuses": STATUSES, "milestones": milestones(ctx)},
    })
}

/// Whether a document on the roadmap is "not scheduled": a feature
/// without a published milestone, or a document of a kind with a target
/// field and no target, unless it is declined.
fn unscheduled(ctx: &Ctx<'_>, d: &Document) -> bool {
    if ctx.lifecycle(d) == "declined" {
        return false;
    }
    if d.kind == "feature" {
        return d.str("milestone").and_then(|m| ctx.index.get(m)).is_none();
    }
    ctx.config.target_field(&d.kind).is_some() && ctx.target(d).is_none()
}

/// The milestones this build publishes, by date (undated last), for the
/// roadmap's milestone filter and grouping.
fn milestones(ctx: &Ctx<'_>) -> Vec<Value> {
    let mut ms: Vec<(&Document, Option<i64>)> = ctx
        .index
        .of_kind("milestone")
        .map(|m| (m, m.str("date").and_then(dates::parse)))
        .collect();
    ms.sort_by(|a, b| (a.1.is_none(), a.1, &a.0.title).cmp(&(b.1.is_none(), b.1, &b.0.title)));
    ms.into_iter()
        .map(|(m, d)| json!({"id": m.id, "title": m.title, "date": d.map(|d| dates::format(coarse(ctx, d)))}))
        .collect()
}

/// `roadmap-data.js`: every feature this build publishes, as the
/// roadmap's script groups, filters and sorts them, with the names of
/// the teams, objectives, segments and milestones they point to. A
/// script, not JSON, because browsers refuse `fetch` on `file://` pages;
/// loaded by the roadmap page only.
pub fn roadmap_data(ctx: &Ctx<'_>) -> String {
    let docs = roadmap_docs(ctx);
    let features: Vec<Value> = docs
        .iter()
        .map(|f| {
            let filter = filters(ctx, f);
            let milestone = ctx
                .config
                .target_field(&f.kind)
                .and_then(|field| f.str(field))
                .and_then(|m| ctx.index.get(m))
                .filter(|m| m.kind == "milestone");
            let target = ctx.target(f).map(|d| dates::format(coarse(ctx, d)));
            let status = ctx.status(f);
            let mut v = json!({
                "i": f.id, "t": f.title, "u": Index::page(f), "s": status.as_ref().map(|s| &s.1),
                "tm": filter.team, "o": filter.objectives, "g": filter.segments,
                "m": milestone.map(|m| &m.id), "d": target,
                "r": facts::rice(f).map(|s| s.round() as i64),
                "h": ctx.horizon(f), "k": risk::flags(ctx, f),
            });
            // A kind's own status value and name, where they differ from a
            // feature's: the card shows them.
            if let Some((written, _)) = status.filter(|s| s.0 != s.1) {
                v["sv"] = json!(written);
            }
            if f.kind != "feature" {
                v["kd"] = json!(ctx.config.kind_name(&f.kind));
            }
            v
        })
        .collect();
    let names = |kind: &str| -> serde_json::Map<String, Value> {
        ctx.index
            .of_kind(kind)
            .map(|d| (d.id.clone(), json!(d.title)))
            .collect()
    };
    let data = json!({
        "features": features,
        "teams": names("team"),
        "objectives": names("objective"),
        "segments": names("segment"),
        "milestones": milestones(ctx),
        "statuses": STATUSES,
        "noun": roadmap_noun(ctx, &docs),
    });
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    format!(
        "window.NORTHSTAR_ROADMAP = {};\n",
        json.replace("</", "<\\/")
    )
}

/// A date as the timeline of this build draws it: a public build shows
/// no date finer than the quarter, so every date is its quarter's first.
fn coarse(ctx: &Ctx<'_>, d: i64) -> i64 {
    if ctx.public {
        dates::period_range(&dates::quarter(d))
            .map(|r| r.0)
            .unwrap_or(d)
    } else {
        d
    }
}

/// The timeline's features and dependency lines: every feature with a
/// live milestone, but declined ones, ending at its milestone's date and
/// starting when work started ([`risk::start`]), with its slip and risk
/// flags; a line for each dependency between two of them.
fn timeline_items(ctx: &Ctx<'_>, teams: &[&Document]) -> (Vec<Item>, Vec<Link>) {
    let mut items = Vec::new();
    let mut links = Vec::new();
    for f in roadmap_docs(ctx) {
        let status = ctx.lifecycle(f);
        if status == "declined" {
            continue;
        }
        let Some(due) = ctx.target(f) else {
            continue;
        };
        let target = coarse(ctx, due);
        let lane = f
            .str("team")
            .and_then(|t| teams.iter().position(|d| d.id == t))
            .unwrap_or(teams.len());
        let filter = filters(ctx, f);
        for dep in f.strs("depends_on") {
            if let Some(d) = ctx.index.get(dep).filter(|d| d.kind == "feature") {
                links.push(Link {
                    from: d.id.clone(),
                    to: f.id.clone(),
                    broken: risk::out_of_order(ctx, f, d),
                });
            }
        }
        items.push(Item {
            id: f.id.clone(),
            title: f.title.clone(),
            href: Some(Index::page(f)),
            status: ctx.status_class(&f.kind, status).into_owned(),
            status_text: ctx.status(f).map_or("", |s| s.0).to_string(),
            lane,
            target,
            start: risk::start(ctx, f).map(|d| coarse(ctx, d)),
            slip: risk::slip(ctx, f, due)
                .map(|(was, days)| (coarse(ctx, was), (!ctx.public).then_some(days))),
            risks: risk::flags(ctx, f),
            filters: [
                filter.team.to_string(),
                filter.objectives.join(" "),
                filter.segments.join(" "),
                filter.milestone.to_string(),
            ],
        });
    }
    (items, links)
}

/// Most documents each section of the health page's portfolio names (the
/// count is whole): at 10,000 documents a plan can hold over a thousand
/// stale features, and the diagnostics below list every one of them.
const RISKS_LISTED: usize = 50;

/// The risks the plan carries, as the health page lists them and the home
/// page counts them. Overdue milestones, dependency problems and stale
/// work are what `check` reports (so a rule the config turns off flags
/// nothing here either); slips come from history, off-track key results
/// from their progress against the time elapsed
/// (docs/format.md#objective-status), and work blocked by an on-hold
/// dependency from the plan.
struct Risks<'a> {
    /// Key results off track: the objective, and the key result's values.
    off_track: Vec<(&'a Document, Value)>,
    /// Open features whose milestone slipped: feature, slips, days in all.
    slipped: Vec<(&'a Document, u32, i64)>,
    /// Milestones past their date holding open features.
    overdue: Vec<&'a Document>,
    /// Dependency problems: the document, and the problem as HTML.
    dependencies: Vec<(&'a Document, String)>,
    /// Stale features (`stale`).
    stale: Vec<&'a Document>,
}

impl<'a> Risks<'a> {
    fn new(ctx: &Ctx<'a>, diags: &[Diagnostic]) -> Risks<'a> {
        let plan = ctx.index.plan;
        let by_file: HashMap<&str, &Document> =
            plan.docs.iter().map(|d| (d.file.as_str(), d)).collect();
        let flagged = |rules: &[Rule]| -> Vec<(&'a Document, &Diagnostic)> {
            let mut out: Vec<(&'a Document, &Diagnostic)> = diags
                .iter()
                .filter(|d| rules.contains(&d.rule))
                .filter_map(|d| Some((*by_file.get(d.file.as_str())?, d)))
                .filter(|(doc, _)| ctx.index.get(&doc.id).is_some())
                .collect();
            out.dedup_by(|a, b| {
                a.0.id == b.0.id && a.1.rule == b.1.rule && a.1.message == b.1.message
            });
            out
        };
        let mut off_track = Vec::new();
        for o in ctx.index.of_kind("objective") {
            if matches!(o.str("status"), Some("achieved" | "missed" | "dropped")) {
                continue;
            }
            for kr in key_results(ctx, o) {
                if kr["status"] == "off-track" {
                    off_track.push((o, kr));
                }
            }
        }
        let mut slipped: Vec<(&Document, u32, i64)> = ctx
            .index
            .of_kind("feature")
            .filter(|f| f.str("status").is_none_or(crate::plan::is_open))
            .filter_map(|f| {
                let h = ctx.history.docs.get(&f.id)?;
                (h.slips > 0).then_some((f, h.slips, h.slip_days))
            })
            .collect();
        slipped.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.title.cmp(&b.0.title)));
        let mut dependencies: Vec<(&Document, String)> = flagged(&[
            Rule::DependencyOrder,
            Rule::DependencyCycle,
            Rule::ShippedBeforeDependency,
        ])
        .into_iter()
        .map(|(doc, d)| {
            // The list names the document already: "X — is due in …".
            let html = message_html(ctx, &d.message);
            let html = match html.strip_prefix(&doc_link(doc)) {
                Some(rest) => rest.trim_start().to_string(),
                None => html,
            };
            (doc, html)
        })
        .collect();
        // Open work waiting on a feature that is on hold: no rule reports
        // it, and it is the dependency problem a reader most needs to see.
        for f in ctx.index.of_kind("feature") {
            if !f.str("status").is_none_or(crate::plan::is_open)
                || f.str("status") == Some("on-hold")
            {
                continue;
            }
            for dep in f.strs("depends_on") {
                if let Some(d) = ctx
                    .index
                    .get(dep)
                    .filter(|d| d.str("status") == Some("on-hold"))
                {
                    let mut html = String::from("waits on ");
                    html.push_str(&doc_link(d));
                    html.push_str(", which is on hold");
                    dependencies.push((f, html));
                }
            }
        }
        Risks {
            off_track,
            slipped,
            overdue: flagged(&[Rule::OverdueMilestone])
                .into_iter()
                .map(|(d, _)| d)
                .collect(),
            dependencies,
            stale: flagged(&[Rule::Stale])
                .into_iter()
                .map(|(d, _)| d)
                .collect(),
        }
    }

    /// The counts, each a phrase with the count and the health page's
    /// section it links to (`health.html#slipped`), in the order the
    /// health page lists them; none when nothing is flagged.
    fn counts(&self) -> Vec<(&'static str, usize, &'static str, &'static str)> {
        [
            (
                "off-track",
                self.off_track.len(),
                "key result off track",
                "key results off track",
            ),
            (
                "slipped",
                self.slipped.len(),
                "feature slipped",
                "features slipped",
            ),
            (
                "overdue",
                self.overdue.len(),
                "milestone overdue",
                "milestones overdue",
            ),
            (
                "dependencies",
                self.dependencies.len(),
                "dependency problem",
                "dependency problems",
            ),
            ("stale", self.stale.len(), "feature stale", "features stale"),
        ]
        .into_iter()
        .filter(|c| c.1 > 0)
        .collect()
    }

    /// The home page's summary: `{items: [{text, href, id, count}], none}`.
    fn summary(&self) -> Value {
        let items: Vec<Value> = self
            .counts()
            .into_iter()
            .map(|(id, n, one, many)| {
                json!({"id": id, "count": n, "text": format!("{n} {}", if n == 1 { one } else { many }),
                       "href": format!("health.html#{id}")})
            })
            .collect();
        json!({"none": items.is_empty(), "items": items})
    }

    /// The health page's portfolio: one section per kind of risk, each
    /// with its count and a list of linked documents and what is wrong in
    /// words (`detail_html`, escaped here).
    fn sections(&self, ctx: &Ctx<'_>) -> Vec<Value> {
        let today = ctx.index.plan.today;
        let item = |d: &Document, detail: String| json!({"title": d.title, "href": Index::page(d), "detail_html": detail});
        let off_track: Vec<Value> = self
            .off_track
            .iter()
            .map(|(o, kr)| off_track_item(o, kr))
            .collect();
        let slipped: Vec<Value> = self
            .slipped
            .iter()
            .map(|(f, n, days)| {
                let times = if *n == 1 {
                    "once".to_string()
                } else {
                    format!("{n} times")
                };
                let mut detail = format!("slipped {} days ({times})", days);
                if let Some(m) = f.str("milestone").and_then(|m| ctx.index.get(m)) {
                    detail.push_str(&format!("; now due with {}", doc_link(m)));
                    if let Some(d) = m.str("date") {
                        detail.push_str(&format!(", {}", esc(&ctx.date(d))));
                    }
                }
                item(f, detail)
            })
            .collect();
        let overdue: Vec<Value> = self
            .overdue
            .iter()
            .map(|m| {
                let open = ctx
                    .index
                    .plan
                    .referrers(&m.id, Some("milestone"))
                    .into_iter()
                    .filter(|f| {
                        f.kind == "feature" && f.str("status").is_some_and(crate::plan::is_open)
                    })
                    .count();
                let mut detail = String::new();
                if let Some(day) = m.str("date").and_then(dates::parse) {
                    detail.push_str(&format!(
                        "was due {}, {} days ago",
                        esc(&dates::human(day)),
                        today - day
                    ));
                }
                detail.push_str(&format!(
                    "{}{open} open feature{}",
                    if detail.is_empty() { "" } else { "; " },
                    if open == 1 { "" } else { "s" }
                ));
                item(m, detail)
            })
            .collect();
        let dependencies: Vec<Value> = self
            .dependencies
            .iter()
            .map(|(d, html)| item(d, html.clone()))
            .collect();
        let stale: Vec<Value> = self
            .stale
            .iter()
            .map(|f| {
                let status = f.str("status").unwrap_or("").replace('-', " ");
                let detail = match ctx.history.docs.get(&f.id).and_then(|h| h.last_changed) {
                    Some(last) => format!(
                        "{} and unchanged for {} days (since {})",
                        esc(&status),
                        today - last,
                        esc(&dates::human(last))
                    ),
                    None => esc(&status),
                };
                item(f, detail)
            })
            .collect();
        [
            ("off-track", "Key results off track", off_track),
            ("slipped", "Slipped features", slipped),
            ("overdue", "Overdue milestones", overdue),
            ("dependencies", "Dependency problems", dependencies),
            ("stale", "Stale work", stale),
        ]
        .into_iter()
        .map(|(id, title, mut items)| {
            let count = items.len();
            items.truncate(RISKS_LISTED);
            json!({"id": id, "title": title, "count": count, "items": items, "more": count - items.len()})
        })
        .collect()
    }
}

/// An off-track key result as the health page names it: its text, linked
/// to its objective, with where it stands.
fn off_track_item(o: &Document, kr: &Value) -> Value {
    let mut detail = format!("of {}", doc_link(o));
    // "3.1 now, target 1 (from 4.2)": a key result may aim down, where
    // "3.1 of 1" reads as done three times over.
    if let (Some(c), Some(t)) = (kr["current"].as_str(), kr["target"].as_str()) {
        detail.push_str(&format!(": {} now, target {}", esc(c), esc(t)));
        if let Some(b) = kr["baseline"].as_str() {
            detail.push_str(&format!(" (from {})", esc(b)));
        }
    }
    if let Some(p) = kr["percent"].as_i64() {
        detail.push_str(&format!("; {p}% of the way"));
    }
    if let Some(p) = o.str("period") {
        detail.push_str(&format!(" in {}", esc(p)));
    }
    json!({"title": kr["title"], "href": Index::page(o), "detail_html": detail})
}

/// A link to a document's page from the site's root, as HTML.
fn doc_link(d: &Document) -> String {
    format!("<a href=\"{}\">{}</a>", esc(&Index::page(d)), esc(&d.title))
}

/// A diagnostic's message as text a reader reads: the Markdown-like
/// `code` spans the terminal shows become a linked document title where
/// the span is a published document's id, else `<code>`; no backtick is
/// left. Everything else is escaped.
fn message_html(ctx: &Ctx<'_>, message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 32);
    let mut parts = message.split('`');
    if let Some(first) = parts.next() {
        out.push_str(&esc(first));
    }
    let rest: Vec<&str> = parts.collect();
    // An odd number of backticks leaves the last one unpaired: shown as
    // the text it is.
    for (i, part) in rest.iter().enumerate() {
        let code = i % 2 == 0;
        if code && i + 1 == rest.len() {
            out.push('`');
            out.push_str(&esc(part));
        } else if code {
            match ctx.index.get(part) {
                Some(d) => out.push_str(&doc_link(d)),
                None => {
                    out.push_str("<code>");
                    out.push_str(&esc(part));
                    out.push_str("</code>");
                }
            }
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// The health page: the portfolio's risks in plain words first, then
/// every diagnostic, grouped by document (by file), as text.
pub fn health(ctx: &Ctx<'_>, diags: &[Diagnostic]) -> Value {
    let mut by_file: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for d in diags {
        by_file.entry(d.file.as_str()).or_default().push(json!({
            "rule": d.rule, "level": d.level.as_str(), "message": d.message, "line": d.line, "column": d.column,
            "notes": d.notes, "suggestion": d.suggestion,
            "message_html": message_html(ctx, &d.message),
            "notes_html": d.notes.iter().map(|n| message_html(ctx, n)).collect::<Vec<_>>(),
            "suggestion_html": d.suggestion.as_deref().map(|s| message_html(ctx, s)),
            "where": format!("{}, line {}", d.file, d.line),
        }));
    }
    let plan = ctx.index.plan;
    let docs: HashMap<&str, &Document> = plan.docs.iter().map(|d| (d.file.as_str(), d)).collect();
    let groups: Vec<Value> = by_file
        .into_iter()
        .map(|(file, items)| {
            let doc = docs.get(file);
            json!({"file": file, "doc": doc.map(|d| json!({"title": d.title, "href": Index::page(d)})), "items": items})
        })
        .collect();
    let risks = Risks::new(ctx, diags);
    json!({
        "errors": diags.iter().filter(|d| d.level == Level::Error).count(),
        "warnings": diags.iter().filter(|d| d.level == Level::Warning).count(),
        "groups": groups,
        "risks": risks.summary(),
        "portfolio": risks.sections(ctx),
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
