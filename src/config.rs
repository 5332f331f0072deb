//! `northstar.yaml`: read strictly, with positions.
//!
//! The config is parsed from the same positioned YAML tree as documents so
//! that every mistake names its line and key, and an unknown key is named
//! with the nearest known one. Any problem here stops the run (exit 2):
//! checking plans against a half-understood config would report nonsense.

use crate::diag::{Pos, nearest};
use crate::parse::yaml::{Node, NodeValue, parse_stream};
use std::collections::BTreeMap;
use std::fmt;

/// The config file's name.
pub const FILE_NAME: &str = "northstar.yaml";

/// A rule's level as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Do not report.
    Off,
}

/// A rule's settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleConfig {
    /// The level, when overridden.
    pub level: Option<RuleLevel>,
    /// `stale.days`.
    pub days: Option<u32>,
}

/// Settings of a kind: a user-defined kind, or a built-in one tightened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindConfig {
    /// Schema file, relative to the root.
    pub schema: Option<String>,
    /// Headings a committed document of this kind must have.
    pub required_sections: Option<Vec<String>>,
    /// Glob of files that are documents of this kind
    /// (docs/format.md#kinds-by-location).
    pub files: Option<String>,
    /// Id template: `{stem}`, `{dir}` or `{field:NAME}`.
    pub id: Option<String>,
    /// The field that holds the title, or `#`: the body's first level-1
    /// heading, else the file's name (`check::documents`).
    pub title: Option<String>,
    /// A sibling file holding the Markdown body.
    pub body: Option<String>,
    /// The kind's name as the site shows it (`KEP`, `RFC`).
    pub name: Option<String>,
    /// Its plural (`KEPs`); by default the English plural of the name.
    pub plural: Option<String>,
    /// The field that holds a document's status (default `status`).
    pub status: Option<String>,
    /// The body section whose first word is the status where front matter
    /// gives none (`status: "## Status"`, decision records in Nygard's
    /// format); the status is then the field `status`.
    pub status_section: Option<String>,
    /// The status values as northstar's lifecycle ([`LIFECYCLE`]): what
    /// the site colours them as and counts them under.
    pub lifecycle: BTreeMap<String, String>,
    /// The field that holds a document's target: a date or a milestone's
    /// id, which puts it on the roadmap's timeline.
    pub target: Option<String>,
    /// The kind's documents are public unless one says otherwise
    /// (`visibility: internal`): RFCs published as a whole.
    pub public: bool,
    /// Where the kind was declared, for diagnostics about it.
    pub pos: Pos,
}

/// northstar's lifecycle, as a feature's `status` (docs/format.md#committed):
/// what a kind's own status values map onto.
pub const LIFECYCLE: &[&str] = &[
    "idea",
    "discovery",
    "planned",
    "in-progress",
    "beta",
    "shipped",
    "on-hold",
    "declined",
];

impl KindConfig {
    /// The field an `id: "{field:NAME}"` template takes the id from: where
    /// a diagnostic about the id points when the document has no `id:`.
    pub fn id_field(&self) -> Option<&str> {
        self.id
            .as_deref()?
            .strip_prefix("{field:")?
            .strip_suffix('}')
    }
}

/// Site settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    /// The site's title.
    pub title: String,
    /// Absolute-path prefix used only for feed and canonical links.
    pub base_url: String,
    /// "Edit this page" URL template with `{path}`.
    pub edit_url: Option<String>,
}

/// The whole config, with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Format version (1).
    pub format: u32,
    /// Product name.
    pub product: String,
    /// Site settings.
    pub site: SiteConfig,
    /// Folders scanned, relative to the root.
    pub paths: Vec<String>,
    /// Globs left out, relative to the root.
    pub exclude: Vec<String>,
    /// Pinned "today" (YYYY-MM-DD).
    pub today: Option<String>,
    /// Rule settings by rule name.
    pub rules: BTreeMap<String, RuleConfig>,
    /// Kind settings by kind name.
    pub kinds: BTreeMap<String, KindConfig>,
    /// History cache folder, relative to the root.
    pub cache: String,
}

