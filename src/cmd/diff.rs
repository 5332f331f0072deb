//! `northstar diff BASE [HEAD]`: what a change does to the plan.

use crate::check::{Compiled, Memo, compile_with};
use crate::diff::{self, format::DiffFormat};
use crate::plan::Plan;
use crate::project::{Open, Project};
use crate::source::git::{BlobTexts, Git};
use std::io::Write;
use std::path::Path;

/// When `diff` should fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when the change adds an error.
    NewErrors,
    /// Exit 1 when the change adds an error or a warning.
    NewWarnings,
}

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The base revision (commit, tag, branch), or `BASE...HEAD` to compare
    /// HEAD with its merge base with BASE.
    pub base: String,
    /// The head revision (default: the working tree).
    pub head: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// The published site's address, to link documents in Markdown.
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    /// Exit 1 when the change introduces new errors (or warnings).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Read both sides with the head side's config and schemas: for a
    /// base committed before `northstar.yaml` was.
    #[arg(long, value_enum, value_name = "SIDE")]
    pub config_from: Option<ConfigFrom>,
}

/// Where `diff` takes each side's config from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFrom {
    /// Both sides are read with the head side's config and schemas.
    Head,
}

/// One side of a comparison.
enum Side {
    /// The plans at the revision (or in the working tree).
    Plans(Box<Project>),
    /// The repository has no commit yet (a pre-commit hook on the first
    /// commit): there were no plans before.
    NoCommit,
    /// The revision has no `northstar.yaml` for these plans.
    NoConfig,
}

impl Side {
    fn project(self) -> Option<Project> {
        match self {
            Side::Plans(p) => Some(*p),
            Side::NoCommit | Side::NoConfig => None,
        }
    }
}

/// One side, loaded: at `rev` (the working tree when None), read with
/// `config_of`'s config and schemas when given.
fn load(
    dir: &Path,
    rev: Option<&str>,
    texts: &BlobTexts,
    config_of: Option<&Project>,
) -> Result<Side, String> {
    let Some(rev) = rev else {
        return Project::open(dir, &Open::default()).map(|p| Side::Plans(Box::new(p)));
    };
    let root = crate::source::find_root(dir).ok_or_else(|| {
        format!(
            "no northstar.yaml in {} or any parent folder",
            dir.display()
        )
    })?;
    let git = Git::discover(&root).ok_or_else(|| {
        format!(
            "comparing revisions needs git, and {} is not in a git repository",
            root.display()
        )
    })?;
    if rev == "HEAD" && git.head().is_none() {
        return Ok(Side::NoCommit);
    }
    let commit = git.resolve(rev).map_err(|e| shallow_hint(&git, e))?;
    if config_of.is_none() && git.config_at(commit).is_none() {
        return Ok(Side::NoConfig);
    }
    Project::open(
        dir,
        &Open {
            revision: Some(rev),
            texts: Some(texts),
            config_of,
            ..Open::default()
        },
    )
    .map(|p| Side::Plans(Box::new(p)))
}

/// The day a side's config pins, if it does.
fn pinned(p: &Project) -> Option<i64> {
    p.config.today.as_deref().and_then(crate::dates::parse)
}

/// "Today" of the head side (docs/format.md#today): its config's pin,
/// else its commit's day, else the clock (a working tree). Both sides are
/// checked on that day unless the base pins its own, so that time alone (a
/// milestone passing its date since the base was committed) never shows as
/// a new problem the change made.
fn head_day(p: Option<&Project>) -> i64 {
    let Some(p) = p else {
        return crate::dates::local_today();
    };
    if let Some(d) = pinned(p) {
        return d;
    }
    p.as_of
        .and_then(|c| Git::discover(&p.root).and_then(|g| g.info(c).ok()))
        .map(|i| i.commit_day())
        .unwrap_or_else(crate::dates::local_today)
}

fn compile(p: Option<&Project>, day: i64, memo: Option<&Memo>) -> Compiled {
    match p {
        Some(p) => compile_with(
            &p.config,
            &p.registry,
            &p.tree,
            pinned(p).unwrap_or(day),
            None,
            memo,
        ),
        None => Compiled {
            plan: Plan::default(),
            diagnostics: Vec::new(),
        },
    }
}

