//! A file's documents as history sees them: id, kind, title and typed
//! fields, and the body as sections. Lighter than a full check (no schema
//! validation), because history parses every version of every file.

use crate::check::documents::identify;
use crate::config::Config;
use crate::parse::document::parse_file;
use crate::parse::frontmatter::{FrontMatter, split};
use crate::schema::Registry;
use crate::source::{SourceFile, decode};
use serde_json::Value;
use std::hash::Hasher;

/// One document in one version of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Snap {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// File, relative to the plans root.
    pub file: String,
    /// Typed fields (without `id` and `kind`).
    pub fields: Value,
    /// Body sections: heading text (empty for the part before the first
    /// heading) and a hash of the section's text.
    pub sections: Vec<(String, u64)>,
    /// Where its typing depended on the kind's schema, and how the schema
    /// typed it there ([`crate::schema::typing::witness`]), sorted: what
    /// history keeps of this version stays true under a schema that
    /// answers the same at each place.
    pub typed: Vec<(String, bool)>,
}

/// What a version of a file held.
#[derive(Debug, Clone, PartialEq)]
pub enum FileVersion {
    /// Its documents.
    Docs(Vec<Snap>),
    /// It did not parse; history notes the gap.
    Unreadable,
    /// Its object could not be read from the repository (missing or
    /// damaged); history notes the gap.
    Missing,
}

/// What a section's hash was taken of ([`SectionText`] must agree).
#[cfg(test)]
fn hash(s: &str) -> u64 {
    let mut h = crate::fingerprint::hasher();
    std::hash::Hash::hash(s, &mut h);
    h.finish()
}

/// Splits a Markdown body at ATX headings outside fenced code: each
/// section's title and the hash of its text, trailing space off every
/// line and blank lines at either end left out.
pub fn sections(body: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut title = String::new();
    let mut text = SectionText::new(body);
    let mut fence = false;
    for line in body.lines() {
        if let Some(heading) = section_heading(line, &mut fence) {
            let done = std::mem::replace(&mut text, SectionText::new(body));
            if !(title.is_empty() && done.is_empty()) {
                out.push((title.clone(), done.finish()));
            }
            title = heading.to_string();
            continue;
        }
        // Where the line starts in the body: `lines` gives slices of it.
        text.line(line, line.as_ptr() as usize - body.as_ptr() as usize);
    }
    if !(title.is_empty() && text.is_empty()) {
        out.push((title, text.finish()));
    }
    out
}

/// The title of an ATX heading line outside fenced code; `fence` follows
/// the fences lines open and close.
fn section_heading<'l>(line: &'l str, fence: &mut bool) -> Option<&'l str> {
    let t = line.trim_start();
    if t.starts_with("```") || t.starts_with("~~~") {
        *fence = !*fence;
    }
    let heading = t
        .strip_prefix('#')
        .filter(|_| !*fence)?
        .trim_start_matches('#');
    (heading.is_empty() || heading.starts_with(' '))
        .then(|| heading.trim().trim_end_matches('#').trim())
}

/// A section's text hashed as it is read: the hash of its lines joined,
/// each without its trailing space, trimmed at both ends (what
/// `hash(text.trim())` gave when the text was copied out first, which was
/// most of the time this took). Where those bytes are the body's own (no
/// trailing space, blank lines empty, `\n` endings: nearly always), the
/// run is hashed in one piece, straight from the body.
struct SectionText<'b> {
    body: &'b str,
    hasher: Option<xxhash_rust::xxh3::Xxh3Default>,
    /// The body's bytes the text ends with, not hashed yet.
    run: (usize, usize),
    /// Blank lines since the last line with text.
    blank: usize,
}

impl<'b> SectionText<'b> {
    fn new(body: &'b str) -> Self {
        SectionText {
            body,
            hasher: None,
            run: (0, 0),
            blank: 0,
        }
    }