/// A problem in `northstar.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// Where.
    pub pos: Pos,
    /// What.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            FILE_NAME, self.pos.line, self.pos.col, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

fn err(pos: Pos, message: impl Into<String>) -> ConfigError {
    ConfigError {
        pos,
        message: message.into(),
    }
}

const TOP_KEYS: &[&str] = &[
    "format", "product", "site", "paths", "exclude", "today", "rules", "kinds", "cache",
];
const SITE_KEYS: &[&str] = &["title", "base_url", "edit_url"];
const KIND_KEYS: &[&str] = &[
    "schema",
    "required_sections",
    "files",
    "id",
    "title",
    "body",
    "name",
    "plural",
    "status",
    "lifecycle",
    "target",
    "public",
];
const RULE_KEYS: &[&str] = &["level", "days"];

/// Checks a mapping's keys against the known ones; returns its entries.
fn entries<'a>(
    node: &'a Node,
    what: &str,
    known: &[&str],
) -> Result<&'a [(Node, Node)], ConfigError> {
    let NodeValue::Map(entries) = &node.value else {
        return Err(err(node.pos, format!("{what} must be a mapping")));
    };
    for (key, _) in entries {
        let name = key.as_str().unwrap_or("");
        if !known.contains(&name) {
            let mut message = format!("unknown key `{name}` in {what}");
            if let Some(near) = nearest(name, known.iter().copied()) {
                message.push_str(&format!(", did you mean `{near}`?"));
            }
            return Err(err(key.pos, message));
        }
    }
    Ok(entries)
}

fn string(node: &Node, key: &str) -> Result<String, ConfigError> {
    match &node.value {
        NodeValue::Scalar { text, .. } if !node.is_null() => Ok(text.clone()),
        _ => Err(err(node.pos, format!("`{key}` must be a string"))),
    }
}

