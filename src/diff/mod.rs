//! The plan's semantic change between two revisions (`northstar diff`,
//! docs/format.md#commands): what a reviewer of a pull request needs, in
//! the order they read it —
//! documents added and removed, field changes in words, roadmap
//! consequences (scope moving between milestones, features that slip), and
//! the diagnostics the change adds and fixes.

pub mod format;

use crate::check::Compiled;
use crate::config::Config;
use crate::diag::{Diagnostic, Level};
use crate::history::{diff as fdiff, snapshot, words};
use crate::plan::{Document, Plan};
use crate::render::facts;
use crate::rules::Rule;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A document named in the diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocRef {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Status, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One field change, as data and in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    /// Dotted field path.
    pub field: String,
    /// Before.
    pub from: Option<Value>,
    /// After.
    pub to: Option<Value>,
    /// In words: `status planned → in-progress`.
    pub words: String,
}

/// A document present on both sides that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocDiff {
    /// The document (head side).
    #[serde(flatten)]
    pub doc: DocRef,
    /// Field changes.
    pub fields: Vec<FieldDiff>,
    /// Body sections added, removed or edited.
    pub sections: Vec<String>,
    /// The file it moved from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
}

/// Features a milestone gained or lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scope {
    /// The milestone.
    pub milestone: DocRef,
    /// Features now in it that were not.
    pub gained: Vec<DocRef>,
    /// Features no longer in it.
    pub lost: Vec<DocRef>,
}

/// A feature whose milestone date moved later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slip {
    /// The feature.
    pub feature: DocRef,
    /// Milestone before.
    pub from: String,
    /// Milestone after.
    pub to: String,
    /// Days later.
    pub days: i64,
}

/// The whole semantic change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDiff {
    /// The base revision as given.
    pub base: String,
    /// The head revision as given (`working tree` by default).
    pub head: String,
    /// Documents only in the head.
    pub added: Vec<DocRef>,
    /// Documents only in the base.
    pub removed: Vec<DocRef>,
    /// Documents on both sides that changed.
    pub changed: Vec<DocDiff>,
    /// Milestones whose scope changed.
    pub milestones: Vec<Scope>,
    /// Features that now slip.
    pub slips: Vec<Slip>,
    /// Diagnostics of the head not in the base, errors first.
    pub new_diagnostics: Vec<Diagnostic>,
    /// Diagnostics of the base no longer in the head.
    pub fixed_diagnostics: Vec<Diagnostic>,
}

impl PlanDiff {
    /// True when the change touches no document and no diagnostic.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.new_diagnostics.is_empty()
            && self.fixed_diagnostics.is_empty()
    }

    /// New diagnostics of a level.
    pub fn new_of(&self, level: Level) -> usize {
        self.new_diagnostics
            .iter()
            .filter(|d| d.level == level)
            .count()
    }
}

/// A document as the diff names it; its status is read from the field
/// its kind's config names (`status:`, e.g. an RFC's `stage`).
fn doc_ref(d: &Document, config: Option<&Config>) -> DocRef {
    let field = config.map_or("status", |c| c.status_field(&d.kind));
    DocRef {
        id: d.id.clone(),
        kind: d.kind.clone(),
        title: d.title.clone(),
        status: d.str(field).map(String::from),
    }
}

fn fields_of(d: &Document) -> Value {
    let mut v = d.data.clone();
    if let Value::Object(o) = &mut v {
        o.remove("id");
        o.remove("kind");
    }
    v
}

fn snap(d: &Document) -> snapshot::Snap {
    snapshot::Snap {
        id: d.id.clone(),
        kind: d.kind.clone(),
        title: d.title.clone(),
        file: d.file.clone(),
        fields: Value::Null,
        sections: d
            .body
            .as_ref()
            .map(|b| snapshot::sections(&b.text))
            .unwrap_or_default(),
        typed: Vec::new(),
    }
}

