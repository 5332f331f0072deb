//! The machine-readable files: `plan.json` (and its schema), `roadmap.ics`,
//! `features.csv`, and the search index script.

use super::facts;
use super::history::PlanHistory;
use super::links::Index;
use super::text::strip_controls;
use crate::dates;
use crate::plan::Document;
use serde::Serialize;
use serde_json::{Value, json};
use std::borrow::Cow;

/// The published schema of `plan.json`.
pub const PLAN_SCHEMA: &str = include_str!("../../schema/plan.json.schema.json");

/// One document in `plan.json`. Serialized straight from borrowed data:
/// with a long history the file runs to tens of megabytes, and building it
/// as a `Value` tree first (cloning every field change) cost more than
/// rendering every page.
#[derive(Serialize)]
struct PlanDoc<'a> {
    id: &'a str,
    kind: &'a str,
    title: &'a str,
    file: &'a str,
    url: String,
    fields: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    rice_score: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    demand: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    horizon: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    computed_status: Option<String>,
    /// Written after the rest, by hand ([`PlanHistory::write_json`]).
    #[serde(skip)]
    history: Option<PlanHistory<'a>>,
}

/// The head of `plan.json`, before its documents.
#[derive(Serialize)]
struct PlanHead<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    format: u32,
    product: &'a str,
    today: String,
}

/// `plan.json`: every published document with its fields, computed facts
/// and history (`history` gives a document's events, newest first).
pub fn plan_json<'a>(
    index: &Index<'a>,
    product: &str,
    public: bool,
    history: &(dyn Fn(&str) -> Option<PlanHistory<'a>> + Sync),
) -> Vec<u8> {
    let plan = index.plan;
    let documents: Vec<PlanDoc<'a>> = index
        .docs()
        .map(|d| {
            let mut fields = d.data.clone();
            if let Value::Object(o) = &mut fields {
                for k in ["kind", "id", "title", "suppress"] {
                    o.remove(k);
                }
            }
            if public {
                super::audience::scrub(index, &mut fields);
            }
            let feature = d.kind == "feature";
            PlanDoc {
                id: &d.id,
                kind: &d.kind,
                title: &d.title,
                file: &d.file,
                url: Index::page(d),
                fields,
                rice_score: feature.then(|| facts::rice(d)),
                demand: feature.then(|| index.demand(&d.id)),
                horizon: feature.then(|| facts::horizon(plan, d)),
                computed_status: (d.kind == "objective")
                    .then(|| facts::objective_status(d, plan.today)),
                history: history(&d.id),
            }
        })
        .collect();
    let today = if public {
        dates::quarter(plan.today)
    } else {
        dates::format(plan.today)
    };
    // Compact: with history the file is large, and it is read by programs.
    // One buffer, sized from the documents and changes it holds, so it is
    // not grown (and copied) a dozen times.
    let events: usize = documents
        .iter()
        .filter_map(|d| d.history.as_ref().map(PlanHistory::len))
        .sum();
    let mut bytes = Vec::with_capacity(documents.len() * 1024 + events * 256);
    let head = PlanHead {
        schema: "plan.schema.json",
        format: 1,
        product,
        today,
    };
    // Writing into a Vec cannot fail; the documents' fields are JSON
    // objects with string keys.
    let _ = serde_json::to_writer(&mut bytes, &head);
    // `{…}` → `{…,"documents":[`
    bytes.pop();
    bytes.extend_from_slice(b",\"documents\":[");
    for (i, doc) in documents.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        let _ = serde_json::to_writer(&mut bytes, doc);
        if let Some(h) = &doc.history {
            bytes.pop();
            bytes.extend_from_slice(b",\"history\":");
            h.write_json(&mut bytes);
            bytes.push(b'}');
        }
    }
    bytes.extend_from_slice(b"]}\n");
    bytes
}

/// Text as an iCalendar TEXT value (RFC 5545 §3.3.11): backslashes,
/// semicolons and commas escaped, every line break (CRLF, LF, or a bare
/// CR, which the format forbids) written as `\n`, and other control
/// characters left out (TEXT allows none but TAB).
fn ics_escape(s: &str) -> String {
    let s = strip_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, as RFC 5545 requires.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in line.chars() {
        if n + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            n = 1;
        }
        out.push(c);
        n += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// `roadmap.ics`: milestones as all-day events.
pub fn ics(index: &Index<'_>, product: &str, public: bool) -> String {
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//northstar//roadmap//EN\r\nCALSCALE:GREGORIAN\r\n",
    );
    out.push_str(&fold(&format!(
        "X-WR-CALNAME:{}",
        ics_escape(&format!("{product} roadmap"))
    )));
    // A public build shows no day finer than the quarter, today included.
    let today = index.plan.today;
    let today = if public {
        dates::period_range(&dates::quarter(today)).map_or(today, |r| r.0)
    } else {
        today
    };
    let stamp = dates::format(today).replace('-', "");
    for m in index.of_kind("milestone") {
        let Some(mut d) = m.str("date").and_then(dates::parse) else {
            continue;
        };
        if public {
            d = dates::period_range(&dates::quarter(d))
                .map(|r| r.0)
                .unwrap_or(d);
        }
        let day = dates::format(d).replace('-', "");
        let next = dates::format(d + 1).replace('-', "");
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&fold(&format!("UID:{}@northstar", m.id)));
        out.push_str(&format!(
            "DTSTAMP:{stamp}T000000Z\r\nDTSTART;VALUE=DATE:{day}\r\nDTEND;VALUE=DATE:{next}\r\n"
        ));
        out.push_str(&fold(&format!("SUMMARY:{}", ics_escape(&m.title))));
        let features: Vec<String> = index
            .plan
            .referrers(&m.id, Some("milestone"))
            .iter()
            .filter(|f| f.kind == "feature" && index.get(&f.id).is_some())
            .map(|f| format!("- {} ({})", f.title, f.str("status").unwrap_or("")))
            .collect();
        if !features.is_empty() {
            out.push_str(&fold(&format!(
                "DESCRIPTION:{}",
                ics_escape(&features.join("\n"))
            )));
        }
        out.push_str(&fold(&format!(
            "STATUS:{}",
            if m.str("status") == Some("cancelled") {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        )));
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// A cell as spreadsheets may read it safely: control characters left
/// out, and a cell that starts like a formula (`=`, `+`, `-`, `@`, or a
/// TAB or CR before one, which some spreadsheets skip) given a leading
/// `'`, so it is read as text rather than run (CSV injection).
fn csv_cell(s: &str) -> Cow<'_, str> {
    let s = strip_controls(s);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        s
    }
}

