//! `northstar list KIND`: query the plan from a terminal or a script.

use crate::plan::Document;
use crate::project::{Open, Project};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Output format of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Table,
    /// A JSON array of documents.
    Json,
    /// Comma-separated values.
    Csv,
}

/// Arguments of `list`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The kind to list (`feature`, `milestone`, a user-defined kind, …).
    pub kind: String,
    /// Keep documents whose FIELD equals VALUE (or, for a list, contains
    /// it). Repeat to combine.
    #[arg(long = "where", value_name = "FIELD=VALUE")]
    pub filters: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn matches(doc: &Document, field: &str, value: &str) -> bool {
    let v = match field {
        "id" => return doc.id == value,
        "kind" => return doc.kind == value,
        _ => doc.data.get(field),
    };
    match v {
        Some(Value::Array(items)) => items.iter().any(|i| text(i) == value),
        Some(v) => text(v) == value,
        None => value.is_empty(),
    }
}

/// The columns shown for a kind: id, title, then the kind's short fields.
fn columns(kind: &str) -> Vec<&'static str> {
    match kind {
        "feature" => vec!["status", "milestone", "team", "owner"],
        "milestone" => vec!["date", "status"],
        "objective" => vec!["period", "strategy", "status"],
        "metric" => vec!["current", "target", "unit"],
        "insight" => vec!["source", "date", "count"],
        "decision" => vec!["date", "status"],
        "team" => vec!["function", "lead"],
        "person" => vec!["role", "email"],
        _ => vec!["owner"],
    }
}

/// A cell for the terminal: control characters written as escapes
/// (`\t`, `\u{1b}`), so a title cannot move the cursor, break the
/// columns, or send the terminal an escape sequence.
fn visible(s: &str) -> String {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        s.to_string()
    }
}

/// Runs `list`.
pub(super) fn run(dir: &Path, args: Args) -> Result<u8, String> {
    let project = Project::open(dir, &Open::default())?;
    if project.registry.get(&args.kind).is_none() {
        let known = project.registry.names().join(", ");
        return Err(format!("unknown kind `{}` (known: {known})", args.kind));
    }
    let mut filters = Vec::new();
    for f in &args.filters {
        let (k, v) = f
            .split_once('=')
            .ok_or_else(|| format!("`--where {f}`: expected FIELD=VALUE"))?;
        filters.push((k.trim().to_string(), v.trim().to_string()));
    }
    let compiled = project.compile();
    let docs: Vec<&Document> = compiled
        .plan
        .of_kind(&args.kind)
        .filter(|d| filters.iter().all(|(k, v)| matches(d, k, v)))
        .collect();
    let cols = columns(&args.kind);
    let rows: Vec<Vec<String>> = docs
        .iter()
        .map(|d| {
            let mut row = vec![d.id.clone(), d.title.clone()];
            row.extend(
                cols.iter()
                    .map(|c| d.data.get(*c).map(text).unwrap_or_default()),
            );
            row
        })
        .collect();
    let mut header = vec!["id".to_string(), "title".to_string()];
    header.extend(cols.iter().map(|c| c.to_string()));
    // Write errors are ignored: a closed stdout (`| head`) is not a failure.
    let mut out = std::io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            let arr: Vec<Value> = docs
                .iter()
                .map(|d| {
                    let mut v = d.data.clone();
                    if let Value::Object(o) = &mut v {
                        o.insert("id".into(), Value::String(d.id.clone()));
                        o.insert("file".into(), Value::String(d.file.clone()));
                    }
                    v
                })
                .collect();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&arr).map_err(|e| e.to_string())?
            );
        }
        ListFormat::Csv => {
            // The site's CSV writer, formula guard included: a title can
            // start with `=` as easily in a terminal's output as in
            // `features.csv`, and both end up in spreadsheets.
            let table = crate::render::data::csv_table(
                std::iter::once(&header).chain(&rows),
                csv::Terminator::Any(b'\n'),
            );
            let _ = out.write_all(table.as_bytes());
        }
        ListFormat::Table => {
            let rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|c| visible(c)).collect())
                .collect();
            let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
            for row in &rows {
                for (i, c) in row.iter().enumerate() {
                    widths[i] = widths[i].max(c.chars().count());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let line: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
                    .collect();
                let _ = writeln!(out, "{}", line.join("  ").trim_end());
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_show_control_characters_as_escapes() {
        assert_eq!(visible("plain é"), "plain é");
        assert_eq!(
            visible("a\tb\u{1b}]0;x\u{7}\r\n"),
            "a\\tb\\u{1b}]0;x\\u{7}\\r\\n"
        );
    }
}
