//! `northstar init --from LAYOUT [DIR]`: a config and a JSON schema for a
//! repository that already keeps specs in a common layout (Kubernetes
//! KEPs, Ember/Rust RFCs, architecture decision records, Markdown with
//! front matter), through kinds by location (docs/format.md#kinds-by-location).
//! Nothing in the specs is touched; `init` writes the two files or nothing.

use super::new::yaml_str;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A layout `init --from` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// Kubernetes KEPs: `keps/**/kep.yaml`, the `README.md` beside it the body.
    Kep,
    /// Ember/Rust RFCs: `text/NNNN-slug.md`, titled by their first level-1 heading.
    Rfc,
    /// Architecture decision records: `docs/adr/NNNN-title.md`.
    Adr,
    /// Markdown with front matter in one folder (`docs/`, …).
    FrontMatter,
}

/// What a recipe writes, and what it says about it.
pub(super) struct Recipe {
    /// Files to write, relative to the target folder.
    pub files: Vec<(String, String)>,
    /// One line on what was found (`656 KEPs under keps/`).
    pub found: String,
}

/// Folders `--from` looks in when `--folder` is not given, in order.
fn candidates(layout: Layout) -> &'static [&'static str] {
    match layout {
        Layout::Kep => &["keps"],
        Layout::Rfc => &["text", "rfcs/text", "rfcs"],
        Layout::Adr => &[
            "docs/adr",
            "doc/adr",
            "docs/decisions",
            "docs/architecture/decisions",
            "adr",
            "decisions",
        ],
        Layout::FrontMatter => &["docs", "doc", "design", "specs", "proposals", "rfcs"],
    }
}

/// The option's spelling of a layout, for messages.
fn spelled(layout: Layout) -> &'static str {
    match layout {
        Layout::Kep => "kep",
        Layout::Rfc => "rfc",
        Layout::Adr => "adr",
        Layout::FrontMatter => "front-matter",
    }
}

/// Files under `dir` (relative to `root`, with `/`), skipping hidden
/// folders; at most `limit`, sorted.
fn walk(root: &Path, dir: &str, deep: bool, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_string()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&rel)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = format!("{rel}/{name}");
            match entry.file_type() {
                Ok(t) if t.is_dir() && deep => stack.push(path),
                Ok(t) if t.is_file() => out.push(path),
                _ => {}
            }
            if out.len() >= limit {
                break;
            }
        }
    }
    out.sort();
    out
}

/// The file's name after its last `/`.
fn name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a Markdown file opens with front matter.
fn has_front_matter(root: &Path, rel: &str) -> bool {
    opens_with_front_matter(&read(root, rel))
}

/// Whether `text` opens with front matter.
fn opens_with_front_matter(text: &str) -> bool {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    t.starts_with("---\n") || t.starts_with("---\r\n")
}

/// The specs of a layout in `folder`, or why there are none.
fn specs(root: &Path, layout: Layout, folder: &str) -> Vec<String> {
    let md = |p: &String| name(p).to_ascii_lowercase().ends_with(".md");
    match layout {
        Layout::Kep => walk(root, folder, true, 100_000)
            .into_iter()
            .filter(|p| name(p) == "kep.yaml")
            .collect(),
        Layout::Rfc | Layout::Adr => walk(root, folder, false, 100_000)
            .into_iter()
            .filter(md)
            .filter(|p| !name(p).eq_ignore_ascii_case("readme.md"))
            .collect(),
        Layout::FrontMatter => walk(root, folder, true, 100_000)
            .into_iter()
            .filter(md)
            .filter(|p| has_front_matter(root, p))
            .collect(),
    }
}

