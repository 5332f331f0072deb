//! Printing diagnostics: `human` (rustc-like), `json`, `github`, `sarif`.
//!
//! All output of diagnostics goes through here, so the formats cannot drift
//! apart. Printers return strings; the binary decides where they go.

use crate::diag::{Diagnostic, Level};
use crate::rules::Rule;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write;

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like text with the source line and a caret.
    Human,
    /// A JSON array, one object per diagnostic.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
}

/// What printers need besides the diagnostics.
pub struct Context<'a> {
    /// File texts by path, for source lines in `human`.
    pub sources: HashMap<String, &'a str>,
    /// Prefix from the git work tree's root to the plans root (`docs/plans/`).
    pub repo_prefix: String,
    /// Whether to use ANSI colour.
    pub color: bool,
}

/// Renders diagnostics in `format`, each with the end of its token.
pub fn render(diags: &[Diagnostic], format: Format, ctx: &Context<'_>) -> String {
    let diags = &with_ends(diags, ctx);
    match format {
        Format::Human => human(diags, ctx),
        Format::Json => serde_json::to_string_pretty(diags).unwrap_or_else(|_| "[]".into()) + "\n",
        Format::Github => github(diags, ctx),
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif(diags, ctx)).unwrap_or_default() + "\n"
        }
    }
}

/// The diagnostics with their ends filled where none was given: the end
/// of the token at the start (`token_len`) on the source line, or one
/// character on when the line is not at hand.
pub fn with_ends(diags: &[Diagnostic], ctx: &Context<'_>) -> Vec<Diagnostic> {
    diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if d.end_line.is_none() || d.end_column.is_none() {
                let len = ctx
                    .sources
                    .get(&d.file)
                    .and_then(|t| t.lines().nth(d.line.saturating_sub(1) as usize))
                    .map_or(1, |l| {
                        token_len(l.trim_end_matches('\r'), d.column as usize)
                    });
                d.end_line = Some(d.line);
                d.end_column = Some(d.column + len as u32);
            }
            d
        })
        .collect()
}

/// How many characters the caret underlines: the token at `col`
/// ([`crate::diag::token_len`]), at least one.
fn token_len(line: &str, col: usize) -> usize {
    crate::diag::token_len(line, col).max(1)
}

/// Whether a character must not reach a terminal as is: control
/// characters (an escape sequence can clear the screen, retitle the
/// window or hide the lines before it) and the bidirectional overrides
/// that make a line read other than it is. Tab is kept: it only moves.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `c` as the terminal shows it: itself, or escaped (`\u{1b}`).
fn shown(c: char, out: &mut String) {
    if hidden(c) {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    } else {
        out.push(c);
    }
}

/// Text from a document, safe to print to a terminal: every character
/// `hidden` says is not is written as an escape.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(hidden) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        shown(c, &mut out);
    }
    out.into()
}

/// `line` as [`visible`] makes it, with the byte offset in the result of
/// each of its characters and of its end: where a span counted in the
/// line's characters lies in the text printed, so that the caret sits
/// under a character's escaped form (`\u{1b}`), which is wider.
fn visible_line(line: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(line.len());
    let mut at = Vec::with_capacity(line.len() + 1);
    for c in line.chars() {
        at.push(out.len());
        shown(c, &mut out);
    }
    at.push(out.len());
    (out, at)
}

/// The bytes of the printed (escaped) line that the columns `start` to
/// `end` (1-based, end exclusive) cover: at least one character when the
/// line has one there, none past its end.
fn shown_span(at: &[usize], start: u32, end: u32) -> std::ops::Range<usize> {
    let last = at.len() - 1;
    let from = (start.saturating_sub(1) as usize).min(last);
    let to = (end.saturating_sub(1) as usize).clamp(from, last);
    let to = if to == from { (from + 1).min(last) } else { to };
    at[from]..at[to]
}

