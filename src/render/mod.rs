//! The site: the compiled plan rendered to static files, each handed to a
//! [`Sink`] as it is made: `build` writes it to disk at once
//! ([`crate::output`]), `serve` keeps the files in memory ([`Site`]).

pub mod audience;
pub mod ctx;
pub mod data;
pub mod facts;
pub mod history;
pub mod links;
pub mod markdown;
pub mod pages;
pub mod partial;
pub mod risk;
pub mod svg;
pub mod templates;
pub mod text;
pub mod views;

use crate::check::Compiled;
use crate::config::Config;
use crate::schema::Registry;
use ctx::Ctx;
use links::Index;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A rendered document page: the template's output, the history list to
/// stand where the template put [`history::HISTORY_MARK`], and the files
/// its body links to. The list is written out in place of the mark, not
/// copied into the page first: with a long history that copy would move
/// megabytes.
pub(crate) struct RenderedPage {
    /// Site path.
    pub path: String,
    html: String,
    /// Where the mark is in `html`, and the list that replaces it.
    list: Option<(usize, history::List)>,
    /// Plans files the body links to.
    pub assets: BTreeSet<String>,
}

impl RenderedPage {
    /// The page at `path` as the template rendered it, with `list` to go
    /// where the template put the mark (dropped when it put none: an
    /// overridden template that does not show the list).
    fn new(
        path: String,
        html: String,
        list: Option<history::List>,
        assets: BTreeSet<String>,
    ) -> Self {
        let list = list.and_then(|l| Some((history::mark_at(&html)?, l)));
        RenderedPage {
            path,
            html,
            list,
            assets,
        }
    }

    /// The page's bytes, in order.
    fn parts(&self) -> [&[u8]; 3] {
        match &self.list {
            Some((at, list)) => [
                &self.html.as_bytes()[..*at],
                list.as_bytes(),
                &self.html.as_bytes()[at + history::HISTORY_MARK.len()..],
            ],
            None => [self.html.as_bytes(), b"", b""],
        }
    }

    /// The page as one string.
    pub(crate) fn into_html(self) -> String {
        match self.list {
            Some(_) => String::from_utf8(self.parts().concat()).unwrap_or_default(),
            None => self.html,
        }
    }
}

/// One document's page: its data and history section through the
/// `document` template (`frame` adds what every page has), the history
/// list spliced in after (see [`history::HISTORY_MARK`]).
fn document_page(
    ctx: &Ctx<'_>,
    tpl: &templates::Templates,
    hist: &crate::history::History,
    doc: &crate::plan::Document,
    legacy: bool,
    frame: &dyn Fn(Value) -> Value,
) -> Result<RenderedPage, String> {
    let mut assets = BTreeSet::new();
    let mut page = pages::document(ctx, doc, &mut assets);
    let (section, list) = history::document(ctx, hist, &doc.id, &doc.kind, "../", legacy);
    if let (Value::Object(p), Value::Object(h)) = (&mut page, section) {
        p.extend(h);
        if legacy && p.contains_key("readings_html") {
            p.insert("readings".into(), pages::readings(ctx, doc));
        }
    }
    let html = tpl.render("document", frame(page))?;
    Ok(RenderedPage::new(Index::page(doc), html, list, assets))
}

/// Build options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only `visibility: public` documents; no health page.
    pub public: bool,
    /// Template overrides by file name, from the plans' `templates/`.
    pub templates: BTreeMap<String, String>,
}

impl Options {
    /// Whether `template` is the plans' own. Templates written before the
    /// history lists came as HTML iterate them as values (`page.history`,
    /// `page.entries`): an overridden one still gets those, at its cost,
    /// so its pages do not lose their history.
    fn overrides(&self, template: &str) -> bool {
        self.templates.contains_key(template)
    }
}

/// A rendered site: files by path, plus plans files to copy in.
#[derive(Debug, Default)]
pub struct Site {
    /// Generated files by site path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Plans files (relative to the root) to copy to `files/<path>`.
    pub assets: BTreeSet<String>,
}

impl Site {
    fn put(&mut self, path: &str, text: String) {
        self.files.insert(path.to_string(), text.into_bytes());
    }
}

pub use crate::output::Sink;

/// A sink that keeps the files in memory.
struct Collect(std::sync::Mutex<BTreeMap<String, Vec<u8>>>);

impl Sink for Collect {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|_| "a render thread failed".to_string())?
            .insert(path.to_string(), bytes);
        Ok(())
    }
}

impl Collect {
    fn new() -> Collect {
        Collect(std::sync::Mutex::new(BTreeMap::new()))
    }

    fn into_site(self, assets: BTreeSet<String>) -> Site {
        Site {
            files: self.0.into_inner().unwrap_or_else(|e| e.into_inner()),
            assets,
        }
    }
}

