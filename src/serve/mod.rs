//! `northstar serve`: the site built in memory, served over HTTP on
//! loopback, rebuilt on every edit, and open pages reloaded.
//!
//! One thread builds: it waits for a batch of changes from the watcher
//! ([`watch`]), brings the scanned tree up to date (re-reading only the
//! changed files), checks with a [`Memo`] so unchanged files are not parsed
//! or validated again, re-applies the working tree to the history read at
//! the last HEAD move, renders the pages the edit can change
//! ([`crate::render::partial`]) and publishes the result. The HTTP threads
//! ([`http`]) only read the published [`Snapshot`].
//!
//! A build with errors the served site did not have is not served: the
//! last good site stays, and every page shows the errors in an overlay
//! ([`overlay`]) until they are fixed. A config or template that does not
//! load is shown the same way. Nothing is written to disk (the history
//! cache aside, as in `build`), so stopping the process is always clean.

pub mod http;
pub mod live;
pub mod overlay;
pub mod update;
pub mod watch;

use crate::check::{Compiled, Memo};
use crate::history::{Committed, History};
use crate::project::{Open, Project};
use crate::render::{self, Options as RenderOptions, partial};
pub use live::{Live, Pending, Snapshot};
use overlay::Problem;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Site files by path.
pub type Pages = BTreeMap<String, Arc<[u8]>>;

/// Template overrides of a plans root (`templates/`), read by the caller.
pub type Overrides = fn(&Path) -> Result<BTreeMap<String, String>, String>;

/// More changed documents than this render the whole site.
const PARTIAL_LIMIT: usize = 200;

/// How `serve` was asked to run.
pub struct Options {
    /// Port (0: any free port).
    pub port: u16,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Open the site in a browser.
    pub open: bool,
    /// Reads template overrides.
    pub overrides: Overrides,
}

/// The last site rendered, and what it was rendered from.
struct Base {
    compiled: Compiled,
    history: History,
    pages: Arc<Pages>,
    /// The plan-wide pages among them.
    wide: Arc<BTreeSet<String>>,
    assets: Arc<BTreeSet<String>>,
    /// Its errors, by rule, file and message (lines move).
    errors: BTreeSet<(crate::rules::Rule, String, String)>,
}

/// What one rebuild did, for the log line.
struct Report {
    took: Duration,
    /// Where the time went: (phase, milliseconds).
    phases: Vec<(&'static str, f64)>,
    changed: usize,
    pages: Option<usize>,
    /// Plan-wide files rendered after the reload event.
    wide: Option<usize>,
    errors: Vec<Problem>,
    warnings: usize,
    served: bool,
}

/// The build state between rebuilds.
struct Builder {
    root: PathBuf,
    project: Project,
    memo: Arc<Memo>,
    read_overrides: Overrides,
    overrides: BTreeMap<String, String>,
    /// The templates compiled from `overrides`, kept between renders.
    templates: Option<render::templates::Templates>,
    committed: Option<Arc<Committed>>,
    /// A copy of `committed` made on a spare core, for the next rebuild
    /// (copying the replay of 10,000 documents takes tens of milliseconds).
    spare: Option<std::thread::JoinHandle<Committed>>,
    /// Whether `memo` is preparing copies for the next check.
    preparing: Arc<std::sync::atomic::AtomicBool>,
    base: Option<Base>,
    /// The config, a schema or a template that does not load.
    broken: Option<String>,
    /// The next render must be whole (config, templates, history changed).
    full: bool,
    session: String,
    builds: u64,
    live: Option<Arc<Live>>,
}

/// What a batch of changes asks of a rebuild ([`Builder::classify`]).
struct Asked {
    /// Reopen the project: the config or a schema changed, git moved, or
    /// the project did not load.
    reload: bool,
    /// Read the template overrides again.
    templates: bool,
    /// The other changed files.
    paths: BTreeSet<String>,
}

/// What reading a batch found ([`Builder::read`]).
struct Read {
    /// The files known to have changed; None after a scan of everything.
    known: Option<BTreeSet<String>>,
    /// Files that appeared or went away (for the pages linking to them).
    files: BTreeSet<String>,
}

/// A site rendered for the base ([`Builder::render`]).
struct Fresh {
    pages: Pages,
    assets: BTreeSet<String>,
    /// The plan-wide pages among them.
    wide: Arc<BTreeSet<String>>,
    /// How many files were rendered.
    n: usize,
    /// Whether the plan-wide pages are still to come.
    partial: bool,
}

/// Where a rebuild's time went: each phase in milliseconds since the one
/// before ended (the first since the batch's first change).
struct Laps {
    phases: Vec<(&'static str, f64)>,
    mark: Instant,
}

impl Laps {
    /// Laps from `started`, when the batch's first change came.
    fn new(started: Instant) -> Laps {
        Laps {
            phases: Vec::new(),
            mark: started,
        }
    }

