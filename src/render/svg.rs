//! Inline SVG: the roadmap timeline and metric charts. The one place that
//! builds markup outside the templates, with escaping in one function.

use crate::dates;
use std::fmt::Write;

/// Escapes text for SVG/HTML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(s, &mut out);
    out
}

/// [`esc`], appending to `out` (no allocation for text with nothing to
/// escape, which is most of it).
pub fn esc_into(s: &str, out: &mut String) {
    // A table lookup per byte, copying the runs between the five bytes
    // that need escaping: history lists call this for every part of every
    // change (tens of thousands of short strings per build), where a
    // `match` per byte cost twice as much and a char-set search three times.
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[usize::from(b)] {
            continue;
        }
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        };
        // The five are ASCII, so `start..i` falls on char boundaries.
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// The bytes [`esc_into`] replaces: `&`, `<`, `>`, `"` and `'`.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

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
/// The column of lane names on the left.
const LANE_LABEL: f64 = 160.0;
const PAD_R: f64 = 16.0;
const BOX_H: f64 = 24.0;
const ROW_GAP: f64 = 6.0;
const LANE_PAD: f64 = 10.0;
/// A feature bar is never narrower than this, whatever the scale.
const MIN_BAR: f64 = 96.0;
/// Height of one row of milestone labels (title over date).
const LABEL_ROW: f64 = 32.0;
/// Rough advance of one character, in SVG units, for the fonts the site
/// uses (system sans-serif at 11–12 px; generous so text never collides).
const CHAR_W: f64 = 7.4;
/// Most month gridlines the timeline draws.
const MAX_GRID_LINES: usize = 400;

