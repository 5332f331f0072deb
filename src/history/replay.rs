//! The replay: per-commit changes applied oldest first to a running state
//! of every document, from which the derived facts and the words come.

use super::diff::FieldChange;
use super::store::codec::{self, BlockCodec, Lazy, json};
use super::{CommitChanges, What, words};
use crate::dates;
use crate::source::git::CommitInfo;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A change to one document, ready to show (and, in the state cache,
/// one per change of every document: see [`super::store::codec`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Commit id (empty for uncommitted edits).
    pub commit: Arc<str>,
    /// Author name.
    pub author: Arc<str>,
    /// Author e-mail.
    pub email: Arc<str>,
    /// Day number of the change.
    pub day: i64,
    /// Commit message summary.
    pub message: Arc<str>,
    /// What happened.
    pub what: What,
    /// Field changes as data.
    pub fields: Vec<FieldChange>,
    /// Body sections changed.
    pub sections: Vec<Arc<str>>,
    /// The file it moved from.
    pub from_file: Option<String>,
    /// The change in words, one phrase per field.
    pub words: Vec<Arc<str>>,
    /// True for edits in the working tree not yet committed.
    pub uncommitted: bool,
    /// True where the available history starts (shallow clone).
    pub boundary: bool,
}

/// A document's changes, oldest first: as the state file holds them until
/// something reads them.
///
/// A replay of one new commit reads few of them (the documents it
/// changed), and the change log wants its latest entries one by one.
/// Reading every change of every document from the state file before
/// anything asks would cost time and fresh memory for changes no one
/// reads, so each document's changes are one block of their own, read
/// whole on first use of the list ([`Events::all`]), or one change at a
/// time ([`Events::get`]) through the block's table of offsets.
///
/// How many there are is known before the block is read (pages size
/// their buffers by it), so a state that reads back with a count other
/// than its block's is refused whole: a count cannot be trusted apart
/// from what it counts.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "StoredEvents")]
pub struct Events {
    len: usize,
    /// Whether any change is an uncommitted edit.
    uncommitted: bool,
    all: Lazy<Vec<Event>>,
}

impl Events {
    /// How many changes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether any is an uncommitted edit.
    pub fn any_uncommitted(&self) -> bool {
        self.uncommitted
    }

    /// Every change, oldest first (read from the block on first use).
    pub fn all(&self) -> &[Event] {
        self.all.get()
    }

    /// The `n`th change, read alone when the others are not read yet.
    /// A change that does not read alone has the whole block read, so
    /// that [`Events::damaged`] tells of it.
    pub fn get(&self, n: usize) -> Option<std::borrow::Cow<'_, Event>> {
        if let Some(all) = self.all.read_already() {
            return all.get(n).map(std::borrow::Cow::Borrowed);
        }
        if n >= self.len {
            return None;
        }
        let block = self.all.block()?;
        match Block::parse(block).and_then(|b| b.one(n)) {
            Some(one) => Some(std::borrow::Cow::Owned(one)),
            None => self.all().get(n).map(std::borrow::Cow::Borrowed),
        }
    }

    /// Whether the block these changes were read from did not read: they
    /// then show as none, and what was built from them must not be kept.
    pub fn damaged(&self) -> bool {
        self.all.damaged()
    }

    /// Adds a change at the end.
    fn push(&mut self, e: Event) {
        self.uncommitted |= e.uncommitted;
        let all = self.all.get_mut();
        all.push(e);
        self.len = all.len();
    }
}

/// [`Events`] as read, before its count is checked against its block.
#[derive(Deserialize)]
struct StoredEvents {
    len: usize,
    uncommitted: bool,
    all: Lazy<Vec<Event>>,
}

impl TryFrom<StoredEvents> for Events {
    type Error = &'static str;
    fn try_from(s: StoredEvents) -> Result<Events, &'static str> {
        // The block opens with its table of offsets, one per change: the
        // table's length, and no more changes than the block has bytes.
        let block = s.all.block().unwrap_or_default();
        let counted = codec::take::<usize>(block).map(|(n, _)| n);
        if counted != Some(s.len) || s.len > block.len() {
            return Err("a document's change count disagrees with its changes");
        }
        Ok(Events {
            len: s.len,
            uncommitted: s.uncommitted,
            all: s.all,
        })
    }
}

impl From<Vec<Event>> for Events {
    fn from(all: Vec<Event>) -> Events {
        Events {
            len: all.len(),
            uncommitted: all.iter().any(|e| e.uncommitted),
            all: Lazy::from(all),
        }
    }
}

impl BlockCodec for Vec<Event> {
    fn read(bytes: &[u8]) -> Option<Self> {
        Block::parse(bytes)?.all()
    }
    fn write(&self) -> Vec<u8> {
        Block::write(self)
    }
}

impl PartialEq for Events {
    fn eq(&self, other: &Events) -> bool {
        self.uncommitted == other.uncommitted && self.all() == other.all()
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.all()).finish()
    }
}

/// A document's changes as the state file holds them: where each starts
/// in the bytes that follow (so one can be read alone), then the changes.
struct Block<'a> {
    offsets: Vec<u32>,
    body: &'a [u8],
}