    /// Ends the phase `name`.
    fn lap(&mut self, name: &'static str) {
        self.phases
            .push((name, self.mark.elapsed().as_secs_f64() * 1000.0));
        self.mark = Instant::now();
    }
}

fn error_keys(c: &Compiled) -> BTreeSet<(crate::rules::Rule, String, String)> {
    c.diagnostics
        .iter()
        .filter(|d| d.level == crate::diag::Level::Error)
        .map(|d| (d.rule, d.file.clone(), d.message.clone()))
        .collect()
}

impl Builder {
    fn new(root: &Path, read_overrides: Overrides) -> Result<Builder, String> {
        let project = Project::open(
            root,
            &Open {
                history: true,
                ..Open::default()
            },
        )?;
        let overrides = read_overrides(&project.root)?;
        let session = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| format!("{:x}", d.as_nanos() & 0xffff_ffff_ffff))
            .unwrap_or_default();
        Ok(Builder {
            root: project.root.clone(),
            project,
            memo: Arc::default(),
            read_overrides,
            overrides,
            templates: None,
            committed: None,
            spare: None,
            preparing: Arc::default(),
            base: None,
            broken: None,
            full: true,
            session,
            builds: 0,
            live: None,
        })
    }

    /// The schema files the config names, relative to the root.
    fn schema_files(&self) -> BTreeSet<String> {
        self.project
            .config
            .kinds
            .values()
            .filter_map(|k| k.schema.as_ref())
            .map(|s| s.trim_start_matches("./").to_string())
            .collect()
    }

    /// Builds after `batch` (everything when it is None): reads what
    /// changed, brings the history up to date, checks, then serves the
    /// result ([`Builder::serve_checked`]). Each step is timed for the log
    /// line.
    fn rebuild(&mut self, batch: Option<&watch::Batch>) -> Report {
        let started = batch.and_then(|b| b.since).unwrap_or_else(Instant::now);
        let asked = self.classify(batch);
        let changed = asked.paths.len();
        let mut laps = Laps::new(started);
        laps.lap("wait");
        let read = match self.read(batch, &asked) {
            Ok(r) => r,
            Err(e) => {
                self.broken = Some(e);
                return self.publish_broken(started, changed);
            }
        };
        laps.lap("read");
        let history = self.history();
        laps.lap("history");
        let compiled = self.check(&history);
        laps.lap("check");
        let mut report = self.serve_checked(compiled, history, &read, changed, &mut laps);
        report.phases = laps.phases;
        report.took = started.elapsed();
        report
    }

    /// What `batch` asks for: the config or a schema changed (or git
    /// moved, or the project did not load) reopens the project; a change
    /// under `templates/` reads the overrides again; the other paths are
    /// files to re-read.
    fn classify(&self, batch: Option<&watch::Batch>) -> Asked {
        let mut asked = Asked {
            reload: batch.is_none_or(|b| b.git) || self.broken.is_some(),
            templates: batch.is_none(),
            paths: BTreeSet::new(),
        };
        if let Some(b) = batch {
            let schemas = self.schema_files();
            for p in &b.paths {
                if p == crate::config::FILE_NAME || schemas.contains(p) {
                    asked.reload = true;
                } else if p == "templates" || p.starts_with("templates/") {
                    // The folder itself too: files written into a new
                    // folder can come before its watch does.
                    asked.templates = true;
                } else {
                    asked.paths.insert(p.clone());
                }
            }
        }
        asked
    }

