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
/// `published` accepts: `plan.json`'s and `features.csv`'s `demand`, whose
/// schema defines it so. Pages show [`demand_split`] instead, which never
/// adds support tickets to customers.
pub fn demand(plan: &Plan, feature: &str, published: impl Fn(&Document) -> bool) -> u64 {
    plan.referrers(feature, Some("features"))
        .iter()
        .filter(|d| d.kind == "insight" && published(d))
        .map(|d| d.num("count").map(|c| c.max(0.0) as u64).unwrap_or(1))
        .sum()
}

/// What an insight's `count` counts, by its `source` (the insight schema:
/// `count` is "how many customers said it", and `support` is a support
/// ticket). Research that is not per customer (analytics, market
/// research) written without a `count` is a finding: its default of 1
/// would claim a customer nobody counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceUnit {
    /// People or accounts who said it.
    Customers,
    /// Support tickets.
    Tickets,
    /// A research finding with no customer count.
    Findings,
}

impl EvidenceUnit {
    /// The unit's name for `n` of it.
    pub fn words(self, n: u64) -> &'static str {
        match (self, n == 1) {
            (EvidenceUnit::Customers, true) => "customer",
            (EvidenceUnit::Customers, false) => "customers",
            (EvidenceUnit::Tickets, true) => "support ticket",
            (EvidenceUnit::Tickets, false) => "support tickets",
            (EvidenceUnit::Findings, true) => "research finding",
            (EvidenceUnit::Findings, false) => "research findings",
        }
    }
}

/// An insight's unit and count (see [`EvidenceUnit`]).
pub fn evidence(insight: &Document) -> (EvidenceUnit, u64) {
    let count = insight.num("count").map(|c| c.max(0.0) as u64);
    match (insight.str("source"), count) {
        (Some("support"), c) => (EvidenceUnit::Tickets, c.unwrap_or(1)),
        (Some("analytics" | "market-research"), None) => (EvidenceUnit::Findings, 1),
        (_, c) => (EvidenceUnit::Customers, c.unwrap_or(1)),
    }
}

/// Demand in its units, never added across them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Demand {
    /// Customers who asked.
    pub customers: u64,
    /// Support tickets.
    pub tickets: u64,
    /// Research findings with no customer count.
    pub findings: u64,
    /// How many of the insights also name another published feature: their
    /// counts are credited to each, so a total over features counts them
    /// once ([`demand_total`]).
    pub shared: u64,
}

impl Demand {
    fn add(&mut self, unit: EvidenceUnit, n: u64) {
        match unit {
            EvidenceUnit::Customers => self.customers += n,
            EvidenceUnit::Tickets => self.tickets += n,
            EvidenceUnit::Findings => self.findings += n,
        }
    }

    /// In words, one figure per unit: "12 customers · 214 support tickets";
    /// "no evidence" when there is none.
    pub fn words(&self) -> String {
        let parts: Vec<String> = [
            (self.customers, EvidenceUnit::Customers),
            (self.tickets, EvidenceUnit::Tickets),
            (self.findings, EvidenceUnit::Findings),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{} {}", group_int(*n as i128), u.words(*n)))
        .collect();
        if parts.is_empty() {
            "no evidence".into()
        } else {
            parts.join(" · ")
        }
    }

    /// A key that sorts by customers, then tickets, then findings (one
    /// unit never stands in for another).
    pub fn sort_key(&self) -> String {
        format!(
            "{:020}{:020}{:020}",
            self.customers, self.tickets, self.findings
        )
    }
}

/// The published insights naming `feature`, with the other published
/// features each also names.
pub fn insights_of<'p>(
    plan: &'p Plan,
    feature: &str,
    published: &dyn Fn(&Document) -> bool,
) -> Vec<(&'p Document, Vec<&'p str>)> {
    plan.referrers(feature, Some("features"))
        .into_iter()
        .filter(|d| d.kind == "insight" && published(d))
        .map(|d| {
            let mut others: Vec<&str> = d
                .strs("features")
                .into_iter()
                .filter(|f| *f != feature && plan.get(f).is_some_and(published))
                .collect();
            others.sort_unstable();
            others.dedup();
            (d, others)
        })
        .collect()
}

