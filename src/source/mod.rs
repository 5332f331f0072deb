//! The only module that reads the plans: from disk here, from git in
//! [`git`]. Everything after it works on
//! in-memory text, so passes are testable without a file system.

pub mod confine;
pub mod git;
pub mod pack;

use crate::config::{Config, FILE_NAME};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};

pub use crate::parse::{MAX_FILE_BYTES, ReadProblem, SourceFile};

/// What was found under the root.
#[derive(Debug, Default)]
pub struct Tree {
    /// Candidate documents, sorted by path.
    pub files: Vec<SourceFile>,
    /// Every file under the root (outside dot-folders), for link checks.
    pub all_paths: BTreeSet<String>,
    /// Text of user schema files by kind name.
    pub schemas: BTreeMap<String, String>,
}

/// Searches `start` and its parents for `northstar.yaml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .find(|d| d.join(FILE_NAME).is_file())
        .map(Path::to_path_buf)
}

/// Reads `northstar.yaml` of `root`.
pub fn read_config(root: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(root.join(FILE_NAME))
}

/// Reads the schema files the config's kinds name, each only when it
/// resolves inside the repository (`root` is canonical; see [`confine`]).
pub fn read_schemas(root: &Path, config: &Config) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (name, kind) in &config.kinds {
        if let Some(file) = &kind.schema {
            let text = confine::read(root, Path::new(file))
                .and_then(|b| {
                    String::from_utf8(b)
                        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
                })
                .map_err(|e| {
                    format!(
                        "{FILE_NAME}:{}:{}: cannot read schema `{file}` of kind `{name}`: {e}",
                        kind.pos.line, kind.pos.col
                    )
                })?;
            out.insert(name.clone(), text);
        }
    }
    Ok(out)
}

/// A kind's `files` glob, as CI path filters read one: `*` and `?` stay
/// within a folder, `**` crosses any number of them (`text/[0-9]*.md` is
/// not `text/0042/README.md`, which would otherwise be read as a
/// document of the kind). `exclude` globs are read with `*` crossing
/// folders: like gitignore's, `*.draft.md` leaves out drafts at any
/// depth and `drafts/*` all that is below `drafts/`, and leaving out too
/// little would publish what was meant to stay out.
fn glob(pattern: &str, within_folder: bool) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(within_folder)
        .build()
}

fn globset(patterns: impl IntoIterator<Item = String>, within_folder: bool) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(g) = glob(&p, within_folder) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Which files under the root are candidate documents, and of which kind
/// by location. Shared by the working-tree scan and the git reader, so a
/// revision's documents are exactly the ones a checkout would scan.
pub struct Filter {
    exclude: GlobSet,
    paths: Vec<String>,
    located: Vec<(String, GlobSet)>,
    located_bodies: Vec<String>,
}

impl Filter {
    /// The filter of a config.
    pub fn new(config: &Config) -> Filter {
        let paths = if config.paths.is_empty() {
            vec![String::new()]
        } else {
            config
                .paths
                .iter()
                .map(|p| p.trim_end_matches('/').trim_start_matches("./").to_string())
                .collect()
        };
        Filter {
            exclude: globset(config.exclude.iter().cloned(), false),
            paths,
            located: config
                .kinds
                .iter()
                .filter_map(|(k, c)| {
                    c.files
                        .as_ref()
                        .map(|f| (k.clone(), globset([f.clone()], true)))
                })
                .collect(),
            located_bodies: config
                .kinds
                .values()
                .filter(|k| k.files.is_some())
                .filter_map(|k| k.body.clone())
                .collect(),
        }
    }