/// The one CSV writer of northstar, for `features.csv` and `list --format
/// csv`: RFC 4180 quoting (by the `csv` crate) of cells that hold commas,
/// quotes or line breaks, each cell through `csv_cell`, rows ended by
/// `end`.
pub fn csv_table<R, C>(rows: R, end: csv::Terminator) -> String
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new()
        .terminator(end)
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        let cells: Vec<String> = row
            .into_iter()
            .map(|c| csv_cell(c.as_ref()).into_owned())
            .collect();
        // Writing into a Vec cannot fail.
        let _ = w.write_record(&cells);
    }
    let bytes = w.into_inner().unwrap_or_default();
    // Every cell was a `str`, so the bytes are UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// `features.csv`: one row per published feature.
pub fn csv(index: &Index<'_>, public: bool) -> String {
    let plan = index.plan;
    const HEADER: [&str; 16] = [
        "id",
        "title",
        "status",
        "team",
        "milestone",
        "milestone_date",
        "horizon",
        "owner",
        "objectives",
        "rice_score",
        "reach",
        "impact",
        "confidence",
        "effort",
        "demand",
        "visibility",
    ];
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|h| h.to_string()).collect()];
    let vis = |ids: Vec<&str>| {
        ids.into_iter()
            .filter(|i| index.get(i).is_some())
            .collect::<Vec<_>>()
            .join(" ")
    };
    for f in index.of_kind("feature") {
        let r = |k: &str| {
            f.data
                .get("rice")
                .and_then(|r| r.get(k))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let m = f.str("milestone").and_then(|m| index.get(m));
        let mdate = m
            .and_then(|m| m.str("date"))
            .and_then(dates::parse)
            .map(|d| {
                if public {
                    dates::quarter(d)
                } else {
                    dates::format(d)
                }
            });
        rows.push(vec![
            f.id.clone(),
            f.title.clone(),
            f.str("status").unwrap_or("").into(),
            vis(f.str("team").into_iter().collect()),
            m.map(|m| m.id.clone()).unwrap_or_default(),
            mdate.unwrap_or_default(),
            facts::horizon(plan, f).unwrap_or("").into(),
            vis(f.str("owner").into_iter().collect()),
            vis(f.strs("objectives")),
            facts::rice(f)
                .map(|s| format!("{}", s.round() as i64))
                .unwrap_or_default(),
            r("reach"),
            r("impact"),
            r("confidence"),
            r("effort"),
            index.demand(&f.id).to_string(),
            f.str("visibility").unwrap_or("internal").into(),
        ]);
    }
    csv_table(rows, csv::Terminator::CRLF)
}

fn plain_text(d: &Document, index: &Index<'_>) -> String {
    let Some(b) = &d.body else {
        return String::new();
    };
    let heads: Vec<&str> = b.info.headings.iter().map(|h| h.text.as_str()).collect();
    let mut s = heads.join(" · ");
    // `[[id]]` reads as what the page shows (`markdown::wiki_label`).
    let linker = index.linker("");
    let mut text = String::with_capacity(b.text.len());
    let mut last = 0;
    for w in &b.info.wiki_links {
        if !crate::render::markdown::is_wiki_link(w, &linker) {
            continue;
        }
        let Some(before) = b.text.get(last..w.range.start) else {
            break;
        };
        text.push_str(before);
        text.push_str(&crate::render::markdown::wiki_label(w, &linker));
        last = w.range.end;
    }
    text.push_str(b.text.get(last..).unwrap_or_default());
    let prose: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with(['#', '|', '<', '!']) && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    s.push(' ');
    s.extend(prose.chars().take(280));
    s
}

/// `search-index.js`: the index as a script, because browsers refuse
/// `fetch` on `file://` pages.
pub fn search_index(index: &Index<'_>) -> String {
    let entries: Vec<Value> = index
        .docs()
        .map(|d| {
            json!({
                "t": d.title, "k": d.kind, "i": d.id, "u": Index::page(d),
                "s": d.str("summary").unwrap_or(""), "g": d.strs("tags").join(" "),
                "st": d.str("status").unwrap_or(""), "x": plain_text(d, index),
            })
        })
        .collect();
    let json = serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into());
    format!(
        "window.NORTHSTAR_SEARCH = {};\n",
        json.replace("</", "<\\/")
    )
}