/// The document a diagnostic is about: the last document of its file that
/// starts at or before its line (streams hold several).
fn owner_of(plan: &Plan, d: &Diagnostic) -> String {
    plan.docs
        .iter()
        .filter(|doc| doc.file == d.file && doc.pos.line <= d.line)
        .max_by_key(|doc| doc.pos.line)
        .map(|doc| doc.id.clone())
        .unwrap_or_else(|| d.file.clone())
}

/// Diagnostics are matched by rule, document and message, not by line:
/// an edit above a problem moves it without changing it
/// (docs/format.md#history).
fn unmatched<'a>(a: &'a Compiled, b: &Compiled) -> Vec<&'a Diagnostic> {
    let mut keys: HashMap<(Rule, String, String), usize> = HashMap::new();
    for d in &b.diagnostics {
        *keys
            .entry((d.rule, owner_of(&b.plan, d), d.message.clone()))
            .or_insert(0) += 1;
    }
    let mut out = Vec::new();
    for d in &a.diagnostics {
        let k = (d.rule, owner_of(&a.plan, d), d.message.clone());
        match keys.get_mut(&k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(d),
        }
    }
    out
}

/// Compares two compiled plans; `config` (the head's, else the base's)
/// says which field holds each kind's status.
pub fn compare(
    base_name: &str,
    head_name: &str,
    base: &Compiled,
    head: &Compiled,
    config: Option<&Config>,
) -> PlanDiff {
    let (bp, hp) = (&base.plan, &head.plan);
    let title_of = |id: &str| hp.get(id).or_else(|| bp.get(id)).map(|d| d.title.clone());
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (id, &i) in sorted(&hp.by_id) {
        let h = &hp.docs[i];
        let Some(b) = bp.get(id) else {
            added.push(doc_ref(h, config));
            continue;
        };
        // Most documents are untouched: equal fields, body and file mean no
        // change, without building the field and section diffs.
        if b.file == h.file
            && b.data == h.data
            && b.body.as_ref().map(|x| &x.text) == h.body.as_ref().map(|x| &x.text)
        {
            continue;
        }
        let mut fields: Vec<FieldDiff> = fdiff::fields(&fields_of(b), &fields_of(h))
            .into_iter()
            .map(|c| {
                let extra = if c.field == "milestone" {
                    let from = b.str("milestone").and_then(|m| bp.milestone_date(m));
                    let to = h.str("milestone").and_then(|m| hp.milestone_date(m));
                    match (from, to) {
                        (Some(a), Some(z)) if a != z => Some(words::days(z - a)),
                        _ => None,
                    }
                } else {
                    None
                };
                FieldDiff {
                    words: words::change(&c, &title_of, extra),
                    field: c.field,
                    from: c.from,
                    to: c.to,
                }
            })
            .collect();
        if h.kind == "feature" {
            let (rb, rh) = (facts::rice(b), facts::rice(h));
            if rb.map(|r| r.round() as i64) != rh.map(|r| r.round() as i64) {
                let num = |r: Option<f64>| r.map(|r| Value::from(r.round() as i64));
                let c = fdiff::FieldChange {
                    field: "RICE score".into(),
                    from: num(rb),
                    to: num(rh),
                };
                fields.push(FieldDiff {
                    words: words::change(&c, &title_of, None),
                    field: c.field,
                    from: c.from,
                    to: c.to,
                });
            }
        }
        let sections = fdiff::sections(&snap(b), &snap(h));
        let moved_from = (b.file != h.file).then(|| b.file.clone());
        if !fields.is_empty() || !sections.is_empty() || moved_from.is_some() {
            changed.push(DocDiff {
                doc: doc_ref(h, config),
                fields,
                sections,
                moved_from,
            });
        }
    }
    let removed: Vec<DocRef> = sorted(&bp.by_id)
        .into_iter()
        .filter(|(id, _)| !hp.by_id.contains_key(*id))
        .map(|(_, &i)| doc_ref(&bp.docs[i], config))
        .collect();
    let (milestones, slips) = roadmap(bp, hp, config);
    let mut new_diagnostics: Vec<Diagnostic> = unmatched(head, base).into_iter().cloned().collect();
    new_diagnostics.sort_by(|a, b| (a.level, a.sort_key()).cmp(&(b.level, b.sort_key())));
    let fixed_diagnostics = unmatched(base, head).into_iter().cloned().collect();
    PlanDiff {
        base: base_name.to_string(),
        head: head_name.to_string(),
        added,
        removed,
        changed,
        milestones,
        slips,
        new_diagnostics,
        fixed_diagnostics,
    }
}

