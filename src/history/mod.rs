//! History from git (docs/format.md#history): what each commit did to each document, as
//! field-level changes, and the facts derived from them (created, last
//! changed, days in each status, milestone slips, metric values over time,
//! milestone scope changes), plus the plan's change log.
//!
//! Two stages. Per commit, independently and in parallel: which plan files
//! changed, and the field changes of every document in them, found by id so
//! a moved file keeps its history. These results are cached by commit id.
//! Then one replay, oldest first, that keeps the state of every document to
//! derive facts and phrase changes in words.

mod ancestry;
pub mod diff;
pub mod replay;
pub mod snapshot;
pub mod store;
pub mod words;

use crate::config::Config;
use crate::schema::Registry;
use crate::source::Filter;
use crate::source::git::{CommitInfo, Git};
use ancestry::Ancestry;
use diff::FieldChange;
use git2::Oid;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use snapshot::{FileVersion, Snap};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use replay::{DocHistory, Event, Events, History, LogEntry};

/// What happened to a document in a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum What {
    /// It appeared.
    Created,
    /// It disappeared.
    Deleted,
    /// Its fields or body changed.
    Modified,
    /// Only its file moved: not a change for `stale`.
    Renamed,
}

/// One document's change in one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocChange {
    /// Document id.
    pub id: String,
    /// Kind after the change (before, for a deletion).
    pub kind: String,
    /// Title after the change.
    pub title: String,
    /// File after the change.
    pub file: String,
    /// What happened.
    pub what: What,
    /// The file it was in before, when it moved.
    pub from_file: Option<String>,
    /// Field changes (for a creation: every field, from nothing).
    pub fields: Vec<FieldChange>,
    /// Body sections added, removed or edited.
    pub sections: Vec<String>,
    /// The body after the change, as (heading, hash) per section, so the
    /// replay can tell which sections changed across a gap (a version
    /// that did not parse) where no commit compared them.
    pub body: Vec<(String, u64)>,
}

/// Everything one commit did to the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitChanges {
    /// The commit.
    pub commit: CommitInfo,
    /// Document changes, by id.
    pub docs: Vec<DocChange>,
    /// Files that did not parse at this commit: history has a gap there.
    pub unreadable: Vec<String>,
    /// Files whose version at this commit could not be read from the
    /// repository (a missing or damaged object): a gap too.
    pub missing: Vec<String>,
    /// The first commit of a shallow clone: its "creations" are where the
    /// available history starts, not real creations.
    pub boundary: bool,
    /// A merge: the documents of the files where its sides met, whole
    /// (every top-level field set), so the replay, which applies both
    /// sides' commits in time order, ends up with the side the merge kept.
    pub resolved: Vec<DocChange>,
    /// How the schemas typed the file versions these changes were read
    /// from, where it depended on them (sorted): the entry is kept while
    /// the schemas type them the same ([`TypedNow`]).
    pub typed: Vec<Typed>,
}

/// How a kind's schema typed a plain scalar the YAML core schema reads as
/// a number or a boolean, at one place of a document
/// ([`crate::schema::typing::witness`]): kind, place, and whether it was
/// made text. The history caches keep documents typed; they stay true
/// under schemas that answer the same at every such place, so editing a
/// schema (a description, a new field, another type where no document
/// has a number) keeps them, and a change that retypes what a commit read
/// reads that commit again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Typed(pub String, pub String, pub bool);

/// Whether kept history was typed as the current schemas type it
/// (see [`Typed`]); each place asked once.
pub struct TypedNow<'a> {
    registry: &'a Registry,
    /// Answers by kind, then place.
    asked: HashMap<String, HashMap<String, bool>>,
}

impl<'a> TypedNow<'a> {
    /// Asks the schemas of `registry`.
    pub fn new(registry: &'a Registry) -> TypedNow<'a> {
        TypedNow {
            registry,
            asked: HashMap::new(),
        }
    }

    /// True when the schemas type every place in `typed` as recorded.
    pub fn holds<'t>(&mut self, typed: impl IntoIterator<Item = &'t Typed>) -> bool {
        typed.into_iter().all(|Typed(kind, at, text)| {
            let known = self.asked.get(kind).and_then(|m| m.get(at)).copied();
            let now = known.unwrap_or_else(|| {
                let schema = self.registry.get(kind).map(|k| &k.typing);
                let now = crate::schema::typing::expects_text(schema, at);
                self.asked
                    .entry(kind.clone())
                    .or_default()
                    .insert(at.clone(), now);
                now
            });
            now == *text
        })
    }
}

impl CommitChanges {
    /// A commit with no changes found yet.
    fn new(commit: CommitInfo) -> CommitChanges {
        CommitChanges {
            commit,
            docs: Vec::new(),
            unreadable: Vec::new(),
            missing: Vec::new(),
            boundary: false,
            resolved: Vec::new(),
            typed: Vec::new(),
        }
    }
}

type BlobCache = HashMap<(Oid, String), Arc<FileVersion>>;

/// A file's path and its version before and after a change.
type Versions = (String, Option<Arc<FileVersion>>, Option<Arc<FileVersion>>);

/// A file's version by blob, read through the blob cache.
type VersionOf<'a> = dyn FnMut(Option<Oid>, &str) -> Option<Arc<FileVersion>> + 'a;

