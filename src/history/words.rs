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

/// Signed days, as in "(+91 days)".
pub fn days(d: i64) -> String {
    let unit = if d.abs() == 1 { "day" } else { "days" };
    if d > 0 {
        format!("+{d} {unit}")
    } else {
        format!("{d} {unit}")
    }
}
