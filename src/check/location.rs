//! `kind-location`: a kind by location that reads less than its config
//! says (docs/format.md#kinds-by-location). Without it a mistyped
//! pattern or a body file named in another case just leaves documents
//! out, and nothing says why.

use super::Sink;
use crate::config::{Config, FILE_NAME};
use crate::diag::{Diagnostic, Pos};
use crate::rules::Rule;
use crate::schema::Registry;
use crate::source::{Filter, Tree};

/// Reports located kinds whose `files` match nothing, matched documents
/// whose `body` file is missing, and `status:` or `target:` settings
/// naming a field the kind's schema does not declare.
pub(super) fn check(config: &Config, registry: &Registry, tree: &Tree, sink: &mut Sink<'_>) {
    fields(config, registry, sink);
    for (name, kind) in &config.kinds {
        let Some(files) = &kind.files else { continue };
        let mut matched = tree
            .files
            .iter()
            .filter(|f| f.kind.as_deref() == Some(name.as_str()))
            .peekable();
        if matched.peek().is_none() {
            sink.push(
                None,
                Diagnostic::new(
                    Rule::KindLocation,
                    FILE_NAME,
                    kind.pos,
                    format!("kind `{name}`: `files: {files}` matches no file"),
                )
                .note("the pattern is relative to the folder of northstar.yaml, with `/` between folders; `**` matches any number of folders"),
            );
            continue;
        }
        let Some(body) = &kind.body else { continue };
        for f in matched.filter(|f| f.body.is_none()) {
            let Some(want) = Filter::body_of(&f.path, f.kind.as_ref(), config) else {
                continue;
            };
            let mut d = Diagnostic::new(
                Rule::KindLocation,
                &f.path,
                Pos::start(),
                format!("no `{body}` beside `{}`: the document has no body", f.path),
            );
            if let Some(other) = tree
                .all_paths
                .iter()
                .find(|p| p.eq_ignore_ascii_case(&want) && **p != want)
            {
                d = d
                    .note(format!(
                        "`{other}` differs only in case: file names are compared exactly"
                    ))
                    .suggest(format!("rename it `{want}`"));
            }
            sink.push(None, d);
        }
    }
}

/// A kind's `status:` or `target:` naming a field its schema does not
/// declare: a misspelt `release_date` would otherwise leave every document
/// off the timeline, or every status uncoloured, and say nothing.
fn fields(config: &Config, registry: &Registry, sink: &mut Sink<'_>) {
    for (name, kind) in &config.kinds {
        let Some(schema) = registry.get(name) else {
            continue;
        };
        for (setting, field) in [("status", &kind.status), ("target", &kind.target)] {
            let Some(field) = field else { continue };
            if schema.fields.contains(field) {
                continue;
            }
            // A status read from a section is the field `status`.
            let written = match (&kind.status_section, setting) {
                (Some(section), "status") => {
                    format!("\"## {section}\"` gives the field `{field}`, which")
                }
                _ => format!("{field}` names a field"),
            };
            let mut d = Diagnostic::new(
                Rule::KindLocation,
                FILE_NAME,
                kind.pos,
                format!("kind `{name}`: `{setting}: {written} its schema does not declare"),
            )
            .note(format!(
                "no {name} is read as having a {setting} until the schema declares `{field}`"
            ));
            if let Some(near) = schema.nearest_field(field, "") {
                d = d.suggest(format!("did you mean `{setting}: {near}`?"));
            }
            sink.push(None, d);
        }
    }
}
