//! A document body to safe HTML.
//!
//! Heading ids come from the same slug function `broken-link` checks
//! against, `[[id]]` links become links titled with the target's title,
//! relative `.md` links point at the target's page, linked files are
//! collected for copying, and the result goes through an allowlist
//! sanitizer: nothing a document says can run script in a reader's browser.

use crate::check::links::{Target, resolve};
use crate::parse::markdown::{SlugCounter, options, scan};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd, html};
use std::collections::{BTreeSet, HashSet};

/// Resolves ids and files to page addresses for the page being rendered.
pub trait Linker {
    /// The address of a document's page relative to the current page, with
    /// its title, or None when it is not published (missing, or internal in
    /// a public build).
    fn doc(&self, id: &str) -> Option<(String, String)>;
    /// The id of the document defined in a file, if any.
    fn doc_in_file(&self, path: &str) -> Option<String>;
    /// Whether a path (relative to the plans root) is a file that exists.
    fn file_exists(&self, path: &str) -> bool;
    /// The prefix from the current page to the site root (`../`).
    fn root(&self) -> &str;
    /// Whether `id` names a document this build does not publish (an
    /// internal one in a public build): a `[[id]]` to it shows neither
    /// the id nor the title, which would tell readers it exists.
    fn withheld(&self, _id: &str) -> bool {
        false
    }
}

/// What a `[[id]]` to a withheld document shows instead of its id.
pub const WITHHELD: &str = "an internal document";

/// Rendered body: HTML and the files it links to.
pub struct Rendered {
    /// Sanitized HTML.
    pub html: String,
    /// Files (relative to the plans root) to copy into the site.
    pub files: BTreeSet<String>,
}

const WIKI: &str = "ns-wiki:";

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// What a `[[id]]` shows: its label, else the target's title, else, for
/// a document this build does not publish, neither its id nor its title
/// ([`WITHHELD`]), else the id (a broken link, which `check` reports).
/// One rule for the page and the search index.
pub fn wiki_label(w: &crate::parse::markdown::WikiLink, linker: &dyn Linker) -> String {
    w.label
        .clone()
        .or_else(|| linker.doc(&w.id).map(|(_, t)| t))
        .unwrap_or_else(|| {
            if linker.withheld(&w.id) {
                WITHHELD.to_string()
            } else {
                w.id.clone()
            }
        })
}

/// Whether a `[[…]]` the parser found is a link on this page:
/// `[[1]](https://…)` is a Markdown link whose text is `[1]`, unless `1`
/// is a document.
pub fn is_wiki_link(w: &crate::parse::markdown::WikiLink, linker: &dyn Linker) -> bool {
    !w.tentative || linker.doc(&w.id).is_some() || linker.withheld(&w.id)
}

