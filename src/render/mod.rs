//! The site: the compiled plan rendered to static files in memory. Writing
//! them out is [`crate::output`]'s job, so `serve` can keep them in memory.

pub mod data;
pub mod facts;
pub mod history;
pub mod links;
pub mod markdown;
pub mod pages;
pub mod partial;
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

/// A document page: its path, its HTML and the files its body links to.
type RenderedPage = (String, String, BTreeSet<String>);

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
    }
    let html = tpl.render("document", frame(page))?;
    Ok((Index::page(doc), history::splice(html, list), assets))
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

/// Renders the whole site.
pub fn build(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
) -> Result<Site, String> {
    build_some(compiled, hist, config, registry, all_paths, opts, None)
}

/// [`build`], with the pages of only the documents in `only` (by id) when
/// given; every other page is rendered as in a full build. `serve` renders
/// an edit's pages this way ([`partial`]).
pub(crate) fn build_some(
    compiled: &Compiled,
    hist: &crate::history::History,
    config: &Config,
    registry: &Registry,
    all_paths: &BTreeSet<String>,
    opts: &Options,
    only: Option<&std::collections::HashSet<String>>,
) -> Result<Site, String> {
    let tpl = templates::Templates::new(&opts.templates)?;
    let plan = &compiled.plan;
    let index = Index::new(plan, opts.public, all_paths);
    let ctx = Ctx::new(&index, registry, hist, config, opts.public);
    let mut site = Site::default();
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
    // Document pages are independent: render them on every core.
    let docs: Vec<_> = index
        .docs()
        .filter(|d| only.is_none_or(|o| o.contains(&d.id)))
        .collect();
    // The plan-wide pages, one after another: they run beside the document
    // pages, whose parallel work fills the other cores.
    let wide = || -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        let t = crate::timings::phase("render: home");
        let home = views::home(&ctx, history::log(&ctx, hist, 8));
        out.push((
            "index.html".to_string(),
            tpl.render("index", merge(base("", &config.site.title, "home"), home))?,
        ));
        drop(t);
        let t = crate::timings::phase("render: roadmap");
        out.push((
            "roadmap.html".to_string(),
            tpl.render(
                "roadmap",
                merge(base("", "Roadmap", "roadmap"), {
                    let _t = crate::timings::phase("render: roadmap data");
                    views::roadmap(&ctx)
                }),
            )?,
        ));
        drop(t);
        out.push((
            "not-doing.html".to_string(),
            tpl.render(
                "not-doing",
                merge(base("", "Not doing", "not-doing"), views::not_doing(&ctx)),
            )?,
        ));
        out.push((
            "search.html".to_string(),
            tpl.render("search", merge(base("", "Search", "search"), json!({})))?,
        ));
        let entries = history::log_html(&ctx, hist, history::LOG_LIMIT);
        let mut changes = json!({
            "has_entries": !entries.is_empty(),
            "entries_html": entries,
            "notes": history::notes(hist),
            "limited": hist.log.len() > history::LOG_LIMIT,
            "limit": history::LOG_LIMIT,
        });
        if opts.overrides("changes.hbs") {
            changes["entries"] = json!(history::log(&ctx, hist, history::LOG_LIMIT));
        }
        out.push((
            "changes.html".to_string(),
            tpl.render("changes", merge(base("", "Changes", "changes"), changes))?,
        ));
        if !opts.public {
            out.push((
                "health.html".to_string(),
                tpl.render(
                    "health",
                    merge(
                        base("", "Health", "health"),
                        views::health(&ctx, &compiled.diagnostics),
                    ),
                )?,
            ));
        }
        let t = crate::timings::phase("render: kind lists");
        for kind in &kinds {
            let list = views::kind_list(&ctx, kind);
            out.push((
                format!("{kind}/index.html"),
                tpl.render("kind", merge(base("../", &plural(kind), kind), list))?,
            ));
        }
        drop(t);
        Ok(out)
    };
    // plan.json (large with history) is built on one core while the pages
    // take the others.
    let ((rendered, plan_json), wide) = rayon::join(
        || {
            rayon::join(
                || {
                    let _t = crate::timings::phase("render: document pages");
                    docs.par_iter()
                        .map(|doc| {
                            document_page(&ctx, &tpl, hist, doc, legacy_document, &|page| {
                                merge(base("../", &doc.title, &doc.kind), page)
                            })
                        })
                        .collect::<Vec<Result<RenderedPage, String>>>()
                },
                || {
                    let _t = crate::timings::phase("render: plan.json");
                    data::plan_json(&index, &config.product, opts.public, &|id: &str| {
                        history::plan_events(opts.public, hist, id)
                    })
                },
            )
        },
        wide,
    );
    for (path, html) in wide? {
        site.put(&path, html);
    }
    for r in rendered {
        let (path, html, assets) = r?;
        site.put(&path, html);
        site.assets.extend(assets);
    }
    site.put("plan.json", plan_json);
    site.put("plan.schema.json", data::PLAN_SCHEMA.to_string());
    site.put(
        "roadmap.ics",
        data::ics(&index, &config.product, opts.public),
    );
    site.put("features.csv", data::csv(&index, opts.public));
    site.put("search-index.js", data::search_index(&index));
    site.put("feed.xml", history::feed(&ctx, config, hist));
    site.put("style.css", tpl.asset("style.css"));
    site.put("site.js", tpl.asset("site.js"));
    site.assets.retain(|a| all_paths.contains(a));
    Ok(site)
}

/// The plural of a kind's name, for lists of kinds: `strategies`, `people`.
fn plural(kind: &str) -> String {
    let kind = kind.replace(['_', '-'], " ");
    if kind == "person" {
        return "people".into();
    }
    match kind.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ if kind.ends_with('s') || kind.ends_with('x') || kind.ends_with("ch") => {
            format!("{kind}es")
        }
        _ => format!("{kind}s"),
    }
}
