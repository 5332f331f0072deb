//! Rendering after an edit, for `serve`: which documents' pages an edit can
//! change, those pages alone ([`pages`], fast: the edited page is served
//! first), and the plan-wide pages (home, roadmap, kind lists, health,
//! changes, search index, plan.json, ...: [`wide`], which at 10,000
//! documents takes a second), to be laid over the previous site.
//!
//! A document page shows its own fields and body, and of the documents it
//! refers to or that refer to it their titles, kinds, statuses, summaries
//! and a few fields (a milestone's date, an insight's count): so an edit
//! changes the pages of the documents that changed and of their neighbours
//! in the reference graph, before and after the edit. What every page
//! shows (the kinds in the navigation, "today") or what reaches pages
//! through history (people shown as commit authors) needs a full render.

use super::ctx::Ctx;
use super::links::Index;
use super::templates::Templates;
use super::{Options, Site};
use crate::check::Compiled;
use crate::config::Config;
use crate::plan::{Document, Plan};
use crate::schema::Registry;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};

/// The ids whose pages an edit from `old` to `new` can change, or None when
/// only a full render will do (more than `limit` documents changed, the
/// navigation or "today" changed, or a person changed while commit authors
/// are shown as people). `files`, when known, are the only files that
/// changed: documents elsewhere are not compared.
pub fn affected(
    old: &Plan,
    new: &Plan,
    public: bool,
    history: bool,
    limit: usize,
    files: Option<&BTreeSet<String>>,
) -> Option<HashSet<String>> {
    if old.today != new.today || kinds(old, public) != kinds(new, public) {
        return None;
    }
    let ids: BTreeSet<&str> = match files {
        Some(files) => old
            .docs
            .iter()
            .chain(&new.docs)
            .filter(|d| files.contains(&d.file))
            .map(|d| d.id.as_str())
            .collect(),
        None => old
            .by_id
            .keys()
            .chain(new.by_id.keys())
            .map(String::as_str)
            .collect(),
    };
    let changed: HashSet<&str> = ids
        .into_iter()
        .filter(|id| old.get(id) != new.get(id))
        .collect();
    if changed.len() > limit {
        return None;
    }
    let person = |p: &Plan, id: &str| p.get(id).is_some_and(|d| d.kind == "person");
    if history && changed.iter().any(|id| person(old, id) || person(new, id)) {
        return None;
    }
    let mut out: HashSet<String> = changed.iter().map(|s| s.to_string()).collect();
    // Other pages show a document's title, kind, status, summary and some
    // fields: a change to those reaches every neighbour; an edit of the
    // body alone reaches only the documents its links gained or lost.
    fn face(d: &Document) -> (&String, &String, &String, &Value) {
        (&d.kind, &d.title, &d.file, &d.data)
    }
    let deep: HashSet<&str> = changed
        .iter()
        .copied()
        .filter(|id| match (old.get(id), new.get(id)) {
            (Some(a), Some(b)) => face(a) != face(b),
            _ => true,
        })
        .collect();
    let mut touching: [HashSet<(&str, &str, &str)>; 2] = Default::default();
    for (plan, edges) in [old, new].into_iter().zip(touching.iter_mut()) {
        for e in &plan.edges {
            let (from, to) = (plan.docs[e.from].id.as_str(), plan.docs[e.to].id.as_str());
            if deep.contains(from) {
                out.insert(to.to_string());
            }
            if deep.contains(to) {
                out.insert(from.to_string());
            }
            if changed.contains(from) || changed.contains(to) {
                edges.insert((from, to, e.field.as_str()));
            }
        }
    }
    for (from, to, _) in touching[0].symmetric_difference(&touching[1]) {
        out.insert(from.to_string());
        out.insert(to.to_string());
    }
    Some(out)
}

/// The kinds that have a published document: the navigation of every page.
fn kinds(plan: &Plan, public: bool) -> BTreeSet<&str> {
    plan.docs
        .iter()
        .enumerate()
        .filter(|(i, d)| plan.by_id.get(&d.id) == Some(i) && (!public || d.public()))
        .map(|(_, d)| d.kind.as_str())
        .collect()
}

/// Documents whose body mentions one of `files` by name: their pages link
/// to a file that appeared or went away.
pub fn mentioning(plan: &Plan, files: &BTreeSet<String>) -> HashSet<String> {
    let names: Vec<&str> = files
        .iter()
        .map(|f| f.rsplit('/').next().unwrap_or(f))
        .filter(|n| !n.is_empty())
        .collect();
    plan.docs
        .iter()
        .filter(|d| {
            d.body
                .as_ref()
                .is_some_and(|b| names.iter().any(|n| b.text.contains(n)))
        })
        .map(|d| d.id.clone())
        .collect()
}