fn human(diags: &[Diagnostic], ctx: &Context<'_>) -> String {
    use annotate_snippets::renderer::DEFAULT_LINE_NUM_STYLE;
    use annotate_snippets::{AnnotationKind, Group, Level as L, Origin, Renderer, Snippet};
    // The whole line is printed, however long: a terminal wraps the caret
    // line with it.
    let renderer = if ctx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .term_width(usize::MAX / 4);
    let mut out = String::new();
    for d in diags {
        let level = match d.level {
            Level::Error => L::ERROR,
            Level::Warning => L::WARNING,
        };
        let title = level
            .clone()
            .primary_title(visible(&d.message))
            .id(d.rule.name());
        let line = ctx
            .sources
            .get(&d.file)
            .and_then(|t| t.lines().nth(d.line.saturating_sub(1) as usize))
            .map(|l| l.trim_end_matches('\r'));
        let mut group = Group::with_title(title);
        if let Some(line) = line {
            let (shown, at) = visible_line(line);
            let end = match (d.end_line, d.end_column) {
                (Some(l), Some(e)) if l == d.line => e,
                _ => d.column + token_len(line, d.column as usize) as u32,
            };
            group = group.element(
                Snippet::source(shown)
                    .line_start(d.line as usize)
                    .annotation(AnnotationKind::Primary.span(shown_span(&at, d.column, end))),
            );
        } else {
            group = group.element(
                Origin::path(visible(&d.file))
                    .line(d.line as usize)
                    .char_column(d.column as usize),
            );
        }
        for note in &d.notes {
            group = group.element(L::NOTE.message(visible(note)));
        }
        if let Some(s) = &d.suggestion {
            group = group.element(L::HELP.message(visible(s)));
        }
        let rendered = renderer.render(&[group]);
        match (line, rendered.split_once('\n')) {
            // The snippet is given no path, so that the position printed
            // is the diagnostic's own, counted in the document's
            // characters: annotate-snippets would count them in the
            // escaped line, where `\u{1b}` is six.
            (Some(_), Some((title, rest))) => {
                let pad = " ".repeat(d.line.to_string().len());
                let arrow = if ctx.color {
                    format!(
                        "{}-->{}",
                        DEFAULT_LINE_NUM_STYLE.render(),
                        DEFAULT_LINE_NUM_STYLE.render_reset()
                    )
                } else {
                    "-->".to_string()
                };
                let _ = writeln!(
                    out,
                    "{title}\n{pad}{arrow} {}:{}:{}\n{rest}",
                    visible(&d.file),
                    d.line,
                    d.column
                );
            }
            _ => {
                out.push_str(&rendered);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

/// The one-line summary printed after human output.
pub fn summary(diags: &[Diagnostic], documents: usize) -> String {
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if diags.is_empty() {
        format!("checked {}: no problems", plural(documents, "document"))
    } else {
        format!(
            "checked {}: {}, {}",
            plural(documents, "document"),
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// A workflow command's message, escaped as GitHub's toolkit does (`%`,
/// CR and LF), and then any other control character as [`visible`]: the
/// Actions log is a terminal emulator too.
fn escape_data(s: &str) -> String {
    visible(
        &s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
    .into_owned()
}

/// A workflow command's property value: [`escape_data`], and `:` and `,`,
/// which would end it.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn github(diags: &[Diagnostic], ctx: &Context<'_>) -> String {
    let mut out = String::new();
    for d in diags {
        let mut message = d.message.clone();
        for n in &d.notes {
            message.push_str(&format!("\nnote: {n}"));
        }
        if let Some(s) = &d.suggestion {
            message.push_str(&format!("\nhelp: {s}"));
        }
        let _ = writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            d.level.as_str(),
            escape_property(&format!("{}{}", ctx.repo_prefix, d.file)),
            d.line,
            d.column,
            d.end_line.unwrap_or(d.line),
            // GitHub's end column is the last character's, not the one after.
            d.end_column
                .map_or(d.column, |e| e.saturating_sub(1).max(d.column)),
            escape_property(d.rule.name()),
            escape_data(&message)
        );
    }
    out
}

fn sarif(diags: &[Diagnostic], ctx: &Context<'_>) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name(),
                "shortDescription": {"text": rule.description()},
                "defaultConfiguration": {"level": rule.default_level().as_str()}
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = Rule::ALL.iter().position(|r| *r == d.rule).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(s) = &d.suggestion {
                text.push_str(&format!(" ({s})"));
            }
            json!({
                "ruleId": d.rule,
                "ruleIndex": index,
                "level": d.level.as_str(),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": format!("{}{}", ctx.repo_prefix, d.file)},
                        "region": {
                            "startLine": d.line, "startColumn": d.column,
                            "endLine": d.end_line.unwrap_or(d.line),
                            "endColumn": d.end_column.unwrap_or(d.column + 1)
                        }
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "northstar",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_covers_the_token() {
        assert_eq!(token_len("depends_on: [abc, de]", 14), 3);
        assert_eq!(token_len("title: \"a b\"", 8), 5);
        assert_eq!(token_len("status:", 1), 6);
        // A plain value is the rest of its line, less a comment.
        assert_eq!(token_len("status: in progres", 9), 10);
        assert_eq!(token_len("  - in progres  # soon", 5), 10);
        // In a flow list an item runs to its `,`.
        assert_eq!(token_len("tags: [in progres, b]", 8), 10);
    }

    /// The caret sits under the token as a terminal shows it: wide (CJK)
    /// characters take two columns, before the token and in it; the end
    /// is in JSON, SARIF and GitHub's commands too.
    #[test]
    fn ends_and_wide_characters() {
        let text = "title: 検索\nstatus: 進行 中\n";
        let ctx = Context {
            sources: [("a.yaml".to_string(), text)].into_iter().collect(),
            repo_prefix: String::new(),
            color: false,
        };
        let d = diag("bad", "a.yaml", 2, 9);
        let ended = with_ends(std::slice::from_ref(&d), &ctx);
        assert_eq!(
            (ended[0].end_line, ended[0].end_column),
            (Some(2), Some(13))
        );
        let out = render(std::slice::from_ref(&d), Format::Human, &ctx);
        assert!(
            out.contains("2 | status: 進行 中\n  |         ^^^^^^^\n"),
            "{out}"
        );
        let json = render(std::slice::from_ref(&d), Format::Json, &ctx);
        assert!(
            json.contains("\"end_line\": 2,\n    \"end_column\": 13"),
            "{json}"
        );
        let gh = render(std::slice::from_ref(&d), Format::Github, &ctx);
        assert!(gh.contains("line=2,col=9,endLine=2,endColumn=12,"), "{gh}");
        let sarif = render(&[d], Format::Sarif, &ctx);
        assert!(sarif.contains("\"endColumn\": 13"), "{sarif}");
    }

    fn diag(message: &str, file: &str, line: u32, column: u32) -> Diagnostic {
        Diagnostic::new(
            Rule::UnknownKind,
            file,
            crate::diag::Pos::new(line, column),
            message,
        )
    }

    /// An escape sequence in a document (`ESC [2J` clears the screen)
    /// reaches the terminal as text, and the caret still points at the
    /// token under its escaped form.
    #[test]
    fn human_output_shows_control_characters_escaped() {
        let text = "id: x\nkind: \u{1b}[2Jmetric # \u{202e}x\n";
        let ctx = Context {
            sources: [("a.yaml".to_string(), text)].into_iter().collect(),
            repo_prefix: String::new(),
            color: false,
        };
        let d = diag("unknown kind `\u{1b}[2Jmetric`", "a.yaml", 2, 7)
            .note("a\u{7}b")
            .suggest("did you mean `metric`?\u{1b}]0;title\u{7}");
        assert_eq!(
            human(&[d], &ctx),
            "error[unknown-kind]: unknown kind `\\u{1b}[2Jmetric`\n \
             --> a.yaml:2:7\n  |\n\
             2 | kind: \\u{1b}[2Jmetric # \\u{202e}x\n  \
             |       ^^^^^^^^^^^^^^^\n  \
             |\n  \
             = note: a\\u{7}b\n  \
             = help: did you mean `metric`?\\u{1b}]0;title\\u{7}\n\n"
        );
    }

    /// After an escaped character and a wide one on the same line, the
    /// position printed is still the document's (column 24, as JSON and
    /// an editor count), and the caret sits under the token as shown:
    /// `\u{1b}` takes six columns, `検索` four.
    #[test]
    fn caret_after_escaped_and_wide_characters() {
        let text = "id: x\ndepends_on: [\u{1b}[2J, 検索, bad]\n";
        let ctx = Context {
            sources: [("a.yaml".to_string(), text)].into_iter().collect(),
            repo_prefix: String::new(),
            color: false,
        };
        let out = render(&[diag("bad", "a.yaml", 2, 24)], Format::Human, &ctx);
        assert_eq!(
            out,
            "error[unknown-kind]: bad\n \
             --> a.yaml:2:24\n  |\n\
             2 | depends_on: [\\u{1b}[2J, 検索, bad]\n  \
             |                               ^^^\n\n"
        );
    }

    /// A diagnostic whose line is not at hand (its file could not be
    /// read as text) still says where it is, with its notes and help.
    #[test]
    fn human_output_without_the_source_line() {
        let ctx = Context {
            sources: HashMap::new(),
            repo_prefix: String::new(),
            color: false,
        };
        let d = diag("not \u{1b}UTF-8", "b\u{202e}.md", 3, 2)
            .note("n")
            .suggest("h");
        assert_eq!(
            render(&[d], Format::Human, &ctx),
            "error[unknown-kind]: not \\u{1b}UTF-8\n\
             --> b\\u{202e}.md:3:2\n \
             = note: n\n \
             = help: h\n\n"
        );
    }

    /// GitHub's workflow commands: `%`, CR and LF escaped in the message,
    /// and `:` and `,` as well in properties, so a value cannot end the
    /// command or start another.
    #[test]
    fn github_commands_escape_what_would_end_them() {
        let ctx = Context {
            sources: HashMap::new(),
            repo_prefix: "docs/".into(),
            color: false,
        };
        let d = diag("100% a\r\n::error::x\u{1b}[2J", "a,b:c%.yaml", 3, 4).note("n");
        assert_eq!(
            github(&[d], &ctx),
            "::error file=docs/a%2Cb%3Ac%25.yaml,line=3,col=4,endLine=3,endColumn=4,title=unknown-kind::\
             100%25 a%0D%0A::error::x\\u{1b}[2J%0Anote: n\n"
        );
    }
}
