//! What the cursor is on in front matter or a YAML document, read from
//! the text as typed (which need not parse yet): the kind of the document,
//! the JSON pointer of the field whose key or value it is on, and the word
//! typed so far. Nesting is read from indentation and `- ` list items.

use super::nav;
use super::text;
use super::workspace::Workspace;
use lsp_types::Position;
use serde_json::Value;

/// The cursor's place in a YAML mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Spot {
    /// The kind of the document it is in.
    pub kind: String,
    /// The field: a JSON pointer, `/0` for any list item (`/key_results/0/metric`).
    pub ptr: String,
    /// The JSON pointer of the mapping the cursor's line is a member of.
    pub parent: String,
    /// On a key (being typed, or hovered) rather than a value.
    pub on_key: bool,
    /// The word typed before the cursor.
    pub prefix: String,
    /// Where that word starts, in UTF-16 units of the line.
    pub prefix_start: u32,
    /// The keys written on the document's other lines at the top level.
    pub top_keys: Vec<String>,
}

/// A line's parts: indentation, the column of its `- ` if it is a list
/// item, its content's column and the content.
struct Line<'a> {
    dash: Option<usize>,
    content_col: usize,
    content: &'a str,
}

fn split(l: &str) -> Line<'_> {
    let indent = l.len() - l.trim_start_matches(' ').len();
    let rest = &l[indent..];
    match rest
        .strip_prefix("- ")
        .or(if rest == "-" { Some("") } else { None })
    {
        Some(after) => {
            let inner = after.len() - after.trim_start_matches(' ').len();
            Line {
                dash: Some(indent),
                content_col: indent + 2 + inner,
                content: after.trim_start_matches(' '),
            }
        }
        None => Line {
            dash: None,
            content_col: indent,
            content: rest,
        },
    }
}

/// The key a content starts with (`key:` or `key: value`).
fn key(content: &str) -> Option<&str> {
    let (k, rest) = content.split_once(':')?;
    let ok = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (ok && (rest.is_empty() || rest.starts_with(' '))).then_some(k)
}

/// The lines of the YAML mapping around line `n` of `file`: (first, end),
/// or None when line `n` is in a Markdown body.
fn region(file: &str, lines: &[&str], n: usize) -> Option<(usize, usize)> {
    let is_sep = |l: &&str| l.trim_end() == "---" || l.trim_end() == "...";
    if file.ends_with(".md") || file.ends_with(".markdown") {
        if lines.first().is_none_or(|l| l.trim_end() != "---") {
            return None;
        }
        let end = lines.iter().skip(1).position(is_sep).map(|i| i + 1)?;
        return (n >= 1 && n < end).then_some((1, end));
    }
    let start = lines[..n].iter().rposition(is_sep).map_or(0, |i| i + 1);
    let end = lines[n..]
        .iter()
        .position(is_sep)
        .map_or(lines.len(), |i| n + i);
    Some((start, end))
}

/// The JSON pointer segments of the mapping holding line `n`, read upward.
fn parents(lines: &[&str], first: usize, n: usize) -> Vec<String> {
    let cur = split(lines[n]);
    let mut segs = Vec::new();
    let mut want = match cur.dash {
        Some(d) => {
            segs.push("0".to_string());
            d
        }
        None => cur.content_col,
    };
    for l in lines[first..n].iter().rev() {
        if want == 0 {
            break;
        }
        let l = split(l);
        if l.content.is_empty() || l.content.starts_with('#') {
            continue;
        }
        if l.content_col < want
            && let Some(k) = key(l.content)
        {
            segs.push(k.to_string());
            want = l.content_col;
        }
        if let Some(d) = l.dash
            && l.content_col <= want
            && d < want
        {
            segs.push("0".to_string());
            want = d;
        }
    }
    segs.reverse();
    segs
}

/// The kind of the YAML document in lines `first..end` of `file`.
fn kind_of(ws: &Workspace, file: &str, lines: &[&str], first: usize, end: usize) -> Option<String> {
    let written = lines[first..end]
        .iter()
        .find_map(|l| l.strip_prefix("kind:"))
        .map(|k| {
            k.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
        })
        .filter(|k| !k.is_empty());
    match written {
        Some(k) => Some(k.to_string()),
        None => nav::docs_in(ws, file).next().map(|d| d.kind.clone()),
    }
}

