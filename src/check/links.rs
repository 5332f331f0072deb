//! `broken-link`: Markdown links to documents, files and heading anchors,
//! and `[[id]]` links. Resolved links to documents become edges, so a
//! segment mentioned only in prose is not an orphan. `active-content`: a
//! link to a file the site will not publish because it can run script.

use super::Sink;
use crate::diag::{Diagnostic, Pos, nearest};
use crate::parse::markdown::{Link, WikiLink};
use crate::plan::{Document, Edge, Plan};
use crate::rules::Rule;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Where a relative link points, resolved against the root.
#[derive(Debug, PartialEq)]
pub enum Target {
    /// An external URL or other scheme: not checked.
    External,
    /// An anchor on the same page.
    SamePage(String),
    /// A path inside the root, with an optional anchor.
    Path(String, Option<String>),
    /// A path that climbs out of the plans repository.
    Outside,
}

/// Resolves a link destination written in `from_file`.
pub fn resolve(dest: &str, from_file: &str) -> Target {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with("//") || has_scheme(dest) {
        return Target::External;
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::SamePage(anchor.to_string());
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let path = percent_decode(path);
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        from_file.split('/').collect()
    };
    if !path.starts_with('/') {
        parts.pop();
    }
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Outside;
                }
            }
            s => parts.push(s),
        }
    }
    Target::Path(parts.join("/"), anchor)
}

/// Extensions of files a browser runs script in when opened from the
/// site (HTML, SVG, XML and its feeds, whose XHTML elements run too, and
/// scripts themselves).
const ACTIVE: &[&str] = &[
    "html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "xml", "xsl", "xslt", "rss", "atom",
    "rdf", "mht", "mhtml", "js", "mjs",
];

/// Whether a linked file holds active content: opened from the site, its
/// script would run with the site's origin (reading every page, the
/// search index, `plan.json`). A static host sends no header that could
/// sandbox it, so such files are never copied into a site.
pub fn active_content(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| ACTIVE.iter().any(|a| ext.eq_ignore_ascii_case(a)))
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !dest[..i].contains('/')
        }
        None => false,
    }
}

/// A link's `%XX` escapes decoded; a malformed escape stays as written
/// and bytes that are not UTF-8 become U+FFFD, as browsers show them.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether `doc`'s page has the anchor: a heading's slug, or an `id` or
/// `name` written as HTML in its body.
fn has_anchor(doc: &Document, anchor: &str) -> bool {
    doc.body.as_ref().is_some_and(|b| {
        b.info.headings.iter().any(|h| h.slug == anchor)
            || b.info.html_anchors.iter().any(|a| a == anchor)
    })
}

fn anchor_diag(doc: &Document, pos: Pos, target: &Document, anchor: &str) -> Diagnostic {
    let file = doc
        .body
        .as_ref()
        .map(|b| b.file.as_str())
        .unwrap_or(&doc.file);
    // Only the case differs: GitHub finds it, a browser may not; a warning.
    let lower = anchor.to_lowercase();
    if let Some(h) = target
        .body
        .iter()
        .flat_map(|b| b.info.headings.iter())
        .find(|h| h.slug == lower)
    {
        return Diagnostic::new(
            Rule::BrokenLink,
            file,
            pos,
            format!(
                "anchor `#{anchor}` of `{}` differs from its heading's `#{}` in case",
                target.id, h.slug
            ),
        )
        .suggest(format!("write `#{}`", h.slug))
        .at_most_warning();
    }
    let mut d = Diagnostic::new(
        Rule::BrokenLink,
        doc.body
            .as_ref()
            .map(|b| b.file.as_str())
            .unwrap_or(&doc.file),
        pos,
        format!("no heading `#{anchor}` in `{}`", target.id),
    );
    let slugs = target
        .body
        .iter()
        .flat_map(|b| b.info.headings.iter().map(|h| h.slug.as_str()));
    if let Some(near) = nearest(anchor, slugs) {
        d = d.suggest(format!("did you mean `#{near}`?"));
    }
    d
}

/// Checks every body's links.
pub(super) fn check(
    plan: &mut Plan,
    all_paths: &BTreeSet<String>,
    unparsed: &HashSet<String>,
    sink: &mut Sink<'_>,
) {
    let mut by_file: HashMap<&str, usize> = HashMap::new();
    for (i, d) in plan.docs.iter().enumerate() {
        by_file.entry(d.file.as_str()).or_insert(i);
    }
    let mut links = Links {
        plan,
        by_file,
        all_paths,
        unparsed,
        edges: Vec::new(),
    };
    for (from, doc) in plan.docs.iter().enumerate() {
        let Some(body) = &doc.body else { continue };
        for w in &body.info.wiki_links {
            links.wiki(from, doc, w, sink);
        }
        for link in &body.info.links {
            links.markdown(from, doc, link, sink);
        }
    }
    let edges = links.edges;
    plan.edges.extend(edges);
}

/// What the link check reads while it walks the bodies, and the edges it
/// finds.
struct Links<'a> {
    plan: &'a Plan,
    /// The first document of each file, for links by path.
    by_file: HashMap<&'a str, usize>,
    all_paths: &'a BTreeSet<String>,
    /// Ids of documents that did not parse: links to them are not broken.
    unparsed: &'a HashSet<String>,
    edges: Vec<Edge>,
}