impl<'a> Block<'a> {
    fn write(events: &[Event]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut offsets = Vec::with_capacity(events.len());
        for ev in events {
            offsets.push(u32::try_from(body.len()).unwrap_or(u32::MAX));
            codec::extend(&mut body, ev);
        }
        let mut block = codec::to_bytes(&offsets);
        block.extend_from_slice(&body);
        block
    }

    fn parse(bytes: &'a [u8]) -> Option<Block<'a>> {
        let (offsets, body) = codec::take(bytes)?;
        Some(Block { offsets, body })
    }

    fn all(self) -> Option<Vec<Event>> {
        let mut out = Vec::with_capacity(self.offsets.len());
        let mut rest = self.body;
        for _ in 0..self.offsets.len() {
            let (ev, after) = codec::take(rest)?;
            out.push(ev);
            rest = after;
        }
        rest.is_empty().then_some(out)
    }

    fn one(self, n: usize) -> Option<Event> {
        let at = usize::try_from(*self.offsets.get(n)?).ok()?;
        codec::take(self.body.get(at..)?).map(|(ev, _)| ev)
    }
}

/// The history of one document and what follows from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocHistory {
    /// Changes, oldest first.
    pub events: Events,
    /// Day it first appeared.
    pub created: Option<i64>,
    /// Day of its last change (a pure move does not count).
    pub last_changed: Option<i64>,
    /// Features: days spent in each status, up to today.
    pub days_in_status: BTreeMap<String, i64>,
    /// Features: how many times the milestone date moved later.
    pub slips: u32,
    /// Features: by how many days in all.
    pub slip_days: i64,
    /// Metrics: `current` after each change, by day.
    pub values: Vec<(i64, f64)>,
    /// Milestones: features added since it first appeared.
    pub scope_added: Vec<String>,
    /// Milestones: features removed since it first appeared.
    pub scope_removed: Vec<String>,
}

/// One line of the plan's change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Document id.
    pub id: Arc<str>,
    /// Document kind.
    pub kind: Arc<str>,
    /// Title at the time.
    pub title: Arc<str>,
    /// The event: the `n`th of the document's events (see
    /// [`History::event`]), kept once for both lists.
    pub n: usize,
}

/// The history of the whole plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    /// Per document id.
    #[serde(serialize_with = "sorted")]
    pub docs: HashMap<String, DocHistory>,
    /// The change log, newest first.
    pub log: Vec<LogEntry>,
    /// Where history stops, gaps, cache rebuilds: shown on the changes page.
    pub notes: Vec<String>,
    /// Committer day of the commit built, if any.
    pub head_day: Option<i64>,
    /// Whether the working tree differs from that commit.
    pub dirty: bool,
    /// Whether there is any git history at all.
    pub available: bool,
    /// "Today" of this build (docs/format.md#today), as a day number.
    pub today: i64,
}

impl History {
    /// Whether a block of the state file this history was read from did
    /// not read (a state written wrong, or edited by hand), so that some
    /// document shows fewer changes than it has. Asked after the pages
    /// were rendered: blocks are read when first used.
    pub fn damaged(&self) -> bool {
        self.docs.values().any(|d| d.events.damaged())
    }

    /// The day each document last changed, for the `stale` rule; None
    /// without git history (the rule is then silent).
    pub fn last_changed(&self) -> Option<crate::check::LastChanged> {
        self.available.then(|| {
            self.docs
                .iter()
                .filter_map(|(id, d)| d.last_changed.map(|day| (id.clone(), day)))
                .collect()
        })
    }

    /// The event a log line stands for.
    pub fn event(&self, line: &LogEntry) -> Option<std::borrow::Cow<'_, Event>> {
        self.docs.get(&*line.id)?.events.get(line.n)
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct State {
    kind: String,
    title: String,
    /// Its fields, and its body sections (heading, hash), of the last
    /// version seen.
    body: Lazy<Body>,
}

impl State {
    fn new(kind: &str, title: &str) -> State {
        State {
            kind: kind.to_string(),
            title: title.to_string(),
            body: Lazy::from(Body {
                fields: Value::Object(Default::default()),
                sections: Vec::new(),
            }),
        }
    }

    fn fields(&self) -> &Value {
        &self.body.get().fields
    }

    fn sections(&self) -> &[(String, u64)] {
        &self.body.get().sections
    }
}

/// A document's last known fields and sections (heading, hash).
#[derive(Clone, Default, Serialize, Deserialize)]
struct Body {
    #[serde(with = "json")]
    fields: Value,
    sections: Vec<(String, u64)>,
}

/// Read as the state file holds them only when the replay needs them: a
/// build after one new commit needs them for the documents the commit
/// changed (and, when a milestone's date moved, for the features), while
/// every document's fields would be a large share of reading the state
/// file and of its fresh memory; each is a block of its own.
impl BlockCodec for Body {
    fn read(bytes: &[u8]) -> Option<Self> {
        codec::from_bytes(bytes)
    }
    fn write(&self) -> Vec<u8> {
        codec::to_bytes(self)
    }
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match seg.parse::<usize>() {
            Ok(i) => cur.get(i)?,
            Err(_) => cur.get(seg)?,
        };
    }
    Some(cur)
}

