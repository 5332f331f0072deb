//! Diagnostics: the one type every pass reports problems with.
//!
//! A diagnostic always carries the file (relative to the plans root) and a
//! 1-based line and column counted in characters, because the people who read
//! them jump to the spot in an editor, and CI annotates exactly that spot.

use serde::Serialize;

/// A position in a source file: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters (a BOM is not counted).
    pub col: u32,
}

impl Pos {
    /// A position from 1-based line and column.
    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    /// The start of a file, where problems with no better place point.
    pub fn start() -> Pos {
        Pos { line: 1, col: 1 }
    }
}

pub use crate::rules::{Level, Rule};

/// How many characters the token at 1-based column `col` of `line` takes:
/// where a diagnostic pointing there ends, for every printer and the
/// language server alike. A plain value after `key: ` or `- ` runs to the
/// end of its line, less a comment (`status: in progres` is one value); a
/// `[[wiki link]]`, a `[Markdown](link)` or a quoted scalar to its close; a
/// key to its `:`; a flow item to its `,`, `]` or `}`. 0 when there is no
/// token (a `]`, or past the line's end).
pub fn token_len(line: &str, col: usize) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let rest = &chars[start..];
    let before: String = chars[..start].iter().collect();
    let before = before.trim_end();
    let block_value = (before.ends_with(':') || before.ends_with('-'))
        && !before.contains(['[', '{'])
        && !matches!(rest.first(), Some('"' | '\'' | '[' | '{'));
    let find = |from: usize, pat: &[char]| {
        (from..rest.len().saturating_sub(pat.len() - 1))
            .find(|&i| rest[i..].starts_with(pat))
            .map(|i| i + pat.len())
    };
    let mut end = match rest.first() {
        None => return 0,
        Some('[') if rest.get(1) == Some(&'[') => find(2, &[']', ']']).unwrap_or(rest.len()),
        Some('[') => find(1, &[']', '('])
            .and_then(|i| find(i, &[')']))
            .unwrap_or(rest.len()),
        Some(&q @ ('"' | '\'')) => find(1, &[q]).unwrap_or(rest.len()),
        Some(_) => (0..rest.len())
            .find(|&i| {
                let c = rest[i];
                let comment = c == '#' && i > 0 && rest[i - 1].is_whitespace();
                let key_end = c == ':' && rest.get(i + 1).is_none_or(|n| n.is_whitespace());
                comment || (!block_value && (matches!(c, ',' | ']' | '}') || key_end))
            })
            .unwrap_or(rest.len()),
    };
    while end > 0 && rest[end - 1].is_whitespace() {
        end -= 1;
    }
    end
}

/// One problem found in the plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule (serialized as its stable name, `broken-reference`).
    pub rule: Rule,
    /// Error or warning, after the config's overrides.
    pub level: Level,
    /// A lowercase phrase without a final period, like rustc's.
    pub message: String,
    /// Path relative to the folder of `northstar.yaml`, `/`-separated.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// Where the offending token ends: its last line and the column after
    /// its last character (exclusive, as LSP and SARIF count). Filled from
    /// the source when the diagnostics are printed ([`crate::report`]),
    /// where none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// See [`Diagnostic::end_line`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    /// Extra context lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the user probably meant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// Reported as a warning even where its rule is an error: a problem a
    /// reader barely notices (an anchor that differs only in case).
    #[serde(skip)]
    pub at_most_warning: bool,
}

impl Diagnostic {
    /// A diagnostic at `pos` in `file`; its level is set later from the rule table.
    pub fn new(rule: Rule, file: &str, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            level: rule.default_level(),
            message: message.into(),
            file: file.to_string(),
            line: pos.line,
            column: pos.col,
            end_line: None,
            end_column: None,
            notes: Vec::new(),
            suggestion: None,
            at_most_warning: false,
        }
    }

    /// Caps the level at a warning, whatever the rule's level.
    pub fn at_most_warning(mut self) -> Diagnostic {
        self.at_most_warning = true;
        self
    }

    /// Adds a note line.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the suggestion.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// The sort key of docs/format.md#diagnostics: file, line, column, rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str, &str) {
        (
            &self.file,
            self.line,
            self.column,
            self.rule.name(),
            &self.message,
        )
    }
}

/// Sorts diagnostics the way every output shows them and drops exact repeats.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// The nearest candidate to `word` by edit distance, if it is close enough to
/// be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}
