//! `northstar init [DIR]`: a new plans repository, one document of each
//! built-in kind, that checks clean with `--deny warnings`.
//!
//! `northstar init --templates [DIR]`: write the default templates out so a
//! plans repository can edit them (files of the same name override ours).
//!
//! `northstar init --from kep|rfc|adr|front-matter [DIR]`: a config and a
//! schema for specs already kept in that layout ([`super::recipe`]).

use super::new::kind_folder;
use crate::project::{Open, Project};
use crate::render::templates::DEFAULTS;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the default templates, CSS and JS into the plans' `templates/`.
    #[arg(long, conflicts_with = "from")]
    pub templates: bool,
    /// Write a config and a schema for specs already kept in this layout:
    /// `kep` (keps/**/kep.yaml), `rfc` (text/NNNN-slug.md), `adr`
    /// (docs/adr/NNNN-title.md), `front-matter` (Markdown with front
    /// matter under docs/ or --folder).
    #[arg(long, value_name = "LAYOUT")]
    pub from: Option<super::recipe::Layout>,
    /// With `--from`: the folder the specs are in, relative to DIR
    /// (default: detected).
    #[arg(long, value_name = "FOLDER", requires = "from")]
    pub folder: Option<String>,
    /// Folder (default: the current folder; with `--templates`, the plans
    /// root). Relative to `-C`.
    // Its own id: `dir` is the global `-C`'s, and clap would merge the two.
    #[arg(id = "target", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `base/rel` for messages, without a leading `./`.
fn shown(base: &Path, rel: &str) -> String {
    if base == Path::new(".") || base.as_os_str().is_empty() {
        rel.to_string()
    } else {
        base.join(rel).display().to_string()
    }
}

/// Runs `init`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    if args.templates {
        return templates(dir, args.dir);
    }
    let target = match args.dir {
        Some(d) => dir.join(d),
        None => dir.to_path_buf(),
    };
    match args.from {
        Some(layout) => adopt(&target, layout, args.folder.as_deref()),
        None => repository(&target),
    }
}

/// `init --from LAYOUT`: into an existing folder of specs, a config and
/// a schema; nothing else is touched, and nothing is overwritten.
fn adopt(target: &Path, layout: super::recipe::Layout, folder: Option<&str>) -> Result<u8, String> {
    if !target.is_dir() {
        return Err(format!(
            "{} is not a folder: `init --from` adopts an existing repository of specs",
            target.display()
        ));
    }
    let recipe = super::recipe::recipe(target, layout, folder)?;
    write_all(target, &recipe.files)?;
    let mut out = std::io::stdout().lock();
    for (rel, _) in &recipe.files {
        let _ = writeln!(out, "{}", shown(target, rel));
    }
    let c = if target == Path::new(".") {
        String::new()
    } else {
        format!("-C {} ", target.display())
    };
    eprintln!(
        "found {}; wrote a config and a schema for them (edit both to fit); next: `northstar {c}check`, then `northstar {c}build`",
        recipe.found
    );
    Ok(0)
}

/// `init --templates`.
fn templates(dir: &Path, arg: Option<PathBuf>) -> Result<u8, String> {
    let base = match arg {
        Some(d) => dir.join(d),
        None => Project::open(dir, &Open::default())?.root,
    };
    let out = base.join("templates");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut stdout = std::io::stdout().lock();
    let mut skipped = 0;
    for (name, text) in DEFAULTS {
        let p = out.join(name);
        if p.exists() {
            eprintln!("kept {} (exists)", p.display());
            skipped += 1;
            continue;
        }
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        // A closed stdout (`| head`) must not stop the writing half-way.
        let _ = writeln!(stdout, "{}", p.display());
    }
    if skipped > 0 {
        eprintln!("{skipped} existing file(s) left as they were");
    }
    Ok(0)
}

