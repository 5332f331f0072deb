//! Inline SVG: the roadmap timeline and metric charts. The one place that
//! builds markup outside the templates, with escaping in one function.

use crate::dates;
use crate::numbers::fmt_num;
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

/// A feature on the timeline.
pub struct Item {
    /// Its id, for dependency lines.
    pub id: String,
    /// Title shown.
    pub title: String,
    /// Link to its page (already relative), or None when unpublished.
    pub href: Option<String>,
    /// Lifecycle status, for the colour class and the filters.
    pub status: String,
    /// Status as written, for the text alternative (a kind's own value,
    /// `implementable`, where `status` is what it maps to).
    pub status_text: String,
    /// Lane index.
    pub lane: usize,
    /// Its target: its milestone's date (day number). Nothing of the
    /// feature is drawn right of it.
    pub target: i64,
    /// When work started (its `start`, else the day history first shows
    /// it as committed work): a bar from here to the target. None, or a
    /// day on or after the target, draws a marker at the target instead.
    pub start: Option<i64>,
    /// Its original target and the days it slipped since, when it slipped:
    /// a ghost tick there. Days are None where they are not shown (a
    /// public build shows no day counts).
    pub slip: Option<(i64, Option<i64>)>,
    /// Risk flags, in words ("slipped 14 days", "overdue milestone").
    pub risks: Vec<String>,
    /// Filter data: team, objectives, segments, milestone (space-separated
    /// ids).
    pub filters: [String; 4],
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

/// A dependency: a line from the end of `from` (the dependency) to the
/// start of `to` (the feature that depends on it).
pub struct Link {
    /// The dependency's id.
    pub from: String,
    /// The dependent feature's id.
    pub to: String,
    /// Whether `dependency-order` fails on it (drawn red, with words).
    pub broken: bool,
}

/// What the timeline draws.
pub struct Timeline<'a> {
    /// Lane names, in order.
    pub lanes: &'a [String],
    /// Per lane, how many features it leaves out (a lane draws a share of
    /// the features at most); shown under its name.
    pub more: &'a [usize],
    /// Milestones, by date.
    pub marks: &'a [Mark],
    /// Features.
    pub items: &'a [Item],
    /// Dependencies between features on it.
    pub links: &'a [Link],
    /// Today (docs/format.md#today).
    pub today: i64,
    /// Writes a date (a public build shows quarters).
    pub day: fn(i64) -> String,
    /// A public build: every date is a quarter's first, and so is every
    /// date the SVG states (its range, its gridlines), none finer.
    pub quarters: bool,
}

/// The column of lane names on the left; the plot starts right of it.
const LANE_LABEL: f64 = 160.0;
const PLOT_L: f64 = LANE_LABEL + 8.0;
const PAD_R: f64 = 24.0;
const BOX_H: f64 = 24.0;
const ROW_GAP: f64 = 6.0;
const LANE_PAD: f64 = 10.0;
/// Height of the row of milestone labels (title over date).
const LABEL_ROW: f64 = 34.0;
/// Rough advance of one character, in SVG units, for the fonts the site
/// uses (system sans-serif at 11–12 px; generous so text never collides).
const CHAR_W: f64 = 7.4;
/// The advance of a bar label's character (11.5 px, medium weight).
const BAR_CHAR_W: f64 = 6.4;
/// Most characters of a label drawn outside its bar.
const OUTSIDE_CHARS: usize = 40;
/// Most month gridlines the timeline draws.
const MAX_GRID_LINES: usize = 400;
/// Pixels per day at the default zoom (a quarter): one quarter back and
/// four ahead fill about 1,000 px.
const DEFAULT_PPD: f64 = 2.2;
/// The zooms, as multiples of the default scale: the page's script
/// switches between them (`data-zoom` on the SVG); without it the
/// quarter zoom shows.
const ZOOMS: [(&str, f64); 3] = [("month", 2.75), ("quarter", 1.0), ("half", 0.5)];
/// The widest the timeline gets at its closest zoom, in px: a plan over
/// centuries is drawn at a smaller scale rather than millions of px wide.
const MAX_PLOT_W: f64 = 60_000.0;
/// The zoom whose layout is the tightest: rows of bars are packed at it,
/// so labels outside their bars never collide at any zoom.
const PACK_ZOOM: f64 = 0.5;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Cuts `s` to at most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// Days to x at the default zoom: `PLOT_L` at `lo`, `ppd` px a day. The
/// SVG carries `data-lo` and `data-ppd` so the script (and a test) can
/// map any date to its x.
#[derive(Clone, Copy)]
struct Scale {
    lo: i64,
    hi: i64,
    ppd: f64,
    /// Gridlines and range by quarter only (a public build).
    quarters: bool,
}

