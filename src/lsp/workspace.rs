//! The plans as the editor sees them: the scanned tree with the open
//! buffers' texts in place of the files', checked again after every edit
//! (with a [`Memo`], so only the edited files are parsed again), and the
//! diagnostics last published for each file.

use super::text;
use crate::check::{Compiled, Memo};
use crate::diag::Level;
use crate::project::{Open, Project};
use crate::source::{Filter, SourceFile};
use lsp_types::{
    Diagnostic, DiagnosticSeverity, NumberOrString, PublishDiagnosticsParams, Range, Uri,
};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What a path needs escaped in a `file:` URI.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The plans, their open buffers and their last check.
pub struct Workspace {
    /// The project, its tree holding the open buffers' texts.
    pub project: Project,
    /// The last check.
    pub compiled: Compiled,
    memo: Arc<Memo>,
    /// Whether `memo` is preparing copies for the next check.
    preparing: Arc<AtomicBool>,
    /// Open documents: the URI the editor named each by, and its version.
    open: BTreeMap<String, (Uri, i32)>,
    /// The diagnostics last published, by file (files without any left out).
    published: BTreeMap<String, Vec<Diagnostic>>,
}

impl Workspace {
    /// Opens the plans at or above `dir` and checks them.
    pub fn new(dir: &Path) -> Result<Workspace, String> {
        let project = Project::open(dir, &Open::default())?;
        let memo = Arc::new(Memo::default());
        let compiled = check(&project, &memo);
        Ok(Workspace {
            project,
            compiled,
            memo,
            preparing: Arc::default(),
            open: BTreeMap::new(),
            published: BTreeMap::new(),
        })
    }

    /// The file of `uri`, relative to the plans root; None outside it.
    pub fn rel(&self, uri: &Uri) -> Option<String> {
        let raw = uri.as_str().strip_prefix("file://")?;
        let raw = raw.strip_prefix("localhost").unwrap_or(raw);
        let path = PathBuf::from(percent_decode_str(raw).decode_utf8().ok()?.as_ref());
        let real = path.canonicalize().ok().or_else(|| {
            let parent = path.parent()?.canonicalize().ok()?;
            Some(parent.join(path.file_name()?))
        })?;
        let rel = real.strip_prefix(&self.project.root).ok()?;
        let parts: Vec<&str> = rel.iter().map(|c| c.to_str()).collect::<Option<_>>()?;
        Some(parts.join("/"))
    }

    /// The URI of a file of the plans: the one the editor opened it by, if
    /// it did.
    pub fn uri(&self, rel: &str) -> Option<Uri> {
        if let Some((uri, _)) = self.open.get(rel) {
            return Some(uri.clone());
        }
        let full = self.project.root.join(rel);
        let s = utf8_percent_encode(full.to_str()?, PATH).to_string();
        format!("file://{s}").parse().ok()
    }

    /// The text of a file as the editor has it (a body file of kinds by
    /// location, and the config, included).
    pub fn text(&self, rel: &str) -> Option<&str> {
        let files = &self.project.tree.files;
        if let Ok(i) = files.binary_search_by(|f| f.path.as_str().cmp(rel)) {
            return files[i].text.as_ref().ok().map(String::as_str);
        }
        if rel == crate::config::FILE_NAME {
            return Some(&self.project.config_text);
        }
        files
            .iter()
            .filter_map(|f| f.body.as_ref())
            .find(|(path, _)| path == rel)
            .map(|(_, t)| t.as_str())
    }

    /// The editor opened `rel` with `text`, or changed it (`version`).
    pub fn set_open(&mut self, rel: &str, uri: Uri, version: i32, text: String) {
        self.open.insert(rel.to_string(), (uri, version));
        self.set_text(rel, Ok(text));
    }

    /// Whether the editor has `rel` open.
    pub fn is_open(&self, rel: &str) -> bool {
        self.open.contains_key(rel)
    }

    /// The editor closed `rel`: its text is the file's again (read through
    /// `source`, as the scan reads it), or it leaves the plans when there
    /// is no file.
    pub fn close(&mut self, rel: &str) {
        self.open.remove(rel);
        let text = crate::source::read(&self.project.root, rel);
        let files = &mut self.project.tree.files;
        let at = files.binary_search_by(|f| f.path.as_str().cmp(rel));
        match (text, at) {
            (Err(crate::source::ReadProblem::Io(_)), Ok(i)) => {
                files.remove(i);
                self.project.tree.all_paths.remove(rel);
            }
            (Err(crate::source::ReadProblem::Io(_)), Err(_)) => {
                self.project.tree.all_paths.remove(rel);
                let owner = files
                    .iter_mut()
                    .find(|f| f.body.as_ref().is_some_and(|(p, _)| p == rel));
                if let Some(f) = owner {
                    f.body = None;
                }
            }
            (text, _) => self.set_text(rel, text),
        }
    }

