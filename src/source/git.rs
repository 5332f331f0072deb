//! Reading the plans from git: the wrapper around git2 that nothing else
//! looks past. It lists commits, finds which plan files a commit changed
//! (comparing subtree ids and descending only where they differ, which is
//! what makes a 50,000-commit history affordable), and reads a revision's
//! files as a [`Tree`], so `--as-of` and `diff` check exactly what a
//! checkout of that revision would hold.

use super::pack::{self, PackReader, Packs};
use super::{Filter, SourceFile, Tree, decode};
use crate::config::{Config, FILE_NAME};
use git2::{ObjectType, Oid, Repository, Sort};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A repository holding the plans, and where in it they are.
pub struct Git {
    repo: Repository,
    /// The repository's work tree (or its git dir for a bare one).
    pub workdir: PathBuf,
    /// The plans root relative to the work tree: `""` or `docs/plans/`.
    pub prefix: String,
}

/// A document file to read from a tree: path, blob, kind by location, and
/// its sibling body file.
type Wanted = (String, Oid, Option<String>, Option<(String, Oid)>);

/// Decoded blob texts by blob id, shared between threads and revisions.
#[derive(Default)]
pub struct BlobTexts(
    std::sync::Mutex<std::collections::HashMap<Oid, Result<String, super::ReadProblem>>>,
);

impl BlobTexts {
    /// A blob as text (size limit and UTF-8 checked), read once.
    pub fn get(&self, git: &Git, id: Oid) -> Result<String, super::ReadProblem> {
        if let Some(t) = self.0.lock().ok().and_then(|m| m.get(&id).cloned()) {
            return t;
        }
        let text = git.blob(id).map_err(super::ReadProblem::Io).and_then(|b| {
            if b.len() as u64 > super::MAX_FILE_BYTES {
                Err(super::ReadProblem::TooLarge(b.len() as u64))
            } else {
                decode(b)
            }
        });
        if let Ok(mut m) = self.0.lock() {
            m.insert(id, text.clone());
        }
        text
    }
}

/// A repository's place on disk, shareable between threads.
#[derive(Debug, Clone)]
pub struct Location {
    git_dir: PathBuf,
    workdir: PathBuf,
    prefix: String,
}

impl Location {
    /// Opens the repository.
    pub fn open(&self) -> Result<Git, String> {
        let repo = Repository::open(&self.git_dir).map_err(err)?;
        Ok(Git {
            repo,
            workdir: self.workdir.clone(),
            prefix: self.prefix.clone(),
        })
    }
}

/// What a page says about a commit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CommitInfo {
    /// Full id.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author e-mail.
    pub email: String,
    /// Author time, seconds since the epoch (UTC).
    pub time: i64,
    /// Committer time, seconds since the epoch (UTC).
    pub commit_time: i64,
    /// The author's offset from UTC, in minutes.
    pub offset: i32,
    /// The committer's offset from UTC, in minutes: the day a change
    /// landed is the day on the committer's calendar.
    pub commit_offset: i32,
    /// First line of the message.
    pub summary: String,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Whether a date was outside the years 1970 to 9999 and was moved to
    /// the nearest of them ([`crate::dates::clamp_git_time`]): the history
    /// notes it.
    pub clamped: bool,
}

impl CommitInfo {
    /// The day the commit was made, on the committer's calendar: the day
    /// its changes landed (docs/format.md#history), and "today" of a build
    /// of it (docs/format.md#today). Not the author date: a rebased or
    /// cherry-picked commit keeps its author date, so a history in the
    /// order commits landed would jump back and forth in time.
    pub fn commit_day(&self) -> i64 {
        crate::dates::day_at(self.commit_time, self.commit_offset)
    }
}

/// A commit's id as the notes show it.
pub fn short(id: Oid) -> String {
    let mut s = id.to_string();
    s.truncate(10);
    s
}

/// What a walk needs of a commit, read from its raw object: libgit2
/// refuses to parse some commits that git itself accepts and `git fsck`
/// may only warn about (no author, a date that overflows), and one such
/// commit must not hide the commits around it.
struct RawCommit {
    tree: Oid,
    parents: Vec<Oid>,
    /// Committer time, clamped (0 when there is none that reads).
    time: i64,
}

impl RawCommit {
    /// The commit's header lines: `tree`, `parent`s, `committer`.
    fn parse(data: &[u8]) -> Option<RawCommit> {
        let header = data
            .windows(2)
            .position(|w| w == b"\n\n")
            .map_or(data, |end| &data[..end]);
        let hex = |b: &[u8]| Oid::from_str(std::str::from_utf8(b).ok()?).ok();
        let mut tree = None;
        let mut parents = Vec::new();
        let mut time = 0;
        for line in header.split(|&c| c == b'\n') {
            if let Some(id) = line.strip_prefix(b"tree ") {
                tree = Some(hex(id)?);
            } else if let Some(id) = line.strip_prefix(b"parent ") {
                parents.push(hex(id)?);
            } else if let Some(who) = line.strip_prefix(b"committer ") {
                // `Name <email> <seconds> <zone>`; digits beyond an i64
                // are a date far in the future.
                let after = who
                    .iter()
                    .rposition(|&c| c == b'>')
                    .map_or(&[][..], |i| &who[i + 1..]);
                let secs = after
                    .split(|&c| c == b' ')
                    .find(|t| !t.is_empty())
                    .unwrap_or_default();
                let secs = std::str::from_utf8(secs).unwrap_or("");
                time = match secs.parse::<i64>() {
                    Ok(t) => t,
                    Err(_) if !secs.is_empty() && secs.bytes().all(|c| c.is_ascii_digit()) => {
                        i64::MAX
                    }
                    Err(_) => 0,
                };
            }
        }
        Some(RawCommit {
            tree: tree?,
            parents,
            time: crate::dates::clamp_git_time(time).0,
        })
    }
}

/// One changed file under the plans root.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Path relative to the plans root.
    pub path: String,
    /// Blob before, if the file existed.
    pub old: Option<Oid>,
    /// Blob after, if the file exists.
    pub new: Option<Oid>,
}

fn err(e: git2::Error) -> String {
    e.message().to_string()
}

/// libgit2's global settings for reading long histories, applied once.
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Objects come from the user's own repository; re-hashing every
        // object read to verify it (libgit2's default) was a fifth of the
        // time of reading a long history.
        git2::opts::strict_hash_verification(false);
        // libgit2 caches no object over 4 KB by default, so a folder of a
        // thousand documents (a 40 KB tree) was inflated again for every
        // commit. Cache trees up to 16 MB, within 256 MB in all.
        // SAFETY: these set process-wide options; `Once` runs them before
        // any repository is opened here, and nothing else in northstar
        // touches libgit2's options.
        unsafe {
            let _ = git2::opts::set_cache_object_limit(ObjectType::Tree, 16 << 20);
            let _ = git2::opts::set_cache_max_size(256 << 20);
        }
    });
}

/// Git's tree order: names compared bytewise, a folder as if it ended in `/`.
fn tree_order(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {}
        o => return o,
    }
    let next = |s: &[u8], dir: bool| s.get(n).copied().or(if dir { Some(b'/') } else { None });
    next(a, a_dir).cmp(&next(b, b_dir))
}