/// Reads what a merge commit changed. Its changes are those of the
/// commits it merges, which are read on their own, so a merge adds only
/// what it changed itself (each change is attributed once, to the commit
/// that made it): see `merge_changes`. Ordinary commits are read by
/// [`read_new`]'s passes.
fn merge_commit_changes(
    git: &Git,
    objects: &std::cell::RefCell<crate::source::git::Objects<'_, '_>>,
    id: Oid,
    reader: &Reader<'_>,
    blobs: &mut BlobCache,
    ancestry: &Ancestry,
) -> Result<CommitChanges, String> {
    let (filter, registry, config) = (&reader.filter, reader.inp.registry, reader.inp.config);
    let info = objects.borrow_mut().info(id);
    let mut out = CommitChanges::new(info?);
    let keep = |p: &str| filter.classify(p).is_some();
    let mut version = |blob: Option<Oid>, path: &str| -> Option<Arc<FileVersion>> {
        let blob = blob?;
        let key = (blob, path.to_string());
        if let Some(v) = blobs.get(&key) {
            return Some(v.clone());
        }
        let kind = filter.classify(path).flatten();
        // A version that cannot be read is a gap, not a deletion.
        let v = Arc::new(match objects.borrow_mut().blob(blob) {
            Some(bytes) => snapshot::read(path, bytes.to_vec(), kind, registry, config),
            None => FileVersion::Missing,
        });
        if blobs.len() > 50_000 {
            blobs.clear();
        }
        blobs.insert(key, v.clone());
        Some(v)
    };
    // The parents its object names, when the packs hold them all.
    let named = parent_ids(&out.commit);
    let parents = if !named.is_empty() && named.iter().all(|p| objects.borrow_mut().is_commit(*p)) {
        named
    } else {
        git.parents(id)
    };
    let trees = parents
        .iter()
        .map(|p| objects.borrow_mut().plans_tree(*p))
        .collect();
    let new_tree = objects.borrow_mut().plans_tree(id);
    let merge = Merge {
        git,
        objects,
        ancestry,
        trees,
        new_tree,
    };
    merge.changes(&parents, &keep, &mut version, &mut out);
    Ok(out)
}

impl Merge<'_, '_, '_> {
    /// What a merge adds to the commits it merges. Only a file that both
    /// sides changed since they parted can hold anything of the merge's own:
    /// there the sides met (a conflict, resolved). In such a file, a change
    /// against every parent (a value neither side had) is the merge's own and
    /// is attributed to it; and the merged documents are kept whole in
    /// `resolved`, for the replay to take the side the merge kept. A merge
    /// that brings in one side's files as they were adds nothing.
    fn changes(
        &self,
        parents: &[Oid],
        keep: &dyn Fn(&str) -> bool,
        version: &mut VersionOf<'_>,
        out: &mut CommitChanges,
    ) {
        let met = self.met(parents, keep);
        if met.is_empty() {
            return;
        }
        let against = self.against(&met, version, &out.commit);
        let Some((vs_first, vs_others)) = against.split_first() else {
            return;
        };
        out.unreadable = vs_first.unreadable.clone();
        out.missing = vs_first.missing.clone();
        let typed: std::collections::BTreeSet<&Typed> =
            against.iter().flat_map(|c| &c.typed).collect();
        out.typed = typed.into_iter().cloned().collect();
        own_changes(vs_first, vs_others, &mut out.docs);
        resolved(&met, version, &mut out.resolved);
    }
}

/// A merge being read: its parents' plans trees, and its own.
struct Merge<'a, 'g, 'p> {
    git: &'a Git,
    /// The objects it reads, shared with the reader of file versions.
    objects: &'a std::cell::RefCell<crate::source::git::Objects<'g, 'p>>,
    /// The commits listed so far, for merge bases.
    ancestry: &'a Ancestry,
    trees: Vec<Option<Oid>>,
    new_tree: Option<Oid>,
}

/// The files where a merge's sides met, with the merge's blob of each.
type Met = BTreeMap<String, Option<Oid>>;

impl Merge<'_, '_, '_> {
    /// The plan files (`keep`) where the sides met: those that at least
    /// two parents changed since their merge base.
    fn met(&self, parents: &[Oid], keep: &dyn Fn(&str) -> bool) -> Met {
        let git = self.git;
        let mut objects = self.objects.borrow_mut();
        let base_of = |a: Oid, b: Oid| match self.ancestry.merge_base(a, b) {
            Some(known) => known,
            None => git.merge_base(a, b).ok(),
        };
        let base = parents
            .split_first()
            .and_then(|(&a, rest)| rest.iter().try_fold(a, |base, &p| base_of(base, p)))
            .and_then(|b| objects.plans_tree(b));
        // A file two sides changed since the base was changed by a parent
        // after the first: those parents' changes are the candidates, and
        // usually few (a pull request's), where the first parent's (the
        // main line's since the branch) can be many.
        let mut candidates = std::collections::BTreeSet::new();
        for tree in self.trees.iter().skip(1) {
            for ch in objects.changes(base, *tree, keep) {
                candidates.insert(ch.path);
            }
        }
        let mut met = Met::new();
        for path in candidates {
            let before = objects.blob_at(base, &path);
            let sides: Vec<Option<Oid>> = self
                .trees
                .iter()
                .map(|t| objects.blob_at(*t, &path))
                .collect();
            let new = objects.blob_at(self.new_tree, &path);
            // Changed on two sides, and the merge differs from one of
            // them: where the merge differs from none, it added nothing.
            if sides.iter().filter(|b| **b != before).count() >= 2
                && sides.iter().any(|b| *b != new)
            {
                met.insert(path, new);
            }
        }
        met
    }

    /// The merge against each parent, over the files where the sides met.
    fn against(
        &self,
        met: &Met,
        version: &mut VersionOf<'_>,
        commit: &CommitInfo,
    ) -> Vec<CommitChanges> {
        self.trees
            .iter()
            .map(|tree| {
                let versions = met
                    .iter()
                    .map(|(path, new)| {
                        // Bound first: `version` borrows the objects too.
                        let old = self.objects.borrow_mut().blob_at(*tree, path);
                        (path.clone(), version(old, path), version(*new, path))
                    })
                    .collect();
                let mut c = CommitChanges::new(commit.clone());
                compare(versions, &mut c);
                c
            })
            .collect()
    }
}

/// The merge's own document changes, into `out`: those against the first
/// parent that it made against every other parent too, keeping only the
/// fields and sections changed against all of them.
fn own_changes(vs_first: &CommitChanges, vs_others: &[CommitChanges], out: &mut Vec<DocChange>) {
    for d in &vs_first.docs {
        let mut fields = d.fields.clone();
        let mut sections = d.sections.clone();
        let mut everywhere = true;
        for other in vs_others {
            match other.docs.iter().find(|o| o.id == d.id && o.what == d.what) {
                Some(o) => {
                    fields.retain(|f| o.fields.iter().any(|g| g.field == f.field));
                    sections.retain(|s| o.sections.contains(s));
                }
                None => everywhere = false,
            }
        }
        if !everywhere {
            continue;
        }
        match d.what {
            What::Created | What::Deleted => out.push(d.clone()),
            What::Modified if !fields.is_empty() || !sections.is_empty() => {
                out.push(DocChange {
                    fields,
                    sections,
                    from_file: None,
                    ..d.clone()
                });
            }
            _ => {}
        }
    }
}

