//! Inline SVG: the roadmap timeline and metric charts. The one place that
//! builds markup outside the templates, with escaping in one function.

use crate::dates;
use std::fmt::Write;

/// Escapes text for SVG/HTML content and attributes.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A feature box on the timeline.
pub struct Item {
    /// Title shown.
    pub title: String,
    /// Link to its page (already relative), or None when unpublished.
    pub href: Option<String>,
    /// Status, for the colour class.
    pub status: String,
    /// Lane index.
    pub lane: usize,
    /// Milestone date (day number).
    pub date: i64,
    /// Filter data: team, objectives, segments (space-separated ids).
    pub filters: [String; 3],
}

/// A milestone line on the timeline.
pub struct Mark {
    /// Its label.
    pub label: String,
    /// Its date.
    pub date: i64,
    /// Link to its page.
    pub href: Option<String>,
}

const W: f64 = 1100.0;
const LANE_LABEL: f64 = 150.0;
const BOX_W: f64 = 138.0;
const BOX_H: f64 = 22.0;

/// The roadmap timeline: milestones by date, features in lanes by team, a
/// today line. Features of the same lane and milestone stack.
pub fn timeline(lanes: &[String], marks: &[Mark], items: &[Item], today: i64) -> String {
    let mut lo = marks
        .iter()
        .map(|m| m.date)
        .chain([today])
        .min()
        .unwrap_or(today)
        - 30;
    let hi = marks
        .iter()
        .map(|m| m.date)
        .chain([today])
        .max()
        .unwrap_or(today)
        + 45;
    if hi - lo < 90 {
        lo = hi - 90;
    }
    let x = |d: i64| {
        LANE_LABEL + 10.0 + (d - lo) as f64 / (hi - lo) as f64 * (W - LANE_LABEL - BOX_W - 20.0)
    };
    // stack height per (lane, date)
    let mut slots: std::collections::BTreeMap<(usize, i64), usize> = Default::default();
    let mut placed = Vec::new();
    for it in items {
        let n = slots.entry((it.lane, it.date)).or_insert(0);
        placed.push((it, *n));
        *n += 1;
    }
    let mut lane_h = vec![1usize; lanes.len()];
    for ((lane, _), n) in &slots {
        if let Some(h) = lane_h.get_mut(*lane) {
            *h = (*h).max(*n);
        }
    }
    let top = 40.0;
    let mut lane_y = Vec::new();
    let mut y = top;
    for h in &lane_h {
        lane_y.push(y);
        y += *h as f64 * (BOX_H + 4.0) + 14.0;
    }
    let height = y + 10.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"timeline\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-label=\"Roadmap timeline\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, lane) in lanes.iter().enumerate() {
        let ly = lane_y[i];
        let lh = lane_h[i] as f64 * (BOX_H + 4.0) + 10.0;
        let _ = write!(
            s,
            "<rect class=\"lane{}\" x=\"0\" y=\"{:.1}\" width=\"{W}\" height=\"{lh:.1}\"/><text class=\"lane-label\" x=\"8\" y=\"{:.1}\">{}</text>",
            if i % 2 == 1 { " alt" } else { "" },
            ly - 4.0,
            ly + 14.0,
            esc(lane)
        );
    }
    for m in marks {
        let mx = x(m.date);
        let label = format!("{} · {}", m.label, dates::human(m.date));
        let _ = write!(
            s,
            "<line class=\"milestone\" x1=\"{mx:.1}\" y1=\"24\" x2=\"{mx:.1}\" y2=\"{:.1}\"/>",
            height - 6.0
        );
        let text = format!(
            "<text class=\"milestone-label\" x=\"{mx:.1}\" y=\"16\">{}</text>",
            esc(&label)
        );
        match &m.href {
            Some(h) => {
                let _ = write!(s, "<a href=\"{}\">{text}</a>", esc(h));
            }
            None => s.push_str(&text),
        }
    }
    let tx = x(today);
    let _ = write!(
        s,
        "<line class=\"today\" x1=\"{tx:.1}\" y1=\"24\" x2=\"{tx:.1}\" y2=\"{:.1}\"/><text class=\"today-label\" x=\"{:.1}\" y=\"{:.1}\">today</text>",
        height - 6.0,
        tx + 3.0,
        height - 8.0
    );
    for (it, n) in placed {
        let bx = x(it.date);
        let by = lane_y.get(it.lane).copied().unwrap_or(top) + n as f64 * (BOX_H + 4.0);
        let title: String = if it.title.chars().count() > 20 {
            it.title.chars().take(19).collect::<String>() + "…"
        } else {
            it.title.clone()
        };
        let body = format!(
            "<g class=\"item status-{}\" data-team=\"{}\" data-objectives=\"{}\" data-segments=\"{}\" data-status=\"{}\"><title>{}</title><rect x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"4\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            esc(&it.status),
            esc(&it.filters[0]),
            esc(&it.filters[1]),
            esc(&it.filters[2]),
            esc(&it.status),
            esc(&format!("{} ({})", it.title, it.status)),
            bx + 6.0,
            by + 15.0,
            esc(&title)
        );
        match &it.href {
            Some(h) => {
                let _ = write!(s, "<a href=\"{}\">{body}</a>", esc(h));
            }
            None => s.push_str(&body),
        }
    }
    s.push_str("</svg>");
    s
}

