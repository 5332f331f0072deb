//! The schema pass: a raw document becomes a typed [`Document`], and every
//! schema violation a diagnostic at the offending key or value.

use super::stem;
use crate::config::Config;
use crate::diag::{Diagnostic, Pos, nearest};
use crate::parse::document::RawDoc;
use crate::parse::markdown;
use crate::plan::{Body, Document};
use crate::rules::Rule;
use crate::schema::typing::{Spans, to_json};
use crate::schema::{Registry, Violation};
use serde_json::Value;

pub use crate::parse::valid_id;

/// Whether `id` would give its document the address of another page:
/// `<kind>/index.html` is the list of the kind's documents, and a document
/// called `index` would silently replace it. Compared ignoring case, as
/// the file systems of macOS and Windows compare names (`Index` is the
/// same file there).
pub fn reserved_id(id: &str) -> bool {
    id.eq_ignore_ascii_case("index")
}

/// Where an id problem points: the `id:` value, or the file's start when
/// the id comes from the file's name.
fn id_pos(data: &Value, spans: &Spans) -> Pos {
    if data.get("id").is_some() {
        spans.value("/id")
    } else {
        Pos::start()
    }
}

/// Dotted field path of a JSON pointer, for messages (`rice.impact`).
fn dotted(ptr: &str) -> String {
    ptr.trim_start_matches('/')
        .replace('/', ".")
        .replace("~1", "/")
        .replace("~0", "~")
}

/// Fills an id template of a kind by location: `{stem}`, `{dir}`, `{field:NAME}`.
fn location_id(template: &str, file: &str, data: &Value) -> Option<String> {
    let dir = file.rsplit('/').nth(1).unwrap_or("");
    if let Some(field) = template
        .strip_prefix("{field:")
        .and_then(|t| t.strip_suffix('}'))
    {
        return data.get(field).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    }
    Some(template.replace("{stem}", stem(file)).replace("{dir}", dir))
}

/// The title of a document titled by its first level-1 heading that has
/// none (Rust's RFCs open with `## Summary`): its file's name made
/// readable, as GitHub and mdBook show such a file by its name. The
/// leading number and separators go, the others become spaces:
/// `text/0019-opt-in-builtin-traits.md` is "Opt in builtin traits". A
/// body file named `README` or `index` stands for its folder. A name of
/// nothing but a number stays as it is.
fn title_from_file(file: &str) -> String {
    let mut name = stem(file);
    if name.eq_ignore_ascii_case("readme") || name.eq_ignore_ascii_case("index") {
        name = file.rsplit('/').nth(1).unwrap_or(name);
    }
    let words = name
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if words.is_empty() {
        name.to_string()
    } else {
        crate::config::capitalised(&words)
    }
}

/// What every reader of a raw document needs: its kind, its fields typed by
/// that kind's schema, their positions, and its id. Shared by the checker
/// and the history reader, so both see the same document.
pub struct Identity {
    /// The kind's name.
    pub kind: String,
    /// Fields typed by the kind's schema.
    pub data: Value,
    /// Positions of the fields.
    pub spans: Spans,
    /// The id (from `id:`, the location template, or a Markdown file's stem).
    pub id: Option<String>,
    /// Numbers beyond [`NUMBER_LIMIT`], by JSON pointer, as written: each
    /// is null in `data`, so no reader computes with it.
    pub out_of_range: Vec<(String, String)>,
    /// The id the kind's location template gives, where the document
    /// writes another: the written one is used, and `kind-location` says so.
    pub template_id: Option<String>,
}

/// The largest magnitude a number in a document may have. Plans count
/// users, money and percentages; anything beyond this is a typo or an
/// attack, and arithmetic on it (a chart's range, a RICE product, a sum of
/// counts) overflows to infinity or past `i64`. Far above any real figure,
/// and still exact in an `f64` to the unit.
pub const NUMBER_LIMIT: f64 = 1e15;

/// Replaces every number in `value` beyond [`NUMBER_LIMIT`] by null, and
/// appends its pointer and text to `out`.
fn bound_numbers(value: &mut Value, ptr: &mut String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Number(n)
            if !n
                .as_f64()
                .is_some_and(|f| f.is_finite() && f.abs() <= NUMBER_LIMIT) =>
        {
            out.push((ptr.clone(), n.to_string()));
            *value = Value::Null;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                bound_numbers(item, ptr, out);
                ptr.truncate(len);
            }
        }
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&crate::schema::typing::escape(name));
                bound_numbers(member, ptr, out);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