fn set(v: &mut Value, path: &str, to: Option<&Value>) {
    let segs: Vec<&str> = path.split('.').collect();
    let mut cur = v;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        if last {
            match (cur, to) {
                (Value::Object(o), Some(t)) => {
                    o.insert(seg.to_string(), t.clone());
                }
                (Value::Object(o), None) => {
                    o.remove(*seg);
                }
                (Value::Array(a), Some(t)) => {
                    if let Ok(i) = seg.parse::<usize>()
                        && let Some(slot) = a.get_mut(i)
                    {
                        *slot = t.clone();
                    }
                }
                _ => {}
            }
            return;
        }
        cur = match seg.parse::<usize>() {
            Ok(i) => match cur.get_mut(i) {
                Some(c) => c,
                None => return,
            },
            Err(_) => {
                if !cur.is_object() {
                    *cur = Value::Object(Default::default());
                }
                match cur.as_object_mut() {
                    Some(o) => o
                        .entry(seg.to_string())
                        .or_insert(Value::Object(Default::default())),
                    None => return,
                }
            }
        };
    }
}

/// What every event of one commit shares: its strings, one copy for all
/// its changes, its day, and whether it is uncommitted or where the
/// history starts.
struct Stamp {
    commit: Arc<str>,
    author: Arc<str>,
    email: Arc<str>,
    message: Arc<str>,
    day: i64,
    uncommitted: bool,
    boundary: bool,
}

impl Stamp {
    fn new(info: &CommitInfo, uncommitted: bool, boundary: bool) -> Stamp {
        Stamp {
            commit: Arc::from(if uncommitted { "" } else { info.id.as_str() }),
            author: Arc::from(info.author.as_str()),
            email: Arc::from(info.email.as_str()),
            message: Arc::from(info.summary.as_str()),
            day: info.commit_day(),
            uncommitted,
            boundary,
        }
    }

    /// The event of one document's change in this commit.
    fn event(
        &self,
        d: &super::DocChange,
        what: What,
        fields: Vec<FieldChange>,
        sections: Vec<String>,
        phrases: Vec<String>,
    ) -> Event {
        Event {
            commit: self.commit.clone(),
            author: self.author.clone(),
            email: self.email.clone(),
            day: self.day,
            message: self.message.clone(),
            what,
            fields,
            sections: sections.into_iter().map(Arc::from).collect(),
            from_file: d.from_file.clone(),
            words: phrases.into_iter().map(Arc::from).collect(),
            uncommitted: self.uncommitted,
            boundary: self.boundary,
        }
    }
}

/// The replay's running state and results. Encoded for the state cache
/// ([`super::store::state`], [`super::store::codec`]): the state at HEAD is cached, so a build
/// after new commits replays only those.
#[derive(Clone, Serialize, Deserialize)]
pub struct Replay {
    #[serde(serialize_with = "sorted")]
    state: HashMap<String, State>,
    history: History,
    #[serde(serialize_with = "sorted")]
    status_since: HashMap<String, (String, i64)>,
    #[serde(serialize_with = "sorted")]
    effective: HashMap<String, i64>,
    /// Day each document first appeared in the history read (a shallow
    /// clone's boundary included), for milestone scope.
    #[serde(serialize_with = "sorted")]
    first_seen: HashMap<String, i64>,
    /// How the schemas typed what the commits replayed were read from
    /// (every commit's [`super::Typed`]): a state is used only while the
    /// schemas type it the same.
    typed: BTreeSet<super::Typed>,
}

/// A map written in key order: the state file of one history is then the
/// same bytes from every build (hash maps iterate in a per-process order).
/// Read back as any map.
fn sorted<S: serde::Serializer, K: Ord + Serialize, V: Serialize>(
    map: &HashMap<K, V>,
    s: S,
) -> Result<S::Ok, S::Error> {
    map.iter().collect::<BTreeMap<_, _>>().serialize(s)
}

impl Default for Replay {
    fn default() -> Self {
        Replay::new()
    }
}

impl Replay {
    /// Writes the block of every document's changes and last fields that
    /// has none, on every core, for the state file about to be written
    /// (see [`Lazy::write_ahead`]).
    pub fn write_blocks_ahead(&mut self) {
        use rayon::prelude::*;
        let (docs, state) = (&mut self.history.docs, &mut self.state);
        rayon::join(
            || {
                docs.par_iter_mut()
                    .for_each(|(_, d)| d.events.all.write_ahead())
            },
            || state.par_iter_mut().for_each(|(_, s)| s.body.write_ahead()),
        );
    }

    /// An empty replay.
    pub fn new() -> Replay {
        Replay {
            state: HashMap::new(),
            history: History::default(),
            status_since: HashMap::new(),
            effective: HashMap::new(),
            first_seen: HashMap::new(),
            typed: BTreeSet::new(),
        }
    }

    /// How the schemas typed what the commits replayed were read from.
    pub fn typed(&self) -> &BTreeSet<super::Typed> {
        &self.typed
    }

    fn title_of(&self, id: &str) -> Option<String> {
        self.state.get(id).map(|s| s.title.clone())
    }