/// Replaces `[[id|label]]` with ordinary links the event pass resolves.
fn expand_wiki_links(body: &str, linker: &dyn Linker) -> String {
    // Finding them takes a whole Markdown parse (a `[[` in code is no
    // link); most bodies have none, and the page's own parse follows.
    if !body.contains("[[") {
        return body.to_string();
    }
    let info = scan(body, 1);
    if info.wiki_links.is_empty() {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut last = 0;
    for w in &info.wiki_links {
        if !is_wiki_link(w, linker) {
            continue;
        }
        out.push_str(&body[last..w.range.start]);
        let label = wiki_label(w, linker);
        // Escaped for the `<…>` destination it is written into: a `>`
        // in an anchor ended the link there and left the rest as text.
        let anchor = w
            .anchor
            .as_ref()
            .map(|a| format!("#{}", escape_destination(a)))
            .unwrap_or_default();
        out.push_str(&format!(
            "[{}](<{WIKI}{}{}>)",
            escape_label(&label),
            w.id,
            anchor
        ));
        last = w.range.end;
    }
    out.push_str(&body[last..]);
    out
}

/// Text for a `<…>` link destination, kept as written: `\`, `<`, `>`
/// and `&` (which would start an entity) escaped.
fn escape_destination(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '<' | '>' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders `body`, written in `file`, for the page `linker` describes.
///
/// A body with raw HTML in it (other than comments), or a link to any
/// scheme but http, https and mailto, goes through the sanitizer whole.
/// Any other body is Markdown alone, and what pulldown-cmark writes for
/// Markdown is already what the sanitizer keeps: text and attribute
/// values escaped, tags from a fixed set. There only `rel` is added to
/// links; the sanitizer, which parses and writes the whole page again,
/// was most of the time a long spec took to render.
pub fn render(body: &str, file: &str, linker: &dyn Linker) -> Rendered {
    let (raw, markdown_only, files) = render_raw(body, file, linker);
    let html = if markdown_only {
        with_link_rel(&raw)
    } else {
        sanitize(&raw)
    };
    Rendered { html, files }
}

/// The HTML pulldown-cmark writes for a body, whether it is Markdown
/// alone (see [`render`]), and the files it links to.
fn render_raw(body: &str, file: &str, linker: &dyn Linker) -> (String, bool, BTreeSet<String>) {
    let text = expand_wiki_links(body, linker);
    let text = crate::parse::markdown::github_fences(&text).into_owned();
    let mut events: Vec<Event<'_>> = Parser::new_ext(&text, options()).collect();
    let mut markdown_only = drop_comments(&mut events);
    let mut files = BTreeSet::new();
    let mut slugs = SlugCounter::default();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { .. }) => {
                let mut t = String::new();
                for e in events[i + 1..].iter() {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(s) | Event::Code(s) => t.push_str(s),
                        _ => {}
                    }
                }
                let slug = slugs.unique(&t);
                if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                    *id = Some(CowStr::from(slug));
                }
            }
            // An e-mail autolink: pulldown-cmark writes its `mailto:`.
            Event::Start(Tag::Link {
                link_type: LinkType::Email,
                ..
            }) => {}
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                let is_image = matches!(events[i], Event::Start(Tag::Image { .. }));
                match rewrite(dest_url, file, linker, &mut files) {
                    Some(new) => match &mut events[i] {
                        Event::Start(Tag::Link { dest_url, .. })
                        | Event::Start(Tag::Image { dest_url, .. }) => {
                            *dest_url = CowStr::from(new)
                        }
                        _ => {}
                    },
                    None if !is_image => {
                        // An unpublished or missing target: keep the words, drop the link.
                        events[i] = Event::Html(CowStr::from("<span class=\"unlinked\">"));
                        if let Some(end) = find_end(&events, i) {
                            events[end] = Event::Html(CowStr::from("</span>"));
                        }
                    }
                    None => {}
                }
            }
            // A fence's language would be a class, which pages do not
            // carry (the sanitizer drops it).
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if !lang.is_empty() => {
                events[i] = Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(CowStr::from(""))));
            }
            // A task-list box is a form control: it needs a name for screen
            // readers (axe `label`); the words after it are the task.
            Event::TaskListMarker(done) => {
                let (checked, name) = if *done {
                    (" checked=\"\"", "done")
                } else {
                    ("", "to do")
                };
                events[i] = Event::Html(CowStr::from(format!(
                    "<input disabled=\"\" type=\"checkbox\"{checked} aria-label=\"{name}\"/>\n"
                )));
            }
            _ => {}
        }
        i += 1;
    }
    // Checked after the rewriting: the addresses that reach the page.
    // A heading's classes and attributes (`{.c key=v}`, off in
    // `options()`) would be written as given: they take the sanitizer.
    markdown_only &= events.iter().all(|e| match e {
        Event::Start(Tag::Heading { classes, attrs, .. }) => classes.is_empty() && attrs.is_empty(),
        Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
            safe_url(dest_url)
        }
        _ => true,
    });
    let mut raw = String::with_capacity(text.len() * 2);
    html::push_html(&mut raw, events.into_iter());
    (raw, markdown_only, files)
}