/// Reads kind, fields and id of a raw document; None without a kind.
pub fn identify(raw: &RawDoc, registry: &Registry, config: &Config) -> Option<Identity> {
    let file = raw.file.as_str();
    let kind_name = match (&raw.kind, raw.node.get("kind")) {
        (Some(k), _) => k.clone(),
        (None, Some((_, v))) if v.as_str().is_some_and(|s| !s.is_empty()) => {
            v.as_str().unwrap_or("").to_string()
        }
        _ => return None,
    };
    let kind = registry.get(&kind_name);
    let mut spans = Spans::default();
    let mut data = to_json(&raw.node, kind.map(|k| &k.typing), &mut spans);
    let mut out_of_range = Vec::new();
    bound_numbers(&mut data, &mut String::new(), &mut out_of_range);
    let mut template_id = None;
    // A kind published as a whole: its documents are public unless one
    // says otherwise.
    if config.kinds.get(&kind_name).is_some_and(|k| k.public)
        && let Value::Object(obj) = &mut data
    {
        obj.entry("visibility")
            .or_insert_with(|| Value::String("public".into()));
    }
    let located = raw.kind.as_ref().and_then(|k| config.kinds.get(k));
    if let (Some(loc), Value::Object(obj)) = (located, &mut data) {
        obj.entry("kind")
            .or_insert_with(|| Value::String(kind_name.clone()));
        if loc.title.as_deref() == Some("#") && !obj.contains_key("title") {
            let heading = raw
                .body
                .as_ref()
                .and_then(|(text, _, _)| markdown::title_heading(text));
            // Named by its file only when the body is in it: a body in a
            // file beside (`body: README.md`) is not the document's file,
            // and history does not read it.
            let title = heading.or_else(|| loc.body.is_none().then(|| title_from_file(file)));
            if let Some(title) = title {
                obj.insert("title".into(), Value::String(title));
            }
        }
        // A status kept in a section (`status: "## Status"`), where front
        // matter gives none.
        if let Some(section) = &loc.status_section
            && !obj.contains_key("status")
            && let Some((text, first_line, _)) = &raw.body
            && let Some((status, line)) = markdown::section_status(text, section)
        {
            obj.insert("status".into(), Value::String(status));
            // Diagnostics about it point at the line it was read from.
            let line = first_line.saturating_add(u32::try_from(line).unwrap_or(u32::MAX));
            spans.set_value("/status", Pos::new(line, 1));
        }
        if let Some(title_field) = &loc.title
            && title_field != "title"
            && let Some(t) = obj.get(title_field.as_str()).cloned()
        {
            obj.entry("title").or_insert(t);
        }
        if let Some(id) = loc
            .id
            .as_deref()
            .and_then(|t| location_id(t, file, &Value::Object(obj.clone())))
        {
            match obj.get("id") {
                Some(Value::String(own)) if *own != id => template_id = Some(id),
                Some(_) => {}
                None => {
                    obj.insert("id".into(), Value::String(id));
                }
            }
        }
    }
    let id = match data.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ if raw.markdown => Some(stem(file).to_string()),
        _ => None,
    };
    Some(Identity {
        kind: kind_name,
        data,
        spans,
        id,
        out_of_range,
        template_id,
    })
}

/// Types and validates one raw document. Returns no document only when its
/// kind is absent (nothing can be said about it then).
pub(super) fn build(
    raw: &RawDoc,
    registry: &Registry,
    config: &Config,
) -> (Option<Document>, Vec<Diagnostic>) {
    let file = raw.file.as_str();
    let Some(identity) = identify(raw, registry, config) else {
        let d = Diagnostic::new(
            Rule::Schema,
            file,
            raw.node.pos,
            "missing required field `kind`",
        )
        .note(format!("known kinds: {}", registry.names().join(", ")));
        return (None, vec![d]);
    };
    let mut diags = Vec::new();
    let kind_pos = identity.spans.key("/kind").unwrap_or(raw.node.pos);
    located_and_range(file, &identity, &mut diags);
    let id = checked_id(raw, &identity, kind_pos, &mut diags);
    validate(file, registry, &identity, &id, kind_pos, &mut diags);
    let Identity {
        kind: kind_name,
        data,
        spans,
        ..
    } = identity;
    let title = data
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(&id)
        .to_string();
    let body = raw.body.as_ref().map(|(text, first_line, body_file)| Body {
        info: markdown::scan(text, *first_line),
        text: text.clone(),
        first_line: *first_line,
        file: body_file.clone(),
    });
    let doc = Document {
        id,
        kind: kind_name,
        title,
        file: file.to_string(),
        data,
        spans,
        pos: raw.node.pos,
        body,
    };
    (Some(doc), diags)
}

