//! `northstar init --templates`: write the default templates out so a
//! plans repository can edit them (files of the same name override ours).

use crate::project::Project;
use crate::render::templates::DEFAULTS;
use std::path::{Path, PathBuf};

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the default templates, CSS and JS into the plans' `templates/`.
    #[arg(long)]
    pub templates: bool,
    /// Folder (default: the plans root).
    pub dir: Option<PathBuf>,
}

/// Runs `init`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    if !args.templates {
        return Err("`northstar init` without `--templates` is not available yet".into());
    }
    let base = match args.dir {
        Some(d) => d,
        None => Project::open(dir, &[])?.root,
    };
    let out = base.join("templates");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut skipped = 0;
    for (name, text) in DEFAULTS {
        let p = out.join(name);
        if p.exists() {
            eprintln!("kept {} (exists)", p.display());
            skipped += 1;
            continue;
        }
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        println!("{}", p.display());
    }
    if skipped > 0 {
        eprintln!("{skipped} existing file(s) left as they were");
    }
    Ok(0)
}