/// The plan at a revision, checked on `day` unless its config pins
/// another (an empty plan where it had none), and the project it was read
/// from.
pub(super) fn compile_rev(
    dir: &Path,
    rev: &str,
    day: i64,
) -> Result<(Compiled, Option<Project>), String> {
    let p = load(dir, Some(rev), &BlobTexts::default(), None)?.project();
    Ok((compile(p.as_ref(), day, None), p))
}

/// A revision that does not resolve in a shallow clone most likely lies
/// beyond its history: say how to fetch it (CI clones shallow by default).
fn shallow_hint(git: &Git, message: String) -> String {
    if git.is_shallow() {
        format!(
            "{message} (this is a shallow clone, whose history stops early: fetch all of it, \
             e.g. `fetch-depth: 0` for actions/checkout, `GIT_DEPTH: 0` in GitLab CI, \
             or `git fetch --unshallow`)"
        )
    } else {
        message
    }
}

/// Resolves `A...B` to (merge base of A and B, B); `A...` is `A...HEAD`.
pub(super) fn split(
    dir: &Path,
    base: &str,
    head: Option<String>,
) -> Result<(String, Option<String>), String> {
    let Some((a, b)) = base.split_once("...") else {
        return Ok((base.to_string(), head));
    };
    if head.is_some() {
        return Err("give either `BASE...HEAD` or `BASE HEAD`, not both".into());
    }
    let b = if b.is_empty() { "HEAD" } else { b };
    let root = crate::source::find_root(dir).ok_or("not a plans repository")?;
    let git = Git::discover(&root).ok_or("`diff` needs git")?;
    let resolve = |r: &str| git.resolve(r).map_err(|e| shallow_hint(&git, e));
    let mb = git
        .merge_base(resolve(a)?, resolve(b)?)
        .map_err(|e| shallow_hint(&git, format!("`{a}` and `{b}` have {e}")))?;
    Ok((mb.to_string(), Some(b.to_string())))
}

/// Runs `diff`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let (base_rev, head_rev) = split(dir, &args.base, args.head)?;
    // Blobs the two revisions share are read and decoded once.
    let texts = BlobTexts::default();
    let head = load(dir, head_rev.as_deref(), &texts, None)?.project();
    let config_of = match (args.config_from, &head) {
        (Some(ConfigFrom::Head), Some(h)) => Some(h),
        (Some(ConfigFrom::Head), None) => {
            return Err(format!(
                "--config-from head: {} has no northstar.yaml for these plans",
                head_rev.as_deref().unwrap_or("the working tree")
            ));
        }
        (None, _) => None,
    };
    let base = match load(dir, Some(&base_rev), &texts, config_of)? {
        Side::NoConfig => return Err(no_base_config(&args.base, &base_rev)),
        side => side.project(),
    };
    let same_config = match (&base, &head) {
        (Some(b), Some(h)) => b.config_text == h.config_text && b.tree.schemas == h.tree.schemas,
        _ => false,
    };
    let memo = Memo::default();
    let memo = same_config.then_some(&memo);
    let day = head_day(head.as_ref());
    let cb = compile(base.as_ref(), day, memo);
    let ch = compile(head.as_ref(), day, memo);
    let head_name = head_rev.unwrap_or_else(|| "working tree".into());
    let config = head.as_ref().or(base.as_ref()).map(|p| &p.config);
    let d = diff::compare(&args.base, &head_name, &cb, &ch, config);
    let out = diff::format::render(&d, args.format, args.site_url.as_deref());
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    let fail = match args.fail_on {
        Some(FailOn::NewErrors) => d.new_of(crate::diag::Level::Error) > 0,
        Some(FailOn::NewWarnings) => !d.new_diagnostics.is_empty(),
        None => false,
    };
    Ok(u8::from(fail))
}

/// Why a base without a config cannot be compared, and what to do. Comparing
/// it as "no plans" would list every document as added (or, when the head
/// is a revision without one too, say nothing changed): neither is the
/// change a reviewer asked about.
fn no_base_config(base: &str, base_rev: &str) -> String {
    let at = if base == base_rev {
        format!("`{base}`")
    } else {
        format!("`{base}` (at {base_rev:.12})")
    };
    format!(
        "{at} has no northstar.yaml for these plans, so it has no plan to compare with. \
         If northstar was set up after it, add `--config-from head` to read both sides \
         with the current config and schemas"
    )
}