/// Drops the body's HTML comments, which show nothing (the sanitizer
/// drops them too), and says whether no other raw HTML is left.
fn drop_comments(events: &mut Vec<Event<'_>>) -> bool {
    let mut markdown_only = true;
    let mut kept = Vec::with_capacity(events.len());
    let mut block: Option<(Vec<Event<'_>>, String)> = None;
    for e in events.drain(..) {
        match e {
            Event::Start(Tag::HtmlBlock) => block = Some((vec![e], String::new())),
            Event::End(TagEnd::HtmlBlock) => {
                let (mut inside, text) = block.take().unwrap_or_default();
                if !only_comments(&text) {
                    markdown_only = false;
                    inside.push(e);
                    kept.append(&mut inside);
                }
            }
            e if block.is_some() => {
                if let Some((inside, text)) = &mut block {
                    match &e {
                        Event::Html(h) => text.push_str(h),
                        _ => markdown_only = false,
                    }
                    inside.push(e);
                }
            }
            Event::InlineHtml(ref h) if only_comments(h) => {}
            Event::Html(_) | Event::InlineHtml(_) => {
                markdown_only = false;
                kept.push(e);
            }
            e => kept.push(e),
        }
    }
    // An HTML block the parser left open (never in practice) is kept.
    if let Some((mut inside, _)) = block {
        markdown_only = false;
        kept.append(&mut inside);
    }
    *events = kept;
    markdown_only
}

/// Whether raw HTML is nothing but comments and the space between them,
/// as a browser reads them. Anything unusual (a comment closed by `--!>`,
/// `<!-->`) counts as other HTML, which the sanitizer then reads.
fn only_comments(html: &str) -> bool {
    let mut rest = html.trim_start();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let Some(body) = rest.strip_prefix("<!--") else {
            return false;
        };
        if body.starts_with('>') || body.starts_with("->") {
            return false;
        }
        let Some(end) = body.find("-->") else {
            return false;
        };
        if body[..end].contains("--!>") {
            return false;
        }
        rest = body[end + 3..].trim_start();
    }
    true
}

/// What the sanitizer adds to every link: `rel="noopener noreferrer"`,
/// last in the start tag. In Markdown alone every `<a` is a start tag
/// pulldown-cmark wrote, whose attribute values hold no `>` (escaped).
fn with_link_rel(html: &str) -> String {
    const REL: &str = " rel=\"noopener noreferrer\"";
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some(at) = rest.find("<a href=\"") {
        let Some(close) = rest[at..].find('>') else {
            break;
        };
        out.push_str(&rest[..at + close]);
        out.push_str(REL);
        rest = &rest[at + close..];
    }
    out.push_str(rest);
    out
}

