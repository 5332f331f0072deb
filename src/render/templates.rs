//! Handlebars templates and static assets: compiled in, and replaced file
//! by file by the plans repository's own `templates/` folder.

use handlebars::Handlebars;
use serde_json::Value;
use std::collections::BTreeMap;

/// The built-in templates and assets, by file name.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("layout.hbs", include_str!("../../templates/layout.hbs")),
    ("index.hbs", include_str!("../../templates/index.hbs")),
    ("roadmap.hbs", include_str!("../../templates/roadmap.hbs")),
    ("document.hbs", include_str!("../../templates/document.hbs")),
    ("kind.hbs", include_str!("../../templates/kind.hbs")),
    ("health.hbs", include_str!("../../templates/health.hbs")),
    (
        "not-doing.hbs",
        include_str!("../../templates/not-doing.hbs"),
    ),
    ("search.hbs", include_str!("../../templates/search.hbs")),
    ("changes.hbs", include_str!("../../templates/changes.hbs")),
    ("cards.hbs", include_str!("../../templates/cards.hbs")),
    ("style.css", include_str!("../../templates/style.css")),
    ("site.js", include_str!("../../templates/site.js")),
];

/// The compiled templates of one build.
pub struct Templates {
    hbs: Handlebars<'static>,
    assets: BTreeMap<String, String>,
}

impl Templates {
    /// Compiles the defaults, each replaced by an override of the same name.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Templates, String> {
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(false);
        hbs.set_prevent_indent(true);
        let mut assets = BTreeMap::new();
        for (name, text) in DEFAULTS {
            let text = overrides.get(*name).map(String::as_str).unwrap_or(text);
            if let Some(stem) = name.strip_suffix(".hbs") {
                hbs.register_template_string(stem, text)
                    .map_err(|e| format!("template `templates/{name}`: {e}"))?;
                if matches!(stem, "layout" | "cards") {
                    hbs.register_partial(stem, text)
                        .map_err(|e| format!("template `templates/{name}`: {e}"))?;
                }
            } else {
                assets.insert(name.to_string(), text.to_string());
            }
        }
        Ok(Templates { hbs, assets })
    }

    /// Renders template `name` with `data`.
    pub fn render(&self, name: &str, data: Value) -> Result<String, String> {
        // A `Context` built from an owned value avoids handlebars' deep copy
        // of the page data, the largest cost of a big build.
        let ctx = handlebars::Context::from(data);
        self.hbs
            .render_with_context(name, &ctx)
            .map_err(|e| format!("template `templates/{name}.hbs`: {e}"))
    }

    /// A static asset's text.
    pub fn asset(&self, name: &str) -> String {
        self.assets.get(name).cloned().unwrap_or_default()
    }
}