impl Scale {
    /// The range: every date drawn, and one quarter before today to four
    /// after (the default window), with a margin.
    fn new(t: &Timeline<'_>) -> Scale {
        let dates = t
            .marks
            .iter()
            .map(|m| m.date)
            .chain(t.items.iter().flat_map(|it| {
                [Some(it.target), it.start, it.slip.map(|s| s.0)]
                    .into_iter()
                    .flatten()
            }));
        let (mut lo, mut hi) = (t.today.saturating_sub(91), t.today.saturating_add(4 * 91));
        for d in dates {
            lo = lo.min(d);
            hi = hi.max(d);
        }
        // From the first of a month, so the grid starts on a line.
        let (y, m, _) = dates::civil_from_days(lo.saturating_sub(14));
        let step = if t.quarters { 3 } else { 1 };
        let lo = dates::days_from_civil(y, m - (m - 1) % step, 1);
        // To the first of the month after a margin: every date the SVG
        // states is one the plan or the calendar gives.
        let (y, m, _) = dates::civil_from_days(hi.saturating_add(21));
        let next = m - (m - 1) % step + step;
        let hi = if next > 12 {
            dates::days_from_civil(y + 1, next - 12, 1)
        } else {
            dates::days_from_civil(y, next, 1)
        };
        let span = (hi - lo).max(1) as f64;
        let closest = ZOOMS[0].1;
        let ppd = DEFAULT_PPD.min(MAX_PLOT_W / (span * closest));
        Scale {
            lo,
            hi,
            ppd,
            quarters: t.quarters,
        }
    }

    /// The x of a day at zoom `k`.
    fn x_at(&self, d: i64, k: f64) -> f64 {
        PLOT_L + (d as f64 - self.lo as f64) * self.ppd * k
    }

    /// The x of a day at the default zoom.
    fn x(&self, d: i64) -> f64 {
        self.x_at(d, 1.0)
    }

    /// The SVG's width at the default zoom.
    fn width(&self) -> f64 {
        self.x(self.hi) + PAD_R
    }
}

/// The roadmap timeline (docs/format.md#timeline): a month axis, milestones by date
/// (labels that would overlap collapse into one "+N" label), features in
/// lanes by team, each a bar that ends at its target and starts when work
/// started (else a marker at the target), a ghost tick where a slipped
/// feature's target was, dependency lines (red when out of order), risk
/// flags in words, and a today line. Drawn at one px per unit, wider than
/// the page: the page scrolls it, and its script zooms it.
pub fn timeline(t: &Timeline<'_>) -> String {
    let scale = Scale::new(t);
    let labels = milestone_labels(t, scale);
    let axis_y = 8.0 + LABEL_ROW + 4.0;
    let top = axis_y + 26.0;
    let (placed, lane_y, lane_h) = pack(t, scale, top);
    let bottom = lane_y.last().copied().unwrap_or(top) + lane_h.last().copied().unwrap_or(0.0);
    // Room under the lanes for the today label.
    let height = bottom + 22.0;
    let width = scale.width();
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"timeline\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.1} {height:.1}\" role=\"figure\" aria-labelledby=\"ns-tl-title ns-tl-desc\" data-zoom=\"quarter\" data-lo=\"{}\" data-ppd=\"{}\" data-plot-left=\"{PLOT_L}\" data-pad-right=\"{PAD_R}\" data-hi=\"{}\" data-today=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        dates::format(scale.lo),
        scale.ppd,
        dates::format(scale.hi),
        dates::format(t.today),
    );
    description(&mut s, t);
    s.push_str("<defs><marker id=\"ns-dep-arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"dep-head\" d=\"M0 0L8 4L0 8z\"/></marker><marker id=\"ns-dep-arrow-broken\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"dep-head broken\" d=\"M0 0L8 4L0 8z\"/></marker></defs>");
    lanes(&mut s, &lane_y, &lane_h, width);
    let months = grid(&mut s, scale, axis_y, bottom);
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{PLOT_L:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" data-to-edge=\"1\"/>",
        top - 0.5,
        width - PAD_R,
        top - 0.5
    );
    milestones(&mut s, t, scale, &labels, top, bottom);
    let tx = scale.x(t.today);
    let today = dates::format(t.today);
    let _ = write!(
        s,
        "<line class=\"today\" x1=\"{tx:.1}\" y1=\"{axis_y:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" data-at=\"{today}\" data-bottom=\"1\"/>",
        bottom + 18.0
    );
    s.push_str(&months);
    dependency_lines(&mut s, t, scale, &placed);
    for p in &placed {
        feature(&mut s, t, scale, p);
    }
    let _ = write!(
        s,
        "<text class=\"today-label\" x=\"{:.1}\" y=\"{:.1}\" data-at=\"{today}\" data-dx=\"4\" data-bottom=\"1\">Today</text>",
        tx + 4.0,
        bottom + 15.0
    );
    lane_names(&mut s, t, &lane_y, &lane_h);
    s.push_str("</svg>");
    s
}

/// The SVG's `<title>` and `<desc>`: what it shows, in words. The SVG is
/// a `figure`, not an `img`: an image's children are presentational, and
/// the features and milestones in it are links a keyboard must reach.
fn description(s: &mut String, t: &Timeline<'_>) {
    let bars = t.items.iter().filter(|it| has_bar(it)).count();
    let risky = t.items.iter().filter(|it| !it.risks.is_empty()).count();
    let broken = t.links.iter().filter(|l| l.broken).count();
    let _ = write!(
        s,
        "<title id=\"ns-tl-title\">Roadmap timeline</title><desc id=\"ns-tl-desc\">{} features in {} lanes by team and {} milestones, today {}. Each bar ends at the feature's target, its milestone's date, and starts when work started; {} features without a known start are a marker at their target. {} dependency lines{}; {} features flagged at risk.</desc>",
        t.items.len(),
        t.lanes.len(),
        t.marks.len(),
        esc(&(t.day)(t.today)),
        t.items.len() - bars,
        t.links.len(),
        if broken > 0 {
            format!(", {broken} out of order")
        } else {
            String::new()
        },
        risky
    );
}

