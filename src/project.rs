//! Opening a plans repository: find the config, read it, read the kinds'
//! schemas, scan the files. Every failure here is fatal (exit 2): northstar
//! cannot say anything useful about plans it cannot frame.

use crate::check::{Compiled, compile};
use crate::config::{self, Config};
use crate::schema::Registry;
use crate::source::{self, Tree};
use std::path::{Path, PathBuf};

pub use crate::output::SITE_MARKER;

/// The per-commit history cache file: in the enclosing repository's git
/// dir by default (docs/format.md#config), else the config's `cache` folder, which must
/// lie inside the repository: a committed `cache -> /elsewhere` link would
/// have northstar write (and read) outside it. An error names the link.
fn cache_file(root: &Path, config: &Config) -> Result<Option<PathBuf>, String> {
    if config.cache == ".git/northstar" {
        Ok(source::git::Git::discover(root)
            .map(|g| crate::history::store::commits_path(&g.git_dir().join("northstar"))))
    } else {
        source::confine::folder_inside(root, Path::new(&config.cache))
            .map_err(|e| format!("{}: `cache`: {e}", config::FILE_NAME))?;
        Ok(Some(crate::history::store::commits_path(
            &root.join(&config.cache),
        )))
    }
}

/// An opened plans repository.
pub struct Project {
    /// The folder holding `northstar.yaml`.
    pub root: PathBuf,
    /// The parsed config.
    pub config: Config,
    /// The config's text, for source lines in diagnostics.
    pub config_text: String,
    /// The kinds.
    pub registry: Registry,
    /// The scanned files.
    pub tree: Tree,
    /// The revision built with `--as-of`, if any.
    pub as_of: Option<git2::Oid>,
    /// The history state at HEAD, read while the files are scanned.
    prefetch: Option<crate::history::store::state::Prefetch>,
    /// The per-commit history cache file (finding the default one opens
    /// the repository: done once).
    cache: Option<PathBuf>,
}

/// How to open a project ([`Project::open`]). `Open::default()` is the
/// working tree, scanned in full, without history read ahead.
#[derive(Default, Clone, Copy)]
pub struct Open<'a> {
    /// Folders the scan leaves out besides its own (an output folder).
    pub skip: &'a [PathBuf],
    /// The plans as they were at this revision: its config, schemas and
    /// documents, read from git (`--as-of`, the sides of `diff`).
    pub revision: Option<&'a str>,
    /// For commands that read history (`check`, `build`, `serve`): the
    /// cached history state is read on another thread while the files are
    /// scanned.
    pub history: bool,
    /// Blob texts shared with another revision's read (the two sides of
    /// `diff` read most blobs once).
    pub texts: Option<&'a source::git::BlobTexts>,
    /// With `revision`: read that revision's documents as this project's
    /// config and schemas read them, not as its own (`diff --config-from
    /// head`, for a base committed before northstar was set up).
    pub config_of: Option<&'a Project>,
}

impl Project {
    /// Opens the plans repository at or above `dir`, as `how` says.
    pub fn open(dir: &Path, how: &Open<'_>) -> Result<Project, String> {
        let root = source::find_root(dir).ok_or_else(|| {
            format!(
                "no {} in {} or any parent folder: not a plans repository",
                config::FILE_NAME,
                dir.display()
            )
        })?;
        match how.revision {
            Some(rev) => match how.texts {
                Some(texts) => Project::at_revision(root, rev, texts, how.config_of),
                None => Project::at_revision(
                    root,
                    rev,
                    &source::git::BlobTexts::default(),
                    how.config_of,
                ),
            },
            None => Project::working(root, how.skip, how.history),
        }
    }

    /// The working tree's plans.
    fn working(root: PathBuf, extra_skip: &[PathBuf], history: bool) -> Result<Project, String> {
        let config_text = source::read_config(&root)
            .map_err(|e| format!("cannot read {}: {e}", config::FILE_NAME))?;
        let config = config::parse(&config_text).map_err(|e| e.to_string())?;
        let schemas = source::read_schemas(&root, &config)?;
        let registry = Registry::new(&config.kinds, &schemas)
            .map_err(|e| format!("{}: {e}", config::FILE_NAME))?;
        let cache = cache_file(&root, &config)?;
        let mut skip: Vec<PathBuf> = extra_skip.to_vec();
        let default_site = root.join("site");
        if default_site.join(SITE_MARKER).exists() {
            skip.push(default_site);
        }
        skip.push(root.join(&config.cache));
        let skip: Vec<PathBuf> = skip
            .into_iter()
            .map(|p| p.canonicalize().unwrap_or(p))
            .collect();
        let (mut tree, prefetch) = rayon::join(
            || source::scan(&root, &config, &skip),
            || {
                cache.as_deref().filter(|_| history).map(|c| {
                    crate::history::store::state::Prefetch::load(
                        crate::history::store::state_path(c),
                        crate::history::fingerprint(&config),
                    )
                })
            },
        );
        tree.schemas = schemas;
        Ok(Project {
            root,
            config,
            config_text,
            registry,
            tree,
            as_of: None,
            prefetch,
            cache,
        })
    }