    fn milestone_day(&self, id: &str) -> Option<i64> {
        self.state
            .get(id)
            .filter(|s| s.kind == "milestone")
            .and_then(|s| s.fields().get("date")?.as_str().and_then(dates::parse))
    }

    /// Applies one commit.
    pub fn commit(&mut self, c: &CommitChanges) {
        self.history.available = true;
        self.typed.extend(c.typed.iter().cloned());
        if c.boundary {
            self.history.notes.push(format!(
                "this is a shallow clone: history starts at commit {} ({})",
                &c.commit.id[..c.commit.id.len().min(10)],
                dates::human(c.commit.commit_day())
            ));
        }
        if c.commit.clamped {
            self.history.notes.push(format!(
                "commit {} is dated outside the years 1970 to 9999: read as {}",
                &c.commit.id[..c.commit.id.len().min(10)],
                dates::human(c.commit.commit_day())
            ));
        }
        for file in &c.unreadable {
            self.history.notes.push(format!(
                "{file} did not parse at commit {} ({}): its history has a gap there",
                &c.commit.id[..c.commit.id.len().min(10)],
                dates::human(c.commit.commit_day())
            ));
        }
        for file in &c.missing {
            self.history.notes.push(format!(
                "{file} could not be read from the repository at commit {} ({}; its object is missing or damaged): its history has a gap there",
                &c.commit.id[..c.commit.id.len().min(10)],
                dates::human(c.commit.commit_day())
            ));
        }
        self.apply(c, &c.commit, false);
        self.resolve(c);
    }

    /// Takes the documents as a merge left them (`resolved`). Both sides'
    /// commits were applied in time order, so where they changed the same
    /// field the state holds whichever came last, not necessarily what
    /// the merge kept. Silent: the merge's own changes are already events.
    fn resolve(&mut self, c: &CommitChanges) {
        let day = c.commit.commit_day();
        for d in &c.resolved {
            let mut new = Value::Object(Default::default());
            for f in &d.fields {
                set(&mut new, &f.field, f.to.as_ref());
            }
            let state = self
                .state
                .entry(d.id.clone())
                .or_insert_with(|| State::new(&d.kind, &d.title));
            let drift = super::diff::fields(state.fields(), &new);
            state.kind = d.kind.clone();
            state.title = d.title.clone();
            state.body = Lazy::from(Body {
                fields: new,
                sections: d.body.clone(),
            });
            if d.kind != "feature" {
                continue;
            }
            if let Some(f) = drift.iter().find(|f| f.field == "status") {
                if let Some((prev, since)) = self.status_since.remove(&d.id) {
                    *self
                        .history
                        .docs
                        .entry(d.id.clone())
                        .or_default()
                        .days_in_status
                        .entry(prev)
                        .or_insert(0) += day - since;
                }
                if let Some(to) = f.to.as_ref().and_then(Value::as_str) {
                    self.status_since
                        .insert(d.id.clone(), (to.to_string(), day));
                }
            }
            if drift.iter().any(|f| f.field == "milestone") {
                // The milestone the merge kept, without counting a slip.
                let date = self
                    .state
                    .get(&d.id)
                    .and_then(|s| s.fields().get("milestone")?.as_str().map(str::to_string))
                    .and_then(|m| self.milestone_day(&m));
                match date {
                    Some(date) => self.effective.insert(d.id.clone(), date),
                    None => self.effective.remove(&d.id),
                };
            }
        }
    }

    /// Applies edits found in the working tree.
    pub fn uncommitted(&mut self, changes: &CommitChanges) {
        self.history.dirty = !changes.docs.is_empty();
        self.apply(changes, &changes.commit, true);
    }

    /// Applies one commit's (or the working tree's) document changes:
    /// each becomes an event in words, updates the document's state and
    /// facts, and a line of the change log. Milestones go first, so that
    /// features' slips in the same commit see their new dates.
    fn apply(&mut self, c: &CommitChanges, info: &CommitInfo, uncommitted: bool) {
        let stamp = Stamp::new(info, uncommitted, c.boundary);
        let mut order: Vec<&super::DocChange> = c.docs.iter().collect();
        order.sort_by_key(|d| (d.kind != "milestone", d.id.clone()));
        let mut touched_milestones = Vec::new();
        for d in order {
            let existed = self.state.contains_key(&d.id);
            let what = match d.what {
                What::Created if existed => What::Modified,
                w => w,
            };
            let (fields, sections) = self.changed(d, existed);
            let phrases = self.phrases(d, what, &fields, &sections, c.boundary);
            self.update_state(d, what, &fields);
            let event = stamp.event(d, what, fields, sections, phrases);
            self.facts(&d.id, &d.kind, &event, stamp.day);
            if d.kind == "milestone" {
                touched_milestones.push(d.id.clone());
            }
            self.record(d, event);
        }
        self.slip_features_of(&touched_milestones);
    }

    /// The field and section changes of `d`. A document that reappears
    /// without having been deleted (after a version that did not parse)
    /// is compared with its last known state, fields and body alike.
    fn changed(&self, d: &super::DocChange, existed: bool) -> (Vec<FieldChange>, Vec<String>) {
        if d.what != What::Created || !existed {
            return (d.fields.clone(), d.sections.clone());
        }
        let (old, old_sections) = self
            .state
            .get(&d.id)
            .map(|s| (s.fields().clone(), s.sections().to_vec()))
            .unwrap_or((Value::Null, Vec::new()));
        let mut new = Value::Object(Default::default());
        for f in &d.fields {
            set(&mut new, &f.field, f.to.as_ref());
        }
        (
            super::diff::fields(&old, &new),
            super::diff::section_changes(&old_sections, &d.body),
        )
    }

