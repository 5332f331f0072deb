//! Where ids are named: a document's `id:`, its reference fields and its
//! `[[id]]` links, found from the checked plan and the texts. Definition,
//! references, rename and hover all start here.

use super::text;
use super::workspace::Workspace;
use crate::plan::Document;
use crate::schema::refs;
use lsp_types::{Location, Position, Range, TextEdit, WorkspaceEdit};
use std::collections::HashMap;

/// How a place names an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The document's own `id:` field.
    Own,
    /// A reference field (`depends_on`), with its expected kind elsewhere.
    Field,
    /// A `[[id]]` link in a body.
    Wiki,
}

/// One place an id is named.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// The file, relative to the root.
    pub file: String,
    /// The id's own characters (quotes and brackets left out).
    pub range: Range,
    /// The whole token: the cursor anywhere on it counts.
    pub token: Range,
    /// The id named.
    pub id: String,
    /// How it is named.
    pub role: Role,
}

/// A relative Markdown link in a body, and the file it names.
pub struct FileLink {
    /// The file linked to, relative to the root.
    pub target: String,
}

/// The range of `id` inside the token at `line`:`col` (1-based) of `file`.
fn place(ws: &Workspace, file: &str, line: u32, col: u32, id: &str) -> Option<(Range, Range)> {
    let t = ws.text(file)?;
    let token = text::token_range(t, line, col);
    let l = text::line(t, token.start.line);
    let from = text::char_col(l, token.start.character);
    let to = text::char_col(l, token.end.character);
    let word: String = l.chars().skip(from).take(to - from).collect();
    let at = word.find(id)?;
    let start = from + word[..at].chars().count();
    let range = Range::new(
        Position::new(token.start.line, text::utf16_col(l, start)),
        Position::new(
            token.start.line,
            text::utf16_col(l, start + id.chars().count()),
        ),
    );
    Some((range, token))
}

/// Every place `doc` names an id: its own `id:`, its references, its links.
pub fn occurrences(ws: &Workspace, doc: &Document) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let mut add = |file: &str, line: u32, col: u32, id: &str, role: Role| {
        if let Some((range, token)) = place(ws, file, line, col, id) {
            out.push(Occurrence {
                file: file.to_string(),
                range,
                token,
                id: id.to_string(),
                role,
            });
        }
    };
    if ws_has_own_id(doc) {
        let p = doc.spans.value("/id");
        add(&doc.file, p.line, p.col, &doc.id, Role::Own);
    }
    if let Some(kind) = ws.project.registry.get(&doc.kind) {
        for r in refs::find(&kind.typing, &doc.data) {
            let p = doc.spans.value(&r.ptr);
            add(&doc.file, p.line, p.col, &r.id, Role::Field);
        }
    }
    if let Some(body) = &doc.body {
        for w in &body.info.wiki_links {
            add(&body.file, w.pos.line, w.pos.col, &w.id, Role::Wiki);
        }
    }
    out
}

/// Whether the document's id is written in an `id:` field (else it is its
/// file's name).
fn ws_has_own_id(doc: &Document) -> bool {
    doc.spans.key("/id").is_some()
}

/// The documents whose text (front matter or body) is in `file`.
pub fn docs_in<'a>(ws: &'a Workspace, file: &'a str) -> impl Iterator<Item = &'a Document> + 'a {
    ws.compiled
        .plan
        .docs
        .iter()
        .filter(move |d| d.file == file || d.body.as_ref().is_some_and(|b| b.file == file))
}

/// The id named at `pos` of `file`, if any.
pub fn at(ws: &Workspace, file: &str, pos: Position) -> Option<Occurrence> {
    docs_in(ws, file)
        .flat_map(|d| occurrences(ws, d))
        .find(|o| o.file == file && text::contains(&o.token, pos))
}

/// The document whose text holds line `line` (0-based) of `file`: the
/// last one starting at or before it.
pub fn doc_at<'a>(ws: &'a Workspace, file: &'a str, line: u32) -> Option<&'a Document> {
    let docs: Vec<&Document> = docs_in(ws, file).collect();
    docs.iter()
        .rev()
        .find(|d| d.file != file || d.pos.line.saturating_sub(1) <= line)
        .or(docs.first())
        .copied()
}