/// `roadmap.svg`: the timeline as a file of its own, for slides and
/// documents. It carries its styles (the site stylesheet's light colours
/// and its `svg.timeline` rules, so an overridden `style.css` shows here
/// too) and a background, since no page is around it.
pub fn standalone(timeline: &str, css: &str) -> String {
    let mut style = String::new();
    for (selector, body) in css_rules(css) {
        if selector == ":root" && style.is_empty() || selector.starts_with("svg.timeline") {
            let _ = write!(style, "{selector}{{{body}}}");
        }
    }
    style.push_str("svg.timeline{width:auto;height:auto;min-width:0;background:var(--panel,#fff);font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}");
    let body = timeline
        .find('>')
        .map_or(timeline, |end| &timeline[end + 1..]);
    let open = &timeline[..timeline.len() - body.len()];
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{open}<style>{}</style>{body}\n",
        style.replace("]]>", "")
    )
}

/// The top-level rules of a stylesheet, as (selector, declarations);
/// at-rules and what they hold are skipped. Comments are dropped.
fn css_rules(css: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let selector = strip_comments(&rest[..open]).trim().to_string();
        // Find the matching close, counting nested braces (@media).
        let mut depth = 0;
        let mut close = None;
        for (i, c) in rest[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else { break };
        if !selector.starts_with('@') {
            out.push((
                selector,
                strip_comments(&rest[open + 1..close]).trim().to_string(),
            ));
        }
        rest = &rest[close + 1..];
    }
    out
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(a) = rest.find("/*") {
        out.push_str(&rest[..a]);
        rest = rest[a + 2..]
            .find("*/")
            .map_or("", |b| &rest[a + 2 + b + 2..]);
    }
    out.push_str(rest);
    out
}

/// Whether an item is drawn as a bar (a start before its target).
fn has_bar(it: &Item) -> bool {
    it.start.is_some_and(|s| s < it.target)
}

/// An item's label: its first risk flag (and how many more) first, so
/// clipping keeps it, then its title. The `<title>` lists every flag.
fn label_text(it: &Item) -> (String, String) {
    let flag = match it.risks.as_slice() {
        [] => String::new(),
        [one] => format!("⚠ {one} · "),
        [first, rest @ ..] => format!("⚠ {first} +{} · ", rest.len()),
    };
    (flag, it.title.clone())
}

/// Whether an item's label fits inside its bar at zoom `k`.
fn fits_inside(it: &Item, scale: Scale, k: f64) -> bool {
    let (flag, title) = label_text(it);
    let chars = (flag.chars().count() + title.chars().count()).min(OUTSIDE_CHARS + 12);
    has_bar(it)
        && scale.x_at(it.target, k) - scale.x_at(it.start.unwrap_or(it.target), k)
            >= chars as f64 * BAR_CHAR_W + 16.0
}

/// Room a label drawn outside (left of) its item takes, in px.
fn outside_px(it: &Item) -> f64 {
    let (flag, title) = label_text(it);
    let chars = (flag.chars().count() + title.chars().count()).min(OUTSIDE_CHARS);
    chars as f64 * BAR_CHAR_W + 20.0
}

/// An item placed in its lane: the top of its row.
struct Placed<'a> {
    item: &'a Item,
    y: f64,
}

/// Packs items into rows per lane (an item goes on the first row it
/// overlaps nothing on, labels outside bars included, at the tightest
/// zoom, so no zoom overlaps), and gives each lane its y and height.
fn pack<'a>(t: &'a Timeline<'_>, scale: Scale, top: f64) -> (Vec<Placed<'a>>, Vec<f64>, Vec<f64>) {
    let lanes = t.lanes.len().max(1);
    // Extents in px at the packing zoom.
    let extent = |it: &Item| {
        let right = scale.x_at(it.target, PACK_ZOOM);
        let left = if has_bar(it) {
            scale.x_at(it.start.unwrap_or(it.target), PACK_ZOOM)
        } else {
            right - 12.0
        };
        let left = if fits_inside(it, scale, PACK_ZOOM) {
            left
        } else {
            left - outside_px(it)
        };
        let ghost = it
            .slip
            .map_or(left, |(d, _)| scale.x_at(d, PACK_ZOOM) - 4.0);
        (left.min(ghost), right)
    };
    let mut order: Vec<(&Item, f64, f64)> = t
        .items
        .iter()
        .map(|it| {
            let (l, r) = extent(it);
            (it, l, r)
        })
        .collect();
    order.sort_by(|a, b| {
        a.0.lane
            .cmp(&b.0.lane)
            .then(a.1.total_cmp(&b.1))
            .then(a.0.target.cmp(&b.0.target))
            .then(a.0.title.cmp(&b.0.title))
    });
    let mut rows: Vec<Vec<f64>> = vec![Vec::new(); lanes];
    let mut at = Vec::new();
    for (it, left, right) in order {
        let lane = it.lane.min(lanes - 1);
        let lane_rows = &mut rows[lane];
        let row = match lane_rows.iter().position(|end| *end + 6.0 <= left) {
            Some(r) => r,
            None => {
                lane_rows.push(f64::NEG_INFINITY);
                lane_rows.len() - 1
            }
        };
        lane_rows[row] = right;
        at.push((it, lane, row));
    }
    let mut lane_y = Vec::new();
    let mut lane_h = Vec::new();
    let mut y = top;
    for (i, r) in rows.iter().enumerate() {
        // A lane that names features left out has room for that line.
        let least = if t.more.get(i).is_some_and(|n| *n > 0) {
            2
        } else {
            1
        };
        let n = r.len().max(least) as f64;
        let h = LANE_PAD * 2.0 + n * BOX_H + (n - 1.0) * ROW_GAP;
        lane_y.push(y);
        lane_h.push(h);
        y += h;
    }
    let placed = at
        .into_iter()
        .map(|(item, lane, row)| Placed {
            item,
            y: lane_y[lane] + LANE_PAD + row as f64 * (BOX_H + ROW_GAP),
        })
        .collect();
    (placed, lane_y, lane_h)
}