    /// Brings the project up to date with `batch`: reopened when asked
    /// (the first build opened it already), else the changed files
    /// re-read; then the template overrides, when asked or reopened. An
    /// error is the config, a schema or a template that does not load.
    fn read(&mut self, batch: Option<&watch::Batch>, asked: &Asked) -> Result<Read, String> {
        let mut templates = asked.templates;
        let read = if asked.reload && batch.is_some() {
            self.reopen(batch.is_some_and(|b| b.git))?;
            templates = true;
            Read {
                known: None,
                files: BTreeSet::new(),
            }
        } else {
            self.update_tree(&asked.paths, batch.is_some_and(|b| b.rescan))
        };
        if templates {
            let o = (self.read_overrides)(&self.root)?;
            if o != self.overrides {
                self.full = true;
                self.templates = None;
            }
            self.overrides = o;
        }
        Ok(read)
    }

    /// Opens the project again, after its config or a schema changed or
    /// git moved (`git`). What was checked is forgotten when the config or
    /// the schemas changed, the history read when either did or git moved;
    /// the next render is whole.
    fn reopen(&mut self, git: bool) -> Result<(), String> {
        let p = Project::open(&self.root, &Open::default())?;
        let same = p.config_text == self.project.config_text
            && p.tree.schemas == self.project.tree.schemas;
        if !same {
            self.memo = Arc::default();
            self.committed = None;
        }
        if git {
            self.committed = None;
        }
        self.project = p;
        self.broken = None;
        self.full = true;
        Ok(())
    }

    /// Re-reads the changed `paths` into the scanned tree, or scans it
    /// again when asked (`rescan`) or when the paths cannot be applied
    /// one by one. Says which files changed (None after a scan of
    /// everything) and which appeared or went away.
    fn update_tree(&mut self, paths: &BTreeSet<String>, rescan: bool) -> Read {
        let tree = &mut self.project.tree;
        let was: Vec<bool> = paths.iter().map(|p| tree.all_paths.contains(p)).collect();
        if rescan || !update::apply(&self.root, &self.project.config, tree, paths) {
            let skip = update::skipped(&self.root, &self.project.config);
            let fresh = crate::source::scan(&self.root, &self.project.config, &skip);
            let old = std::mem::replace(&mut self.project.tree, fresh);
            self.project.tree.schemas = old.schemas;
            let files = old
                .all_paths
                .symmetric_difference(&self.project.tree.all_paths)
                .chain(paths)
                .cloned()
                .collect();
            return Read { known: None, files };
        }
        let files = paths
            .iter()
            .zip(was)
            .filter(|(p, was)| tree.all_paths.contains(*p) != *was)
            .map(|(p, _)| p.clone())
            .collect();
        Read {
            known: Some(paths.clone()),
            files,
        }
    }

    /// The history of the working tree: the committed history (read again
    /// when it was forgotten, which makes the next render whole), copied
    /// on a spare core by the last rebuild when it can be, with the working
    /// tree applied. Starts the copy for the next rebuild.
    fn history(&mut self) -> History {
        let p = &self.project;
        let base = match &self.committed {
            Some(c) => c.clone(),
            None => {
                self.full = true;
                self.spare = None;
                let c = Arc::new(p.committed_history());
                self.committed = Some(c.clone());
                c
            }
        };
        let committed = match self.spare.take().map(|h| h.join()) {
            Some(Ok(c)) => c,
            _ => (*base).clone(),
        };
        self.spare = std::thread::Builder::new()
            .name("northstar-spare".into())
            .spawn(move || (*base).clone())
            .ok();
        p.history_from(committed)
    }