/// Cuts `s` to at most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// The roadmap timeline: a month axis, milestones by date (labels staggered
/// in rows so none overlap), features in lanes by team as bars in their
/// milestone's column (from its line to the next milestone's), and a today
/// line. Bars that would overlap in a lane go on rows of their own. `day`
/// writes a milestone's date (a public build shows quarters).
pub fn timeline(
    lanes: &[String],
    marks: &[Mark],
    items: &[Item],
    today: i64,
    day: fn(i64) -> String,
) -> String {
    // A feature sits in its milestone's column: from its milestone's line
    // to the next milestone (the last column is as wide as a typical gap).
    let mut gaps: Vec<i64> = marks
        .windows(2)
        .map(|w| w[1].date - w[0].date)
        .filter(|g| *g > 0)
        .collect();
    gaps.sort_unstable();
    let span = gaps
        .get(gaps.len() / 2)
        .copied()
        .unwrap_or(91)
        .clamp(30, 182);
    let end_of = |date: i64| {
        marks
            .iter()
            .map(|m| m.date)
            .filter(|d| *d > date)
            .min()
            .unwrap_or(date.saturating_add(span))
    };
    let first = marks
        .iter()
        .map(|m| m.date)
        .chain(items.iter().map(|it| it.date))
        .chain([today])
        .min()
        .unwrap_or(today);
    let last = items
        .iter()
        .map(|it| end_of(it.date))
        .chain(marks.iter().map(|m| m.date.saturating_add(span)))
        .chain([today])
        .max()
        .unwrap_or(today);
    let mut lo = first.saturating_sub(20);
    let hi = last.saturating_add(8);
    if hi.saturating_sub(lo) < 120 {
        lo = hi - 120;
    }
    let plot_l = LANE_LABEL + 8.0;
    let x =
        |d: i64| plot_l + (d as f64 - lo as f64) / (hi as f64 - lo as f64) * (W - plot_l - PAD_R);

    // Milestone labels: left-aligned on their line, over their column
    // (right-aligned when they would run off the edge), each on the first
    // row where it overlaps no other.
    struct Label<'a> {
        mark: &'a Mark,
        x: f64,
        left: f64,
        right: f64,
        end_anchor: bool,
        row: usize,
    }
    let mut labels: Vec<Label<'_>> = Vec::new();
    let mut row_ends: Vec<f64> = Vec::new();
    for m in marks {
        let mx = x(m.date);
        let width = (m.label.chars().count().max(day(m.date).chars().count()) as f64) * CHAR_W;
        let end_anchor = mx + 5.0 + width > W - 4.0;
        let (left, right) = if end_anchor {
            (mx - 5.0 - width, mx)
        } else {
            (mx, mx + 5.0 + width)
        };
        let row = match row_ends.iter().position(|end| *end + 10.0 <= left) {
            Some(r) => r,
            None => {
                row_ends.push(f64::NEG_INFINITY);
                row_ends.len() - 1
            }
        };
        row_ends[row] = right;
        labels.push(Label {
            mark: m,
            x: mx,
            left,
            right,
            end_anchor,
            row,
        });
    }
    let header = 8.0 + row_ends.len().max(1) as f64 * LABEL_ROW;
    let axis_y = header + 4.0;
    let top = axis_y + 26.0;

    // Bars: (item, x0, x1), packed into rows per lane.
    let mut order: Vec<&Item> = items.iter().collect();
    order.sort_by(|a, b| (a.lane, a.date, &a.title).cmp(&(b.lane, b.date, &b.title)));
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); lanes.len().max(1)];
    let mut bars = Vec::new();
    for it in order {
        let x0 = x(it.date);
        let x1 = (x(end_of(it.date)) - 4.0).max(x0 + MIN_BAR);
        let lane = it.lane.min(rows.len() - 1);
        let lane_rows = &mut rows[lane];
        let row = match lane_rows.iter().position(|end| *end + 4.0 <= x0) {
            Some(r) => r,
            None => {
                lane_rows.push(f64::NEG_INFINITY);
                lane_rows.len() - 1
            }
        };
        lane_rows[row] = x1;
        bars.push((it, lane, row, x0, x1));
    }
    let mut lane_y = Vec::new();
    let mut lane_h = Vec::new();
    let mut y = top;
    for r in &rows {
        let n = r.len().max(1) as f64;
        let h = LANE_PAD * 2.0 + n * BOX_H + (n - 1.0) * ROW_GAP;
        lane_y.push(y);
        lane_h.push(h);
        y += h;
    }
    let bottom = y;
    // Room under the lanes for the today label.
    let height = bottom + 22.0;

    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"timeline\" viewBox=\"0 0 {W} {height:.1}\" role=\"group\" aria-label=\"Roadmap timeline\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    // Lanes and their names.
    for (i, lane) in lanes.iter().enumerate() {
        let (ly, lh) = (
            lane_y[i.min(lane_y.len() - 1)],
            lane_h[i.min(lane_h.len() - 1)],
        );
        let _ = write!(
            s,
            "<rect class=\"lane{}\" x=\"0\" y=\"{ly:.1}\" width=\"{W}\" height=\"{lh:.1}\"/><line class=\"lane-rule\" x1=\"0\" y1=\"{ly:.1}\" x2=\"{W}\" y2=\"{ly:.1}\"/><text class=\"lane-label\" x=\"14\" y=\"{:.1}\"{}>{}</text>",
            if i % 2 == 1 { " alt" } else { "" },
            ly + LANE_PAD + 16.0,
            // A long team name is squeezed into the column, never cut.
            if lane.chars().count() as f64 * 7.4 > LANE_LABEL - 22.0 {
                format!(
                    " textLength=\"{:.0}\" lengthAdjust=\"spacingAndGlyphs\"",
                    LANE_LABEL - 22.0
                )
            } else {
                String::new()
            },
            esc(lane)
        );
    }
    // Month grid and axis labels.
    let (mut yy, mut mm, _) = dates::civil_from_days(lo);
    let per_month = 30.0 / (hi as f64 - lo as f64) * (W - plot_l - PAD_R);
    // One gridline a month; over centuries (a milestone dated 0001-01-01
    // beside one in 9999) one every so many Januaries, so the grid stays
    // a few hundred lines whatever the dates.
    let months_shown = (hi as f64 - lo as f64) / 30.4;
    let stride = if months_shown > MAX_GRID_LINES as f64 {
        (months_shown / 12.0 / MAX_GRID_LINES as f64).ceil() as i64 * 12
    } else {
        1
    };
    if stride > 1 {
        // The first step lands on the next January, and every line is one.
        yy = yy + 1 - stride / 12;
    }
    let mut last_label = f64::NEG_INFINITY;
    // Month names go on top of the milestone lines, so they wait.
    let mut months = String::new();
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for _ in 0..=MAX_GRID_LINES {
        (yy, mm) = if stride > 1 {
            (yy + stride / 12, 1)
        } else if mm == 12 {
            (yy + 1, 1)
        } else {
            (yy, mm + 1)
        };
        let d = dates::days_from_civil(yy, mm, 1);
        if d > hi {
            break;
        }
        let mx = x(d);
        let quarter = mm % 3 == 1;
        let _ = write!(
            s,
            "<line class=\"grid{}\" x1=\"{mx:.1}\" y1=\"{axis_y:.1}\" x2=\"{mx:.1}\" y2=\"{bottom:.1}\"/>",
            if quarter { " quarter" } else { "" }
        );
        // The month's name, centred in the month; January shows the year.
        let (ny, nm) = if mm == 12 { (yy + 1, 1) } else { (yy, mm + 1) };
        let cx = (mx + x(dates::days_from_civil(ny, nm, 1))) / 2.0;
        let text = if mm == 1 {
            yy.to_string()
        } else if per_month >= 30.0 || quarter {
            MONTHS[(mm as usize - 1) % 12].to_string()
        } else {
            String::new()
        };
        // On a strided grid, years that would overlap are not named.
        let crowded = stride > 1 && cx - last_label < 40.0;
        if !text.is_empty() && !crowded && cx - 14.0 >= plot_l && cx + 14.0 <= W - PAD_R {
            last_label = cx;
            let _ = write!(
                months,
                "<text class=\"month{}\" x=\"{cx:.1}\" y=\"{:.1}\">{}</text>",
                if mm == 1 { " year" } else { "" },
                axis_y + 15.0,
                esc(&text)
            );
        }
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{plot_l:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
        top - 0.5,
        W - PAD_R,
        top - 0.5
    );
    // Milestones, left to right: each line, then its label with a halo,
    // so the lines of earlier milestones pass behind later labels.
    for l in &labels {
        let ly = 8.0 + l.row as f64 * LABEL_ROW;
        let _ = write!(
            s,
            "<line class=\"milestone\" x1=\"{mx:.1}\" y1=\"{ly:.1}\" x2=\"{mx:.1}\" y2=\"{bottom:.1}\"/><path class=\"milestone-mark\" d=\"M{mx:.1} {:.1}l5 5l-5 5l-5 -5z\"/>",
            top - 5.0,
            mx = l.x,
        );
        let (lx, anchor) = if l.end_anchor {
            (l.right - 5.0, "end")
        } else {
            (l.left + 5.0, "start")
        };
        let when = day(l.mark.date);
        let text = format!(
            "<text class=\"milestone-label\" x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\"><title>{} · {}</title><tspan class=\"milestone-title\">{}</tspan><tspan class=\"milestone-date\" x=\"{lx:.1}\" dy=\"14\">{}</tspan></text>",
            ly + 11.0,
            esc(&l.mark.label),
            esc(&when),
            esc(&l.mark.label),
            esc(&when)
        );
        match &l.mark.href {
            Some(h) => {
                let _ = write!(s, "<a href=\"{}\">{text}</a>", esc(h));
            }
            None => s.push_str(&text),
        }
    }
    let tx = x(today);
    let _ = write!(
        s,
        "<line class=\"today\" x1=\"{tx:.1}\" y1=\"{axis_y:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/>",
        bottom + 18.0
    );
    s.push_str(&months);
    // Feature bars.
    for (it, lane, row, x0, x1) in bars {
        let by = lane_y[lane] + LANE_PAD + row as f64 * (BOX_H + ROW_GAP);
        let w = x1 - x0;
        let title = clip(&it.title, ((w - 14.0) / 6.2).max(3.0) as usize);
        let body = format!(
            "<g class=\"item status-{}\" data-team=\"{}\" data-objectives=\"{}\" data-segments=\"{}\" data-status=\"{}\"><title>{}</title><rect x=\"{x0:.1}\" y=\"{by:.1}\" width=\"{w:.1}\" height=\"{BOX_H}\" rx=\"5\"/><rect class=\"tip\" x=\"{x0:.1}\" y=\"{by:.1}\" width=\"4\" height=\"{BOX_H}\" rx=\"2\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            esc(&it.status),
            esc(&it.filters[0]),
            esc(&it.filters[1]),
            esc(&it.filters[2]),
            esc(&it.status),
            esc(&format!("{} ({})", it.title, it.status)),
            x0 + 10.0,
            by + 16.0,
            esc(&title)
        );
        match &it.href {
            Some(h) => {
                let _ = write!(s, "<a href=\"{}\">{body}</a>", esc(h));
            }
            None => s.push_str(&body),
        }
    }
    // Today's label, under the lanes.
    let today_anchor = if tx + 40.0 > W { "end" } else { "start" };
    let _ = write!(
        s,
        "<text class=\"today-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{today_anchor}\">Today</text>",
        if today_anchor == "end" {
            tx - 4.0
        } else {
            tx + 4.0
        },
        bottom + 15.0
    );
    s.push_str("</svg>");
    lane_column(&mut s, lanes, &lane_y, &lane_h, height);
    s
}

