//! `northstar schema`: the schemas for editors (yaml-language-server).

use crate::project::Project;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write `<kind>.schema.json` files into (default: print the
    /// names of the kinds and where they would go).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Runs `schema`. Works outside a plans repository too, with the built-in
/// kinds only, so an editor can be set up before the first document exists.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let (registry, sources) = match Project::open(dir, &[]) {
        Ok(p) => {
            // The kinds' own schema files: an export must never replace them.
            let sources: Vec<PathBuf> = p
                .config
                .kinds
                .values()
                .filter_map(|k| k.schema.as_ref())
                .filter_map(|f| p.root.join(f).canonicalize().ok())
                .collect();
            (p.registry, sources)
        }
        Err(_) => {
            let config = crate::config::parse("product: none\n").map_err(|e| e.to_string())?;
            (
                crate::schema::Registry::new(&config, &Default::default())?,
                Vec::new(),
            )
        }
    };
    let out = args.output.unwrap_or_else(|| PathBuf::from("schema"));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    for name in registry.names() {
        let Some(kind) = registry.get(name) else {
            continue;
        };
        let text = serde_json::to_string_pretty(&kind.export()).map_err(|e| e.to_string())? + "\n";
        let path = out.join(format!("{name}.schema.json"));
        if path.canonicalize().is_ok_and(|p| sources.contains(&p)) {
            eprintln!("kept {}: it is the source of kind `{name}`", path.display());
            continue;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // A closed stdout (`| head`) must not stop the export half-way.
        let _ = writeln!(std::io::stdout(), "{}", path.display());
    }
    Ok(0)
}