/// A feature's demand by unit over the insights `published` accepts.
pub fn demand_split(plan: &Plan, feature: &str, published: &dyn Fn(&Document) -> bool) -> Demand {
    let mut out = Demand::default();
    let mut seen = std::collections::HashSet::new();
    for (d, others) in insights_of(plan, feature, published) {
        if !seen.insert(d.id.as_str()) {
            continue;
        }
        let (unit, n) = evidence(d);
        out.add(unit, n);
        out.shared += u64::from(!others.is_empty());
    }
    out
}

/// Demand over several features, each insight counted once however many
/// of them it names (an insight credited to two features is one piece of
/// evidence, not two).
pub fn demand_total<'p>(
    plan: &'p Plan,
    features: impl IntoIterator<Item = &'p Document>,
    published: &dyn Fn(&Document) -> bool,
) -> Demand {
    let mut seen = std::collections::HashSet::new();
    let mut out = Demand::default();
    for f in features {
        for (d, others) in insights_of(plan, &f.id, published) {
            if seen.insert(d.id.as_str()) {
                let (unit, n) = evidence(d);
                out.add(unit, n);
                out.shared += u64::from(!others.is_empty());
            }
        }
    }
    out
}

/// An integer with thousands separators: `1,500`, `-12,000`.
pub fn group_int(n: i128) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number's text with thousands separators in its integer part, left
/// as it is when it is not plain decimal notation (`1e21`).
fn group_text(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || int.len() > 38 {
        return s.to_string();
    }
    let Ok(n) = int.parse::<i128>() else {
        return s.to_string();
    };
    let mut out = format!("{sign}{}", group_int(n));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A number field as written: integers as integers, decimals with the
/// digits YAML gave (`1.0` stays `1.0`: the plan keeps whether a value
/// was written with a decimal point, and serde_json writes the shortest
/// text that reads back as the same number), with thousands separators.
/// None for a value that is not a number.
pub fn number(v: &Value) -> Option<String> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(group_int(i as i128));
    }
    if let Some(u) = n.as_u64() {
        return Some(group_int(u as i128));
    }
    Some(group_text(&n.to_string()))
}

/// A computed or recorded value (a metric's reading from history, which
/// keeps no text): whole numbers without decimals, others with the
/// shortest digits that read back as the same number, never rounded.
pub fn number_f64(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.fract() == 0.0 && v.abs() < 1e30 {
        return group_int(v as i128);
    }
    group_text(&format!("{v}"))
}

/// A number with its unit: `480 k USD`, `38%` (a `%` sticks to the
/// number, as people write it). `count` says the number is a plain count
/// and is not written ("9 of 90", not "9 count of 90 count").
pub fn with_unit(text: &str, unit: Option<&str>) -> String {
    match unit
        .map(str::trim)
        .filter(|u| !u.is_empty() && !u.eq_ignore_ascii_case("count"))
    {
        Some("%") => format!("{text}%"),
        Some(u) => format!("{text} {u}"),
        None => text.to_string(),
    }
}

/// Progress of a key result, `(current − baseline) / (target − baseline)`;
/// None without a `current` (a key result nobody has measured has no
/// progress, and is not "on track" either).
pub fn progress(kr: &Value) -> Option<f64> {
    let n = |k: &str| kr.get(k).and_then(Value::as_f64);
    let (b, t, c) = (n("baseline")?, n("target")?, n("current")?);
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

/// On track / at risk / off track from progress and elapsed share
/// (docs/format.md#objective-status).
pub fn kr_status(progress: f64, elapsed: f64) -> &'static str {
    if progress >= 1.0 || progress >= elapsed - 0.10 {
        "on-track"
    } else if progress >= elapsed - 0.25 {
        "at-risk"
    } else {
        "off-track"
    }
}

/// An objective's status as computed, and as declared.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// `not-started` (today is before the period), `on-track`, `at-risk`,
    /// `off-track` (the worst of its key results), or `no-data` (no key
    /// result has a current value, or the period cannot be read).
    pub computed: &'static str,
    /// The `status` written in the document.
    pub declared: Option<String>,
    /// Share of the period elapsed (0..1), when the period reads.
    pub elapsed: Option<f64>,
    /// Why the computed status is what it is: "KR 2 at 20% with 60% of
    /// the period gone".
    pub why: String,
}