/// Where the cursor at `pos` of `file` is, when it is in YAML.
pub fn at(ws: &Workspace, file: &str, pos: Position) -> Option<Spot> {
    let t = ws.text(file)?;
    let lines: Vec<&str> = t.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let n = pos.line as usize;
    if n >= lines.len() {
        return None;
    }
    let (first, end) = region(file, &lines, n)?;
    let kind = kind_of(ws, file, &lines, first, end)?;
    let l = lines[n];
    let col = text::char_col(l, pos.character);
    let before: String = l.chars().take(col).collect();
    let word_at = before
        .rfind([' ', '[', ',', ':', '"', '\''])
        .map_or(0, |i| i + 1);
    let prefix = before[word_at..].to_string();
    let prefix_start = text::utf16_col(l, before[..word_at].chars().count());
    let mut segs = parents(&lines, first, n);
    let line = split(l);
    let parent: String = segs.iter().map(|s| format!("/{s}")).collect();
    let on_key = match key(line.content) {
        Some(k) => {
            let key_end = line.content_col + k.chars().count();
            segs.push(k.to_string());
            col <= key_end
        }
        None => line.dash.is_none(),
    };
    let ptr: String = segs.iter().map(|s| format!("/{s}")).collect();
    let top_keys = (first..end)
        .filter(|&i| i != n)
        .filter_map(|i| key(lines[i]))
        .map(String::from)
        .collect();
    Some(Spot {
        kind,
        ptr,
        parent,
        on_key,
        prefix,
        prefix_start,
        top_keys,
    })
}

/// The schema of the field at `ptr` of a kind's `typing` schema.
pub fn schema_at<'a>(typing: &'a Value, ptr: &str) -> Option<&'a Value> {
    let mut at = typing;
    for seg in ptr.split('/').skip(1) {
        at = match seg.parse::<usize>() {
            Ok(_) => at.get("items")?,
            Err(_) => at.get("properties")?.get(seg)?,
        };
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_follow_indentation_and_list_items() {
        let y = "kind: objective\nkey_results:\n  - title: KR\n    metric: m\nrice:\n  reach: 2\ndepends_on:\n  - a\n";
        let lines: Vec<&str> = y.split('\n').collect();
        assert_eq!(parents(&lines, 0, 3), ["key_results", "0"]);
        assert_eq!(parents(&lines, 0, 2), ["key_results", "0"]);
        assert_eq!(parents(&lines, 0, 5), ["rice"]);
        assert_eq!(parents(&lines, 0, 7), ["depends_on", "0"]);
        assert!(parents(&lines, 0, 1).is_empty());
    }

    #[test]
    fn front_matter_and_yaml_streams_bound_the_mapping() {
        let md: Vec<&str> = "---\nkind: feature\ntitle: T\n---\n\nbody: not yaml\n"
            .split('\n')
            .collect();
        assert_eq!(region("a.md", &md, 1), Some((1, 3)));
        assert_eq!(region("a.md", &md, 0), None);
        assert_eq!(region("a.md", &md, 5), None);
        let prose: Vec<&str> = "# Title\n\ntext\n".split('\n').collect();
        assert_eq!(region("README.md", &prose, 0), None);
        let stream: Vec<&str> = "kind: person\nid: a\n---\nkind: team\nid: t\n"
            .split('\n')
            .collect();
        assert_eq!(region("p.yaml", &stream, 1), Some((0, 2)));
        assert_eq!(region("p.yaml", &stream, 4), Some((3, 6)));
    }

    #[test]
    fn keys_are_names_before_a_colon_and_a_space() {
        assert_eq!(key("status: idea"), Some("status"));
        assert_eq!(key("depends_on:"), Some("depends_on"));
        assert_eq!(key("url: https://x"), Some("url"));
        assert_eq!(key("https://x"), None);
        assert_eq!(key("a b: c"), None);
        assert_eq!(key(": c"), None);
    }
}
