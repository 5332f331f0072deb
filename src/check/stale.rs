//! `stale`: a feature in progress or in beta that no commit has changed for
//! a while. Measured from the last change in history (a pure move is not a
//! change; an uncommitted edit is); silent without history.

use super::Sink;
use crate::diag::Diagnostic;
use crate::plan::Plan;
use crate::rules::Rule;
use std::collections::HashMap;

/// The day each document last changed, by id, as history knows it: what
/// `stale` measures from. Whoever holds the history builds it
/// (`History::last_changed`), so checking needs no history of its own.
pub type LastChanged = HashMap<String, i64>;

/// Reports stale features.
pub(super) fn check(plan: &Plan, last_changed: &LastChanged, days: u32, sink: &mut Sink<'_>) {
    for doc in plan.of_kind("feature") {
        let status = doc.str("status").unwrap_or("");
        if !matches!(status, "in-progress" | "beta") {
            continue;
        }
        let Some(&last) = last_changed.get(&doc.id) else {
            continue;
        };
        let idle = plan.today - last;
        if idle > i64::from(days) {
            sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::Stale,
                    &doc.file,
                    doc.field_pos("status"),
                    format!(
                        "{status} feature `{}` has not changed for {idle} days",
                        doc.id
                    ),
                )
                .note(format!(
                    "last changed {}; the limit is {days} days (`rules.stale.days`)",
                    crate::dates::human(last)
                )),
            );
        }
    }
}
