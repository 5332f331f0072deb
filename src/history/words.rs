//! Changes in words a PM reads: "milestone Q1 release → Q2 release
//! (+91 days)", "status planned → in-progress".

use super::diff::FieldChange;
use serde_json::Value;

/// A value as a reader sees it, with ids replaced by titles where known.
pub fn value(v: &Value, title_of: &dyn Fn(&str) -> Option<String>) -> String {
    match v {
        Value::String(s) => title_of(s).unwrap_or_else(|| s.clone()),
        Value::Number(n) => n
            .as_f64()
            .map(crate::numbers::fmt_num)
            .unwrap_or_else(|| n.to_string()),
        Value::Bool(b) => b.to_string(),
        Value::Null => "nothing".into(),
        Value::Array(a) if a.is_empty() => "none".into(),
        Value::Array(a) => a
            .iter()
            .map(|x| value(x, title_of))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => "…".into(),
    }
}

/// A field path as words: `key_results.0.current` → `key result 1 current`.
pub fn field(path: &str) -> String {
    path.split('.')
        .map(|seg| match seg.parse::<usize>() {
            Ok(i) => format!("{}", i + 1),
            Err(_) => {
                seg.replace('_', " ").trim_end_matches('s').to_string()
                    + if seg.ends_with("ss") { "s" } else { "" }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One field change in words; `extra` is appended (a slip's days).
pub fn change(
    c: &FieldChange,
    title_of: &dyn Fn(&str) -> Option<String>,
    extra: Option<String>,
) -> String {
    let name = match c.field.as_str() {
        f if !f.contains('.') => f.replace('_', " "),
        f => field(f),
    };
    let mut s = match (&c.from, &c.to) {
        (Some(Value::Array(f)), Some(Value::Array(t)))
            if !f.is_empty() && !t.is_empty() && f.iter().chain(t).all(is_scalar) =>
        {
            list_change(&name, f, t, title_of)
        }
        (None, Some(t)) => format!("{name} set to {}", value(t, title_of)),
        (Some(f), None) => format!("{name} removed (was {})", value(f, title_of)),
        (Some(f), Some(t)) => format!("{name} {} → {}", value(f, title_of), value(t, title_of)),
        (None, None) => name,
    };
    if let Some(e) = extra {
        s.push_str(&format!(" ({e})"));
    }
    s
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Most items a list change names on each side; the rest are counted.
const LIST_ITEMS: usize = 5;

/// A list that changed, as what it gained and lost rather than both
/// lists whole: "reviewers: added Ann, Bo; removed Cy" (a list of 26
/// names that gained three reads as those three). Same items in another
/// order read as "reordered".
fn list_change(
    name: &str,
    from: &[Value],
    to: &[Value],
    title_of: &dyn Fn(&str) -> Option<String>,
) -> String {
    let names = |items: Vec<&Value>| {
        let n = items.len();
        let mut words: Vec<String> = items
            .into_iter()
            .take(LIST_ITEMS)
            .map(|x| value(x, title_of))
            .collect();
        if n > LIST_ITEMS {
            words.push(format!("{} more", n - LIST_ITEMS));
        }
        words.join(", ")
    };
    let added: Vec<&Value> = to.iter().filter(|x| !from.contains(x)).collect();
    let removed: Vec<&Value> = from.iter().filter(|x| !to.contains(x)).collect();
    match (added.is_empty(), removed.is_empty()) {
        (true, true) => format!("{name} reordered"),
        (false, true) => format!("{name}: added {}", names(added)),
        (true, false) => format!("{name}: removed {}", names(removed)),
        (false, false) => format!("{name}: added {}; removed {}", names(added), names(removed)),
    }
}

/// Signed days, as in "(+91 days)".
pub fn days(d: i64) -> String {
    let unit = if d.abs() == 1 { "day" } else { "days" };
    if d > 0 {
        format!("+{d} {unit}")
    } else {
        format!("{d} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn words(from: Value, to: Value) -> String {
        let c = FieldChange {
            field: "reviewers".into(),
            from: Some(from),
            to: Some(to),
        };
        change(&c, &|id| (id == "ann").then(|| "Ann Lee".to_string()), None)
    }

    #[test]
    fn a_list_change_names_what_was_added_and_removed() {
        assert_eq!(
            words(json!(["ann", "bo", "cy"]), json!(["bo", "cy", "dee"])),
            "reviewers: added dee; removed Ann Lee"
        );
        assert_eq!(
            words(json!(["bo"]), json!(["bo", "ann"])),
            "reviewers: added Ann Lee"
        );
        assert_eq!(
            words(json!(["a", "b"]), json!(["a"])),
            "reviewers: removed b"
        );
        assert_eq!(
            words(json!(["a", "b"]), json!(["b", "a"])),
            "reviewers reordered"
        );
        let many: Vec<String> = (1..=8).map(|i| format!("p{i}")).collect();
        assert_eq!(
            words(
                json!(["p0"]),
                json!([&many[..], &["p0".to_string()]].concat())
            ),
            "reviewers: added p1, p2, p3, p4, p5, 3 more"
        );
        // A list set from nothing or emptied keeps its whole value.
        assert_eq!(words(json!([]), json!(["a"])), "reviewers none → a");
    }
}
