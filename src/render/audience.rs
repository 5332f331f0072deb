//! What a public build (`build --audience public`, docs/format.md#public) leaves out,
//! decided here once for every writer: pages, history lists and the change
//! log, the feed, `plan.json`. A public build shows only published
//! documents, no e-mail address, no insight's customer, no commit message
//! and no date finer than the quarter. One place, because rules repeated
//! at each writer drift apart, and a writer that forgets one publishes
//! exactly what the others hide.

use super::links::Index;
use crate::dates;
use crate::history::diff::FieldChange;
use crate::history::{Event, What, words};
use serde_json::Value;
use std::sync::Arc;

/// Whether a field (a key at any depth) is one a public build hides:
/// e-mail addresses and customer names, on any kind (a person's `email`,
/// an insight's `customer`, and the same names in user-defined kinds).
pub(crate) fn hidden_key(key: &str) -> bool {
    matches!(key, "email" | "customer")
}

/// Whether a value is an e-mail address (or a `mailto:` link to one:
/// `mailto:` reads as part of the local part, which needs no stripping),
/// whatever field holds it: a user-defined kind's `contact`, a `links`
/// entry. Text that merely mentions an address is the author's prose.
fn email_value(s: &str) -> bool {
    let Some((local, domain)) = s.trim().split_once('@') else {
        return false;
    };
    let plain = |p: &str| !p.is_empty() && !p.contains(|c: char| c.is_whitespace() || c == '@');
    plain(local) && plain(domain) && domain.contains('.')
}

/// Whether `s` is the id of a document the plan has but this build does
/// not publish: a public build shows neither its title nor its id.
fn unpublished(index: &Index<'_>, s: &str) -> bool {
    index.plan.by_id.contains_key(s) && index.get(s).is_none()
}

/// Makes a value fit for a public build, in place: hidden keys removed
/// at any depth, e-mail addresses and ids of unpublished documents
/// removed (from lists, and as object values), dates coarsened to
/// quarters. Returns false when the value itself is such an address or
/// id (the caller drops it).
///
/// Any string equal to an unpublished document's id counts as a
/// reference to it: the schema that says which strings are references is
/// the current one, and a history's old values are typed by old ones.
/// Hiding a coincidental plain value errs on the side of the promise.
pub(crate) fn scrub(index: &Index<'_>, v: &mut Value) -> bool {
    match v {
        Value::String(s) => {
            if unpublished(index, s) || email_value(s) {
                return false;
            }
            if let Some(d) = dates::parse(s) {
                *s = dates::quarter(d);
            }
            true
        }
        Value::Array(a) => {
            a.retain_mut(|x| scrub(index, x));
            true
        }
        Value::Object(o) => {
            o.retain(|k, x| !hidden_key(k) && scrub(index, x));
            true
        }
        _ => true,
    }
}

/// A field change as a public build shows it, or None when it shows
/// nothing of it: a hidden field, or a change that is no change once
/// scrubbed (a date moved within its quarter, a reference from one
/// unpublished document to another).
pub(crate) fn change(index: &Index<'_>, c: &FieldChange) -> Option<FieldChange> {
    if c.field.split('.').any(hidden_key) {
        return None;
    }
    let side = |v: &Option<Value>| {
        v.clone()
            .and_then(|mut v| scrub(index, &mut v).then_some(v))
    };
    let (from, to) = (side(&c.from), side(&c.to));
    (from != to).then(|| FieldChange {
        field: c.field.clone(),
        from,
        to,
    })
}

/// A change as a public build shows it, or None when it shows nothing of
/// it (an uncommitted edit, or one that touched only what is hidden). The
/// commit message is left out, field changes are [`change`]d, and the
/// words are phrased again from what is left, with the titles of
/// published documents only and no day counts (a slip of "+3 days" is
/// finer than the quarter).
pub(crate) fn event(index: &Index<'_>, e: &Event) -> Option<Event> {
    if e.uncommitted {
        return None;
    }
    let fields: Vec<FieldChange> = e.fields.iter().filter_map(|c| change(index, c)).collect();
    if e.what == What::Modified && fields.is_empty() && e.sections.is_empty() {
        return None;
    }
    let title_of = |id: &str| index.get(id).map(|d| d.title.clone());
    let mut phrases: Vec<String> = Vec::new();
    match e.what {
        What::Created if e.boundary => phrases.push("first seen".into()),
        What::Created => phrases.push("created".into()),
        What::Deleted => phrases.push("deleted".into()),
        What::Renamed => phrases.push(format!(
            "moved from {}",
            e.from_file.as_deref().unwrap_or_default()
        )),
        What::Modified => {}
    }
    // As the replay phrases them (`history::replay`): a creation lists no
    // fields.
    if e.what != What::Created {
        phrases.extend(fields.iter().map(|c| words::change(c, &title_of, None)));
        if !e.sections.is_empty() {
            let names: Vec<&str> = e
                .sections
                .iter()
                .map(|s| if s.is_empty() { "introduction" } else { s })
                .collect();
            phrases.push(format!("body edited ({})", names.join(", ")));
        }
    }
    Some(Event {
        commit: e.commit.clone(),
        author: e.author.clone(),
        email: e.email.clone(),
        day: e.day,
        message: Arc::from(""),
        what: e.what,
        fields,
        sections: e.sections.clone(),
        from_file: e.from_file.clone(),
        words: phrases.into_iter().map(Arc::from).collect(),
        uncommitted: false,
        boundary: e.boundary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrub_drops_hidden_keys_addresses_and_days_at_any_depth() {
        let plan = crate::plan::Plan::default();
        let files = std::collections::BTreeSet::new();
        let index = Index::new(&plan, true, &files);
        let mut v = json!({
            "email": "a@b.example",
            "contact": "Ann <x> ",
            "owner_mail": " ann@corp.example ",
            "links": [{"title": "Write", "url": "MAILTO:ann@corp.example"}, {"title": "Site", "url": "https://x.example/@ann"}],
            "launch": {"date": "2027-04-15", "customer": "Acme"},
            "note": "mail ann@corp.example for more",
        });
        assert!(scrub(&index, &mut v));
        assert_eq!(
            v,
            json!({
                "contact": "Ann <x> ",
                "links": [{"title": "Write"}, {"title": "Site", "url": "https://x.example/@ann"}],
                "launch": {"date": "2027-Q2"},
                "note": "mail ann@corp.example for more",
            })
        );
    }
}
