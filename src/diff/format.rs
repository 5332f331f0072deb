//! `diff` output: Markdown for a pull-request comment, JSON, terminal text.

use super::{DocDiff, DocRef, PlanDiff, Scope};
use crate::diag::{Diagnostic, Level};
use crate::numbers::count;
use std::fmt::Write;

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Markdown, ready to post as a pull-request comment.
    Markdown,
    /// JSON (stable; documented in the README).
    Json,
    /// Plain text for a terminal.
    Text,
}

/// Renders a diff.
pub fn render(d: &PlanDiff, format: DiffFormat, site_url: Option<&str>) -> String {
    match format {
        DiffFormat::Json => serde_json::to_string_pretty(&json(d)).unwrap_or_default() + "\n",
        DiffFormat::Markdown => markdown(d, site_url),
        DiffFormat::Text => text(d),
    }
}

fn json(d: &PlanDiff) -> serde_json::Value {
    serde_json::json!({
        "format": 1,
        "base": d.base, "head": d.head,
        "summary": {
            "added": d.added.len(), "removed": d.removed.len(), "changed": d.changed.len(),
            "new_errors": d.new_of(Level::Error), "new_warnings": d.new_of(Level::Warning),
            "fixed": d.fixed_diagnostics.len(),
        },
        "added": d.added, "removed": d.removed, "changed": d.changed,
        "milestones": d.milestones, "slips": d.slips,
        "diagnostics": {"new": d.new_diagnostics, "fixed": d.fixed_diagnostics},
    })
}

/// One line when nothing changed.
pub const NO_CHANGE: &str = "No change to the plan.";

/// Whether a character would break the comment's layout or a reader's
/// terminal: controls (newlines included) and bidi overrides.
fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width joiner: put after `@`, it keeps the sign as written and
/// stops GitHub from reading a mention.
const NO_MENTION: &str = "@\u{200d}";

/// Text from the plan, safe inline in a pull-request comment. On one line
/// (a newline in a title could end the list item and start a `---` rule,
/// a heading or a list of its own), Markdown punctuation backslash-escaped
/// (no link, image, emphasis, code, entity or HTML: `<script>` stays
/// text; `(` and `!` mean nothing once `[` is escaped), and
/// every `@` followed by a zero-width joiner, so `@org/team` notifies no
/// one.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if breaks_line(c) {
            out.push(' ');
            continue;
        }
        if c == '@' {
            out.push_str(NO_MENTION);
            continue;
        }
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text from the plan as a code span (a path, a revision, a date): on one
/// line, fenced with more backticks than it holds, and with `|` escaped in
/// a table cell, where GitHub splits cells even inside code.
fn code(s: &str, in_table: bool) -> String {
    let mut flat: String = s
        .chars()
        .map(|c| if breaks_line(c) { ' ' } else { c })
        .collect();
    if in_table {
        flat = flat.replace('|', "\\|");
    }
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// The site's address (`--site-url`) as a link destination: what would
/// end the destination or the line (space, controls, parentheses, angle
/// brackets) is percent-encoded. By hand rather than with
/// `percent-encoding`, whose encoders escape every non-ASCII character:
/// an address such as `https://wiki.example/ürün` stays as written in the
/// pull-request comment, which GitHub links as it is.
fn link_base(base: &str) -> String {
    let mut out = String::with_capacity(base.len());
    for c in base.trim_end_matches('/').chars() {
        if c.is_control() || matches!(c, ' ' | '(' | ')' | '<' | '>' | '\\') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn link(r: &DocRef, site: Option<&str>) -> String {
    match site {
        Some(base) => format!(
            "[{}]({}/{}/{}.html)",
            md_escape(&r.title),
            link_base(base),
            crate::render::markdown::encode_path(&r.kind),
            crate::render::markdown::encode_path(&r.id)
        ),
        None => format!("**{}**", md_escape(&r.title)),
    }
}

fn summary(d: &PlanDiff) -> String {
    format!(
        "{} added, {} removed, {} changed · {}, {}, {} fixed",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        count(d.new_of(Level::Error), "new error"),
        count(d.new_of(Level::Warning), "new warning"),
        d.fixed_diagnostics.len()
    )
}

/// GitHub refuses a comment longer than 65,536 characters: a longer
/// Markdown diff (a plan added whole, say) lists fewer rows per section.
const MAX_COMMENT: usize = 60_000;

/// Rows shown per section, tried in turn until the comment fits.
const ROW_LIMITS: [usize; 4] = [usize::MAX, 200, 50, 10];

/// The line that stands for rows left out.
fn more(out: &mut String, shown: usize, total: usize) {
    if total > shown {
        let _ = writeln!(
            out,
            "\n…and {} more (`northstar diff --format json` lists them all).",
            total - shown
        );
    }
}

fn diag_rows(out: &mut String, diags: &[Diagnostic], limit: usize) {
    let _ = writeln!(out, "| | rule | where | message |\n|---|---|---|---|");
    for x in diags.iter().take(limit) {
        let icon = if x.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        let _ = writeln!(
            out,
            "| {icon} | {} | {} | {} |",
            code(x.rule.name(), true),
            code(&format!("{}:{}:{}", x.file, x.line, x.column), true),
            md_escape(&x.message)
        );
    }
    more(out, limit.min(diags.len()), diags.len());
}

/// Sections longer than this are folded into `<details>`.
const FOLD: usize = 10;

/// The name of a body section: the text before the first heading has none.
fn section_name(s: &str) -> &str {
    if s.is_empty() { "introduction" } else { s }
}

fn markdown(d: &PlanDiff, site: Option<&str>) -> String {
    let mut out = String::new();
    for limit in ROW_LIMITS {
        out = markdown_rows(d, site, limit);
        if out.len() <= MAX_COMMENT {
            break;
        }
    }
    out
}

/// [`markdown`] with at most `limit` rows per section: the heading and
/// the summary, then each section that has rows, in a fixed order.
fn markdown_rows(d: &PlanDiff, site: Option<&str>, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Plan changes: {} → {}\n",
        code(&d.base, false),
        code(&d.head, false)
    );
    if d.is_empty() {
        let _ = writeln!(out, "{NO_CHANGE}");
        return out;
    }
    let _ = writeln!(out, "{}\n", summary(d));
    if !d.new_diagnostics.is_empty() {
        let _ = writeln!(out, "#### New problems\n");
        diag_rows(&mut out, &d.new_diagnostics, limit);
        out.push('\n');
    }
    let rows = Rows { site, limit };
    rows.docs(&mut out, "Added", &d.added);
    rows.docs(&mut out, "Removed", &d.removed);
    rows.changed(&mut out, &d.changed);
    rows.roadmap(&mut out, d);
    if !d.fixed_diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Fixed problems ({})</summary>\n",
            d.fixed_diagnostics.len()
        );
        diag_rows(&mut out, &d.fixed_diagnostics, limit);
        out.push_str("\n</details>\n");
    }
    out
}