/// Renders the whole site in memory.
pub fn build(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
) -> Result<Site, String> {
    let sink = Collect::new();
    let assets = build_into(compiled, hist, config, registry, all_paths, opts, &sink)?;
    Ok(sink.into_site(assets))
}

/// Renders the whole site into `sink`; returns the plans files its pages
/// link to (relative to the root), to be copied in as `files/<path>`.
pub fn build_into(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
    sink: &dyn Sink,
) -> Result<BTreeSet<String>, String> {
    let b = Build {
        compiled,
        hist,
        config,
        registry,
        all_paths,
        opts,
        only: None,
    };
    build_some(&b, sink)
}

/// What [`build_some`] renders from: the compiled plan and what it was
/// compiled with, and the documents whose pages to render (every one when
/// `only` is None). One value instead of eight arguments, so the phases
/// of a build take what they need from it.
pub(crate) struct Build<'a> {
    /// The checked plan and its diagnostics.
    pub(crate) compiled: &'a Compiled,
    /// History from git (empty without a repository).
    pub(crate) hist: &'a crate::history::History,
    /// The project's configuration.
    pub(crate) config: &'a Config,
    /// The kinds.
    pub(crate) registry: &'a Registry,
    /// Every file under the plans' root, for the assets pages link to.
    pub(crate) all_paths: &'a BTreeSet<String>,
    /// Build options.
    pub(crate) opts: &'a Options,
    /// The documents (by id) whose pages to render; all when None.
    pub(crate) only: Option<&'a HashSet<String>>,
}

/// What every page's template gets beside its own `page`: the site's
/// title, the navigation, today. Made once per build, so each page adds
/// only its own values.
struct Frame<'a> {
    config: &'a Config,
    nav_kinds: Vec<Value>,
    header_kinds: Vec<Value>,
    /// Whether the plan has a published document on the roadmap.
    has_roadmap: bool,
    today: String,
    public: bool,
}

/// The kinds the navigation links to, as (footer, header): the footer
/// lists every kind with a published document by its plural; the header
/// the built-in features, objectives and metrics, then every kind the
/// plans define (a repository's own specs: KEPs, RFCs), each only when it
/// has a published document.
fn nav_kinds(config: &Config, registry: &Registry, index: &Index<'_>) -> (Vec<Value>, Vec<Value>) {
    let shown: Vec<&str> = registry
        .names()
        .into_iter()
        .filter(|k| index.of_kind(k).next().is_some())
        .collect();
    let footer = shown
        .iter()
        .map(|k| json!({"kind": k, "label": config.kind_plural(k)}))
        .collect();
    let header = ["feature", "objective", "metric"]
        .into_iter()
        .filter(|k| shown.contains(k))
        .chain(
            shown
                .iter()
                .copied()
                .filter(|k| !crate::schema::is_builtin(k)),
        )
        .map(|k| json!({"kind": k, "label": crate::config::capitalised(&config.kind_plural(k))}))
        .collect();
    (footer, header)
}

impl Frame<'_> {
    /// The context of a page `root` away from the site root, titled
    /// `title`, with `active` marked in the navigation and `page` as the
    /// page's own values.
    fn wrap(&self, root: &str, title: &str, active: &str, page: Value) -> Value {
        let mut b = json!({
            "root": root, "page_title": title, "site_title": self.config.site.title, "product": self.config.product,
            "active": active, "nav_kinds": self.nav_kinds, "header_kinds": self.header_kinds,
            "has_roadmap": self.has_roadmap,
            "today": self.today, "public": self.public,
            "show_health": !self.public,
        });
        if let (Value::Object(o), Value::Object(p)) = (&mut b, page) {
            o.insert("page".into(), Value::Object(p));
        }
        b
    }
}

/// One build under way: what its phases share (the input, the page
/// context, the templates, the frame and the sink), so each phase is a
/// function of one argument rather than a closure over all of them.
struct Render<'a> {
    b: &'a Build<'a>,
    ctx: &'a Ctx<'a>,
    tpl: &'a templates::Templates,
    frame: &'a Frame<'a>,
    sink: &'a dyn Sink,
}

impl Render<'_> {
    /// Hands a generated text file to the sink.
    fn put(&self, path: &str, text: String) -> Result<(), String> {
        self.sink.put(path, text.into_bytes())
    }

    /// Renders a page at the site root through `template` and hands it to
    /// the sink.
    fn page(
        &self,
        path: &str,
        template: &str,
        (title, active): (&str, &str),
        page: Value,
    ) -> Result<(), String> {
        let html = self
            .tpl
            .render(template, self.frame.wrap("", title, active, page))?;
        self.put(path, html)
    }
}