/// The pages of the documents in `ids` (those published), rendered with
/// `tpl` (compiled from `opts.templates`) exactly as [`super::build`]
/// renders them, and the pages of `old`'s documents
/// among `ids` that no longer exist (a document deleted, renamed, hidden).
/// The plan-wide pages are [`wide`]'s.
#[allow(clippy::too_many_arguments)]
pub fn pages(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
    tpl: &Templates,
    old: &Plan,
    ids: &HashSet<String>,
) -> Result<(Site, Vec<String>), String> {
    let plan = &compiled.plan;
    let index = Index::new(plan, opts.public, all_paths);
    let ctx = Ctx::new(&index, registry, hist, config, opts.public);
    // The page frame, as `build` makes it.
    let (nav_kinds, header_kinds) = super::nav_kinds(config, registry, &index);
    let today = if opts.public {
        crate::dates::quarter(plan.today)
    } else {
        crate::dates::human(plan.today)
    };
    let has_roadmap = super::views::has_roadmap(config, &index);
    let frame = |title: &str, active: &str, page: Value| -> Value {
        json!({
            "root": "../", "page_title": title, "site_title": config.site.title, "product": config.product,
            "active": active, "nav_kinds": nav_kinds, "header_kinds": header_kinds,
            "has_roadmap": has_roadmap,
            "today": today, "public": opts.public,
            "show_health": !opts.public, "page": page,
        })
    };
    let legacy_document = opts.overrides("document.hbs");
    let docs: Vec<&Document> = index.docs().filter(|d| ids.contains(&d.id)).collect();
    let rendered: Vec<Result<super::RenderedPage, String>> = docs
        .par_iter()
        .map(|doc| {
            super::document_page(&ctx, tpl, hist, doc, legacy_document, &|page| {
                frame(&doc.title, &doc.kind, page)
            })
        })
        .collect();
    let mut site = Site::default();
    for r in rendered {
        let page = r?;
        site.assets.extend(page.assets.iter().cloned());
        let path = page.path.clone();
        site.put(&path, page.into_html());
    }
    site.assets.retain(|a| all_paths.contains(a));
    // Pages `old` published (the first document of an id; only public
    // ones in a public build) that this render did not make again.
    let stale = ids
        .iter()
        .filter_map(|id| old.get(id))
        .filter(|d| !opts.public || d.public())
        .map(Index::page)
        .filter(|p| !site.files.contains_key(p))
        .collect();
    Ok((site, stale))
}

