//! `northstar schema`: the schemas for editors (yaml-language-server).

use crate::project::Project;
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
    let registry = match Project::open(dir, &[]) {
        Ok(p) => p.registry,
        Err(_) => {
            let config = crate::config::parse("product: none\n").map_err(|e| e.to_string())?;
            crate::schema::Registry::new(&config, &Default::default())?
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
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(0)
}
