//! What every page builder reads: the published documents, the kinds,
//! the history, the config, and how this build shows dates, people and
//! links (a public build coarser). Apart from the builders, so that the
//! page, history and data builders each depend on it and not on one
//! another.

use super::links::Index;
use crate::dates;
use crate::plan::Document;
use crate::schema::Registry;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::HashMap;

/// The way from a document's page to the site root.
pub(super) const ROOT: &str = "../";

/// Everything page builders read.
pub struct Ctx<'a> {
    /// Published documents.
    pub index: &'a Index<'a>,
    /// Kinds, for references in generic fields.
    pub registry: &'a Registry,
    /// Public build: coarser dates, no e-mails or customer names.
    pub public: bool,
    /// "Edit this page" URL template.
    pub edit_url: Option<&'a str>,
    /// History from git (empty without a repository).
    pub history: &'a crate::history::History,
    /// Published people by lowercase e-mail, so commit authors show as
    /// people (built once: every history entry asks).
    pub people: std::collections::HashMap<String, &'a Document>,
    /// The `stale` rule's days, for the roadmap's risk flags.
    pub stale_days: u32,
    /// The config: kinds' display names and status fields.
    pub config: &'a crate::config::Config,
}

impl<'a> Ctx<'a> {
    /// The context of one build (full or partial): what it publishes and
    /// how it shows dates, people and edit links.
    pub fn new(
        index: &'a Index<'a>,
        registry: &'a Registry,
        history: &'a crate::history::History,
        config: &'a crate::config::Config,
        public: bool,
    ) -> Ctx<'a> {
        Ctx {
            index,
            registry,
            history,
            people: people_by_email(index),
            public,
            config,
            stale_days: config.stale_days(),
            edit_url: if public {
                None
            } else {
                config.site.edit_url.as_deref()
            },
        }
    }
}

/// People by lowercase e-mail, so commit authors show as people.
pub fn people_by_email<'p>(index: &Index<'p>) -> HashMap<String, &'p crate::plan::Document> {
    index
        .of_kind("person")
        .filter_map(|p| p.str("email").map(|e| (e.to_lowercase(), p)))
        .collect()
}

impl Ctx<'_> {
    /// A date as readers of this build may see it.
    pub fn date(&self, s: &str) -> String {
        match dates::parse(s) {
            Some(d) if self.public => dates::quarter(d),
            Some(d) => dates::human(d),
            None => s.to_string(),
        }
    }

    /// How this build writes a day number (quarters in a public build).
    pub fn day(&self) -> fn(i64) -> String {
        if self.public {
            dates::quarter
        } else {
            dates::human
        }
    }

    /// A reference as a link (unlinked text when the document is not
    /// published); None in a public build for a document it does not
    /// publish, whose id is as internal as its title.
    pub(super) fn link(&self, id: &str) -> Option<Value> {
        (!self.public || self.index.get(id).is_some()).then(|| self.index.link(id, ROOT))
    }

    /// [`Ctx::link`] from a page whose way to the site root is `root`.
    pub(super) fn link_at(&self, id: &str, root: &str) -> Option<Value> {
        (!self.public || self.index.get(id).is_some()).then(|| self.index.link(id, root))
    }

    pub(super) fn links(&self, ids: &[&str]) -> Vec<Value> {
        ids.iter().filter_map(|id| self.link(id)).collect()
    }

    /// A list of documents as links, sorted by title.
    pub(super) fn doc_links<'d>(&self, docs: impl IntoIterator<Item = &'d Document>) -> Vec<Value> {
        let mut v: Vec<&Document> = docs
            .into_iter()
            .filter(|d| self.index.get(&d.id).is_some())
            .collect();
        v.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
        v.dedup_by(|a, b| a.id == b.id);
        v.into_iter().map(|d| self.doc_card(d)).collect()
    }

    /// A document's status as written (in its kind's status field) and
    /// the class its badge is coloured by: the lifecycle status it stands
    /// for, or, when the kind maps it to none, the value made one class
    /// name ([`class_name`]).
    pub fn status<'d>(&'d self, d: &'d Document) -> Option<(&'d str, Cow<'d, str>)> {
        let value = d.str(self.config.status_field(&d.kind))?;
        Some((value, self.status_class(&d.kind, value)))
    }

    /// The class a status `value` of a `kind` is coloured by: the
    /// lifecycle status it stands for; else the value as one class name,
    /// set apart (`other-…`) where that name would be a lifecycle status's
    /// (`in progress`, which no mapping names, is not in progress).
    pub fn status_class<'v>(&'v self, kind: &str, value: &'v str) -> Cow<'v, str> {
        if let Some(l) = self.config.lifecycle_of(kind, value) {
            return Cow::Borrowed(l);
        }
        let class = class_name(value);
        if crate::config::LIFECYCLE.contains(&class.as_ref()) {
            return Cow::Owned(format!("other-{class}"));
        }
        class
    }

    /// The lifecycle status a document's status stands for (its kind's
    /// mapping, else the value itself), "" without a status.
    pub fn lifecycle<'d>(&'d self, d: &'d Document) -> &'d str {
        d.str(self.config.status_field(&d.kind))
            .map_or("", |v| self.config.lifecycle_of(&d.kind, v).unwrap_or(v))
    }

    /// The day a document on the roadmap is due: its kind's target field
    /// (a feature's `milestone`) as a date, or as a milestone's id, the
    /// milestone's date unless it is cancelled.
    pub fn target(&self, d: &Document) -> Option<i64> {
        let value = d.str(self.config.target_field(&d.kind)?)?;
        if let Some(day) = dates::parse_day(value) {
            return Some(day);
        }
        self.index
            .get(value)
            .filter(|m| m.kind == "milestone" && m.str("status") != Some("cancelled"))
            .and_then(|m| m.str("date"))
            .and_then(dates::parse)
    }

    /// Where a document stands on the roadmap's now / next / later board
    /// (docs/format.md#horizon): None when it is shipped or declined.
    pub fn horizon(&self, d: &Document) -> Option<&'static str> {
        if d.kind == "feature" {
            return super::facts::horizon(self.index.plan, d);
        }
        super::facts::horizon_at(
            self.index.plan.today,
            self.lifecycle(d),
            d.str("horizon"),
            self.target(d),
        )
    }

    /// A short description of a document for lists.
    pub fn doc_card(&self, d: &Document) -> Value {
        let status = self.status(d);
        json!({
            "id": d.id, "title": d.title, "kind": d.kind,
            "href": format!("{ROOT}{}", Index::page(d)),
            "status": status.as_ref().map(|s| s.0), "status_class": status.as_ref().map(|s| &s.1),
            "summary": d.str("summary"),
        })
    }
}

/// `value` as one CSS class name: a status no lifecycle status stands
/// for is written into `class="badge status-…"` and `data-status`, where a
/// space would make two classes (`in review` styled as `review`) and
/// other punctuation a selector that cannot be written. Letters, digits,
/// `-` and `_` stay; every other run of characters becomes one `-`.
pub fn class_name(value: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if value.chars().all(plain) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if plain(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    Cow::Owned(out)
}
