//! `northstar new KIND TITLE`: a new document from its kind's template,
//! with a free id, in the kind's conventional folder.
//!
//! Built-in kinds have hand-written templates (a feature is a PRD with the
//! required sections); a user-defined kind's front matter is generated from
//! its schema: every required field gets a placeholder of the right type.
//! The helpers here (ids, folders, YAML scalars) are shared with `init`.

use crate::check::documents::{reserved_id, valid_id};
use crate::project::{Open, Project};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The kind (`feature`, `decision`, a user-defined kind, …).
    pub kind: String,
    /// The document's title.
    pub title: String,
    /// The id (default: derived from the title, made unique).
    #[arg(long)]
    pub id: Option<String>,
}

/// Longest id derived from a title (before a `-2` suffix).
const SLUG_MAX: usize = 60;

/// An id from a title: lowercase, every run of other characters than ASCII
/// letters and digits a single `-`, trimmed, at most [`SLUG_MAX`] chars.
pub(super) fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(SLUG_MAX);
    out.trim_end_matches('-').to_string()
}

/// The folder documents of a kind conventionally live in, under the first
/// of the config's `paths` (empty: that folder itself, for the product).
pub(super) fn kind_folder(kind: &str) -> String {
    match kind {
        "product" => String::new(),
        "strategy" => "strategy".into(),
        "person" => "people".into(),
        _ => crate::numbers::plural(kind),
    }
}

/// A string as a YAML scalar: plain when that is unambiguous, otherwise
/// double-quoted (JSON's escapes are YAML's).
pub(super) fn yaml_str(s: &str) -> String {
    let plain_chars = s
        .chars()
        .all(|c| c.is_alphanumeric() || " -_.,()'/&+?!%".contains(c));
    let first_ok = s.chars().next().is_some_and(char::is_alphanumeric);
    let lower = s.to_ascii_lowercase();
    let special = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    ) || s.parse::<f64>().is_ok();
    if plain_chars && first_ok && !special && s.trim_end() == s {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.escape_default()))
    }
}

/// What a template may fill in.
struct Ctx {
    /// "Today" as a day number.
    today: i64,
    /// The first id of each kind in the plans, for required references.
    first: BTreeMap<String, String>,
}

impl Ctx {
    fn first_of(&self, kind: &str) -> String {
        self.first
            .get(kind)
            .cloned()
            .unwrap_or_else(|| "TODO".to_string())
    }
}

/// The front matter of a built-in kind, after `kind:` and `title:`.
fn builtin_fields(kind: &str, ctx: &Ctx) -> Option<String> {
    let today = crate::dates::format(ctx.today);
    let year = crate::dates::civil_from_days(ctx.today).0;
    let text = match kind {
        "product" => "vision: \"TODO: one sentence: for whom, and what changes for them\"\n\
             problem: \"TODO: the problem the product solves\"\n\
             # target_segments: [<segment id>]\n\
             # north_star: <metric id>\n"
            .to_string(),
        "strategy" => format!(
            "period: {year}\n\
             pillars:\n  - title: TODO\n    description: \"TODO: what it means and why it matters\"\n"
        ),
        "objective" => format!(
            "strategy: {}\n\
             period: {year}\n\
             key_results:\n  - title: TODO\n    # metric: <metric id>\n    baseline: 0\n    target: 1\n\
             # status: on-track\n",
            ctx.first_of("strategy")
        ),
        "metric" => "unit: TODO\n\
             direction: increase\n\
             # current: 0\n\
             # target: 0\n\
             # source: where the number comes from\n"
            .to_string(),
        "feature" => "status: idea\n\
             # owner: <person id>\n\
             # team: <team id>\n\
             # milestone: <milestone id>\n\
             # horizon: later\n\
             # objectives: [<objective id>]\n\
             # depends_on: [<feature id>]\n\
             # segments: [<segment id>]\n\
             # rice: {reach: 0, impact: 1, confidence: 0.5, effort: 1}\n"
            .to_string(),
        "milestone" => format!(
            "date: {}\n\
             status: planned\n\
             # launch:\n#   segments: [<segment id>]\n#   channels: [blog, email]\n",
            crate::dates::format(ctx.today + 90)
        ),
        "team" => "function: product\n\
             # lead: <person id>\n\
             # members: [<person id>]\n"
            .to_string(),
        "person" => "role: TODO\n# email: name@example.com\n".to_string(),
        "segment" => "description: TODO\n# size: 0\n# needs: []\n".to_string(),
        "insight" => format!(
            "source: interview\n\
             date: {today}\n\
             # customer: TODO\n\
             # count: 1\n\
             # segments: [<segment id>]\n\
             # features: [<feature id>]\n"
        ),
        "decision" => format!(
            "date: {today}\n\
             status: proposed\n\
             # supersedes: <decision id>\n\
             # features: [<feature id>]\n"
        ),
        _ => return None,
    };
    Some(text)
}