/// A line chart of a metric's values over time, with the target as a
/// dashed line.
pub fn chart(points: &[(i64, f64)], target: Option<f64>, unit: &str) -> String {
    if points.is_empty() {
        return String::new();
    }
    let (w, h, pad_l, pad_b, pad_t, pad_r) = (640.0, 260.0, 56.0, 34.0, 16.0, 20.0);
    let x0 = points.iter().map(|p| p.0).min().unwrap_or(0);
    let x1 = points.iter().map(|p| p.0).max().unwrap_or(0).max(x0 + 1);
    let mut lo = points
        .iter()
        .map(|p| p.1)
        .chain(target)
        .fold(f64::INFINITY, f64::min);
    let mut hi = points
        .iter()
        .map(|p| p.1)
        .chain(target)
        .fold(f64::NEG_INFINITY, f64::max);
    if (hi - lo).abs() < f64::EPSILON {
        lo -= 1.0;
        hi += 1.0;
    }
    let margin = (hi - lo) * 0.08;
    let (lo, hi) = (lo - margin, hi + margin);
    let px = |d: i64| pad_l + (d - x0) as f64 / (x1 - x0) as f64 * (w - pad_l - pad_r);
    let py = |v: f64| pad_t + (hi - v) / (hi - lo) * (h - pad_t - pad_b);
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Value over time\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for i in 0..=4 {
        let v = lo + (hi - lo) * i as f64 / 4.0;
        let y = py(v);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{pad_l}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - pad_r,
            pad_l - 6.0,
            y + 4.0,
            esc(&fmt_num(v))
        );
    }
    let _ = write!(
        s,
        "<text class=\"axis\" x=\"{pad_l}\" y=\"{:.1}\">{}</text><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        h - 10.0,
        esc(&dates::human(x0)),
        w - pad_r,
        h - 10.0,
        esc(&dates::human(x1))
    );
    if let Some(t) = target {
        let y = py(t);
        let _ = write!(
            s,
            "<line class=\"target\" x1=\"{pad_l}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"target-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">target {} {}</text>",
            w - pad_r,
            w - pad_r,
            y - 4.0,
            esc(&fmt_num(t)),
            esc(unit)
        );
    }
    let path: Vec<String> = points
        .iter()
        .map(|(d, v)| format!("{:.1},{:.1}", px(*d), py(*v)))
        .collect();
    let _ = write!(
        s,
        "<polyline class=\"series\" points=\"{}\"/>",
        path.join(" ")
    );
    for (d, v) in points {
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{}: {} {}</title></circle>",
            px(*d),
            py(*v),
            esc(&dates::human(*d)),
            esc(&fmt_num(*v)),
            esc(unit)
        );
    }
    s.push_str("</svg>");
    s
}

/// A number without float noise: `12`, `0.42`, `1.5k` is not used, exact is.
pub fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
