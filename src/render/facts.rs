//! Computed facts the pages show: RICE, demand, key-result progress and
//! status, now/next/later. Pure functions of the plan and "today".

use crate::dates;
use crate::plan::{Document, Plan};
use serde_json::Value;

/// RICE score `reach × impact × confidence / effort`, when all are given.
pub fn rice(doc: &Document) -> Option<f64> {
    let r = doc.data.get("rice")?;
    let n = |k: &str| r.get(k).and_then(Value::as_f64);
    let effort = n("effort")?;
    if effort <= 0.0 {
        return None;
    }
    Some(n("reach")? * n("impact")? * n("confidence")? / effort)
}

/// Sum of `count` (default 1) over the insights naming a feature that
/// `published` accepts (a public build counts only public research, so the
/// total matches the evidence its page lists).
pub fn demand(plan: &Plan, feature: &str, published: impl Fn(&Document) -> bool) -> u64 {
    plan.referrers(feature, Some("features"))
        .iter()
        .filter(|d| d.kind == "insight" && published(d))
        .map(|d| d.num("count").map(|c| c.max(0.0) as u64).unwrap_or(1))
        .sum()
}

/// Progress of a key result, `(current − baseline) / (target − baseline)`.
pub fn progress(kr: &Value) -> Option<f64> {
    let n = |k: &str| kr.get(k).and_then(Value::as_f64);
    let (b, t) = (n("baseline")?, n("target")?);
    let c = n("current").unwrap_or(b);
    if (t - b).abs() < f64::EPSILON {
        let met = if t >= b { c >= t } else { c <= t };
        return Some(if met { 1.0 } else { 0.0 });
    }
    Some((c - b) / (t - b))
}

/// Share of a period elapsed at `today`, clamped to 0..1.
pub fn elapsed(period: &str, today: i64) -> Option<f64> {
    let (s, e) = dates::period_range(period)?;
    Some(((today - s) as f64 / (e - s) as f64).clamp(0.0, 1.0))
}

/// On track / at risk / off track from progress and elapsed share (SPEC §5).
pub fn kr_status(progress: f64, elapsed: f64) -> &'static str {
    if progress >= 1.0 || progress >= elapsed - 0.10 {
        "on-track"
    } else if progress >= elapsed - 0.25 {
        "at-risk"
    } else {
        "off-track"
    }
}

/// An objective's status: as written, else the worst of its key results.
pub fn objective_status(doc: &Document, today: i64) -> String {
    if let Some(s) = doc.str("status") {
        return s.to_string();
    }
    let el = doc
        .str("period")
        .and_then(|p| elapsed(p, today))
        .unwrap_or(0.0);
    let krs = doc
        .data
        .get("key_results")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let rank = |s: &str| match s {
        "off-track" => 2,
        "at-risk" => 1,
        _ => 0,
    };
    krs.iter()
        .filter_map(progress)
        .map(|p| kr_status(p, el))
        .max_by_key(|s| rank(s))
        .unwrap_or("on-track")
        .to_string()
}

/// Now / next / later for an open feature (SPEC §5); None for shipped and
/// declined features, which are not on that board.
pub fn horizon(plan: &Plan, doc: &Document) -> Option<&'static str> {
    let status = doc.str("status").unwrap_or("");
    if matches!(status, "shipped" | "declined") {
        return None;
    }
    match doc.str("horizon") {
        Some("now") => return Some("now"),
        Some("next") => return Some("next"),
        Some("later") => return Some("later"),
        _ => {}
    }
    if matches!(status, "in-progress" | "beta") {
        return Some("now");
    }
    let Some(date) = doc.str("milestone").and_then(|m| plan.milestone_date(m)) else {
        return Some("later");
    };
    let (y, m, d) = dates::civil_from_days(plan.today);
    let add = |months: u32| {
        let total = y * 12 + (m as i64 - 1) + months as i64;
        dates::days_from_civil(
            total.div_euclid(12),
            (total.rem_euclid(12) + 1) as u32,
            d.min(28),
        )
    };
    if date <= add(3) {
        Some("now")
    } else if date <= add(6) {
        Some("next")
    } else {
        Some("later")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_result_status_follows_the_spec() {
        assert_eq!(
            progress(&json!({"baseline": 10, "target": 20, "current": 15})),
            Some(0.5)
        );
        assert_eq!(
            progress(&json!({"baseline": 5, "target": 5, "current": 5})),
            Some(1.0)
        );
        assert_eq!(kr_status(0.5, 0.55), "on-track");
        assert_eq!(kr_status(0.5, 0.7), "at-risk");
        assert_eq!(kr_status(0.2, 0.7), "off-track");
    }

    #[test]
    fn key_result_status_at_its_thresholds() {
        // Half of November 2026 elapsed on the 16th.
        let today = crate::dates::days_from_civil(2026, 11, 16);
        assert_eq!(elapsed("2026-11", today), Some(0.5));
        // Exactly 0.10 behind is still on track; a little more is at risk.
        assert_eq!(kr_status(0.4, 0.5), "on-track");
        assert_eq!(kr_status(0.39, 0.5), "at-risk");
        // Exactly 0.25 behind is at risk; a little more is off track.
        assert_eq!(kr_status(0.25, 0.5), "at-risk");
        assert_eq!(kr_status(0.24, 0.5), "off-track");
        // Met is on track whatever the calendar says.
        assert_eq!(kr_status(1.0, 1.0), "on-track");
    }
}