/// The documents of the files where the sides met, as the merge left
/// them, into `out`: whole, every top-level field set from nothing.
fn resolved(met: &Met, version: &mut VersionOf<'_>, out: &mut Vec<DocChange>) {
    for (path, new) in met {
        if let Some(FileVersion::Docs(docs)) = version(*new, path).as_deref() {
            for s in docs {
                let fields = match &s.fields {
                    serde_json::Value::Object(o) => o
                        .iter()
                        .map(|(k, v)| FieldChange {
                            field: k.clone(),
                            from: None,
                            to: Some(v.clone()),
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                out.push(DocChange {
                    id: s.id.clone(),
                    kind: s.kind.clone(),
                    title: s.title.clone(),
                    file: s.file.clone(),
                    what: What::Modified,
                    from_file: None,
                    fields,
                    sections: Vec::new(),
                    body: s.sections.clone(),
                });
            }
        }
    }
}

/// Adds to a commit's typing records those of every version it read,
/// before and after, each once: the cache of this commit holds only while
/// the schemas type each of them the same way ([`TypedNow`]).
fn add_typed(versions: &[Versions], out: &mut CommitChanges) {
    let mut typed: std::collections::BTreeSet<Typed> = out.typed.drain(..).collect();
    for (_, old, new) in versions {
        for v in [old, new] {
            if let Some(FileVersion::Docs(d)) = v.as_deref() {
                for s in d {
                    typed.extend(
                        s.typed
                            .iter()
                            .map(|(at, text)| Typed(s.kind.clone(), at.clone(), *text)),
                    );
                }
            }
        }
    }
    out.typed = typed.into_iter().collect();
}

/// Document changes between two versions of a set of files: matched by
/// id across files, so a document that moved keeps its history.
fn compare(versions: Vec<Versions>, out: &mut CommitChanges) {
    // Borrowed: a commit's versions are shared with every commit that
    // names them, and most of their fields are only compared.
    let mut before: BTreeMap<&str, &Snap> = BTreeMap::new();
    let mut after: BTreeMap<&str, &Snap> = BTreeMap::new();
    let mut blind: Vec<&str> = Vec::new();
    for (path, old, new) in &versions {
        match (old.as_deref(), new.as_deref()) {
            (_, Some(gap @ (FileVersion::Unreadable | FileVersion::Missing))) => {
                if *gap == FileVersion::Missing {
                    out.missing.push(path.clone());
                } else {
                    out.unreadable.push(path.clone());
                }
                if let Some(FileVersion::Docs(d)) = old.as_deref() {
                    blind.extend(d.iter().map(|s| s.id.as_str()));
                }
                continue;
            }
            (Some(FileVersion::Docs(d)), _) => {
                for s in d {
                    before.entry(s.id.as_str()).or_insert(s);
                }
            }
            _ => {}
        }
        if let Some(FileVersion::Docs(d)) = new.as_deref() {
            for s in d {
                after.entry(s.id.as_str()).or_insert(s);
            }
        }
    }
    add_typed(&versions, out);
    for (&id, &new) in &after {
        match before.get(id).copied() {
            Some(old) => {
                let fields = diff::fields(&old.fields, &new.fields);
                let sections = diff::sections(old, new);
                let moved = (old.file != new.file).then(|| old.file.clone());
                let what = if fields.is_empty() && sections.is_empty() {
                    if moved.is_none() {
                        continue;
                    }
                    What::Renamed
                } else {
                    What::Modified
                };
                out.docs.push(DocChange {
                    id: id.to_string(),
                    kind: new.kind.clone(),
                    title: new.title.clone(),
                    file: new.file.clone(),
                    what,
                    from_file: moved,
                    fields,
                    sections,
                    body: new.sections.clone(),
                });
            }
            None => out.docs.push(DocChange {
                id: id.to_string(),
                kind: new.kind.clone(),
                title: new.title.clone(),
                file: new.file.clone(),
                what: What::Created,
                from_file: None,
                fields: diff::fields(&serde_json::Value::Object(Default::default()), &new.fields),
                sections: new
                    .sections
                    .iter()
                    .map(|(t, _)| t.clone())
                    .filter(|t| !t.is_empty())
                    .collect(),
                body: new.sections.clone(),
            }),
        }
    }
    for (&id, &old) in &before {
        if !after.contains_key(id) && !blind.contains(&id) {
            out.docs.push(DocChange {
                id: id.to_string(),
                kind: old.kind.clone(),
                title: old.title.clone(),
                file: old.file.clone(),
                what: What::Deleted,
                from_file: None,
                fields: Vec::new(),
                sections: Vec::new(),
                body: Vec::new(),
            });
        }
    }
}

/// A fingerprint of everything that decides how commits are read, apart
/// from how the schemas type documents (which each entry records, see
/// [`Typed`]): the northstar version and the config's settings that say
/// which files are plans and how they are read (`paths`, `exclude`,
/// `today`, `cache`, the kinds' `schema`, `files`, `id`, `title`, `body`,
/// `public`, `required_sections`). What only the site or the checks use
/// (`product`, `site`, `rules`, a kind's `name`, `plural`, `status`,
/// `lifecycle` and `target`, comments, the order of keys) is left out:
/// editing it keeps the history cache, so iterating on how a repository
/// of specs is shown does not replay its whole history on every try.
pub fn fingerprint(config: &Config) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprint::hasher();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    (&config.paths, &config.exclude, &config.today, &config.cache).hash(&mut h);
    for (name, k) in &config.kinds {
        let read = (&k.schema, &k.files, &k.id, &k.title, &k.body, k.public);
        // A kind named only to set how it is shown reads as if unnamed.
        if read != (&None, &None, &None, &None, &None, false)
            || k.required_sections.is_some()
            || k.status_section.is_some()
        {
            (name, read, &k.required_sections, &k.status_section).hash(&mut h);
        }
    }
    format!("{:016x}", h.finish())
}

/// What a history read needs besides the repository.
pub struct Inputs<'a> {
    /// The config (of the revision being built).
    pub config: &'a Config,
    /// The kinds.
    pub registry: &'a Registry,
    /// Where the cache file lives (None: no cache).
    pub cache: Option<std::path::PathBuf>,
    /// The state at HEAD, if its reading was started early.
    pub prefetch: Option<&'a store::state::Prefetch>,
}

/// Per-commit changes of every commit reachable from `tip`, oldest first,
/// from the cache where possible, in parallel otherwise. Returns the
/// changes and a note about the cache when it had to be rebuilt.
///
/// The build of HEAD owns the cache: it rebuilds one written for another
/// config, and keeps only the commits it reads. A build of another
/// revision (`--as-of`, `head` false) is read with that revision's config:
/// it leaves a cache written for another config alone (the next build of
/// HEAD would otherwise have to rebuild it), and adds its commits to one
/// written for the same config, dropping none.
fn read_commits(git: &Git, tip: Oid, head: bool, inp: &Inputs<'_>) -> Result<ReadCommits, String> {
    let t = crate::timings::phase("history: list commits");
    let (ids, mut skipped) = git.commits(tip)?;
    drop(t);
    let load = crate::timings::phase("history: load cache");
    let fp = fingerprint(inp.config);
    let mut write = true;
    let (mut cached, note) = match inp.cache.as_deref().map(|p| store::commits::load(p, &fp)) {
        Some(store::commits::Loaded::Entries(mut e)) => {
            // Entries read from versions the schemas now type otherwise
            // are read again. A build of another revision, whose schemas
            // may differ from HEAD's, then leaves the cache alone, as it
            // leaves one written for another config.
            let mut now = TypedNow::new(inp.registry);
            let all = e.len();
            e.retain(|_, c| now.holds(&c.typed));
            if !head && e.len() < all {
                write = false;
            }
            (e, None)
        }
        Some(store::commits::Loaded::Corrupt) => (
            HashMap::new(),
            Some("the history cache was unreadable and has been rebuilt".to_string()),
        ),
        Some(store::commits::Loaded::Stale) if !head => {
            write = false;
            (HashMap::new(), None)
        }
        Some(store::commits::Loaded::Stale) => (
            HashMap::new(),
            Some(
                "the history cache was for another config or version and has been rebuilt"
                    .to_string(),
            ),
        ),
        _ => (HashMap::new(), None),
    };
    drop(load);
    // Whether a commit is where a shallow clone's history starts is not a
    // property of the commit: a clone deepened (or made shallower) since
    // the cache was written has its entries for such commits read again.
    let shallow = git.shallow_roots();
    let missing: Vec<Oid> = ids
        .iter()
        .filter(|id| {
            cached
                .get(&id.to_string())
                .is_none_or(|c| c.boundary != shallow.contains(id))
        })
        .copied()
        .collect();
    let mut pending = None;
    if !missing.is_empty() {
        let (read, bad) = read_new(git, &missing, inp)?;
        skipped.extend(bad);
        for c in read {
            cached.insert(c.commit.id.clone(), c);
        }
        if let Some(path) = inp.cache.as_ref().filter(|_| write) {
            pending = Some(CacheWrite {
                path: path.clone(),
                fp: fp.clone(),
                kept: Vec::new(),
            });
        }
    }
    let out = ids
        .iter()
        .filter_map(|id| cached.remove(&id.to_string()))
        .collect();
    // What is left was read for other revisions: an as-of build keeps it.
    if let Some(w) = pending.as_mut().filter(|_| !head) {
        w.kept = cached.into_values().collect();
        w.kept
            .sort_by(|a, b| (a.commit.time, &a.commit.id).cmp(&(b.commit.time, &b.commit.id)));
    }
    Ok((out, note, pending, skipped))
}

/// The commits read, a note when the cache was rebuilt, the cache to
/// write, and a note for each commit left out (see [`read_new`]).
type ReadCommits = (
    Vec<CommitChanges>,
    Option<String>,
    Option<CacheWrite>,
    Vec<String>,
);

/// A per-commit cache to write once the commits are read: it is written
/// while they are replayed.
struct CacheWrite {
    path: std::path::PathBuf,
    fp: String,
    /// Entries for commits not reachable from this build's revision.
    kept: Vec<CommitChanges>,
}

impl CacheWrite {
    /// Writes `kept`, then `commits`; a cache that cannot be written only
    /// costs time next run.
    fn write(&self, commits: &[CommitChanges]) {
        let _t = crate::timings::phase("history: save cache");
        let _ = store::commits::save(&self.path, &self.fp, self.kept.iter().chain(commits));
    }
}

/// How many new commits a build replays on the cached state before it
/// writes the state again.
const RESAVE_AFTER: usize = 32;

/// Most commits read in one window of [`read_new`]: bounds the file
/// versions held in memory at once (the newest version of each file is
/// carried into the next window, where it is the old one).
const WINDOW: usize = 5_000;

/// What a commit's trees say it changed, before any file is read.
enum Listed {
    /// An ordinary commit: the plan files changed against its first parent.
    Linear {
        commit: CommitInfo,
        boundary: bool,
        changes: Vec<crate::source::git::Change>,
    },
    /// A merge, with its parents: read on its own
    /// ([`merge_commit_changes`]).
    Merge(Oid, Vec<Oid>),
    /// A commit whose details do not read (libgit2 refuses it: no author,
    /// a date that overflows): left out of the history, with a note. Its
    /// children still compare with its tree.
    Bad(String),
}

/// A commit's parents as ids (a parent whose id does not parse is left
/// out: a walk reaching for it asks git).
fn parent_ids(commit: &CommitInfo) -> Vec<Oid> {
    commit
        .parents
        .iter()
        .filter_map(|p| Oid::from_str(p).ok())
        .collect()
}

/// The note for a commit left out of the history.
fn bad_commit_note(id: Oid, problem: &str) -> String {
    format!(
        "commit {} could not be read ({problem}): it is left out of the history",
        crate::source::git::short(id)
    )
}

/// Reads what each of `ids` changed, in the order given, in three passes
/// per window of commits: the trees of every commit (in parallel, one run
/// of consecutive commits per thread, where a commit's parent tree is the
/// one just read); then every file version those changes name, once, in
/// the order the packs hold them (see below), in parallel; then the
/// document changes of each commit from those versions. Reading files
/// apart from trees, in pack order, lets each thread's pack reader find a
/// delta's base among the objects it decoded just before.
///
/// A commit whose details do not read is left out, with a note (the
/// second value), rather than failing the whole history.
fn read_new(
    git: &Git,
    ids: &[Oid],
    inp: &Inputs<'_>,
) -> Result<(Vec<CommitChanges>, Vec<String>), String> {
    let _t = crate::timings::phase("history: read new commits");
    let reader = Reader {
        filter: Filter::new(inp.config),
        location: git.location(),
        packs: git.packs(),
        threads: rayon::current_num_threads().max(1),
        // Worth its few milliseconds only when many versions are read.
        large: ids.len() >= 64,
        inp,
    };
    let mut out = Vec::with_capacity(ids.len());
    let mut notes = Vec::new();
    let mut carried = BlobCache::new();
    let mut ancestry = Ancestry::default();
    for window in ids.chunks(WINDOW) {
        let commits = reader.list(window, &mut notes)?;
        for (id, listed) in window.iter().zip(&commits) {
            match listed {
                Listed::Linear { commit, .. } => ancestry.add(*id, parent_ids(commit)),
                Listed::Merge(_, parents) => ancestry.add(*id, parents.clone()),
                Listed::Bad(_) => {}
            }
        }
        let (mut versions, newest) = reader.versions(&commits, carried)?;
        reader.compare_all(commits, &versions, &ancestry, &mut out)?;
        carried = carry(newest, &mut versions);
        // Freeing a window's versions (thousands of small maps) took as
        // long as comparing them: it runs beside the next window instead.
        let _ = std::thread::Builder::new().spawn(move || drop(versions));
    }
    Ok((out, notes))
}

/// What the passes of [`read_new`] share: where the repository is (each
/// thread opens its own) and its packs, which files are plan files, and
/// how many threads share the work.
struct Reader<'a> {
    filter: Filter,
    location: crate::source::git::Location,
    packs: crate::source::pack::Packs,
    threads: usize,
    /// Whether enough commits are read to sort versions in pack order.
    large: bool,
    inp: &'a Inputs<'a>,
}