/// What identifying a document found before any schema: an `id:` that
/// differs from its kind's id template, and numbers out of range.
fn located_and_range(file: &str, identity: &Identity, diags: &mut Vec<Diagnostic>) {
    let Identity {
        kind,
        spans,
        id,
        out_of_range,
        template_id,
        ..
    } = identity;
    if let (Some(template), Some(own)) = (template_id, id) {
        diags.push(
            Diagnostic::new(
                Rule::KindLocation,
                file,
                spans.value("/id"),
                format!("`id: {own}` differs from `{template}`, which the `id` template of kind `{kind}` gives"),
            )
            .note("the id written in the document is used"),
        );
    }
    for (ptr, text) in out_of_range {
        diags.push(
            Diagnostic::new(
                Rule::Schema,
                file,
                spans.value(ptr),
                format!("`{}`: {text} is out of range", dotted(ptr)),
            )
            .note(format!(
                "numbers in a plan are limited to ±{NUMBER_LIMIT:e}; this one is left out"
            )),
        );
    }
}

/// The document's id, said to be invalid, reserved or missing where it
/// is; a missing one is replaced by the file and index, so the document
/// still has a key in the plan.
fn checked_id(
    raw: &RawDoc,
    identity: &Identity,
    kind_pos: Pos,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let file = raw.file.as_str();
    let Identity {
        kind: kind_name,
        data,
        spans,
        ..
    } = identity;
    let Some(id) = identity.id.clone() else {
        diags.push(
            Diagnostic::new(Rule::Schema, file, kind_pos, "missing required field `id`")
                .note("a document in a YAML file needs an `id`"),
        );
        return format!("{}#{}", file, raw.index);
    };
    if !valid_id(&id) {
        let pos = id_pos(data, spans);
        diags.push(
            Diagnostic::new(Rule::InvalidId, file, pos, format!("invalid id `{id}`"))
                .note("ids start with a letter or digit and use only letters, digits, `.`, `_` and `-` (at most 128)"),
        );
    } else if reserved_id(&id) {
        diags.push(
            Diagnostic::new(Rule::InvalidId, file, id_pos(data, spans), format!("reserved id `{id}`"))
                .note(format!("`{kind_name}/index.html` is the list of every {kind_name}: a document with this id would replace it"))
                .suggest("give the document another id"),
        );
    }
    id
}

/// Validates the typed fields by the kind's schemas. A number out of range (null now,
/// already reported) and a string id that breaks the id pattern (already
/// `invalid-id`) are not said twice: one problem, one diagnostic.
fn validate(
    file: &str,
    registry: &Registry,
    identity: &Identity,
    id: &str,
    kind_pos: Pos,
    diags: &mut Vec<Diagnostic>,
) {
    let Identity {
        kind: kind_name,
        data,
        spans,
        out_of_range,
        ..
    } = identity;
    let Some(kind) = registry.get(kind_name) else {
        let mut d = Diagnostic::new(
            Rule::UnknownKind,
            file,
            spans.value("/kind"),
            format!("unknown kind `{kind_name}`"),
        );
        match nearest(kind_name, registry.names()) {
            Some(near) => d = d.suggest(format!("did you mean `{near}`?")),
            None => d = d.note(format!("known kinds: {}", registry.names().join(", "))),
        }
        diags.push(d);
        return;
    };
    for (ptr, violation, because) in kind.validate(data) {
        if out_of_range.iter().any(|(p, _)| *p == ptr) {
            continue;
        }
        if ptr == "/id"
            && matches!(violation, Violation::Invalid(_))
            && data.get("id").is_some_and(Value::is_string)
            && !valid_id(id)
        {
            continue;
        }
        let d = violation_diag(file, spans, kind_pos, kind, &ptr, violation);
        diags.push(match because {
            Some(when) => d.note(format!("the schema asks for this {when}")),
            None => d,
        });
    }
}

/// Most allowed values a diagnostic lists in full.
const LISTED_VALUES: usize = 12;