    /// The plans as they were at revision `rev`, read from git, with the
    /// config and schemas of `config_of` when given, else of `rev`.
    fn at_revision(
        root: PathBuf,
        rev: &str,
        texts: &source::git::BlobTexts,
        config_of: Option<&Project>,
    ) -> Result<Project, String> {
        let git = source::git::Git::discover(&root).ok_or_else(|| {
            format!(
                "--as-of needs git history, and {} is not in a git repository",
                root.display()
            )
        })?;
        let commit = git.resolve(rev)?;
        let (config_text, config) = match config_of {
            Some(p) => (p.config_text.clone(), p.config.clone()),
            None => {
                let text = git.config_at(commit).ok_or_else(|| {
                    format!(
                        "revision `{rev}` has no {} for these plans",
                        config::FILE_NAME
                    )
                })?;
                let config =
                    config::parse(&text).map_err(|e| format!("{e} (at revision `{rev}`)"))?;
                (text, config)
            }
        };
        let mut tree = git.tree_at_shared(commit, &config, texts);
        if let Some(p) = config_of {
            tree.schemas = p.tree.schemas.clone();
        }
        let registry = Registry::new(&config.kinds, &tree.schemas)
            .map_err(|e| format!("{}: {e}", config::FILE_NAME))?;
        let cache = cache_file(&root, &config)?;
        Ok(Project {
            root,
            config,
            config_text,
            registry,
            tree,
            as_of: Some(commit),
            prefetch: None,
            cache,
        })
    }

    /// The per-commit cache file, where there is one (the state file and
    /// the kept renderings sit beside it).
    pub fn history_cache(&self) -> Option<PathBuf> {
        self.cache.clone()
    }

    /// The history cache's folder (`.git/northstar` by default), where
    /// one is: rendered history is kept there too (`render::reuse`).
    pub fn cache_dir(&self) -> Option<PathBuf> {
        Some(self.cache.as_deref()?.parent()?.to_path_buf())
    }

    /// The plan's history from git (with the working tree's edits unless
    /// built `--as-of`), which also decides "today".
    pub fn history(&self) -> crate::history::History {
        self.history_from(self.committed_history())
    }

    /// What a history read needs besides the repository.
    fn history_inputs(&self) -> crate::history::Inputs<'_> {
        crate::history::Inputs {
            config: &self.config,
            registry: &self.registry,
            cache: self.cache.clone(),
            prefetch: self.prefetch.as_ref(),
        }
    }

    /// The committed part of [`Project::history`]: read once, then
    /// finished again after every edit by `serve` while HEAD stays put.
    pub fn committed_history(&self) -> crate::history::Committed {
        crate::history::committed(&self.root, self.as_of, &self.history_inputs())
    }

    /// [`Project::history`] from its committed part, with the working tree
    /// as scanned now.
    pub fn history_from(&self, committed: crate::history::Committed) -> crate::history::History {
        let working: Vec<String> = self.tree.files.iter().map(|f| f.path.clone()).collect();
        let clock = crate::dates::local_today();
        committed.finish(&self.root, &working, &self.history_inputs(), clock)
    }

    /// "Today" for rules and the site: the config's pin, else the clock.
    pub fn today(&self) -> i64 {
        self.config
            .today
            .as_deref()
            .and_then(crate::dates::parse)
            .unwrap_or_else(crate::dates::local_today)
    }

    /// Checks the plans, without history (no `stale`, "today" from the
    /// config or the clock).
    pub fn compile(&self) -> Compiled {
        compile(&self.config, &self.registry, &self.tree, self.today(), None)
    }

    /// Reads history, then checks the plans with it: `stale` runs and
    /// "today" follows docs/format.md#today.
    ///
    /// Each file is checked on its own while history is read (neither
    /// needs the other, and reading history is mostly waiting for the
    /// cached state); the checks across documents follow.
    pub fn compile_with_history(&self) -> (Compiled, crate::history::History) {
        let (history, files) = rayon::join(
            || {
                let _t = crate::timings::phase("history");
                self.history()
            },
            || {
                let _t = crate::timings::phase("check: files");
                crate::check::check_files(&self.config, &self.registry, &self.tree, None)
            },
        );
        let _t = crate::timings::phase("check");
        let compiled = files.finish(
            &self.config,
            &self.registry,
            &self.tree,
            history.today,
            history.last_changed().as_ref(),
        );
        (compiled, history)
    }

    /// The prefix from the git work tree's root to the plans root, for the
    /// `github` and `sarif` formats (plans may sit in a subfolder).
    pub fn repo_prefix(&self) -> String {
        for dir in self.root.ancestors() {
            if dir.join(".git").exists() {
                let rel = self.root.strip_prefix(dir).unwrap_or(Path::new(""));
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                return if parts.is_empty() {
                    String::new()
                } else {
                    format!("{}/", parts.join("/"))
                };
            }
        }
        String::new()
    }
}
