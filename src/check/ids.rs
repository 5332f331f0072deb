//! Ids: one namespace across kinds; duplicates and case collisions.

use super::Sink;
use crate::diag::{Diagnostic, Pos};
use crate::plan::Plan;
use crate::rules::Rule;
use std::collections::HashMap;

/// Reports duplicate ids (at each later `id:` in path order, noting the
/// first) and ids that differ only in case, and fills `plan.by_id`.
pub(super) fn check(plan: &mut Plan, sink: &mut Sink<'_>) {
    plan.docs
        .sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    let mut lower: HashMap<String, usize> = HashMap::new();
    for i in 0..plan.docs.len() {
        let doc = &plan.docs[i];
        let pos = doc.spans.key("/id").unwrap_or(Pos::start());
        if let Some(&first) = plan.by_id.get(&doc.id) {
            let f = &plan.docs[first];
            let d = Diagnostic::new(
                Rule::DuplicateId,
                &doc.file,
                pos,
                format!("duplicate id `{}`", doc.id),
            )
            .note(format!(
                "first defined at {}:{}:{}",
                f.file,
                f.spans.key("/id").unwrap_or(Pos::start()).line,
                f.spans.key("/id").unwrap_or(Pos::start()).col
            ));
            sink.push(Some(doc), d);
            continue;
        }
        let key = doc.id.to_lowercase();
        if let Some(&other) = lower.get(&key) {
            let o = &plan.docs[other];
            let d = Diagnostic::new(
                Rule::CaseCollision,
                &doc.file,
                pos,
                format!("id `{}` differs from `{}` only in case", doc.id, o.id),
            )
            .note(format!("`{}` is defined in {}; their pages would overwrite each other on macOS and Windows", o.id, o.file));
            sink.push(Some(doc), d);
        } else {
            lower.insert(key, i);
        }
        plan.by_id.insert(doc.id.clone(), i);
    }
}