/// [`build`], with the pages of only the documents in `b.only` (by id)
/// when given; every other page is rendered as in a full build. `serve`
/// renders an edit's pages this way ([`partial`]). The document pages,
/// `plan.json` and the plan-wide pages run side by side.
pub(crate) fn build_some(b: &Build<'_>, sink: &dyn Sink) -> Result<BTreeSet<String>, String> {
    let opts = b.opts;
    let tpl = templates::Templates::new(&opts.templates)?;
    let plan = &b.compiled.plan;
    let index = Index::new(plan, opts.public, b.all_paths);
    let ctx = Ctx::new(&index, b.registry, b.hist, b.config, opts.public);
    let kinds: Vec<String> = b
        .registry
        .names()
        .into_iter()
        .filter(|k| index.of_kind(k).next().is_some())
        .map(String::from)
        .collect();
    let (nav_kinds, header_kinds) = nav_kinds(b.config, b.registry, &index);
    let frame = Frame {
        config: b.config,
        nav_kinds,
        header_kinds,
        has_roadmap: views::has_roadmap(b.config, &index),
        today: if opts.public {
            crate::dates::quarter(plan.today)
        } else {
            crate::dates::human(plan.today)
        },
        public: opts.public,
    };
    let r = Render {
        b,
        ctx: &ctx,
        tpl: &tpl,
        frame: &frame,
        sink,
    };
    // Document pages are independent: render them on every core.
    let docs: Vec<_> = index
        .docs()
        .filter(|d| b.only.is_none_or(|o| o.contains(&d.id)))
        .collect();
    let list_taken = lists_taken(&index);
    // plan.json (large with history) is built on one core while the pages
    // take the others; the plan-wide pages, one after another, run beside
    // them. Each page is handed to the sink by the thread that rendered it.
    let ((assets, plan_json), wide) = rayon::join(
        || rayon::join(|| document_pages(&r, &docs), || plan_json(&r)),
        || wide_pages(&r, &kinds, &list_taken),
    );
    wide?;
    plan_json?;
    let mut linked = BTreeSet::new();
    for a in assets {
        linked.extend(a?);
    }
    linked.retain(|a| b.all_paths.contains(a));
    Ok(linked)
}

/// The kinds whose list page a document takes. A document whose id is
/// `index` (`invalid-id`, built with `--allow-errors`) has the path of
/// its kind's list: its page is the one written (as when pages were
/// written one after another, documents last), and never both at once.
/// `Index` is the same file only where file names ignore case (macOS,
/// Windows); elsewhere both are written.
fn lists_taken<'i>(index: &'i Index<'_>) -> HashSet<&'i str> {
    index
        .docs()
        .filter(|d| {
            if cfg!(any(target_os = "macos", target_os = "windows")) {
                crate::check::documents::reserved_id(&d.id)
            } else {
                d.id == "index"
            }
        })
        .map(|d| d.kind.as_str())
        .collect()
}

/// The document pages of `docs`, on every core, each handed to the sink
/// as it is made; the plans files each links to.
fn document_pages(
    r: &Render<'_>,
    docs: &[&crate::plan::Document],
) -> Vec<Result<BTreeSet<String>, String>> {
    let _t = crate::timings::phase("render: document pages");
    let legacy = r.b.opts.overrides("document.hbs");
    docs.par_iter()
        .map(|doc| {
            let page = document_page(r.ctx, r.tpl, r.b.hist, doc, legacy, &|page| {
                r.frame.wrap("../", &doc.title, &doc.kind, page)
            })?;
            r.sink.put_parts(&page.path, &page.parts())?;
            Ok(page.assets)
        })
        .collect()
}

/// `plan.json`: every published document with its history.
fn plan_json(r: &Render<'_>) -> Result<(), String> {
    let _t = crate::timings::phase("render: plan.json");
    let (index, public, hist) = (r.ctx.index, r.b.opts.public, r.b.hist);
    let plan = data::plan_json(index, &r.b.config.product, public, &|id| {
        history::plan_events(public.then_some(index), hist, id)
    });
    r.sink.put_parts("plan.json", &[&plan])
}

/// Every page that is not a document's, one after another: they run
/// beside the document pages, whose parallel work fills the other cores.
fn wide_pages(r: &Render<'_>, kinds: &[String], list_taken: &HashSet<&str>) -> Result<(), String> {
    home_page(r)?;
    roadmap_pages(r)?;
    plan_pages(r)?;
    kind_lists(r, kinds, list_taken)?;
    data_files(r)
}

/// `index.html`: the home.
fn home_page(r: &Render<'_>) -> Result<(), String> {
    let _t = crate::timings::phase("render: home");
    let home = views::home(
        r.ctx,
        history::log(r.ctx, r.b.hist, 8),
        (!r.b.opts.public).then_some(&r.b.compiled.diagnostics[..]),
    );
    let title = &r.b.config.site.title;
    r.page("index.html", "index", (title, "home"), home)
}