    /// `None` when `rel` is not a document; else the kind its location
    /// gives it (`Some(None)` for an ordinary document file).
    pub fn classify(&self, rel: &str) -> Option<Option<String>> {
        const NEVER: [&str; 2] = ["templates/", "schema/"];
        if rel == FILE_NAME
            || NEVER.iter().any(|n| rel.starts_with(n))
            || rel.split('/').any(|c| c.starts_with('.'))
            || self.exclude.is_match(rel)
        {
            return None;
        }
        if let Some((k, _)) = self.located.iter().find(|(_, g)| g.is_match(rel)) {
            return Some(Some(k.clone()));
        }
        let in_paths = self
            .paths
            .iter()
            .any(|p| p.is_empty() || p == "." || rel.starts_with(&format!("{p}/")));
        let lower = rel.to_ascii_lowercase();
        let ext_ok = [".md", ".yaml", ".yml"].iter().any(|e| lower.ends_with(e));
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let is_body = self.located_bodies.iter().any(|b| b == name);
        (in_paths && ext_ok && !is_body).then_some(None)
    }

    /// The sibling body file of a kind-by-location document, if its kind names one.
    pub fn body_of(rel: &str, kind: Option<&String>, config: &Config) -> Option<String> {
        kind.and_then(|k| config.kinds.get(k))
            .and_then(|k| k.body.as_ref())
            .map(|b| sibling(rel, b))
    }
}

/// Walks the root and reads every candidate document, in parallel.
/// `skip` are folders (absolute) never scanned: the output and the cache.
pub fn scan(root: &Path, config: &Config, skip: &[PathBuf]) -> Tree {
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let all = walk(&canon_root, skip);
    let filter = Filter::new(config);
    let candidates: Vec<(String, Option<String>)> = all
        .iter()
        .filter_map(|rel| filter.classify(rel).map(|kind| (rel.clone(), kind)))
        .collect();
    let all_set: BTreeSet<String> = all.into_iter().collect();
    let files = candidates
        .into_par_iter()
        .map(|(rel, kind)| {
            // The walk listed only files inside the root: resolving each
            // path again would cost a `realpath` per file.
            let text = read_listed(&canon_root.join(&rel));
            let body = Filter::body_of(&rel, kind.as_ref(), config)
                .filter(|p| all_set.contains(p))
                .and_then(|p| read_listed(&canon_root.join(&p)).ok().map(|t| (p, t)));
            SourceFile {
                path: rel,
                text,
                kind,
                body,
            }
        })
        .collect();
    Tree {
        files,
        all_paths: all_set,
        schemas: BTreeMap::new(),
    }
}

fn sibling(rel: &str, name: &str) -> String {
    match rel.rfind('/') {
        Some(i) => format!("{}/{}", &rel[..i], name),
        None => name.to_string(),
    }
}

/// Reads the file `rel` under the canonical `root`, turning every failure
/// into a [`ReadProblem`]; a file that resolves outside the root (through
/// a symbolic link) is one of them ([`confine`]).
pub fn read(root: &Path, rel: &str) -> Result<String, ReadProblem> {
    let path =
        confine::resolve(root, Path::new(rel)).map_err(|e| ReadProblem::Io(e.to_string()))?;
    read_listed(&path)
}

/// Reads a file the walk listed (so known to lie inside the root).
fn read_listed(path: &Path) -> Result<String, ReadProblem> {
    let meta = std::fs::metadata(path).map_err(|e| ReadProblem::Io(e.to_string()))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadProblem::TooLarge(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadProblem::Io(e.to_string()))?;
    decode(bytes)
}

/// Bytes to text: UTF-8 required, a BOM dropped.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadProblem> {
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..3);
            }
            Ok(s)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            // Columns do not count a BOM (docs/format.md#diagnostics).
            let valid = valid.strip_prefix(b"\xef\xbb\xbf").unwrap_or(valid);
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count() as u32 + 1;
            let col = prefix
                .rsplit('\n')
                .next()
                .map(|l| l.chars().count())
                .unwrap_or(0) as u32
                + 1;
            Err(ReadProblem::NotUtf8 { line, col })
        }
    }
}

