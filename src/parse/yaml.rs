//! YAML text to a tree of nodes that keep their positions.
//!
//! We build the tree from the parser's events ourselves instead of using a
//! loader because (a) every diagnostic needs the position of the offending
//! key or value, and (b) loaders expand aliases by cloning, which lets a
//! ten-line alias bomb eat all memory. Here every node counts against a
//! budget, an alias is sized before it is copied, and nesting is bounded.
//! Scalars stay untyped text: typing needs the kind's schema
//! (docs/format.md#yaml-typing).

use crate::diag::Pos;
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Most nodes one file may produce, aliases expanded included.
pub const NODE_BUDGET: usize = 200_000;
/// Deepest nesting of sequences and mappings we accept.
pub const MAX_DEPTH: usize = 200;

/// A YAML node with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the node's text starts.
    pub pos: Pos,
    /// Its content.
    pub value: NodeValue,
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// A scalar as written; `plain` is false for quoted, block and `!!str` scalars.
    Scalar {
        /// The scalar's text after YAML unescaping.
        text: String,
        /// True for a plain (unquoted, untagged) scalar, which gets typed.
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order; keys are nodes so they keep positions.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The mapping's entry for `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&(Node, Node)> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True for an empty plain scalar or `null`/`~`: an absent value.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, NodeValue::Scalar { text, plain: true } if is_null_text(text))
    }
}

/// YAML 1.2 core schema null forms.
pub fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A YAML problem, at the fault.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// Where the parser stopped.
    pub pos: Pos,
    /// Lowercase message.
    pub message: String,
    /// A fix, when the mistake is a common one.
    pub suggestion: Option<String>,
}

/// Parses a YAML stream. `first_line` is the file line of the text's first
/// line (2 for front matter). Returns the documents parsed before any error,
/// and the error; a broken later document does not hide earlier ones.
pub fn parse_stream(text: &str, first_line: u32) -> (Vec<Node>, Option<YamlError>) {
    let mut builder = Builder::new(first_line);
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    while let Some(item) = parser.next_event() {
        match item {
            Ok((event, span)) => {
                let pos = builder.pos(span.start.line(), span.start.col());
                match builder.event(event, pos) {
                    Ok(Some(doc)) => docs.push(doc),
                    Ok(None) => {}
                    Err(err) => return (docs, Some(err)),
                }
            }
            Err(err) => {
                let pos = builder.pos(err.marker().line(), err.marker().col());
                return (docs, Some(scan_error(text, first_line, pos, err.info())));
            }
        }
    }
    (docs, None)
}

/// Turns a scanner error into our message, with the "quote the value"
/// suggestion for the commonest mistake: `title: Search: faster` unquoted.
fn scan_error(text: &str, first_line: u32, pos: Pos, info: &str) -> YamlError {
    let pos = if info.contains("tab") || info.contains("valid YAML whitespace") {
        tab_pos(text, first_line, pos, info.contains("found a tab")).unwrap_or(pos)
    } else {
        pos
    };
    if info.contains("mapping values are not allowed") {
        let idx = (pos.line.saturating_sub(first_line)) as usize;
        if let Some(line) = text.lines().nth(idx)
            && let Some((key, value)) = line.split_once(": ")
        {
            // Curly quotes are text to YAML, not quotes: the fix is
            // straight ones, not quotes around them.
            let value = value.trim();
            let value = value
                .strip_prefix(['“', '”'])
                .and_then(|v| v.strip_suffix(['”', '“']))
                .unwrap_or(value);
            let value = value.replace('\\', "\\\\").replace('"', "\\\"");
            return YamlError {
                pos,
                message: "a `: ` inside an unquoted value starts a new key in YAML".into(),
                suggestion: Some(format!(
                    "quote the value: `{}: \"{}\"`",
                    key.trim_end(),
                    value
                )),
            };
        }
    }
    if let Some(plain) = plain_words(text, first_line, pos, info) {
        return plain;
    }
    if let Some(plain) = tab_or_quote(text, first_line, pos, info) {
        return plain;
    }
    if let Some(plain) = unindented_close(text, first_line, pos, info) {
        return plain;
    }
    YamlError {
        pos,
        message: format!("invalid YAML: {info}"),
        suggestion: None,
    }
}