/// The body of a new document: an opening line and the sections the kind
/// needs (a feature's PRD sections, with what goes in each).
fn body(kind: &str, sections: &[String]) -> String {
    let intro = match kind {
        "feature" => "One paragraph: what this feature is, for whom, and why now.",
        "decision" => "The decision in one sentence.",
        "insight" => "What we heard or measured, in the customers' words where possible.",
        "product" => "The vision in a paragraph.",
        _ => "TODO: describe it here.",
    };
    let mut out = format!("\n{intro}\n");
    let mut wanted: Vec<(String, &str)> = sections.iter().map(|s| (s.clone(), "TODO.")).collect();
    if kind == "decision" {
        for s in ["Context", "Decision", "Consequences"] {
            wanted.push((s.to_string(), "TODO."));
        }
    }
    let mut seen = BTreeSet::new();
    for (name, _) in &wanted {
        if !seen.insert(name.to_lowercase()) {
            continue;
        }
        let hint = match name.to_lowercase().as_str() {
            "problem" => "Who has the problem, how it shows, and the evidence (insights, metrics).",
            "goals" => "What success looks like, measurably.",
            "non-goals" => "What this feature deliberately does not do.",
            "requirements" => "| # | Requirement | Priority |\n|---|---|---|\n| R1 | TODO | Must |",
            "context" => "What forces the decision, and the options considered.",
            "decision" => "What was decided, and why.",
            "consequences" => "What changes because of it, good and bad.",
            _ => "TODO.",
        };
        out.push_str(&format!("\n## {name}\n\n{hint}\n"));
    }
    out
}

/// A placeholder value for a schema: the first candidate the schema accepts.
/// `root` is the kind's whole schema, for local `$ref`s (`#/$defs/…`).
fn placeholder(schema: &Value, root: &Value, ctx: &Ctx, depth: usize) -> Value {
    if depth > 20 {
        return Value::Null;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|ptr| root.pointer(ptr))
    {
        return placeholder(target, root, ctx, depth + 1);
    }
    if let Some(v) = schema.get("const") {
        return v.clone();
    }
    if let Some(v) = schema.get("default") {
        return v.clone();
    }
    if let Some(Value::Array(values)) = schema.get("enum")
        && let Some(first) = values.first()
    {
        return first.clone();
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(key)
            && let Some(first) = branches.first()
        {
            return placeholder(first, root, ctx, depth + 1);
        }
    }
    if let Some(kind) = schema.get("x-ref").and_then(Value::as_str) {
        return Value::String(ctx.first_of(kind));
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.first().and_then(Value::as_str).unwrap_or("string"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("items").is_some() => "array",
        _ => "string",
    };
    let today = crate::dates::format(ctx.today);
    let candidates: Vec<Value> = match ty {
        "object" => {
            let mut obj = Map::new();
            let props = schema.get("properties");
            for name in required(schema) {
                let sub = props.and_then(|p| p.get(&name)).unwrap_or(&Value::Null);
                obj.insert(name, placeholder(sub, root, ctx, depth + 1));
            }
            return Value::Object(obj);
        }
        "array" => {
            let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let items = schema.get("items").unwrap_or(&Value::Null);
            let item = placeholder(items, root, ctx, depth + 1);
            return Value::Array(vec![item; n.min(10) as usize]);
        }
        "boolean" => return Value::Bool(false),
        "null" => return Value::Null,
        "number" | "integer" => {
            let mut c = vec![Value::from(0), Value::from(1)];
            for key in ["minimum", "maximum"] {
                if let Some(n) = schema.get(key) {
                    c.push(n.clone());
                }
            }
            if let Some(n) = schema.get("exclusiveMinimum").and_then(Value::as_f64) {
                c.push(Value::from(n.floor() as i64 + 1));
            }
            c
        }
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("date") => vec![Value::String(today)],
            Some("date-time") => vec![Value::String(format!("{today}T00:00:00Z"))],
            Some("email") => vec![Value::String("name@example.com".into())],
            Some("uri" | "url" | "iri") => vec![Value::String("https://example.com/".into())],
            _ => {
                let year = crate::dates::civil_from_days(ctx.today).0.to_string();
                ["TODO", &year, &today, "todo", "TODO-1", "0"]
                    .iter()
                    .map(|s| Value::String(s.to_string()))
                    .collect()
            }
        },
    };
    let fallback = candidates.first().cloned().unwrap_or(Value::Null);
    let Ok(v) = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
    else {
        return fallback;
    };
    candidates
        .into_iter()
        .find(|c| v.is_valid(c))
        .unwrap_or(fallback)
}