/// How [`markdown_rows`] writes its document sections: linking to the
/// site when given, with at most `limit` rows each.
#[derive(Clone, Copy)]
struct Rows<'a> {
    site: Option<&'a str>,
    limit: usize,
}

/// Opens a section of `n` rows: a heading, or a folded `<details>` beyond
/// [`FOLD`] rows. Returns whether it folded, for [`close_section`].
fn open_section(out: &mut String, title: &str, n: usize) -> bool {
    let fold = n > FOLD;
    if fold {
        let _ = writeln!(out, "<details><summary>{title} ({n})</summary>\n");
    } else {
        let _ = writeln!(out, "#### {title}\n");
    }
    fold
}

/// Closes a section [`open_section`] opened.
fn close_section(out: &mut String, fold: bool) {
    if fold {
        out.push_str("\n</details>\n");
    }
    out.push('\n');
}

impl Rows<'_> {
    /// A table of documents added or removed, with their kind and status;
    /// nothing when there are none.
    fn docs(self, out: &mut String, title: &str, docs: &[DocRef]) {
        if docs.is_empty() {
            return;
        }
        let fold = open_section(out, title, docs.len());
        let _ = writeln!(out, "| kind | document | status |\n|---|---|---|");
        for r in docs.iter().take(self.limit) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                md_escape(&r.kind),
                link(r, self.site),
                md_escape(r.status.as_deref().unwrap_or(""))
            );
        }
        more(out, self.limit.min(docs.len()), docs.len());
        close_section(out, fold);
    }

    /// The documents changed, one list item each with what changed in
    /// it; nothing when none did.
    fn changed(self, out: &mut String, changed: &[DocDiff]) {
        if changed.is_empty() {
            return;
        }
        let fold = open_section(out, "Changed", changed.len());
        for c in changed.iter().take(self.limit) {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                link(&c.doc, self.site),
                md_escape(&c.doc.kind),
                changes(c).join("; ")
            );
        }
        more(out, self.limit.min(changed.len()), changed.len());
        close_section(out, fold);
    }

    /// What the change does to the roadmap: a table of the milestones
    /// that gain or lose features, then the features that slip; nothing
    /// when it does neither.
    fn roadmap(self, out: &mut String, d: &PlanDiff) {
        if d.milestones.is_empty() && d.slips.is_empty() {
            return;
        }
        let _ = writeln!(out, "#### Roadmap\n");
        if !d.milestones.is_empty() {
            self.milestones(out, &d.milestones);
        }
        for s in d.slips.iter().take(self.limit) {
            let _ = writeln!(
                out,
                "- {} slips {} days ({} → {})",
                link(&s.feature, self.site),
                s.days,
                code(&s.from, false),
                code(&s.to, false)
            );
        }
        more(out, self.limit.min(d.slips.len()), d.slips.len());
        out.push('\n');
    }

    /// The table of milestones that gain or lose features.
    fn milestones(self, out: &mut String, milestones: &[Scope]) {
        let names = |v: &[DocRef]| {
            v.iter()
                .map(|r| link(r, self.site))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "| milestone | gains | loses |\n|---|---|---|");
        for s in milestones.iter().take(self.limit) {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                link(&s.milestone, self.site),
                names(&s.gained),
                names(&s.lost)
            );
        }
        more(out, self.limit.min(milestones.len()), milestones.len());
        out.push('\n');
    }
}