/// Lane backgrounds, across the whole width.
fn lanes(s: &mut String, lane_y: &[f64], lane_h: &[f64], width: f64) {
    for (i, (ly, lh)) in lane_y.iter().zip(lane_h).enumerate() {
        let _ = write!(
            s,
            "<rect class=\"lane{}\" x=\"0\" y=\"{ly:.1}\" width=\"{width:.1}\" height=\"{lh:.1}\" data-to-edge=\"1\" data-lane=\"{i}\"/><line class=\"lane-rule\" x1=\"0\" y1=\"{ly:.1}\" x2=\"{width:.1}\" y2=\"{ly:.1}\" data-to-edge=\"1\" data-lane=\"{i}\"/>",
            if i % 2 == 1 { " alt" } else { "" },
        );
    }
}

/// Lane names on a backing, drawn last: the page's script keeps them at
/// the left edge while the timeline scrolls, over the bars.
fn lane_names(s: &mut String, t: &Timeline<'_>, lane_y: &[f64], lane_h: &[f64]) {
    for (i, lane) in t.lanes.iter().enumerate() {
        let (ly, lh) = (
            lane_y[i.min(lane_y.len() - 1)],
            lane_h[i.min(lane_h.len() - 1)],
        );
        let _ = write!(
            s,
            "<rect class=\"lane-head\" x=\"0\" y=\"{:.1}\" width=\"{LANE_LABEL}\" height=\"{:.1}\" data-lane=\"{i}\"/><text class=\"lane-label\" x=\"14\" y=\"{:.1}\" data-lane=\"{i}\"{}>{}</text>",
            ly + 0.5,
            lh - 0.5,
            ly + LANE_PAD + 16.0,
            // A long team name is squeezed into the column, never cut.
            if lane.chars().count() as f64 * CHAR_W > LANE_LABEL - 22.0 {
                format!(
                    " textLength=\"{:.0}\" lengthAdjust=\"spacingAndGlyphs\"",
                    LANE_LABEL - 22.0
                )
            } else {
                String::new()
            },
            esc(lane)
        );
        if let Some(&n) = t.more.get(i).filter(|n| **n > 0) {
            let _ = write!(
                s,
                "<text class=\"lane-more\" x=\"14\" y=\"{:.1}\" data-lane=\"{i}\" data-more=\"{n}\">+{} not drawn</text>",
                ly + LANE_PAD + 32.0,
                super::facts::group_int(n as i128)
            );
        }
    }
}

/// Month gridlines (quarters stronger), each with `data-date`; returns the
/// month names, drawn later over the milestone lines. Over centuries one
/// line every so many Januaries, so the grid stays a few hundred lines.
fn grid(s: &mut String, scale: Scale, axis_y: f64, bottom: f64) -> String {
    let (lo, hi) = (scale.lo, scale.hi);
    let (mut yy, mut mm, _) = dates::civil_from_days(lo);
    let months_shown = (hi - lo) as f64 / 30.4;
    let stride = if months_shown > MAX_GRID_LINES as f64 {
        (months_shown / 12.0 / MAX_GRID_LINES as f64).ceil() as i64 * 12
    } else {
        1
    };
    if stride > 1 {
        // The first step lands on the next January, and every line is one.
        yy = yy + 1 - stride / 12;
    }
    // A month's width at the tightest zoom decides which names show.
    let month_px = 30.4 * scale.ppd * ZOOMS[2].1;
    let mut last_label = f64::NEG_INFINITY;
    let mut months = String::new();
    let mut first = true;
    for _ in 0..=MAX_GRID_LINES {
        if !first || stride > 1 {
            (yy, mm) = if stride > 1 {
                (yy + stride / 12, 1)
            } else if mm == 12 {
                (yy + 1, 1)
            } else {
                (yy, mm + 1)
            };
        }
        first = false;
        let d = dates::days_from_civil(yy, mm, 1);
        if d > hi {
            break;
        }
        let quarter = mm % 3 == 1;
        if scale.quarters && !quarter {
            continue;
        }
        let mx = scale.x(d);
        let iso = dates::format(d);
        let _ = write!(
            s,
            "<line class=\"grid{}\" x1=\"{mx:.1}\" y1=\"{axis_y:.1}\" x2=\"{mx:.1}\" y2=\"{bottom:.1}\" data-date=\"{iso}\" data-at=\"{iso}\"/>",
            if quarter { " quarter" } else { "" }
        );
        // The month's name just right of its line; January shows the year.
        let text = if mm == 1 {
            yy.to_string()
        } else if stride == 1 && (month_px >= 26.0 || quarter) {
            MONTHS[(mm as usize - 1) % 12].to_string()
        } else {
            String::new()
        };
        // On a strided grid, years that would overlap are not named.
        let crowded = stride > 1 && mx - last_label < 40.0;
        if !text.is_empty() && !crowded {
            last_label = mx;
            let _ = write!(
                months,
                "<text class=\"month{}{}\" x=\"{:.1}\" y=\"{:.1}\" data-at=\"{iso}\" data-dx=\"4\">{}</text>",
                if mm == 1 { " year" } else { "" },
                if quarter { " q" } else { "" },
                mx + 4.0,
                axis_y + 15.0,
                esc(&text)
            );
        }
    }
    months
}

