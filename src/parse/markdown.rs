//! What the checker needs from a Markdown body: headings with their slugs,
//! links with their positions, and `[[id]]` links.
//!
//! The slug function here is the only one: the renderer uses it for heading
//! ids, so an anchor that `broken-link` accepts always exists on the page.

use crate::diag::Pos;
use crate::parse::lines::LineIndex;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

/// The Markdown extensions the site renders (docs/format.md#markdown).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// A heading of the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Its plain text.
    pub text: String,
    /// Its unique anchor on the page.
    pub slug: String,
}

/// A link written with Markdown syntax (`[t](dest)` or an image).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The destination as written.
    pub dest: String,
    /// Where the link starts in the file.
    pub pos: Pos,
}

/// A `[[id]]`, `[[id|label]]` or `[[id#anchor]]` link.
#[derive(Debug, Clone, PartialEq)]
pub struct WikiLink {
    /// Byte range of the whole `[[...]]` in the body.
    pub range: Range<usize>,
    /// The target id.
    pub id: String,
    /// The heading anchor, if any.
    pub anchor: Option<String>,
    /// The label, if any.
    pub label: Option<String>,
    /// Where it starts in the file.
    pub pos: Pos,
    /// Followed by `(` or `[`, as in `[[1]](https://…)`, a Markdown link
    /// whose text is `[1]`: a wiki link only when its id exists.
    pub tentative: bool,
}

/// Everything the checks read from a body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyInfo {
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Markdown links and images.
    pub links: Vec<Link>,
    /// `[[id]]` links outside code.
    pub wiki_links: Vec<WikiLink>,
    /// Anchors written as HTML (`<a id="x">`, `<a name="x">`, any tag's
    /// `id`), which links may point to as GitHub allows.
    pub html_anchors: Vec<String>,
}

/// GitHub's heading slug: lowercase, punctuation dropped, spaces to `-`.
pub fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Gives repeated slugs GitHub's `-1`, `-2` suffixes.
#[derive(Default)]
pub struct SlugCounter(HashMap<String, usize>);

impl SlugCounter {
    /// The unique slug for the next heading with this text.
    pub fn unique(&mut self, text: &str) -> String {
        let base = slug(text);
        let n = self.0.entry(base.clone()).or_insert(0);
        let out = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        out
    }
}

/// The body as GitHub reads it where pulldown-cmark does not: a fence
/// line followed by tabs (```` ```\t ````) closes its block on GitHub,
/// and pulldown-cmark accepts trailing spaces only, so those tabs become
/// spaces (byte for byte, so every offset stays). Without this, the rest
/// of a document after such a line was code: its headings unknown, its
/// links unchecked.
pub fn github_fences(body: &str) -> std::borrow::Cow<'_, str> {
    let is_tabbed_fence = |line: &str| {
        let t = line.trim_start_matches(' ');
        let run = t.chars().take_while(|c| *c == '`' || *c == '~').count();
        let rest = &t[run..];
        line.len() - t.len() <= 3
            && run >= 3
            && (t.starts_with("```") || t.starts_with("~~~"))
            && rest.contains('\t')
            && rest
                .trim_end_matches(['\r', '\n'])
                .chars()
                .all(|c| c == ' ' || c == '\t')
    };
    if !body.split_inclusive('\n').any(is_tabbed_fence) {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        if is_tabbed_fence(line) {
            out.push_str(&line.replace('\t', " "));
        } else {
            out.push_str(line);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The text of a body's first level-1 heading, else of its first
/// heading: the title of a kind whose `title` is `#`. Stops at the first
/// level-1 heading, since history asks it of every version of a file.
pub fn title_heading(body: &str) -> Option<String> {
    let fenced = github_fences(body);
    let mut first: Option<String> = None;
    let mut open: Option<(u8, String)> = None;
    for event in Parser::new_ext(&fenced, options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((level_num(level), String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h)) = open.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = open.take() {
                    let text = text.trim().to_string();
                    if text.is_empty() {
                        continue;
                    }
                    if level == 1 {
                        return Some(text);
                    }
                    first.get_or_insert(text);
                }
            }
            _ => {}
        }
    }
    first
}

