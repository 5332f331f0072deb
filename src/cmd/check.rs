//! `northstar check`.

use crate::project::{Open, Project};
use crate::report::{self, Context, Format};
use std::collections::{BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// What `--deny` can make fatal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings count as errors for the exit status.
    Warnings,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Report only problems in documents changed since REV (the working
    /// tree against it; `BASE...` for the merge base of BASE and HEAD), and
    /// problems the change causes elsewhere.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Make warnings fail the run.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}

/// Whether to colour human output: a terminal, and `NO_COLOR` unset.
pub(super) fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints diagnostics in `format` and returns the exit status.
pub(super) fn print(
    project: &Project,
    compiled: &crate::check::Compiled,
    format: Format,
    deny: Option<Deny>,
) -> u8 {
    // Every file a diagnostic can point into: the documents, the body
    // files of kinds by location (a KEP's README.md), the config.
    let mut sources: std::collections::HashMap<String, &str> = project
        .tree
        .files
        .iter()
        .flat_map(|f| {
            let own = f.text.as_ref().ok().map(|t| (f.path.clone(), t.as_str()));
            let body = f.body.as_ref().map(|(p, t)| (p.clone(), t.as_str()));
            own.into_iter().chain(body)
        })
        .collect();
    sources.insert(crate::config::FILE_NAME.to_string(), &project.config_text);
    let ctx = Context {
        sources,
        repo_prefix: project.repo_prefix(),
        color: format == Format::Human && use_color(),
    };
    let mut out = report::render(&compiled.diagnostics, format, &ctx);
    if format == Format::Human {
        out.push_str(&report::summary(
            &compiled.diagnostics,
            compiled.plan.docs.len(),
        ));
        out.push('\n');
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    let failing = compiled.errors()
        + if deny.is_some() {
            compiled.warnings()
        } else {
            0
        };
    u8::from(failing > 0)
}

/// The head's files whose text differs from the base's (or that the base
/// lacks): an edit to a file that still does not parse touches no
/// document, but its problems are the editor's.
fn edited_files(base: Option<&Project>, head: &Project) -> BTreeSet<String> {
    let text = |f: &crate::source::SourceFile| f.text.as_ref().ok().cloned();
    let old: HashMap<&str, Option<String>> = base
        .map(|b| {
            b.tree
                .files
                .iter()
                .map(|f| (f.path.as_str(), text(f)))
                .collect()
        })
        .unwrap_or_default();
    head.tree
        .files
        .iter()
        .filter(|f| old.get(f.path.as_str()) != Some(&text(f)))
        .map(|f| f.path.clone())
        .collect()
}

/// Runs `check`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let project = Project::open(
        dir,
        &Open {
            history: true,
            ..Open::default()
        },
    )?;
    let (mut compiled, history) = project.compile_with_history();
    if let Some(rev) = &args.changed_since {
        // The base is checked on the head's day, so that time passing is
        // not taken for a change.
        let (rev, _) = super::diff::split(dir, rev, None)?;
        let (base, base_project) = super::diff::compile_rev(dir, &rev, history.today)?;
        let edited = edited_files(base_project.as_ref(), &project);
        compiled.diagnostics = crate::diff::changed_since(&base, &compiled, &edited);
    }
    Ok(print(&project, &compiled, args.format, args.deny))
}
