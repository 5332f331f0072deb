//! YAML nodes to JSON values, typed by the kind's schema
//! (docs/format.md#yaml-typing).
//!
//! YAML's own typing guesses (`title: no` a boolean, `period: 2027` a
//! number); a PM means text. So a plain scalar becomes its source text where
//! the schema expects a string, and is read with the YAML 1.2 core schema
//! elsewhere. A quoted scalar is always a string, so `reach: "5"` is a type
//! error. Every value's position is recorded under its JSON pointer, so
//! schema errors map back to the file.

use crate::diag::Pos;
use crate::parse::yaml::{Node, NodeValue, is_null_text};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Positions of values and keys by JSON pointer (`/rice/impact`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Spans {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl Spans {
    /// Where the value at `ptr` starts, or the nearest enclosing value.
    pub fn value(&self, ptr: &str) -> Pos {
        let mut p = ptr;
        loop {
            if let Some(pos) = self.values.get(p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Pos::start(),
            }
        }
    }

    /// Records where the value at `ptr` was read from, for a value that
    /// is not in the front matter (a status read from a section).
    pub fn set_value(&mut self, ptr: &str, pos: Pos) {
        self.values.insert(ptr.to_string(), pos);
    }

    /// Where the key of the member at `ptr` is, if it is an object member.
    pub fn key(&self, ptr: &str) -> Option<Pos> {
        self.keys.get(ptr).copied()
    }
}

/// Escapes a JSON pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The segment [`escape`] was given.
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Converts `node` under `schema` (None where the schema says nothing).
pub fn to_json(node: &Node, schema: Option<&Value>, spans: &mut Spans) -> Value {
    let mut ptr = String::new();
    convert(node, schema, &mut ptr, spans)
}

fn convert(node: &Node, schema: Option<&Value>, ptr: &mut String, spans: &mut Spans) -> Value {
    spans.values.insert(ptr.clone(), node.pos);
    match &node.value {
        NodeValue::Scalar { text, plain } => {
            if !plain || (expects_only_string(schema) && !is_null_text(text)) {
                Value::String(text.clone())
            } else {
                core_scalar(text)
            }
        }
        NodeValue::Seq(items) => {
            let item_schema = items_of(schema);
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                out.push(convert(item, item_schema, ptr, spans));
                ptr.truncate(len);
            }
            Value::Array(out)
        }
        NodeValue::Map(entries) => {
            let mut out = Map::new();
            for (key, value) in entries {
                let name = key_name(key);
                let sub = member(schema, &name);
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&escape(&name));
                spans.keys.insert(ptr.clone(), key.pos);
                let v = convert(value, sub, ptr, spans);
                ptr.truncate(len);
                out.insert(name, v);
            }
            Value::Object(out)
        }
    }
}

/// The JSON types a schema allows, from `type`, `enum` and `anyOf`/`oneOf`.
fn types(schema: &Value, out: &mut Vec<String>) {
    match schema.get("type") {
        Some(Value::String(t)) => out.push(t.clone()),
        Some(Value::Array(ts)) => {
            out.extend(ts.iter().filter_map(|t| t.as_str().map(String::from)))
        }
        _ => {}
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        for v in values {
            out.push(
                match v {
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    Value::Bool(_) => "boolean",
                    Value::Null => "null",
                    _ => "object",
                }
                .into(),
            );
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(subs)) = schema.get(key) {
            for s in subs {
                types(s, out);
            }
        }
    }
}

/// Where typing `node` under `schema` depended on the schema, into `out`:
/// the place (its keys, escaped as in a JSON pointer, `~i` for a list
/// item) of each plain scalar that the core
/// schema reads as a number or a boolean, and whether the schema made it
/// text there. Everywhere else the schema changes nothing: a quoted
/// scalar is text, and a plain one the core schema reads as text or null
/// reads the same either way. So a document is typed the same under
/// another schema exactly when [`expects_text`] answers the same at each
/// place recorded here; the history cache keeps documents typed and checks
/// this instead of asking for the schema to be unchanged.
pub fn witness(node: &Node, schema: Option<&Value>, out: &mut Vec<(String, bool)>) {
    let mut at = String::new();
    witness_at(node, schema, &mut at, out);
}

fn witness_at(node: &Node, schema: Option<&Value>, at: &mut String, out: &mut Vec<(String, bool)>) {
    match &node.value {
        NodeValue::Scalar { text, plain } => {
            if *plain && matches!(core_scalar(text), Value::Number(_) | Value::Bool(_)) {
                out.push((at.clone(), expects_only_string(schema)));
            }
        }
        NodeValue::Seq(items) => {
            let item_schema = items_of(schema);
            let len = at.len();
            at.push_str(ITEM);
            for item in items {
                witness_at(item, item_schema, at, out);
            }
            at.truncate(len);
        }
        NodeValue::Map(entries) => {
            for (key, value) in entries {
                let name = key_name(key);
                let sub = member(schema, &name);
                let len = at.len();
                at.push('/');
                at.push_str(&escape(&name));
                witness_at(value, sub, at, out);
                at.truncate(len);
            }
        }
    }
}

/// A list item's segment in a [`witness`] place: no escaped key reads
/// `~i` (`escape` writes a key's `~` as `~0`).
const ITEM: &str = "/~i";

/// Whether [`to_json`] makes a plain scalar at `at` (a place [`witness`]
/// recorded) text under `schema`, following the schema as `to_json` does:
/// `properties` for a key, `items` for a list item.
pub fn expects_text(schema: Option<&Value>, at: &str) -> bool {
    let mut schema = schema;
    for seg in at.split('/').skip(1) {
        schema = if seg == &ITEM[1..] {
            items_of(schema)
        } else {
            member(schema, &unescape(seg))
        };
    }
    expects_only_string(schema)
}

