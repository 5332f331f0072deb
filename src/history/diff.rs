//! Field-level differences between two versions of a document, as data.

use super::snapshot::Snap;
use super::store::codec::json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field that changed: `status: planned → in-progress`. Nested values
/// are named with dots (`rice.reach`, `key_results.0.current`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Dotted field path.
    pub field: String,
    /// The value before (absent when the field was added).
    #[serde(with = "json::opt")]
    pub from: Option<Value>,
    /// The value after (absent when the field was removed).
    #[serde(with = "json::opt")]
    pub to: Option<Value>,
}

/// Differences of `old` → `new` fields, descending into objects and into
/// lists of objects of equal length (key results), so a key result's
/// `current` moving is named as such rather than as a changed list.
pub fn fields(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", Some(old), Some(new), &mut out);
    out
}

fn walk(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                walk(&join(k), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if !path.is_empty()
                && a.len() == b.len()
                && a.iter().chain(b).all(Value::is_object) =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(&join(&i.to_string()), Some(x), Some(y), out);
            }
        }
        _ => out.push(FieldChange {
            field: path.to_string(),
            from: old.cloned(),
            to: new.cloned(),
        }),
    }
}

/// Headings of the body sections that were added, removed or edited.
pub fn sections(old: &Snap, new: &Snap) -> Vec<String> {
    section_changes(&old.sections, &new.sections)
}

/// [`sections`] on (heading, hash) lists.
pub fn section_changes(old: &[(String, u64)], new: &[(String, u64)]) -> Vec<String> {
    let mut out = Vec::new();
    for (t, h) in new {
        match old.iter().find(|(ot, _)| ot == t) {
            Some((_, oh)) if oh == h => {}
            _ => out.push(t.clone()),
        }
    }
    for (t, _) in old {
        if !new.iter().any(|(nt, _)| nt == t) {
            out.push(t.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_nested_changes() {
        let a = json!({"status": "planned", "rice": {"reach": 1, "effort": 2}, "key_results": [{"current": 1}], "tags": ["a"]});
        let b = json!({"status": "in-progress", "rice": {"reach": 5, "effort": 2}, "key_results": [{"current": 3}], "tags": ["a", "b"]});
        let names: Vec<String> = fields(&a, &b).into_iter().map(|c| c.field).collect();
        assert_eq!(
            names,
            ["key_results.0.current", "rice.reach", "status", "tags"]
        );
    }
}
