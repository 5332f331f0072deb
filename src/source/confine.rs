//! Reading a file only when it lies inside the repository.
//!
//! `fs::read`, `Path::is_file` and `metadata` follow symbolic links, so a
//! committed `templates/site.js -> ../.git/config` (which holds the token
//! `actions/checkout` keeps there) or `-> /proc/self/environ` would be
//! published by the site. Every file northstar reads or copies out of the
//! plans therefore goes through [`resolve`]: the path is resolved through
//! every link (`canonicalize`) and kept only when the result still lies
//! under the canonical root. The canonical path is what is then read, so
//! no link in it is followed a second time.
//!
//! One rule for every reader (templates, schema files, documents, linked
//! files, the cache folder): the folder scan applies the same test to
//! every symbolic link it meets.

use std::io;
use std::path::{Component, Path, PathBuf};

/// `path` (absolute, or relative to `root`) resolved through every
/// symbolic link. `root` must be canonical (as `find_root` gives it).
///
/// A path that does not exist is `NotFound`; one that resolves outside
/// `root`, or into a hidden folder under it (`.git`), is
/// `PermissionDenied`, with a message naming the path as given and where
/// it leads.
pub fn resolve(root: &Path, path: &Path) -> io::Result<PathBuf> {
    let full = root.join(path);
    let real = full.canonicalize()?;
    let Ok(rel) = real.strip_prefix(root) else {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a symbolic link that leads out of the repository (to {}); not read",
                shown(root, &full),
                real.display()
            ),
        ));
    };
    if let Some(hidden) = hidden(rel) {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} leads into the hidden folder `{hidden}` (hidden folders, `.git` among them, are never read); not read",
                shown(root, &full),
            ),
        ));
    }
    Ok(real)
}

/// The first hidden (dot) component of a relative path. Hidden folders are
/// no part of the plans (the scan skips them), and `.git` holds secrets:
/// a link into one is refused like a link out of the repository.
fn hidden(rel: &Path) -> Option<String> {
    rel.components().find_map(|c| match c {
        Component::Normal(s) if s.to_string_lossy().starts_with('.') => {
            Some(s.to_string_lossy().into_owned())
        }
        _ => None,
    })
}

/// Reads the file at `path` (absolute, or relative to the canonical
/// `root`) when it resolves inside `root` (see [`resolve`]).
pub fn read(root: &Path, path: &Path) -> io::Result<Vec<u8>> {
    std::fs::read(resolve(root, path)?)
}

/// Reads the text of an optional file inside `root`: `Ok(None)` when there
/// is no such file (or it is a folder), an error naming the file when it
/// leads out of the repository or cannot be read.
pub fn read_optional_text(root: &Path, rel: &Path) -> Result<Option<String>, String> {
    let real = match resolve(root, rel) {
        Ok(r) => r,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => return Err(e.to_string()),
        Err(e) => return Err(format!("cannot read {}: {e}", slashed(rel))),
    };
    if !real.is_file() {
        return Ok(None);
    }
    std::fs::read_to_string(&real)
        .map(Some)
        .map_err(|e| format!("cannot read {}: {e}", slashed(rel)))
}

/// Whether the folder `rel` (relative to the canonical `root`, made of
/// plain names) would lie inside `root` once created: its longest existing
/// ancestor must resolve inside. Err names the link that leads out.
pub fn folder_inside(root: &Path, rel: &Path) -> Result<(), String> {
    let full = root.join(rel);
    for dir in full.ancestors() {
        if std::fs::symlink_metadata(dir).is_err() {
            continue;
        }
        return match dir.canonicalize() {
            Ok(real) if real.starts_with(root) => Ok(()),
            Ok(real) => Err(format!(
                "{} is a symbolic link that leads out of the repository (to {}); not used",
                shown(root, dir),
                real.display()
            )),
            // A dangling link: creating the folder would follow it.
            Err(e) => Err(format!("{}: {e}", shown(root, dir))),
        };
    }
    Ok(())
}

/// `path` relative to `root` when under it, for messages.
fn shown(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => slashed(rel),
        Err(_) => path.display().to_string(),
    }
}

fn slashed(rel: &Path) -> String {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_resolve_and_links_outside_are_refused() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret"), "s3cret").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir(root.join("t")).expect("mkdir");
        std::fs::write(root.join("t/real.css"), "ok").expect("write");
        std::os::unix::fs::symlink("real.css", root.join("t/in.css")).expect("link");
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("t/out.css"))
            .expect("link");
        std::os::unix::fs::symlink(outside.path(), root.join("away")).expect("link");
        std::fs::create_dir(root.join(".git")).expect("mkdir");
        std::fs::write(root.join(".git/config"), "token").expect("write");
        std::os::unix::fs::symlink("../.git/config", root.join("t/git.js")).expect("link");

        assert_eq!(read(&root, Path::new("t/in.css")).expect("inside"), b"ok");
        let e = read(&root, Path::new("t/out.css")).expect_err("outside");
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert!(
            e.to_string().starts_with("t/out.css is a symbolic link"),
            "{e}"
        );
        // A link in the middle of the path counts too.
        let e = read(&root, Path::new("away/secret")).expect_err("outside");
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        let e = read(&root, Path::new("t/git.js")).expect_err("hidden");
        assert!(e.to_string().contains("`.git`"), "{e}");
        assert_eq!(read_optional_text(&root, Path::new("t/none.css")), Ok(None));
        assert!(read_optional_text(&root, Path::new("t/out.css")).is_err());
        assert!(folder_inside(&root, Path::new("cache/deeper")).is_ok());
        assert!(folder_inside(&root, Path::new("away/cache")).is_err());
    }
}