impl Git {
    /// The repository enclosing `root`, if any.
    pub fn discover(root: &Path) -> Option<Git> {
        tune_libgit2();
        let repo = Repository::discover(root).ok()?;
        let workdir = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.path().to_path_buf());
        let canon_work = workdir.canonicalize().unwrap_or_else(|_| workdir.clone());
        let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let rel = canon_root.strip_prefix(&canon_work).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let prefix = if parts.is_empty() {
            String::new()
        } else {
            format!("{}/", parts.join("/"))
        };
        Some(Git {
            repo,
            workdir,
            prefix,
        })
    }

    /// Where this repository is, to open it again on another thread
    /// (a git2 repository handle cannot be shared between threads).
    pub fn location(&self) -> Location {
        Location {
            git_dir: self.repo.path().to_path_buf(),
            workdir: self.workdir.clone(),
            prefix: self.prefix.clone(),
        }
    }

    /// The repository's git dir.
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// HEAD's commit, or None in an empty repository.
    pub fn head(&self) -> Option<Oid> {
        self.repo.head().ok()?.peel_to_commit().ok().map(|c| c.id())
    }

    /// Resolves a revision (commit, tag, branch, `HEAD~3`) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<Oid, String> {
        let obj = self
            .repo
            .revparse_single(rev)
            .map_err(|e| format!("unknown revision `{rev}`: {}", e.message()))?;
        obj.peel_to_commit()
            .map(|c| c.id())
            .map_err(|_| format!("`{rev}` does not name a commit"))
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid, String> {
        self.repo
            .merge_base(a, b)
            .map_err(|e| format!("no common ancestor: {}", e.message()))
    }

    /// Whether this is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// Facts about a commit; an error for a commit libgit2 cannot parse
    /// (the history leaves it out, with a note). Dates are clamped to the
    /// years 1970 to 9999 ([`CommitInfo::clamped`]).
    pub fn info(&self, id: Oid) -> Result<CommitInfo, String> {
        let c = self.repo.find_commit(id).map_err(err)?;
        let author = c.author();
        let (time, author_clamped) = crate::dates::clamp_git_time(author.when().seconds());
        let (commit_time, committer_clamped) = crate::dates::clamp_git_time(c.time().seconds());
        Ok(CommitInfo {
            id: id.to_string(),
            author: author.name().unwrap_or("unknown").to_string(),
            email: author.email().unwrap_or("").to_string(),
            time,
            commit_time,
            offset: author.when().offset_minutes(),
            commit_offset: c.time().offset_minutes(),
            summary: c.summary().ok().flatten().unwrap_or("").to_string(),
            parents: c.parent_ids().map(|p| p.to_string()).collect(),
            clamped: author_clamped || committer_clamped,
        })
    }

    /// A commit's tree and parents: from libgit2's parse, or from the raw
    /// object for a commit libgit2 refuses ([`RawCommit`]).
    fn tree_and_parents(&self, id: Oid) -> Option<(Oid, Vec<Oid>)> {
        if let Ok(c) = self.repo.find_commit(id) {
            return Some((c.tree_id(), c.parent_ids().collect()));
        }
        let raw = self.raw_commit(id).ok()?;
        Some((raw.tree, raw.parents))
    }

    /// A commit's raw object, parsed for a walk.
    fn raw_commit(&self, id: Oid) -> Result<RawCommit, String> {
        let odb = self.repo.odb().map_err(err)?;
        let object = odb.read(id).map_err(err)?;
        if object.kind() != ObjectType::Commit {
            return Err(format!("{id} is a {}, not a commit", object.kind()));
        }
        RawCommit::parse(object.data()).ok_or_else(|| "its header does not parse".to_string())
    }

    /// Whether a commit's object is in the repository (a shallow clone
    /// lacks the parents of its boundary), even one libgit2 cannot parse.
    fn has_commit(&self, id: Oid) -> bool {
        self.repo.find_commit(id).is_ok() || self.raw_commit(id).is_ok()
    }

    /// Whether a commit and its tree can be read from the repository (a
    /// damaged pack, a missing object): the error when not. A commit
    /// libgit2 cannot parse but whose raw object reads counts as read.
    pub fn readable(&self, commit: Oid) -> Result<(), String> {
        let tree = match self.repo.find_commit(commit) {
            Ok(c) => c.tree_id(),
            Err(_) => self.raw_commit(commit)?.tree,
        };
        self.repo.find_tree(tree).map(|_| ()).map_err(err)
    }

    /// HEAD's commit: None when the branch has no commits yet, an error
    /// when HEAD names something that cannot be read.
    pub fn head_commit(&self) -> Result<Option<Oid>, String> {
        let head = match self.repo.head() {
            Ok(h) => h,
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(err(e)),
        };
        match head.target() {
            Some(id) => Ok(Some(id)),
            None => head.peel_to_commit().map(|c| Some(c.id())).map_err(err),
        }
    }

    /// Every commit reachable from `tip`, parents before children, and a
    /// note for each commit that could not be read (left out, and the
    /// history before it with it).
    ///
    /// libgit2's walk fails whole on one commit it cannot parse (a date
    /// that overflows, a damaged object): the commits are then walked
    /// from their raw objects instead (`Git::walk_raw`), and a commit
    /// that reads there but not in libgit2 is left out later, with a note,
    /// when its details are read ([`Git::info`]).
    pub fn commits(&self, tip: Oid) -> Result<(Vec<Oid>, Vec<String>), String> {
        let mut walk = self.repo.revwalk().map_err(err)?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)
            .map_err(err)?;
        walk.push(tip).map_err(err)?;
        match walk.collect::<Result<Vec<Oid>, _>>() {
            Ok(ids) => Ok((ids, Vec::new())),
            Err(_) => Ok(self.walk_raw(tip)),
        }
    }

    /// [`Git::commits`] from raw commit objects: every commit whose object
    /// reads, parents before children, the newest first among those ready
    /// (git's topological order by date), and a note for each object that
    /// does not read. A shallow clone's missing parents are where its
    /// history stops, not a problem.
    fn walk_raw(&self, tip: Oid) -> (Vec<Oid>, Vec<String>) {
        use std::collections::{BinaryHeap, HashMap};
        let shallow = self.shallow_roots();
        let mut notes = Vec::new();
        let mut read: HashMap<Oid, RawCommit> = HashMap::new();
        let mut children: HashMap<Oid, usize> = HashMap::new();
        let mut failed: BTreeSet<Oid> = BTreeSet::new();
        let mut stack = vec![tip];
        while let Some(id) = stack.pop() {
            if read.contains_key(&id) || failed.contains(&id) {
                continue;
            }
            match self.raw_commit(id) {
                Ok(raw) => {
                    if !shallow.contains(&id) {
                        stack.extend(raw.parents.iter().copied());
                    }
                    read.insert(id, raw);
                }
                Err(e) => {
                    failed.insert(id);
                    notes.push(format!(
                        "commit {} could not be read from the repository ({e}): the history before it is left out",
                        short(id)
                    ));
                }
            }
        }
        let parents_of = |raw: &RawCommit, id: Oid| -> Vec<Oid> {
            if shallow.contains(&id) {
                return Vec::new();
            }
            let mut ps: Vec<Oid> = raw
                .parents
                .iter()
                .copied()
                .filter(|p| read.contains_key(p))
                .collect();
            ps.dedup();
            ps
        };
        for (&id, raw) in &read {
            for p in parents_of(raw, id) {
                *children.entry(p).or_default() += 1;
            }
        }
        // Children first, newest first among those whose children are
        // all out; reversed at the end.
        let mut ready: BinaryHeap<(i64, Oid)> = read
            .iter()
            .filter(|(id, _)| !children.contains_key(id))
            .map(|(id, raw)| (raw.time, *id))
            .collect();
        let mut order = Vec::with_capacity(read.len());
        while let Some((_, id)) = ready.pop() {
            order.push(id);
            let Some(raw) = read.get(&id) else { continue };
            for p in parents_of(raw, id) {
                if let Some(n) = children.get_mut(&p) {
                    *n -= 1;
                    if *n == 0
                        && let Some(pr) = read.get(&p)
                    {
                        ready.push((pr.time, p));
                    }
                }
            }
        }
        order.reverse();
        (order, notes)
    }

    /// The commits reachable from `tip` and not from `since`, parents
    /// first, when `since` is an ancestor of `tip` (or `tip` itself).
    pub fn commits_since(&self, tip: Oid, since: Oid) -> Option<Vec<Oid>> {
        if tip != since && !self.repo.graph_descendant_of(tip, since).ok()? {
            return None;
        }
        let mut walk = self.repo.revwalk().ok()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)
            .ok()?;
        walk.push(tip).ok()?;
        walk.hide(since).ok()?;
        walk.collect::<Result<Vec<Oid>, _>>().ok()
    }

    /// The repository's packs, for reading many objects fast
    /// ([`super::pack`]). The common dir: a linked worktree's git dir has
    /// no objects.
    pub fn packs(&self) -> super::pack::Packs {
        super::pack::Packs::open(&self.repo.commondir().join("objects"))
    }

    /// The first parent of a commit that is present in the repository
    /// (one libgit2 cannot parse counts: its tree still is the base).
    pub fn first_parent(&self, id: Oid) -> Option<Oid> {
        let (_, parents) = self.tree_and_parents(id)?;
        let p = *parents.first()?;
        self.has_commit(p).then_some(p)
    }

    /// The parents of a commit that are present in the repository, first
    /// parent first.
    pub fn parents(&self, id: Oid) -> Vec<Oid> {
        self.tree_and_parents(id)
            .map(|(_, ps)| ps.into_iter().filter(|p| self.has_commit(*p)).collect())
            .unwrap_or_default()
    }

    /// Whether a commit names a parent that this (shallow) clone lacks.
    pub fn parent_missing(&self, id: Oid) -> bool {
        self.tree_and_parents(id)
            .and_then(|(_, ps)| ps.first().copied())
            .is_some_and(|p| !self.has_commit(p))
    }

    /// The commits where a shallow clone's history stops (none in a whole
    /// clone). git grafts their parents away, so they look like roots.
    pub fn shallow_roots(&self) -> BTreeSet<Oid> {
        if !self.repo.is_shallow() {
            return BTreeSet::new();
        }
        std::fs::read_to_string(self.repo.commondir().join("shallow"))
            .map(|t| {
                t.lines()
                    .filter_map(|l| Oid::from_str(l.trim()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the available history starts at this commit although the
    /// plan's does not: a shallow clone's boundary, or a commit whose
    /// parent this repository lacks.
    pub fn is_boundary(&self, id: Oid) -> bool {
        self.parent_missing(id) || self.shallow_roots().contains(&id)
    }

    /// The id of the plans subtree at a commit (None if absent).
    pub fn plans_tree(&self, commit: Oid) -> Option<Oid> {
        let tree = self.repo.find_tree(self.tree_and_parents(commit)?.0).ok()?;
        if self.prefix.is_empty() {
            return Some(tree.id());
        }
        let entry = tree
            .get_path(Path::new(self.prefix.trim_end_matches('/')))
            .ok()?;
        (entry.kind() == Some(ObjectType::Tree)).then(|| entry.id())
    }

    /// A reader of raw objects for a long walk, through `packs` first.
    pub fn objects<'a>(&'a self, packs: &'a Packs) -> Objects<'a, 'a> {
        self.objects_with(packs.reader())
    }

    /// [`Git::objects`] through a reader kept from an earlier walk
    /// ([`Objects::into_reader`]), with the objects it decoded.
    pub fn objects_with<'a, 'p>(&'a self, reader: PackReader<'p>) -> Objects<'a, 'p> {
        let dir = self.repo.commondir();
        Objects {
            git: self,
            packs: reader,
            odb: None,
            // Shallow clones and grafts give commits other parents than
            // their objects name: libgit2 reads those.
            raw_parents: !self.repo.is_shallow() && !dir.join("info/grafts").exists(),
        }
    }

    /// Every file of a plans tree: path relative to the plans root → blob.
    pub fn files(&self, tree: Oid) -> BTreeMap<String, Oid> {
        let mut out = BTreeMap::new();
        if let Ok(t) = self.repo.find_tree(tree) {
            let _ = t.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Blob)
                    && let Ok(name) = entry.name()
                {
                    out.insert(format!("{dir}{name}"), entry.id());
                }
                git2::TreeWalkResult::Ok
            });
        }
        out
    }

    /// A blob's bytes.
    pub fn blob(&self, id: Oid) -> Result<Vec<u8>, String> {
        self.repo
            .find_blob(id)
            .map(|b| b.content().to_vec())
            .map_err(err)
    }

    /// A plans file's bytes at a commit.
    pub fn file_at(&self, commit: Oid, path: &str) -> Option<Vec<u8>> {
        let tree = self.repo.find_tree(self.plans_tree(commit)?).ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        self.blob(entry.id()).ok()
    }

    /// `northstar.yaml` as it was at a commit.
    pub fn config_at(&self, commit: Oid) -> Option<String> {
        let tree = self.plans_tree(commit)?;
        let files = self.repo.find_tree(tree).ok()?;
        let entry = files.get_name(FILE_NAME)?;
        self.blob(entry.id())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
    }

    /// A revision's plans as a [`Tree`], filtered as a scan of a checkout
    /// would be, plus the text of the kinds' schema files.
    pub fn tree_at(&self, commit: Oid, config: &Config) -> Tree {
        self.tree_at_shared(commit, config, &BlobTexts::default())
    }

    /// [`Git::tree_at`], reading blobs through `texts`, so two revisions
    /// read in one run (`diff`) decode each shared blob once, and on every
    /// core.
    pub fn tree_at_shared(&self, commit: Oid, config: &Config, texts: &BlobTexts) -> Tree {
        let Some(root) = self.plans_tree(commit) else {
            return Tree::default();
        };
        let files = self.files(root);
        let filter = Filter::new(config);
        let all_paths: BTreeSet<String> = files
            .keys()
            .filter(|p| !p.split('/').any(|c| c.starts_with('.')))
            .cloned()
            .collect();
        let wanted: Vec<Wanted> = files
            .iter()
            .filter_map(|(path, id)| {
                let kind = filter.classify(path)?;
                let body = Filter::body_of(path, kind.as_ref(), config)
                    .and_then(|p| files.get(&p).map(|id| (p, *id)));
                Some((path.clone(), *id, kind, body))
            })
            .collect();
        let location = self.location();
        let chunk = wanted
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(32);
        let mut out: Vec<SourceFile> = wanted
            .par_chunks(chunk.max(1))
            .flat_map_iter(|part| {
                let git = location.open().ok();
                part.iter()
                    .map(|(path, id, kind, body)| {
                        let read = |id: Oid| match &git {
                            Some(g) => texts.get(g, id),
                            None => {
                                Err(super::ReadProblem::Io("cannot open the repository".into()))
                            }
                        };
                        SourceFile {
                            path: path.clone(),
                            text: read(*id),
                            kind: kind.clone(),
                            body: body
                                .as_ref()
                                .and_then(|(p, id)| read(*id).ok().map(|t| (p.clone(), t))),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        let mut schemas = BTreeMap::new();
        for (name, kind) in &config.kinds {
            if let Some(file) = &kind.schema
                && let Some(id) = files.get(file)
                && let Ok(text) = self
                    .blob(*id)
                    .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
            {
                schemas.insert(name.clone(), text);
            }
        }
        Tree {
            files: out,
            all_paths,
            schemas,
        }
    }

    /// Plan files whose working-tree content differs from `head`: path,
    /// committed blob, and the working bytes (None when deleted).
    pub fn worktree_changes(
        &self,
        head: Oid,
        root: &Path,
        working: &[String],
        keep: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, Option<Oid>, Option<Vec<u8>>)> {
        // git's own status (index stat data) names the few changed files
        // without reading every file; hashing everything is the fallback.
        if let Some(changed) = self.status_paths(keep) {
            let tree = self
                .plans_tree(head)
                .and_then(|t| self.repo.find_tree(t).ok());
            let mut out = Vec::new();
            for path in changed {
                let old = tree
                    .as_ref()
                    .and_then(|t| t.get_path(Path::new(&path)).ok())
                    .filter(|e| e.kind() == Some(ObjectType::Blob))
                    .map(|e| e.id());
                let bytes = super::confine::read(root, Path::new(&path)).ok();
                let same = match (&bytes, old) {
                    (Some(b), Some(o)) => Self::hash(b) == Some(o),
                    (None, None) => true,
                    _ => false,
                };
                if !same {
                    out.push((path, old, bytes));
                }
            }
            return out;
        }
        let committed: BTreeMap<String, Oid> = self
            .plans_tree(head)
            .map(|t| self.files(t))
            .unwrap_or_default()
            .into_iter()
            .filter(|(p, _)| keep(p))
            .collect();
        let mut out = Vec::new();
        let paths: BTreeSet<&String> = committed.keys().chain(working.iter()).collect();
        for path in paths {
            let bytes = super::confine::read(root, Path::new(path)).ok();
            let old = committed.get(path).copied();
            let same = match (&bytes, old) {
                (Some(b), Some(o)) => Self::hash(b) == Some(o),
                (None, None) => true,
                _ => false,
            };
            if !same {
                out.push((path.clone(), old, bytes));
            }
        }
        out
    }

    /// Plan files (relative to the plans root) that git's status reports as
    /// changed, staged or untracked; None when status cannot be read.
    fn status_paths(&self, keep: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        if !self.prefix.is_empty() {
            opts.pathspec(self.prefix.trim_end_matches('/'));
        }
        let statuses = self.repo.statuses(Some(&mut opts)).ok()?;
        let mut out = Vec::new();
        for entry in statuses.iter() {
            if entry.status().is_empty() || entry.status().contains(git2::Status::IGNORED) {
                continue;
            }
            let Ok(path) = entry.path() else { continue };
            let Some(rel) = path.strip_prefix(self.prefix.as_str()) else {
                continue;
            };
            if keep(rel) {
                out.push(rel.to_string());
            }
        }
        Some(out)
    }

    /// The id git would give these bytes as a blob, to compare a working
    /// file with a committed one without reading the committed one.
    pub fn hash(bytes: &[u8]) -> Option<Oid> {
        Oid::hash_object(ObjectType::Blob, bytes).ok()
    }
}

/// libgit2's whitespace (`git__isspace`).
fn git_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `Name <email> <seconds> <+hhmm>` as libgit2 reads it when it is
/// written plainly: one `<`, one `>`, digits, a zone of four digits.
/// (name, email, seconds, offset in minutes).
fn plain_signature(s: &[u8]) -> Option<(String, String, i64, i32)> {
    let lt = s.iter().position(|&c| c == b'<')?;
    let gt = s.iter().position(|&c| c == b'>')?;
    if gt < lt || s.iter().filter(|&&c| c == b'<' || c == b'>').count() != 2 {
        return None;
    }
    // libgit2 trims what it calls crud (`is_crud`): controls, space and
    // `,:;<>"\'`, so `"Doe, John"` is `Doe, John`. It keeps names as C
    // strings, cut at a NUL: left to it.
    let crud = |c: &u8| *c <= 32 || b",:;<>\"\\'".contains(c);
    let trim = |b: &[u8]| -> Option<String> {
        let start = b.iter().position(|c| !crud(c)).unwrap_or(b.len());
        let end = b.iter().rposition(|c| !crud(c)).map_or(start, |e| e + 1);
        String::from_utf8(b.get(start..end)?.to_vec()).ok()
    };
    if s.contains(&0) {
        return None;
    }
    let rest = std::str::from_utf8(s.get(gt + 1..)?).ok()?;
    let (secs, zone) = rest.strip_prefix(' ')?.split_once(' ')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    let (sign, hhmm) = (zone.get(..1)?, zone.get(1..)?);
    if !digits(secs) || !digits(hhmm) || hhmm.len() != 4 || !matches!(sign, "+" | "-") {
        return None;
    }
    let (hours, minutes): (i32, i32) = (hhmm[..2].parse().ok()?, hhmm[2..].parse().ok()?);
    if hours > 14 || minutes > 59 {
        return None;
    }
    let offset = (hours * 60 + minutes) * if sign == "-" { -1 } else { 1 };
    Some((
        trim(&s[..lt])?,
        trim(&s[lt + 1..gt])?,
        secs.parse().ok()?,
        offset,
    ))
}

/// libgit2's summary of a message (`git_commit_summary`): its first
/// paragraph, leading newlines skipped, each run of space that holds a
/// newline made one space, trailing space dropped.
fn summary(message: &[u8]) -> Vec<u8> {
    let start = message
        .iter()
        .position(|&c| c != b'\n')
        .unwrap_or(message.len());
    let msg = &message[start..];
    let mut out = Vec::new();
    let mut space: Option<(usize, bool)> = None;
    for (i, &c) in msg.iter().enumerate() {
        if c == b'\n' {
            let next = &msg[i + 1..];
            let line_end = next.iter().position(|&d| !git_space(d) || d == b'\n');
            if next.is_empty() || line_end.is_none_or(|e| next[e] == b'\n') {
                break;
            }
        }
        if git_space(c) {
            let (at, newline) = space.unwrap_or((i, false));
            space = Some((at, newline || c == b'\n'));
        } else {
            if let Some((at, newline)) = space.take() {
                if newline {
                    out.push(b' ');
                } else {
                    out.extend_from_slice(&msg[at..i]);
                }
            }
            out.push(c);
        }
    }
    out
}

/// A commit object read as [`Git::info`] reads it, when it is written
/// plainly: `tree`, `parent`s, `author`, `committer`, other headers
/// libgit2 passes over (no `encoding`), a message without NUL bytes.
/// Anything else is None, for libgit2 to read.
fn plain_commit(id: Oid, raw: &[u8]) -> Option<CommitInfo> {
    let end = raw.windows(2).position(|w| w == b"\n\n")?;
    let (header, message) = (&raw[..end], &raw[end + 2..]);
    if message.contains(&0) {
        return None;
    }
    let mut lines = header.split(|&c| c == b'\n').peekable();
    let tree = lines.next()?.strip_prefix(b"tree ")?;
    if tree.len() != 40 || !tree.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut parents = Vec::new();
    while let Some(p) = lines.peek().and_then(|l| l.strip_prefix(b"parent ")) {
        let hex = std::str::from_utf8(p).ok()?;
        if hex.len() != 40 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        parents.push(hex.to_ascii_lowercase());
        lines.next();
    }
    let author = plain_signature(lines.next()?.strip_prefix(b"author ")?)?;
    let committer = plain_signature(lines.next()?.strip_prefix(b"committer ")?)?;
    if lines.any(|l| l.starts_with(b"encoding ")) {
        return None;
    }
    let summary = String::from_utf8(summary(message)).ok()?;
    let (time, author_clamped) = crate::dates::clamp_git_time(author.2);
    let (commit_time, committer_clamped) = crate::dates::clamp_git_time(committer.2);
    Some(CommitInfo {
        id: id.to_string(),
        author: author.0,
        email: author.1,
        time,
        commit_time,
        offset: author.3,
        commit_offset: committer.3,
        summary,
        parents,
        clamped: author_clamped || committer_clamped,
    })
}

/// Raw objects for a walk over many commits: read from the packs by a
/// [`PackReader`] (its own delta cache), or through libgit2 when an object
/// is loose or the reader cannot. Trees are compared as raw bytes, so the
/// thousands of equal entries of a plans folder are never copied.
pub struct Objects<'a, 'p> {
    git: &'a Git,
    packs: PackReader<'p>,
    odb: Option<git2::Odb<'a>>,
    /// Whether a commit's parents are those its object names.
    raw_parents: bool,
}

impl<'p> Objects<'_, 'p> {
    /// The pack reader, with what it decoded, for the next walk.
    pub fn into_reader(self) -> PackReader<'p> {
        self.packs
    }

    fn raw(&mut self, oid: Oid, kind: u8) -> Option<Arc<Vec<u8>>> {
        if let Some((k, bytes)) = self.packs.read(&oid) {
            return (k == kind).then_some(bytes);
        }
        if self.odb.is_none() {
            self.odb = self.git.repo.odb().ok();
        }
        let object = self.odb.as_ref()?.read(oid).ok()?;
        let want = match kind {
            pack::COMMIT => ObjectType::Commit,
            pack::TREE => ObjectType::Tree,
            _ => ObjectType::Blob,
        };
        // libgit2 does not check what it reads (`tune_libgit2`), and the
        // objects the pack reader refused are damaged ones: checked here,
        // by hashing them as libgit2 would (a path loose objects take too,
        // never the bulk of a history).
        (object.kind() == want && Oid::hash_object(want, object.data()).is_ok_and(|h| h == oid))
            .then(|| Arc::new(object.data().to_vec()))
    }

    /// A blob's bytes.
    pub fn blob(&mut self, oid: Oid) -> Option<Arc<Vec<u8>>> {
        self.raw(oid, pack::BLOB)
    }

    /// The id of the plans subtree at a commit (None if absent).
    pub fn plans_tree(&mut self, commit: Oid) -> Option<Oid> {
        let raw = self.raw(commit, pack::COMMIT)?;
        // A commit starts with `tree <hex>`.
        let line = raw.strip_prefix(b"tree ")?;
        if line.get(40) != Some(&b'\n') {
            return None;
        }
        let hex = line.get(..40)?;
        let mut tree = Oid::from_str(std::str::from_utf8(hex).ok()?).ok()?;
        let prefix = self.git.prefix.clone();
        for part in prefix.split('/').filter(|p| !p.is_empty()) {
            let bytes = self.raw(tree, pack::TREE)?;
            let (dir, _, id) = Entries(&bytes).find(|e| e.1 == part.as_bytes())?;
            if !dir {
                return None;
            }
            tree = Oid::from_bytes(id).ok()?;
        }
        Some(tree)
    }

    /// Facts about a commit, as [`Git::info`] gives them: read from its
    /// raw object when it is plainly written (`plain_commit`), else
    /// through libgit2. Through libgit2 alone, looking commits up was a
    /// tenth of reading a long history.
    pub fn info(&mut self, id: Oid) -> Result<CommitInfo, String> {
        match self.plain_info(id) {
            Some(c) => Ok(c),
            None => self.git.info(id),
        }
    }

    /// [`Objects::info`] from the raw object; None where libgit2 reads it.
    fn plain_info(&mut self, id: Oid) -> Option<CommitInfo> {
        if !self.raw_parents {
            return None;
        }
        let raw = self.raw(id, pack::COMMIT)?;
        plain_commit(id, &raw)
    }

    /// A commit's first parent present in the repository, as
    /// [`Git::first_parent`] gives it: the one its object names when that
    /// reads as a commit from the packs, else libgit2's answer.
    pub fn first_parent(&mut self, commit: &CommitInfo) -> Option<Oid> {
        let named = commit.parents.first().and_then(|p| Oid::from_str(p).ok());
        if let Some(p) = named.filter(|p| self.is_commit(*p)) {
            return Some(p);
        }
        self.git.first_parent(Oid::from_str(&commit.id).ok()?)
    }

    /// Whether an object is a commit that reads (a damaged one does not:
    /// the history starts after it, as [`Git::first_parent`] has it).
    pub fn is_commit(&mut self, oid: Oid) -> bool {
        self.packs.has(&oid) && self.raw(oid, pack::COMMIT).is_some()
    }

    /// The blob at `path` (relative to the plans root) in a plans tree.
    pub fn blob_at(&mut self, tree: Option<Oid>, path: &str) -> Option<Oid> {
        let mut id = tree?;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            let bytes = self.raw(id, pack::TREE)?;
            let (dir, _, found) = Entries(&bytes).find(|e| e.1 == part.as_bytes())?;
            if dir != parts.peek().is_some() {
                return None;
            }
            id = Oid::from_bytes(found).ok()?;
        }
        Some(id)
    }

    /// Files that differ between two plans trees, descending only into
    /// subtrees whose ids differ. `keep` decides which paths matter.
    pub fn changes(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        keep: &dyn Fn(&str) -> bool,
    ) -> Vec<Change> {
        let mut out = Vec::new();
        self.diff_trees(old, new, "", keep, &mut out);
        out
    }

    fn diff_trees(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        base: &str,
        keep: &dyn Fn(&str) -> bool,
        out: &mut Vec<Change>,
    ) {
        // Deeper than any plans folder: a corrupt tree that holds itself
        // would otherwise recurse until the stack ran out.
        if old == new || base.bytes().filter(|&c| c == b'/').count() >= 256 {
            return;
        }
        // A tree that cannot be read counts as empty, as libgit2's did.
        let mut load = |id: Option<Oid>| {
            id.and_then(|i| self.raw(i, pack::TREE))
                .unwrap_or_else(|| Arc::new(Vec::new()))
        };
        let (a, b) = (load(old), load(new));
        let (mut xs, mut ys) = (Entries(&a), Entries(&b));
        loop {
            // Two versions of a folder of documents differ in an entry or
            // two: identical runs of entries are passed over as bytes.
            if xs.0 == ys.0 {
                break;
            }
            let skip = xs.whole_entries(common_prefix(xs.0, ys.0));
            xs.0 = xs.0.get(skip..).unwrap_or_default();
            ys.0 = ys.0.get(skip..).unwrap_or_default();
            let ord = match (xs.peek(), ys.peek()) {
                (None, None) => break,
                (Some(x), Some(y)) => tree_order(x.1, x.0, y.1, y.0),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
            };
            let (l, r) = match ord {
                Ordering::Less => (xs.next(), None),
                Ordering::Greater => (None, ys.next()),
                Ordering::Equal => (xs.next(), ys.next()),
            };
            if l.map(|e| (e.0, e.2)) == r.map(|e| (e.0, e.2)) {
                continue;
            }
            let id = |e: Entry<'_>| Oid::from_bytes(e.2).ok();
            let name = l
                .or(r)
                .map(|e| String::from_utf8_lossy(e.1))
                .unwrap_or_default();
            let path = format!("{base}{name}");
            let (ldir, rdir) = (
                l.filter(|e| e.0).and_then(id),
                r.filter(|e| e.0).and_then(id),
            );
            if ldir.is_some() || rdir.is_some() {
                self.diff_trees(ldir, rdir, &format!("{path}/"), keep, out);
            }
            let (lblob, rblob) = (
                l.filter(|e| !e.0).and_then(id),
                r.filter(|e| !e.0).and_then(id),
            );
            if (lblob.is_some() || rblob.is_some()) && lblob != rblob && keep(&path) {
                out.push(Change {
                    path,
                    old: lblob,
                    new: rblob,
                });
            }
        }
    }
}

/// A raw tree entry: whether it is a folder, its name, its 20-byte id.
type Entry<'t> = (bool, &'t [u8], &'t [u8]);

/// The entries of a raw tree: `<mode> <name>\0<20-byte id>` each. Ids stay
/// bytes: most entries of two versions of a folder are equal, and are
/// compared without building an [`Oid`]. A malformed entry ends the list.
struct Entries<'t>(&'t [u8]);

impl Entries<'_> {
    /// The next entry, without moving past it.
    fn peek(&self) -> Option<Entry<'_>> {
        Entries(self.0).next()
    }

    /// How many of the first `n` bytes are whole entries.
    fn whole_entries(&self, n: usize) -> usize {
        let mut at = 0;
        while let Some(nul) = self
            .0
            .get(at..)
            .and_then(|b| b.iter().position(|&c| c == 0))
        {
            let end = at + nul + 21;
            if end > n {
                break;
            }
            at = end;
        }
        at
    }
}

