//! The checker: raw documents in, the compiled [`Plan`] and every
//! diagnostic out. Each pass reports through a [`Sink`] and never stops at
//! the first problem; a broken file only drops out of the passes that need
//! what it failed to provide.

pub mod documents;
mod ids;
pub mod links;
mod location;
pub mod references;
mod roadmap;
mod stale;
pub use stale::LastChanged;

use crate::config::{Config, RuleLevel};
use crate::diag::{self, Diagnostic, Level};
use crate::parse::document::parse_file;
use crate::plan::{Document, Plan};
use crate::schema::Registry;
use crate::source::Tree;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};

/// Collects diagnostics, applying the config's levels and each document's
/// `suppress` as they arrive, so no pass needs to know about either.
pub struct Sink<'c> {
    config: &'c Config,
    diags: Vec<Diagnostic>,
}

impl<'c> Sink<'c> {
    /// A sink for a run with this config.
    pub fn new(config: &'c Config) -> Sink<'c> {
        Sink {
            config,
            diags: Vec::new(),
        }
    }

    /// Reports `d` about `doc` (None for file-level problems).
    pub fn push(&mut self, doc: Option<&Document>, mut d: Diagnostic) {
        let unsuppressible = !d.rule.suppressible();
        if !unsuppressible && doc.is_some_and(|doc| doc.suppressed(d.rule.name())) {
            return;
        }
        d.level = match self.config.rules.get(d.rule.name()).and_then(|r| r.level) {
            Some(RuleLevel::Off) if !unsuppressible => return,
            Some(RuleLevel::Error) => Level::Error,
            Some(RuleLevel::Warning) if !unsuppressible => Level::Warning,
            _ => d.rule.default_level(),
        };
        if d.at_most_warning && d.level == Level::Error {
            d.level = Level::Warning;
        }
        self.diags.push(d);
    }

    /// The diagnostics, sorted.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        diag::sort(&mut self.diags);
        self.diags
    }
}

/// The result of checking a plans repository.
pub struct Compiled {
    /// The plan, with every document that could be read.
    pub plan: Plan,
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.level == Level::Warning)
            .count()
    }
}

/// What checking one file gave: its documents and their diagnostics.
#[derive(Clone)]
pub struct FileResult {
    unparsed: bool,
    file_diags: Vec<Diagnostic>,
    docs: Vec<(Option<Document>, Vec<Diagnostic>)>,
}

/// Per-file results shared between two checks with the same config and
/// schemas (the two sides of `diff`): a file whose content is the same on
/// both sides is parsed and validated once.
#[derive(Default)]
pub struct Memo(
    std::sync::Mutex<std::collections::HashMap<u64, std::sync::Arc<FileResult>>>,
    /// Copies made ahead of time by [`Memo::prepare`], taken (not copied)
    /// by the next check.
    std::sync::Mutex<std::collections::HashMap<u64, FileResult>>,
    /// The files of the last check through this memo.
    std::sync::Mutex<Vec<u64>>,
);

impl Memo {
    /// How many file results it holds.
    pub fn len(&self) -> usize {
        self.0.lock().map(|g| g.len()).unwrap_or(0)
    }

    /// True when it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps only the results of files as they are in `tree`, so a long
    /// `serve` session does not keep every version of every file.
    pub fn retain(&self, tree: &Tree) {
        let keep: HashSet<u64> = tree.files.iter().map(file_key).collect();
        if let Ok(mut g) = self.0.lock() {
            g.retain(|k, _| keep.contains(k));
        }
    }

    /// [`Memo::prepare`] on a thread of its own, unless one `busy` says is
    /// under way: `serve` between saves and `lsp` between keystrokes, so
    /// the copying is done by the time the next check wants the copies.
    pub fn prepare_in_background(
        self: &std::sync::Arc<Self>,
        busy: &std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) {
        use std::sync::atomic::Ordering;
        if busy.swap(true, Ordering::SeqCst) {
            return;
        }
        let (memo, flag) = (self.clone(), busy.clone());
        let started = std::thread::Builder::new()
            .name("northstar-prepare".into())
            .spawn(move || {
                memo.prepare();
                flag.store(false, Ordering::SeqCst);
            });
        if started.is_err() {
            busy.store(false, Ordering::SeqCst);
        }
    }

    /// Copies the results of the last check's files ahead of time, so the
    /// next check (after an edit to a few of them) takes those copies
    /// instead of making them: `serve` runs this on a spare core between
    /// edits, since copying ten thousand documents is most of a re-check.
    pub fn prepare(&self) {
        let keys = self.2.lock().map(|k| k.clone()).unwrap_or_default();
        let shared: Vec<(u64, std::sync::Arc<FileResult>)> = match self.0.lock() {
            Ok(g) => keys
                .iter()
                .filter_map(|k| g.get(k).map(|r| (*k, r.clone())))
                .collect(),
            Err(_) => return,
        };
        let copies = shared.into_iter().map(|(k, r)| (k, (*r).clone())).collect();
        if let Ok(mut spare) = self.1.lock() {
            *spare = copies;
        }
    }
}

fn file_key(f: &crate::source::SourceFile) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprint::hasher();
    f.path.hash(&mut h);
    f.kind.hash(&mut h);
    f.text.as_ref().ok().hash(&mut h);
    f.body.hash(&mut h);
    h.finish()
}

fn check_file(f: &crate::source::SourceFile, registry: &Registry, config: &Config) -> FileResult {
    let (raws, diags) = parse_file(f);
    FileResult {
        unparsed: raws.is_empty() && !diags.is_empty(),
        file_diags: diags,
        docs: raws
            .iter()
            .map(|r| documents::build(r, registry, config))
            .collect(),
    }
}