    /// Checks the plans with the memo, so unchanged files are not parsed
    /// or validated again; the memo forgets files gone from the tree once
    /// it holds many of them.
    fn check(&self, history: &History) -> Compiled {
        let p = &self.project;
        if self.memo.len() > p.tree.files.len() + 256 {
            self.memo.retain(&p.tree);
        }
        crate::check::compile_with(
            &p.config,
            &p.registry,
            &p.tree,
            history.today,
            history.last_changed().as_ref(),
            Some(&*self.memo),
        )
    }

    /// Serves a checked build: rendered and published when it adds no
    /// error the served site lacks, else the served site stays with the
    /// errors overlaid. After a partial render, the plan-wide pages are
    /// rendered once the pages are served ([`Builder::finish_wide`]).
    fn serve_checked(
        &mut self,
        compiled: Compiled,
        history: History,
        read: &Read,
        changed: usize,
        laps: &mut Laps,
    ) -> Report {
        let errors = error_keys(&compiled);
        let accept = self
            .base
            .as_ref()
            .is_none_or(|b| errors.is_subset(&b.errors));
        let mut report = Report {
            took: Duration::ZERO,
            phases: Vec::new(),
            changed,
            pages: None,
            wide: None,
            errors: Problem::errors(&compiled.diagnostics, &|file, line| {
                let f = self.project.tree.files.iter().find(|f| f.path == file)?;
                let text = f.text.as_ref().ok()?;
                text.lines().nth(line as usize - 1).map(str::to_string)
            }),
            warnings: compiled.warnings(),
            served: accept,
        };
        let mut wide = None;
        if accept {
            let rendered = self.render(compiled, history, &read.files, read.known.as_ref(), errors);
            laps.lap("render");
            match rendered {
                Ok((n, partial)) => {
                    report.pages = Some(n);
                    if partial {
                        wide = self
                            .base
                            .as_ref()
                            .map(|b| Arc::new(Pending::new(b.wide.clone())));
                    }
                }
                Err(e) => self.failed(e, &mut report),
            }
        }
        self.publish(&report.errors, !report.served, wide.clone());
        laps.lap("publish");
        self.prepare_next_check();
        if let Some(pending) = wide {
            match self.finish_wide(&pending) {
                Ok(n) => report.wide = Some(n),
                Err(e) => {
                    self.failed(e, &mut report);
                    self.publish(&report.errors, true, None);
                    pending.finish();
                }
            }
            laps.lap("wide");
        }
        report
    }

    /// Records a render that failed with `e`: the site is not served, and
    /// the failure comes first among the errors shown.
    fn failed(&mut self, e: String, report: &mut Report) {
        self.broken = Some(e);
        report.served = false;
        report.errors.insert(0, self.broken_problem());
    }

    /// How serve renders: every document, with the plans' templates, and
    /// no kept history.
    fn render_options(&self) -> RenderOptions {
        RenderOptions {
            public: false,
            templates: self.overrides.clone(),
            // Each edit re-renders a page or two from memory: nothing to
            // gain from the kept history, which a build keeps for itself.
        }
    }

    /// Renders the accepted build: the pages of the documents the edit can
    /// change over the base (then the plan-wide pages are left to
    /// [`Builder::finish_wide`]), or everything; the result becomes the
    /// base. Returns how many files were rendered, and whether the
    /// plan-wide pages are still to come.
    fn render(
        &mut self,
        compiled: Compiled,
        history: History,
        files: &BTreeSet<String>,
        known: Option<&BTreeSet<String>>,
        errors: BTreeSet<(crate::rules::Rule, String, String)>,
    ) -> Result<(usize, bool), String> {
        let opts = self.render_options();
        if self.templates.is_none() {
            self.templates = Some(render::templates::Templates::new(&opts.templates)?);
        }
        let ids = self.affected(&compiled, &history, files, known);
        let fresh = match (ids, &self.base) {
            (Some(ids), Some(base)) => {
                self.render_affected(&compiled, &history, &opts, base, &ids)?
            }
            _ => self.render_all(&compiled, &history, &opts)?,
        };
        let old = self.base.replace(Base {
            compiled,
            history,
            pages: Arc::new(fresh.pages),
            wide: fresh.wide,
            assets: Arc::new(fresh.assets),
            errors,
        });
        // Freeing a large plan takes milliseconds: not on the way to the
        // reload.
        if let Some(old) = old {
            let _ = std::thread::Builder::new()
                .name("northstar-free".into())
                .spawn(move || drop(old));
        }
        self.full = false;
        self.broken = None;
        Ok((fresh.n, fresh.partial))
    }