impl Links<'_> {
    /// A resolved link from `from` to `to` is an edge, unless to itself.
    fn edge(&mut self, from: usize, to: usize) {
        if to != from {
            self.edges.push(Edge {
                from,
                to,
                field: "body".into(),
            });
        }
    }

    /// `[[id]]` and `[[id#anchor]]`.
    fn wiki(&mut self, from: usize, doc: &Document, w: &WikiLink, sink: &mut Sink<'_>) {
        match self.plan.by_id.get(&w.id) {
            Some(&to) => {
                let target = &self.plan.docs[to];
                if let Some(a) = &w.anchor
                    && !has_anchor(target, a)
                {
                    sink.push(Some(doc), anchor_diag(doc, w.pos, target, a));
                }
                self.edge(from, to);
            }
            None if self.unparsed.contains(&w.id) => {}
            // `[[1]](https://…)`: a Markdown link whose text is `[1]`.
            None if w.tentative => {}
            None => {
                let file = doc.body.as_ref().map_or(&doc.file, |b| &b.file);
                let mut d = Diagnostic::new(
                    Rule::BrokenLink,
                    file,
                    w.pos,
                    format!("no document with id `{}`", w.id),
                );
                if let Some(near) = nearest(&w.id, self.plan.docs.iter().map(|d| d.id.as_str())) {
                    d = d.suggest(format!("did you mean `{near}`?"));
                }
                sink.push(Some(doc), d);
            }
        }
    }

    /// A Markdown link: to an anchor of the page, outside, or a path.
    fn markdown(&mut self, from: usize, doc: &Document, link: &Link, sink: &mut Sink<'_>) {
        let file = doc.body.as_ref().map_or(&doc.file, |b| &b.file);
        match resolve(&link.dest, file) {
            Target::External => {}
            Target::SamePage(a) => {
                if !a.is_empty() && !has_anchor(doc, &a) {
                    sink.push(Some(doc), anchor_diag(doc, link.pos, doc, &a));
                }
            }
            Target::Outside => sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::BrokenLink,
                    file,
                    link.pos,
                    format!("link `{}` leaves the plans repository", link.dest),
                ),
            ),
            Target::Path(path, anchor) => {
                if let Some(&to) = self.by_file.get(path.as_str()) {
                    let target = &self.plan.docs[to];
                    if let Some(a) = &anchor
                        && !a.is_empty()
                        && !has_anchor(target, a)
                    {
                        sink.push(Some(doc), anchor_diag(doc, link.pos, target, a));
                    }
                    self.edge(from, to);
                } else if let Some(d) = self.file_link(file, &path, link) {
                    sink.push(Some(doc), d);
                }
            }
        }
    }

    /// A link to a path that is no document: a file that can run script
    /// (`active-content`), or a file or folder that is not there.
    fn file_link(&self, file: &str, path: &str, link: &Link) -> Option<Diagnostic> {
        let all_paths = self.all_paths;
        if all_paths.contains(path) && active_content(path) {
            return Some(
                Diagnostic::new(
                    Rule::ActiveContent,
                    file,
                    link.pos,
                    format!("`{}` is not published: it can run script", link.dest),
                )
                .note(
                    "an HTML, SVG or XML file opened from the site would run its script \
                     with the site's origin, so it is not copied and the link shows as \
                     plain text",
                )
                .suggest("link to a PNG or PDF export, or to where the file is hosted"),
            );
        }
        if all_paths.contains(path) || is_dir(all_paths, path) {
            return None;
        }
        let mut d = Diagnostic::new(
            Rule::BrokenLink,
            file,
            link.pos,
            format!("link to missing file `{}`", link.dest),
        );
        if let Some(near) = sibling_suggestion(all_paths, path, &link.dest) {
            d = d.suggest(format!("did you mean `{near}`?"));
        }
        Some(d)
    }
}

/// The nearest file name in the missing file's own folder, written the way
/// the link was (only the last segment changes). Searching one folder keeps
/// the suggestion relevant and the pass linear.
fn sibling_suggestion(all: &BTreeSet<String>, path: &str, dest: &str) -> Option<String> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let siblings: Vec<&str> = all
        .range(prefix.clone()..)
        .take_while(|p| p.starts_with(&prefix))
        .filter_map(|p| p.strip_prefix(&prefix))
        .filter(|p| !p.contains('/'))
        .collect();
    let near = nearest(name, siblings)?;
    let written = dest.split('#').next().unwrap_or(dest);
    let head = written
        .rsplit_once('/')
        .map(|(h, _)| format!("{h}/"))
        .unwrap_or_default();
    Some(format!("{head}{near}"))
}

fn is_dir(all: &BTreeSet<String>, path: &str) -> bool {
    let prefix = format!("{}/", path.trim_end_matches('/'));
    path.is_empty()
        || all
            .range(prefix.clone()..)
            .next()
            .is_some_and(|p| p.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_links() {
        assert_eq!(resolve("https://x.io/a", "plans/a.md"), Target::External);
        assert_eq!(resolve("mailto:a@b", "plans/a.md"), Target::External);
        assert_eq!(
            resolve("#goals", "plans/a.md"),
            Target::SamePage("goals".into())
        );
        assert_eq!(
            resolve("../objectives/o.md#key-results", "plans/features/a.md"),
            Target::Path("plans/objectives/o.md".into(), Some("key-results".into()))
        );
        assert_eq!(resolve("../../../x.md", "plans/a.md"), Target::Outside);
        assert_eq!(
            resolve("my%20file.png", "a.md"),
            Target::Path("my file.png".into(), None)
        );
    }
}
