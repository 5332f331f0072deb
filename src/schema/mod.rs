//! The kinds and their JSON Schemas: compiled-in built-ins, user-defined
//! kinds from the plans repository, and tightenings of built-in kinds.
//!
//! Schemas are the single source of truth (docs/format.md#schemas): fields,
//! types, enums and references (`x-ref`) are all read from them. Nothing
//! outside this module knows which fields a kind has, except the roadmap
//! rules that give built-in fields their meaning.

mod conditional;
pub mod refs;
pub mod typing;

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The fields every kind has (docs/format.md#common-fields).
pub const COMMON: &str = include_str!("../../schema/common.schema.json");

/// The built-in kinds, in the order the site lists them.
pub const BUILTIN: &[(&str, &str)] = &[
    ("product", include_str!("../../schema/product.schema.json")),
    (
        "strategy",
        include_str!("../../schema/strategy.schema.json"),
    ),
    (
        "objective",
        include_str!("../../schema/objective.schema.json"),
    ),
    ("metric", include_str!("../../schema/metric.schema.json")),
    ("feature", include_str!("../../schema/feature.schema.json")),
    (
        "milestone",
        include_str!("../../schema/milestone.schema.json"),
    ),
    ("team", include_str!("../../schema/team.schema.json")),
    ("person", include_str!("../../schema/person.schema.json")),
    ("segment", include_str!("../../schema/segment.schema.json")),
    ("insight", include_str!("../../schema/insight.schema.json")),
    (
        "decision",
        include_str!("../../schema/decision.schema.json"),
    ),
];

/// Whether `name` is a built-in kind.
pub fn is_builtin(name: &str) -> bool {
    BUILTIN.iter().any(|(n, _)| *n == name)
}

/// One kind, ready to validate documents.
pub struct Kind {
    /// Kind name.
    pub name: String,
    /// True for the 11 built-in kinds.
    pub builtin: bool,
    /// The schema used to type YAML and find references: the kind's
    /// properties, the common ones, and any tightening's, merged.
    pub typing: Value,
    /// Every top-level field some schema of this kind declares.
    pub fields: BTreeSet<String>,
    validators: Vec<jsonschema::Validator>,
    /// The schema each validator was made from, to explain an error by
    /// the schema around it (an `if` whose `then` failed).
    schemas: Vec<Value>,
    /// A user-defined kind whose schema says `"additionalProperties":
    /// true`: fields it does not declare are accepted (specs adopted with
    /// a schema of only the fields that matter), not `unknown field`.
    open: bool,
}

/// A schema violation at a JSON pointer of the instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// A required field is absent from the object at the pointer.
    Missing(String),
    /// A field no schema declares, inside a nested object at the pointer.
    Unknown(String),
    /// A value that is not one of the schema's `enum` values.
    NotAllowed {
        /// The value written.
        value: Value,
        /// The values the schema allows, in its order.
        allowed: Vec<Value>,
        /// The field's description in the schema, which may say what
        /// each value means ("3 massive, 2 high, …").
        description: Option<String>,
    },
    /// Anything else, with the validator's message.
    Invalid(String),
}

/// All kinds of a plans repository.
pub struct Registry {
    /// Kinds by name.
    pub kinds: BTreeMap<String, Kind>,
}

fn parse_json(name: &str, text: &str) -> Result<Value, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("schema of kind `{name}` is not valid JSON: {e}"))
}

fn validator(name: &str, schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| format!("schema of kind `{name}` is not a valid JSON Schema: {e}"))
}

/// Adds the common fields to a kind's schema: northstar checks them for
/// every kind, user-defined ones included (docs/format.md#common-fields).
fn with_common(mut schema: Value, common: &Value) -> Value {
    if let Value::Object(obj) = &mut schema {
        obj.remove("additionalProperties");
        obj.remove("$id");
        let props = obj
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let (Value::Object(props), Some(Value::Object(common_props))) =
            (props, common.get("properties"))
        {
            for (k, v) in common_props {
                props.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let required = obj
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let (Value::Array(req), Some(Value::Array(common_req))) =
            (required, common.get("required"))
        {
            for r in common_req {
                if !req.contains(r) {
                    req.push(r.clone());
                }
            }
        }
    }
    schema
}

fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
}

impl Registry {
    /// Builds the registry. `declared` holds the config's kinds (a user
    /// schema counts only for a declared kind); `user_schemas` maps a kind
    /// name to the text of the schema file its config names. A broken
    /// schema stops the run: it is part of the configuration.
    pub fn new<K>(
        declared: &BTreeMap<String, K>,
        user_schemas: &BTreeMap<String, String>,
    ) -> Result<Registry, String> {
        let common = parse_json("common", COMMON)?;
        let mut kinds = BTreeMap::new();
        let mut add =
            |name: &str, builtin: bool, base: Value, extra: Option<Value>| -> Result<(), String> {
                let open = !builtin && base.get("additionalProperties") == Some(&Value::Bool(true));
                let base = with_common(base, &common);
                let mut typing = base.clone();
                let mut validators = vec![validator(name, &base)?];
                let mut schemas = vec![base.clone()];
                let mut fields: BTreeSet<String> =
                    properties(&base).map(|(k, _)| k.clone()).collect();
                if let Some(mut extra) = extra {
                    if let Value::Object(o) = &mut extra {
                        o.remove("additionalProperties");
                        o.remove("$id");
                    }
                    validators.push(validator(name, &extra)?);
                    schemas.push(extra.clone());
                    if let Some(Value::Object(tp)) = typing.get_mut("properties") {
                        for (k, v) in properties(&extra) {
                            tp.entry(k.clone()).or_insert_with(|| v.clone());
                            fields.insert(k.clone());
                        }
                    }
                }
                kinds.insert(
                    name.to_string(),
                    Kind {
                        name: name.to_string(),
                        builtin,
                        typing,
                        fields,
                        validators,
                        schemas,
                        open,
                    },
                );
                Ok(())
            };
        for (name, text) in BUILTIN {
            let extra = match user_schemas.get(*name) {
                Some(t) => Some(parse_json(name, t)?),
                None => None,
            };
            add(name, true, parse_json(name, text)?, extra)?;
        }
        for (name, text) in user_schemas {
            if declared.contains_key(name) && !is_builtin(name) {
                add(name, false, parse_json(name, text)?, None)?;
            }
        }
        Ok(Registry { kinds })
    }

    /// The kind called `name`.
    pub fn get(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name)
    }

    /// Kind names in site order: built-ins first, then user-defined.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        out.extend(
            self.kinds
                .values()
                .filter(|k| !k.builtin)
                .map(|k| k.name.as_str()),
        );
        out
    }
}