/// The folder a layout's specs are in: `--folder`, else the first
/// candidate holding some.
fn folder(
    root: &Path,
    layout: Layout,
    given: Option<&str>,
) -> Result<(String, Vec<String>), String> {
    let what = match layout {
        Layout::Kep => "`kep.yaml` files",
        Layout::Rfc => "RFCs (`.md` files)",
        Layout::Adr => "decision records (`.md` files)",
        Layout::FrontMatter => "Markdown files with front matter",
    };
    if let Some(given) = given {
        let f = given.trim_matches('/').trim_start_matches("./").to_string();
        if f.is_empty() || f.split('/').any(|c| c == "..") {
            return Err(format!(
                "--folder {given}: name a folder inside {}",
                root.display()
            ));
        }
        if !root.join(&f).is_dir() {
            return Err(format!(
                "--folder {given}: no such folder in {}",
                root.display()
            ));
        }
        let found = specs(root, layout, &f);
        if found.is_empty() {
            return Err(format!("no {what} in {}", root.join(&f).display()));
        }
        return Ok((f, found));
    }
    for c in candidates(layout) {
        if root.join(c).is_dir() {
            let found = specs(root, layout, c);
            if !found.is_empty() {
                return Ok((c.to_string(), found));
            }
        }
    }
    Err(format!(
        "found no {what} for `--from {}` in {} (looked in {}); name the folder with --folder",
        spelled(layout),
        root.display(),
        candidates(layout)
            .iter()
            .map(|c| format!("{c}/"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The product's name: the repository folder's.
fn product(root: &Path) -> String {
    root.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "My Product".to_string())
}

/// The config and schema for `layout` in `root`.
pub(super) fn recipe(root: &Path, layout: Layout, given: Option<&str>) -> Result<Recipe, String> {
    let (folder, found) = folder(root, layout, given)?;
    let n = found.len();
    let recipe = match layout {
        Layout::Kep => Recipe {
            files: vec![
                (
                    "northstar.yaml".into(),
                    KEP_CONFIG.replace("{folder}", &folder),
                ),
                ("schema/kep.schema.json".into(), KEP_SCHEMA.into()),
            ],
            found: format!(
                "{} under {folder}/",
                count(n, "`kep.yaml`", "`kep.yaml` files")
            ),
        },
        Layout::Rfc => {
            let glob = numbered_glob(&found);
            // Rust's RFCs have no front matter (the repository holds the
            // accepted ones); Ember's carry their stage in it.
            let staged = found
                .iter()
                .any(|p| front_matter_value(&read(root, p), "stage:").is_some());
            rfc(root, &folder, glob, n, staged)
        }
        Layout::Adr => {
            let glob = numbered_glob(&found);
            let mut config = ADR_CONFIG
                .replace("{product}", &yaml_str(&product(root)))
                .replace("{files}", &format!("{folder}/{glob}"));
            // Records in Nygard's format keep their status in a `## Status`
            // section, others in front matter; without a status in any, a
            // lifecycle would put every record on the roadmap as "later".
            let texts: Vec<String> = found.iter().map(|p| read(root, p)).collect();
            let statused = texts
                .iter()
                .any(|t| front_matter_value(t, "status:").is_some());
            let sectioned = texts
                .iter()
                .any(|t| crate::parse::markdown::section_status(t, "Status").is_some());
            if sectioned {
                config.push_str(ADR_SECTION_STATUS);
            }
            if statused || sectioned {
                config.push_str(ADR_STATUS_CONFIG);
            }
            Recipe {
                files: vec![
                    ("northstar.yaml".into(), config),
                    ("schema/adr.schema.json".into(), ADR_SCHEMA.into()),
                ],
                found: format!(
                    "{} in {folder}/{}",
                    count(n, "decision record", "decision records"),
                    match (statused, sectioned) {
                        (_, true) => " (statuses from their `## Status` sections)",
                        (true, false) => "",
                        (false, false) => " (no status found)",
                    }
                ),
            }
        }
        Layout::FrontMatter => front_matter(root, &folder, &found),
    };
    Ok(recipe)
}

/// `[0-9]*.md` when every spec's name starts with a number (a README or
/// template beside them is then no spec, and `new` numbers the next one),
/// else `*.md`.
fn numbered_glob(found: &[String]) -> &'static str {
    let numbered = found
        .iter()
        .all(|p| name(p).starts_with(|c: char| c.is_ascii_digit()));
    if numbered { "[0-9]*.md" } else { "*.md" }
}

/// `n` and a noun, singular for one (`1 RFC`, `2 RFCs`).
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `--from rfc`: with a `teams/` folder of team documents (Ember's), the
/// RFCs' `teams` name them.
fn rfc(root: &Path, folder: &str, glob: &str, n: usize, staged: bool) -> Recipe {
    let teams = !walk(root, "teams", false, 1000)
        .iter()
        .filter(|p| name(p).ends_with(".md"))
        .collect::<Vec<_>>()
        .is_empty();
    let mut config = RFC_CONFIG
        .replace("{product}", &yaml_str(&product(root)))
        .replace("{files}", &format!("{folder}/{glob}"))
        .replace("{folder}", folder);
    // Without a stage in any of them, a lifecycle would put every RFC on
    // the roadmap as "later": they are specs, not planned work.
    if staged {
        config.push_str(RFC_STAGE_CONFIG);
    }
    let mut schema = RFC_SCHEMA.to_string();
    let mut files = Vec::new();
    if teams {
        config.push_str(RFC_TEAM_CONFIG);
        schema = schema.replace(
            r#""teams": {"type": ["array", "null"], "items": {"type": "string"}}"#,
            r#""teams": {"type": ["array", "null"], "items": {"type": "string", "x-ref": "rfc-team"}}"#,
        );
        files.push(("schema/rfc-team.schema.json".into(), RFC_TEAM_SCHEMA.into()));
    }
    files.insert(0, ("schema/rfc.schema.json".into(), schema));
    files.insert(0, ("northstar.yaml".into(), config));
    Recipe {
        files,
        found: format!(
            "{} in {folder}/{}{}",
            count(n, "RFC", "RFCs"),
            if staged {
                ""
            } else {
                " (no `stage:` in front matter)"
            },
            if teams { ", teams in teams/" } else { "" }
        ),
    }
}

/// Status words that specs commonly use, as northstar's lifecycle.
const STATUS_WORDS: &[(&str, &str)] = &[
    ("draft", "idea"),
    ("provisional", "discovery"),
    ("proposed", "discovery"),
    ("proposal", "discovery"),
    ("review", "discovery"),
    ("in-review", "discovery"),
    ("exploring", "discovery"),
    ("accepted", "planned"),
    ("approved", "planned"),
    ("implementable", "planned"),
    ("planned", "planned"),
    ("planning", "planned"),
    ("implementing", "in-progress"),
    ("in-progress", "in-progress"),
    ("partially-implemented", "in-progress"),
    ("wip", "in-progress"),
    ("implemented", "shipped"),
    ("done", "shipped"),
    ("complete", "shipped"),
    ("completed", "shipped"),
    ("released", "shipped"),
    ("final", "shipped"),
    ("deferred", "on-hold"),
    ("postponed", "on-hold"),
    ("paused", "on-hold"),
    ("rejected", "declined"),
    ("withdrawn", "declined"),
    ("superseded", "declined"),
    ("replaced", "declined"),
    ("deprecated", "declined"),
    ("obsolete", "declined"),
    ("abandoned", "declined"),
];

/// The `status:` of a file's front matter, as written (plain, first line).
fn status_of(root: &Path, rel: &str) -> Option<String> {
    front_matter_value(&read(root, rel), "status:")
}

/// A file's text; empty when it does not read.
fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_default()
}

/// The value of `key` (with its colon) in the front matter `text` opens
/// with, as written (plain, first line); None without front matter (a
/// body line `status: x` is not one).
fn front_matter_value(text: &str, key: &str) -> Option<String> {
    if !opens_with_front_matter(text) {
        return None;
    }
    let fm = text.split("\n---").next()?;
    fm.lines().find_map(|l| {
        let v = l.strip_prefix(key)?;
        let v = v.split(" #").next().unwrap_or(v).trim();
        let v = v.trim_matches(|c| c == '"' || c == '\'');
        (!v.is_empty()).then(|| v.to_string())
    })
}

/// `--from front-matter`: every Markdown file with front matter under the
/// folder; the statuses found in common words mapped onto the lifecycle.
fn front_matter(root: &Path, folder: &str, found: &[String]) -> Recipe {
    let stems: Vec<&str> = found
        .iter()
        .map(|p| name(p).rsplit_once('.').map_or(name(p), |(s, _)| s))
        .collect();
    let unique = stems.iter().collect::<BTreeSet<_>>().len() == stems.len();
    let statuses: BTreeSet<String> = found.iter().filter_map(|p| status_of(root, p)).collect();
    let mut lifecycle = BTreeMap::new();
    for s in &statuses {
        let key = s.to_ascii_lowercase().replace(' ', "-");
        if let Some((_, to)) = STATUS_WORDS.iter().find(|(w, _)| *w == key) {
            lifecycle.insert(s.clone(), *to);
        }
    }
    let mut config = FRONT_MATTER_CONFIG
        .replace("{product}", &yaml_str(&product(root)))
        .replace("{folder}", folder)
        .replace(
            "{id}",
            if unique {
                "\"{stem}\""
            } else {
                "\"{dir}-{stem}\"           # file names repeat across folders"
            },
        );
    if !lifecycle.is_empty() {
        config
            .push_str("    lifecycle:                 # status values as northstar's lifecycle\n");
        for (from, to) in &lifecycle {
            config.push_str(&format!("      {}: {to}\n", yaml_str(from)));
        }
    }
    Recipe {
        files: vec![
            ("northstar.yaml".into(), config),
            (
                "schema/spec.schema.json".into(),
                front_matter_schema(&statuses),
            ),
        ],
        found: format!(
            "{} with front matter under {folder}/",
            count(found.len(), "Markdown file", "Markdown files")
        ),
    }
}

const KEP_CONFIG: &str = "\
# northstar for Kubernetes Enhancement Proposals: each kep.yaml is a KEP,
# the README.md beside it its body. `northstar check`, then `northstar build`.
product: Kubernetes
paths: [plans]                  # northstar's own documents, if any; KEPs are found by `files`
exclude: [\"{folder}/NNNN-kep-template/**\"]   # the template is not a KEP
rules:
  single-product: off           # specs only: no product document
kinds:
  kep:
    schema: schema/kep.schema.json
    files: \"{folder}/**/kep.yaml\"
    id: \"{dir}\"                 # NNNN-slug: unique, where kep-number is not
    title: title
    body: README.md
    name: KEP
    plural: KEPs
    public: true
    lifecycle:
      provisional: discovery
      implementable: planned
      implemented: shipped
      deferred: on-hold
      rejected: declined
      withdrawn: declined
      replaced: declined
";

const KEP_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "KEP metadata (kep.yaml)",
  "type": "object",
  "required": ["title", "kep-number", "authors", "owning-sig", "approvers", "status"],
  "additionalProperties": false,
  "properties": {
    "title": {"type": "string"},
    "kep-number": {"type": "string", "description": "The KEP's number, as written (4355 or \"4355\")"},
    "authors": {"type": "array", "minItems": 1, "items": {"type": "string"}},
    "owning-sig": {"type": "string"},
    "participating-sigs": {"type": ["array", "null"], "items": {"type": "string"}},
    "reviewers": {"type": ["array", "null"], "items": {"type": "string"}},
    "approvers": {"type": "array", "minItems": 1, "items": {"type": "string"}},
    "editor": {"type": ["string", "null"]},
    "creation-date": {"type": "string", "format": "date"},
    "last-updated": {"type": "string", "format": "date"},
    "status": {"enum": ["provisional", "implementable", "implemented", "deferred", "rejected", "withdrawn", "replaced"]},
    "stage": {"enum": ["alpha", "beta", "stable", "deprecated", "disabled", "removed", null]},
    "latest-milestone": {"type": ["string", "null"]},
    "milestone": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}},
    "feature-gates": {"type": ["array", "null"]},
    "disable-supported": {"type": "boolean"},
    "metrics": {"type": ["array", "null"]},
    "see-also": {"type": ["array", "null"], "items": {"type": "string", "x-ref-path": "kep"}},
    "replaces": {"type": ["array", "null"], "items": {"type": "string", "x-ref-path": "kep"}},
    "superseded-by": {"type": ["array", "null"], "items": {"type": "string", "x-ref-path": "kep"}}
  },
  "if": {"properties": {"status": {"const": "implemented"}}, "required": ["status"]},
  "then": {"properties": {"stage": {"const": "stable"}}}
}
"#;

const RFC_CONFIG: &str = "\
# northstar for RFCs: each {files} is an RFC, titled by its first
# level-1 heading, else by its file's name. `northstar check`, then
# `northstar build`.
product: {product}
paths: [plans]                  # northstar's own documents, if any; RFCs are found by `files`
rules:
  single-product: off           # specs only: no product document
kinds:
  rfc:
    schema: schema/rfc.schema.json
    files: \"{files}\"
    id: \"{stem}\"
    title: \"#\"
    name: RFC
    plural: RFCs
    public: true
";

/// The stages of RFCs that carry them (Ember's), as the lifecycle.
const RFC_STAGE_CONFIG: &str = "    status: stage
    lifecycle:
      proposed: idea
      exploring: discovery
      accepted: planned
      ready-for-release: beta
      released: shipped
      recommended: shipped
      discontinued: declined
      closed: declined
    target: release-date        # puts a released RFC on the timeline
";

const RFC_TEAM_CONFIG: &str =
    "  rfc-team:                     # teams/*.md, which an RFC's `teams` name
    schema: schema/rfc-team.schema.json
    files: \"teams/*.md\"
    id: \"{stem}\"
    title: name
    name: Team
    public: true
";

const RFC_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "RFC front matter",
  "type": "object",
  "additionalProperties": true,
  "properties": {
    "stage": {"enum": ["proposed", "exploring", "accepted", "ready-for-release", "released", "recommended", "discontinued", "closed"]},
    "start-date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$"},
    "release-date": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$"},
    "teams": {"type": ["array", "null"], "items": {"type": "string"}},
    "prs": {"type": ["object", "null"]}
  }
}
"#;

