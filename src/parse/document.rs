//! A source file to raw documents: front matter or YAML stream parsed into
//! positioned trees, with the body kept for the Markdown passes.

use super::{ReadProblem, SourceFile};
use crate::diag::{Diagnostic, Pos};
use crate::parse::frontmatter::{FrontMatter, split};
use crate::parse::yaml::{Node, NodeValue, parse_stream};
use crate::rules::Rule;

/// A document before typing: its tree and where it came from.
#[derive(Debug, Clone)]
pub struct RawDoc {
    /// File path relative to the root.
    pub file: String,
    /// The mapping of fields.
    pub node: Node,
    /// The Markdown body and the file line it starts on.
    pub body: Option<(String, u32, String)>,
    /// True for a Markdown file (the id defaults to the stem).
    pub markdown: bool,
    /// The kind given by the file's location, if any.
    pub kind: Option<String>,
    /// Index within a YAML stream.
    pub index: usize,
}

fn diag(rule: Rule, file: &str, pos: Pos, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(rule, file, pos, message)
}

/// Parses one file. A file that fails yields its diagnostics and whatever
/// documents could be read before the fault.
pub fn parse_file(file: &SourceFile) -> (Vec<RawDoc>, Vec<Diagnostic>) {
    let path = file.path.as_str();
    let text = match &file.text {
        Ok(t) => t,
        Err(problem) => {
            let (pos, msg) = match problem {
                ReadProblem::NotUtf8 { line, col } => {
                    (Pos::new(*line, *col), "file is not valid UTF-8".to_string())
                }
                ReadProblem::TooLarge(n) => (
                    Pos::start(),
                    format!(
                        "file is {n} bytes, over the {} byte limit",
                        super::MAX_FILE_BYTES
                    ),
                ),
                ReadProblem::Io(e) => (Pos::start(), format!("cannot read file: {e}")),
            };
            return (Vec::new(), vec![diag(Rule::YamlSyntax, path, pos, msg)]);
        }
    };
    let lower = path.to_ascii_lowercase();
    let mut diags = Vec::new();
    let mut docs = Vec::new();
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        markdown_file(file, text, &mut docs, &mut diags);
    } else {
        yaml_file(file, text, &mut docs, &mut diags);
    }
    (docs, diags)
}

/// A Markdown file: its front matter is the document, the rest its body.
fn markdown_file(
    file: &SourceFile,
    text: &str,
    docs: &mut Vec<RawDoc>,
    diags: &mut Vec<Diagnostic>,
) {
    let path = file.path.as_str();
    let doc = |node, body: &str, body_line| RawDoc {
        file: file.path.clone(),
        node,
        body: Some((body.to_string(), body_line, file.path.clone())),
        markdown: true,
        kind: file.kind.clone(),
        index: 0,
    };
    match split(text) {
        // A file a kind by location matches is its document with or
        // without front matter: a folder of specs need not have any.
        FrontMatter::NotDocument if file.kind.is_some() => {
            let empty = super::yaml::Node {
                pos: Pos::start(),
                value: NodeValue::Map(Vec::new()),
            };
            docs.push(doc(empty, text, 1));
        }
        FrontMatter::NotDocument => {}
        FrontMatter::Unclosed => diags.push(
            diag(Rule::YamlSyntax, path, Pos::start(), "front matter never closes")
                .note("a Markdown document starts with a `---` line and its front matter ends at the next `---` line"),
        ),
        FrontMatter::Document { yaml, body, body_line } => {
            let (nodes, error) = parse_stream(yaml, 2);
            if let Some(e) = error {
                diags.push(yaml_diag(path, e));
            } else if nodes.len() > 1 {
                diags.push(diag(Rule::YamlSyntax, path, nodes[1].pos, "front matter holds more than one YAML document"));
            } else {
                match nodes.into_iter().next() {
                    Some(node) if matches!(node.value, NodeValue::Map(_)) => {
                        docs.push(doc(node, body, body_line))
                    }
                    Some(node) if !node.is_null() => {
                        diags.push(diag(Rule::Schema, path, node.pos, "front matter must be a mapping of fields"))
                    }
                    _ => diags.push(diag(Rule::Schema, path, Pos::start(), "front matter is empty: a document needs `kind` and `title`")),
                }
            }
        }
    }
}

/// A YAML file: a stream of documents, each a mapping of fields.
fn yaml_file(file: &SourceFile, text: &str, docs: &mut Vec<RawDoc>, diags: &mut Vec<Diagnostic>) {
    let path = file.path.as_str();
    let (nodes, error) = parse_stream(text, 1);
    let any = !nodes.is_empty();
    for (index, node) in nodes.into_iter().enumerate() {
        if node.is_null() {
            continue;
        }
        if !matches!(node.value, NodeValue::Map(_)) {
            diags.push(diag(
                Rule::Schema,
                path,
                node.pos,
                "a YAML document must be a mapping of fields",
            ));
            continue;
        }
        let body = file.body.as_ref().map(|(p, t)| (t.clone(), 1, p.clone()));
        docs.push(RawDoc {
            file: file.path.clone(),
            node,
            body,
            markdown: false,
            kind: file.kind.clone(),
            index,
        });
    }
    if let Some(e) = error {
        diags.push(yaml_diag(path, e));
    } else if !any || docs.is_empty() && diags.is_empty() {
        diags.push(diag(
            Rule::Schema,
            path,
            Pos::start(),
            "YAML file holds no document",
        ));
    }
}

fn yaml_diag(path: &str, e: crate::parse::yaml::YamlError) -> Diagnostic {
    let d = diag(Rule::YamlSyntax, path, e.pos, e.message);
    match e.suggestion {
        Some(s) => d.suggest(s),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: Ok(text.into()),
            kind: None,
            body: None,
        }
    }

    #[test]
    fn stream_yields_each_document() {
        let (docs, diags) = parse_file(&file(
            "p.yaml",
            "kind: person\nid: a\n---\nkind: person\nid: b\n",
        ));
        assert!(diags.is_empty());
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].node.pos, Pos::new(4, 1));
    }

    #[test]
    fn broken_front_matter_is_reported_at_the_fault() {
        let (docs, diags) = parse_file(&file("f.md", "---\nkind: feature\ntitle: A: B\n---\n"));
        assert!(docs.is_empty());
        assert_eq!((diags[0].rule.name(), diags[0].line), ("yaml-syntax", 3));
    }
}