impl Kind {
    /// Validates a typed document; returns violations by JSON pointer.
    /// Unknown top-level fields are found here too, against the union of
    /// all this kind's schemas.
    pub fn validate(&self, value: &Value) -> Vec<(String, Violation, Option<String>)> {
        let mut out = Vec::new();
        if let Value::Object(obj) = value
            && !self.open
        {
            for key in obj.keys() {
                if !self.fields.contains(key) {
                    out.push((
                        format!("/{}", typing::escape(key)),
                        Violation::Unknown(key.clone()),
                        None,
                    ));
                }
            }
        }
        for (v, schema) in self.validators.iter().zip(&self.schemas) {
            for error in v.iter_errors(value) {
                let ptr = error.instance_path().to_string();
                let because = conditional::because(schema, error.schema_path().as_str());
                match error.kind() {
                    jsonschema::error::ValidationErrorKind::Required { property } => {
                        let field = property.as_str().unwrap_or_default().to_string();
                        out.push((ptr, Violation::Missing(field), because));
                    }
                    jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                        for field in unexpected {
                            out.push((
                                format!("{ptr}/{}", typing::escape(field)),
                                Violation::Unknown(field.clone()),
                                because.clone(),
                            ));
                        }
                    }
                    jsonschema::error::ValidationErrorKind::Enum { options } => {
                        let description = self.description(&ptr).map(str::to_string);
                        out.push((
                            ptr,
                            Violation::NotAllowed {
                                value: error.instance().clone().into_owned(),
                                allowed: options.as_array().cloned().unwrap_or_default(),
                                description,
                            },
                            because,
                        ))
                    }
                    _ => out.push((ptr, Violation::Invalid(error.to_string()), because)),
                }
            }
        }
        out.dedup();
        // A value outside an enum is one problem: its type error (`high`
        // for a number) says less than the allowed values do.
        let enums: Vec<String> = out
            .iter()
            .filter(|(_, v, _)| matches!(v, Violation::NotAllowed { .. }))
            .map(|(p, _, _)| p.clone())
            .collect();
        out.retain(|(p, v, _)| !matches!(v, Violation::Invalid(_)) || !enums.contains(p));
        out
    }

    /// The description the schema gives the field at JSON pointer `ptr`,
    /// through nested objects' `properties` and lists' `items`.
    pub fn description(&self, ptr: &str) -> Option<&str> {
        let mut at = &self.typing;
        for seg in ptr.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            at = match at.get("properties").and_then(|p| p.get(&seg)) {
                Some(next) => next,
                None => at.get("items")?,
            };
        }
        at.get("description").and_then(Value::as_str)
    }

    /// The schema an editor should use: every field declared, nothing else
    /// allowed at the top level.
    pub fn export(&self) -> Value {
        let mut s = self.typing.clone();
        if let Value::Object(o) = &mut s {
            o.insert("additionalProperties".into(), Value::Bool(false));
            o.insert(
                "$id".into(),
                Value::String(format!("{}.schema.json", self.name)),
            );
        }
        s
    }

    /// The nearest declared field to `name`, for "did you mean".
    pub fn nearest_field(&self, name: &str, ptr_parent: &str) -> Option<String> {
        let mut schema = &self.typing;
        for seg in ptr_parent.split('/').filter(|s| !s.is_empty()) {
            schema = match seg.parse::<usize>() {
                Ok(_) => schema.get("items").unwrap_or(schema),
                Err(_) => schema.get("properties").and_then(|p| p.get(seg))?,
            };
        }
        let names: Vec<&str> = properties(schema).map(|(k, _)| k.as_str()).collect();
        crate::diag::nearest(name, names).map(String::from)
    }
}