fn sorted(m: &HashMap<String, usize>) -> Vec<(&String, &usize)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort();
    v
}

/// Scope moving between milestones, and features whose date moved later.
fn roadmap(bp: &Plan, hp: &Plan, config: Option<&Config>) -> (Vec<Scope>, Vec<Slip>) {
    let scope = |p: &Plan| -> BTreeMap<String, BTreeSet<String>> {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in p.of_kind("feature") {
            if let Some(ms) = f.str("milestone") {
                m.entry(ms.to_string()).or_default().insert(f.id.clone());
            }
        }
        m
    };
    let (sb, sh) = (scope(bp), scope(hp));
    let names: BTreeSet<&String> = sb.keys().chain(sh.keys()).collect();
    let empty = BTreeSet::new();
    let r = |id: &str| {
        hp.get(id)
            .or_else(|| bp.get(id))
            .map(|d| doc_ref(d, config))
    };
    let mut scopes = Vec::new();
    for m in names {
        let (b, h) = (sb.get(m).unwrap_or(&empty), sh.get(m).unwrap_or(&empty));
        let gained: Vec<DocRef> = h.difference(b).filter_map(|id| r(id)).collect();
        let lost: Vec<DocRef> = b.difference(h).filter_map(|id| r(id)).collect();
        if (!gained.is_empty() || !lost.is_empty())
            && let Some(ms) = r(m)
        {
            scopes.push(Scope {
                milestone: ms,
                gained,
                lost,
            });
        }
    }
    let mut slips = Vec::new();
    for f in hp.of_kind("feature") {
        let Some(old) = bp.get(&f.id) else { continue };
        let (Some(mb), Some(mh)) = (old.str("milestone"), f.str("milestone")) else {
            continue;
        };
        if let (Some(db), Some(dh)) = (bp.milestone_date(mb), hp.milestone_date(mh))
            && dh > db
        {
            slips.push(Slip {
                feature: doc_ref(f, config),
                from: mb.to_string(),
                to: mh.to_string(),
                days: dh - db,
            });
        }
    }
    (scopes, slips)
}

/// Rules the base side cannot be matched on: it is checked without
/// history, so these are facts about time, never caused by a change.
const HISTORY_RULES: &[Rule] = &[Rule::Stale];

/// The head's diagnostics that a change is responsible for: those on
/// documents it added or changed and in files it edited (`edited`, paths
/// relative to the plans root: a file that still does not parse holds no
/// document), plus any new elsewhere (a cross-document problem it caused,
/// like a reference it broke). For gating changes in a repository whose
/// old problems are not fixed yet.
pub fn changed_since(
    base: &Compiled,
    head: &Compiled,
    edited: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let d = compare("", "", base, head, None);
    let touched: BTreeSet<&str> = d
        .added
        .iter()
        .map(|r| r.id.as_str())
        .chain(d.changed.iter().map(|c| c.doc.id.as_str()))
        .collect();
    let new: Vec<&Diagnostic> = unmatched(head, base)
        .into_iter()
        .filter(|x| !HISTORY_RULES.contains(&x.rule))
        .collect();
    head.diagnostics
        .iter()
        .filter(|x| {
            touched.contains(owner_of(&head.plan, x).as_str())
                || edited.contains(&x.file)
                || new.contains(x)
        })
        .cloned()
        .collect()
}
