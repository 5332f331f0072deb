//! What `serve` adds to every HTML page it sends (never to the built
//! site): the live-reload script and, while the plans have errors, an
//! overlay listing them.

use super::http::EVENTS;
use crate::diag::{Diagnostic, Level};
use crate::render::svg::esc;

/// The script that reloads the page when a build other than `tag` (the
/// one the page came from) is announced.
pub fn reload_script(tag: &str) -> String {
    format!(
        "<script>(function(){{var t=\"{tag}\";if(!window.EventSource)return;\
         var s=new EventSource(\"{EVENTS}\");\
         s.addEventListener(\"build\",function(e){{if(e.data!==t){{s.close();location.reload();}}}});\
         }})();</script>",
        tag = esc(tag)
    )
}

/// A problem the overlay shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The rule (`broken-reference`), or `config` when the config or a
    /// template failed.
    pub rule: String,
    /// The file, relative to the plans root.
    pub file: String,
    /// 1-based line (0: none).
    pub line: u32,
    /// 1-based column (0: none).
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// The notes and the suggestion ("did you mean…"), as the terminal
    /// shows them under the message.
    pub help: Vec<String>,
    /// The source line the problem is on, when the file is a plan file.
    pub source: Option<String>,
}

impl Problem {
    /// The errors among `diags`; `line_of` gives a file's line text.
    pub fn errors(
        diags: &[Diagnostic],
        line_of: &dyn Fn(&str, u32) -> Option<String>,
    ) -> Vec<Problem> {
        diags
            .iter()
            .filter(|d| d.level == Level::Error)
            .map(|d| Problem {
                rule: d.rule.name().to_string(),
                file: d.file.clone(),
                line: d.line,
                column: d.column,
                message: d.message.clone(),
                help: d
                    .notes
                    .iter()
                    .map(|n| format!("note: {n}"))
                    .chain(d.suggestion.iter().map(|s| format!("help: {s}")))
                    .collect(),
                source: (d.line > 0).then(|| line_of(&d.file, d.line)).flatten(),
            })
            .collect()
    }
}

/// The overlay: every problem with its rule, file, line and message.
/// `stale` says the site shown is the last good build, not the edit.
pub fn overlay(problems: &[Problem], stale: bool) -> String {
    const SHOWN: usize = 50;
    let n = problems.len();
    let mut out = String::from(
        "<div id=\"northstar-overlay\" role=\"alert\" style=\"position:fixed;left:1rem;right:1rem;\
         bottom:1rem;max-height:60vh;overflow:auto;z-index:2147483647;background:#1d1f23;\
         color:#f3f3f3;border-left:6px solid #e5484d;border-radius:6px;padding:.8rem 1rem;\
         font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;\
         box-shadow:0 6px 24px rgba(0,0,0,.4)\">",
    );
    out.push_str(&format!(
        "<button type=\"button\" aria-label=\"Hide\" onclick=\"this.parentNode.remove()\" \
         style=\"float:right;background:none;border:0;color:inherit;font-size:18px;cursor:pointer\">\
         &times;</button><strong style=\"color:#ff8589\">northstar: {n} error{}</strong>{}",
        if n == 1 { "" } else { "s" },
        if stale {
            " &mdash; showing the last good build until this is fixed"
        } else {
            ""
        }
    ));
    out.push_str("<ul style=\"list-style:none;margin:.5rem 0 0;padding:0\">");
    for p in problems.iter().take(SHOWN) {
        let at = match (p.line, p.column) {
            (0, _) => esc(&p.file),
            (l, 0) => format!("{}:{l}", esc(&p.file)),
            (l, c) => format!("{}:{l}:{c}", esc(&p.file)),
        };
        out.push_str(&format!(
            "<li class=\"northstar-problem\" style=\"margin:.35rem 0\">\
             <span style=\"color:#ff8589\">error[<span class=\"rule\">{}</span>]</span>: {}\
             <br><span style=\"color:#9fb4c8\">&nbsp;--&gt; <span class=\"file\">{at}</span></span>{}{}</li>",
            esc(&p.rule),
            esc(&p.message),
            p.source.as_deref().map_or(String::new(), |line| format!(
                "<pre class=\"source\" style=\"margin:.2rem 0 0;white-space:pre-wrap;color:#d6d6d6\">{:>4} | {}</pre>",
                p.line,
                esc(line)
            )),
            p.help
                .iter()
                .map(|h| format!("<br><span class=\"help\" style=\"color:#8fd18f\">&nbsp;&nbsp;= {}</span>", esc(h)))
                .collect::<String>(),
        ));
    }
    if n > SHOWN {
        out.push_str(&format!(
            "<li>… and {} more (<code>northstar check</code> lists them all)</li>",
            n - SHOWN
        ));
    }
    out.push_str("</ul></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_names_rule_file_line_and_escapes() {
        let p = Problem {
            rule: "yaml-syntax".into(),
            file: "plans/<a>.md".into(),
            line: 3,
            column: 7,
            message: "unexpected `<script>`".into(),
            help: vec!["help: quote it: `<b>`".into()],
            source: Some("title: <b>".into()),
        };
        let html = overlay(&[p], true);
        assert!(html.contains("yaml-syntax"));
        assert!(html.contains("plans/&lt;a&gt;.md:3:7"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("last good build"));
        assert!(html.contains("   3 | title: &lt;b&gt;"), "{html}");
        assert!(html.contains("= help: quote it: `&lt;b&gt;`"), "{html}");
    }

    #[test]
    fn script_listens_for_builds() {
        let s = reload_script("1-2");
        assert!(s.contains(EVENTS) && s.contains("\"1-2\""));
    }
}