/// How many leading bytes two slices share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 32 <= n && a.get(i..i + 32) == b.get(i..i + 32) {
        i += 32;
    }
    while i < n && a.get(i) == b.get(i) {
        i += 1;
    }
    i
}

impl<'t> Iterator for Entries<'t> {
    type Item = Entry<'t>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let b = self.0;
            let nul = b.iter().position(|&c| c == 0)?;
            let head = b.get(..nul)?;
            let space = head.iter().position(|&c| c == b' ')?;
            let name = head.get(space + 1..)?;
            let mode = octal(head.get(..space)?)?;
            if name.is_empty() || name.contains(&b'/') {
                return None;
            }
            let id = b.get(nul + 1..nul + 21)?;
            self.0 = b.get(nul + 21..)?;
            match mode & 0o170000 {
                // A submodule's commit: not a plan file.
                0o160000 => continue,
                // Trees are `40000`; old tools wrote `040000`.
                kind => return Some((kind == 0o040000, name, id)),
            }
        }
    }
}

/// A tree entry's mode: octal digits, as git and libgit2 read it.
fn octal(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 7 {
        return None;
    }
    digits.iter().try_fold(0u32, |m, &d| {
        (b'0'..=b'7')
            .contains(&d)
            .then(|| m * 8 + u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs git in `dir` as a fixed author; its output.
    fn git_in(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every object reachable from a ref.
    fn all_objects(dir: &Path) -> Vec<Oid> {
        git_in(dir, &["rev-list", "--objects", "--all"])
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter_map(|s| Oid::from_str(s).ok())
            .collect()
    }

    /// The pack folder's files ending in `ext`.
    fn pack_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
        std::fs::read_dir(dir.join(".git/objects/pack"))
            .expect("pack folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect()
    }

    /// Raw tree entries: folders by their octal mode (`40000`, and the
    /// `040000` of old tools), names with spaces, submodules left out,
    /// and a malformed entry ending the list rather than inventing one.
    #[test]
    fn raw_tree_entries_are_read_as_git_reads_them() {
        let id = [7u8; 20];
        let mut raw = Vec::new();
        for (mode, name) in [
            ("100644", "a b.md"),
            ("40000", "dir"),
            ("040000", "old"),
            ("160000", "module"),
            ("100755", "x.md"),
        ] {
            raw.extend(format!("{mode} {name}\0").bytes());
            raw.extend(id);
        }
        let got: Vec<(bool, String)> = Entries(&raw)
            .map(|(dir, name, i)| {
                assert_eq!(i, id);
                (dir, String::from_utf8_lossy(name).into_owned())
            })
            .collect();
        let want = [
            (false, "a b.md"),
            (true, "dir"),
            (true, "old"),
            (false, "x.md"),
        ];
        assert_eq!(got, want.map(|(d, n)| (d, n.to_string())));
        // No space before the name's end, a mode that is not octal, a
        // name with a slash, a short id: the list ends there.
        for bad in [&b"100644a.md\0"[..], b"10064x a.md\0", b"100644 a/b\0"] {
            let mut raw = b"100644 ok.md\0".to_vec();
            raw.extend(id);
            raw.extend(bad);
            raw.extend(id);
            assert_eq!(Entries(&raw).count(), 1, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(Entries(b"100644 short\0\x01\x02").count(), 0);
    }

    #[test]
    fn tree_order_treats_folders_as_ending_in_a_slash() {
        assert_eq!(tree_order(b"a", true, b"a.md", false), Ordering::Greater);
        assert_eq!(tree_order(b"a", false, b"a.md", false), Ordering::Less);
        assert_eq!(tree_order(b"b", false, b"a", true), Ordering::Greater);
    }

    /// The positions read from `.idx` files are git's own: every object
    /// `git verify-pack` lists, at the offset it gives.
    #[test]
    fn pack_positions_are_the_offsets_git_lists() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let git = |args: &[&str]| git_in(dir, args);
        git(&["init", "-q"]);
        for i in 0..20 {
            let text = format!("kind: metric\nid: m\ntitle: Metric\ncurrent: {i}\n").repeat(20);
            std::fs::write(dir.join("m.yaml"), text).expect("write");
            git(&["add", "-A"]);
            git(&["commit", "-qm", &format!("c{i}")]);
        }
        git(&["gc", "-q"]);
        // One more commit, loose: not in any pack.
        std::fs::write(dir.join("m.yaml"), "kind: metric\n").expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-qm", "loose"]);
        let repo = Git::discover(dir).expect("a repository");
        let mut wanted: Vec<Oid> = all_objects(dir);
        wanted.push(Oid::from_str(&"0".repeat(40)).expect("oid"));
        let packs = repo.packs();
        let got: std::collections::HashMap<Oid, (usize, u64)> = wanted
            .iter()
            .filter_map(|o| Some((*o, packs.position(o)?)))
            .collect();
        let idx = pack_files(dir, "idx").into_iter().next().expect("an index");
        let listed = git(&["verify-pack", "-v", idx.to_str().expect("utf-8")]);
        let mut n = 0;
        for line in listed.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let Some(oid) = f.first().and_then(|s| Oid::from_str(s).ok()) else {
                continue;
            };
            if f.len() < 5 {
                continue;
            }
            let offset: u64 = f[4].parse().expect("offset");
            assert_eq!(got.get(&oid), Some(&(0, offset)), "{line}");
            n += 1;
        }
        assert!(n >= 60, "20 commits, trees and blobs: {n}");
        assert_eq!(got.len(), n, "every packed object, and nothing else");
        let head = repo.head().expect("HEAD");
        assert!(!got.contains_key(&head), "a loose object has no position");
    }

    /// A repository in `dir` of `commits` commits, each writing `files`
    /// files `f0.md`, `f1.md`… in `folder` as `text(file, commit)`, packed
    /// with deltas (`git gc --aggressive`).
    fn packed_history(
        dir: &Path,
        folder: &str,
        files: usize,
        commits: usize,
        text: impl Fn(usize, usize) -> String,
    ) {
        git_in(dir, &["init", "-q"]);
        std::fs::create_dir_all(dir.join(folder)).expect("mkdir");
        for i in 0..commits {
            for f in 0..files {
                std::fs::write(dir.join(format!("{folder}/f{f}.md")), text(f, i)).expect("write");
            }
            git_in(dir, &["add", "-A"]);
            git_in(dir, &["commit", "-qm", &format!("c{i}")]);
        }
        git_in(dir, &["gc", "-q", "--aggressive"]);
    }

    /// A delta whose base offset is damaged to point at another entry of
    /// the base's size: zlib and the sizes cannot tell, and the reader
    /// gave that entry's text with the delta applied, under the delta's
    /// id; libgit2, asked next, gave the same without checking. Both are
    /// checked against the id now, and the history notes a gap instead.
    #[test]
    fn a_delta_pointed_at_another_base_of_its_size_reads_as_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let git = |args: &[&str]| git_in(dir, args);
        packed_history(dir, "plans", 4, 8, |f, i| {
            format!("id: f-{f}\nstatus: s{}\n", i % 4)
                + &format!("Line {f} of a body at {i}.\n").repeat(30)
        });
        let idx = pack_files(dir, "idx").into_iter().next().expect("an index");
        let pack = idx.with_extension("pack");
        // id, type, size, offset, and the base's id for a delta.
        let listed = git(&["verify-pack", "-v", idx.to_str().expect("utf-8")]);
        let entries: Vec<Vec<&str>> = listed
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|w| w.len() >= 5 && w[1] == "blob")
            .collect();
        let size_of = |id: &str| entries.iter().find(|e| e[0] == id).map(|e| e[2]);
        let offset = |e: &Vec<&str>| e[4].parse::<u64>().expect("offset");
        // git's offset encoding: 7 bits a byte, high bytes first, each
        // continuation one more than its bits say.
        let encode = |mut n: u64| {
            let mut out = vec![(n & 0x7f) as u8];
            n >>= 7;
            while n > 0 {
                n -= 1;
                out.push(0x80 | (n & 0x7f) as u8);
                n >>= 7;
            }
            out.reverse();
            out
        };
        let mut bytes = std::fs::read(&pack).expect("pack");
        let mut target = None;
        'find: for delta in entries.iter().filter(|e| e.len() >= 7) {
            let at = usize::try_from(offset(delta)).expect("offset");
            if (bytes[at] >> 4) & 7 != 6 {
                continue; // not an OFS_DELTA
            }
            let mut start = at;
            while bytes[start] & 0x80 != 0 {
                start += 1;
            }
            start += 1;
            let mut end = start;
            while bytes[end] & 0x80 != 0 {
                end += 1;
            }
            let base_size = size_of(delta[6]);
            for other in &entries {
                if other[0] == delta[6]
                    || offset(other) >= offset(delta)
                    || size_of(other[0]) != base_size
                {
                    continue;
                }
                let new = encode(offset(delta) - offset(other));
                if new.len() == end + 1 - start {
                    bytes[start..=end].copy_from_slice(&new);
                    target = Some(Oid::from_str(delta[0]).expect("id"));
                    break 'find;
                }
            }
        }
        let target = target.expect("a delta and another entry of its base's size");
        let repo = Git::discover(dir).expect("a repository");
        {
            let packs = repo.packs();
            assert!(packs.reader().read(&target).is_some(), "{target}");
        }
        let mut writable = std::fs::metadata(&pack).expect("pack").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        writable.set_readonly(false);
        std::fs::set_permissions(&pack, writable).expect("chmod");
        std::fs::write(&pack, &bytes).expect("write pack");
        let repo = Git::discover(dir).expect("a repository");
        let packs = repo.packs();
        assert_eq!(packs.reader().read(&target), None, "{target}");
        // Nor does libgit2, asked next, give those bytes.
        assert_eq!(repo.objects(&packs).blob(target), None, "{target}");
    }

    /// A commit read from its raw object says what libgit2 says of it,
    /// or nothing (and libgit2 is asked): messages whose first paragraph
    /// ends in every way libgit2 ends it, signatures with spaces, zones
    /// and non-ASCII names, signed commits; an `encoding` header or an
    /// unusual signature is left to libgit2.
    #[test]
    fn commits_read_raw_say_what_libgit2_says() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        git_in(dir, &["init", "-q"]);
        let tree = git_in(dir, &["write-tree"]).trim().to_string();
        let sig = |who: &str| format!("{who} 1767225600 +0000");
        let raw = |headers: &str, message: &str| {
            let text = format!("tree {tree}\n{headers}\n\n{message}");
            let path = dir.join("raw-commit");
            std::fs::write(&path, text).expect("write");
            let args = [
                "hash-object",
                "-t",
                "commit",
                "-w",
                "--literally",
                "raw-commit",
            ];
            git_in(dir, &args).trim().to_string()
        };
        let plain =
            |who: &str, committer: &str| format!("author {}\ncommitter {}", sig(who), committer);
        let me = "A U Thor <a@example.com>";
        let plain_ones = [
            raw(&plain(me, &sig(me)), "Subject\n\nBody.\n"),
            raw(
                &plain(me, &sig(me)),
                "\n\nLeading newlines\nand a second line\n\nBody\n",
            ),
            raw(
                &plain(me, &sig(me)),
                "Tabs\tand  spaces  \n  \t\nNot the summary\n",
            ),
            raw(&plain(me, &sig(me)), "CRLF subject\r\n\r\nBody\r\n"),
            raw(&plain(me, &sig(me)), "No newline at the end"),
            raw(&plain(me, &sig(me)), "\n"),
            raw(&plain(me, &sig(me)), "Wrapped  \n   onto a second line\n"),
            raw(
                &plain(
                    " Zoë  Ünïcode\t<zoe@example.com>",
                    "C <c@x> 1767225600 -0330",
                ),
                "Zones and names\n",
            ),
            raw(&plain("<empty@example.com>", &sig(me)), "An empty name\n"),
            raw(
                &plain("\"Doe, John\" <j@example.com>", &sig(me)),
                "Quoted\n",
            ),
            raw(&plain("'Bob': <'b@example.com',>", &sig(me)), "Crud\n"),
            raw(
                &plain("\u{1}Bob\u{7f} <\u{2}b@example.com>", &sig(me)),
                "Controls\n",
            ),
            raw(
                &format!(
                    "parent {tree}\n{}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----",
                    plain(me, &sig(me))
                ),
                "Signed\n",
            ),
        ];
        let left_to_libgit2 = [
            raw(
                &format!("{}\nencoding ISO-8859-1", plain(me, &sig(me))),
                "Latin-1\n",
            ),
            raw(&plain("Two <<a@example.com>>", &sig(me)), "Odd signature\n"),
            raw(&plain("Bo\u{0}b <b@example.com>", &sig(me)), "NUL\n"),
            raw(&plain(me, "C <c@x> 1767225600 +9999"), "Odd zone\n"),
            raw(&plain(me, "C <c@x> soon +0000"), "No time\n"),
        ];
        let repo = Git::discover(dir).expect("a repository");
        let packs = repo.packs();
        let mut objects = repo.objects(&packs);
        for (i, id) in plain_ones.iter().enumerate() {
            let id = Oid::from_str(id).expect("an id");
            let ours = objects.plain_info(id);
            assert!(ours.is_some(), "plain commit {i} read raw");
            assert_eq!(ours, repo.info(id).ok(), "plain commit {i}");
        }
        for (i, id) in left_to_libgit2.iter().enumerate() {
            let id = Oid::from_str(id).expect("an id");
            assert_eq!(objects.plain_info(id), None, "unusual commit {i}");
        }
        let summaries: Vec<String> = plain_ones[..7]
            .iter()
            .map(|id| {
                repo.info(Oid::from_str(id).expect("id"))
                    .expect("info")
                    .summary
            })
            .collect();
        assert_eq!(
            summaries,
            [
                "Subject",
                "Leading newlines and a second line",
                "Tabs\tand  spaces",
                "CRLF subject",
                "No newline at the end",
                "",
                "Wrapped onto a second line"
            ]
        );
    }

    /// Every object of a packed repository, with deltas, reads the same
    /// through the pack reader as through libgit2; loose objects are left
    /// to libgit2; damaged or truncated packs give no bytes, never a panic.
    /// One long test: the damaged packs are copies of the one it builds
    /// (a repository with deltas takes most of its time), and each damage
    /// is a few lines beside the others.
    #[test]
    fn the_pack_reader_reads_what_libgit2_reads() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let git = |args: &[&str]| git_in(dir, args);
        packed_history(dir, "plans/features", 5, 30, |f, i| {
            format!("---\nid: f-{f}\nkind: feature\nstatus: s{}\n---\n", i % 4)
                + &format!("Line {f} of a body that changes a little at {i}.\n").repeat(40)
        });
        std::fs::write(dir.join("plans/loose.md"), "loose\n").expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-qm", "loose"]);
        let repo = Git::discover(dir).expect("a repository");
        let odb = repo.repo.odb().expect("odb");
        let oids: Vec<Oid> = all_objects(dir);
        let idx = pack_files(dir, "idx").into_iter().next().expect("an index");
        let listed = git(&["verify-pack", "-v", idx.to_str().expect("utf-8")]);
        let deltas = listed
            .lines()
            .filter(|l| l.split_whitespace().count() >= 7)
            .count();
        assert!(deltas >= 50, "the fixture has deltas: {deltas}");
        let packs = repo.packs();
        let mut reader = packs.reader();
        let mut objects = repo.objects(&packs);
        let (mut packed, mut loose) = (0, 0);
        for oid in &oids {
            let want = odb.read(*oid).expect("libgit2 reads it");
            let kind = match want.kind() {
                ObjectType::Commit => pack::COMMIT,
                ObjectType::Tree => pack::TREE,
                _ => pack::BLOB,
            };
            match reader.read(oid) {
                Some((k, bytes)) => {
                    assert_eq!((k, bytes.as_slice()), (kind, want.data()), "{oid}");
                    packed += 1;
                }
                None => {
                    assert!(packs.position(oid).is_none(), "{oid} is packed but unread");
                    loose += 1;
                }
            }
            let raw = objects.raw(*oid, kind).expect("read either way");
            assert_eq!(raw.as_slice(), want.data());
        }
        assert!(
            packed >= 150 && loose >= 3,
            "{packed} packed, {loose} loose"
        );
        // The commit reading agrees with libgit2's too.
        let head = repo.head().expect("HEAD");
        assert_eq!(objects.plans_tree(head), repo.plans_tree(head));

        // Damaged copies of the pack: no panic, and never other bytes for
        // a blob than its own (zlib's checksum and the sizes catch it).
        let pack_file = idx.with_extension("pack");
        let bytes = std::fs::read(&pack_file).expect("pack");
        let copy = tempfile::tempdir().expect("tempdir");
        let pack_dir = copy.path().join("pack");
        std::fs::create_dir_all(&pack_dir).expect("mkdir");
        std::fs::copy(&idx, pack_dir.join("p.idx")).expect("copy idx");
        let step = (bytes.len() / 97).max(1);
        let mut damaged: Vec<Vec<u8>> = (12..bytes.len())
            .step_by(step)
            .map(|at| {
                let mut b = bytes.clone();
                b[at] ^= 0x5a;
                b
            })
            .collect();
        damaged.push(bytes[..bytes.len() / 2].to_vec());
        for b in damaged {
            std::fs::write(pack_dir.join("p.pack"), &b).expect("write pack");
            let packs = pack::Packs::open(copy.path());
            let mut reader = packs.reader();
            for oid in &oids {
                if let Some((pack::BLOB, got)) = reader.read(oid)
                    && let Ok(want) = odb.read(*oid)
                    && want.kind() == ObjectType::Blob
                {
                    assert_eq!(got.as_slice(), want.data(), "{oid}");
                }
            }
        }

        // Deltas that name their base by id (REF_DELTA, as packs written
        // without offsets hold): the whole repository repacked that way.
        std::fs::write(dir.join("plans/late.md"), "late\n").expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-qm", "late"]);
        let keep = git(&["-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq"]);
        assert!(keep.is_empty());
        // And a second pack beside it, holding only what came after.
        std::fs::write(dir.join("plans/later.md"), "later\n").expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-qm", "later"]);
        git(&["repack", "-dq"]);
        let packs_on_disk = pack_files(dir, "pack").len();
        assert_eq!(packs_on_disk, 2);
        git(&["commit", "-qm", "loose again", "--allow-empty"]);
        let packs = repo.packs();
        let mut reader = packs.reader();
        let oids: Vec<Oid> = all_objects(dir);
        let mut read = 0;
        for oid in &oids {
            let want = odb.read(*oid).expect("libgit2 reads it");
            if let Some((_, bytes)) = reader.read(oid) {
                assert_eq!(bytes.as_slice(), want.data(), "{oid}");
                read += 1;
            }
        }
        assert!(read + 1 >= oids.len(), "{read} of {}", oids.len());
    }

    /// The raw-tree comparison finds what libgit2's own tree diff finds,
    /// commit by commit: edits in a long folder (before, between and after
    /// equal runs of entries), files added and deleted, a folder added.
    #[test]
    fn raw_tree_changes_match_libgit2s_diff() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        let git = |args: &[&str]| git_in(dir, args);
        git(&["init", "-q"]);
        let features = dir.join("plans/features");
        std::fs::create_dir_all(&features).expect("mkdir");
        for f in 0..40 {
            std::fs::write(features.join(format!("f-{f:02}.md")), format!("v0 {f}\n"))
                .expect("write");
        }
        git(&["add", "-A"]);
        git(&["commit", "-qm", "start"]);
        for i in 1..30 {
            let f = (i * 7) % 40;
            std::fs::write(features.join(format!("f-{f:02}.md")), format!("v{i} {f}\n"))
                .expect("write");
            if i % 5 == 0 {
                std::fs::write(features.join(format!("f-{:02}.md", 40 + i)), "new\n")
                    .expect("write");
            }
            if i % 6 == 0 {
                let _ = std::fs::remove_file(features.join(format!("f-{:02}.md", i)));
            }
            if i == 11 {
                std::fs::create_dir_all(features.join("sub")).expect("mkdir");
                std::fs::write(features.join("sub/a.md"), "a\n").expect("write");
            }
            git(&["add", "-A"]);
            git(&["commit", "-qm", &format!("c{i}")]);
        }
        git(&["gc", "-q"]);
        let repo = Git::discover(dir).expect("a repository");
        let packs = repo.packs();
        let mut objects = repo.objects(&packs);
        let mut compared = 0;
        for line in git(&["rev-list", "HEAD"]).lines() {
            let id = Oid::from_str(line).expect("oid");
            let Some(parent) = repo.first_parent(id) else {
                continue;
            };
            let (old, new) = (repo.plans_tree(parent), repo.plans_tree(id));
            let mut ours: Vec<(String, Option<Oid>, Option<Oid>)> = objects
                .changes(old, new, &|_| true)
                .into_iter()
                .map(|c| (c.path, c.old, c.new))
                .collect();
            ours.sort();
            let tree = |t: Option<Oid>| t.and_then(|t| repo.repo.find_tree(t).ok());
            let diff = repo
                .repo
                .diff_tree_to_tree(tree(old).as_ref(), tree(new).as_ref(), None)
                .expect("libgit2 diff");
            let mut theirs: Vec<(String, Option<Oid>, Option<Oid>)> = diff
                .deltas()
                .map(|d| {
                    let path = d.new_file().path().or(d.old_file().path());
                    let id = |f: git2::DiffFile<'_>| Some(f.id()).filter(|i| !i.is_zero());
                    (
                        path.map(|p| p.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        id(d.old_file()),
                        id(d.new_file()),
                    )
                })
                .collect();
            theirs.sort();
            assert_eq!(ours, theirs, "commit {line}");
            assert!(!ours.is_empty());
            compared += 1;
        }
        assert_eq!(compared, 29);
    }
}
