//! The reference pass: every `x-ref` value must name a document of the
//! kind its schema declares. Generic: it reads the schema, not the kind.

use super::Sink;
use crate::diag::{Diagnostic, nearest};
use crate::plan::{Edge, Plan};
use crate::rules::Rule;
use crate::schema::{Registry, refs};
use std::collections::HashSet;

/// Checks references and records the resolved ones as edges.
pub(super) fn check(
    plan: &mut Plan,
    registry: &Registry,
    unparsed: &HashSet<String>,
    sink: &mut Sink<'_>,
) {
    let mut edges = Vec::new();
    for (from, doc) in plan.docs.iter().enumerate() {
        let Some(kind) = registry.get(&doc.kind) else {
            continue;
        };
        for r in refs::find(&kind.typing, &doc.data) {
            let pos = doc.spans.value(&r.ptr);
            let to = match target(plan, doc, &r, unparsed) {
                Ok(Some(to)) => to,
                Ok(None) => continue,
                Err(message) => {
                    let d = Diagnostic::new(Rule::BrokenReference, &doc.file, pos, message);
                    let d = if r.by_path {
                        d.note(format!(
                            "`{}` names {} by its file or folder, relative to this file or to the plans' root (from the root when it starts with `/`)",
                            r.field,
                            crate::numbers::with_article(&r.kind)
                        ))
                    } else {
                        match nearest_id(plan, &r) {
                            Some(near) => d.suggest(format!("did you mean `{near}`?")),
                            None => d,
                        }
                    };
                    sink.push(Some(doc), d);
                    continue;
                }
            };
            let target = &plan.docs[to];
            if target.kind != r.kind {
                let d = Diagnostic::new(
                    Rule::WrongKindReference,
                    &doc.file,
                    pos,
                    format!(
                        "`{}` is {}, but `{}` expects {}",
                        r.id,
                        crate::numbers::with_article(&target.kind),
                        r.field,
                        crate::numbers::with_article(&r.kind)
                    ),
                );
                sink.push(Some(doc), d);
            } else if to != from {
                edges.push(Edge {
                    from,
                    to,
                    field: r.field,
                });
            }
        }
    }
    plan.edges = edges;
}

/// The document a reference names: Ok(None) for an id whose document did
/// not parse (its file's own error says enough), Err with the message of
/// a `broken-reference` when it names none.
fn target(
    plan: &Plan,
    doc: &crate::plan::Document,
    r: &refs::Ref,
    unparsed: &HashSet<String>,
) -> Result<Option<usize>, String> {
    if r.by_path {
        if external(&r.id) {
            return Ok(None);
        }
        return by_path(plan, &doc.file, &r.id).map(Some);
    }
    match plan.by_id.get(&r.id) {
        Some(&to) => Ok(Some(to)),
        None if unparsed.contains(&r.id) => Ok(None),
        None => Err(format!("no {} with id `{}`", r.kind, r.id)),
    }
}

/// The id a broken reference most likely meant: the nearest id of the
/// expected kind, else one whose words it has.
fn nearest_id<'p>(plan: &'p Plan, r: &refs::Ref) -> Option<&'p str> {
    let same_kind = plan
        .docs
        .iter()
        .filter(|d| d.kind == r.kind)
        .map(|d| d.id.as_str());
    nearest(&r.id, same_kind).or_else(|| by_words(plan, &r.kind, &r.id))
}

/// The document a reference by path names, written in `from_file`; the
/// message of a `broken-reference` when it names none.
/// A path written without `/`, `./` or `../` that names no document from
/// the referring file's folder is tried from the plans' root: KEPs write
/// `keps/sig-x/NNNN-slug` meaning the repository's `keps/`.
pub fn by_path(plan: &Plan, from_file: &str, path: &str) -> Result<usize, String> {
    let at = |written: &str| match super::links::resolve(written, from_file) {
        super::links::Target::Path(p, _) => plan.doc_at_path(&p),
        _ => None,
    };
    let bare = !path.starts_with(['/', '.']);
    if let Some(to) = at(path).or_else(|| bare.then(|| at(&format!("/{path}"))).flatten()) {
        return Ok(to);
    }
    match super::links::resolve(path, from_file) {
        super::links::Target::Path(..) => Err(format!("no document at `{path}`")),
        _ => Err(format!("`{path}` is not a path inside the plans")),
    }
}

/// Whether a value of a reference by path is an address elsewhere (a
/// design document on the web, which KEPs' `see-also` often names):
/// not a document of the plans, and not checked.
pub fn external(path: &str) -> bool {
    matches!(
        super::links::resolve(path, ""),
        super::links::Target::External
    )
}

/// The one document of `kind` whose id or title has every word of `id`
/// as a word of its own (`alex` → `alex-example`, titled "Alex Example";
/// `sso` → `single-sign-on` titled "SSO"): what a typed-short reference
/// meant, when the edit distance finds nothing. None when several match.
fn by_words<'p>(plan: &'p Plan, kind: &str, id: &str) -> Option<&'p str> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let wanted = words(id);
    if wanted.is_empty() {
        return None;
    }
    let mut found = plan.docs.iter().filter(|d| d.kind == kind).filter(|d| {
        let mut have = words(&d.id);
        have.extend(words(&d.title));
        wanted.iter().all(|w| have.contains(w))
    });
    let first = found.next()?;
    found.next().is_none().then_some(first.id.as_str())
}