/// A tab where YAML wants a space (after a key's colon, or indenting a
/// line), and a quote never closed, in plain words with the fix.
fn tab_or_quote(text: &str, first_line: u32, pos: Pos, info: &str) -> Option<YamlError> {
    let line = text
        .lines()
        .nth(pos.line.checked_sub(first_line)? as usize)?;
    let at = line.chars().nth(pos.col.checked_sub(1)? as usize);
    if at == Some('\t') {
        let fixed = line.replace('\t', "  ");
        let (message, fix) = match line.split_once(":\t") {
            Some((key, value)) => (
                format!(
                    "`{}:` is followed by a tab; YAML needs a space there",
                    key.trim_start()
                ),
                format!("write `{}: {}`", key.trim_start(), value.trim_start()),
            ),
            None => (
                "a tab indents this line; YAML indents with spaces only".to_string(),
                format!("write `{}`", fixed.trim_end()),
            ),
        };
        return Some(YamlError {
            pos,
            message,
            suggestion: Some(fix),
        });
    }
    let quote = at.filter(|c| matches!(c, '"' | '\''))?;
    if !(info.contains("quoted scalar") || info.contains("end of stream")) {
        return None;
    }
    let opened: String = line.chars().skip(pos.col as usize - 1).collect();
    let closed = format!("{}{quote}", opened.trim_end());
    Some(YamlError {
        pos,
        message: format!("the `{quote}` opened here is never closed"),
        suggestion: Some(format!(
            "close it on this line: `{}{closed}`",
            line.chars()
                .take(pos.col as usize - 1)
                .collect::<String>()
                .trim_start()
        )),
    })
}

/// A flow collection's closing `]` or `}` at the start of a line, where a
/// key's value spans lines (`see-also: [` … `]`): YAML 1.2 wants it
/// indented, though YAML 1.1 loaders (PyYAML, go-yaml) let it pass.
fn unindented_close(text: &str, first_line: u32, pos: Pos, info: &str) -> Option<YamlError> {
    if info != "invalid indentation" || pos.col != 1 {
        return None;
    }
    let line = text
        .lines()
        .nth(pos.line.checked_sub(first_line)? as usize)?;
    let close = line.chars().next().filter(|c| matches!(c, ']' | '}'))?;
    let what = if close == ']' { "list" } else { "mapping" };
    Some(YamlError {
        pos,
        message: format!(
            "the closing `{close}` of a {what} written over several lines must be indented: in YAML 1.2 every line of a key's value sits right of the key (some YAML 1.1 loaders let it pass)"
        ),
        suggestion: Some(format!("indent it: `  {}`", line.trim_end())),
    })
}

/// The common YAML mistakes in words a PM reads, with the fix: a value
/// starting with a character YAML reserves (`@bparees`, `` `code` ``, an
/// alias's `*` as in `**provisional**`), and a key without a space after
/// its colon (`replaces:[]`, which the scanner reports a line late).
fn plain_words(text: &str, first_line: u32, pos: Pos, info: &str) -> Option<YamlError> {
    let lines: Vec<&str> = text.lines().collect();
    let line_at = |p: Pos| lines.get(p.line.checked_sub(first_line)? as usize).copied();
    let reserved = if info.contains("found unknown anchor") {
        Some('*')
    } else {
        info.strip_prefix("unexpected character: `")
            .and_then(|r| r.chars().next())
            .filter(|c| matches!(c, '@' | '`'))
    };
    if let Some(c) = reserved {
        let line = line_at(pos)?;
        let (head, value) = match line.trim_start().strip_prefix("- ") {
            Some(v) => (
                format!("{}- ", &line[..line.len() - line.trim_start().len()]),
                v,
            ),
            None => {
                let (k, v) = line.split_once(": ")?;
                (format!("{k}: "), v)
            }
        };
        let value = value.trim_end();
        let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
        let what = match c {
            '*' => "`*` starts an alias in YAML, so a value starting with it".to_string(),
            '`' => "a value starting with a backtick".to_string(),
            c => format!("a value starting with `{c}`"),
        };
        return Some(YamlError {
            pos,
            message: format!("{what} must be quoted"),
            suggestion: Some(format!("quote it: `{}\"{quoted}\"`", head.trim_start())),
        });
    }
    if info.contains("simple key expect ':'") {
        // The key before the error whose colon has no space after it.
        for back in 0..=3u32 {
            let at = Pos::new(pos.line.checked_sub(back)?, 1);
            let Some(line) = line_at(at) else { continue };
            let trimmed = line.trim_start();
            let Some(colon) = trimmed.find(':') else {
                continue;
            };
            let key = &trimmed[..colon];
            let after = &trimmed[colon + 1..];
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
                && !after.is_empty()
                && !after.starts_with([' ', '\t'])
            {
                let col = (line.len() - trimmed.len() + colon + 2) as u32;
                return Some(YamlError {
                    pos: Pos::new(at.line, col),
                    message: format!("`{key}:` needs a space after its colon"),
                    suggestion: Some(format!("write `{key}: {after}`")),
                });
            }
        }
    }
    None
}