/// [`decode`] of borrowed bytes, for a reader that keeps no copy: the
/// text without its byte order mark, or None where `decode` reports a
/// problem.
pub fn decode_borrowed(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    Some(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Every file under the canonical `root`, relative to it, skipping
/// dot-entries, the `skip` folders, and symbolic links that leave the root
/// or lead into a hidden folder.
///
/// Each real folder is visited once (its canonical path is remembered), so
/// links that loop (`ln -s . a`) neither hang the walk nor list the same
/// files under a second name. Folders reached without a link are walked
/// first and linked folders after them, so a file is listed under its own
/// path rather than under a link to its folder.
fn walk(root: &Path, skip: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut linked = VecDeque::new();
    let mut plain = vec![(root.to_path_buf(), root.to_path_buf(), 0)];
    loop {
        while let Some((dir, real, depth)) = plain.pop() {
            if seen.insert(real.clone()) {
                walk_dir(
                    root,
                    &dir,
                    &real,
                    depth,
                    skip,
                    &mut out,
                    &mut plain,
                    &mut linked,
                );
            }
        }
        let Some(next) = linked.pop_front() else {
            break;
        };
        plain.push(next);
    }
    // Plain folders as they are met, linked ones after: sorted, the list
    // does not depend on the order of the walk.
    out.sort_unstable();
    out
}

/// Lists the entries of one folder: files into `out`, plain sub-folders
/// onto `plain`, linked ones onto `linked` (`dir` is the path as listed,
/// `real` its canonical form).
#[allow(clippy::too_many_arguments)]
fn walk_dir(
    root: &Path,
    dir: &Path,
    real_dir: &Path,
    depth: usize,
    skip: &[PathBuf],
    out: &mut Vec<String>,
    plain: &mut Vec<(PathBuf, PathBuf, usize)>,
    linked: &mut VecDeque<(PathBuf, PathBuf, usize)>,
) {
    if depth > 64 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        let real = if ft.is_symlink() {
            match confine::resolve(root, path.strip_prefix(root).unwrap_or(&path)) {
                Ok(r) => r,
                Err(_) => continue,
            }
        } else {
            real_dir.join(name)
        };
        if skip
            .iter()
            .any(|s| real.starts_with(s) || path.starts_with(s))
        {
            continue;
        }
        if real.is_dir() {
            if ft.is_symlink() {
                linked.push_back((path, real, depth + 1));
            } else {
                plain.push((path, real, depth + 1));
            }
        } else if real.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(rel.join("/"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In a kind's `files`, `*` stays within a folder: `text/[0-9]*.md` is
    /// not the README of a numbered folder; `**` crosses folders. In
    /// `exclude`, as in gitignore, `drafts/*` leaves out all below
    /// `drafts/` and `*.draft.md` drafts at any depth.
    #[test]
    fn a_star_in_a_glob_stays_within_a_folder() {
        let config = crate::config::parse(
            "product: P\nexclude: [\"drafts/*\", \"*.draft.md\"]\nkinds:\n  rfc:\n    schema: r.json\n    files: \"text/[0-9]*.md\"\n  kep:\n    schema: k.json\n    files: \"keps/**/kep.yaml\"\n",
        )
        .expect("config");
        let filter = Filter::new(&config);
        let kind = |rel: &str| filter.classify(rel).flatten();
        assert_eq!(kind("text/0042-x.md").as_deref(), Some("rfc"));
        assert_eq!(kind("text/0042/README.md"), None);
        assert_eq!(kind("keps/sig-x/1-a/kep.yaml").as_deref(), Some("kep"));
        assert_eq!(filter.classify("drafts/a.md"), None);
        assert_eq!(filter.classify("drafts/img/a.md"), None);
        assert_eq!(filter.classify("plans/x.draft.md"), None);
        assert_eq!(filter.classify("plans/x.md"), Some(None));
    }

    #[test]
    fn decode_reports_first_bad_byte_and_drops_bom() {
        assert_eq!(decode(b"\xef\xbb\xbfok".to_vec()), Ok("ok".into()));
        assert_eq!(
            decode(b"a\nbc\xff".to_vec()),
            Err(ReadProblem::NotUtf8 { line: 2, col: 3 })
        );
        assert_eq!(
            decode(b"\xef\xbb\xbfab\xff".to_vec()),
            Err(ReadProblem::NotUtf8 { line: 1, col: 3 })
        );
    }
}
