//! The site: the compiled plan rendered to static files, each handed to a
//! [`Sink`] as it is made: `build` writes it to disk at once
//! ([`crate::output`]), `serve` keeps the files in memory ([`Site`]).

pub mod audience;
pub mod data;
pub mod facts;
pub mod history;
pub mod links;
pub mod markdown;
pub mod pages;
pub mod partial;
pub mod reuse;
pub mod risk;
pub mod svg;
pub mod templates;
pub mod views;

use crate::check::Compiled;
use crate::config::Config;
use crate::schema::Registry;
use links::Index;
use pages::Ctx;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A rendered document page: the template's output, the history list to
/// stand where the template put [`history::HISTORY_MARK`], and the files
/// its body links to. The list is written out in place of the mark, not
/// copied into the page first: with a long history that copy would move
/// megabytes.
pub(crate) struct RenderedPage<'r> {
    /// Site path.
    pub path: String,
    html: String,
    /// Where the mark is in `html`, and the list that replaces it.
    list: Option<(usize, history::List<'r>)>,
    /// Plans files the body links to.
    pub assets: BTreeSet<String>,
}

impl<'r> RenderedPage<'r> {
    /// The page at `path` as the template rendered it, with `list` to go
    /// where the template put the mark (dropped when it put none: an
    /// overridden template that does not show the list).
    fn new(
        path: String,
        html: String,
        list: Option<history::List<'r>>,
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
fn document_page<'r>(
    ctx: &Ctx<'_>,
    tpl: &templates::Templates,
    hist: &crate::history::History,
    doc: &crate::plan::Document,
    legacy: bool,
    reuse: Option<(&'r reuse::Reuse, u64)>,
    frame: &dyn Fn(Value) -> Value,
) -> Result<RenderedPage<'r>, String> {
    let mut assets = BTreeSet::new();
    let mut page = pages::document(ctx, doc, &mut assets);
    let (section, list) = history::document(ctx, hist, &doc.id, &doc.kind, "../", legacy, reuse);
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
    /// The history cache's folder, to keep rendered history in for the
    /// next build and take it from ([`reuse`]); `build` sets it.
    pub reuse_in: Option<std::path::PathBuf>,
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
    build_some(
        compiled, hist, config, registry, all_paths, opts, None, sink,
    )
}

/// [`build`], with the pages of only the documents in `only` (by id) when
/// given; every other page is rendered as in a full build. `serve` renders
/// an edit's pages this way ([`partial`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn build_some(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
    only: Option<&std::collections::HashSet<String>>,
    sink: &dyn Sink,
) -> Result<BTreeSet<String>, String> {
    let tpl = templates::Templates::new(&opts.templates)?;
    let plan = &compiled.plan;
    let index = Index::new(plan, opts.public, all_paths);
    let ctx = Ctx::new(&index, registry, hist, config, opts.public);
    let put = |path: &str, text: String| sink.put(path, text.into_bytes());
    let kinds: Vec<String> = registry
        .names()
        .into_iter()
        .filter(|k| index.of_kind(k).next().is_some())
        .map(String::from)
        .collect();
    let nav_kinds: Vec<Value> = kinds
        .iter()
        .map(|k| json!({"kind": k, "label": plural(k)}))
        .collect();
    let today = if opts.public {
        crate::dates::quarter(plan.today)
    } else {
        crate::dates::human(plan.today)
    };
    let base = |root: &str, title: &str, active: &str| -> Value {
        json!({
            "root": root, "page_title": title, "site_title": config.site.title, "product": config.product,
            "active": active, "nav_kinds": nav_kinds, "today": today, "public": opts.public,
            "show_health": !opts.public,
        })
    };
    let merge = |mut b: Value, page: Value| -> Value {
        if let (Value::Object(o), Value::Object(p)) = (&mut b, page) {
            o.insert("page".into(), Value::Object(p));
        }
        b
    };
    let legacy_document = opts.overrides("document.hbs");
    // Rendered history an earlier build kept, found by the digest of each
    // document's changes.
    let reuse = opts
        .reuse_in
        .as_deref()
        .filter(|_| hist.available && only.is_none())
        .and_then(|dir| {
            let context = reuse::context(opts.public, ctx.people.iter())?;
            let context = if opts.public {
                audience::context(&index, context)
            } else {
                context
            };
            Some(reuse::Reuse::open(reuse::path(dir, opts.public), context))
        });
    let reuse_for = |id: &str| Some((reuse.as_ref()?, hist.docs.get(id)?.digest));
    // Document pages are independent: render them on every core.
    let docs: Vec<_> = index
        .docs()
        .filter(|d| only.is_none_or(|o| o.contains(&d.id)))
        .collect();
    // A document whose id is `index` (`invalid-id`, built with
    // `--allow-errors`) has the path of its kind's list: its page is the
    // one written (as when pages were written one after another, documents
    // last), and never both at once. `Index` is the same file only where
    // file names ignore case (macOS, Windows); elsewhere both are written.
    let list_taken: std::collections::HashSet<&str> = index
        .docs()
        .filter(|d| {
            if cfg!(any(target_os = "macos", target_os = "windows")) {
                crate::check::documents::reserved_id(&d.id)
            } else {
                d.id == "index"
            }
        })
        .map(|d| d.kind.as_str())
        .collect();
    // The plan-wide pages, one after another: they run beside the document
    // pages, whose parallel work fills the other cores.
    let wide = || -> Result<(), String> {
        let t = crate::timings::phase("render: home");
        let home = views::home(
            &ctx,
            history::log(&ctx, hist, 8),
            (!opts.public).then_some(&compiled.diagnostics[..]),
        );
        put(
            "index.html",
            tpl.render("index", merge(base("", &config.site.title, "home"), home))?,
        )?;
        drop(t);
        let t = crate::timings::phase("render: roadmap");
        let timeline = views::timeline(&ctx);
        put(
            "roadmap.svg",
            svg::standalone(&timeline, &tpl.asset("style.css")),
        )?;
        put("roadmap-data.js", views::roadmap_data(&ctx))?;
        put(
            "roadmap.html",
            tpl.render(
                "roadmap",
                merge(base("", "Roadmap", "roadmap"), {
                    let _t = crate::timings::phase("render: roadmap data");
                    views::roadmap(&ctx, timeline)
                }),
            )?,
        )?;
        drop(t);
        put(
            "not-doing.html",
            tpl.render(
                "not-doing",
                merge(base("", "Not doing", "not-doing"), views::not_doing(&ctx)),
            )?,
        )?;
        put(
            "search.html",
            tpl.render("search", merge(base("", "Search", "search"), json!({})))?,
        )?;
        let log = history::log_html(&ctx, hist);
        let mut changes = json!({
            "has_entries": !log.html.is_empty(),
            "entries_html": log.html,
            "kinds": log.kinds,
            "notes": history::notes(&ctx, hist),
            "limited": log.limited,
            "limit": history::COMMIT_LIMIT,
        });
        if opts.overrides("changes.hbs") {
            changes["entries"] = json!(history::log(&ctx, hist, history::LOG_LIMIT));
        }
        put(
            "changes.html",
            tpl.render("changes", merge(base("", "Changes", "changes"), changes))?,
        )?;
        if !opts.public {
            put(
                "health.html",
                tpl.render(
                    "health",
                    merge(
                        base("", "Health", "health"),
                        views::health(&ctx, &compiled.diagnostics),
                    ),
                )?,
            )?;
        }
        let t = crate::timings::phase("render: kind lists");
        for kind in kinds.iter().filter(|k| !list_taken.contains(k.as_str())) {
            for list in pages::kind_list(&ctx, kind) {
                put(
                    &list.path,
                    tpl.render(
                        "kind",
                        merge(base(list.root, &plural(kind), kind), list.context),
                    )?,
                )?;
            }
        }
        drop(t);
        // The small data files too: these pages leave the cores for the
        // document pages soonest when everything not per-document is here.
        put("plan.schema.json", data::PLAN_SCHEMA.to_string())?;
        put(
            "roadmap.ics",
            data::ics(&index, &config.product, opts.public),
        )?;
        put("features.csv", data::csv(&index, opts.public))?;
        put("search-index.js", data::search_index(&index))?;
        put(
            "feed.xml",
            tpl.render_xml("feed", history::feed(&ctx, config, hist))?,
        )?;
        put("style.css", tpl.asset("style.css"))?;
        put("site.js", tpl.asset("site.js"))
    };
    // plan.json (large with history) is built on one core while the pages
    // take the others. Each page is handed to the sink by the thread that
    // rendered it.
    let ((assets, plan_json), wide) = rayon::join(
        || {
            rayon::join(
                || {
                    let _t = crate::timings::phase("render: document pages");
                    docs.par_iter()
                        .map(|doc| {
                            let page = document_page(
                                &ctx,
                                &tpl,
                                hist,
                                doc,
                                legacy_document,
                                reuse_for(&doc.id),
                                &|page| merge(base("../", &doc.title, &doc.kind), page),
                            )?;
                            sink.put_parts(&page.path, &page.parts())?;
                            Ok(page.assets)
                        })
                        .collect::<Vec<Result<BTreeSet<String>, String>>>()
                },
                || {
                    let _t = crate::timings::phase("render: plan.json");
                    let plan = data::plan_json(&index, &config.product, opts.public, &|id| {
                        history::plan_events(opts.public.then_some(&index), hist, id, reuse_for(id))
                    });
                    sink.put_parts("plan.json", &plan.parts())
                },
            )
        },
        wide,
    );
    wide?;
    plan_json?;
    if let Some(r) = reuse {
        r.save(hist.damaged());
    }
    let mut linked = BTreeSet::new();
    for a in assets {
        linked.extend(a?);
    }
    linked.retain(|a| all_paths.contains(a));
    Ok(linked)
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
            list.map(history::List::Fresh),
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