/// Reads headings, links and `[[id]]` links from a body that starts on file
/// line `first_line`.
pub fn scan(body: &str, first_line: u32) -> BodyInfo {
    let fenced = github_fences(body);
    let body = fenced.as_ref();
    let index = LineIndex::new(body, first_line);
    let mut info = BodyInfo::default();
    let mut counter = SlugCounter::default();
    let mut heading: Option<(u8, String)> = None;
    let mut code: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_num(level), String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let slug = counter.unique(&text);
                    info.headings.push(Heading { level, text, slug });
                }
            }
            Event::Text(t) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::Code(t) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&t);
                }
                code.push(range);
            }
            Event::Start(Tag::CodeBlock(_)) => code.push(range),
            Event::Html(html) | Event::InlineHtml(html) => {
                html_anchors(&html, &mut info.html_anchors);
                code.push(range)
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                info.links.push(Link {
                    dest: dest_url.to_string(),
                    pos: index.pos(range.start),
                });
            }
            _ => {}
        }
    }
    info.wiki_links = wiki_links(body, &code, &index);
    info
}

fn level_num(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Finds `[[...]]` outside code spans, code blocks and raw HTML.
fn wiki_links(body: &str, code: &[Range<usize>], index: &LineIndex<'_>) -> Vec<WikiLink> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = body[from..].find("[[") {
        let start = from + rel;
        let Some(len) = body[start + 2..].find("]]") else {
            break;
        };
        let end = start + 2 + len + 2;
        let inner = &body[start + 2..end - 2];
        from = start + 2;
        if inner.is_empty() || inner.contains('\n') || inner.contains('[') {
            continue;
        }
        if code.iter().any(|r| r.contains(&start)) {
            continue;
        }
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t.trim(), Some(l.trim().to_string())),
            None => (inner.trim(), None),
        };
        let (id, anchor) = match target.split_once('#') {
            Some((i, a)) => (i.to_string(), Some(a.to_string())),
            None => (target.to_string(), None),
        };
        // `[[route, controller]]` is prose in brackets, not a link: an id
        // has no spaces or commas.
        if !super::valid_id(&id) {
            continue;
        }
        out.push(WikiLink {
            range: start..end,
            id,
            anchor,
            label,
            pos: index.pos(start),
            tentative: matches!(body.as_bytes().get(end), Some(b'(' | b'[')),
        });
        from = end;
    }
    out
}

/// The values of `id` and `name` attributes in a piece of raw HTML.
fn html_anchors(html: &str, out: &mut Vec<String>) {
    let lower = html.to_ascii_lowercase();
    for attr in ["id", "name"] {
        let mut from = 0;
        while let Some(rel) = lower[from..].find(attr) {
            let at = from + rel;
            from = at + attr.len();
            // A whole attribute name: after a space, before `=`.
            let before = lower[..at].chars().next_back();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let rest = lower[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let value_at = html.len() - rest.trim_start().len();
            let raw = &html[value_at..];
            let value = match raw.chars().next() {
                Some(q @ ('"' | '\'')) => raw[1..].split(q).next().unwrap_or(""),
                _ => raw
                    .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .next()
                    .unwrap_or(""),
            };
            if !value.is_empty() {
                out.push(value.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_github() {
        assert_eq!(slug("Non-goals"), "non-goals");
        assert_eq!(slug("What's next? (2027)"), "whats-next-2027");
        let mut c = SlugCounter::default();
        assert_eq!(c.unique("Goals"), "goals");
        assert_eq!(c.unique("Goals"), "goals-1");
    }

    #[test]
    fn finds_links_and_wiki_links_outside_code() {
        let body = "# Title\n\nSee [[a-b|the A]] and [x](other.md#goals).\n\n`[[not-me]]`\n";
        let info = scan(body, 5);
        assert_eq!(info.headings[0].slug, "title");
        assert_eq!(info.links[0].dest, "other.md#goals");
        assert_eq!(info.links[0].pos, Pos::new(7, 23));
        assert_eq!(info.wiki_links.len(), 1);
        assert_eq!(info.wiki_links[0].id, "a-b");
        assert_eq!(info.wiki_links[0].pos, Pos::new(7, 5));
    }
}