const RFC_TEAM_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Team",
  "type": "object",
  "additionalProperties": true,
  "required": ["name"],
  "properties": {
    "name": {"type": "string"}
  }
}
"#;

const ADR_CONFIG: &str = "\
# northstar for architecture decision records: each file is a record,
# titled by its first level-1 heading (else by its file's name); front
# matter (`status`, `date`) is optional.
product: {product}
paths: [plans]                  # northstar's own documents, if any; records are found by `files`
rules:
  single-product: off           # records only: no product document
kinds:
  adr:
    schema: schema/adr.schema.json
    files: \"{files}\"
    id: \"{stem}\"
    title: \"#\"
    name: ADR
    plural: ADRs
";

/// Where records in Nygard's format keep their status.
const ADR_SECTION_STATUS: &str = "    status: \"## Status\"          # `status:` in front matter, else the first word under `## Status`\n";

/// The statuses of records, as the lifecycle.
const ADR_STATUS_CONFIG: &str = "    lifecycle:
      proposed: discovery
      accepted: shipped
      rejected: declined
      deprecated: declined
      superseded: declined
";

const ADR_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Architecture decision record front matter",
  "type": "object",
  "additionalProperties": true,
  "properties": {
    "status": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "deciders": {"type": ["array", "string", "null"]}
  }
}
"#;