    /// The documents whose pages the edit can change over the base
    /// ([`partial::affected`]), and those whose body mentions a file that
    /// appeared or went away; None when everything is to be rendered (no
    /// base, a whole render asked for, or too many documents).
    fn affected(
        &self,
        compiled: &Compiled,
        history: &History,
        files: &BTreeSet<String>,
        known: Option<&BTreeSet<String>>,
    ) -> Option<HashSet<String>> {
        let base = self.base.as_ref().filter(|_| !self.full)?;
        let mut ids = partial::affected(
            &base.compiled.plan,
            &compiled.plan,
            false,
            history.available,
            PARTIAL_LIMIT,
            known,
        )?;
        if files.is_empty() {
            return Some(ids);
        }
        // A file that appeared or went away changes the pages
        // linking to it.
        let docs: BTreeSet<&str> = compiled
            .plan
            .docs
            .iter()
            .chain(&base.compiled.plan.docs)
            .map(|d| d.file.as_str())
            .collect();
        let plain: BTreeSet<String> = files
            .iter()
            .filter(|f| !docs.contains(f.as_str()))
            .cloned()
            .collect();
        if !plain.is_empty() {
            ids.extend(partial::mentioning(&compiled.plan, &plain));
        }
        Some(ids)
    }

    /// The pages of the documents `ids` over the base's: the others kept,
    /// those of documents gone removed; the plan-wide pages still to come.
    fn render_affected(
        &self,
        compiled: &Compiled,
        history: &History,
        opts: &RenderOptions,
        base: &Base,
        ids: &HashSet<String>,
    ) -> Result<Fresh, String> {
        let Some(tpl) = &self.templates else {
            return Err("templates not compiled".into());
        };
        let p = &self.project;
        let (site, stale) = partial::pages(
            compiled,
            history,
            &p.config,
            &p.registry,
            &p.tree.all_paths,
            opts,
            tpl,
            &base.compiled.plan,
            ids,
        )?;
        let n = site.files.len();
        let mut pages = (*base.pages).clone();
        for s in stale {
            pages.remove(&s);
        }
        for (k, v) in site.files {
            pages.insert(k, Arc::from(v));
        }
        let mut assets = (*base.assets).clone();
        assets.extend(site.assets);
        Ok(Fresh {
            pages,
            assets,
            wide: base.wide.clone(),
            n,
            partial: true,
        })
    }

    /// Every page, as `build` renders them; the plan-wide ones are the
    /// files that are no document's page.
    fn render_all(
        &self,
        compiled: &Compiled,
        history: &History,
        opts: &RenderOptions,
    ) -> Result<Fresh, String> {
        let p = &self.project;
        let site = render::build(
            compiled,
            history,
            &p.config,
            &p.registry,
            &p.tree.all_paths,
            opts,
        )?;
        let n = site.files.len();
        let docs: BTreeSet<String> = compiled
            .plan
            .docs
            .iter()
            .map(render::links::Index::page)
            .collect();
        let wide = site
            .files
            .keys()
            .filter(|k| !docs.contains(*k))
            .cloned()
            .collect();
        let pages = site
            .files
            .into_iter()
            .map(|(k, v)| (k, Arc::from(v)))
            .collect();
        Ok(Fresh {
            pages,
            assets: site.assets,
            wide: Arc::new(wide),
            n,
            partial: false,
        })
    }

