//! Ids: one namespace across kinds; duplicates and case collisions.

use super::Sink;
use crate::config::Config;
use crate::diag::{Diagnostic, Pos};
use crate::plan::{Document, Plan};
use crate::rules::Rule;
use std::collections::HashMap;

/// Where a document's id is written: its `id:` key, else the key of the
/// field its kind's `{field:NAME}` template reads, else the file's start
/// (an id from the file's name or folder).
fn id_key(doc: &Document, config: &Config) -> Pos {
    doc.spans
        .key("/id")
        .or_else(|| {
            let field = config.kinds.get(&doc.kind)?.id_field()?;
            doc.spans
                .key(&format!("/{}", field.replace('~', "~0").replace('/', "~1")))
        })
        .unwrap_or(Pos::start())
}

/// Reports duplicate ids (at each later `id:` in path order, noting the
/// first) and ids that differ only in case, and fills `plan.by_id`.
pub(super) fn check(plan: &mut Plan, sink: &mut Sink<'_>) {
    plan.docs
        .sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    let mut lower: HashMap<String, usize> = HashMap::new();
    let config = sink.config;
    for i in 0..plan.docs.len() {
        let doc = &plan.docs[i];
        let pos = id_key(doc, config);
        if let Some(&first) = plan.by_id.get(&doc.id) {
            let f = &plan.docs[first];
            let at = id_key(f, config);
            let d = Diagnostic::new(
                Rule::DuplicateId,
                &doc.file,
                pos,
                format!("duplicate id `{}`", doc.id),
            )
            .note(format!(
                "first defined at {}:{}:{}",
                f.file, at.line, at.col
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