    /// A change in words, one phrase per field (and one for the body), as
    /// the state before it names the documents it points to.
    fn phrases(
        &self,
        d: &super::DocChange,
        what: What,
        fields: &[FieldChange],
        sections: &[String],
        boundary: bool,
    ) -> Vec<String> {
        let mut phrases = Vec::new();
        match what {
            What::Created => phrases.push(if boundary {
                "first seen".to_string()
            } else {
                "created".to_string()
            }),
            What::Deleted => phrases.push("deleted".to_string()),
            What::Renamed => phrases.push(format!(
                "moved from {}",
                d.from_file.clone().unwrap_or_default()
            )),
            What::Modified => {}
        }
        if what == What::Created {
            return phrases;
        }
        let title_of = |id: &str| self.title_of(id);
        for f in fields {
            phrases.push(words::change(f, &title_of, self.days_moved(d, f)));
        }
        if !sections.is_empty() {
            let names: Vec<String> = sections
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        "introduction".to_string()
                    } else {
                        s.clone()
                    }
                })
                .collect();
            phrases.push(format!("body edited ({})", names.join(", ")));
        }
        phrases
    }

    /// By how many days a field change moved a date, in words: a feature
    /// moved to another milestone, or a milestone's own date.
    fn days_moved(&self, d: &super::DocChange, f: &FieldChange) -> Option<String> {
        if f.field == "milestone" {
            let from = f
                .from
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|m| self.milestone_day(m));
            let to =
                f.to.as_ref()
                    .and_then(Value::as_str)
                    .and_then(|m| self.milestone_day(m));
            match (from, to) {
                (Some(a), Some(b)) if a != b => Some(words::days(b - a)),
                _ => None,
            }
        } else if f.field == "date" && d.kind == "milestone" {
            let from = f
                .from
                .as_ref()
                .and_then(Value::as_str)
                .and_then(dates::parse);
            let to = f.to.as_ref().and_then(Value::as_str).and_then(dates::parse);
            match (from, to) {
                (Some(a), Some(b)) => Some(words::days(b - a)),
                _ => None,
            }
        } else {
            None
        }
    }

    /// The document's last known state after the change: gone when it was
    /// deleted, else its kind, title, body and changed fields.
    fn update_state(&mut self, d: &super::DocChange, what: What, fields: &[FieldChange]) {
        if what == What::Deleted {
            self.state.remove(&d.id);
            return;
        }
        let entry = self
            .state
            .entry(d.id.clone())
            .or_insert_with(|| State::new(&d.kind, &d.title));
        entry.kind = d.kind.clone();
        entry.title = d.title.clone();
        let body = entry.body.get_mut();
        body.sections = d.body.clone();
        for f in fields {
            set(&mut body.fields, &f.field, f.to.as_ref());
        }
    }

    /// Adds `event` to the document's changes and to the change log.
    fn record(&mut self, d: &super::DocChange, event: Event) {
        let doc = self.history.docs.entry(d.id.clone()).or_default();
        self.history.log.push(LogEntry {
            id: Arc::from(d.id.as_str()),
            kind: Arc::from(d.kind.as_str()),
            title: Arc::from(d.title.as_str()),
            n: doc.events.len(),
        });
        doc.events.push(event);
    }

    /// A milestone whose date moved slips every open feature in it.
    fn slip_features_of(&mut self, milestones: &[String]) {
        if milestones.is_empty() {
            return;
        }
        let ids: Vec<String> = self
            .state
            .iter()
            .filter(|(_, s)| s.kind == "feature")
            .filter(|(_, s)| {
                s.fields()
                    .get("milestone")
                    .and_then(Value::as_str)
                    .is_some_and(|m| milestones.iter().any(|t| t == m))
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.track_slip(&id);
        }
    }

    fn track_slip(&mut self, id: &str) {
        let Some(s) = self.state.get(id) else { return };
        let date = s
            .fields()
            .get("milestone")
            .and_then(Value::as_str)
            .and_then(|m| self.milestone_day(m));
        let Some(date) = date else { return };
        if let Some(prev) = self.effective.insert(id.to_string(), date)
            && date > prev
        {
            let h = self.history.docs.entry(id.to_string()).or_default();
            h.slips += 1;
            h.slip_days += date - prev;
        }
    }

    fn facts(&mut self, id: &str, kind: &str, e: &Event, day: i64) {
        if e.what == What::Created {
            self.first_seen.entry(id.to_string()).or_insert(day);
        }
        {
            let h = self.history.docs.entry(id.to_string()).or_default();
            // Where a shallow clone's history starts is not a creation.
            if e.what == What::Created && !e.boundary && h.created.is_none() {
                h.created = Some(day);
            }
            if e.what != What::Renamed && !e.boundary {
                h.last_changed = Some(day);
            }
        }
        if kind == "feature" {
            if let Some(f) = e.fields.iter().find(|f| f.field == "status")
                && let Some(to) = f.to.as_ref().and_then(Value::as_str)
                && let Some((prev, since)) = self
                    .status_since
                    .insert(id.to_string(), (to.to_string(), day))
            {
                {
                    *self
                        .history
                        .docs
                        .entry(id.to_string())
                        .or_default()
                        .days_in_status
                        .entry(prev)
                        .or_insert(0) += day - since;
                }
            }
            // A deletion closes the current status period; the time spent in
            // it counts (a document re-added later starts a new one).
            if e.what == What::Deleted
                && let Some((prev, since)) = self.status_since.remove(id)
            {
                *self
                    .history
                    .docs
                    .entry(id.to_string())
                    .or_default()
                    .days_in_status
                    .entry(prev)
                    .or_insert(0) += day - since;
            }
            if e.fields.iter().any(|f| f.field == "milestone") {
                self.track_slip(id);
            }
        }
        if kind == "metric"
            && let Some(f) = e.fields.iter().find(|f| f.field == "current")
            && let Some(v) = f.to.as_ref().and_then(Value::as_f64)
        {
            self.history
                .docs
                .entry(id.to_string())
                .or_default()
                .values
                .push((day, v));
        }
        // A milestone's scope change is net, against its scope when it first
        // appeared: a feature that leaves and comes back is neither added nor
        // removed, one that joins and leaves again neither.
        if kind == "feature"
            && let Some(f) = e.fields.iter().find(|f| f.field == "milestone")
        {
            if let Some(m) = f.from.as_ref().and_then(Value::as_str) {
                let h = self.history.docs.entry(m.to_string()).or_default();
                if e.what != What::Created {
                    if h.scope_added.iter().any(|x| x == id) {
                        h.scope_added.retain(|x| x != id);
                    } else if !h.scope_removed.iter().any(|x| x == id) {
                        h.scope_removed.push(id.to_string());
                    }
                }
            }
            if let Some(m) = f.to.as_ref().and_then(Value::as_str) {
                let seen = self.first_seen.get(m).copied();
                let h = self.history.docs.entry(m.to_string()).or_default();
                if seen.is_some_and(|c| c < day) {
                    if h.scope_removed.iter().any(|x| x == id) {
                        h.scope_removed.retain(|x| x != id);
                    } else if !h.scope_added.iter().any(|x| x == id) {
                        h.scope_added.push(id.to_string());
                    }
                }
            }
        }
    }

    /// Whether a block of the state this replay was read from did not
    /// read: a document's changes or its last fields. Replaying more
    /// commits on top of it would build on what was lost.
    pub fn damaged(&self) -> bool {
        self.history.damaged() || self.state.values().any(|s| s.body.damaged())
    }

    /// Closes open status periods at `today` and returns the history.
    pub fn finish(mut self, today: i64) -> History {
        for (id, (status, since)) in self.status_since.drain() {
            *self
                .history
                .docs
                .entry(id)
                .or_default()
                .days_in_status
                .entry(status)
                .or_insert(0) += (today - since).max(0);
        }
        self.history.log.reverse();
        self.history.today = today;
        self.history
    }

    /// The current fields of a document, for comparing with the working tree.
    pub fn fields_of(&self, id: &str) -> Option<(&str, &Value)> {
        self.state.get(id).map(|s| (s.kind.as_str(), s.fields()))
    }

    /// Every id the replay knows.
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        self.state.keys()
    }

    /// The day of the commit built, once set.
    pub fn head_day(&self) -> Option<i64> {
        self.history.head_day
    }

    /// Sets the day of the commit built.
    pub fn set_head_day(&mut self, day: Option<i64>) {
        self.history.head_day = day;
    }

    /// Adds a note.
    pub fn note(&mut self, note: String) {
        self.history.notes.push(note);
    }

    /// Adds a note before the others (one about this build, such as a
    /// cache rebuilt, rather than about the history read).
    pub fn note_first(&mut self, note: String) {
        self.history.notes.insert(0, note);
    }

    /// Reads a nested value of the state (for tests).
    pub fn value(&self, id: &str, path: &str) -> Option<Value> {
        self.state
            .get(id)
            .and_then(|s| get(s.fields(), path).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the schemas typed reads back from the state with the rest of
    /// the replay: a state must not forget it, or a schema edit would be
    /// served from it.
    #[test]
    fn a_replay_keeps_how_its_commits_were_typed_through_the_state_encoding() {
        let mut replay = Replay::new();
        let mut c = CommitChanges::new(CommitInfo {
            id: "a".repeat(40),
            author: "Alice".into(),
            email: "a@example.com".into(),
            time: 1_000_000,
            commit_time: 1_000_000,
            offset: 0,
            commit_offset: 0,
            summary: "s".into(),
            parents: Vec::new(),
            clamped: false,
        });
        c.typed = vec![
            super::super::Typed("kep".into(), "/kep-number".into(), false),
            super::super::Typed("kep".into(), "/m/~i".into(), true),
        ];
        replay.commit(&c);
        let bytes = codec::to_bytes(&replay);
        let back: Replay = codec::from_bytes(&bytes).expect("decodes");
        assert_eq!(
            back.typed().iter().collect::<Vec<_>>(),
            c.typed.iter().collect::<Vec<_>>()
        );
    }

    /// Two replays with the same documents, met in other orders, are the
    /// same bytes in the state file.
    #[test]
    fn a_replay_encodes_the_same_whatever_order_its_maps_were_filled_in() {
        let (mut a, mut b) = (Replay::new(), Replay::new());
        for i in 0..64 {
            a.first_seen.insert(format!("doc-{i}"), i);
            a.effective.insert(format!("doc-{i}"), i);
        }
        for i in (0..64).rev() {
            b.first_seen.insert(format!("doc-{i}"), i);
            b.effective.insert(format!("doc-{i}"), i);
        }
        assert_eq!(codec::to_bytes(&a), codec::to_bytes(&b));
        let back: Replay = codec::from_bytes(&codec::to_bytes(&a)).expect("decodes");
        assert_eq!(back.first_seen, a.first_seen);
    }

    fn change(i: usize, uncommitted: bool) -> Event {
        Event {
            commit: Arc::from(format!("{i:040}").as_str()),
            author: Arc::from(if i.is_multiple_of(2) { "Alice" } else { "Bob" }),
            email: Arc::from("team@example.com"),
            day: 20_000 + i as i64,
            message: Arc::from(format!("change {i}").as_str()),
            what: if i == 0 {
                What::Created
            } else {
                What::Modified
            },
            fields: vec![FieldChange {
                field: "status".into(),
                from: (i > 0).then(|| json!("planned")),
                to: Some(json!({"n": i, "s": "in-progress"})),
            }],
            sections: vec![Arc::from("Goals")],
            from_file: (i == 3).then(|| "old.md".to_string()),
            words: vec![Arc::from(format!("status: planned → {i}").as_str())],
            uncommitted,
            boundary: false,
        }
    }

    /// The state file holds every field of these types (serde), so a
    /// field added to one changes the encoding: then the state's format
    /// must be raised, or a state written before would be misread.
    #[test]
    fn the_encoding_of_a_change_is_pinned_to_the_format() {
        let mut e = Vec::new();
        codec::extend(&mut e, &change(3, true));
        let line = LogEntry {
            id: Arc::from("f-1"),
            kind: Arc::from("feature"),
            title: Arc::from("One"),
            n: 2,
        };
        codec::extend(&mut e, &line);
        let doc = DocHistory {
            created: Some(1),
            last_changed: Some(2),
            days_in_status: BTreeMap::from([("beta".to_string(), 3)]),
            slips: 4,
            slip_days: 5,
            values: vec![(6, 7.5)],
            scope_added: vec!["a".into()],
            scope_removed: vec!["b".into()],
            ..Default::default()
        };
        let history = History {
            docs: HashMap::from([("f-1".to_string(), doc)]),
            log: Vec::new(),
            notes: vec!["n".into()],
            head_day: Some(9),
            dirty: true,
            available: true,
            today: 10,
        };
        codec::extend(&mut e, &history);
        let digest = {
            use std::hash::Hasher;
            let mut h = crate::fingerprint::hasher();
            h.write(&e);
            h.finish()
        };
        assert_eq!(
            (super::super::store::state::FORMAT, format!("{digest:016x}")),
            (17, "924d9a4221ea7e2d".to_string()),
            "the state file's encoding changed: raise state::FORMAT and pin the new digest here"
        );
    }

    fn encoded(events: &Events) -> Vec<u8> {
        codec::to_bytes(events)
    }

    fn read_back(bytes: &[u8]) -> Events {
        codec::from_bytes(bytes).expect("decodes")
    }

    #[test]
    fn a_documents_changes_read_back_one_by_one_or_whole() {
        let all: Vec<Event> = (0..5).map(|i| change(i, false)).collect();
        let bytes = encoded(&Events::from(all.clone()));
        let lazy = read_back(&bytes);
        assert_eq!(lazy.len(), 5);
        assert!(!lazy.any_uncommitted());
        for (i, want) in all.iter().enumerate() {
            assert_eq!(lazy.get(i).as_deref(), Some(want));
        }
        assert!(lazy.get(5).is_none());
        assert!(
            lazy.all.read_already().is_none(),
            "one by one reads no others"
        );
        // Written back as it was read, byte for byte.
        assert_eq!(*encoded(&lazy), *bytes);
        assert_eq!(lazy.all(), &all[..]);
        assert_eq!(lazy.get(2).as_deref(), Some(&all[2]));
    }

    /// Pages size their buffers by a document's count of changes before
    /// reading them: a count other than its block's (here, as if written
    /// by hand with a valid checksum) refuses the state, rather than
    /// asking for memory for changes that are not there.
    #[test]
    fn a_count_of_changes_other_than_its_block_s_is_refused() {
        let all: Vec<Event> = (0..5).map(|i| change(i, false)).collect();
        let bytes = encoded(&Events::from(all));
        assert_eq!(bytes[0], 5, "the count comes first");
        assert!(codec::from_bytes::<Events>(&bytes).is_some());
        for count in [0u8, 4, 6, 0x7f] {
            let mut other = bytes.clone();
            other[0] = count;
            assert!(codec::from_bytes::<Events>(&other).is_none(), "{count}");
        }
        let mut huge = codec::to_bytes(&(u64::MAX / 2));
        huge.extend_from_slice(&bytes[1..]);
        assert!(codec::from_bytes::<Events>(&huge).is_none());
    }

    #[test]
    fn a_change_added_to_changes_read_from_a_block_is_kept_with_them() {
        let all: Vec<Event> = (0..3).map(|i| change(i, false)).collect();
        let mut grown = read_back(&encoded(&Events::from(all.clone())));
        grown.push(change(3, true));
        assert_eq!(grown.len(), 4);
        assert!(grown.any_uncommitted());
        assert_eq!(&grown.all()[..3], &all[..]);
        let again = read_back(&encoded(&grown));
        assert_eq!(again, grown);
        assert_eq!(again.get(3).as_deref(), Some(&change(3, true)));
    }

    #[test]
    fn a_documents_fields_are_read_when_used_and_written_back_as_read() {
        let fields = json!({"status": "beta", "rice": {"reach": 250}, "tags": ["a", "b"]});
        let sections = vec![("Goals".to_string(), 7u64)];
        let mut state = State::new("feature", "F1");
        *state.body.get_mut() = Body {
            fields: fields.clone(),
            sections: sections.clone(),
        };
        let bytes = codec::to_bytes(&state);
        let mut back: State = codec::from_bytes(&bytes).expect("decodes");
        assert!(back.body.read_already().is_none(), "not read yet");
        assert_eq!((back.kind.as_str(), back.title.as_str()), ("feature", "F1"));
        // Read, unchanged: written back byte for byte.
        assert_eq!(back.fields(), &fields);
        assert_eq!(back.sections(), &sections[..]);
        assert_eq!(codec::to_bytes(&back), bytes);
        // Changed: written anew, and read back as changed.
        set(
            &mut back.body.get_mut().fields,
            "status",
            Some(&json!("shipped")),
        );
        let changed = codec::to_bytes(&back);
        let again: State = codec::from_bytes(&changed).expect("decodes");
        assert_eq!(again.fields()["status"], "shipped");
        assert_eq!(again.fields()["rice"]["reach"], 250);
    }

    #[test]
    fn changes_written_ahead_are_written_as_they_would_be_and_replaced_when_changed() {
        let all: Vec<Event> = (0..4).map(|i| change(i, false)).collect();
        let plain = encoded(&Events::from(all.clone()));
        let mut ahead = Events::from(all.clone());
        ahead.all.write_ahead();
        assert_eq!(encoded(&ahead), plain);
        // A change made after its block was written ahead is not lost.
        ahead.push(change(4, false));
        let again = read_back(&encoded(&ahead));
        assert_eq!(again.len(), 5);
        assert_eq!(again.get(4).as_deref(), Some(&change(4, false)));
        // The block written ahead is kept, and writing again gives the
        // same bytes.
        ahead.all.write_ahead();
        let saved = encoded(&ahead);
        assert!(ahead.all.block().is_some());
        assert_eq!(encoded(&ahead), saved);
    }

    #[test]
    fn a_damaged_block_reads_as_no_changes_not_a_panic() {
        let all: Vec<Event> = (0..4).map(|i| change(i, false)).collect();
        let bytes = encoded(&Events::from(all));
        // Every byte damaged in turn: what still reads as changes is
        // read, never panicking.
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xff;
            let Some(events) = codec::from_bytes::<Events>(&damaged) else {
                continue;
            };
            for i in 0..5 {
                let _ = events.get(i);
            }
            assert!(events.all().len() <= 4);
            if events.damaged() {
                assert!(events.all().is_empty());
            }
        }
    }

    /// A block that does not read is told by the value read from it, and
    /// only by it: a state read beside it (another build, another test
    /// in the same process) is not taken for damaged.
    #[test]
    fn a_damaged_block_is_told_by_its_own_value_only() {
        let all: Vec<Event> = (0..4).map(|i| change(i, false)).collect();
        let bytes = encoded(&Events::from(all.clone()));
        // The first change's commit id is no longer UTF-8.
        let first = format!("{:040}", 0);
        let at = bytes
            .windows(first.len())
            .position(|w| w == first.as_bytes())
            .expect("the commit id is in the block");
        let mut damaged = bytes.clone();
        damaged[at] = 0xff;
        let damaged = read_back(&damaged);
        let whole = read_back(&bytes);
        assert_eq!(damaged.get(0), None);
        assert!(damaged.damaged(), "one change asked for tells too");
        assert!(damaged.all().is_empty());
        assert_eq!(whole.all(), &all[..]);
        assert!(!whole.damaged());
        let history = History {
            docs: [
                ("a".to_string(), doc_with(damaged)),
                ("b".to_string(), doc_with(whole.clone())),
            ]
            .into_iter()
            .collect(),
            ..History::default()
        };
        assert!(history.damaged());
        let fine = History {
            docs: [("b".to_string(), doc_with(whole))].into_iter().collect(),
            ..History::default()
        };
        assert!(!fine.damaged());
    }

    fn doc_with(events: Events) -> DocHistory {
        DocHistory {
            events,
            ..DocHistory::default()
        }
    }
}
