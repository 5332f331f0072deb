//! Code actions: a diagnostic's suggestion (`did you mean `x`?`, `write
//! `#slug``) applied to the token it points at.

use super::text;
use super::workspace::Workspace;
use lsp_types::{CodeAction, CodeActionKind, Position, Range, TextEdit, WorkspaceEdit};
use std::collections::HashMap;

/// The text a suggestion proposes, when it proposes one.
fn proposed(suggestion: &str) -> Option<&str> {
    let s = suggestion
        .strip_prefix("did you mean `")
        .and_then(|s| s.strip_suffix("`?"))
        .or_else(|| {
            suggestion
                .strip_prefix("write `")
                .and_then(|s| s.strip_suffix('`'))
        })?;
    (!s.contains('`')).then_some(s)
}

/// The part of `token` (its characters) that `new` replaces, as character
/// offsets in it: the id or the anchor of a link, a quoted value's
/// inside, else all of it.
fn part(token: &[char], new: &str) -> Option<(usize, usize)> {
    let find = |from: usize, set: &[char]| {
        (from..token.len())
            .find(|&i| set.contains(&token[i]))
            .unwrap_or(token.len())
    };
    let anchor = new.starts_with('#');
    match token.first()? {
        '[' if token.get(1) == Some(&'[') => {
            let id_end = find(2, &['#', '|', ']']);
            if anchor {
                (token.get(id_end) == Some(&'#')).then(|| (id_end, find(id_end, &['|', ']'])))
            } else {
                Some((2, id_end))
            }
        }
        '[' => {
            let hash = token.iter().rposition(|c| *c == '#').filter(|_| anchor)?;
            Some((hash, find(hash, &[')'])))
        }
        '"' | '\'' if token.len() >= 2 => Some((1, token.len() - 1)),
        _ if anchor => None,
        _ => Some((0, token.len())),
    }
}

/// The quick fixes for the diagnostics of `file` that touch `range`.
pub fn actions(ws: &Workspace, file: &str, range: Range) -> Vec<CodeAction> {
    let (Some(t), Some(uri)) = (ws.text(file), ws.uri(file)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in ws.compiled.diagnostics.iter().filter(|d| d.file == file) {
        let Some(new) = d.suggestion.as_deref().and_then(proposed) else {
            continue;
        };
        let token = text::token_range(t, d.line, d.column.max(1));
        if token.start > range.end || range.start > token.end {
            continue;
        }
        let l = text::line(t, token.start.line);
        let from = text::char_col(l, token.start.character);
        let chars: Vec<char> = l
            .chars()
            .skip(from)
            .take(text::char_col(l, token.end.character) - from)
            .collect();
        let Some((a, b)) = part(&chars, new) else {
            continue;
        };
        let at = |c: usize| Position::new(token.start.line, text::utf16_col(l, from + c));
        let edit = TextEdit::new(Range::new(at(a), at(b)), new.to_string());
        out.push(CodeAction {
            title: format!("Replace with `{new}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(WorkspaceEdit::new(HashMap::from([(
                uri.clone(),
                vec![edit],
            )]))),
            is_preferred: Some(true),
            ..CodeAction::default()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn suggestions_replace_the_part_they_name() {
        assert_eq!(proposed("did you mean `in-progress`?"), Some("in-progress"));
        assert_eq!(proposed("write `#goals`"), Some("#goals"));
        assert_eq!(proposed("give the document another id"), None);
        assert_eq!(part(&chars("[[serch#goal|x]]"), "search"), Some((2, 7)));
        assert_eq!(part(&chars("[[serch#goal|x]]"), "#goals"), Some((7, 12)));
        assert_eq!(part(&chars("[a](b.md#Goals)"), "#goals"), Some((8, 14)));
        assert_eq!(part(&chars("\"in progres\""), "in-progress"), Some((1, 11)));
        assert_eq!(part(&chars("in progres"), "in-progress"), Some((0, 10)));
        assert_eq!(part(&chars("\""), "x"), Some((0, 1)));
        assert_eq!(part(&chars("value"), "#goals"), None);
        assert_eq!(part(&chars("[a](b.md)"), "#goals"), None);
    }
}