/// The files of a new plans repository, relative to its root.
fn files(today: i64) -> Vec<(String, String)> {
    let day = crate::dates::format(today);
    let year = crate::dates::civil_from_days(today).0.to_string();
    // A quarter ahead: the milestone holds an open feature, and must not
    // be overdue the day the repository is made.
    let release = crate::dates::format(today + 90);
    let strategy = format!("strategy-{year}");
    let doc = |kind: &str, id: &str| -> String {
        let folder = kind_folder(kind);
        if folder.is_empty() {
            format!("plans/{id}.md")
        } else {
            format!("plans/{folder}/{id}.md")
        }
    };
    let fill = |t: &str| {
        t.replace("{today}", &day)
            .replace("{year}", &year)
            .replace("{release}", &release)
            .replace("{strategy}", &strategy)
    };
    vec![
        ("northstar.yaml".into(), fill(CONFIG)),
        ("README.md".into(), fill(README)),
        ("plans/product.md".into(), fill(PRODUCT)),
        (doc("strategy", &strategy), fill(STRATEGY)),
        (doc("objective", "activate-new-users"), fill(OBJECTIVE)),
        (doc("metric", "weekly-active-users"), fill(METRIC)),
        (doc("feature", "guided-onboarding"), fill(FEATURE)),
        (doc("milestone", "first-release"), fill(MILESTONE)),
        (doc("team", "core-team"), fill(TEAM)),
        (doc("person", "alex-example"), fill(PERSON)),
        (doc("segment", "early-adopters"), fill(SEGMENT)),
        (doc("insight", "onboarding-interviews"), fill(INSIGHT)),
        (doc("decision", "onboarding-first"), fill(DECISION)),
    ]
}

/// `init [DIR]`: refuses to overwrite anything; writes all or nothing.
fn repository(target: &Path) -> Result<u8, String> {
    if target.exists() && !target.is_dir() {
        return Err(format!("{} exists and is not a folder", target.display()));
    }
    let files = files(crate::dates::local_today());
    write_all(target, &files)?;
    let mut out = std::io::stdout().lock();
    for (rel, _) in &files {
        let _ = writeln!(out, "{}", shown(target, rel));
    }
    let c = if target == Path::new(".") {
        String::new()
    } else {
        format!("-C {} ", target.display())
    };
    eprintln!(
        "created a plans repository; next: `northstar {c}check`, then `northstar {c}new feature \"<title>\"`"
    );
    Ok(0)
}