/// The tab a scanner error about tabs is about. The scanner reports the
/// token after the blanks (or, with `later`, the start of the plain scalar
/// whose continuation line is indented with a tab), not the tab itself.
fn tab_pos(text: &str, first_line: u32, pos: Pos, later: bool) -> Option<Pos> {
    let idx = pos.line.checked_sub(first_line)? as usize;
    let mut lines = text.lines().skip(idx);
    let line = lines.next()?;
    let before: Vec<char> = line
        .chars()
        .take(pos.col.saturating_sub(1) as usize)
        .collect();
    let blanks = before
        .iter()
        .rposition(|c| !matches!(c, ' ' | '\t'))
        .map_or(0, |i| i + 1);
    if let Some(i) = before[blanks..].iter().position(|&c| c == '\t') {
        return Some(Pos::new(pos.line, (blanks + i) as u32 + 1));
    }
    if !later {
        return None;
    }
    (pos.line + 1..).zip(lines).find_map(|(n, line)| {
        line.chars()
            .take_while(|c| matches!(c, ' ' | '\t'))
            .position(|c| c == '\t')
            .map(|i| Pos::new(n, i as u32 + 1))
    })
}

enum Frame {
    Seq(Pos, usize, Vec<Node>),
    Map(Pos, usize, Vec<(Node, Node)>, Option<Node>),
}

struct Builder {
    first_line: u32,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    used: usize,
}

impl Builder {
    fn new(first_line: u32) -> Builder {
        Builder {
            first_line,
            stack: Vec::new(),
            anchors: HashMap::new(),
            used: 0,
        }
    }

    fn pos(&self, line: usize, col: usize) -> Pos {
        Pos::new(line as u32 + self.first_line - 1, col as u32 + 1)
    }

    fn charge(&mut self, n: usize, pos: Pos) -> Result<(), YamlError> {
        self.used = self.used.saturating_add(n);
        if self.used > NODE_BUDGET {
            return Err(YamlError {
                pos,
                message: format!("YAML expands to more than {NODE_BUDGET} nodes (an alias bomb?)"),
                suggestion: None,
            });
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, pos: Pos) -> Result<Option<Node>, YamlError> {
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                Ok(None)
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.charge(1, pos)?;
                let tagged_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let plain = style == ScalarStyle::Plain && !tagged_str;
                let node = Node {
                    pos,
                    value: NodeValue::Scalar {
                        text: text.into_owned(),
                        plain,
                    },
                };
                self.complete(node, anchor, 1)
            }
            Event::SequenceStart(anchor, _) => {
                self.open(pos)?;
                self.stack.push(Frame::Seq(pos, anchor, Vec::new()));
                Ok(None)
            }
            Event::MappingStart(anchor, _) => {
                self.open(pos)?;
                self.stack.push(Frame::Map(pos, anchor, Vec::new(), None));
                Ok(None)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned_size() else {
                    return Err(YamlError {
                        pos,
                        message: "alias to an unknown anchor".into(),
                        suggestion: None,
                    });
                };
                self.charge(size, pos)?;
                let mut node = node;
                node.pos = pos;
                self.complete(node, 0, size)
            }
            _ => Ok(None),
        }
    }

    fn open(&mut self, pos: Pos) -> Result<(), YamlError> {
        self.charge(1, pos)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                pos,
                message: format!("YAML nested deeper than {MAX_DEPTH} levels"),
                suggestion: None,
            });
        }
        Ok(())
    }

    fn close(&mut self) -> Result<Option<Node>, YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(None);
        };
        let (node, anchor) = match frame {
            Frame::Seq(pos, anchor, items) => (
                Node {
                    pos,
                    value: NodeValue::Seq(items),
                },
                anchor,
            ),
            Frame::Map(pos, anchor, entries, _) => (
                Node {
                    pos,
                    value: NodeValue::Map(entries),
                },
                anchor,
            ),
        };
        let size = if anchor > 0 { count(&node) } else { 0 };
        self.complete(node, anchor, size)
    }

    /// Places a finished node into its parent, or returns it as a document.
    fn complete(
        &mut self,
        node: Node,
        anchor: usize,
        size: usize,
    ) -> Result<Option<Node>, YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size.max(1)));
        }
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Seq(_, _, items)) => {
                items.push(node);
                Ok(None)
            }
            Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                None => {
                    if let Some(key) = node.as_str()
                        && let Some((first, _)) =
                            entries.iter().find(|(k, _)| k.as_str() == Some(key))
                    {
                        return Err(YamlError {
                            pos: node.pos,
                            message: format!(
                                "duplicate key `{key}` (first at line {}, column {})",
                                first.pos.line, first.pos.col
                            ),
                            suggestion: None,
                        });
                    }
                    *pending = Some(node);
                    Ok(None)
                }
                Some(key) => {
                    entries.push((key, node));
                    Ok(None)
                }
            },
        }
    }
}