/// Most edited sections a changed document names: an imported document
/// rewritten whole would otherwise list every heading it has.
const SECTIONS: usize = 8;

/// The edited sections' names, the first [`SECTIONS`] of them and a count
/// of the rest: "Goals, Risks and 12 more".
fn edited(sections: &[String], name: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = sections.iter().take(SECTIONS).map(|s| name(s)).collect();
    match sections.len().saturating_sub(SECTIONS) {
        0 => names.join(", "),
        rest => format!("{} and {rest} more", names.join(", ")),
    }
}

/// What changed in a document, in words: its fields, the sections of its
/// body edited, and where it moved from.
fn changes(c: &DocDiff) -> Vec<String> {
    let mut parts: Vec<String> = c.fields.iter().map(|f| md_escape(&f.words)).collect();
    if !c.sections.is_empty() {
        parts.push(format!(
            "body edited ({})",
            edited(&c.sections, |s| md_escape(section_name(s)))
        ));
    }
    if let Some(m) = &c.moved_from {
        parts.push(format!("moved from {}", code(m, false)));
    }
    parts
}

/// Plain text for a terminal; every value from the plan goes through
/// [`crate::report::visible`], so a title cannot send escape sequences or
/// fake a line of its own.
fn text(d: &PlanDiff) -> String {
    use crate::report::visible as v;
    let mut out = String::new();
    if d.is_empty() {
        let _ = writeln!(out, "{NO_CHANGE}");
        return out;
    }
    let _ = writeln!(
        out,
        "plan changes {} → {}: {}",
        v(&d.base),
        v(&d.head),
        summary(d)
    );
    for x in &d.new_diagnostics {
        let _ = writeln!(
            out,
            "  new {}[{}] {}:{}:{}: {}",
            x.level.as_str(),
            x.rule,
            v(&x.file),
            x.line,
            x.column,
            v(&x.message)
        );
    }
    for r in &d.added {
        let _ = writeln!(out, "  + {} {} ({})", v(&r.kind), v(&r.id), v(&r.title));
    }
    for r in &d.removed {
        let _ = writeln!(out, "  - {} {} ({})", v(&r.kind), v(&r.id), v(&r.title));
    }
    for c in &d.changed {
        let _ = writeln!(
            out,
            "  ~ {} {} ({})",
            v(&c.doc.kind),
            v(&c.doc.id),
            v(&c.doc.title)
        );
        for f in &c.fields {
            let _ = writeln!(out, "      {}", v(&f.words));
        }
        if !c.sections.is_empty() {
            let names = edited(&c.sections, |s| v(section_name(s)).to_string());
            let _ = writeln!(out, "      body edited ({names})");
        }
        if let Some(m) = &c.moved_from {
            let _ = writeln!(out, "      moved from {}", v(m));
        }
    }
    for s in &d.milestones {
        let ids = |refs: &[DocRef]| refs.iter().map(|r| v(&r.id)).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !s.gained.is_empty() {
            parts.push(format!("gains {}", ids(&s.gained)));
        }
        if !s.lost.is_empty() {
            parts.push(format!("loses {}", ids(&s.lost)));
        }
        let _ = writeln!(
            out,
            "  milestone {} ({}): {}",
            v(&s.milestone.id),
            v(&s.milestone.title),
            parts.join("; ")
        );
    }
    for s in &d.slips {
        let _ = writeln!(
            out,
            "  slip: {} +{} days ({} → {})",
            v(&s.feature.id),
            s.days,
            v(&s.from),
            v(&s.to)
        );
    }
    for x in &d.fixed_diagnostics {
        let _ = writeln!(
            out,
            "  fixed {}[{}] {}:{}:{}: {}",
            x.level.as_str(),
            x.rule,
            v(&x.file),
            x.line,
            x.column,
            v(&x.message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_text_stays_inline_text_in_the_comment() {
        assert_eq!(
            md_escape("a\n---\r\n@org/team <b>*x*</b> &#64;y"),
            "a --- \u{20}@\u{200d}org/team \\<b\\>\\*x\\*\\</b\\> \\&\\#64;y"
        );
        assert_eq!(code("a`b", false), "`` a`b ``");
        assert_eq!(code("x|y\nz", true), "`x\\|y z`");
        assert_eq!(code("2027-01-15", false), "`2027-01-15`");
        assert_eq!(
            link_base("https://x.example/a b)\n@t/"),
            "https://x.example/a%20b%29%0A@t"
        );
    }

    fn added(n: usize) -> PlanDiff {
        PlanDiff {
            base: "main".into(),
            head: "working tree".into(),
            added: (0..n)
                .map(|i| DocRef {
                    id: format!("f{i}"),
                    kind: "feature".into(),
                    title: format!("F{i}"),
                    status: Some("idea".into()),
                })
                .collect(),
            removed: Vec::new(),
            changed: Vec::new(),
            milestones: Vec::new(),
            slips: Vec::new(),
            new_diagnostics: Vec::new(),
            fixed_diagnostics: Vec::new(),
        }
    }

    /// A section of up to `FOLD` rows is a heading and its table; one
    /// more row folds it under `<details>`.
    #[test]
    fn a_section_folds_beyond_ten_rows() {
        let ten = markdown(&added(FOLD), None);
        assert!(ten.contains("#### Added"), "{ten}");
        assert!(!ten.contains("<details>"), "{ten}");
        let eleven = markdown(&added(FOLD + 1), None);
        assert!(
            eleven.contains("<details><summary>Added (11)</summary>"),
            "{eleven}"
        );
        // The changed documents' section folds the same way.
        let changed = |n: usize| {
            let mut d = added(n);
            d.changed = std::mem::take(&mut d.added)
                .into_iter()
                .map(|doc| super::super::DocDiff {
                    doc,
                    fields: Vec::new(),
                    sections: vec!["Goals".into()],
                    moved_from: None,
                })
                .collect();
            markdown(&d, None)
        };
        let ten = changed(FOLD);
        assert!(
            ten.contains("#### Changed") && !ten.contains("<details>"),
            "{ten}"
        );
        let eleven = changed(FOLD + 1);
        assert!(
            eleven.contains("<details><summary>Changed (11)</summary>"),
            "{eleven}"
        );
    }

    /// A document edited all over names its first sections and counts
    /// the rest, in the comment and in the terminal.
    #[test]
    fn many_edited_sections_are_counted_past_eight() {
        let mut d = added(1);
        let sections: Vec<String> = (1..=11).map(|i| format!("S{i}")).collect();
        d.changed = std::mem::take(&mut d.added)
            .into_iter()
            .map(|doc| super::super::DocDiff {
                doc,
                fields: Vec::new(),
                sections: sections.clone(),
                moved_from: None,
            })
            .collect();
        let want = "body edited (S1, S2, S3, S4, S5, S6, S7, S8 and 3 more)";
        assert!(markdown(&d, None).contains(want), "{}", markdown(&d, None));
        assert!(text(&d).contains(want), "{}", text(&d));
        d.changed[0].sections.truncate(8);
        assert!(
            text(&d).contains("body edited (S1, S2, S3, S4, S5, S6, S7, S8)\n"),
            "{}",
            text(&d)
        );
    }

    /// Rows left out are counted only when some are: a section shown
    /// whole has no "…and 0 more" line.
    #[test]
    fn only_rows_left_out_are_counted() {
        let whole = markdown_rows(&added(3), None, 3);
        assert!(!whole.contains("more (`northstar diff"), "{whole}");
        let cut = markdown_rows(&added(5), None, 3);
        assert!(
            cut.contains("…and 2 more (`northstar diff --format json` lists them all)."),
            "{cut}"
        );
    }
}