/// The newest blob of each file a window changed (None: deleted).
type Newest = HashMap<String, Option<Oid>>;

impl Reader<'_> {
    /// Pass 1: what each commit of `window` changed, from its trees, in
    /// parallel. Commits whose details do not read become notes.
    fn list(&self, window: &[Oid], notes: &mut Vec<String>) -> Result<Vec<Listed>, String> {
        let _t = crate::timings::phase("history: read: trees");
        let chunk = window.len().div_ceil(self.threads).max(64);
        let listed: Vec<Result<Vec<Listed>, String>> = window
            .par_chunks(chunk)
            .map(|part| {
                let g = self.location.open()?;
                let mut objects = g.objects(&self.packs);
                Ok(part
                    .iter()
                    .map(|&id| self.list_one(&g, &mut objects, id))
                    .collect())
            })
            .collect();
        let mut commits = Vec::with_capacity(window.len());
        for l in listed {
            for l in l? {
                match l {
                    Listed::Bad(note) => notes.push(note),
                    l => commits.push(l),
                }
            }
        }
        Ok(commits)
    }

    /// What one commit's trees say it changed against its first parent.
    fn list_one(
        &self,
        g: &Git,
        objects: &mut crate::source::git::Objects<'_, '_>,
        id: Oid,
    ) -> Listed {
        let commit = match objects.info(id) {
            Ok(c) => c,
            Err(e) => return Listed::Bad(bad_commit_note(id, &e)),
        };
        if commit.parents.len() > 1 {
            return Listed::Merge(id, parent_ids(&commit));
        }
        let keep = |p: &str| self.filter.classify(p).is_some();
        let parent = objects.first_parent(&commit);
        let boundary = parent.is_none() && g.is_boundary(id);
        let old = parent.and_then(|p| objects.plans_tree(p));
        let new = objects.plans_tree(id);
        let changes = objects.changes(old, new, &keep);
        // A tree that does not read compares as empty: a commit that seems
        // to delete files is checked, and left out if its tree is damaged,
        // rather than shown deleting every document.
        if (new.is_none() || changes.iter().any(|c| c.new.is_none()))
            && let Err(e) = g.readable(id)
        {
            return Listed::Bad(bad_commit_note(id, &e));
        }
        Listed::Linear {
            commit,
            boundary,
            changes,
        }
    }

    /// Pass 2: every file version the commits name, once: those `carried`
    /// from the window before, and the rest read in parallel. Also returns
    /// each file's newest blob, to carry into the next window.
    fn versions(
        &self,
        commits: &[Listed],
        carried: BlobCache,
    ) -> Result<(BlobCache, Newest), String> {
        let _t = crate::timings::phase("history: read: files");
        let (need, newest) = needed(commits, &carried);
        let read = self.read_versions(need);
        let mut versions = carried;
        for r in read {
            versions.extend(r?);
        }
        Ok((versions, newest))
    }

    /// Reads the versions `need` names, in parallel, sorted into the
    /// packs' order first: git writes a delta after its base, so each
    /// delta finds its base in the reader's cache, where commit order or
    /// path order would decode the same bases again.
    fn read_versions(&self, mut need: Vec<(Oid, &str)>) -> Vec<Result<BlobCache, String>> {
        let positions: HashMap<Oid, (usize, u64)> = if self.large {
            need.iter()
                .filter_map(|(b, _)| Some((*b, self.packs.position(b)?)))
                .collect()
        } else {
            HashMap::new()
        };
        need.sort_by_key(|(blob, _)| positions.get(blob).copied());
        need.par_chunks(need.len().div_ceil(self.threads).max(256))
            .map(|part| {
                let g = self.location.open()?;
                let mut objects = g.objects(&self.packs);
                let mut seen = snapshot::Seen::default();
                let mut got = BlobCache::new();
                for &(blob, path) in part {
                    let kind = self.filter.classify(path).flatten();
                    // A version that cannot be read is a gap in the
                    // history, not a deletion and a re-creation.
                    let Some(bytes) = objects.blob(blob) else {
                        got.insert((blob, path.to_string()), Arc::new(FileVersion::Missing));
                        continue;
                    };
                    let inp = (self.inp.registry, self.inp.config);
                    let v = snapshot::read_seen(path, &bytes, kind, inp, &mut seen);
                    got.insert((blob, path.to_string()), Arc::new(v));
                }
                Ok(got)
            })
            .collect()
    }

    /// Pass 3: the document changes of each commit, in parallel, from the
    /// versions read, appended to `out` in order.
    fn compare_all(
        &self,
        commits: Vec<Listed>,
        versions: &BlobCache,
        ancestry: &Ancestry,
        out: &mut Vec<CommitChanges>,
    ) -> Result<(), String> {
        let _t = crate::timings::phase("history: read: compare");
        let done: Vec<Result<CommitChanges, String>> = commits
            .into_par_iter()
            .map_init(
                || (None::<Git>, BlobCache::new(), None),
                |(g, blobs, reader), listed| match listed {
                    Listed::Linear {
                        commit,
                        boundary,
                        changes,
                    } => Ok(linear_changes(commit, boundary, &changes, versions)),
                    Listed::Merge(id, _) => {
                        if g.is_none() {
                            *g = Some(self.location.open()?);
                        }
                        let g = g.as_ref().ok_or("repository not open")?;
                        // One pack reader for a thread's merges: the trees
                        // they read are deltas of one another's.
                        let kept = reader.take().unwrap_or_else(|| self.packs.reader());
                        let objects = std::cell::RefCell::new(g.objects_with(kept));
                        let read = merge_commit_changes(g, &objects, id, self, blobs, ancestry);
                        *reader = Some(objects.into_inner().into_reader());
                        read
                    }
                    Listed::Bad(note) => Err(note),
                },
            )
            .collect();
        for d in done {
            out.push(d?);
        }
        Ok(())
    }
}