/// Checks everything in `tree`. `today` is the day number rules compare with.
pub fn compile(
    config: &Config,
    registry: &Registry,
    tree: &Tree,
    today: i64,
    last_changed: Option<&LastChanged>,
) -> Compiled {
    compile_with(config, registry, tree, today, last_changed, None)
}

/// [`compile`], reusing per-file results from `memo` where the file is
/// unchanged. The memo must only be shared by checks with the same config.
pub fn compile_with(
    config: &Config,
    registry: &Registry,
    tree: &Tree,
    today: i64,
    last_changed: Option<&LastChanged>,
    memo: Option<&Memo>,
) -> Compiled {
    let files = check_files(config, registry, tree, memo);
    files.finish(config, registry, tree, today, last_changed)
}

/// Every file checked on its own: parsed, typed and validated against its
/// kind's schema. Needs neither "today" nor history, so a build runs it
/// while history is read ([`Files::finish`] does the rest).
pub fn check_files(
    config: &Config,
    registry: &Registry,
    tree: &Tree,
    memo: Option<&Memo>,
) -> Files {
    // Memoised results are copied here, on every core: copying ten
    // thousand documents is most of a re-check's time.
    let (keys, results): (Vec<u64>, Vec<FileResult>) = tree
        .files
        .par_iter()
        .map(|f| match memo {
            None => (0, check_file(f, registry, config)),
            Some(m) => {
                let key = file_key(f);
                if let Some(r) = m.1.lock().ok().and_then(|mut s| s.remove(&key)) {
                    return (key, r);
                }
                if let Some(r) = m.0.lock().ok().and_then(|g| g.get(&key).cloned()) {
                    return (key, (*r).clone());
                }
                let r = check_file(f, registry, config);
                if let Ok(mut g) = m.0.lock() {
                    g.insert(key, std::sync::Arc::new(r.clone()));
                }
                (key, r)
            }
        })
        .unzip();
    if let Some(mut last) = memo.and_then(|m| m.2.lock().ok()) {
        *last = keys;
    }
    Files(results)
}

/// The per-file results of [`check_files`], one per file of the tree they
/// were checked from, in its order.
pub struct Files(Vec<FileResult>);

impl Files {
    /// The checks across documents (ids, references, links, roadmap, and
    /// `stale` with history), on the files checked from `tree`.
    pub fn finish(
        self,
        config: &Config,
        registry: &Registry,
        tree: &Tree,
        today: i64,
        last_changed: Option<&LastChanged>,
    ) -> Compiled {
        let mut sink = Sink::new(config);
        let mut unparsed: HashSet<String> = HashSet::new();
        let mut docs = Vec::new();
        for (file, r) in tree.files.iter().zip(self.0) {
            if r.unparsed {
                unparsed.insert(stem(&file.path).to_string());
            }
            for d in r.file_diags {
                sink.push(None, d);
            }
            for (doc, diags) in r.docs {
                for d in diags {
                    sink.push(doc.as_ref(), d);
                }
                docs.extend(doc);
            }
        }
        let mut plan = Plan {
            docs,
            today,
            ..Plan::default()
        };
        ids::check(&mut plan, &mut sink);
        plan.index_paths();
        references::check(&mut plan, registry, &unparsed, &mut sink);
        let all_paths: &BTreeSet<String> = &tree.all_paths;
        links::check(&mut plan, all_paths, &unparsed, &mut sink);
        plan.index_edges();
        roadmap::check(&plan, config, &mut sink);
        location::check(config, registry, tree, &mut sink);
        if let Some(h) = last_changed {
            stale::check(&plan, h, config.stale_days(), &mut sink);
        }
        Compiled {
            plan,
            diagnostics: sink.finish(),
        }
    }
}

/// A path's file name without its extension: a Markdown document's default id.
pub fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::SourceFile;

    fn tree(names: &[&str]) -> Tree {
        let files = names
            .iter()
            .map(|n| SourceFile {
                path: format!("{n}.yaml"),
                text: Ok(format!("kind: person\nid: {n}\ntitle: {n}\n")),
                kind: None,
                body: None,
            })
            .collect();
        Tree {
            files,
            all_paths: Default::default(),
            schemas: Default::default(),
        }
    }

    /// `serve` keeps one memo for a whole session and asks its size to
    /// know when to forget files gone from the tree: the size must count
    /// the files checked, and forgetting must keep only the current ones.
    #[test]
    fn the_memo_holds_a_result_per_file_and_forgets_files_gone() {
        let config = crate::config::parse("product: p\n").expect("config");
        let registry = Registry::new(&config.kinds, &Default::default()).expect("registry");
        let memo = Memo::default();
        assert!(memo.is_empty());
        let three = tree(&["ann", "bob", "cy"]);
        let c = compile_with(&config, &registry, &three, 0, None, Some(&memo));
        assert_eq!(c.plan.docs.len(), 3);
        assert_eq!(memo.len(), 3);
        assert!(!memo.is_empty());
        memo.retain(&tree(&["bob", "cy"]));
        assert_eq!(memo.len(), 2);
    }

    /// A Markdown document's default id is its file name without the
    /// extension; a name that is only an extension stays whole, so it is
    /// said to be an invalid id rather than an empty one.
    #[test]
    fn a_stem_drops_the_last_extension_only() {
        assert_eq!(stem("features/f-1.md"), "f-1");
        assert_eq!(stem("notes/v1.2.md"), "v1.2");
        assert_eq!(stem("README"), "README");
        assert_eq!(stem("odd/.md"), ".md");
    }
}
