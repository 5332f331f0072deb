//! `northstar schema`: the schemas for editors (yaml-language-server).

use crate::project::{Open, Project};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `$comment` every exported file carries. An existing file is
/// replaced only when it carries it too: northstar never overwrites a
/// file it did not write (a kind's own schema, a hand-written one).
const MARKER: &str =
    "Exported by `northstar schema` from the plans' kinds; the next export replaces this file.";

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write `<kind>.schema.json` files into, relative to DIR
    /// (default: `schema/` beside northstar.yaml, or in DIR outside a
    /// plans repository). Files northstar did not write are kept.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Runs `schema`. Works outside a plans repository too, with the built-in
/// kinds only, so an editor can be set up before the first document
/// exists; in one whose config does not load it stops (exit 2) rather than
/// export kinds that are not the plans' own.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let (registry, sources, base) = if crate::source::find_root(dir).is_some() {
        let p = Project::open(dir, &Open::default())?;
        // The kinds' own schema files: an export must never replace them.
        let sources: Vec<PathBuf> = p
            .config
            .kinds
            .values()
            .filter_map(|k| k.schema.as_ref())
            .filter_map(|f| p.root.join(f).canonicalize().ok())
            .collect();
        (p.registry, sources, p.root)
    } else {
        let config = crate::config::parse("product: none\n").map_err(|e| e.to_string())?;
        (
            crate::schema::Registry::new(&config.kinds, &Default::default())?,
            Vec::new(),
            dir.to_path_buf(),
        )
    };
    // "As if started in DIR": a relative `-o` is relative to `-C`.
    let out = match args.output {
        Some(o) => dir.join(o),
        None => base.join("schema"),
    };
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut kept_foreign = false;
    for name in registry.names() {
        let Some(kind) = registry.get(name) else {
            continue;
        };
        let mut schema = kind.export();
        if let serde_json::Value::Object(o) = &mut schema {
            o.insert("$comment".into(), MARKER.into());
        }
        let text = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())? + "\n";
        let path = out.join(format!("{name}.schema.json"));
        if path.canonicalize().is_ok_and(|p| sources.contains(&p)) {
            eprintln!("kept {}: it is the source of kind `{name}`", path.display());
            continue;
        }
        if std::fs::symlink_metadata(&path).is_ok() && !ours(&path) {
            eprintln!(
                "warning: kept {}: northstar did not write it (no export marker); remove it to export kind `{name}` there",
                path.display()
            );
            kept_foreign = true;
            continue;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // A closed stdout (`| head`) must not stop the export half-way.
        let _ = writeln!(std::io::stdout(), "{}", path.display());
    }
    Ok(u8::from(kept_foreign))
}

/// Whether the file at `path` is a plain file an earlier export wrote (not
/// a link, JSON with [`MARKER`] as its `$comment`).
fn ours(path: &Path) -> bool {
    let plain = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    plain
        && std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v.get("$comment").and_then(|c| c.as_str()) == Some(MARKER))
}