/// The file versions `commits` name that are not `carried` over, each
/// once, and each file's newest blob.
fn needed<'c>(commits: &'c [Listed], carried: &BlobCache) -> (Vec<(Oid, &'c str)>, Newest) {
    let mut seen: std::collections::HashSet<(Oid, &str)> = Default::default();
    let mut need: Vec<(Oid, &str)> = Vec::new();
    let mut newest = Newest::new();
    for c in commits {
        if let Listed::Linear { changes, .. } = c {
            for ch in changes {
                newest.insert(ch.path.clone(), ch.new);
                for blob in [ch.old, ch.new].into_iter().flatten() {
                    if !carried.contains_key(&(blob, ch.path.clone()))
                        && seen.insert((blob, ch.path.as_str()))
                    {
                        need.push((blob, ch.path.as_str()));
                    }
                }
            }
        }
    }
    (need, newest)
}

/// The document changes of an ordinary commit, from the versions before
/// and after of the files it changed.
fn linear_changes(
    commit: CommitInfo,
    boundary: bool,
    changes: &[crate::source::git::Change],
    versions: &BlobCache,
) -> CommitChanges {
    let mut out = CommitChanges {
        boundary,
        ..CommitChanges::new(commit)
    };
    let get = |blob: Option<Oid>, path: &str| {
        blob.and_then(|b| versions.get(&(b, path.to_string())).cloned())
    };
    let list = changes
        .iter()
        .map(|ch| {
            (
                ch.path.clone(),
                get(ch.old, &ch.path),
                get(ch.new, &ch.path),
            )
        })
        .collect();
    compare(list, &mut out);
    out
}

/// Takes each file's newest version out of `versions`: the next window's
/// old one.
fn carry(newest: Newest, versions: &mut BlobCache) -> BlobCache {
    newest
        .into_iter()
        .filter_map(|(path, blob)| {
            let key = (blob?, path);
            let v = versions.remove(&key)?;
            Some((key, v))
        })
        .collect()
}

/// The replay of every commit reachable from `head`, and a note when the
/// cache had to be rebuilt. Building HEAD (`is_head`) starts from the
/// cached state of an earlier HEAD when it can (see [`state`]) and leaves
/// the state at this one for the next build.
fn replayed(
    git: &Git,
    head: Oid,
    is_head: bool,
    inp: &Inputs<'_>,
) -> Result<(replay::Replay, Vec<String>), String> {
    let fp = fingerprint(inp.config);
    let state_path = inp
        .cache
        .as_ref()
        .filter(|_| is_head)
        .map(|p| store::state_path(p));
    let shallow: Vec<String> = git.shallow_roots().iter().map(Oid::to_string).collect();
    // A cache file that is there but is not read (a symbolic link, not a
    // regular file, too large: see `store::file`) is said, and the history
    // is read in full, so that both files are written again, as files.
    let refused: Vec<String> = [inp.cache.as_deref(), state_path.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(|p| store::file::refusal(p, store::file::MAX_BYTES))
        .collect();
    let state = state_path.as_deref().map(|path| StateFile {
        path,
        fp: &fp,
        cache: inp.cache.as_deref(),
        shallow: &shallow,
    });
    if let Some(state) = state.as_ref().filter(|_| refused.is_empty())
        && let Some(replay) = state.replay_since(git, head, inp)?
    {
        return Ok((replay, Vec::new()));
    }
    let (replay, note) = replay_all(git, head, is_head, inp, state.as_ref())?;
    Ok((replay, refused.into_iter().chain(note).collect()))
}

/// Reads and replays every commit reachable from `head`, from the
/// per-commit cache where it can, and saves the state when there is a
/// `state` file to save it to. Returns the replay and a note when the
/// cache had to be rebuilt.
fn replay_all(
    git: &Git,
    head: Oid,
    is_head: bool,
    inp: &Inputs<'_>,
    state: Option<&StateFile<'_>>,
) -> Result<(replay::Replay, Option<String>), String> {
    let (commits, note, pending, skipped) = read_commits(git, head, is_head, inp)?;
    // The per-commit cache is written while the commits are replayed; the
    // state, which records where that cache ends, after both.
    let ((), replay) = rayon::join(
        || {
            if let Some(w) = &pending {
                w.write(&commits);
            }
        },
        || {
            let _t = crate::timings::phase("history: replay");
            let mut replay = replay::Replay::new();
            for c in &commits {
                replay.commit(c);
            }
            // Kept in the state with the history they are about.
            for n in skipped {
                replay.note(n);
            }
            replay
        },
    );
    let max_time = commits.iter().map(|c| c.commit.commit_time).max();
    // Freed beside what follows, as in `read_new`.
    let _ = std::thread::Builder::new().spawn(move || drop((commits, pending)));
    let replay = match state {
        Some(state) => state.save(head, max_time.unwrap_or(i64::MIN), replay),
        None => replay,
    };
    Ok((replay, note))
}

/// The state file of a build of HEAD, and what a saved state must match
/// to be used: the fingerprint, and where a shallow clone starts.
struct StateFile<'a> {
    path: &'a std::path::Path,
    fp: &'a str,
    /// The per-commit cache beside it, whose length the state records.
    cache: Option<&'a std::path::Path>,
    shallow: &'a [String],
}

impl StateFile<'_> {
    /// The saved state brought up to `head` by replaying only the commits
    /// since it, or None when the history must be replayed from the start:
    /// no usable state, a `head` not descended from its HEAD, new commits
    /// not in an order that appending reproduces, or a damaged state.
    fn replay_since(
        &self,
        git: &Git,
        head: Oid,
        inp: &Inputs<'_>,
    ) -> Result<Option<replay::Replay>, String> {
        let t = crate::timings::phase("history: load state");
        let saved = inp
            .prefetch
            .and_then(|p| p.take(self.path, self.fp))
            .unwrap_or_else(|| store::state::load(self.path, self.fp))
            .filter(|s| s.shallow == self.shallow);
        drop(t);
        // A state replayed from versions the schemas now type otherwise
        // is replayed again, from the per-commit cache.
        let Some(saved) = saved.filter(|s| TypedNow::new(inp.registry).holds(s.replay.typed()))
        else {
            return Ok(None);
        };
        if saved.head == head.to_string() {
            return Ok(Some(saved.replay));
        }
        let since = Oid::from_str(&saved.head).ok();
        let Some(new) = since.and_then(|s| git.commits_since(head, s)) else {
            return Ok(None);
        };
        let changes = self.changes_of(git, &new, inp, saved.cache_len)?;
        if !appends_in_order(&changes, new.len(), saved.max_time) {
            return Ok(None);
        }
        let mut replay = saved.replay;
        let mut max_time = saved.max_time;
        {
            let _t = crate::timings::phase("history: replay new commits");
            for c in &changes {
                replay.commit(c);
                max_time = max_time.max(c.commit.commit_time);
            }
        }
        // A block of the state that did not read (a state written wrong)
        // would have lost the changes before these: replay from the start
        // instead, from the per-commit cache.
        if replay.damaged() {
            return Ok(None);
        }
        // Writing the state costs as much as loading it, and replaying a
        // few commits far less: a build after a handful of commits leaves
        // the state where it was.
        if changes.len() >= RESAVE_AFTER {
            return Ok(Some(self.save(head, max_time, replay)));
        }
        Ok(Some(replay))
    }

    /// The per-commit changes of `new`, in its order. Commits read since
    /// the state was written sit at the end of the per-commit cache (from
    /// `cache_len` on): taken from there; the rest are read, and appended
    /// to that cache.
    fn changes_of(
        &self,
        git: &Git,
        new: &[Oid],
        inp: &Inputs<'_>,
        cache_len: u64,
    ) -> Result<Vec<CommitChanges>, String> {
        let mut known = self
            .cache
            .map(|p| store::commits::tail(p, self.fp, cache_len))
            .unwrap_or_default();
        let mut now = TypedNow::new(inp.registry);
        known.retain(|_, c| now.holds(&c.typed));
        let missing: Vec<Oid> = new
            .iter()
            .filter(|id| !known.contains_key(&id.to_string()))
            .copied()
            .collect();
        // A commit left out (`read_new`'s notes) makes the new commits
        // fewer than listed: replayed from the start instead, where its
        // note is kept.
        let (read, _) = read_new(git, &missing, inp)?;
        if let Some(p) = self.cache {
            // A cache that cannot be written only costs time next run.
            let _ = store::commits::append(p, self.fp, read.iter());
        }
        known.extend(read.into_iter().map(|c| (c.commit.id.clone(), c)));
        Ok(new
            .iter()
            .filter_map(|id| known.remove(&id.to_string()))
            .collect())
    }

    /// Writes the state file, handing the replay back; a state that cannot
    /// be written only costs time next run.
    fn save(&self, head: Oid, max_time: i64, mut replay: replay::Replay) -> replay::Replay {
        let _t = crate::timings::phase("history: save state");
        replay.write_blocks_ahead();
        // Where the per-commit cache ends now: entries after it were read
        // after this state.
        let cache_len = self
            .cache
            .and_then(|c| std::fs::symlink_metadata(c).ok())
            .filter(std::fs::Metadata::is_file)
            .map_or(0, |m| m.len());
        let _ = store::state::save(
            self.path,
            self.fp,
            head.to_string(),
            max_time,
            cache_len,
            self.shallow,
            &replay,
        );
        if let Some(dir) = self.path.parent() {
            store::remove_retired(dir);
        }
        replay
    }
}

