//! Risk flags on a feature, in words, for the roadmap's cards and bars:
//! the same conditions the rules report (`dependency-order`,
//! `overdue-milestone`, `stale`) plus slips and work blocked by a
//! dependency on hold, read from the plan and the history facts already
//! computed (no scan of a document's changes).

use super::ctx::Ctx;
use crate::dates;
use crate::plan::{Document, is_open};

/// When work on a feature started, for the timeline
/// (docs/format.md#timeline): its `start` date, else the first day
/// history shows it in committed work (`in-progress`, `beta` or
/// `shipped`), counted back from today by the days it has spent in those
/// statuses; None when neither is known.
pub fn start(ctx: &Ctx<'_>, f: &Document) -> Option<i64> {
    if let Some(d) = f.str("start").and_then(dates::parse) {
        return Some(d);
    }
    let h = ctx.history.docs.get(&f.id)?;
    let mut worked = None;
    for (status, days) in &h.days_in_status {
        if matches!(status.as_str(), "in-progress" | "beta" | "shipped") {
            worked = Some(worked.unwrap_or(0) + days);
        }
    }
    // History is counted up to its own today, the plan's.
    Some(ctx.history.today.saturating_sub(worked?))
}

/// A feature's slip: its original target and the days it slipped since,
/// when it slipped (the history's `slips`, the same the PRD shows).
pub fn slip(ctx: &Ctx<'_>, f: &Document, target: i64) -> Option<(i64, i64)> {
    let h = ctx.history.docs.get(&f.id)?;
    (h.slips > 0 && h.slip_days > 0).then(|| (target.saturating_sub(h.slip_days), h.slip_days))
}

/// The risk flags of a feature, in words, most pressing first: slipped,
/// overdue milestone, dependency problem, blocked by a dependency on
/// hold, stale. Shipped and declined features carry none but a
/// dependency problem. A public build says no day counts.
pub fn flags(ctx: &Ctx<'_>, f: &Document) -> Vec<String> {
    let plan = ctx.index.plan;
    let status = ctx.lifecycle(f);
    let mut out = Vec::new();
    let open = is_open(status);
    let milestone = f
        .str("milestone")
        .and_then(|m| plan.get(m))
        .filter(|m| m.kind == "milestone" && m.str("status") != Some("cancelled"));
    let due = milestone.and_then(|m| m.str("date")).and_then(dates::parse);
    if open
        && let Some(h) = ctx.history.docs.get(&f.id)
        && h.slips > 0
        && h.slip_days > 0
    {
        out.push(if ctx.public {
            "slipped".to_string()
        } else {
            format!("slipped {} days", h.slip_days)
        });
    }
    if open
        && let (Some(m), Some(d)) = (milestone, due)
        && m.str("status").unwrap_or("planned") == "planned"
        && d < plan.today
    {
        out.push("overdue milestone".to_string());
    }
    let deps: Vec<&Document> = f
        .strs("depends_on")
        .into_iter()
        .filter_map(|d| plan.get(d))
        .filter(|d| d.kind == "feature" && d.id != f.id)
        .collect();
    // As `shipped-before-dependency` and `dependency-order`.
    let problem = deps.iter().any(|d| {
        d.str("status") != Some("shipped") && (status == "shipped" || out_of_order(ctx, f, d))
    });
    if problem {
        out.push("dependency problem".to_string());
    }
    if open && let Some(d) = deps.iter().find(|d| d.str("status") == Some("on-hold")) {
        out.push(match ctx.index.get(&d.id) {
            Some(d) => format!("blocked: {} is on hold", d.title),
            None => "blocked by a dependency on hold".to_string(),
        });
    }
    if ctx.history.available
        && matches!(status, "in-progress" | "beta")
        && let Some(last) = ctx.history.docs.get(&f.id).and_then(|h| h.last_changed)
        && plan.today - last > i64::from(ctx.stale_days)
    {
        out.push(if ctx.public {
            "stale".to_string()
        } else {
            format!("stale: unchanged {} days", plan.today - last)
        });
    }
    out
}

/// The date of a feature's milestone unless it is cancelled (as
/// `dependency-order` reads it).
fn dependency_due(ctx: &Ctx<'_>, f: &Document) -> Option<i64> {
    let m = ctx.index.plan.get(f.str("milestone")?)?;
    if m.kind != "milestone" || m.str("status") == Some("cancelled") {
        return None;
    }
    dates::parse(m.str("date")?)
}

/// Whether `dependency-order` fails between a feature and one of its
/// dependencies: the feature is open and due before the dependency,
/// which is not shipped.
pub fn out_of_order(ctx: &Ctx<'_>, f: &Document, dep: &Document) -> bool {
    is_open(f.str("status").unwrap_or(""))
        && dep.str("status") != Some("shipped")
        && matches!((dependency_due(ctx, f), dependency_due(ctx, dep)), (Some(a), Some(b)) if a < b)
}