/// The roadmap: its page, the timeline alone as `roadmap.svg` (for
/// slides), and `roadmap-data.js`, which its views are drawn from.
fn roadmap_pages(r: &Render<'_>) -> Result<(), String> {
    let _t = crate::timings::phase("render: roadmap");
    let timeline = views::timeline(r.ctx);
    r.put(
        "roadmap.svg",
        svg::standalone(&timeline, &r.tpl.asset("style.css")),
    )?;
    r.put("roadmap-data.js", views::roadmap_data(r.ctx))?;
    let page = {
        let _t = crate::timings::phase("render: roadmap data");
        views::roadmap(r.ctx, timeline)
    };
    r.page("roadmap.html", "roadmap", ("Roadmap", "roadmap"), page)
}

/// The other pages about the whole plan: not doing, search, changes and,
/// in a full build, health.
fn plan_pages(r: &Render<'_>) -> Result<(), String> {
    let (ctx, hist, opts) = (r.ctx, r.b.hist, r.b.opts);
    let not_doing = views::not_doing(ctx);
    r.page(
        "not-doing.html",
        "not-doing",
        ("Not doing", "not-doing"),
        not_doing,
    )?;
    r.page("search.html", "search", ("Search", "search"), json!({}))?;
    let log = history::log_html(ctx, hist);
    let mut changes = json!({
        "has_entries": !log.html.is_empty(),
        "entries_html": log.html,
        "kinds": log.kinds,
        "notes": history::notes(ctx, hist),
        "limited": log.limited,
        "limit": history::COMMIT_LIMIT,
    });
    if opts.overrides("changes.hbs") {
        changes["entries"] = json!(history::log(ctx, hist, history::LOG_LIMIT));
    }
    r.page("changes.html", "changes", ("Changes", "changes"), changes)?;
    if !opts.public {
        let health = views::health(ctx, &r.b.compiled.diagnostics);
        r.page("health.html", "health", ("Health", "health"), health)?;
    }
    Ok(())
}

/// Each kind's list, paged, but for the kinds whose list a document's
/// page takes ([`lists_taken`]).
fn kind_lists(r: &Render<'_>, kinds: &[String], list_taken: &HashSet<&str>) -> Result<(), String> {
    let _t = crate::timings::phase("render: kind lists");
    for kind in kinds.iter().filter(|k| !list_taken.contains(k.as_str())) {
        for list in pages::kind_list(r.ctx, kind) {
            let title = r.frame.config.kind_plural(kind);
            let page = r.frame.wrap(list.root, &title, kind, list.context);
            r.put(&list.path, r.tpl.render("kind", page)?)?;
        }
    }
    Ok(())
}

/// The small data files and static assets. Rendered last of the
/// plan-wide pages, so these leave the cores to the document pages
/// soonest when everything not per-document is here.
fn data_files(r: &Render<'_>) -> Result<(), String> {
    let (index, config, public) = (r.ctx.index, r.b.config, r.b.opts.public);
    r.put("plan.schema.json", data::PLAN_SCHEMA.to_string())?;
    r.put("roadmap.ics", data::ics(index, &config.product, public))?;
    r.put("features.csv", data::csv(index, public))?;
    r.put("search-index.js", data::search_index(index))?;
    r.put(
        "feed.xml",
        r.tpl
            .render_xml("feed", history::feed(r.ctx, config, r.b.hist))?,
    )?;
    r.put("style.css", r.tpl.asset("style.css"))?;
    r.put("site.js", r.tpl.asset("site.js"))
}

/// The plural of a kind's name, for lists of kinds: `strategies`, `people`.
pub(crate) fn plural(kind: &str) -> String {
    crate::numbers::plural(&kind.replace(['_', '-'], " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use history::HISTORY_MARK;

    /// The page a template's output and a list make.
    fn splice(page: String, list: Option<String>) -> String {
        RenderedPage::new(
            String::new(),
            page,
            list.map(history::List),
            BTreeSet::new(),
        )
        .into_html()
    }

    #[test]
    fn the_list_replaces_the_mark_the_template_placed() {
        let page = format!("<main>{HISTORY_MARK}</main>");
        let list = Some("<li class=\"event\">x</li>".to_string());
        assert_eq!(
            splice(page.clone(), list.clone()),
            "<main><li class=\"event\">x</li></main>"
        );
        // An overridden template got the list itself: nothing to splice.
        assert_eq!(splice(page.clone(), None), page);
        // No mark (a template that does not show the list): unchanged.
        assert_eq!(
            splice("<main></main>".into(), list.clone()),
            "<main></main>"
        );
        // Only the last mark is the template's.
        assert_eq!(
            splice(format!("a{HISTORY_MARK}b{HISTORY_MARK}c"), list),
            format!("a{HISTORY_MARK}b<li class=\"event\">x</li>c")
        );
    }
}
