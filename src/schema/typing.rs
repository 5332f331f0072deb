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

    /// Where the key of the member at `ptr` is, if it is an object member.
    pub fn key(&self, ptr: &str) -> Option<Pos> {
        self.keys.get(ptr).copied()
    }
}

/// Escapes a JSON pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
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
            let item_schema = schema.and_then(|s| s.get("items"));
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
                let name = match &key.value {
                    NodeValue::Scalar { text, .. } => text.clone(),
                    _ => format!(
                        "<{} key>",
                        if matches!(key.value, NodeValue::Seq(_)) {
                            "list"
                        } else {
                            "mapping"
                        }
                    ),
                };
                let sub = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(&name));
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

/// What of a schema decides how [`to_json`] types a document: the JSON
/// types it allows (`type`, the types of `enum` values, and the same
/// through `anyOf`, `oneOf`, `allOf` and references) at each property and
/// item, with keys sorted. The history cache keeps documents as typed, so
/// it is fingerprinted with this rather than the schema's text: editing a
/// description, a `required` list, a format or an enum value of the same
/// type changes no document's reading and keeps the cache.
pub fn skeleton(schema: &Value) -> Value {
    let Value::Object(o) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in o {
        let kept = match key.as_str() {
            "type" | "$ref" => value.clone(),
            "enum" => {
                let mut ts = Vec::new();
                types(&serde_json::json!({"enum": value}), &mut ts);
                ts.sort();
                ts.dedup();
                serde_json::json!(ts)
            }
            "properties" | "$defs" | "definitions" => match value {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, sub)| (name.clone(), skeleton(sub)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "prefixItems" | "anyOf" | "oneOf" | "allOf" => {
                match value {
                    Value::Array(subs) => Value::Array(subs.iter().map(skeleton).collect()),
                    other => skeleton(other),
                }
            }
            _ => continue,
        };
        out.insert(key.clone(), kept);
    }
    Value::Object(out)
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
