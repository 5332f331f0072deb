//! Completion: ids in reference fields (documents of the kind the schema's
//! `x-ref` names), a field's `enum` values, field names from the schema,
//! and `[[id]]` links in bodies.

use super::spot::{self, Spot};
use super::text;
use super::workspace::Workspace;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, Position, Range,
    TextEdit,
};
use serde_json::Value;

/// The completions at `pos` of `file`.
pub fn complete(ws: &Workspace, file: &str, pos: Position) -> Vec<CompletionItem> {
    match spot::at(ws, file, pos) {
        Some(s) => in_yaml(ws, &s, pos),
        None => wiki(ws, file, pos),
    }
}

/// An item replacing the word typed so far (ids hold `-` and `.`, which
/// editors do not count as part of a word).
fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    replace: Range,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            replace,
            label.to_string(),
        ))),
        ..CompletionItem::default()
    }
}

fn in_yaml(ws: &Workspace, s: &Spot, pos: Position) -> Vec<CompletionItem> {
    let Some(kind) = ws.project.registry.get(&s.kind) else {
        return Vec::new();
    };
    let replace = Range::new(Position::new(pos.line, s.prefix_start), pos);
    if s.on_key {
        let Some(parent) = spot::schema_at(&kind.typing, &s.parent) else {
            return Vec::new();
        };
        let parent = parent.get("items").unwrap_or(parent);
        let Some(props) = parent.get("properties").and_then(Value::as_object) else {
            return Vec::new();
        };
        // A key being typed gets its colon; an existing key keeps its own.
        let colon = if s.ptr == s.parent { ": " } else { "" };
        // At the top level, fields already written are not offered again.
        let written = |name: &String| s.parent.is_empty() && s.top_keys.contains(name);
        return props
            .iter()
            .filter(|(name, _)| !written(name))
            .map(|(name, schema)| {
                let mut it = item(name, CompletionItemKind::FIELD, None, replace);
                it.text_edit = Some(CompletionTextEdit::Edit(TextEdit::new(
                    replace,
                    format!("{name}{colon}"),
                )));
                it.documentation = schema
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| Documentation::String(d.to_string()));
                it
            })
            .collect();
    }
    let Some(field) = spot::schema_at(&kind.typing, &s.ptr) else {
        return Vec::new();
    };
    let field = field.get("items").unwrap_or(field);
    if let Some(target) = field.get("x-ref").and_then(Value::as_str) {
        return ws
            .compiled
            .plan
            .of_kind(target)
            .map(|d| {
                item(
                    &d.id,
                    CompletionItemKind::REFERENCE,
                    Some(d.title.clone()),
                    replace,
                )
            })
            .collect();
    }
    field
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, None, replace))
                .collect()
        })
        .unwrap_or_default()
}

/// `[[id]]` completion: the cursor after a `[[` not yet closed.
fn wiki(ws: &Workspace, file: &str, pos: Position) -> Vec<CompletionItem> {
    let Some(t) = ws.text(file) else {
        return Vec::new();
    };
    let l = text::line(t, pos.line);
    let before: String = l.chars().take(text::char_col(l, pos.character)).collect();
    let Some(open) = before.rfind("[[") else {
        return Vec::new();
    };
    if before[open..].contains("]]") || before[open..].contains(['|', '#']) {
        return Vec::new();
    }
    let start = text::utf16_col(l, before[..open + 2].chars().count());
    let replace = Range::new(Position::new(pos.line, start), pos);
    ws.compiled
        .plan
        .docs
        .iter()
        .map(|d| {
            item(
                &d.id,
                CompletionItemKind::REFERENCE,
                Some(format!("{} ({})", d.title, d.kind)),
                replace,
            )
        })
        .collect()
}

/// The schema's description of the field whose key is at `pos`.
pub fn field_description(ws: &Workspace, file: &str, pos: Position) -> Option<String> {
    let s = spot::at(ws, file, pos).filter(|s| s.on_key && s.ptr != s.parent)?;
    let kind = ws.project.registry.get(&s.kind)?;
    let name = s.ptr.rsplit('/').next().unwrap_or("");
    let d = kind.description(&s.ptr)?;
    Some(format!("**{name}** ({})\n\n{d}", s.kind))
}
