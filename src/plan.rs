//! The compiled plan: typed documents, the id index, references and
//! backlinks. Built by `check`; read by the renderer, `list` and `diff`.

use crate::diag::Pos;
use crate::parse::markdown::BodyInfo;
use crate::schema::typing::Spans;
use serde_json::Value;
use std::collections::HashMap;

/// A document's Markdown body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The Markdown text.
    pub text: String,
    /// The file line the body starts on.
    pub first_line: u32,
    /// The file the body is in (a sibling file for kinds by location).
    pub file: String,
    /// Headings and links.
    pub info: BodyInfo,
}

/// One document of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its id.
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// File, relative to the root.
    pub file: String,
    /// Fields, typed by the schema.
    pub data: Value,
    /// Positions of fields.
    pub spans: Spans,
    /// Where the document's mapping starts.
    pub pos: Pos,
    /// The body, for Markdown documents.
    pub body: Option<Body>,
}

impl Document {
    /// A string field.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.data.get(field).and_then(Value::as_str)
    }

    /// A number field.
    pub fn num(&self, field: &str) -> Option<f64> {
        self.data.get(field).and_then(Value::as_f64)
    }

    /// A list of strings (ids, tags).
    pub fn strs(&self, field: &str) -> Vec<&str> {
        self.data
            .get(field)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Where the value of a top-level field is, or the document start.
    pub fn field_pos(&self, field: &str) -> Pos {
        self.spans.value(&format!("/{field}"))
    }

    /// Where the `kind:` key is: the place of problems with no better one.
    pub fn kind_pos(&self) -> Pos {
        self.spans.key("/kind").unwrap_or(self.pos)
    }

    /// Rules this document silences.
    pub fn suppressed(&self, rule: &str) -> bool {
        self.strs("suppress").contains(&rule)
    }

    /// True for `visibility: public`.
    pub fn public(&self) -> bool {
        self.str("visibility") == Some("public")
    }
}

/// A reference from one document to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Index of the referring document.
    pub from: usize,
    /// Index of the referred document.
    pub to: usize,
    /// The top-level field (`depends_on`), or `body` for `[[id]]` links.
    pub field: String,
}

/// The plan: documents in path order plus the reference graph.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Documents sorted by file and position.
    pub docs: Vec<Document>,
    /// Index of the first document with each id.
    pub by_id: HashMap<String, usize>,
    /// Documents by the paths that name them ([`Plan::doc_at_path`]).
    pub by_path: HashMap<String, usize>,
    /// Every resolved reference.
    pub edges: Vec<Edge>,
    /// Indices into `edges` by target document: backlinks in O(1), since
    /// every page asks for them.
    pub incoming: Vec<Vec<usize>>,
    /// "Today" as a day number (docs/format.md#today).
    pub today: i64,
}

impl Plan {
    /// The document with this id.
    pub fn get(&self, id: &str) -> Option<&Document> {
        self.by_id.get(id).map(|&i| &self.docs[i])
    }

    /// The document a path inside the plans names (relative to the root,
    /// `/`-separated, no trailing `/`): the one whose file it is, else whose
    /// body file it is (a kind by location's `README.md`), else the only
    /// document in that folder (a KEP's folder). None when no document or
    /// several are there. Looked up in [`Plan::index_paths`]'s map, filled
    /// once per check: references by path are resolved on every keystroke
    /// of the language server and on every page.
    pub fn doc_at_path(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// Fills the map behind [`Plan::doc_at_path`] from the documents.
    pub fn index_paths(&mut self) {
        let mut files: HashMap<String, usize> = HashMap::new();
        let mut bodies: HashMap<String, usize> = HashMap::new();
        let mut folders: HashMap<String, Option<usize>> = HashMap::new();
        for (i, d) in self.docs.iter().enumerate() {
            files.entry(d.file.clone()).or_insert(i);
            if let Some(b) = &d.body {
                bodies.entry(b.file.clone()).or_insert(i);
            }
            let dir = d.file.rsplit_once('/').map_or("", |(dir, _)| dir);
            folders
                .entry(dir.to_string())
                .and_modify(|one| *one = None)
                .or_insert(Some(i));
        }
        let mut by_path: HashMap<String, usize> = folders
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
        by_path.extend(bodies);
        by_path.extend(files);
        self.by_path = by_path;
    }

    /// Documents of a kind, in path order.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Document> + 'a {
        self.docs.iter().filter(move |d| d.kind == kind)
    }

    /// Rebuilds [`Plan::incoming`] after the edges changed.
    pub fn index_edges(&mut self) {
        let mut incoming = vec![Vec::new(); self.docs.len()];
        for (i, e) in self.edges.iter().enumerate() {
            if let Some(v) = incoming.get_mut(e.to) {
                v.push(i);
            }
        }
        self.incoming = incoming;
    }

    /// Documents referring to `id` through `field` (any field when None),
    /// each once, in the order of their first reference.
    pub fn referrers<'a>(&'a self, id: &str, field: Option<&'a str>) -> Vec<&'a Document> {
        let Some(&to) = self.by_id.get(id) else {
            return Vec::new();
        };
        let mut seen: Vec<usize> = Vec::new();
        let mut set = std::collections::HashSet::new();
        for &ei in self.incoming.get(to).map(Vec::as_slice).unwrap_or(&[]) {
            let e = &self.edges[ei];
            if field.is_none_or(|f| f == e.field) && set.insert(e.from) {
                seen.push(e.from);
            }
        }
        seen.into_iter().map(|i| &self.docs[i]).collect()
    }

    /// A milestone's date as a day number.
    pub fn milestone_date(&self, id: &str) -> Option<i64> {
        self.get(id)
            .filter(|d| d.kind == "milestone")
            .and_then(|d| d.str("date"))
            .and_then(crate::dates::parse)
    }
}

/// Statuses in which a feature is committed (docs/format.md#committed).
pub fn is_committed(status: &str) -> bool {
    matches!(status, "planned" | "in-progress" | "beta" | "shipped")
}

/// Statuses in which a feature is open (neither shipped nor declined).
pub fn is_open(status: &str) -> bool {
    !matches!(status, "shipped" | "declined")
}