/// A value the schema's `enum` does not allow: the values it does (all of
/// them up to [`LISTED_VALUES`]) and the one meant, found ignoring case
/// and separators first (`Planned`, `inprogress`), then by edit distance
/// (`in progres`).
fn not_allowed(
    file: &str,
    pos: Pos,
    field: &str,
    value: &Value,
    allowed: &[Value],
    description: Option<&str>,
) -> Diagnostic {
    let shown = |v: &Value| match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    };
    let written = shown(value);
    let message = if field.is_empty() {
        format!("{written} is not an allowed value")
    } else {
        format!("{written} is not an allowed `{field}`")
    };
    let mut d = Diagnostic::new(Rule::Schema, file, pos, message);
    let names: Vec<String> = allowed.iter().map(shown).collect();
    d = if names.len() <= LISTED_VALUES {
        d.note(format!("allowed: {}", names.join(", ")))
    } else {
        d.note(format!(
            "allowed: {}, and {} more",
            names[..LISTED_VALUES].join(", "),
            names.len() - LISTED_VALUES
        ))
    };
    if let Some(description) = description {
        d = d.note(description.trim_end_matches('.').to_string());
    }
    // A word the description gives a value ("3 massive, 2 high"): `high`
    // means `2`.
    if let (Some(text), Some(description)) = (value.as_str(), description) {
        let said = description.to_lowercase();
        let text = text.trim().to_lowercase();
        let meant = allowed.iter().find(|a| {
            let a = match a {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string(),
            };
            !text.is_empty()
                && said.match_indices(&format!("{a} {text}")).any(|(i, m)| {
                    let before = said[..i].chars().next_back();
                    let after = said[i + m.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '.')
                        && !after.is_some_and(char::is_alphanumeric)
                })
        });
        if let Some(meant) = meant {
            return d.suggest(format!("did you mean {}?", shown(meant)));
        }
    }
    if let Some(text) = value.as_str().or(value.as_bool().map(|_| "")) {
        let fold = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let strings: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
        let near = strings
            .iter()
            .find(|a| !text.is_empty() && fold(a) == fold(text))
            .copied()
            .or_else(|| nearest(text, strings.iter().copied()));
        if let Some(near) = near {
            d = d.suggest(format!("did you mean `{near}`?"));
        }
    }
    d
}

fn violation_diag(
    file: &str,
    spans: &Spans,
    kind_pos: Pos,
    kind: &crate::schema::Kind,
    ptr: &str,
    violation: Violation,
) -> Diagnostic {
    match violation {
        Violation::Missing(field) => {
            let pos = if ptr.is_empty() {
                kind_pos
            } else {
                spans.key(ptr).unwrap_or_else(|| spans.value(ptr))
            };
            let path = if ptr.is_empty() {
                field
            } else {
                format!("{}.{field}", dotted(ptr))
            };
            Diagnostic::new(
                Rule::Schema,
                file,
                pos,
                format!("missing required field `{path}`"),
            )
        }
        Violation::Unknown(field) => {
            let pos = spans.key(ptr).unwrap_or_else(|| spans.value(ptr));
            let parent = &ptr[..ptr.rfind('/').unwrap_or(0)];
            let mut d = Diagnostic::new(
                Rule::Schema,
                file,
                pos,
                format!("unknown field `{}`", dotted(ptr)),
            );
            if let Some(near) = kind.nearest_field(&field, parent) {
                d = d.suggest(format!("did you mean `{near}`?"));
            }
            d
        }
        Violation::NotAllowed {
            value,
            allowed,
            description,
        } => not_allowed(
            file,
            spans.value(ptr),
            &dotted(ptr),
            &value,
            &allowed,
            description.as_deref(),
        ),
        Violation::Invalid(message) => {
            let pos = spans.value(ptr);
            let field = dotted(ptr);
            let message = if field.is_empty() {
                message
            } else {
                format!("`{field}`: {message}")
            };
            Diagnostic::new(Rule::Schema, file, pos, message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_a_level_1_heading_is_titled_by_its_file_name() {
        for (file, title) in [
            (
                "text/0019-opt-in-builtin-traits.md",
                "Opt in builtin traits",
            ),
            (
                "text/3519-arbitrary_self_types-v2.md",
                "Arbitrary self types v2",
            ),
            ("docs/design/cache-layout/README.md", "Cache layout"),
            ("docs/adr/0001.md", "0001"),
            ("ünïcode-first.md", "Ünïcode first"),
        ] {
            assert_eq!(title_from_file(file), title, "{file}");
        }
    }
}