fn find_end(events: &[Event<'_>], start: usize) -> Option<usize> {
    let mut depth = 0;
    for (j, e) in events.iter().enumerate().skip(start + 1) {
        match e {
            Event::Start(Tag::Link { .. }) => depth += 1,
            Event::End(TagEnd::Link) if depth == 0 => return Some(j),
            Event::End(TagEnd::Link) => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The published address of a link destination, or None to unlink it.
fn rewrite(
    dest: &str,
    file: &str,
    linker: &dyn Linker,
    files: &mut BTreeSet<String>,
) -> Option<String> {
    if let Some(rest) = dest.strip_prefix(WIKI) {
        let (id, anchor) = match rest.split_once('#') {
            Some((i, a)) => (i, format!("#{a}")),
            None => (rest, String::new()),
        };
        return linker.doc(id).map(|(href, _)| format!("{href}{anchor}"));
    }
    match resolve(dest, file) {
        Target::External | Target::SamePage(_) => Some(dest.to_string()),
        Target::Outside => None,
        Target::Path(path, anchor) => {
            let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            if let Some(id) = linker.doc_in_file(&path) {
                return linker.doc(&id).map(|(href, _)| format!("{href}{anchor}"));
            }
            // Active content (HTML, SVG…) is never copied: opened from
            // the site it would run script there (`active-content`).
            if linker.file_exists(&path) && !crate::check::links::active_content(&path) {
                let href = format!("{}files/{}{anchor}", linker.root(), encode_path(&path));
                files.insert(path);
                return Some(href);
            }
            None
        }
    }
}

/// What [`encode_path`] leaves as it is: letters, digits, `-_.~` (RFC
/// 3986's unreserved characters) and `/`, which separates the segments.
const PATH_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes what a path segment cannot hold in an `href`.
pub fn encode_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH_KEEPS).to_string()
}

/// The allowlist sanitizer, configured for what our Markdown emits:
/// heading ids, task-list checkboxes, footnote ids and classes.
pub fn sanitize(html: &str) -> String {
    let mut b = ammonia::Builder::default();
    b.add_tags(["input"]);
    b.add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"]);
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b.add_tag_attributes("div", ["class", "id"]);
    b.add_tag_attributes("sup", ["class", "id"]);
    b.add_tag_attributes("span", ["class"]);
    b.add_tag_attributes("li", ["id"]);
    // Anchors written as HTML, which links may point to (`broken-link`
    // accepts them).
    b.add_tag_attributes("a", ["id", "name"]);
    b.add_tag_attributes("td", ["style"]);
    b.add_tag_attributes("th", ["style"]);
    b.attribute_filter(|element, attribute, value| match (element, attribute) {
        ("input", "type") if value != "checkbox" => None,
        ("td" | "th", "style")
            if !matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            ) =>
        {
            None
        }
        _ => Some(value.into()),
    });
    b.link_rel(Some("noopener noreferrer"));
    b.clean(html).to_string()
}

/// Whether a URL from a field is safe to put in an `href`: http, https,
/// mailto, or a path on this site. Judged as a browser reads it (WHATWG
/// URL parsing): tabs and newlines anywhere are dropped (`java\tscript:`
/// is `javascript:`), controls and spaces at the ends are trimmed, and `\`
/// counts as `/`, so `/\evil.example` and `\\evil.example` are, like
/// `//evil.example`, another host dressed as a local path.
pub fn safe_url(url: &str) -> bool {
    let seen: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let lower = seen.trim_matches(|c: char| c <= ' ').to_ascii_lowercase();
    let slashes = lower.chars().take(2).filter(|c| matches!(c, '/' | '\\'));
    if slashes.count() == 2 {
        return false;
    }
    match lower.find(':') {
        Some(i) if !lower[..i].contains(['/', '\\', '?', '#']) => {
            matches!(&lower[..i], "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// A trivial linker for tests and for text with no links.
pub struct NoLinks;

impl Linker for NoLinks {
    fn doc(&self, _: &str) -> Option<(String, String)> {
        None
    }
    fn doc_in_file(&self, _: &str) -> Option<String> {
        None
    }
    fn file_exists(&self, _: &str) -> bool {
        false
    }
    fn root(&self) -> &str {
        ""
    }
}

/// A set of known ids, for tests.
pub struct SetLinker(pub HashSet<String>);

impl Linker for SetLinker {
    fn doc(&self, id: &str) -> Option<(String, String)> {
        self.0
            .contains(id)
            .then(|| (format!("feature/{id}.html"), format!("Title of {id}")))
    }
    fn doc_in_file(&self, path: &str) -> Option<String> {
        let stem = crate::check::stem(path);
        self.0.contains(stem).then(|| stem.to_string())
    }
    fn file_exists(&self, path: &str) -> bool {
        path.ends_with(".png")
    }
    fn root(&self) -> &str {
        "../"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linker() -> SetLinker {
        SetLinker(["a".to_string(), "b".to_string()].into_iter().collect())
    }

    #[test]
    fn headings_get_the_checked_slugs_and_wiki_links_titles() {
        let r = render(
            "## Goals\n\n## Goals\n\nSee [[a]], [[b|B!]] and [[zz]].\n",
            "plans/x.md",
            &linker(),
        );
        assert!(r.html.contains("<h2 id=\"goals\">Goals</h2>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"goals-1\">"), "{}", r.html);
        assert!(
            r.html
                .contains("<a href=\"feature/a.html\" rel=\"noopener noreferrer\">Title of a</a>"),
            "{}",
            r.html
        );
        assert!(r.html.contains(">B!</a>"), "{}", r.html);
        assert!(
            r.html.contains("<span class=\"unlinked\">zz</span>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn md_links_point_at_pages_and_files_are_collected() {
        let r = render(
            "[x](a.md#goals) ![i](img/p.png)\n",
            "plans/features/x.md",
            &linker(),
        );
        assert!(
            r.html.contains("href=\"feature/a.html#goals\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("src=\"../files/plans/features/img/p.png\""),
            "{}",
            r.html
        );
        assert!(r.files.contains("plans/features/img/p.png"));
    }

    /// A linked file's address: what a path segment cannot hold is
    /// encoded, byte by byte in UTF-8, in capitals; `/` still separates.
    #[test]
    fn file_paths_are_percent_encoded_for_hrefs() {
        assert_eq!(
            encode_path("docs/Q3 plan (draft)/über#1?.md"),
            "docs/Q3%20plan%20%28draft%29/%C3%BCber%231%3F.md"
        );
        assert_eq!(encode_path("a-b_c.d~e/f"), "a-b_c.d~e/f");
        assert_eq!(encode_path("100%"), "100%25");
    }

    #[test]
    fn script_and_handlers_never_survive() {
        let body = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[c](javascript:alert(1))\n\n<iframe src=\"https://e.x\"></iframe>\n\n- [x] done\n";
        let r = render(body, "x.md", &NoLinks);
        for bad in ["<script", "onerror", "javascript:", "<iframe"] {
            assert!(!r.html.contains(bad), "{bad} in {}", r.html);
        }
        assert!(r.html.contains("type=\"checkbox\""), "{}", r.html);
    }

    /// Markdown alone is written without the sanitizer: what it writes
    /// must be what the sanitizer keeps of it, so the sanitizer, run over
    /// the fast path's page, gives what it gives for the raw one.
    fn agrees_with_the_sanitizer(body: &str) -> bool {
        let (raw, markdown_only, _) = render_raw(body, "plans/x.md", &linker());
        let page = render(body, "plans/x.md", &linker()).html;
        same(&sanitize(&page), &sanitize(&raw));
        // Nothing of a page written without the sanitizer is what the
        // sanitizer would drop.
        if markdown_only {
            same(&sanitize(&page), &keep_all(&page));
        }
        markdown_only
    }

    /// Equal, or where they first differ.
    fn same(a: &str, b: &str) {
        let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
        let near = |s: &str| {
            let from = s.floor_char_boundary(at.saturating_sub(80));
            s[from..s.ceil_char_boundary((at + 80).min(s.len()))].to_string()
        };
        assert!(a == b, "differ at byte {at}:\n{}\n{}", near(a), near(b));
    }

    /// HTML read and written again as the sanitizer does, keeping every
    /// element, attribute, address and comment: what `sanitize` gives
    /// when it removes nothing.
    fn keep_all(html: &str) -> String {
        let tags = [
            "a",
            "abbr",
            "b",
            "blockquote",
            "br",
            "caption",
            "code",
            "col",
            "dd",
            "del",
            "details",
            "div",
            "dl",
            "dt",
            "em",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "i",
            "img",
            "input",
            "ins",
            "kbd",
            "li",
            "ol",
            "p",
            "pre",
            "q",
            "s",
            "section",
            "span",
            "strong",
            "sub",
            "summary",
            "sup",
            "table",
            "tbody",
            "td",
            "tfoot",
            "th",
            "thead",
            "tr",
            "u",
            "ul",
            "script",
            "style",
            "iframe",
            "object",
            "embed",
            "form",
            "button",
            "textarea",
            "svg",
            "math",
            "link",
            "meta",
            "base",
            "label",
            "select",
            "option",
            "video",
            "audio",
        ];
        ammonia::Builder::default()
            .tags(tags.into_iter().collect())
            .clean_content_tags(HashSet::new())
            .generic_attribute_prefixes([""].into_iter().collect())
            .url_schemes(
                [
                    "http",
                    "https",
                    "mailto",
                    "javascript",
                    "data",
                    "vbscript",
                    "file",
                ]
                .into_iter()
                .collect(),
            )
            .strip_comments(false)
            .link_rel(None)
            .clean(html)
            .to_string()
    }

    #[test]
    fn markdown_alone_is_written_as_the_sanitizer_would_keep_it() {
        let body = "# T\n\nText with \"quotes\", <, > & 'apostrophes', &amp; &nbsp; &#x27;.\n\n\
            <!-- a comment -->\n\n| a | b |\n|:--|--:|\n| `c<d` | ~~e~~ |\n\n\
            - [x] done\n- [ ] to do\n\n1. one\n\n```rust\nfn main() { \"<b>\" }\n```\n\n\
            A [link](https://example.com/a?b=1&c=\"2\" \"its title\") and <https://x.io>, \
            <a@b.example>, [[a]], [[zz]], [up](../y.md), ![img](img/p.png \"t\")[^1].\n\n\
            > quoted *em* **strong** `code` <!-- inline comment -->\n\n[^1]: A note.\n\n---\n";
        assert!(agrees_with_the_sanitizer(body));
        let html = render(body, "plans/x.md", &linker()).html;
        assert!(
            html.contains(
                "<a href=\"https://example.com/a?b=1&amp;c=%222%22\" title=\"its title\" rel=\"noopener noreferrer\">"
            ),
            "{html}"
        );
        assert!(!html.contains("comment"), "{html}");
    }

    /// What is not Markdown alone goes through the sanitizer: raw HTML
    /// beside a comment, comments a browser ends early, and links to
    /// schemes other than http, https and mailto.
    #[test]
    fn raw_html_and_other_schemes_take_the_sanitizer() {
        for body in [
            "<!-- c --><script>alert(1)</script>\n",
            "<!-- c --!> <img src=x onerror=alert(1)> -->\n",
            "<!--> <img src=x onerror=alert(1)> -->\n",
            "a <!-- c --> <b onclick=alert(1)>b</b>\n",
            "[c](javascript:alert(1))\n",
            "![i](data:image/svg+xml;base64,PHN2Zz4=)\n",
            "[c](vbscript:x)\n",
        ] {
            assert!(!agrees_with_the_sanitizer(body), "{body}");
            let html = render(body, "x.md", &NoLinks).html;
            for bad in [
                "<script",
                "onerror",
                "onclick",
                "=\"javascript",
                "=\"data",
                "=\"vbscript",
            ] {
                assert!(!html.to_ascii_lowercase().contains(bad), "{bad} in {html}");
            }
        }
    }

    /// Every KEP of the corpus (`../shared/corpora`): long real specs,
    /// with and without raw HTML, rendered both ways.
    #[test]
    fn the_corpus_s_specs_agree_with_the_sanitizer() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpora/kubernetes-enhancements/keps");
        let Ok(walk) = globset_free_walk(&root) else {
            return;
        };
        let (mut fast, mut all) = (0, 0);
        for path in walk {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            all += 1;
            fast += usize::from(agrees_with_the_sanitizer(&text));
        }
        assert!(
            all == 0 || fast * 2 > all,
            "{fast} of {all} were Markdown alone"
        );
    }

    fn globset_free_walk(root: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir)? {
                let p = e?.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "md") {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// An anchor in a `[[id#anchor]]` is part of the link, whatever it
    /// holds: `>` ended the link early and left the rest as text.
    #[test]
    fn a_wiki_link_s_anchor_stays_in_its_link() {
        let r = render(
            "See [[a#x\"y>z]] and [[b#c<d\\e]].\n",
            "plans/x.md",
            &linker(),
        );
        assert!(
            r.html.contains(
                "<a href=\"feature/a.html#x%22y%3Ez\" rel=\"noopener noreferrer\">Title of a</a>"
            ),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("href=\"feature/b.html#c%3Cd%5Ce\""),
            "{}",
            r.html
        );
        let r = render("[[a#x&amp;y]]\n", "plans/x.md", &linker());
        assert!(
            r.html.contains("href=\"feature/a.html#x&amp;amp;y\""),
            "{}",
            r.html
        );
        assert!(agrees_with_the_sanitizer(
            "[[a#\"><img src=x onerror=alert(1)>]]\n"
        ));
    }

    #[test]
    fn field_urls_are_filtered() {
        assert!(safe_url("https://x.io"));
        assert!(safe_url("docs/a.html"));
        assert!(!safe_url("javascript:alert(1)"));
        assert!(!safe_url(" JavaScript:alert(1)"));
        assert!(safe_url("/feature/a.html"));
        assert!(safe_url("docs/a:b.html"));
        assert!(safe_url("mailto:a@b.example"));
    }

    /// Chromium resolves `/\\evil.example` and `\\\\evil.example` to
    /// `https://evil.example/`, and drops a tab inside a scheme.
    #[test]
    fn protocol_relative_urls_in_disguise_are_refused() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            " \t/\\evil.example",
            "/\t/evil.example",
            "\u{1}//evil.example",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{0}javascript:alert(1)",
        ] {
            assert!(!safe_url(bad), "{bad:?} passed");
        }
    }
}
