//! Bringing the scanned tree up to date after an edit without reading
//! every file again: the changed paths are read (or dropped) one by one.
//! Anything the scan would treat specially (a folder, a symbolic link
//! anywhere in the path, kinds by location with their sibling body files)
//! asks for a full scan instead, so a file is part of the plan by the
//! scan's one rule: its real path lies inside the root.

use crate::config::Config;
use crate::project::SITE_MARKER;
use crate::source::{Filter, SourceFile, Tree};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The folders the scan leaves out (as in `Project::open`): the output
/// folder when it is ours, and the history cache. Canonical paths.
pub fn skipped(root: &Path, config: &Config) -> Vec<PathBuf> {
    let mut skip = Vec::new();
    let site = root.join("site");
    if site.join(SITE_MARKER).exists() {
        skip.push(site);
    }
    skip.push(root.join(&config.cache));
    skip.into_iter()
        .map(|p| p.canonicalize().unwrap_or(p))
        .collect()
}

/// Applies changed `paths` (relative, `/`-separated) to `tree`. Returns
/// false when only a full scan can tell what changed. `root` is canonical.
///
/// `symlink_metadata` looks at the last component only: a file under a
/// linked folder (the watcher follows links, so it reports those) would
/// pass as a plain file. A file is taken only when its real path is the
/// path itself, with no link in it; anything else is the scan's to judge.
pub fn apply(root: &Path, config: &Config, tree: &mut Tree, paths: &BTreeSet<String>) -> bool {
    if config.kinds.values().any(|k| k.files.is_some()) {
        return false;
    }
    let filter = Filter::new(config);
    for rel in paths {
        let full = root.join(rel);
        match std::fs::symlink_metadata(&full) {
            Ok(m) if m.is_file() && !full.canonicalize().is_ok_and(|r| r == full) => {
                return false;
            }
            Ok(m) if m.is_file() => {
                tree.all_paths.insert(rel.clone());
                let at = tree.files.binary_search_by(|f| f.path.as_str().cmp(rel));
                match (filter.classify(rel), at) {
                    (Some(kind), at) => {
                        let file = SourceFile {
                            path: rel.clone(),
                            text: crate::source::read(root, rel),
                            kind,
                            body: None,
                        };
                        match at {
                            Ok(i) => tree.files[i] = file,
                            Err(i) => tree.files.insert(i, file),
                        }
                    }
                    (None, Ok(i)) => {
                        tree.files.remove(i);
                    }
                    (None, Err(_)) => {}
                }
            }
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if tree.all_paths.remove(rel) {
                    if let Ok(i) = tree.files.binary_search_by(|f| f.path.as_str().cmp(rel)) {
                        tree.files.remove(i);
                    }
                } else {
                    // A folder that went away with its files?
                    let prefix = format!("{rel}/");
                    if tree
                        .all_paths
                        .range(prefix.clone()..)
                        .next()
                        .is_some_and(|p| p.starts_with(&prefix))
                    {
                        return false;
                    }
                }
            }
            Err(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        crate::config::parse("product: P\n").expect("config")
    }

    #[test]
    fn edits_creations_and_deletions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("a.md"), "one").expect("write");
        std::fs::write(root.join("b.md"), "two").expect("write");
        let cfg = config();
        let mut tree = crate::source::scan(root, &cfg, &[]);
        assert_eq!(tree.files.len(), 2);

        std::fs::write(root.join("a.md"), "ONE").expect("write");
        std::fs::write(root.join("c.md"), "three").expect("write");
        std::fs::remove_file(root.join("b.md")).expect("rm");
        std::fs::write(root.join("pic.png"), "png").expect("write");
        let paths: BTreeSet<String> = ["a.md", "b.md", "c.md", "pic.png"].map(String::from).into();
        assert!(apply(root, &cfg, &mut tree, &paths));
        let fresh = crate::source::scan(root, &cfg, &[]);
        assert_eq!(tree.files, fresh.files);
        assert_eq!(tree.all_paths, fresh.all_paths);
    }

    #[test]
    fn folders_ask_for_a_scan() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("sub/a.md"), "one").expect("write");
        let cfg = config();
        let mut tree = crate::source::scan(root, &cfg, &[]);
        let new_dir: BTreeSet<String> = ["sub".to_string()].into();
        assert!(!apply(root, &cfg, &mut tree, &new_dir));
        std::fs::remove_dir_all(root.join("sub")).expect("rm");
        assert!(!apply(root, &cfg, &mut tree, &new_dir));
    }
}