/// The relative Markdown link at `pos` of `file`, if it names a file of
/// the plans.
pub fn file_link_at(ws: &Workspace, file: &str, pos: Position) -> Option<FileLink> {
    let t = ws.text(file)?;
    for doc in docs_in(ws, file) {
        let Some(body) = doc.body.as_ref().filter(|b| b.file == file) else {
            continue;
        };
        for link in &body.info.links {
            let token = text::token_range(t, link.pos.line, link.pos.col);
            if !text::contains(&token, pos) || link.dest.contains("://") {
                continue;
            }
            let path = link.dest.split('#').next().unwrap_or("");
            let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            if let Some(target) = resolve(file, &path)
                && ws.project.tree.all_paths.contains(&target)
            {
                return Some(FileLink { target });
            }
        }
    }
    None
}

/// `link` relative to the folder of `from`, as a path from the root.
fn resolve(from: &str, link: &str) -> Option<String> {
    if link.is_empty() || link.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Where document `id` is defined: its `id:` value, else its first line.
pub fn definition(ws: &Workspace, id: &str) -> Option<Location> {
    let doc = ws.compiled.plan.get(id)?;
    let range = occurrences(ws, doc)
        .into_iter()
        .find(|o| o.role == Role::Own)
        .map(|o| o.range)
        .unwrap_or_else(|| {
            let p = text::position(ws.text(&doc.file).unwrap_or(""), doc.pos.line, 1);
            Range::new(p, p)
        });
    Some(Location::new(ws.uri(&doc.file)?, range))
}

/// Every place naming `id`, across the plans (its own `id:` when `own`).
/// For a document, only it and those with an edge to it are read (the
/// plan's backlinks); for an id no document has, every document.
pub fn references(ws: &Workspace, id: &str, own: bool) -> Vec<Occurrence> {
    let plan = &ws.compiled.plan;
    let docs: Vec<&Document> = match plan.get(id) {
        Some(doc) => std::iter::once(doc)
            .chain(plan.referrers(id, None))
            .collect(),
        None => plan.docs.iter().collect(),
    };
    docs.into_iter()
        .flat_map(|d| occurrences(ws, d))
        .filter(|o| o.id == id && (own || o.role != Role::Own))
        .collect()
}

/// The edit renaming document `id` to `new`: its `id:` (added to a
/// Markdown front matter that had none) and every place naming it.
// `Uri` caches its parse in a cell, but its hash and equality read only
// the text: a safe key (the type `WorkspaceEdit::changes` asks for).
#[allow(clippy::mutable_key_type)]
pub fn rename(ws: &Workspace, id: &str, new: &str) -> Result<WorkspaceEdit, String> {
    if !crate::parse::valid_id(new) {
        return Err(format!("`{new}` is not a valid id"));
    }
    if ws.compiled.plan.get(new).is_some() {
        return Err(format!("a document with id `{new}` exists already"));
    }
    let doc = ws
        .compiled
        .plan
        .get(id)
        .ok_or_else(|| format!("no document with id `{id}`"))?;
    let mut changes: HashMap<lsp_types::Uri, Vec<TextEdit>> = HashMap::new();
    let mut edit = |file: &str, e: TextEdit| {
        if let Some(uri) = ws.uri(file) {
            changes.entry(uri).or_default().push(e);
        }
    };
    if !ws_has_own_id(doc) {
        if !doc.file.ends_with(".md") || doc.pos.line < 2 {
            return Err(format!("`{id}` has no `id:` field to rename"));
        }
        let at = Position::new(doc.pos.line - 1, 0);
        edit(
            &doc.file,
            TextEdit::new(Range::new(at, at), format!("id: {new}\n")),
        );
    }
    for o in references(ws, id, true) {
        edit(&o.file, TextEdit::new(o.range, new.to_string()));
    }
    Ok(WorkspaceEdit::new(changes))
}

/// Hover text for document `id`: title, kind, status and summary.
pub fn describe(ws: &Workspace, id: &str) -> Option<String> {
    let doc = ws.compiled.plan.get(id)?;
    let mut out = format!("**{}** — {} `{}`", doc.title, doc.kind, doc.id);
    if let Some(status) = doc.str("status") {
        out.push_str(&format!(" · status: `{status}`"));
    }
    if let Some(summary) = doc.str("summary") {
        out.push_str(&format!("\n\n{summary}"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_from_their_folder() {
        assert_eq!(resolve("a/b.md", "c.md"), Some("a/c.md".into()));
        assert_eq!(resolve("a/b.md", "../c.md"), Some("c.md".into()));
        assert_eq!(resolve("a/b.md", "./d/./c.md"), Some("a/d/c.md".into()));
        assert_eq!(resolve("b.md", "../c.md"), None);
        assert_eq!(resolve("a/b.md", "/c.md"), None);
        assert_eq!(resolve("a/b.md", ""), None);
    }
}
