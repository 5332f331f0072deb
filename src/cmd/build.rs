//! `northstar build`: check, then render the site and write it atomically.

use super::check::{Deny, print};
use crate::project::{Open, Project};
use crate::render::{self, Options};
use crate::report::Format;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who the site is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Audience {
    /// Everything (the default).
    Internal,
    /// Only `visibility: public` documents, coarse dates, no health page.
    Public,
}

/// Arguments of `build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder (default: `site/` beside northstar.yaml).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Write the site even when the plans have errors.
    #[arg(long)]
    pub allow_errors: bool,
    /// Who the site is for.
    #[arg(long, value_enum, default_value = "internal")]
    pub audience: Audience,
    /// Build the plan as it was at a revision (commit, tag or branch), with
    /// history up to it.
    #[arg(long, value_name = "REV")]
    pub as_of: Option<String>,
    /// Format of the diagnostics printed before building.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// Template overrides from the plans' `templates/` folder (`root` is
/// canonical). An override that leads out of the repository through a
/// symbolic link is an error naming it, never read: its text would be
/// published (`source::confine`).
pub(super) fn overrides(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (name, _) in render::templates::DEFAULTS {
        let rel = Path::new("templates").join(name);
        if let Some(text) = crate::source::confine::read_optional_text(root, &rel)? {
            out.insert(name.to_string(), text);
        }
    }
    Ok(out)
}

/// Runs `build`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let root = crate::source::find_root(dir).ok_or_else(|| {
        format!(
            "no northstar.yaml in {} or any parent folder: not a plans repository",
            dir.display()
        )
    })?;
    let out = match &args.output {
        Some(o) => o.clone(),
        None => root.join("site"),
    };
    crate::output::validate_target(&out, &root)?;
    let skip = [out.canonicalize().unwrap_or_else(|_| out.clone())];
    let t = crate::timings::phase("open");
    let project = match &args.as_of {
        Some(rev) => Project::open(
            dir,
            &Open {
                revision: Some(rev),
                ..Open::default()
            },
        )?,
        None => Project::open(
            dir,
            &Open {
                skip: &skip,
                history: true,
                ..Open::default()
            },
        )?,
    };
    drop(t);
    let (compiled, history) = project.compile_with_history();
    let status = print(&project, &compiled, args.format, None::<Deny>);
    if compiled.errors() > 0 && !args.allow_errors {
        eprintln!(
            "error: not building the site: the plans have errors (use --allow-errors to build anyway)"
        );
        return Ok(1);
    }
    let opts = Options {
        public: args.audience == Audience::Public,
        templates: overrides(&project.root)?,
    };
    // Rendered and written together: each page goes to disk as soon as it
    // is made (see `output::write_with`).
    let t = crate::timings::phase("render and write");
    let written = crate::output::write_with(&out, &project.root, |sink| {
        let assets = render::build_into(
            &compiled,
            &history,
            &project.config,
            &project.registry,
            &project.tree.all_paths,
            &opts,
            sink,
        )?;
        let Some(commit) = project.as_of else {
            return Ok(assets);
        };
        // Linked files come from the revision too, not from the disk.
        let git =
            crate::source::git::Git::discover(&project.root).ok_or("git repository vanished")?;
        for asset in assets {
            if let Some(bytes) = git.file_at(commit, &asset) {
                sink.put(&format!("files/{asset}"), bytes)?;
            }
        }
        Ok(BTreeSet::new())
    })?;
    drop(t);
    eprintln!("wrote {written} files to {}", out.display());
    // A block of the cached state that did not read showed as no changes
    // on its page: the state is dropped, and the next build replays the
    // per-commit cache instead of trusting it again.
    if project.as_of.is_none()
        && history.damaged()
        && let Some(cache) = project.history_cache()
    {
        let state = crate::history::store::state_path(&cache);
        let _ = std::fs::remove_file(&state);
        eprintln!(
            "warning: the history state {} did not read back whole; it is rebuilt from the per-commit cache next time",
            state.display()
        );
    }
    // The process ends here: freeing the plan and the history piece by
    // piece can take longer than writing the site; the operating system
    // takes the memory back whole.
    std::mem::forget((compiled, history, project));
    Ok(if args.allow_errors { 0 } else { status })
}