/// A milestone label at one or more zooms: one milestone, or several that
/// would overlap, collapsed into "first +N".
#[derive(PartialEq)]
struct Label {
    /// Indexes into the marks, by date.
    members: Vec<usize>,
    /// Whether it ends at its line (it would run off the right edge).
    end_anchor: bool,
    /// The zooms it shows at.
    zooms: Vec<&'static str>,
}

/// The milestone labels of every zoom: at each, labels closer than their
/// width collapse into the first's with "+N" (a `<title>` lists them).
/// A label the same at several zooms is written once.
fn milestone_labels(t: &Timeline<'_>, scale: Scale) -> Vec<Label> {
    let day = t.day;
    let text_w = |members: &[usize]| {
        let first = &t.marks[members[0]];
        let more = if members.len() > 1 {
            format!(" +{}", members.len() - 1)
        } else {
            String::new()
        };
        (first.label.chars().count() + more.chars().count()).max(day(first.date).chars().count())
            as f64
            * CHAR_W
            + 5.0
    };
    let right_edge = scale.width() - 4.0;
    let mut out: Vec<Label> = Vec::new();
    for (zoom, k) in ZOOMS {
        let edge = right_edge - scale.x(scale.hi) + scale.x_at(scale.hi, k);
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..t.marks.len() {
            let x = scale.x_at(t.marks[i].date, k);
            let joins = groups.last().is_some_and(|g| {
                let gx = scale.x_at(t.marks[g[0]].date, k);
                x < gx + text_w(g) + 10.0
            });
            match groups.last_mut() {
                Some(g) if joins => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        // The last label, right-aligned when it would run off the edge,
        // joins the one before if it then overlaps it.
        let mut end_last = false;
        if let Some(g) = groups.last() {
            let gx = scale.x_at(t.marks[g[0]].date, k);
            if gx + text_w(g) > edge {
                end_last = true;
                if groups.len() > 1 {
                    let prev = &groups[groups.len() - 2];
                    let px = scale.x_at(t.marks[prev[0]].date, k);
                    if px + text_w(prev) + 10.0 > gx - text_w(g) {
                        let g = groups.pop().unwrap_or_default();
                        if let Some(p) = groups.last_mut() {
                            p.extend(g);
                        }
                        let last = groups.last().map(|g| g.as_slice()).unwrap_or(&[]);
                        end_last = !last.is_empty()
                            && scale.x_at(t.marks[last[0]].date, k) + text_w(last) > edge;
                    }
                }
            }
        }
        let n = groups.len();
        for (gi, members) in groups.into_iter().enumerate() {
            let end_anchor = end_last && gi + 1 == n;
            match out
                .iter_mut()
                .find(|l| l.members == members && l.end_anchor == end_anchor)
            {
                Some(l) => l.zooms.push(zoom),
                None => out.push(Label {
                    members,
                    end_anchor,
                    zooms: vec![zoom],
                }),
            }
        }
    }
    out
}

/// Milestone lines and marks, then their labels with a halo, so lines
/// pass behind labels.
fn milestones(
    s: &mut String,
    t: &Timeline<'_>,
    scale: Scale,
    labels: &[Label],
    top: f64,
    bottom: f64,
) {
    for m in t.marks {
        let mx = scale.x(m.date);
        let iso = dates::format(m.date);
        let _ = write!(
            s,
            "<line class=\"milestone\" x1=\"{mx:.1}\" y1=\"8\" x2=\"{mx:.1}\" y2=\"{bottom:.1}\" data-date=\"{iso}\" data-at=\"{iso}\"/><path class=\"milestone-mark\" transform=\"translate({mx:.1} {:.1})\" data-at=\"{iso}\" data-y=\"{:.1}\" d=\"M0 0l5 5l-5 5l-5 -5z\"/>",
            top - 5.0,
            top - 5.0,
        );
    }
    let day = t.day;
    for l in labels {
        let first = &t.marks[l.members[0]];
        let mx = scale.x(first.date);
        let (dx, anchor) = if l.end_anchor {
            (-5.0, "end")
        } else {
            (5.0, "start")
        };
        let lx = mx + dx;
        let iso = dates::format(first.date);
        let when = day(first.date);
        let title_text = if l.members.len() > 1 {
            format!("{} +{}", first.label, l.members.len() - 1)
        } else {
            first.label.clone()
        };
        let listing: Vec<String> = l
            .members
            .iter()
            .map(|i| format!("{} · {}", t.marks[*i].label, day(t.marks[*i].date)))
            .collect();
        let classes: Vec<String> = l.zooms.iter().map(|z| format!("z-{z}")).collect();
        let text = format!(
            "<g class=\"milestone-label{} {}\"><title>{}</title><text class=\"milestone-title\" x=\"{lx:.1}\" y=\"19\" text-anchor=\"{anchor}\" data-at=\"{iso}\" data-dx=\"{dx}\">{}</text><text class=\"milestone-date\" x=\"{lx:.1}\" y=\"33\" text-anchor=\"{anchor}\" data-at=\"{iso}\" data-dx=\"{dx}\">{}</text></g>",
            if l.members.len() > 1 {
                " collapsed"
            } else {
                ""
            },
            classes.join(" "),
            esc(&listing.join("\n")),
            esc(&title_text),
            esc(&when)
        );
        match (&first.href, l.members.len()) {
            (Some(h), 1) => {
                // The link shows and hides with its label: a link hidden
                // at a zoom leaves the tab order and the accessibility
                // tree with it, instead of staying there without a name.
                let _ = write!(
                    s,
                    "<a class=\"milestone-link {}\" href=\"{}\">{text}</a>",
                    classes.join(" "),
                    esc(h)
                );
            }
            _ => s.push_str(&text),
        }
    }
}

/// The y of the middle of a placed item.
fn mid(p: &Placed<'_>) -> f64 {
    p.y + BOX_H / 2.0
}

/// Dependency lines, behind the bars: from the dependency's target to
/// the dependent's start (its target when it is a marker). Red, and
/// named so, when `dependency-order` fails.
fn dependency_lines(s: &mut String, t: &Timeline<'_>, scale: Scale, placed: &[Placed<'_>]) {
    let by_id: std::collections::HashMap<&str, &Placed<'_>> =
        placed.iter().map(|p| (p.item.id.as_str(), p)).collect();
    for l in t.links {
        let (Some(a), Some(b)) = (by_id.get(l.from.as_str()), by_id.get(l.to.as_str())) else {
            continue;
        };
        let from = a.item.target;
        let to = if has_bar(b.item) {
            b.item.start.unwrap_or(b.item.target)
        } else {
            b.item.target
        };
        let (y1, y2) = (mid(a), mid(b));
        let d = dep_path(scale.x(from), y1, scale.x(to), y2);
        let what = if l.broken {
            format!(
                "{} depends on {}, due after it (dependency-order)",
                b.item.title, a.item.title
            )
        } else {
            format!("{} depends on {}", b.item.title, a.item.title)
        };
        let _ = write!(
            s,
            "<path class=\"dep{}\" d=\"{d}\" marker-end=\"url(#ns-dep-arrow{})\" data-from=\"{}\" data-to=\"{}\" data-from-id=\"{}\" data-to-id=\"{}\" data-y1=\"{y1:.1}\" data-y2=\"{y2:.1}\" data-lane-from=\"{}\" data-lane-to=\"{}\"><title>{}</title></path>",
            if l.broken { " broken" } else { "" },
            if l.broken { "-broken" } else { "" },
            dates::format(from),
            dates::format(to),
            esc(&l.from),
            esc(&l.to),
            a.item.lane,
            b.item.lane,
            esc(&what)
        );
    }
}

/// A dependency line's curve from (x1, y1) to (x2, y2); the script draws
/// the same curve when it zooms (`depPath` in site.js).
fn dep_path(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    let dx = ((x2 - x1).abs() / 2.0).max(24.0);
    format!(
        "M{x1:.1} {y1:.1}C{:.1} {y1:.1} {:.1} {y2:.1} {x2:.1} {y2:.1}",
        x1 + dx,
        x2 - dx
    )
}

/// One feature: its bar (or marker) ending at its target, its ghost when
/// it slipped, and its label with risk flags, under a `<title>` that says
/// it all in words.
fn feature(out: &mut String, t: &Timeline<'_>, scale: Scale, p: &Placed<'_>) {
    let mut group = String::new();
    let s = &mut group;
    let it = p.item;
    let day = t.day;
    let (y, x1) = (p.y, scale.x(it.target));
    let end = dates::format(it.target);
    let bar = has_bar(it);
    let start = it.start.filter(|_| bar).unwrap_or(it.target);
    let x0 = scale.x(start);
    let mut words = if bar {
        format!("{}: {} → {}", it.title, day(start), day(it.target))
    } else {
        format!("{}: target {}", it.title, day(it.target))
    };
    let _ = write!(words, ", {}", it.status_text.replace('-', " "));
    for r in &it.risks {
        let _ = write!(words, ", {r}");
    }
    let _ = write!(
        s,
        "<g class=\"item status-{}{}{}\" data-id=\"{}\" data-lane=\"{}\" data-team=\"{}\" data-objectives=\"{}\" data-segments=\"{}\" data-milestone=\"{}\" data-status=\"{}\" data-start=\"{}\" data-end=\"{end}\"{}><title>{}</title>",
        esc(&it.status),
        if bar { "" } else { " marker-only" },
        if it.risks.is_empty() { "" } else { " at-risk" },
        esc(&it.id),
        it.lane,
        esc(&it.filters[0]),
        esc(&it.filters[1]),
        esc(&it.filters[2]),
        esc(&it.filters[3]),
        esc(&it.status),
        if bar {
            dates::format(start)
        } else {
            String::new()
        },
        if it.risks.is_empty() {
            String::new()
        } else {
            format!(" data-risks=\"{}\"", esc(&it.risks.join("; ")))
        },
        esc(&words)
    );
    if let Some((was, days)) = it.slip.filter(|(was, _)| *was < it.target) {
        ghost(s, t, scale, p, was, days);
    }
    if bar {
        let _ = write!(
            s,
            "<rect class=\"bar\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BOX_H}\" rx=\"4\" data-start=\"{}\" data-end=\"{end}\"/>",
            x1 - x0,
            dates::format(start)
        );
    }
    // The marker's tip is the target: nothing right of it.
    let _ = write!(
        s,
        "<path class=\"{}\" transform=\"translate({x1:.1} {:.1})\" data-at=\"{end}\" data-y=\"{:.1}\" d=\"{}\"/>",
        if bar { "end-tick" } else { "marker" },
        mid(p),
        mid(p),
        if bar {
            "M0 -12V12h-3V-12z"
        } else {
            "M0 0L-12 -9V9z"
        }
    );
    label(s, scale, p);
    s.push_str("</g>");
    // The group, in a link to its page.
    match &it.href {
        Some(h) => {
            let _ = write!(out, "<a href=\"{}\">{group}</a>", esc(h));
        }
        None => out.push_str(&group),
    }
}

/// A slipped feature's ghost: a dashed tick at its original target, and
/// a dashed line from there to its target under its bar, with the days
/// in its `<title>` and `data-slip-days`.
fn ghost(
    s: &mut String,
    t: &Timeline<'_>,
    scale: Scale,
    p: &Placed<'_>,
    was: i64,
    days: Option<i64>,
) {
    let (it, y, day) = (p.item, p.y, t.day);
    let (gx, x1) = (scale.x(was), scale.x(it.target));
    let end = dates::format(it.target);
    let iso = dates::format(was);
    let said = match days {
        Some(n) => format!("original target {}, slipped {n} days", day(was)),
        None => format!("original target {}, slipped", day(was)),
    };
    let _ = write!(
        s,
        "<g class=\"ghost\" data-date=\"{iso}\" data-slip-days=\"{}\"><title>{}</title><line class=\"slip\" x1=\"{gx:.1}\" y1=\"{:.1}\" x2=\"{x1:.1}\" y2=\"{:.1}\" data-from=\"{iso}\" data-to=\"{end}\"/><path class=\"ghost-mark\" transform=\"translate({gx:.1} {:.1})\" data-at=\"{iso}\" data-y=\"{:.1}\" d=\"M0 -{h}L0 {h}\"/></g>",
        days.map(|d| d.to_string()).unwrap_or_default(),
        esc(&said),
        y + BOX_H + 2.5,
        y + BOX_H + 2.5,
        y + BOX_H / 2.0,
        y + BOX_H / 2.0,
        h = BOX_H / 2.0 + 2.0,
    );
}

/// A feature's label (risk flag first, then title): inside its bar when
/// it fits at the default zoom, else right-aligned left of the bar or
/// marker, clipped to [`OUTSIDE_CHARS`]; `site.js` does the same at the
/// other zooms.
fn label(s: &mut String, scale: Scale, p: &Placed<'_>) {
    let (it, y) = (p.item, p.y);
    let bar = has_bar(it);
    let x1 = scale.x(it.target);
    let x0 = scale.x(it.start.filter(|_| bar).unwrap_or(it.target));
    let (flag, title) = label_text(it);
    let inside = fits_inside(it, scale, 1.0);
    let (lx, anchor, max) = if inside {
        (x0 + 8.0, "start", usize::MAX)
    } else {
        (if bar { x0 - 6.0 } else { x1 - 16.0 }, "end", OUTSIDE_CHARS)
    };
    let full = format!("{flag}{title}");
    let shown = clip(&full, max);
    let flag_len = flag.chars().count().min(shown.chars().count());
    let (f, rest): (String, String) = (
        shown.chars().take(flag_len).collect(),
        shown.chars().skip(flag_len).collect(),
    );
    let _ = write!(
        s,
        "<text class=\"label{}\" x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\"{}{}>{}{}</text>",
        if inside { "" } else { " outside" },
        y + 16.0,
        // The script re-lays labels out when it zooms: the whole label
        // when it was clipped, and the length of its flag.
        if shown == full {
            String::new()
        } else {
            format!(" data-full=\"{}\"", esc(&full))
        },
        match flag.chars().count() {
            0 => String::new(),
            n => format!(" data-flag=\"{n}\""),
        },
        if f.is_empty() {
            String::new()
        } else {
            format!("<tspan class=\"risk-flag\">{}</tspan>", esc(&f))
        },
        esc(&rest)
    );
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
    let Some(axes) = Axes::new(&points, target) else {
        return String::new();
    };
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {CHART_W} {CHART_H}\" role=\"img\" aria-label=\"Value over time\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    axes.grid(&mut s);
    axes.days(&mut s, day);
    if let Some(t) = target {
        axes.target(&mut s, t, unit);
    }
    axes.series(&mut s, &points, unit, day);
    s.push_str("</svg>");
    s
}

/// A chart's size, and its margins: the value axis's labels sit in the
/// left one, the first and last days in the bottom one.
const CHART_W: f64 = 640.0;
const CHART_H: f64 = 260.0;
const CHART_PAD_L: f64 = 56.0;
const CHART_PAD_B: f64 = 34.0;
const CHART_PAD_T: f64 = 16.0;
const CHART_PAD_R: f64 = 20.0;

/// A chart's axes: the days it spans, and the values, widened to whole
/// steps of round gridlines. Each part of the chart is drawn by a method
/// of its own, all placing points the same way.
struct Axes {
    /// First and last day (one apart at least).
    x0: i64,
    x1: i64,
    /// Lowest and highest value on the grid.
    lo: f64,
    hi: f64,
    /// Value between gridlines.
    step: f64,
    /// Gridlines above the lowest.
    ticks: i64,
}

impl Axes {
    /// The axes of `points` and `target` (both plottable); None when
    /// there are no points, or no finite grid fits them.
    fn new(points: &[(i64, f64)], target: Option<f64>) -> Option<Axes> {
        if points.is_empty() {
            return None;
        }
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
        // Round gridlines: a step of 1, 2, 2.5 or 5 times a power of ten,
        // and the range widened to whole steps.
        let raw = (hi - lo) * 1.1 / 4.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
        if !(lo.is_finite() && hi.is_finite() && hi > lo && step > 0.0) {
            return None;
        }
        // Bounded whatever the arithmetic gave: four or five in practice.
        let ticks = ((hi - lo) / step).round().clamp(0.0, MAX_TICKS as f64) as i64;
        Some(Axes {
            x0,
            x1,
            lo,
            hi,
            step,
            ticks,
        })
    }

    /// The horizontal position of day `d`.
    fn px(&self, d: i64) -> f64 {
        CHART_PAD_L
            + (d as f64 - self.x0 as f64) / (self.x1 as f64 - self.x0 as f64)
                * (CHART_W - CHART_PAD_L - CHART_PAD_R)
    }

    /// The vertical position of value `v`.
    fn py(&self, v: f64) -> f64 {
        CHART_PAD_T + (self.hi - v) / (self.hi - self.lo) * (CHART_H - CHART_PAD_T - CHART_PAD_B)
    }

    /// The gridlines, each with its value on the left.
    fn grid(&self, s: &mut String) {
        for i in 0..=self.ticks {
            let v = self.lo + self.step * i as f64;
            let y = self.py(v);
            let _ = write!(
                s,
                "<line class=\"grid\" x1=\"{CHART_PAD_L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                CHART_W - CHART_PAD_R,
                CHART_PAD_L - 6.0,
                y + 4.0,
                esc(&fmt_num(v))
            );
        }
    }

    /// The first and the last day, under the chart's ends.
    fn days(&self, s: &mut String, day: fn(i64) -> String) {
        let _ = write!(
            s,
            "<text class=\"axis\" x=\"{CHART_PAD_L}\" y=\"{:.1}\">{}</text><text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            CHART_H - 10.0,
            esc(&day(self.x0)),
            CHART_W - CHART_PAD_R,
            CHART_H - 10.0,
            esc(&day(self.x1))
        );
    }

    /// The target: a dashed line across, labelled at its right end.
    fn target(&self, s: &mut String, t: f64, unit: &str) {
        let y = self.py(t);
        let _ = write!(
            s,
            "<line class=\"target\" x1=\"{CHART_PAD_L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/><text class=\"target-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">target {} {}</text>",
            CHART_W - CHART_PAD_R,
            CHART_W - CHART_PAD_R,
            y - 4.0,
            esc(&fmt_num(t)),
            esc(unit)
        );
    }

    /// The values: a line through them, and a point at each with its day
    /// and value as a tooltip.
    fn series(&self, s: &mut String, points: &[(i64, f64)], unit: &str, day: fn(i64) -> String) {
        let path: Vec<String> = points
            .iter()
            .map(|(d, v)| format!("{:.1},{:.1}", self.px(*d), self.py(*v)))
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
                self.px(*d),
                self.py(*v),
                esc(&day(*d)),
                esc(&fmt_num(*v)),
                esc(unit)
            );
        }
    }
}

/// Most gridlines a chart draws.
const MAX_TICKS: i64 = 12;

/// Whether a chart can draw `v`: finite, and within what a plan may hold
/// ([`crate::check::documents::NUMBER_LIMIT`]), so every span is finite.
fn plottable(v: f64) -> bool {
    v.is_finite() && v.abs() <= crate::check::documents::NUMBER_LIMIT
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
        let svg = timeline(&Timeline {
            lanes: &["Team".to_string()],
            more: &[],
            marks: &marks,
            items: &[],
            links: &[],
            today,
            day: iso,
            quarters: false,
        });
        let lines = svg.matches("class=\"grid").count();
        assert!(
            (1..=MAX_GRID_LINES + 1).contains(&lines),
            "{lines} gridlines"
        );
    }
}
