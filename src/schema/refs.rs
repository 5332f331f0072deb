//! The generic reference finder: walks a schema and an instance together
//! and yields every value annotated with `x-ref`. It knows nothing about
//! particular kinds, so user-defined kinds get references for free.

use serde_json::Value;

/// A reference found in a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    /// JSON pointer of the referencing value.
    pub ptr: String,
    /// The top-level field it sits under (`depends_on`).
    pub field: String,
    /// The kind the schema expects.
    pub kind: String,
    /// The id referred to, or with `by_path` the path as written.
    pub id: String,
    /// Whether the value names its document by path (`x-ref-path`: a
    /// file or folder, relative to the referring file or, starting with
    /// `/`, to the plans' root) rather than by id (`x-ref`).
    pub by_path: bool,
}

/// Every `x-ref` value of `value` under `schema`.
pub fn find(schema: &Value, value: &Value) -> Vec<Ref> {
    let mut out = Vec::new();
    walk(schema, value, &mut String::new(), &mut out);
    out
}

fn walk(schema: &Value, value: &Value, ptr: &mut String, out: &mut Vec<Ref>) {
    let by_id = schema.get("x-ref").and_then(Value::as_str);
    let by_path = schema.get("x-ref-path").and_then(Value::as_str);
    if let (Some(kind), Value::String(id)) = (by_id.or(by_path), value) {
        let field = ptr.split('/').nth(1).unwrap_or("").to_string();
        out.push(Ref {
            ptr: ptr.clone(),
            field,
            kind: kind.to_string(),
            id: id.clone(),
            by_path: by_id.is_none(),
        });
    }
    match value {
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = ptr.len();
                    ptr.push_str(&format!("/{i}"));
                    walk(item_schema, item, ptr, out);
                    ptr.truncate(len);
                }
            }
        }
        Value::Object(obj) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in obj {
                    if let Some(sub) = props.get(k) {
                        let len = ptr.len();
                        ptr.push('/');
                        ptr.push_str(&super::typing::escape(k));
                        walk(sub, v, ptr, out);
                        ptr.truncate(len);
                    }
                }
            }
        }
        _ => {}
    }
}