/// The schema of a mapping's member `name`, and of a list's items: the one
/// way [`to_json`], [`witness`] and [`expects_text`] walk a schema, which
/// the history cache relies on being the same.
fn member<'s>(schema: Option<&'s Value>, name: &str) -> Option<&'s Value> {
    schema?.get("properties")?.get(name)
}

fn items_of(schema: Option<&Value>) -> Option<&Value> {
    schema?.get("items")
}

/// A mapping key's name as `to_json` looks it up in the schema.
fn key_name(key: &Node) -> String {
    match &key.value {
        NodeValue::Scalar { text, .. } => text.clone(),
        _ => format!(
            "<{} key>",
            if matches!(key.value, NodeValue::Seq(_)) {
                "list"
            } else {
                "mapping"
            }
        ),
    }
}

fn expects_only_string(schema: Option<&Value>) -> bool {
    let Some(schema) = schema else { return false };
    let mut ts = Vec::new();
    types(schema, &mut ts);
    !ts.is_empty() && ts.iter().all(|t| t == "string")
}

/// A plain scalar under the YAML 1.2 core schema.
pub fn core_scalar(text: &str) -> Value {
    if is_null_text(text) {
        return Value::Null;
    }
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = core_int(text) {
        return Value::Number(n.into());
    }
    if is_core_float(text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

fn core_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    None
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mant_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (!a.is_empty() || !b.is_empty())
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    mant_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_stream;
    use serde_json::json;

    /// A document types the same under two schemas exactly when the
    /// schemas answer the same at every place its witness recorded: over
    /// schemas that type its fields in every way (absent, text, number, a
    /// list of text, an object of text), each pair is compared both ways.
    #[test]
    fn the_witness_tells_when_another_schema_types_a_document_the_same() {
        let yaml = "n: 4355\ntitle: no\nq: \"7\"\nwhen: 2026-01-05\ngone: ~\nlist: [1, b, true]\nnest:\n  deep: 1.5\n  word: x\n";
        let (docs, _) = parse_stream(yaml, 1);
        let node = &docs[0];
        let schemas = [
            json!({}),
            json!({"properties": {"n": {"type": "string"}}}),
            json!({"properties": {"n": {"type": "number"}}}),
            json!({"properties": {"title": {"type": "string"}}}),
            json!({"properties": {"q": {"type": "number"}, "when": {"type": "string"}, "gone": {"type": "string"}}}),
            json!({"properties": {"list": {"items": {"type": "string"}}}}),
            json!({"properties": {"list": {"type": "string"}}}),
            json!({"properties": {"nest": {"properties": {"deep": {"enum": ["a", "b"]}}}}}),
            json!({"properties": {"nest": {"properties": {"word": {"type": "string"}}}}}),
            json!({"properties": {"n": {"anyOf": [{"type": "string"}]}, "other": {"type": "string"}}}),
        ];
        let typed = |s: &Value| to_json(node, Some(s), &mut Spans::default());
        let mut same_pairs = 0;
        for a in &schemas {
            let mut seen = Vec::new();
            witness(node, Some(a), &mut seen);
            // The witness records what `expects_text` answers there.
            for (at, text) in &seen {
                assert_eq!(expects_text(Some(a), at), *text, "{at} under {a}");
            }
            let places: Vec<&str> = seen.iter().map(|(at, _)| at.as_str()).collect();
            assert_eq!(places, ["/n", "/list/~i", "/list/~i", "/nest/deep"], "{a}");
            for b in &schemas {
                let agree = seen
                    .iter()
                    .all(|(at, text)| expects_text(Some(b), at) == *text);
                assert_eq!(agree, typed(a) == typed(b), "{a} / {b}");
                same_pairs += usize::from(agree);
            }
        }
        // Both answers happen: pairs that agree beyond a schema and itself,
        // and pairs that do not.
        assert!(same_pairs > schemas.len() && same_pairs < schemas.len().pow(2));
    }

    #[test]
    fn a_place_with_escaped_keys_and_list_items_is_followed() {
        let schema =
            json!({"properties": {"a/b": {"properties": {"~i": {"items": {"type": "string"}}}}}});
        let (docs, _) = parse_stream("a/b:\n  ~i: [1]\n", 1);
        let mut seen = Vec::new();
        witness(&docs[0], Some(&schema), &mut seen);
        assert_eq!(seen, [("/a~1b/~0i/~i".to_string(), true)]);
        assert!(expects_text(Some(&schema), "/a~1b/~0i/~i"));
        assert!(!expects_text(Some(&schema), "/a~1b/~i/~i"));
    }

    #[test]
    fn plain_scalars_are_typed_by_schema() {
        let schema = json!({"properties": {
            "period": {"type": "string"}, "title": {"type": "string"},
            "reach": {"type": "number"}, "size": {"type": ["number", "string"]}
        }});
        let (docs, _) = parse_stream(
            "period: 2027\ntitle: no\nreach: \"5\"\nsize: 12\nother: 1.5\n",
            1,
        );
        let mut spans = Spans::default();
        let v = to_json(&docs[0], Some(&schema), &mut spans);
        assert_eq!(
            v,
            json!({"period": "2027", "title": "no", "reach": "5", "size": 12, "other": 1.5})
        );
        assert_eq!(spans.value("/reach"), Pos::new(3, 8));
        assert_eq!(spans.key("/reach"), Some(Pos::new(3, 1)));
    }
}