const FRONT_MATTER_CONFIG: &str = "\
# northstar for Markdown specs with front matter: each .md file under
# {folder}/ is a spec. `title:` or else its first level-1 heading (else its
# file's name) is the title.
product: {product}
paths: [plans]                  # northstar's own documents, if any; specs are found by `files`
rules:
  single-product: off           # specs only: no product document
kinds:
  spec:
    schema: schema/spec.schema.json
    files: \"{folder}/**/*.md\"
    id: {id}
    title: \"#\"
    name: Spec
";

/// The schema of `--from front-matter`: any field, and a `status` that is
/// one of the status words the specs use (or none). What else a `status:`
/// holds is a template's placeholder left in (OpenShift's
/// `provisional|implementable|…`), a mapping, or a boolean: `check`
/// points at each; the schema is the user's to widen.
fn front_matter_schema(statuses: &BTreeSet<String>) -> String {
    // Each word as a JSON string (escaped), then null for no status.
    let words: Vec<String> = statuses
        .iter()
        .filter(|s| status_word(s))
        .map(|s| serde_json::Value::from(s.as_str()).to_string())
        .collect();
    let properties = if words.is_empty() {
        "{}".to_string()
    } else {
        let words = words.join(", ");
        format!("{{\n    \"status\": {{\"enum\": [{words}, null]}}\n  }}")
    };
    FRONT_MATTER_SCHEMA.replace("{properties}", &properties)
}