/// A kind's `id` template: text and `{stem}`, `{dir}`, `{field:NAME}`
/// placeholders. Any other placeholder (`{nme}`) is a config error at
/// the value, not an `invalid-id` on every document.
fn id_template(node: &Node) -> Result<String, ConfigError> {
    let text = string(node, "id")?;
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(err(
                node.pos,
                format!("`id` template `{text}` has a `{{` without its `}}`"),
            ));
        };
        let name = &rest[open + 1..open + close];
        let known = matches!(name, "stem" | "dir")
            || name.strip_prefix("field:").is_some_and(|f| !f.is_empty());
        if !known {
            return Err(err(
                node.pos,
                format!(
                    "`id` template `{text}` has an unknown placeholder `{{{name}}}`: use `{{stem}}`, `{{dir}}` or `{{field:NAME}}`"
                ),
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(text)
}

/// A kind's `title`: the field holding it, or `#` for the body's first
/// heading. A template such as `{h1}` is refused: it would name no field.
fn title_source(node: &Node) -> Result<String, ConfigError> {
    let text = string(node, "title")?;
    if text == "#"
        || text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !text.is_empty()
    {
        Ok(text)
    } else {
        Err(err(
            node.pos,
            format!(
                "`title: {text}` names no field: write a field's name, or `\"#\"` for the body's first heading"
            ),
        ))
    }
}

/// A `true` or `false` (unquoted).
fn boolean(node: &Node, key: &str) -> Result<bool, ConfigError> {
    match &node.value {
        NodeValue::Scalar { text, plain: true } if text == "true" => Ok(true),
        NodeValue::Scalar { text, plain: true } if text == "false" => Ok(false),
        _ => Err(err(node.pos, format!("`{key}` must be true or false"))),
    }
}

/// A kind's `lifecycle`: each of its status values and the lifecycle
/// status it stands for, which must be one of [`LIFECYCLE`] (named at the
/// value, with the nearest, when not).
fn lifecycle(node: &Node) -> Result<BTreeMap<String, String>, ConfigError> {
    let NodeValue::Map(items) = &node.value else {
        return Err(err(
            node.pos,
            "`lifecycle` must map each status value to one of northstar's: idea, discovery, planned, in-progress, beta, shipped, on-hold, declined",
        ));
    };
    let mut out = BTreeMap::new();
    for (k, v) in items {
        let value = string(v, "lifecycle")?;
        if !LIFECYCLE.contains(&value.as_str()) {
            let hint = nearest(&value, LIFECYCLE.iter().copied())
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(err(
                v.pos,
                format!(
                    "`{value}` is not a lifecycle status{hint}: use idea, discovery, planned, in-progress, beta, shipped, on-hold or declined"
                ),
            ));
        }
        out.insert(k.as_str().unwrap_or("").to_string(), value);
    }
    Ok(out)
}

fn strings(node: &Node, key: &str) -> Result<Vec<String>, ConfigError> {
    match &node.value {
        NodeValue::Seq(items) => items.iter().map(|i| string(i, key)).collect(),
        _ => Err(err(node.pos, format!("`{key}` must be a list of strings"))),
    }
}

fn is_date(s: &str) -> bool {
    crate::dates::parse(s).is_some()
}

/// Parses the text of `northstar.yaml`.
pub fn parse(text: &str) -> Result<Config, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (docs, error) = parse_stream(text, 1);
    if let Some(e) = error {
        return Err(err(e.pos, e.message));
    }
    if docs.len() > 1 {
        return Err(err(docs[1].pos, "expected one YAML document"));
    }
    let empty = Node {
        pos: Pos::start(),
        value: NodeValue::Map(Vec::new()),
    };
    let root = docs.first().filter(|d| !d.is_null()).unwrap_or(&empty);
    let mut config = Config {
        format: 1,
        product: String::new(),
        site: SiteConfig {
            title: String::new(),
            base_url: "/".into(),
            edit_url: None,
        },
        paths: Vec::new(),
        exclude: Vec::new(),
        today: None,
        rules: BTreeMap::new(),
        kinds: BTreeMap::new(),
        cache: ".git/northstar".into(),
    };
    let mut product_seen = false;
    for (key, value) in entries(root, "northstar.yaml", TOP_KEYS)? {
        let name = key.as_str().unwrap_or("");
        match name {
            "format" if value.as_str() != Some("1") => {
                return Err(err(
                    value.pos,
                    "unsupported `format`: this northstar reads format 1",
                ));
            }
            "product" => {
                config.product = string(value, name)?;
                product_seen = true;
            }
            "site" => parse_site(value, &mut config.site)?,
            "paths" => config.paths = strings(value, name)?,
            "exclude" => config.exclude = strings(value, name)?,
            "today" => {
                let s = string(value, name)?;
                if !is_date(&s) {
                    return Err(err(
                        value.pos,
                        format!("`today` must be a date YYYY-MM-DD, found `{s}`"),
                    ));
                }
                config.today = Some(s);
            }
            "rules" => parse_rules(value, &mut config.rules)?,
            "kinds" => parse_kinds(value, &mut config.kinds)?,
            "cache" => config.cache = string(value, name)?,
            _ => {}
        }
    }
    if !product_seen || config.product.trim().is_empty() {
        return Err(err(
            root.pos,
            "missing required key `product` (the product name shown on the site)",
        ));
    }
    if config.site.title.is_empty() {
        config.site.title = format!("{} plans", config.product);
    }
    for path in config.paths.iter().chain([&config.cache]) {
        if path.starts_with('/') || path.split('/').any(|c| c == "..") {
            return Err(err(
                root.pos,
                format!("`{path}` must be a relative path inside the plans repository"),
            ));
        }
    }
    for pattern in &config.exclude {
        if let Err(e) = globset::Glob::new(pattern) {
            return Err(err(
                root.pos,
                format!("invalid exclude glob `{pattern}`: {e}"),
            ));
        }
    }
    Ok(config)
}

fn parse_site(node: &Node, site: &mut SiteConfig) -> Result<(), ConfigError> {
    for (key, value) in entries(node, "`site`", SITE_KEYS)? {
        let name = key.as_str().unwrap_or("");
        let v = string(value, name)?;
        match name {
            "title" => site.title = v,
            "base_url" => site.base_url = v,
            _ => site.edit_url = Some(v),
        }
    }
    Ok(())
}

fn level(node: &Node) -> Result<RuleLevel, ConfigError> {
    match node.as_str() {
        Some("error") => Ok(RuleLevel::Error),
        Some("warning") => Ok(RuleLevel::Warning),
        Some("off") => Ok(RuleLevel::Off),
        _ => Err(err(
            node.pos,
            "a rule's level must be `error`, `warning` or `off`",
        )),
    }
}

fn parse_rules(node: &Node, rules: &mut BTreeMap<String, RuleConfig>) -> Result<(), ConfigError> {
    let NodeValue::Map(items) = &node.value else {
        return Err(err(
            node.pos,
            "`rules` must be a mapping of rule names to levels",
        ));
    };
    for (key, value) in items {
        let name = key.as_str().unwrap_or("").to_string();
        if crate::rules::Rule::from_name(&name).is_none() {
            let mut message = format!("unknown rule `{name}`");
            if let Some(near) = nearest(&name, crate::rules::names()) {
                message.push_str(&format!(", did you mean `{near}`?"));
            }
            return Err(err(key.pos, message));
        }
        let mut rule = RuleConfig::default();
        if let NodeValue::Map(_) = &value.value {
            for (k, v) in entries(value, &format!("rule `{name}`"), RULE_KEYS)? {
                if k.as_str() == Some("level") {
                    rule.level = Some(level(v)?);
                } else {
                    if name != "stale" {
                        return Err(err(k.pos, format!("rule `{name}` has no option `days`")));
                    }
                    let days = v.as_str().and_then(|s| s.parse::<u32>().ok());
                    rule.days =
                        Some(days.ok_or_else(|| err(v.pos, "`days` must be a whole number"))?);
                }
            }
        } else {
            rule.level = Some(level(value)?);
        }
        rules.insert(name, rule);
    }
    Ok(())
}

/// A kind's `schema` path: relative, inside the repository, with no `..`
/// (nor a Windows root or drive), so the config cannot name a file
/// elsewhere on the machine. Links are resolved when the file is read
/// (`source::confine`).
fn schema_path(node: &Node) -> Result<String, ConfigError> {
    let path = string(node, "schema")?;
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    if path.starts_with(['/', '\\'])
        || parts.first().is_some_and(|p| p.contains(':'))
        || parts.contains(&"..")
        || path.trim().is_empty()
    {
        return Err(err(
            node.pos,
            format!("`schema` must be a relative path inside the plans repository, found `{path}`"),
        ));
    }
    Ok(path)
}

/// Whether a user-defined kind name is well formed (`^[a-z][a-z0-9-]*$`).
pub fn valid_kind_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn parse_kinds(node: &Node, kinds: &mut BTreeMap<String, KindConfig>) -> Result<(), ConfigError> {
    let NodeValue::Map(items) = &node.value else {
        return Err(err(
            node.pos,
            "`kinds` must be a mapping of kind names to settings",
        ));
    };
    for (key, value) in items {
        let name = key.as_str().unwrap_or("").to_string();
        if !valid_kind_name(&name) {
            return Err(err(
                key.pos,
                format!("kind name `{name}` must match ^[a-z][a-z0-9-]*$"),
            ));
        }
        let mut kind = KindConfig {
            pos: key.pos,
            ..KindConfig::default()
        };
        let mut section_pos = None;
        for (k, v) in entries(value, &format!("kind `{name}`"), KIND_KEYS)? {
            let field = k.as_str().unwrap_or("");
            match field {
                "schema" => kind.schema = Some(schema_path(v)?),
                "required_sections" => kind.required_sections = Some(strings(v, field)?),
                "files" => kind.files = Some(string(v, field)?),
                "id" => kind.id = Some(id_template(v)?),
                "title" => kind.title = Some(title_source(v)?),
                "name" => kind.name = Some(string(v, field)?),
                "plural" => kind.plural = Some(string(v, field)?),
                "status" => {
                    let text = string(v, field)?;
                    match text.strip_prefix('#') {
                        Some(heading) => {
                            let heading = heading
                                .trim_matches(|c: char| c == '#' || c.is_whitespace())
                                .trim_end_matches(':')
                                .trim();
                            if heading.is_empty() {
                                return Err(err(
                                    v.pos,
                                    format!(
                                        "`status: {text}` names no section: write the heading's words, as `\"## Status\"`"
                                    ),
                                ));
                            }
                            kind.status_section = Some(heading.to_string());
                            kind.status = Some("status".into());
                            section_pos = Some(v.pos);
                        }
                        None => kind.status = Some(text),
                    }
                }
                "lifecycle" => kind.lifecycle = lifecycle(v)?,
                "target" => kind.target = Some(string(v, field)?),
                "public" => kind.public = boolean(v, field)?,
                _ => kind.body = Some(string(v, field)?),
            }
        }
        // A status from a section is read from the document's own body:
        // one beside it (`body:`) is not read with its history, and a kind
        // not found by `files` is not read as a kind by location.
        if let Some(pos) = section_pos {
            if let Some(body) = &kind.body {
                return Err(err(
                    pos,
                    format!(
                        "kind `{name}`: a status from a section is read from the document's own file, and its body is in `{body}` beside it: keep the status in a field"
                    ),
                ));
            }
            if kind.files.is_none() {
                return Err(err(
                    pos,
                    format!(
                        "kind `{name}`: a status from a section needs `files:`, the documents it is read from"
                    ),
                ));
            }
        }
        if !crate::schema::is_builtin(&name) && kind.schema.is_none() {
            return Err(err(
                key.pos,
                format!("user-defined kind `{name}` needs a `schema` file"),
            ));
        }
        kinds.insert(name, kind);
    }
    Ok(())
}

impl Config {
    /// A kind's name as the site shows it: its `name:`, else the kind's
    /// own with `-` and `_` as spaces and a capital first letter.
    pub fn kind_name(&self, kind: &str) -> String {
        match self.kinds.get(kind).and_then(|k| k.name.clone()) {
            Some(name) => name,
            None => capitalised(&kind.replace(['_', '-'], " ")),
        }
    }

    /// A kind's plural as lists and the footer show it: its `plural:`,
    /// else the English plural of its `name:`, else of the kind's own
    /// name (`strategies`, `people`).
    pub fn kind_plural(&self, kind: &str) -> String {
        let k = self.kinds.get(kind);
        if let Some(p) = k.and_then(|k| k.plural.clone()) {
            return p;
        }
        match k.and_then(|k| k.name.as_deref()) {
            Some(name) => crate::numbers::plural(name),
            None => crate::numbers::plural(&kind.replace(['_', '-'], " ")),
        }
    }

    /// The field that holds a `kind`'s status: its `status:`, else `status`.
    pub fn status_field(&self, kind: &str) -> &str {
        self.kinds
            .get(kind)
            .and_then(|k| k.status.as_deref())
            .unwrap_or("status")
    }

    /// The lifecycle status a `kind`'s status `value` stands for: the
    /// kind's `lifecycle` mapping, else the value itself when it is one.
    pub fn lifecycle_of<'a>(&'a self, kind: &str, value: &'a str) -> Option<&'a str> {
        match self.kinds.get(kind).and_then(|k| k.lifecycle.get(value)) {
            Some(mapped) => Some(mapped),
            None => LIFECYCLE.contains(&value).then_some(value),
        }
    }

    /// The kinds on the roadmap (docs/format.md#kinds-by-location):
    /// features, then every kind that maps its statuses onto the
    /// lifecycle or declares a target field, by name.
    pub fn roadmap_kinds(&self) -> Vec<&str> {
        std::iter::once("feature")
            .chain(
                self.kinds
                    .iter()
                    .filter(|(name, k)| {
                        name.as_str() != "feature"
                            && (!k.lifecycle.is_empty() || k.target.is_some())
                    })
                    .map(|(name, _)| name.as_str()),
            )
            .collect()
    }

    /// The field that holds a `kind`'s target on the roadmap: a feature's
    /// `milestone`, else the kind's `target:`.
    pub fn target_field(&self, kind: &str) -> Option<&str> {
        match self.kinds.get(kind).and_then(|k| k.target.as_deref()) {
            Some(field) => Some(field),
            None => (kind == "feature").then_some("milestone"),
        }
    }

    /// The sections a committed document of `kind` must have.
    pub fn required_sections(&self, kind: &str) -> Vec<String> {
        if let Some(s) = self
            .kinds
            .get(kind)
            .and_then(|k| k.required_sections.clone())
        {
            return s;
        }
        if kind == "feature" {
            ["Problem", "Goals", "Non-goals", "Requirements"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        }
    }

    /// The stale rule's threshold in days.
    pub fn stale_days(&self) -> u32 {
        self.rules.get("stale").and_then(|r| r.days).unwrap_or(45)
    }
}

/// `word` with its first letter upper case.
pub fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_read_from_a_section_names_its_heading() {
        let kind = |status: &str| {
            parse(&format!(
                "product: P\nkinds:\n  adr:\n    schema: s.json\n    files: \"doc/*.md\"\n    status: \"{status}\"\n"
            ))
        };
        let adr = kind("## Status").expect("config");
        let adr = &adr.kinds["adr"];
        assert_eq!(adr.status.as_deref(), Some("status"));
        assert_eq!(adr.status_section.as_deref(), Some("Status"));
        let plain = kind("stage").expect("config");
        assert_eq!(plain.kinds["adr"].status.as_deref(), Some("stage"));
        assert_eq!(plain.kinds["adr"].status_section, None);
        let closed = kind("## Status: ##").expect("config");
        assert_eq!(
            closed.kinds["adr"].status_section.as_deref(),
            Some("Status")
        );
        let err = kind("##").expect_err("no heading");
        assert_eq!((err.pos.line, err.pos.col), (6, 13));
        assert!(err.message.contains("names no section"), "{}", err.message);
        let beside = parse(
            "product: P\nkinds:\n  adr:\n    schema: s.json\n    files: \"doc/*/adr.yaml\"\n    body: README.md\n    status: \"## Status\"\n",
        )
        .expect_err("a body beside");
        assert_eq!((beside.pos.line, beside.pos.col), (7, 13));
        assert!(
            beside.message.contains("keep the status in a field"),
            "{}",
            beside.message
        );
        let unlocated =
            parse("product: P\nkinds:\n  adr:\n    schema: s.json\n    status: \"## Status\"\n")
                .expect_err("no files");
        assert!(
            unlocated.message.contains("needs `files:`"),
            "{}",
            unlocated.message
        );
    }

    #[test]
    fn unknown_key_names_the_nearest() {
        let e = parse("product: X\npathz: [plans]\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(2, 1));
        assert_eq!(
            e.message,
            "unknown key `pathz` in northstar.yaml, did you mean `paths`?"
        );
    }

    #[test]
    fn reads_rules_with_options() {
        let c = parse("product: X\nrules:\n  stale: { level: error, days: 10 }\n  orphan: off\n")
            .unwrap();
        assert_eq!(c.stale_days(), 10);
        assert_eq!(c.rules["orphan"].level, Some(RuleLevel::Off));
        assert_eq!(c.site.title, "X plans");
    }

    #[test]
    fn schema_paths_stay_inside_the_repository() {
        for bad in [
            "/etc/passwd",
            "../x.json",
            "a/../../x.json",
            "C:/x.json",
            "\\\\host\\x",
        ] {
            let text = format!("product: P\nkinds:\n  thing:\n    schema: '{bad}'\n");
            let e = parse(&text).expect_err(bad);
            assert_eq!((e.pos.line, e.pos.col), (4, 13), "{bad}");
            assert!(e.message.contains("relative path"), "{e}");
        }
        let ok = parse("product: P\nkinds:\n  thing:\n    schema: schema/thing.json\n");
        assert!(ok.is_ok());
    }

    #[test]
    fn missing_product_is_an_error() {
        assert!(
            parse("paths: [a]\n")
                .unwrap_err()
                .message
                .contains("product")
        );
    }
}