/// Every page that is not a document's: home, roadmap, kind lists, health,
/// changes, search and its index, plan.json, the feed, the calendar, the
/// CSV and the static assets.
pub fn wide(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
) -> Result<Site, String> {
    let none = HashSet::new();
    let sink = super::Collect::new();
    let b = super::Build {
        compiled,
        hist,
        config,
        registry,
        all_paths,
        opts,
        only: Some(&none),
    };
    let assets = super::build_some(&b, &sink)?;
    Ok(sink.into_site(assets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Edge;
    use serde_json::json;

    fn doc(id: &str, kind: &str, title: &str) -> Document {
        Document {
            id: id.into(),
            kind: kind.into(),
            title: title.into(),
            file: format!("{id}.md"),
            data: json!({}),
            spans: Default::default(),
            pos: Default::default(),
            body: None,
        }
    }

    fn plan(docs: Vec<Document>, edges: &[(usize, usize)]) -> Plan {
        let mut p = Plan {
            by_id: docs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.clone(), i))
                .collect(),
            docs,
            edges: edges
                .iter()
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    field: "depends_on".into(),
                })
                .collect(),
            ..Plan::default()
        };
        p.index_edges();
        p
    }

    #[test]
    fn an_edit_reaches_its_neighbours_before_and_after() {
        let docs = || {
            vec![
                doc("a", "feature", "A"),
                doc("b", "feature", "B"),
                doc("c", "feature", "C"),
                doc("d", "feature", "D"),
            ]
        };
        let old = plan(docs(), &[(0, 1), (2, 3)]);
        let mut new_docs = docs();
        new_docs[0].title = "A2".into();
        // a now depends on c instead of b.
        let new = plan(new_docs, &[(0, 2), (2, 3)]);
        let got = affected(&old, &new, false, false, 10, None).expect("partial");
        let mut got: Vec<_> = got.into_iter().collect();
        got.sort();
        assert_eq!(got, ["a", "b", "c"]);
    }

    #[test]
    fn a_body_edit_reaches_only_links_it_gained_or_lost() {
        let with_body = |text: &str| {
            let mut d = doc("a", "feature", "A");
            d.body = Some(crate::plan::Body {
                text: text.into(),
                first_line: 1,
                file: "a.md".into(),
                info: Default::default(),
            });
            d
        };
        let old = plan(
            vec![
                with_body("x"),
                doc("b", "feature", "B"),
                doc("c", "feature", "C"),
            ],
            &[(0, 1)],
        );
        let new = plan(
            vec![
                with_body("y"),
                doc("b", "feature", "B"),
                doc("c", "feature", "C"),
            ],
            &[(0, 1)],
        );
        let got = affected(&old, &new, false, false, 10, None).expect("partial");
        assert_eq!(got, HashSet::from(["a".to_string()]));
        let linked = plan(
            vec![
                with_body("y"),
                doc("b", "feature", "B"),
                doc("c", "feature", "C"),
            ],
            &[(0, 1), (0, 2)],
        );
        let got = affected(&old, &linked, false, false, 10, None).expect("partial");
        assert_eq!(got, HashSet::from(["a".to_string(), "c".to_string()]));
    }

    #[test]
    fn a_new_kind_or_too_many_changes_need_a_full_render() {
        let old = plan(vec![doc("a", "feature", "A")], &[]);
        let new = plan(vec![doc("a", "feature", "A"), doc("t", "team", "T")], &[]);
        assert!(affected(&old, &new, false, false, 10, None).is_none());
        let new = plan(
            vec![doc("a", "feature", "A"), doc("b", "feature", "B")],
            &[],
        );
        assert!(affected(&old, &new, false, false, 0, None).is_none());
        assert!(affected(&old, &new, false, false, 1, None).is_some());
        let mut later = new.clone();
        later.today += 1;
        assert!(affected(&new, &later, false, false, 10, None).is_none());
    }

    #[test]
    fn known_files_limit_the_comparison() {
        let old = plan(
            vec![doc("a", "feature", "A"), doc("b", "feature", "B")],
            &[],
        );
        let mut docs = vec![doc("a", "feature", "A2"), doc("b", "feature", "B2")];
        docs[1].file = "b.md".into();
        let new = plan(docs, &[]);
        let only_a: BTreeSet<String> = ["a.md".to_string()].into();
        let got = affected(&old, &new, false, false, 10, Some(&only_a)).expect("partial");
        assert_eq!(got, HashSet::from(["a".to_string()]));
    }

    #[test]
    fn a_person_changes_history_everywhere() {
        let old = plan(vec![doc("p", "person", "P")], &[]);
        let new = plan(vec![doc("p", "person", "Pat")], &[]);
        assert!(affected(&old, &new, false, true, 10, None).is_none());
        assert!(affected(&old, &new, false, false, 10, None).is_some());
    }

    /// A copy of `example-repo/` committed to a fresh git repository in a
    /// temporary folder: building the project's own copy would write its
    /// history cache into the project's `.git`.
    fn example_in_git() -> tempfile::TempDir {
        fn copy(from: &std::path::Path, to: &std::path::Path) {
            std::fs::create_dir_all(to).expect("mkdir");
            for e in std::fs::read_dir(from).expect("read_dir") {
                let e = e.expect("entry");
                if e.file_type().expect("type").is_dir() {
                    copy(&e.path(), &to.join(e.file_name()));
                } else {
                    std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
                }
            }
        }
        let dir = tempfile::tempdir().expect("tempdir");
        copy(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-repo"),
            dir.path(),
        );
        let _ = std::fs::remove_dir_all(dir.path().join("site"));
        for args in [
            &["-c", "init.defaultBranch=main", "init", "-q"][..],
            &["add", "-A"],
            &["commit", "-q", "-m", "Example plans"],
        ] {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "A")
                .env("GIT_AUTHOR_EMAIL", "a@example.com")
                .env("GIT_COMMITTER_NAME", "A")
                .env("GIT_COMMITTER_EMAIL", "a@example.com")
                .env("GIT_AUTHOR_DATE", "2026-01-05T12:00:00+00:00")
                .env("GIT_COMMITTER_DATE", "2026-01-05T12:00:00+00:00")
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "git {args:?} failed");
        }
        dir
    }

    #[test]
    fn pages_match_a_full_build() {
        let example = example_in_git();
        let root = example.path();
        let project =
            crate::project::Project::open(root, &Default::default()).expect("example repo");
        let (compiled, hist) = project.compile_with_history();
        let opts = Options::default();
        let full = super::super::build(
            &compiled,
            &hist,
            &project.config,
            &project.registry,
            &project.tree.all_paths,
            &opts,
        )
        .expect("build");
        let ids: HashSet<String> = compiled.plan.docs.iter().map(|d| d.id.clone()).collect();
        let (site, stale) = pages(
            &compiled,
            &hist,
            &project.config,
            &project.registry,
            &project.tree.all_paths,
            &opts,
            &Templates::new(&opts.templates).expect("templates"),
            &compiled.plan,
            &ids,
        )
        .expect("pages");
        assert!(stale.is_empty());
        assert!(site.files.len() > 10);
        for (path, bytes) in &site.files {
            assert_eq!(full.files.get(path), Some(bytes), "{path} differs");
        }
        let wide = wide(
            &compiled,
            &hist,
            &project.config,
            &project.registry,
            &project.tree.all_paths,
            &opts,
        )
        .expect("wide");
        let mut both: Vec<&String> = site.files.keys().chain(wide.files.keys()).collect();
        both.sort();
        assert_eq!(both, full.files.keys().collect::<Vec<_>>());
        for (path, bytes) in &wide.files {
            assert_eq!(full.files.get(path), Some(bytes), "{path} differs");
        }
    }
}
