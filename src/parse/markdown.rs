//! What the checker needs from a Markdown body: headings with their slugs,
//! links with their positions, and `[[id]]` links.
//!
//! The slug function here is the only one: the renderer uses it for heading
//! ids, so an anchor that `broken-link` accepts always exists on the page.

use crate::diag::Pos;
use crate::parse::lines::LineIndex;
use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
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

/// The text of a body's first level-1 heading: the title of a kind whose
/// `title` is `#`. None without one: a level-2 heading is a section
/// (`## Summary`), not a title, and the document is then titled by its
/// file's name (`check::documents`).
///
/// History asks this of every version of every such file, and
/// pulldown-cmark reads a whole text into blocks before it gives the
/// first event: most of the cost of reading a history of long specs was
/// this function parsing bodies past a title on their third line. So it
/// parses a growing head of the body and stops at a level-1 heading that
/// the rest cannot change (`settled_title`); only a body without one
/// is read whole.
pub fn title_heading(body: &str) -> Option<String> {
    let mut len = TITLE_HEAD;
    while len < body.len() {
        // By bytes: `len` may fall inside a character, a newline never.
        let cut = body.as_bytes()[len..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(body.len(), |i| len + i + 1);
        if cut >= body.len() {
            break;
        }
        if let Some(title) = settled_title(&body[..cut]) {
            return Some(title);
        }
        len = len.saturating_mul(4);
    }
    headings(body).map(|(text, _)| text)
}

/// The status a body's section headed `heading` (compared without case or
/// a closing colon) gives, and the line of the body it is on (0 for the
/// first): the first word of the first paragraph or list item under it
/// that starts with a letter and is not the heading's own word
/// (`Status: Accepted`), lower-cased, without the punctuation around it.
/// Decision records in Nygard's format keep their status so (`## Status`
/// then `Accepted`, or `Superseded by [5. …](…)`). None when there is no
/// such section, or another heading comes before any paragraph.
pub fn section_status(body: &str, heading: &str) -> Option<(String, usize)> {
    let fenced = github_fences(body);
    let heading = heading.trim().trim_end_matches(':');
    let named = |h: &str| h.trim().trim_end_matches(':').eq_ignore_ascii_case(heading);
    let mut open: Option<String> = None;
    let mut found = false;
    let mut words: Option<(String, usize)> = None;
    for (event, range) in Parser::new_ext(&fenced, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                if found {
                    return None;
                }
                open = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                found = open.take().is_some_and(|h| named(&h));
            }
            Event::Start(Tag::Paragraph | Tag::Item) if found && words.is_none() => {
                words = Some((String::new(), range.start));
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) if words.is_some() => break,
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = open.as_mut() {
                    h.push_str(&t);
                } else if let Some((w, _)) = words.as_mut() {
                    w.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((w, _)) = words.as_mut() {
                    w.push(' ');
                }
            }
            _ => {}
        }
    }
    let (text, start) = words?;
    let word = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| w.starts_with(char::is_alphabetic) && !named(w))?
        .to_lowercase();
    let line = fenced[..start].matches('\n').count();
    Some((word, line))
}

/// How much of a body [`title_heading`] reads first: a title is nearly
/// always in it (in OpenShift's 600 specs, 99 in 100 end within 96 bytes
/// of the front matter), and parsing it costs little beside a long
/// body's whole.
const TITLE_HEAD: usize = 512;

/// The first level-1 heading of `head`, a body cut after a line, when
/// what follows the cut cannot make it another. Markdown decides a
/// line's block from the lines before it, and from the line after it
/// only where that line ends a block (a setext underline, a table's
/// delimiter row): a heading's own lines are never changed by what comes
/// after them. Its words are the same unless they hold a `[`, a
/// reference link or footnote whose definition may come after the cut.
fn settled_title(head: &str) -> Option<String> {
    let (text, range) = headings(head)?;
    (!head[range].contains('[')).then_some(text)
}