    /// The line at byte `start` of the body.
    fn line(&mut self, line: &str, start: usize) {
        let kept = line.trim_end();
        if kept.is_empty() {
            self.blank += 1;
            return;
        }
        let end = start + kept.len();
        match &mut self.hasher {
            None => {
                self.hasher = Some(crate::fingerprint::hasher());
                self.run = (end - kept.trim_start().len(), end);
            }
            Some(h) => {
                let gap = self
                    .body
                    .as_bytes()
                    .get(self.run.1..start)
                    .unwrap_or_default();
                if gap.len() == self.blank + 1 && gap.iter().all(|&c| c == b'\n') {
                    self.run.1 = end;
                } else {
                    h.write(
                        self.body
                            .as_bytes()
                            .get(self.run.0..self.run.1)
                            .unwrap_or_default(),
                    );
                    for _ in 0..=self.blank {
                        h.write(b"\n");
                    }
                    self.run = (start, end);
                }
            }
        }
        self.blank = 0;
    }

    fn is_empty(&self) -> bool {
        self.hasher.is_none()
    }

    /// The hash, as `str`'s `Hash` ends it.
    fn finish(self) -> u64 {
        let mut h = match self.hasher {
            Some(mut h) => {
                h.write(
                    self.body
                        .as_bytes()
                        .get(self.run.0..self.run.1)
                        .unwrap_or_default(),
                );
                h
            }
            None => crate::fingerprint::hasher(),
        };
        h.write_u8(0xff);
        h.finish()
    }
}

/// Markdown documents already read, by path and exact front matter (and,
/// for a kind titled by the body's first heading, that heading; for a
/// kind whose status is a section's, that status):
/// most commits edit a document's body or other documents, and parsing
/// and typing the same front matter again would be a large share of
/// reading every version of a long history. One per reading thread.
#[derive(Default)]
pub struct Seen(std::collections::HashMap<SeenKey, Vec<Snap>>);

/// Path, front matter, and what else of the body a kind's fields come
/// from: the title heading, the status section.
type SeenKey = (String, String, Option<String>, Option<String>);

/// Reads one version of a file, taking its typed fields from `seen` when
/// the same file had the same front matter in a version read before.
///
/// Borrows the bytes: a version whose front matter was seen is read
/// without a copy of its text (most versions of a long history).
pub fn read_seen(
    path: &str,
    bytes: &[u8],
    kind: Option<String>,
    inp: (&Registry, &Config),
    seen: &mut Seen,
) -> FileVersion {
    let Some(text) = crate::source::decode_borrowed(bytes) else {
        return FileVersion::Unreadable;
    };
    let lower = path.to_ascii_lowercase();
    if !(lower.ends_with(".md") || lower.ends_with(".markdown")) {
        return read_text(path, text.to_string(), kind, inp.0, inp.1);
    }
    let FrontMatter::Document { yaml, body, .. } = split(text) else {
        return read_text(path, text.to_string(), kind, inp.0, inp.1);
    };
    // A kind titled by the body's first heading (`title: "#"`) takes part
    // of its snapshot from the body: a new heading is a new title.
    let located = kind.as_ref().and_then(|k| inp.1.kinds.get(k));
    let heading = located
        .filter(|k| k.title.as_deref() == Some("#"))
        .and_then(|_| crate::parse::markdown::title_heading(body));
    // So does a kind whose status is a section's.
    let status = located
        .and_then(|k| k.status_section.as_deref())
        .and_then(|s| crate::parse::markdown::section_status(body, s))
        .map(|(status, _)| status);
    let key = (path.to_string(), yaml.to_string(), heading, status);
    if let Some(snaps) = seen.0.get(&key) {
        let mut snaps = snaps.clone();
        for s in &mut snaps {
            s.sections = sections(body);
        }
        return FileVersion::Docs(snaps);
    }
    let v = read_text(path, text.to_string(), kind, inp.0, inp.1);
    if let FileVersion::Docs(snaps) = &v {
        seen.0.insert(key, snaps.clone());
    }
    v
}

/// Reads one version of a file.
pub fn read(
    path: &str,
    bytes: Vec<u8>,
    kind: Option<String>,
    registry: &Registry,
    config: &Config,
) -> FileVersion {
    let Ok(text) = decode(bytes) else {
        return FileVersion::Unreadable;
    };
    read_text(path, text, kind, registry, config)
}