impl Assessment {
    /// The computed status in words (`not started`, `on-track`…): the
    /// three key-result statuses keep their hyphen, as the objective
    /// schema spells them.
    pub fn computed_label(&self) -> &'static str {
        match self.computed {
            "not-started" => "not started",
            "no-data" => "no progress data",
            s => s,
        }
    }

    /// When the declared status differs from the computed one, both and
    /// why: "declared at-risk; computed off-track: KR 2 at 20% with 60%
    /// of the period gone".
    pub fn reason(&self) -> Option<String> {
        let d = self.declared.as_deref()?;
        (d != self.computed).then(|| {
            format!(
                "declared {d}; computed {}: {}",
                self.computed_label(),
                self.why
            )
        })
    }
}

/// A share (0..1) as a whole percentage.
pub fn percent(share: f64) -> i64 {
    (share * 100.0).round() as i64
}

/// An objective's status computed from its key results and the share of
/// its period elapsed at `today` (the thresholds of
/// docs/format.md#objective-status), beside the one it declares.
pub fn assess(doc: &Document, today: i64) -> Assessment {
    let declared = doc.str("status").map(String::from);
    let period = doc.str("period").unwrap_or("");
    let Some((start, _)) = dates::period_range(period) else {
        return Assessment {
            computed: "no-data",
            declared,
            elapsed: None,
            why: format!("its period `{period}` cannot be read"),
        };
    };
    let el = elapsed(period, today).unwrap_or(0.0);
    if today < start {
        return Assessment {
            computed: "not-started",
            declared,
            elapsed: Some(0.0),
            // No day here: a public build shows none finer than the
            // quarter, and the period says when it starts.
            why: format!("the period {period} has not started yet"),
        };
    }
    let krs = doc
        .data
        .get("key_results")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // The worst key result: highest rank, then furthest behind.
    let rank = |s: &str| match s {
        "off-track" => 2,
        "at-risk" => 1,
        _ => 0,
    };
    let worst = krs
        .iter()
        .enumerate()
        .filter_map(|(i, kr)| progress(kr).map(|p| (i, p, kr_status(p, el))))
        .max_by(|a, b| {
            rank(a.2)
                .cmp(&rank(b.2))
                .then((b.1 - el).total_cmp(&(a.1 - el)))
                .then(b.0.cmp(&a.0))
        });
    let gone = format!("{}% of the period gone", percent(el));
    let Some((i, p, status)) = worst else {
        return Assessment {
            computed: "no-data",
            declared,
            elapsed: Some(el),
            why: format!("no key result has a current value, with {gone}"),
        };
    };
    let unmeasured = krs.iter().filter(|kr| progress(kr).is_none()).count();
    let mut why = format!("KR {} at {}% with {gone}", i + 1, percent(p));
    if status == "on-track" && krs.len() > 1 {
        why = format!("the lowest, {why}");
    }
    if unmeasured > 0 {
        why.push_str(&format!(
            " ({unmeasured} key result{} without a current value)",
            if unmeasured == 1 { "" } else { "s" }
        ));
    }
    Assessment {
        computed: status,
        declared,
        elapsed: Some(el),
        why,
    }
}

/// An objective's status in one word, for `plan.json` and the boards: as
/// written, else as computed by [`assess`] (`not-started` before its
/// period, `no-data` without measured key results — never `on-track`
/// for want of data).
pub fn objective_status(doc: &Document, today: i64) -> String {
    let a = assess(doc, today);
    a.declared.unwrap_or_else(|| a.computed.to_string())
}

/// Now / next / later for an open feature (docs/format.md#horizon); None
/// for shipped and declined features, which are not on that board.
pub fn horizon(plan: &Plan, doc: &Document) -> Option<&'static str> {
    horizon_at(
        plan.today,
        doc.str("status").unwrap_or(""),
        doc.str("horizon"),
        doc.str("milestone").and_then(|m| plan.milestone_date(m)),
    )
}

/// Now / next / later on `today` for a document whose lifecycle status
/// is `status`, with its own `horizon:` if any and its target date if
/// any: the one rule for features and for every kind on the roadmap.
pub fn horizon_at(
    today: i64,
    status: &str,
    explicit: Option<&str>,
    target: Option<i64>,
) -> Option<&'static str> {
    if matches!(status, "shipped" | "declined") {
        return None;
    }
    match explicit {
        Some("now") => return Some("now"),
        Some("next") => return Some("next"),
        Some("later") => return Some("later"),
        _ => {}
    }
    if matches!(status, "in-progress" | "beta") {
        return Some("now");
    }
    let Some(date) = target else {
        return Some("later");
    };
    let (y, m, d) = dates::civil_from_days(today);
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