    /// Renders the plan-wide pages of the base after a partial render, and
    /// serves them (no new build event: the pages already reloaded wait
    /// for them). Returns how many files were rendered.
    fn finish_wide(&mut self, pending: &Pending) -> Result<usize, String> {
        let opts = self.render_options();
        let p = &self.project;
        let Some(base) = self.base.as_mut() else {
            return Ok(0);
        };
        let site = partial::wide(
            &base.compiled,
            &base.history,
            &p.config,
            &p.registry,
            &p.tree.all_paths,
            &opts,
        );
        let site = match site {
            Ok(s) => s,
            Err(e) => {
                // The next build renders everything again.
                self.full = true;
                return Err(e);
            }
        };
        let n = site.files.len();
        let mut pages = (*base.pages).clone();
        for old in base.wide.iter() {
            if !site.files.contains_key(old) {
                pages.remove(old);
            }
        }
        base.wide = Arc::new(site.files.keys().cloned().collect());
        for (k, v) in site.files {
            pages.insert(k, Arc::from(v));
        }
        base.pages = Arc::new(pages);
        self.full = false;
        if let Some(live) = &self.live {
            live.complete(base.pages.clone());
        }
        pending.finish();
        Ok(n)
    }

    /// Copies the checked files' results for the next check on a spare
    /// core ([`Memo::prepare`]), unless that is already under way.
    fn prepare_next_check(&self) {
        self.memo.prepare_in_background(&self.preparing);
    }

    fn broken_problem(&self) -> Problem {
        let message = self.broken.clone().unwrap_or_default();
        // Messages name their file first when they have one
        // (`northstar.yaml:3:5: …`, `template `templates/x.hbs`: …`).
        let (file, line, column, message) = split_location(&message);
        Problem {
            rule: "config".into(),
            file,
            line,
            column,
            message,
            help: Vec::new(),
            source: None,
        }
    }

    fn publish_broken(&mut self, started: Instant, changed: usize) -> Report {
        let errors = vec![self.broken_problem()];
        self.publish(&errors, true, None);
        Report {
            took: started.elapsed(),
            phases: Vec::new(),
            changed,
            pages: None,
            wide: None,
            errors,
            warnings: 0,
            served: false,
        }
    }

    /// The snapshot of the base with a new tag and the overlay of `errors`.
    fn snapshot(&mut self, errors: &[Problem], stale: bool) -> Snapshot {
        self.builds += 1;
        let tag = format!("{}-{}", self.session, self.builds);
        let mut snippet = overlay::reload_script(&tag);
        if !errors.is_empty() {
            snippet.push_str(&overlay::overlay(errors, stale));
        }
        let (files, assets) = match &self.base {
            Some(b) => (b.pages.clone(), b.assets.clone()),
            None => (Arc::default(), Arc::default()),
        };
        Snapshot {
            files,
            assets,
            root: Arc::from(self.root.as_path()),
            snippet: Arc::from(snippet),
            tag: Arc::from(tag),
            pending: None,
        }
    }