fn read_text(
    path: &str,
    text: String,
    kind: Option<String>,
    registry: &Registry,
    config: &Config,
) -> FileVersion {
    let file = SourceFile {
        path: path.to_string(),
        text: Ok(text),
        kind,
        body: None,
    };
    let (raws, diags) = parse_file(&file);
    if raws.is_empty() && !diags.is_empty() {
        return FileVersion::Unreadable;
    }
    let mut out = Vec::new();
    for raw in &raws {
        let Some(ident) = identify(raw, registry, config) else {
            continue;
        };
        let Some(id) = ident.id else { continue };
        let mut fields = ident.data;
        let title = fields
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_string();
        if let Value::Object(o) = &mut fields {
            o.remove("id");
            o.remove("kind");
        }
        let mut typed = Vec::new();
        let schema = registry.get(&ident.kind).map(|k| &k.typing);
        crate::schema::typing::witness(&raw.node, schema, &mut typed);
        typed.sort_unstable();
        typed.dedup();
        out.push(Snap {
            typed,
            id,
            kind: ident.kind,
            title,
            file: path.to_string(),
            fields,
            sections: raw
                .body
                .as_ref()
                .map(|(b, _, _)| sections(b))
                .unwrap_or_default(),
        });
    }
    FileVersion::Docs(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version with the front matter of one read before takes its
    /// fields from it and its sections from its own body; a version with
    /// other front matter, or another file with the same, is read afresh.
    #[test]
    fn seen_front_matter_gives_the_same_snapshot_as_a_fresh_read() {
        let config = crate::config::parse("product: p\n").expect("config");
        let registry = Registry::new(&config.kinds, &Default::default()).expect("registry");
        let inp = (&registry, &config);
        let fm = "---\nid: f-1\nkind: feature\ntitle: One\nstatus: planned\n---\n";
        let moved = "---\nid: f-1\nkind: feature\ntitle: One\nstatus: beta\n---\n";
        let versions = [
            ("features/f-1.md", format!("{fm}## Goals\nA\n")),
            ("features/f-1.md", format!("{fm}## Goals\nB\n## Risks\nC\n")),
            ("features/f-1.md", format!("{moved}## Goals\nB\n")),
            ("features/f-2.md", format!("{fm}## Goals\nA\n")),
            ("features/f-2.md", format!("\u{feff}{fm}## Goals\nA\n")),
            ("features/f-3.md", format!("\u{feff}{fm}## Goals\nA\n")),
        ];
        let mut seen = Seen::default();
        for (path, text) in versions {
            let fresh = read(path, text.clone().into_bytes(), None, &registry, &config);
            let memo = read_seen(path, text.as_bytes(), None, inp, &mut seen);
            assert_eq!(memo, fresh, "{path}");
            assert!(matches!(fresh, FileVersion::Docs(ref d) if d.len() == 1));
        }
        assert_eq!(
            seen.0.len(),
            4,
            "f-1 twice (two front matters), f-2 once (with and without a byte order mark), f-3 once"
        );
    }

    /// A config of one kind by location, `settings` under it, with an open
    /// schema, and its registry.
    fn open_kind(kind: &str, settings: &str) -> (Config, Registry) {
        let config = crate::config::parse(&format!(
            "product: p\nkinds:\n  {kind}:\n    schema: s.json\n{settings}"
        ))
        .expect("config");
        let schemas = std::collections::BTreeMap::from([(
            kind.to_string(),
            r#"{"type": "object"}"#.to_string(),
        )]);
        let registry = Registry::new(&config.kinds, &schemas).expect("registry");
        (config, registry)
    }

    /// A kind titled by the body's first heading: a version with the same
    /// front matter but another heading has another title, memo or not.
    #[test]
    fn seen_front_matter_keeps_a_title_taken_from_the_heading() {
        let (config, registry) = open_kind("rfc", "    files: \"text/*.md\"\n    title: \"#\"\n");
        let mut seen = Seen::default();
        let mut titles = Vec::new();
        for heading in ["Foo", "Foo v2", "Foo"] {
            let text = format!("---\nstage: accepted\n---\n# {heading}\n\nBody.\n");
            let kind = Some("rfc".to_string());
            let fresh = read(
                "text/0001-foo.md",
                text.clone().into_bytes(),
                kind.clone(),
                &registry,
                &config,
            );
            let memo = read_seen(
                "text/0001-foo.md",
                text.as_bytes(),
                kind,
                (&registry, &config),
                &mut seen,
            );
            assert_eq!(memo, fresh, "{heading}");
            let FileVersion::Docs(d) = memo else {
                panic!("{heading}: not read")
            };
            titles.push(d[0].title.clone());
        }
        assert_eq!(titles, ["Foo", "Foo v2", "Foo"]);
    }

    /// A kind whose status is a section's (`status: "## Status"`): a
    /// version with the same front matter but another status section has
    /// another status, memo or not.
    #[test]
    fn seen_front_matter_keeps_a_status_taken_from_its_section() {
        let (config, registry) = open_kind(
            "adr",
            "    files: \"doc/*.md\"\n    status: \"## Status\"\n",
        );
        let mut seen = Seen::default();
        let mut statuses = Vec::new();
        for status in ["Proposed", "Accepted", "Proposed"] {
            let text = format!("---\ndate: 2026-01-05\n---\n# 1. Foo\n\n## Status\n\n{status}\n");
            let kind = Some("adr".to_string());
            let memo = read_seen(
                "doc/0001-foo.md",
                text.as_bytes(),
                kind,
                (&registry, &config),
                &mut seen,
            );
            let FileVersion::Docs(d) = memo else {
                panic!("{status}: not read")
            };
            statuses.push(d[0].fields["status"].clone());
        }
        assert_eq!(statuses, ["proposed", "accepted", "proposed"]);
    }

    /// A section's hash is the hash of its trimmed copy (how it was
    /// taken before), on every shape of line: blank lines of spaces,
    /// trailing and leading space, CRLF, lone CR, no-break space, and
    /// many random bodies of them.
    #[test]
    fn a_section_hashes_as_its_trimmed_text() {
        /// The sections as they were hashed before: each copied, trimmed.
        fn copied(body: &str) -> Vec<(String, u64)> {
            let mut out = Vec::new();
            let mut title = String::new();
            let mut text = String::new();
            let mut fence = false;
            for line in body.lines() {
                if let Some(heading) = section_heading(line, &mut fence) {
                    if !(title.is_empty() && text.trim().is_empty()) {
                        out.push((title.clone(), hash(text.trim())));
                    }
                    title = heading.to_string();
                    text.clear();
                    continue;
                }
                text.push_str(line.trim_end());
                text.push('\n');
            }
            if !(title.is_empty() && text.trim().is_empty()) {
                out.push((title, hash(text.trim())));
            }
            out
        }
        for body in [
            "",
            "a",
            "\n\n  a  \n\n\n b\t\n \n",
            "a\r\nb\r\n\r\n",
            " \u{a0}x\u{a0} \n\n\ny",
            "a\n\nb\n\n\nc\n",
            "## T\n\n  x\n\ny  \n",
            "a\rb\n\rc\r",
        ] {
            assert_eq!(sections(body), copied(body), "{body:?}");
        }
        let pieces = [
            "a", "bc", " ", "\t", "\n", "\n", "\n", "\r\n", "\r", "# ", "## H", "```", "\u{a0}",
            "é",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut body = String::new();
            for _ in 0..(seed % 24) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                body.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            assert_eq!(sections(&body), copied(&body), "{body:?}");
        }
    }

    #[test]
    fn sections_split_at_headings_outside_code() {
        let s = sections("intro\n## Goals\nA\n```\n# not a heading\n```\n## Non-goals\nB\n");
        let names: Vec<&str> = s.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(names, ["", "Goals", "Non-goals"]);
    }
}