/// The first level-1 heading of `body` with the bytes it spans.
fn headings(body: &str) -> Option<(String, Range<usize>)> {
    let fenced = github_fences(body);
    let mut open: Option<(u8, String, Range<usize>)> = None;
    for (event, range) in Parser::new_ext(&fenced, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                open = Some((level_num(level), String::new(), range))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h, _)) = open.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, range)) = open.take() {
                    let text = text.trim().to_string();
                    if text.is_empty() {
                        continue;
                    }
                    if level == 1 {
                        return Some((text, range));
                    }
                }
            }
            _ => {}
        }
    }
    None
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
            // An e-mail autolink (`<ada@example.com>`) carries the address
            // alone: it is a mailto link, not a file of that name.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                dest_url,
                ..
            }) => info.links.push(Link {
                dest: format!("mailto:{dest_url}"),
                pos: index.pos(range.start),
            }),
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
    use proptest::prelude::*;

    /// What `title_heading` answers from the head of a body is what the
    /// whole body gives: bodies of lines that change blocks (fences,
    /// setext underlines, tables, HTML, lists) and headings whose words a
    /// later reference definition changes, long enough to be cut.
    #[test]
    fn a_title_read_from_the_head_is_the_whole_body_s() {
        let filler = format!("{}\n", "lorem ipsum dolor ".repeat(60));
        let lines = prop::sample::select(vec![
            "# Title\n".to_string(),
            "# [Ref] title\n".to_string(),
            "# [^1] noted\n".to_string(),
            "## Second\n".to_string(),
            "#\n".to_string(),
            "Setext\n".to_string(),
            "===\n".to_string(),
            "---\n".to_string(),
            "```\n".to_string(),
            "```\t\n".to_string(),
            "~~~\n".to_string(),
            "| a | b |\n".to_string(),
            "|---|---|\n".to_string(),
            "<!--\n".to_string(),
            "-->\n".to_string(),
            "<div>\n".to_string(),
            "> quoted\n".to_string(),
            "- item\n".to_string(),
            "    indented\n".to_string(),
            "[ref]: https://example.com\n".to_string(),
            "[^1]: a note\n".to_string(),
            "\n".to_string(),
            "—\n".to_string(),
            "ü\n".to_string(),
            filler.clone(),
            filler.clone(),
            filler,
        ]);
        let config = ProptestConfig::with_cases(400);
        proptest!(config, |(body in prop::collection::vec(lines, 0..40))| {
            let body = body.concat();
            prop_assert_eq!(title_heading(&body), headings(&body).map(|(t, _)| t));
        });
    }

    #[test]
    fn a_title_after_a_cut_or_changed_by_a_later_definition_is_the_whole_body_s() {
        let filler = format!("{}\n\n", "lorem ipsum ".repeat(100));
        // The title past the first head read.
        let late = format!("{}# Late\n", filler.repeat(5));
        assert_eq!(title_heading(&late).as_deref(), Some("Late"));
        // A reference defined after the cut makes the heading's words.
        let defined = format!(
            "# See [Ref]\n\n{}[ref]: https://example.com\n",
            filler.repeat(5)
        );
        assert_eq!(title_heading(&defined).as_deref(), Some("See Ref"));
        // A setext heading whose underline is the first line past the cut.
        let setext = format!("{}\n\nTitle\n===\n", "x".repeat(TITLE_HEAD - 4));
        assert_eq!(title_heading(&setext).as_deref(), Some("Title"));
        // The head ends where a character is cut in two.
        let wide = format!("# Wid {}\n\n{}\n", "—".repeat(1400), "—".repeat(1400));
        assert!(!wide.is_char_boundary(TITLE_HEAD));
        assert_eq!(title_heading(&wide).map(|t| t.len()), Some(4 + 3 * 1400));
        // A fence left open before the cut keeps a heading in code.
        let fenced = format!("```\n{}# Not a title\n", filler.repeat(5));
        assert_eq!(title_heading(&fenced), None);
        // A level-2 heading is no title.
        assert_eq!(title_heading("## Summary\n\nx\n\n### More\n"), None);
    }

    #[test]
    fn a_status_is_the_first_word_under_its_section() {
        let word = |body: &str| section_status(body, "Status").map(|(w, _)| w);
        let nygard =
            "# 2. Use Rust\n\nDate: 2026-01-05\n\n## Status\n\nAccepted\n\n## Context\n\nx\n";
        assert_eq!(
            section_status(nygard, "status"),
            Some(("accepted".to_string(), 6))
        );
        let superseded = "## Status\n\nSuperseded by [5. Use Zig](0005-use-zig.md)\n";
        assert_eq!(word(superseded).as_deref(), Some("superseded"));
        let styled = "## Status\n\n**Proposed**, see below.\n";
        assert_eq!(word(styled).as_deref(), Some("proposed"));
        // The forms other records use: a colon, a list, the heading's word
        // or a date first, a comment before.
        for body in [
            "## Status:\n\nAccepted\n",
            "## Status\n\n* Accepted\n* 2020-01-01\n",
            "## Status\n\nStatus: Accepted\n",
            "## Status\n\n2020-01-01: Accepted\n",
            "## Status\n\n<!-- one of: proposed, accepted -->\n\nAccepted\n",
        ] {
            assert_eq!(word(body).as_deref(), Some("accepted"), "{body}");
        }
        // No section, an empty one, one in code: no status.
        assert_eq!(word("# T\n\nAccepted\n"), None);
        assert_eq!(word("## Status\n\n## Context\n\nx\n"), None);
        assert_eq!(word("```\n## Status\n\nAccepted\n```\n"), None);
    }

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
