//! Symbols: a file's documents with their front matter fields and body
//! headings; every document of the plans by title.

use super::text;
use super::workspace::Workspace;
use crate::plan::Document;
use lsp_types::{DocumentSymbol, Location, Position, Range, SymbolInformation, SymbolKind};
use serde_json::Value;

/// The line range of `line0` (0-based) of `t`.
fn line_range(t: &str, line0: u32) -> Range {
    let end = text::utf16_col(text::line(t, line0), usize::MAX);
    Range::new(Position::new(line0, 0), Position::new(line0, end))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written
fn symbol(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: Range,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: Range::new(range.start, range.start),
        children: (!children.is_empty()).then_some(children),
    }
}

/// ATX headings (`## Goals`) of lines `from..to` of `t`, outside fenced code.
fn headings(t: &str, from: u32, to: u32) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (n, l) in t
        .split('\n')
        .enumerate()
        .take(to as usize)
        .skip(from as usize)
    {
        let trimmed = l.trim_start();
        if let Some(f) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            fence = match fence {
                Some(open) if open == f => None,
                None => Some(f),
                other => other,
            };
            continue;
        }
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if fence.is_none() && (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
            let name = trimmed[level..].trim().trim_end_matches('#').trim();
            out.push(symbol(
                name.to_string(),
                Some(format!("h{level}")),
                SymbolKind::STRING,
                line_range(t, n as u32),
                Vec::new(),
            ));
        }
    }
    out
}

/// One document's symbol, spanning lines `from..to` of its file.
fn doc_symbol(ws: &Workspace, doc: &Document, t: &str, from: u32, to: u32) -> DocumentSymbol {
    let mut children = Vec::new();
    if let Some(fields) = doc.data.as_object() {
        for (name, value) in fields {
            let ptr = format!("/{}", crate::schema::typing::escape(name));
            let Some(pos) = doc.spans.key(&ptr) else {
                continue;
            };
            let detail = match value {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            let range = line_range(t, pos.line.saturating_sub(1));
            children.push(symbol(
                name.clone(),
                detail,
                SymbolKind::FIELD,
                range,
                Vec::new(),
            ));
        }
    }
    children.sort_by_key(|c| c.range.start);
    if doc.body.as_ref().is_some_and(|b| b.file == doc.file) {
        children.extend(headings(t, from, to));
    }
    let end = Position::new(to.saturating_sub(1), 0).max(Position::new(from, 0));
    let kind = ws.project.registry.get(&doc.kind).map(|k| k.name.clone());
    symbol(
        doc.title.clone(),
        kind.map(|k| format!("{k} {}", doc.id)),
        SymbolKind::OBJECT,
        Range::new(Position::new(from, 0), end),
        children,
    )
}

/// The symbols of `file`: each document with its fields and headings.
pub fn document(ws: &Workspace, file: &str) -> Vec<DocumentSymbol> {
    let Some(t) = ws.text(file) else {
        return Vec::new();
    };
    let docs: Vec<&Document> = ws
        .compiled
        .plan
        .docs
        .iter()
        .filter(|d| d.file == file)
        .collect();
    let lines = t.split('\n').count() as u32;
    let starts: Vec<u32> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| match i {
            0 => 0,
            _ => d.pos.line.saturating_sub(1),
        })
        .collect();
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let to = starts.get(i + 1).copied().unwrap_or(lines);
            doc_symbol(ws, d, t, starts[i], to)
        })
        .collect()
}

/// Every document whose title or id contains `query` (any case).
#[allow(deprecated)] // `SymbolInformation::deprecated` must be written
pub fn workspace(ws: &Workspace, query: &str) -> Vec<SymbolInformation> {
    let q = query.to_lowercase();
    ws.compiled
        .plan
        .docs
        .iter()
        .filter(|d| d.title.to_lowercase().contains(&q) || d.id.to_lowercase().contains(&q))
        .filter_map(|d| {
            let t = ws.text(&d.file).unwrap_or("");
            let at = text::position(t, d.pos.line, 1);
            Some(SymbolInformation {
                name: d.title.clone(),
                kind: SymbolKind::OBJECT,
                tags: None,
                deprecated: None,
                location: Location::new(ws.uri(&d.file)?, Range::new(at, at)),
                container_name: Some(format!("{} {}", d.kind, d.id)),
            })
        })
        .collect()
}