    fn publish(&mut self, errors: &[Problem], stale: bool, pending: Option<Arc<Pending>>) {
        let mut snap = self.snapshot(errors, stale);
        snap.pending = pending;
        if let Some(live) = &self.live {
            live.publish(snap);
        }
    }
}

/// `northstar.yaml:3:5: message` → (file, line, column, message).
fn split_location(message: &str) -> (String, u32, u32, String) {
    let mut parts = message.splitn(4, ':');
    let file = parts.next().unwrap_or_default();
    let line = parts.next().and_then(|l| l.trim().parse::<u32>().ok());
    let col = parts.next().and_then(|c| c.trim().parse::<u32>().ok());
    match (line, col, parts.next()) {
        (Some(l), Some(c), Some(rest)) if !file.contains(' ') => {
            (file.to_string(), l, c, rest.trim().to_string())
        }
        _ if message.starts_with(crate::config::FILE_NAME) => (
            crate::config::FILE_NAME.to_string(),
            0,
            0,
            message
                .trim_start_matches(crate::config::FILE_NAME)
                .trim_start_matches(':')
                .trim()
                .to_string(),
        ),
        _ => (
            crate::config::FILE_NAME.to_string(),
            0,
            0,
            message.to_string(),
        ),
    }
}

fn log(report: &Report) {
    let ms = report.took.as_secs_f64() * 1000.0;
    let what = match (report.pages, report.wide) {
        (Some(n), Some(w)) => format!("{n} pages, then {w} plan-wide files"),
        (Some(n), None) => format!("{n} files rendered"),
        _ => "not served".to_string(),
    };
    let mut line = format!(
        "rebuilt in {ms:.0} ms ({} changed, {what}): {} error{}, {} warning{}",
        report.changed,
        report.errors.len(),
        if report.errors.len() == 1 { "" } else { "s" },
        report.warnings,
        if report.warnings == 1 { "" } else { "s" },
    );
    if !report.served {
        line.push_str(" — the last good site stays, the pages show the errors");
    }
    if !report.phases.is_empty() {
        let parts: Vec<String> = report
            .phases
            .iter()
            .map(|(name, ms)| format!("{name} {ms:.0}"))
            .collect();
        line.push_str(&format!(" [ms: {}]", parts.join(", ")));
    }
    eprintln!("{line}");
    for p in report.errors.iter().take(20) {
        eprintln!(
            "  error[{}]: {} --> {}:{}:{}",
            p.rule,
            crate::report::visible(&p.message),
            crate::report::visible(&p.file),
            p.line,
            p.column
        );
    }
}

/// Runs the server until the process is stopped. Returns the exit status
/// when it cannot run.
pub fn run(dir: &Path, opts: Options) -> Result<u8, String> {
    let root = crate::source::find_root(dir).ok_or_else(|| {
        format!(
            "no {} in {} or any parent folder: not a plans repository",
            crate::config::FILE_NAME,
            dir.display()
        )
    })?;
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Err(format!(
                "port {} is already in use on {}: stop the other server or choose another \
                 port with --port (--port 0 picks a free one)",
                opts.port, opts.bind
            ));
        }
        Err(e) => return Err(format!("cannot listen on {addr}: {e}")),
    };
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let mut builder = Builder::new(&root, opts.overrides)?;
    let git_dir = crate::source::git::Git::discover(&builder.root)
        .map(|g| g.git_dir().to_path_buf())
        .unwrap_or_else(|| builder.root.join(".git"));
    let skip = update::skipped(&builder.root, &builder.project.config);
    // Watch before the first build, so no edit made during it is lost.
    let watcher = watch::Watcher::new(&builder.root, Some(&git_dir), &skip)?;
    let first = builder.snapshot(&[], false);
    let live = Arc::new(Live::new(first));
    builder.live = Some(live.clone());
    let report = builder.rebuild(None);
    log(&report);
    let server = live.clone();
    std::thread::Builder::new()
        .name("northstar-accept".into())
        .spawn(move || http::serve(listener, server, local.ip()))
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let shown = if local.ip().is_unspecified() {
        SocketAddr::new(IpAddr::from([127, 0, 0, 1]), local.port())
    } else {
        local
    };
    let url = format!("http://{shown}/");
    println!("serving {} at {url}", builder.root.display());
    if local.ip().is_unspecified() {
        println!(
            "listening on every interface ({local}): anyone who can reach this machine can read the plans"
        );
    }
    eprintln!("watching for changes; Ctrl-C stops");
    if opts.open {
        open_browser(&url);
    }
    while let Some(batch) = watcher.next() {
        if batch.is_empty() {
            continue;
        }
        let report = builder.rebuild(Some(&batch));
        log(&report);
    }
    Err("the file watcher stopped".into())
}

/// Opens `url` with the desktop's opener, if there is one; failures are
/// ignored (the URL is printed anyway).
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Ok(mut child) = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        std::thread::spawn(move || {
            let _ = child.wait();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_of_load_errors() {
        assert_eq!(
            split_location("northstar.yaml:3:5: unknown key `pathz`"),
            ("northstar.yaml".into(), 3, 5, "unknown key `pathz`".into())
        );
        assert_eq!(
            split_location("template `templates/layout.hbs`: bad"),
            (
                "northstar.yaml".into(),
                0,
                0,
                "template `templates/layout.hbs`: bad".into()
            )
        );
    }
}