const FRONT_MATTER_SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Spec front matter",
  "type": "object",
  "additionalProperties": true,
  "properties": {properties}
}
"#;

/// Whether a `status:` as written is a word or a few (`partially
/// implemented`), not a placeholder, a mapping or a YAML boolean.
fn status_word(s: &str) -> bool {
    let yaml_word = ["true", "false", "yes", "no", "on", "off", "null"]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w));
    s.starts_with(|c: char| c.is_alphabetic())
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        && !yaml_word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_json() {
        let statuses = ["Draft", "provisional|implementable", "{}"].map(String::from);
        let front_matter = front_matter_schema(&statuses.into_iter().collect());
        for s in [
            KEP_SCHEMA,
            RFC_SCHEMA,
            RFC_TEAM_SCHEMA,
            ADR_SCHEMA,
            &front_matter,
        ] {
            serde_json::from_str::<serde_json::Value>(s).expect("json");
        }
        assert!(
            RFC_SCHEMA
                .contains(r#""teams": {"type": ["array", "null"], "items": {"type": "string"}}"#)
        );
    }

    /// Status words as specs write them, against what a template left in.
    #[test]
    fn a_status_word_is_words_not_a_placeholder() {
        for word in [
            "provisional",
            "Draft",
            "partially implemented",
            "in-progress",
            "on_hold",
        ] {
            assert!(status_word(word), "{word}");
        }
        for junk in [
            "provisional|implementable|implemented",
            "**provisional**",
            "{}",
            "False",
            "null",
            "2",
            "",
            "TBD?",
        ] {
            assert!(!status_word(junk), "{junk}");
        }
    }

    #[test]
    fn the_kep_config_is_short_and_the_readme_shows_it() {
        let config = KEP_CONFIG.replace("{folder}", "keps");
        assert!(config.lines().count() <= 30);
        crate::config::parse(&config).expect("config");
        let readme = include_str!("../../README.md");
        assert!(readme.contains(&format!("```yaml\n{config}```")));
    }

    #[test]
    fn every_config_parses() {
        for text in [RFC_CONFIG, ADR_CONFIG, FRONT_MATTER_CONFIG] {
            let text = text
                .replace("{product}", "P")
                .replace("{files}", "x/*.md")
                .replace("{folder}", "x")
                .replace("{id}", "\"{stem}\"");
            crate::config::parse(&text).expect("config");
            crate::config::parse(&format!("{text}{RFC_TEAM_CONFIG}")).expect("config");
        }
        let rfc = RFC_CONFIG
            .replace("{product}", "P")
            .replace("{files}", "x/*.md");
        let staged = crate::config::parse(&format!("{rfc}{RFC_STAGE_CONFIG}{RFC_TEAM_CONFIG}"))
            .expect("config");
        assert_eq!(staged.kinds["rfc"].status.as_deref(), Some("stage"));
        let adr = ADR_CONFIG
            .replace("{product}", "P")
            .replace("{files}", "x/*.md");
        let statused = crate::config::parse(&format!("{adr}{ADR_STATUS_CONFIG}")).expect("config");
        assert_eq!(statused.kinds["adr"].lifecycle.len(), 5);
    }
}