/// Writes `files` under `target`: all of them or, when one exists already
/// or cannot be written, none (what this run made is taken back).
fn write_all(target: &Path, files: &[(String, String)]) -> Result<(), String> {
    for (rel, _) in files {
        if target.join(rel).symlink_metadata().is_ok() {
            return Err(format!(
                "{} already exists; nothing written (init never overwrites)",
                shown(target, rel)
            ));
        }
    }
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut written: Vec<PathBuf> = Vec::new();
    let result = (|| -> Result<(), String> {
        for (rel, text) in files {
            let path = target.join(rel);
            if let Some(parent) = path.parent() {
                // Remember the folders made here, outermost first.
                let mut missing: Vec<PathBuf> = parent
                    .ancestors()
                    .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
                    .map(Path::to_path_buf)
                    .collect();
                missing.reverse();
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                created_dirs.extend(missing);
            }
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| format!("cannot write {}: {e}", shown(target, rel)))?;
            written.push(path.clone());
            f.write_all(text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", shown(target, rel)))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        // All or nothing: take back what this run wrote.
        for p in &written {
            let _ = std::fs::remove_file(p);
        }
        for d in created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        return Err(e);
    }
    Ok(())
}

const CONFIG: &str = "\
# northstar configuration: the product's name, where the plans are, and how
# strict the checks are. See README.md.
format: 1
product: My Product
site:
  title: My Product plans
# Folders scanned for documents.
paths: [plans]
# Every rule can be set to error, warning or off, for example:
# rules:
#   feature-without-objective: error
#   unowned: error
kinds:
  feature:
    # Sections a planned (or later) feature's PRD must have.
    required_sections: [Problem, Goals, Non-goals, Requirements]
";

const README: &str = "\
# My Product plans

This repository holds the plans of My Product: the vision, the strategy and
its objectives, the metrics, one spec (PRD) per feature, the milestones of
the roadmap, what customers told us, and the decisions we made. Each is a
Markdown file with a YAML header under `plans/`. northstar checks them and
builds the product site from them.

## Where things go

| folder | what |
|---|---|
| `plans/product.md` | the vision: exactly one |
| `plans/strategy/` | the strategy for a period, and its pillars |
| `plans/objectives/` | objectives and their key results (OKRs) |
| `plans/metrics/` | the KPIs key results are measured by |
| `plans/features/` | one PRD per feature |
| `plans/milestones/` | releases, with their dates |
| `plans/teams/`, `plans/people/` | who builds and owns what |
| `plans/segments/` | customer segments and personas |
| `plans/insights/` | research and customer feedback |
| `plans/decisions/` | decision records, including every \"no\" |

`northstar.yaml` holds the product's name and the settings.

## Add a feature

```sh
northstar new feature \"Offline mode\"
```

writes `plans/features/offline-mode.md` with the PRD's sections (Problem,
Goals, Non-goals, Requirements) to fill in. A new feature starts as
`status: idea`. Before you move it to `planned`, `in-progress`, `beta` or
`shipped`, give it an `owner`, list the `objectives` it serves, and fill in
every section: the check insists. Every other kind works the same way:
`northstar new decision \"Drop the desktop app\"`, `northstar new person
\"Sam Lee\"`.

## Conventions

- A document's id is its file name without `.md` (`offline-mode`). Ids are
  unique across all kinds.
- Fields refer to other documents by id: `owner: alex-example`,
  `objectives: [activate-new-users]`.
- In the text, `[[offline-mode]]` links to a document and
  `[[offline-mode#goals]]` to a heading in it.
- `visibility: public` marks a document that may be published outside the
  company; everything else is internal.

## Check and build

```sh
northstar check                   # every problem, with file, line and a hint
northstar check --deny warnings   # what CI runs: warnings fail too
northstar build                   # the site, into site/: open site/index.html
```

Run `northstar check` before you open a pull request. Add `site/` to
`.gitignore`.
";

const PRODUCT: &str = "\
---
kind: product
title: My Product
vision: Every new customer gets value on their first day.
problem: Customers sign up, get lost, and leave before they see what the product does.
target_segments: [early-adopters]
north_star: weekly-active-users
---

The vision, in a paragraph: who the product is for, what it changes for
them, and why now. The strategy is [[{strategy}]].
";

const STRATEGY: &str = "\
---
kind: strategy
title: Strategy {year}
owner: alex-example
period: {year}
pillars:
  - title: Fast first value
    description: A new customer does something useful in their first ten minutes.
---

How the vision will be reached this period, and what we will not do.
";

const OBJECTIVE: &str = "\
---
kind: objective
title: Activate new users
owner: alex-example
strategy: {strategy}
period: {year}
key_results:
  - title: Weekly active users
    metric: weekly-active-users
    baseline: 0
    target: 1000
    current: 0
---

Why this objective matters this period.
";

const METRIC: &str = "\
---
kind: metric
title: Weekly active users
owner: alex-example
unit: users
direction: increase
current: 0
target: 1000
source: Product analytics
---

How the metric is measured, and where the number comes from.
";

const FEATURE: &str = "\
---
kind: feature
title: Guided onboarding
summary: A short guided tour that gets a new user to their first result.
owner: alex-example
status: planned
team: core-team
milestone: first-release
horizon: next
objectives: [activate-new-users]
segments: [early-adopters]
rice:
  reach: 500
  impact: 2
  confidence: 0.8
  effort: 2
decision: onboarding-first
---

A guided tour for new users, from sign-up to their first useful result.

## Problem

New users do not find the core workflow on their own: most of the people we
interviewed gave up in their first session ([[onboarding-interviews]]).

## Goals

- Half of new users reach their first result in their first session.
- Raise [[weekly-active-users]] towards the target of
  [[activate-new-users]].

## Non-goals

- A full help centre.
- Changing the core workflow itself.

## Requirements

| # | Requirement | Priority |
|---|---|---|
| R1 | A tour of at most five steps, shown on first sign-in | Must |
| R2 | Users can skip the tour and restart it later | Must |
| R3 | Completion of each step is measured | Should |
";

const MILESTONE: &str = "\
---
kind: milestone
title: First release
owner: alex-example
date: {release}
status: planned
launch:
  segments: [early-adopters]
  channels: [blog, email]
---

What the release is for, and what must be in it.
";

const TEAM: &str = "\
---
kind: team
title: Core team
function: product
lead: alex-example
members: [alex-example]
---

What the team owns.
";

const PERSON: &str = "\
---
kind: person
title: Alex Example
role: Product manager
email: alex@example.com
---
";

const SEGMENT: &str = "\
---
kind: segment
title: Early adopters
description: Small teams who try new tools first and tell others about them.
size: 5000
needs:
  - Get value without a setup project
  - Share results with their team
---
";

const INSIGHT: &str = "\
---
kind: insight
title: Onboarding interviews
owner: alex-example
source: interview
date: {today}
segments: [early-adopters]
features: [guided-onboarding]
count: 5
---

Five of the eight early adopters we interviewed could not find the core
workflow in their first session; three of them did not come back.
";

const DECISION: &str = "\
---
kind: decision
title: Onboarding first
owner: alex-example
date: {today}
status: accepted
features: [guided-onboarding]
---

## Context

New users leave before they see what the product does
([[onboarding-interviews]]).

## Decision

The first release is about onboarding: [[guided-onboarding]] comes before
any new capability.

## Consequences

New capabilities wait for the next release.
";