/// The lane names again, in a narrow SVG of their own over the timeline's
/// label column: the CSS shows it only where the timeline scrolls sideways
/// (a phone) and keeps it stuck to the left edge, which text inside the
/// big SVG cannot do. Same scale as the timeline: its width is the label
/// column's share of the drawing, its viewBox the column's.
fn lane_column(s: &mut String, lanes: &[String], lane_y: &[f64], lane_h: &[f64], height: f64) {
    let _ = write!(
        s,
        "<svg class=\"timeline-lanes\" style=\"width:{:.3}%\" viewBox=\"0 0 {LANE_LABEL} {height:.1}\" aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\">",
        LANE_LABEL / W * 100.0
    );
    for (i, ((lane, ly), lh)) in lanes.iter().zip(lane_y).zip(lane_h).enumerate() {
        let squeeze = if lane.chars().count() as f64 * 7.4 > LANE_LABEL - 22.0 {
            format!(
                " textLength=\"{:.0}\" lengthAdjust=\"spacingAndGlyphs\"",
                LANE_LABEL - 22.0
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "<rect class=\"lane{}\" x=\"0\" y=\"{ly:.1}\" width=\"{LANE_LABEL}\" height=\"{lh:.1}\"/><line class=\"lane-rule\" x1=\"0\" y1=\"{ly:.1}\" x2=\"{LANE_LABEL}\" y2=\"{ly:.1}\"/><text class=\"lane-label\" x=\"14\" y=\"{:.1}\"{squeeze}>{}</text>",
            if i % 2 == 1 { " alt" } else { "" },
            ly + LANE_PAD + 16.0,
            esc(lane)
        );
    }
    s.push_str("</svg>");
}

/// A line chart of a metric's values over time, with the target as a
/// dashed line. `day` writes a date (a public build shows quarters).
pub fn chart(
    points: &[(i64, f64)],
    target: Option<f64>,
    unit: &str,
    day: fn(i64) -> String,
) -> String {
    // Readings beyond what a plan may hold (reported by `check`) are left
    // out: the range of ±8e307 overflows to infinity, and its gridlines
    // would never end.
    let points: Vec<(i64, f64)> = points.iter().copied().filter(|p| plottable(p.1)).collect();
    let target = target.filter(|t| plottable(*t));
    if points.is_empty() {
        return String::new();
    }
    let (w, h, pad_l, pad_b, pad_t, pad_r) = (640.0, 260.0, 56.0, 34.0, 16.0, 20.0);
    let x0 = points.iter().map(|p| p.0).min().unwrap_or(0);
    let x1 = points
        .iter()
        .map(|p| p.0)
        .max()
        .unwrap_or(0)
        .max(x0.saturating_add(1));
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
    // Round gridlines: a step of 1, 2, 2.5 or 5 times a power of ten, and
    // the range widened to whole steps.
    let raw = (hi - lo) * 1.1 / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    if !(lo.is_finite() && hi.is_finite() && hi > lo && step > 0.0) {
        return String::new();
    }
    // Bounded whatever the arithmetic gave: four or five in practice.
    let ticks = ((hi - lo) / step).round().clamp(0.0, MAX_TICKS as f64) as i64;
    let px =
        |d: i64| pad_l + (d as f64 - x0 as f64) / (x1 as f64 - x0 as f64) * (w - pad_l - pad_r);
    let py = |v: f64| pad_t + (hi - v) / (hi - lo) * (h - pad_t - pad_b);
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Value over time\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for i in 0..=ticks {
        let v = lo + step * i as f64;
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
        esc(&day(x0)),
        w - pad_r,
        h - 10.0,
        esc(&day(x1))
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
    for (d, v) in &points {
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{}: {} {}</title></circle>",
            px(*d),
            py(*v),
            esc(&day(*d)),
            esc(&fmt_num(*v)),
            esc(unit)
        );
    }
    s.push_str("</svg>");
    s
}

/// Most gridlines a chart draws.
const MAX_TICKS: i64 = 12;

/// Whether a chart can draw `v`: finite, and within what a plan may hold
/// ([`crate::check::documents::NUMBER_LIMIT`]), so every span is finite.
fn plottable(v: f64) -> bool {
    v.is_finite() && v.abs() <= crate::check::documents::NUMBER_LIMIT
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_escapes_the_five_html_specials_and_nothing_else() {
        assert_eq!(
            esc(r#"<a href="x">Tom & 'Jerry'</a> → ok"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; → ok"
        );
        assert_eq!(esc("plain"), "plain");
        assert_eq!(esc(""), "");
    }

    fn iso(d: i64) -> String {
        crate::dates::format(d)
    }

    /// ±8e307 spans more than an `f64` holds: the gridline count was
    /// infinite, and the loop over it never ended.
    #[test]
    fn a_chart_of_extreme_values_is_bounded() {
        let extreme = [
            (0, -8e307),
            (10, 8e307),
            (20, f64::MAX),
            (30, 1.0),
            (40, 2.0),
        ];
        let svg = chart(&extreme, Some(8e307), "u", iso);
        assert!(svg.matches("class=\"grid\"").count() <= MAX_TICKS as usize + 1);
        assert!(svg.contains("<circle"), "{svg}");
        assert!(!svg.contains("e307") && !svg.contains("NaN") && !svg.contains("inf"));
        // Nothing drawable: no chart rather than a broken one.
        assert_eq!(chart(&[(0, f64::NAN), (1, 1e300)], None, "u", iso), "");
    }

    /// Milestones eight thousand years apart draw a few hundred
    /// gridlines, not a hundred thousand.
    #[test]
    fn a_timeline_over_millennia_is_bounded() {
        let mark = |date: &str| Mark {
            label: date.to_string(),
            date: crate::dates::parse(date).expect("date"),
            href: None,
        };
        let marks = [mark("0001-01-01"), mark("9999-12-31")];
        let today = crate::dates::parse("2026-11-01").expect("date");
        let svg = timeline(&["Team".to_string()], &marks, &[], today, iso);
        let lines = svg.matches("class=\"grid").count();
        assert!(
            (1..=MAX_GRID_LINES + 1).contains(&lines),
            "{lines} gridlines"
        );
    }
}
