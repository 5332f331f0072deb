//! Which documents a build publishes, and their addresses relative to the
//! page being rendered. A public build simply does not know internal
//! documents, so no page can link to one.

use crate::plan::{Document, Plan};
use crate::render::markdown::Linker;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The published documents and files of one build.
pub struct Index<'p> {
    /// The plan.
    pub plan: &'p Plan,
    visible: HashMap<&'p str, usize>,
    by_file: HashMap<&'p str, &'p str>,
    /// Files that hold a document, published or not: never copied as files
    /// (an internal document's source would leak into a public site).
    doc_files: HashSet<&'p str>,
    files: &'p BTreeSet<String>,
}

impl<'p> Index<'p> {
    /// Publishes every document, or only public ones.
    pub fn new(plan: &'p Plan, public_only: bool, files: &'p BTreeSet<String>) -> Index<'p> {
        let mut visible = HashMap::new();
        let mut by_file = HashMap::new();
        let mut doc_files = HashSet::new();
        for (i, d) in plan.docs.iter().enumerate() {
            doc_files.insert(d.file.as_str());
            if (!public_only || d.public()) && plan.by_id.get(&d.id) == Some(&i) {
                visible.insert(d.id.as_str(), i);
                by_file.entry(d.file.as_str()).or_insert(d.id.as_str());
                // A kind by location's body file (a KEP's README.md) is
                // its document's page too.
                if let Some(b) = d.body.as_ref().filter(|b| b.file != d.file) {
                    by_file.entry(b.file.as_str()).or_insert(d.id.as_str());
                }
            }
        }
        // A folder holding one document (a KEP's) links to its page.
        let mut folders: HashMap<&str, Option<&str>> = HashMap::new();
        for d in &plan.docs {
            let dir = d.file.rsplit_once('/').map_or("", |(dir, _)| dir);
            folders
                .entry(dir)
                .and_modify(|one| *one = None)
                .or_insert(Some(d.id.as_str()));
        }
        for (dir, one) in folders {
            if let Some(id) = one.filter(|id| visible.contains_key(id))
                && !dir.is_empty()
            {
                by_file.entry(dir).or_insert(id);
            }
        }
        Index {
            plan,
            visible,
            by_file,
            doc_files,
            files,
        }
    }

    /// The published document with this id.
    pub fn get(&self, id: &str) -> Option<&'p Document> {
        self.visible.get(id).map(|&i| &self.plan.docs[i])
    }

    /// Published documents in plan order.
    pub fn docs(&self) -> impl Iterator<Item = &'p Document> + '_ {
        self.plan
            .docs
            .iter()
            .enumerate()
            .filter(|(i, d)| self.visible.get(d.id.as_str()) == Some(i))
            .map(|(_, d)| d)
    }

    /// Published documents of a kind.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'p Document> + 'a {
        self.docs().filter(move |d| d.kind == kind)
    }

    /// A feature's demand over the insights this build publishes.
    pub fn demand(&self, feature: &str) -> u64 {
        super::facts::demand(self.plan, feature, |d| {
            self.get(&d.id).is_some_and(|p| std::ptr::eq(p, d))
        })
    }

    /// The page of a document, from the site root.
    pub fn page(doc: &Document) -> String {
        format!("{}/{}.html", doc.kind, doc.id)
    }

    /// A linker for a page `depth` folders below the root.
    pub fn linker(&self, root: &'static str) -> PageLinker<'_, 'p> {
        PageLinker { index: self, root }
    }

    /// `{id, title, kind, href?}` for a reference; `href` only when published.
    pub fn link(&self, id: &str, root: &str) -> Value {
        match self.get(id) {
            Some(d) => {
                json!({"id": id, "title": d.title, "kind": d.kind, "href": format!("{root}{}", Self::page(d))})
            }
            None => json!({"id": id, "title": id}),
        }
    }
}

/// Resolves links for one page.
pub struct PageLinker<'i, 'p> {
    index: &'i Index<'p>,
    root: &'static str,
}

impl Linker for PageLinker<'_, '_> {
    fn doc(&self, id: &str) -> Option<(String, String)> {
        self.index
            .get(id)
            .map(|d| (format!("{}{}", self.root, Index::page(d)), d.title.clone()))
    }
    fn doc_in_file(&self, path: &str) -> Option<String> {
        self.index.by_file.get(path).map(|s| s.to_string())
    }
    fn file_exists(&self, path: &str) -> bool {
        self.index.files.contains(path) && !self.index.doc_files.contains(path)
    }
    fn withheld(&self, id: &str) -> bool {
        self.index.get(id).is_none() && self.index.plan.by_id.contains_key(id)
    }
    fn root(&self) -> &str {
        self.root
    }
}
