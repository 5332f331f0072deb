//! Writing a rendered site to disk, atomically and only where asked.
//!
//! The site is written into a temporary folder beside the output and swapped
//! in only when complete, so a failed or interrupted build leaves the
//! previous site untouched. A folder is replaced only when it is empty or
//! was written by northstar (it holds the marker file): a mistyped `-o`
//! can never delete a user's folder.

use crate::project::SITE_MARKER;
use crate::render::Site;
use std::path::{Path, PathBuf};

/// Refuses outputs that would destroy plans or other people's files.
pub fn validate_target(out: &Path, plans_root: &Path) -> Result<(), String> {
    let abs = absolute(out);
    let root = plans_root
        .canonicalize()
        .unwrap_or_else(|_| plans_root.to_path_buf());
    if abs == root || root.starts_with(&abs) {
        return Err(format!(
            "refusing to write the site to {}: it holds the plans",
            out.display()
        ));
    }
    if abs.exists() {
        if !abs.is_dir() {
            return Err(format!(
                "refusing to write the site to {}: it is a file",
                out.display()
            ));
        }
        let empty = std::fs::read_dir(&abs)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !abs.join(SITE_MARKER).exists() {
            return Err(format!(
                "refusing to replace {}: it is not empty and was not written by northstar (no {SITE_MARKER} file)",
                out.display()
            ));
        }
    }
    Ok(())
}

/// The absolute, symlink-resolved form of a path that may not exist yet.
fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let base = std::env::current_dir().unwrap_or_default();
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    match (joined.parent(), joined.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => joined,
    }
}

/// Writes `site` to `out`, copying its assets from the plans `root`.
pub fn write(site: &Site, out: &Path, root: &Path) -> Result<(), String> {
    validate_target(out, root)?;
    let out = absolute(out);
    let parent = out
        .parent()
        .ok_or("output folder has no parent")?
        .to_path_buf();
    std::fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("site");
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = fill(site, &tmp, root).and_then(|()| swap(&tmp, &out, &old));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn fill(site: &Site, dir: &Path, root: &Path) -> Result<(), String> {
    let mut made = std::collections::HashSet::new();
    let mut put = |rel: &str, bytes: &[u8]| -> Result<(), String> {
        let path = dir.join(rel);
        if let Some(p) = path.parent()
            && made.insert(p.to_path_buf())
        {
            std::fs::create_dir_all(p)
                .map_err(|e| format!("cannot create {}: {e}", p.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    for (rel, bytes) in &site.files {
        put(rel, bytes)?;
    }
    for asset in &site.assets {
        let src = root.join(asset);
        // Assets come from the scanned file list, which never leaves the root.
        let bytes =
            std::fs::read(&src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        put(&format!("files/{asset}"), &bytes)?;
    }
    put(
        SITE_MARKER,
        b"This folder is a site written by northstar build; it is replaced whole on every build.\n",
    )
}

fn swap(tmp: &Path, out: &Path, old: &Path) -> Result<(), String> {
    if out.exists() {
        std::fs::rename(out, old).map_err(|e| format!("cannot move the old site aside: {e}"))?;
        if let Err(e) = std::fs::rename(tmp, out) {
            let _ = std::fs::rename(old, out);
            return Err(format!("cannot move the new site into place: {e}"));
        }
        let _ = std::fs::remove_dir_all(old);
        Ok(())
    } else {
        std::fs::rename(tmp, out).map_err(|e| format!("cannot move the new site into place: {e}"))
    }
}