/// Whether replaying `changes` after a state whose newest commit time is
/// `after` gives the order a full replay would: all `listed` commits are
/// there, and time alone orders them after the old ones and among
/// themselves (strictly increasing commit times; equal times are ordered
/// by how git's walk reached them, which the old HEAD takes part in).
fn appends_in_order(changes: &[CommitChanges], listed: usize, after: i64) -> bool {
    changes.len() == listed
        && changes
            .iter()
            .try_fold(after, |last, c| {
                (c.commit.commit_time > last).then_some(c.commit.commit_time)
            })
            .is_some()
}

/// The edits in the working tree relative to `head`, as a pseudo-commit
/// dated `now` (seconds).
pub fn worktree(
    git: &Git,
    head: Oid,
    root: &std::path::Path,
    working: &[String],
    inp: &Inputs<'_>,
    now: i64,
) -> CommitChanges {
    let filter = Filter::new(inp.config);
    let keep = |p: &str| filter.classify(p).is_some();
    let mut out = CommitChanges::new(CommitInfo {
        id: String::new(),
        author: "uncommitted".into(),
        email: String::new(),
        time: now,
        commit_time: now,
        offset: 0,
        commit_offset: 0,
        summary: "not committed yet".into(),
        parents: Vec::new(),
        clamped: false,
    });
    let read = |path: &str, bytes: Vec<u8>| {
        Arc::new(snapshot::read(
            path,
            bytes,
            filter.classify(path).flatten(),
            inp.registry,
            inp.config,
        ))
    };
    let versions = git
        .worktree_changes(head, root, working, &keep)
        .into_iter()
        .map(|(path, old, new)| {
            let old = old.map(|o| match git.blob(o) {
                Ok(b) => read(&path, b),
                Err(_) => Arc::new(FileVersion::Missing),
            });
            let new = new.map(|b| read(&path, b));
            (path, old, new)
        })
        .collect();
    compare(versions, &mut out);
    out.unreadable.clear();
    out.missing.clear();
    out
}

