//! Positions between the editor and the checker: the editor counts lines
//! from 0 and columns in UTF-16 code units, the checker lines from 1 and
//! columns in characters. Also the editor's incremental edits, and the
//! extent of the token a diagnostic points at.

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

/// Line `line` (0-based) of `text`, without its line break.
pub fn line(text: &str, line: u32) -> &str {
    let l = text.split('\n').nth(line as usize).unwrap_or("");
    l.strip_suffix('\r').unwrap_or(l)
}

/// The byte offset in `text` of the editor's `pos` (clamped to the line's
/// end and the text's end).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let end = rest.find('\n').unwrap_or(rest.len());
    let l = rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]);
    let mut units = 0;
    for (i, c) in l.char_indices() {
        if units >= pos.character {
            return start + i;
        }
        units += c.len_utf16() as u32;
    }
    start + l.len()
}

/// Applies one change from `textDocument/didChange`: a range replaced, or
/// the whole text when the change has no range.
pub fn apply(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        Some(r) => {
            let a = offset(text, r.start);
            let b = offset(text, r.end).max(a);
            text.replace_range(a..b, &change.text);
        }
        None => *text = change.text,
    }
}

/// The UTF-16 column of character column `chars` (0-based) of `l`.
pub fn utf16_col(l: &str, chars: usize) -> u32 {
    l.chars().take(chars).map(|c| c.len_utf16() as u32).sum()
}

/// The character column (0-based) of UTF-16 column `units` of `l`.
pub fn char_col(l: &str, units: u32) -> usize {
    let mut seen = 0;
    for (n, c) in l.chars().enumerate() {
        if seen >= units {
            return n;
        }
        seen += c.len_utf16() as u32;
    }
    l.chars().count()
}

/// The editor position of a checker position (1-based line, 1-based
/// character column) in `text`.
pub fn position(text: &str, line1: u32, col1: u32) -> Position {
    let n = line1.saturating_sub(1);
    let l = line(text, n);
    Position::new(n, utf16_col(l, col1.saturating_sub(1) as usize))
}

/// The range of the token starting at 1-based `line1`:`col1` in `text`.
///
/// The range of the token at `line1`:`col1` (1-based, in characters), as
/// `check` ends its diagnostics ([`crate::diag::token_len`]), in UTF-16
/// units. An empty token (a `]`, a missing field reported at a document's
/// start) spans one character.
pub fn token_range(text: &str, line1: u32, col1: u32) -> Range {
    let n = line1.saturating_sub(1);
    let l = line(text, n);
    let start = col1.saturating_sub(1) as usize;
    let chars = l.chars().count();
    let len = crate::diag::token_len(l, col1 as usize);
    let end = if len == 0 {
        (start + 1).min(chars)
    } else {
        start + len
    };
    Range::new(
        Position::new(n, utf16_col(l, start)),
        Position::new(n, utf16_col(l, end)),
    )
}

/// Whether `pos` lies in `range` (ends included: a cursor just after a
/// word is on it).
pub fn contains(range: &Range, pos: Position) -> bool {
    range.start <= pos && pos <= range.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(l: u32, a: u32, b: u32) -> Range {
        Range::new(Position::new(l, a), Position::new(l, b))
    }

    #[test]
    fn tokens_end_where_their_value_does() {
        let t = "status: in progres  # typo\ndepends_on: [a-b, \"c d\"]\nx: [[ok|label]] and [t](u.md)\n";
        assert_eq!(token_range(t, 1, 9), r(0, 8, 18));
        assert_eq!(token_range(t, 1, 1), r(0, 0, 6));
        assert_eq!(token_range(t, 2, 14), r(1, 13, 16));
        assert_eq!(token_range(t, 2, 19), r(1, 18, 23));
        assert_eq!(token_range(t, 3, 4), r(2, 3, 15));
        assert_eq!(token_range(t, 3, 21), r(2, 20, 29));
        assert_eq!(token_range(t, 9, 1), r(8, 0, 0));
        // Nothing to span at a `]`: one character.
        assert_eq!(token_range("x: []\n", 1, 5), r(0, 4, 5));
        // A link followed by more text; a `#` is a comment only after a blank.
        assert_eq!(token_range("[t](u.md) and [[x]]\n", 1, 1), r(0, 0, 9));
        assert_eq!(token_range("title: x #c\n", 1, 8), r(0, 7, 8));
        assert_eq!(token_range("#anchor b\n", 1, 1), r(0, 0, 9));
    }

    #[test]
    fn columns_count_utf16_units() {
        let t = "title: é😀 x\n";
        assert_eq!(token_range(t, 1, 8), r(0, 7, 12));
        assert_eq!(offset(t, Position::new(0, 10)), "title: é😀".len());
        assert_eq!(char_col(line(t, 0), 10), 9);
        let mut s = String::from("a😀b\nline two\n");
        apply(
            &mut s,
            TextDocumentContentChangeEvent {
                range: Some(r(0, 1, 3)),
                range_length: None,
                text: "X".into(),
            },
        );
        assert_eq!(s, "aXb\nline two\n");
    }
}