trait ClonedSize {
    fn cloned_size(self) -> Option<(Node, usize)>;
}

impl ClonedSize for Option<&(Node, usize)> {
    fn cloned_size(self) -> Option<(Node, usize)> {
        self.cloned()
    }
}

/// Number of nodes in a tree, iteratively (trees may be deep).
fn count(node: &Node) -> usize {
    let mut n = 0;
    let mut todo = vec![node];
    while let Some(node) = todo.pop() {
        n += 1;
        match &node.value {
            NodeValue::Scalar { .. } => {}
            NodeValue::Seq(items) => todo.extend(items),
            NodeValue::Map(entries) => {
                for (k, v) in entries {
                    todo.push(k);
                    todo.push(v);
                }
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let (docs, err) = parse_stream("a: 1\nb:\n  - x\n  - 'y'\n", 2);
        assert!(err.is_none());
        let (k, v) = docs[0].get("b").expect("b");
        assert_eq!(k.pos, Pos::new(3, 1));
        let NodeValue::Seq(items) = &v.value else {
            panic!("seq")
        };
        assert_eq!(items[1].pos, Pos::new(5, 5));
        assert_eq!(
            items[1].value,
            NodeValue::Scalar {
                text: "y".into(),
                plain: false
            }
        );
    }

    #[test]
    fn duplicate_key_is_an_error_at_the_second_key() {
        let (_, err) = parse_stream("a: 1\na: 2\n", 1);
        let err = err.expect("error");
        assert_eq!(err.pos, Pos::new(2, 1));
        assert!(err.message.contains("duplicate key `a`"));
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let (_, err) = parse_stream(&s, 1);
        assert!(err.expect("error").message.contains("alias bomb"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = format!("a: {}{}\n", "[".repeat(20_000), "]".repeat(20_000));
        let (_, err) = parse_stream(&s, 1);
        assert!(err.is_some());
    }

    #[test]
    fn tab_errors_point_at_the_tab() {
        let at = |s: &str| parse_stream(s, 1).1.expect("error").pos;
        assert_eq!(at("a: 1\nb:\n\t- x\n"), Pos::new(3, 1));
        assert_eq!(at("a:\n  - b: x\n \t  c: y\n"), Pos::new(3, 2));
    }

    #[test]
    fn an_unindented_closing_bracket_says_so() {
        let (_, err) = parse_stream("see-also: [\n  \"a\",\n]\nstage: beta\n", 1);
        let err = err.expect("error");
        assert_eq!(err.pos, Pos::new(3, 1));
        assert!(
            err.message.starts_with(
                "the closing `]` of a list written over several lines must be indented"
            ),
            "{}",
            err.message
        );
        assert_eq!(err.suggestion.as_deref(), Some("indent it: `  ]`"));
    }

    #[test]
    fn colon_in_value_suggests_quoting() {
        let (_, err) = parse_stream("title: Search: faster\n", 2);
        let err = err.expect("error");
        assert_eq!(
            err.suggestion.as_deref(),
            Some("quote the value: `title: \"Search: faster\"`")
        );
    }
}