    /// Puts `text` in the tree as `rel`'s: a document's text, or the body
    /// file of a kind by location; a new file is added when the scan would
    /// take it as a document.
    fn set_text(&mut self, rel: &str, text: Result<String, crate::source::ReadProblem>) {
        let tree = &mut self.project.tree;
        let owner = tree
            .files
            .iter_mut()
            .find(|f| f.body.as_ref().is_some_and(|(p, _)| p == rel));
        if let Some(f) = owner {
            f.body = text.ok().map(|t| (rel.to_string(), t));
            return;
        }
        match tree.files.binary_search_by(|f| f.path.as_str().cmp(rel)) {
            Ok(i) => tree.files[i].text = text,
            Err(i) => {
                if let Some(kind) = Filter::new(&self.project.config).classify(rel) {
                    let file = SourceFile {
                        path: rel.to_string(),
                        text,
                        kind,
                        body: None,
                    };
                    tree.files.insert(i, file);
                    tree.all_paths.insert(rel.to_string());
                }
            }
        }
    }

    /// Whether `rel` frames the plans (the config or a kind's schema file):
    /// a change to it opens the plans again.
    pub fn frames(&self, rel: &str) -> bool {
        rel == crate::config::FILE_NAME
            || self
                .project
                .config
                .kinds
                .values()
                .filter_map(|k| k.schema.as_deref())
                .any(|s| s.trim_start_matches("./") == rel)
    }

    /// Opens the plans again from disk, keeping the open buffers.
    pub fn reload(&mut self) -> Result<(), String> {
        let mut fresh = Workspace::new(&self.project.root)?;
        for (rel, (uri, version)) in &self.open {
            if let Some(t) = self.text(rel) {
                fresh.set_open(rel, uri.clone(), *version, t.to_string());
            }
        }
        fresh.published = std::mem::take(&mut self.published);
        *self = fresh;
        Ok(())
    }

    /// Checks the plans again, as the tree now is.
    pub fn recheck(&mut self) {
        if self.memo.len() > self.project.tree.files.len() + 256 {
            self.memo.retain(&self.project.tree);
        }
        self.compiled = check(&self.project, &self.memo);
    }

    /// Copies the checked files' results for the next check on another
    /// thread (as `serve` does between edits): copying them is most of a
    /// re-check of a large plan, and the editor waits for the next one.
    pub fn prepare_next(&self) {
        self.memo.prepare_in_background(&self.preparing);
    }

    /// The diagnostics of the last check, by file, as the editor shows them.
    fn diagnostics(&self) -> BTreeMap<String, Vec<Diagnostic>> {
        let mut out: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
        for d in &self.compiled.diagnostics {
            let range = match self.text(&d.file) {
                Some(t) => text::token_range(t, d.line.max(1), d.column.max(1)),
                None => Range::default(),
            };
            let mut message = d.message.clone();
            for n in &d.notes {
                message.push_str(&format!("\nnote: {n}"));
            }
            if let Some(s) = &d.suggestion {
                message.push_str(&format!("\nhelp: {s}"));
            }
            out.entry(d.file.clone()).or_default().push(Diagnostic {
                range,
                severity: Some(match d.level {
                    Level::Error => DiagnosticSeverity::ERROR,
                    Level::Warning => DiagnosticSeverity::WARNING,
                }),
                code: Some(NumberOrString::String(d.rule.name().to_string())),
                source: Some("northstar".into()),
                message,
                ..Diagnostic::default()
            });
        }
        out
    }

    /// The diagnostics to publish after a check: every file whose
    /// diagnostics changed (an empty list where they went away), and the
    /// files `always` whether or not theirs did.
    pub fn publish(&mut self, always: &BTreeSet<String>) -> Vec<PublishDiagnosticsParams> {
        let fresh = self.diagnostics();
        let mut files: BTreeSet<String> =
            fresh.keys().chain(self.published.keys()).cloned().collect();
        files.extend(always.iter().cloned());
        let mut out = Vec::new();
        for file in files {
            let new = fresh.get(&file);
            if !always.contains(&file) && new == self.published.get(&file) {
                continue;
            }
            let Some(uri) = self.uri(&file) else { continue };
            let version = self.open.get(&file).map(|(_, v)| *v);
            out.push(PublishDiagnosticsParams::new(
                uri,
                new.cloned().unwrap_or_default(),
                version,
            ));
        }
        self.published = fresh;
        out
    }
}

/// Checks `project` (no history: `stale` does not run) with `memo`.
fn check(project: &Project, memo: &Memo) -> Compiled {
    crate::check::compile_with(
        &project.config,
        &project.registry,
        &project.tree,
        project.today(),
        None,
        Some(memo),
    )
}
