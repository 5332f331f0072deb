//! Why a conditional part of a schema applied: a field required by the
//! `then` of an `if` is missing "when `status` is `declined`". The
//! validator reports the failing keyword's place in the schema; the `if`
//! beside that `then` (or `else`) says what the document matched.

use serde_json::Value;

/// The condition under which the schema part at `schema_path` (a JSON
/// pointer into `schema`, as the validator reports it) applies, in words,
/// when that part is the `then` or `else` of an `if`: "when `status` is
/// `declined`". None for an unconditional part, or a condition too
/// intricate to put in words.
pub(super) fn because(schema: &Value, schema_path: &str) -> Option<String> {
    let segments: Vec<&str> = schema_path.split('/').collect();
    // The innermost `then`/`else`: the condition nearest the failure.
    let at = segments
        .iter()
        .rposition(|s| *s == "then" || *s == "else")?;
    let parent = segments[..at].join("/");
    let tests = describe(schema.pointer(&parent)?.get("if")?)?;
    let held: Vec<&str> = tests.iter().map(|(yes, _)| yes.as_str()).collect();
    Some(match (segments[at], tests.as_slice()) {
        ("then", _) => format!("when {}", held.join(" and ")),
        (_, [(_, no)]) => format!("when {no}"),
        _ => format!("when not all of these hold: {}", held.join(", ")),
    })
}

/// The `if` schema's tests on fields, each in words as holding and as
/// failing. Only conditions made of `properties` with `const` or `enum`,
/// and `required`, are put in words.
fn describe(cond: &Value) -> Option<Vec<(String, String)>> {
    let obj = cond.as_object()?;
    let known = ["properties", "required", "description", "$comment"];
    if obj.keys().any(|k| !known.contains(&k.as_str())) {
        return None;
    }
    let mut tests = Vec::new();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (field, test) in props {
            let test = test.as_object()?;
            if let Some(v) = test.get("const") {
                let v = shown(v);
                tests.push((format!("`{field}` is {v}"), format!("`{field}` is not {v}")));
            } else if let Some(vs) = test.get("enum").and_then(Value::as_array) {
                let list = vs.iter().map(shown).collect::<Vec<_>>().join(", ");
                tests.push((
                    format!("`{field}` is one of {list}"),
                    format!("`{field}` is none of {list}"),
                ));
            } else {
                return None;
            }
        }
    }
    if let Some(req) = obj.get("required").and_then(Value::as_array) {
        for f in req {
            let f = f.as_str()?;
            tests.push((format!("`{f}` is set"), format!("`{f}` is not set")));
        }
    }
    (!tests.is_empty()).then_some(tests)
}

/// A value as a message quotes it: `declined`, `3`.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_then_or_else_is_explained_by_its_if() {
        let schema = json!({"allOf": [{
            "if": {"properties": {"status": {"const": "declined"}}, "required": ["status"]},
            "then": {"required": ["decision"]},
            "else": {"properties": {"decision": false}}
        }]});
        assert_eq!(
            because(&schema, "/allOf/0/then/required").as_deref(),
            Some("when `status` is `declined` and `status` is set")
        );
        assert_eq!(
            because(&schema, "/allOf/0/else/properties/decision/false_schema").as_deref(),
            Some("when not all of these hold: `status` is `declined`, `status` is set")
        );
        assert_eq!(because(&schema, "/properties/title/type"), None);
        let one = json!({"if": {"properties": {"stage": {"enum": ["accepted", "released"]}}}, "else": {"required": ["x"]}});
        assert_eq!(
            because(&one, "/else/required").as_deref(),
            Some("when `stage` is none of `accepted`, `released`")
        );
        // A condition not made of simple field tests is not guessed at.
        let odd = json!({"if": {"properties": {"n": {"minimum": 3}}}, "then": {"required": ["x"]}});
        assert_eq!(because(&odd, "/then/required"), None);
    }
}