/// The history of a plans repository at `tip` (HEAD when None), with the
/// working tree's edits when building HEAD. Never fails: without git, or
/// with a broken repository, the plan builds with no history and a note.
pub fn read(
    root: &std::path::Path,
    tip: Option<Oid>,
    working: &[String],
    inp: &Inputs<'_>,
    now: i64,
) -> History {
    committed(root, tip, inp).finish(root, working, inp, now)
}

/// History up to the commit built, before the working tree's edits:
/// `serve` keeps it while HEAD stays put and applies the working tree again
/// after every edit ([`Committed::finish`] on a clone).
#[derive(Clone)]
pub struct Committed {
    replay: replay::Replay,
    /// The commit built; None without git or without commits.
    head: Option<Oid>,
    /// Whether the working tree's edits apply (building HEAD).
    worktree: bool,
    /// The config's `today`.
    pinned: Option<i64>,
}

/// Reads the committed part of the history (see [`read`]).
pub fn committed(root: &std::path::Path, tip: Option<Oid>, inp: &Inputs<'_>) -> Committed {
    let mut replay = replay::Replay::new();
    let pinned = inp.config.today.as_deref().and_then(crate::dates::parse);
    let out = |replay, head| Committed {
        replay,
        head,
        worktree: tip.is_none(),
        pinned,
    };
    let t = crate::timings::phase("history: discover");
    let Some(git) = Git::discover(root) else {
        replay.note("not in a git repository: built without history".into());
        return out(replay, None);
    };
    let head = match tip.map_or_else(|| git.head_commit(), |t| Ok(Some(t))) {
        Ok(Some(h)) => h,
        Ok(None) => {
            replay.note("the git repository has no commits yet: built without history".into());
            return out(replay, None);
        }
        Err(e) => {
            replay.note(format!(
                "HEAD could not be read from the repository ({e}): built without history"
            ));
            return out(replay, None);
        }
    };
    // A commit built whose tree does not read (a damaged pack) would show
    // every plan file as created and not committed yet: no history, and a
    // note, instead.
    if let Err(e) = git.readable(head) {
        replay.note(format!(
            "the commit built, {}, could not be read from the repository ({e}): built without history",
            crate::source::git::short(head)
        ));
        return out(replay, None);
    }
    drop(t);
    match replayed(&git, head, tip.is_none(), inp) {
        Ok((r, notes)) => {
            replay = r;
            for n in notes.into_iter().rev() {
                replay.note_first(n);
            }
        }
        Err(e) => replay.note(format!("could not read git history: {e}")),
    }
    let head_day = git.info(head).ok().map(|i| i.commit_day());
    replay.set_head_day(head_day);
    out(replay, Some(head))
}

