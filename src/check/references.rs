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
            match plan.by_id.get(&r.id) {
                Some(&to) => {
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
                None if unparsed.contains(&r.id) => {}
                None => {
                    let same_kind = plan
                        .docs
                        .iter()
                        .filter(|d| d.kind == r.kind)
                        .map(|d| d.id.as_str());
                    let mut d = Diagnostic::new(
                        Rule::BrokenReference,
                        &doc.file,
                        pos,
                        format!("no {} with id `{}`", r.kind, r.id),
                    );
                    if let Some(near) =
                        nearest(&r.id, same_kind).or_else(|| by_words(plan, &r.kind, &r.id))
                    {
                        d = d.suggest(format!("did you mean `{near}`?"));
                    }
                    sink.push(Some(doc), d);
                }
            }
        }
    }
    plan.edges = edges;
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