/// The `required` names of an object schema.
fn required(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON value as YAML lines at `indent`, after `key:`.
fn emit(out: &mut String, key: &str, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(o) if !o.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for (k, v) in o {
                emit(out, &yaml_str(k), v, indent + 2);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(&format!("{pad}{key}:\n"));
            for item in a {
                emit_item(out, item, indent + 2);
            }
        }
        _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(value))),
    }
}

/// One item of a block sequence at `indent`.
fn emit_item(out: &mut String, item: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match item {
        Value::Object(o) if !o.is_empty() => {
            let mut inner = String::new();
            for (k, v) in o {
                emit(&mut inner, &yaml_str(k), v, indent + 2);
            }
            // The first key goes on the dash's line, aligned with the rest.
            out.push_str(&format!(
                "{pad}- {}",
                inner.get(indent + 2..).unwrap_or(&inner)
            ));
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str(&format!("{pad}-\n"));
            for sub in a {
                emit_item(out, sub, indent + 2);
            }
        }
        _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
    }
}

/// A scalar (or empty collection) in flow style.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => yaml_str(s),
        Value::Null => "null".into(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

/// Front matter fields generated from a schema: every required property
/// not in `skip`, with a comment line from its description.
fn generated_fields(schema: &Value, skip: &BTreeSet<&str>, ctx: &Ctx) -> String {
    let mut out = String::new();
    let props = schema.get("properties");
    for name in required(schema) {
        if skip.contains(name.as_str()) {
            continue;
        }
        let sub = props.and_then(|p| p.get(&name)).unwrap_or(&Value::Null);
        if let Some(d) = sub.get("description").and_then(Value::as_str)
            && let Some(line) = d.lines().next().filter(|l| !l.trim().is_empty())
        {
            out.push_str(&format!("# {}\n", line.trim()));
        }
        emit(
            &mut out,
            &yaml_str(&name),
            &placeholder(sub, schema, ctx, 0),
            0,
        );
    }
    out
}

/// Fields every kind has: never generated, never listed as optional.
const COMMON_FIELDS: &[&str] = &[
    "kind",
    "id",
    "title",
    "owner",
    "tags",
    "links",
    "summary",
    "visibility",
    "suppress",
];

/// The whole text of a new document. A kind by location needs no
/// `kind:` (its place says it), and takes its title where its `title`
/// setting reads it: a field, or the body's first heading.
fn document(project: &Project, kind: &str, title: &str, ctx: &Ctx) -> String {
    let located = project.config.kinds.get(kind).filter(|k| k.files.is_some());
    let title_from = located.and_then(|k| k.title.as_deref()).unwrap_or("title");
    let mut fm = match located {
        None => format!("kind: {kind}\ntitle: {}\n", yaml_str(title)),
        Some(_) if title_from == "#" => String::new(),
        Some(_) => format!("{}: {}\n", yaml_str(title_from), yaml_str(title)),
    };
    // Required fields are generated even when common (a tightening may
    // require `owner`); only these three are always written above.
    let mut skip: BTreeSet<&str> = ["kind", "id", "title", title_from].into_iter().collect();
    match builtin_fields(kind, ctx) {
        Some(text) => {
            // A tightening schema (`kinds: {feature: {schema: …}}`) may
            // require more than the built-in template holds.
            let present: BTreeSet<String> = text
                .lines()
                .filter(|l| !l.starts_with([' ', '#', '-']))
                .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
                .collect();
            fm.push_str(&text);
            if let Some(extra) = project
                .tree
                .schemas
                .get(kind)
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
            {
                // Its required fields, typed by its own declaration or
                // else by the built-in one.
                let mut props = project
                    .registry
                    .get(kind)
                    .and_then(|k| k.typing.get("properties"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                if let Some(own) = extra.get("properties").and_then(Value::as_object) {
                    props.extend(own.clone());
                }
                let mut merged = extra;
                if let Value::Object(m) = &mut merged {
                    m.insert("properties".into(), Value::Object(props));
                }
                skip.extend(present.iter().map(String::as_str));
                fm.push_str(&generated_fields(&merged, &skip, ctx));
            }
        }
        None => {
            if let Some(k) = project.registry.get(kind) {
                fm.push_str(&generated_fields(&k.typing, &skip, ctx));
                let req: BTreeSet<String> = required(&k.typing).into_iter().collect();
                let optional: Vec<&str> = k
                    .fields
                    .iter()
                    .map(String::as_str)
                    .filter(|f| !COMMON_FIELDS.contains(f) && !req.contains(*f))
                    .collect();
                if !optional.is_empty() {
                    fm.push_str(&format!("# optional: {}\n", optional.join(", ")));
                }
            }
        }
    }
    // A kind whose statuses map onto the lifecycle starts at the earliest:
    // in its status section where it reads the status from one.
    let mut status_section = String::new();
    if let Some(k) = located {
        let field = project.config.status_field(kind);
        let earliest = k.lifecycle.iter().min_by_key(|(_, to)| {
            crate::config::LIFECYCLE
                .iter()
                .position(|l| l == to)
                .unwrap_or(usize::MAX)
        });
        if let (Some((value, _)), Some(section)) = (earliest, &k.status_section) {
            let word = crate::config::capitalised(value);
            status_section = format!("\n## {section}\n\n{word}\n");
        } else if let Some((value, _)) = earliest
            && !fm.lines().any(|l| l.starts_with(&format!("{field}:")))
        {
            fm.push_str(&format!("{}: {}\n", yaml_str(field), yaml_str(value)));
        }
    }
    if fm.lines().all(|l| l.starts_with('#')) {
        // Only a comment: nothing for a front matter to hold.
        fm.clear();
    }
    let sections = project.config.required_sections(kind);
    let heading = if located.is_some() && title_from == "#" {
        format!("\n# {title}\n")
    } else {
        String::new()
    };
    let body = format!("{heading}{}{status_section}", body(kind, &sections));
    if fm.is_empty() {
        body.trim_start().to_string()
    } else {
        format!("---\n{fm}---\n{body}")
    }
}

/// Where a kind by location's `files` pattern expects a new document: a
/// folder and an extension for `DIR/*.EXT`, numbered (`NNNN-slug`, after
/// the highest number there) for `DIR/[0-9]*.EXT`. None for any other
/// pattern (`keps/**/kep.yaml`), whose place `new` cannot tell.
fn located_place(pattern: &str) -> Option<(String, bool, String)> {
    let (dir, file) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    let glob = |s: &str| s.contains(['*', '?', '[', '{']);
    if glob(dir) {
        return None;
    }
    let (numbered, ext) = match file.strip_prefix("[0-9]*.") {
        Some(ext) => (true, ext),
        None => (false, file.strip_prefix("*.")?),
    };
    if glob(ext) || !matches!(ext, "md" | "markdown") {
        return None;
    }
    Some((dir.to_string(), numbered, ext.to_string()))
}

/// The next number in a folder of numbered files (`0042-x.md` → 43),
/// written with as many digits as the widest there (at least four).
fn next_number(folder: &Path) -> String {
    let mut highest = 0u64;
    let mut width = 4;
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<u64>() {
            highest = highest.max(n);
            width = width.max(digits.len());
        }
    }
    format!("{:0width$}", highest + 1)
}

/// Ids in use, lowercased (two ids may not differ only in case): every
/// document's, and every scanned file's stem (a file that failed to parse
/// may still claim its id).
fn taken_ids(project: &Project, compiled: &crate::check::Compiled) -> BTreeSet<String> {
    let mut taken: BTreeSet<String> = compiled
        .plan
        .docs
        .iter()
        .map(|d| d.id.to_lowercase())
        .collect();
    for f in &project.tree.files {
        taken.insert(crate::check::stem(&f.path).to_lowercase());
    }
    taken
}

/// The folder new documents go under: the first of `paths`, or the root.
fn base_folder(project: &Project) -> PathBuf {
    let first = project
        .config
        .paths
        .first()
        .map(|p| p.trim_end_matches('/').trim_start_matches("./"))
        .unwrap_or("");
    if first.is_empty() || first == "." {
        project.root.clone()
    } else {
        project.root.join(first)
    }
}

/// `path` relative to the current folder when it is inside it.
fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok())
        .and_then(|c| path.strip_prefix(&c).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
}

/// Where a new document of `kind` goes: its folder, the prefix of its
/// file name (the next number, where the kind's files are numbered) and
/// its extension. A kind by location goes where its `files` pattern
/// looks.
fn place(project: &Project, kind: &str) -> Result<(PathBuf, String, String), String> {
    let Some(pattern) = project
        .config
        .kinds
        .get(kind)
        .and_then(|k| k.files.as_deref())
    else {
        return Ok((
            base_folder(project).join(kind_folder(kind)),
            String::new(),
            "md".to_string(),
        ));
    };
    let Some((dir, numbered, ext)) = located_place(pattern) else {
        return Err(format!(
            "kind `{kind}` is found by `files: {pattern}`, which does not say where a new one goes: `new` writes only where a pattern like `dir/*.md` or `dir/[0-9]*.md` points; create the file by hand"
        ));
    };
    let folder = project.root.join(dir);
    let prefix = if numbered {
        format!("{}-", next_number(&folder))
    } else {
        String::new()
    };
    Ok((folder, prefix, ext))
}

/// The id of the new document: the one asked for, if it is valid and
/// free; else a slug of its title, numbered past ids and files taken.
fn new_id(
    args: &Args,
    title: &str,
    taken: &BTreeSet<String>,
    compiled: &crate::check::Compiled,
    path_of: &dyn Fn(&str) -> PathBuf,
) -> Result<String, String> {
    match args.id.clone() {
        Some(id) => {
            if !valid_id(&id) {
                return Err(format!(
                    "invalid id `{id}`: ids match ^[A-Za-z0-9][A-Za-z0-9._-]{{0,127}}$"
                ));
            }
            if reserved_id(&id) {
                return Err(format!(
                    "reserved id `{id}`: `{}/index.html` is the list of every {}",
                    args.kind, args.kind
                ));
            }
            if taken.contains(&id.to_lowercase()) {
                let same = compiled
                    .plan
                    .docs
                    .iter()
                    .find(|d| d.id.eq_ignore_ascii_case(&id));
                return Err(match same {
                    Some(d) => format!("id `{id}` is taken by `{}` ({})", d.id, d.file),
                    None => format!("id `{id}` is taken"),
                });
            }
            Ok(id)
        }
        None => {
            let mut base = slug(title);
            if base.is_empty() {
                base = args.kind.clone();
            }
            let mut id = base.clone();
            let mut n = 2;
            while taken.contains(&id.to_lowercase()) || reserved_id(&id) || path_of(&id).exists() {
                id = format!("{base}-{n}");
                n += 1;
            }
            Ok(id)
        }
    }
}

/// Runs `new`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let project = Project::open(dir, &Open::default())?;
    if project.registry.get(&args.kind).is_none() {
        let known = project.registry.names().join(", ");
        return Err(format!("unknown kind `{}` (known: {known})", args.kind));
    }
    let title = args.title.trim();
    if title.is_empty() {
        return Err("the title must not be empty".into());
    }
    let compiled = project.compile();
    let taken = taken_ids(&project, &compiled);
    let (folder, prefix, ext) = place(&project, &args.kind)?;
    let path_of = |id: &str| folder.join(format!("{prefix}{id}.{ext}"));
    let id = new_id(&args, title, &taken, &compiled, &path_of)?;
    let today = project.today();
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for d in &compiled.plan.docs {
        first.entry(d.kind.clone()).or_insert_with(|| d.id.clone());
    }
    // A new objective serves the strategy of the current period, if any.
    if let Some(current) = compiled.plan.of_kind("strategy").find(|d| {
        d.str("period")
            .and_then(crate::dates::period_range)
            .is_some_and(|(from, to)| from <= today && today < to)
    }) {
        first.insert("strategy".into(), current.id.clone());
    }
    if args.kind == "product"
        && let Some(p) = compiled.plan.of_kind("product").next()
    {
        eprintln!(
            "warning: the plans already have a product, `{}` ({}); there must be exactly one",
            p.id, p.file
        );
    }
    let ctx = Ctx { today, first };
    let text = document(&project, &args.kind, title, &ctx);
    let path = path_of(&id);
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("refusing to overwrite {}", path.display())
            }
            _ => format!("cannot write {}: {e}", path.display()),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // A closed stdout (`| head`) is not a failure: the file is written.
    let _ = writeln!(std::io::stdout().lock(), "{}", shown(&path).display());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Search v2: the sequel!"), "search-v2-the-sequel");
        assert_eq!(slug("  --Hello__World--  "), "hello-world");
        assert_eq!(slug("Café crème"), "caf-cr-me");
        assert_eq!(slug("!!!"), "");
        let long = slug(&"abcdefghi ".repeat(20));
        assert!(long.len() <= SLUG_MAX && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn ids() {
        assert!(valid_id("a"));
        assert!(valid_id("A.b_c-9"));
        assert!(!valid_id(""));
        assert!(!valid_id("-a"));
        assert!(!valid_id("a b"));
        assert!(!valid_id("a/b"));
        assert!(valid_id(&"a".repeat(128)));
        assert!(!valid_id(&"a".repeat(129)));
        assert!(reserved_id("index") && reserved_id("Index"));
        assert!(!reserved_id("index-2") && !reserved_id("indexes"));
    }

    #[test]
    fn folders() {
        assert_eq!(kind_folder("feature"), "features");
        assert_eq!(kind_folder("person"), "people");
        assert_eq!(kind_folder("strategy"), "strategy");
        assert_eq!(kind_folder("product"), "");
        assert_eq!(kind_folder("experiment"), "experiments");
        assert_eq!(kind_folder("policy"), "policies");
        assert_eq!(kind_folder("survey"), "surveys");
        assert_eq!(kind_folder("hypothesis"), "hypotheses");
        assert_eq!(kind_folder("process"), "processes");
    }

    #[test]
    fn yaml_scalars() {
        assert_eq!(yaml_str("Search v2"), "Search v2");
        assert_eq!(yaml_str("A: B"), "\"A: B\"");
        assert_eq!(yaml_str("no"), "\"no\"");
        assert_eq!(yaml_str("2027"), "\"2027\"");
        assert_eq!(yaml_str("#tag"), "\"#tag\"");
        assert_eq!(yaml_str("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn placeholders_fit_their_schema() {
        let ctx = Ctx {
            today: crate::dates::days_from_civil(2026, 11, 1),
            first: BTreeMap::from([("feature".to_string(), "f1".to_string())]),
        };
        let p = |s: &str| {
            let v: Value = serde_json::from_str(s).expect("json");
            placeholder(&v, &v, &ctx, 0)
        };
        assert_eq!(p(r#"{"type":"string"}"#), "TODO");
        assert_eq!(p(r#"{"type":"number"}"#), 0);
        assert_eq!(p(r#"{"type":"number","exclusiveMinimum":0}"#), 1);
        assert_eq!(p(r#"{"type":"integer","minimum":5}"#), 5);
        assert_eq!(p(r#"{"type":"string","enum":["b","a"]}"#), "b");
        assert_eq!(p(r#"{"type":"string","format":"date"}"#), "2026-11-01");
        assert_eq!(p(r#"{"type":"string","pattern":"^[0-9]{4}$"}"#), "2026");
        assert_eq!(p(r#"{"type":"string","x-ref":"feature"}"#), "f1");
        assert_eq!(p(r#"{"type":"string","x-ref":"team"}"#), "TODO");
        assert_eq!(p(r#"{"type":"array"}"#), serde_json::json!([]));
        assert_eq!(
            p(
                r#"{"type":"array","minItems":1,"items":{"type":"object","required":["a"],"properties":{"a":{"type":"boolean"}}}}"#
            ),
            serde_json::json!([{"a": false}])
        );
    }

    #[test]
    fn emitted_yaml() {
        let mut out = String::new();
        let v = serde_json::json!({"a": 1, "b": [{"c": "x", "d": [1, 2]}], "e": [], "f": ["s"]});
        if let Value::Object(o) = &v {
            for (k, v) in o {
                emit(&mut out, k, v, 0);
            }
        }
        assert_eq!(
            out,
            "a: 1\nb:\n  - c: x\n    d:\n      - 1\n      - 2\ne: []\nf:\n  - s\n"
        );
    }
}