impl Committed {
    /// The full history: the working tree's edits (`working`: the plan
    /// files on disk) applied when building HEAD, and "today" decided
    /// (`clock`: the local date, for a tree that is not as committed).
    pub fn finish(
        self,
        root: &std::path::Path,
        working: &[String],
        inp: &Inputs<'_>,
        clock: i64,
    ) -> History {
        let Committed {
            mut replay,
            head,
            worktree: apply,
            pinned,
        } = self;
        let Some(head) = head else {
            return replay.finish(pinned.unwrap_or(clock));
        };
        let head_day = replay.head_day();
        let t = crate::timings::phase("history: working tree");
        let wt = if apply {
            Git::discover(root).map(|git| worktree(&git, head, root, working, inp, clock * 86_400))
        } else {
            None
        };
        drop(t);
        let dirty = wt.as_ref().is_some_and(|w| !w.docs.is_empty());
        // docs/format.md#today: the pinned day; else, when the plans are as committed, the
        // committer date of the commit built; else the clock.
        let today = pinned.unwrap_or(match (dirty, head_day) {
            (false, Some(d)) => d,
            _ => clock,
        });
        if let Some(mut wt) = wt {
            // Uncommitted edits are made "today": with a pinned day, that is
            // the pin, so they neither postdate the build's today nor make its
            // output depend on the calendar.
            wt.commit.time = today * 86_400;
            wt.commit.commit_time = today * 86_400;
            replay.uncommitted(&wt);
        }
        let _t = crate::timings::phase("history: finish");
        replay.finish(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a commit read is kept while the schemas type it the same: a
    /// place recorded as a number holds under a schema that says nothing
    /// there, and not once the schema makes it text (nor the reverse).
    #[test]
    fn typed_now_answers_from_the_current_schemas() {
        let config = crate::config::parse(
            "product: p\nkinds:\n  kep:\n    schema: schema/kep.json\n    files: \"keps/*/kep.yaml\"\n",
        )
        .expect("config");
        let registry = |schema: &str| {
            let schemas = BTreeMap::from([("kep".to_string(), schema.to_string())]);
            Registry::new(&config.kinds, &schemas).expect("registry")
        };
        let open = registry(r#"{"type": "object", "properties": {"n": {"type": "string"}}}"#);
        let text = registry(
            r#"{"type": "object", "properties": {"n": {"type": "string"}, "k": {"type": "string"}}}"#,
        );
        let number = [Typed("kep".into(), "/k".into(), false)];
        let string = [Typed("kep".into(), "/n".into(), true)];
        assert!(TypedNow::new(&open).holds(&number));
        assert!(TypedNow::new(&open).holds(&string));
        assert!(!TypedNow::new(&text).holds(&number));
        assert!(TypedNow::new(&text).holds(&string));
        assert!(TypedNow::new(&text).holds(&[]));
        let mut asked = TypedNow::new(&text);
        assert!(!asked.holds(number.iter().chain(&string)));
        // Asked twice, answered the same.
        assert!(!asked.holds(&number));
    }
}
