//! Handlebars templates and static assets: compiled in, and replaced file
//! by file by the plans repository's own `templates/` folder.

use handlebars::Handlebars;
use handlebars::template::{Parameter, Template, TemplateElement};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

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
    ("feed.xml.hbs", include_str!("../../templates/feed.xml.hbs")),
    ("cards.hbs", include_str!("../../templates/cards.hbs")),
    ("style.css", include_str!("../../templates/style.css")),
    ("site.js", include_str!("../../templates/site.js")),
];

/// The compiled templates of one build.
pub struct Templates {
    hbs: Handlebars<'static>,
    /// Templates of XML files (`*.xml.hbs`, the Atom feed): their values
    /// are escaped for XML (`history::xml`), not HTML.
    xml: Handlebars<'static>,
    assets: BTreeMap<String, String>,
}

impl Templates {
    /// Compiles the defaults, each replaced by an override of the same name.
    pub fn new(overrides: &BTreeMap<String, String>) -> Result<Templates, String> {
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(false);
        hbs.set_prevent_indent(true);
        let mut xml = Handlebars::new();
        xml.set_strict_mode(false);
        xml.register_escape_fn(super::history::xml);
        let mut assets = BTreeMap::new();
        for (name, text) in DEFAULTS {
            let text = overrides.get(*name).map(String::as_str).unwrap_or(text);
            if let Some(stem) = name.strip_suffix(".xml.hbs") {
                xml.register_template_string(stem, text)
                    .map_err(|e| format!("template `templates/{name}`: {e}"))?;
            } else if let Some(stem) = name.strip_suffix(".hbs") {
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
        check_nesting(&hbs)?;
        check_nesting(&xml)?;
        Ok(Templates { hbs, xml, assets })
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

    /// Renders XML template `name` (`templates/NAME.xml.hbs`) with `data`.
    pub fn render_xml(&self, name: &str, data: Value) -> Result<String, String> {
        let ctx = handlebars::Context::from(data);
        self.xml
            .render_with_context(name, &ctx)
            .map_err(|e| format!("template `templates/{name}.xml.hbs`: {e}"))
    }

    /// A static asset's text.
    pub fn asset(&self, name: &str) -> String {
        self.assets.get(name).cloned().unwrap_or_default()
    }
}

/// The deepest a render may nest: blocks inside blocks, summed along every
/// chain of partials (`{{> x}}`, `{{#> layout}}`) that templates can take.
/// The built-in templates reach about 15; a render nests a few kilobytes
/// of stack per level, so this stays far below a render thread's stack.
pub const MAX_NESTING: usize = 200;

/// Refuses templates whose render could exhaust the stack.
///
/// handlebars-rust expands partials recursively and does not bound it: an
/// inline partial that includes itself (`{{#*inline "x"}}{{> x}}{{/inline}}`)
/// overflows the stack, and a stack overflow aborts the process (`build`
/// dies with a signal, `serve` with it), so no guard at render time can
/// catch it. Every partial a template names is in its syntax tree, so the
/// templates are checked before any render instead: a graph of who
/// includes whom (templates by their names, inline partials by theirs,
/// the same name anywhere counted as one, which errs on the safe side)
/// must have no cycle, and no chain through it may nest deeper than
/// [`MAX_NESTING`]. A partial or inline partial named by an expression
/// cannot be followed and is refused. Recursion over data (a partial that
/// includes itself for each child) is refused too: the site's data needs
/// none, and telling it from endless recursion is not possible in general.
fn check_nesting(hbs: &Handlebars<'static>) -> Result<(), String> {
    let mut graph = Graph::default();
    let mut names: Vec<&String> = hbs.get_templates().keys().collect();
    names.sort();
    for name in names {
        let Some(t) = hbs.get_template(name) else {
            continue;
        };
        graph.add(name, &format!("templates/{name}.hbs"), t)?;
    }
    graph.check()
}

/// Who includes whom, with how deep each one nests on its own.
#[derive(Default)]
struct Graph {
    /// Node name → (file defining it, own nesting depth).
    nodes: BTreeMap<String, (String, usize)>,
    edges: BTreeSet<(String, String)>,
}

impl Graph {
    /// Adds the template or inline partial `node` of `file` with body
    /// `t`, and every inline partial it defines. An explicit stack, not
    /// recursion: the syntax tree can be as deep as the text allows.
    fn add(&mut self, node: &str, file: &str, t: &Template) -> Result<(), String> {
        let mut todo: Vec<(String, &Template, usize)> = vec![(node.to_string(), t, 0)];
        while let Some((owner, t, depth)) = todo.pop() {
            let entry = self
                .nodes
                .entry(owner.clone())
                .or_insert_with(|| (file.to_string(), 0));
            entry.1 = entry.1.max(depth);
            if depth > MAX_NESTING {
                return Err(format!(
                    "template `{file}`: blocks nest deeper than {MAX_NESTING} levels"
                ));
            }
            for e in &t.elements {
                match e {
                    TemplateElement::HelperBlock(h) => {
                        for inner in h.template.iter().chain(&h.inverse) {
                            todo.push((owner.clone(), inner, depth + 1));
                        }
                    }
                    TemplateElement::DecoratorBlock(d)
                    | TemplateElement::DecoratorExpression(d)
                        if matches!(&d.name, Parameter::Name(n) if n == "inline") =>
                    {
                        // Its name is evaluated: only a string literal is known here.
                        let Some(Parameter::Literal(Value::String(name))) = d.params.first() else {
                            return Err(format!(
                                "template `{file}`: an inline partial needs a literal name (`{{{{#*inline \"name\"}}}}`)"
                            ));
                        };
                        if let Some(body) = &d.template {
                            // Included where it is used, not where it is defined.
                            todo.push((name.clone(), body, 0));
                        }
                    }
                    TemplateElement::DecoratorBlock(d)
                    | TemplateElement::DecoratorExpression(d) => {
                        if let Some(body) = &d.template {
                            todo.push((owner.clone(), body, depth + 1));
                        }
                    }
                    TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                        let Some(name) = literal_name(&d.name) else {
                            return Err(format!(
                                "template `{file}`: a partial named by an expression cannot be checked for recursion; name it (`{{{{> name}}}}`)"
                            ));
                        };
                        if name != "@partial-block" {
                            self.edges.insert((owner.clone(), name));
                        }
                        if let Some(body) = &d.template {
                            todo.push((owner.clone(), body, depth + 1));
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// No cycle, and no chain nesting deeper than [`MAX_NESTING`]: Kahn's
    /// topological order, with the deepest nesting reaching each node.
    fn check(&self) -> Result<(), String> {
        let edges: Vec<(&String, &String)> = self
            .edges
            .iter()
            .filter(|(_, to)| self.nodes.contains_key(to))
            .map(|(a, b)| (a, b))
            .collect();
        let mut incoming: BTreeMap<&String, usize> = self.nodes.keys().map(|n| (n, 0)).collect();
        for (_, to) in &edges {
            *incoming.entry(to).or_default() += 1;
        }
        let mut reach: BTreeMap<&String, usize> =
            self.nodes.iter().map(|(n, (_, d))| (n, *d)).collect();
        let mut ready: Vec<&String> = incoming
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(k, _)| *k)
            .collect();
        while let Some(n) = ready.pop() {
            let here = reach.get(n).copied().unwrap_or(0);
            for (_, to) in edges.iter().filter(|(from, _)| *from == n) {
                let own = self.nodes.get(*to).map_or(0, |(_, d)| *d);
                let r = reach.entry(to).or_default();
                *r = (*r).max(here + 1 + own);
                if *r > MAX_NESTING {
                    let file = self.nodes.get(*to).map_or("", |(f, _)| f.as_str());
                    return Err(format!(
                        "template `{file}`: partials nest deeper than {MAX_NESTING} levels (at `{to}`)"
                    ));
                }
                if let Some(c) = incoming.get_mut(to) {
                    *c -= 1;
                    if *c == 0 {
                        ready.push(to);
                    }
                }
            }
        }
        // What is left lies on a cycle or after one, and each of these
        // has a predecessor left too: walking predecessors must close a
        // cycle, which names it.
        let left: BTreeSet<&String> = incoming
            .iter()
            .filter(|(_, c)| **c > 0)
            .map(|(k, _)| *k)
            .collect();
        let Some(start) = left.first() else {
            return Ok(());
        };
        let mut path: Vec<&String> = vec![start];
        let mut at = *start;
        while let Some((before, _)) = edges
            .iter()
            .find(|(from, to)| *to == at && left.contains(from))
        {
            if let Some(i) = path.iter().position(|p| p == before) {
                // Walked backwards: turn the loop found around.
                let mut cycle: Vec<&String> = path.drain(i..).collect();
                cycle.reverse();
                cycle.insert(0, before);
                path = cycle;
                break;
            }
            path.push(before);
            at = before;
        }
        let first = path.first().map_or(*start, |p| *p);
        let file = self.nodes.get(first).map_or("", |(f, _)| f.as_str());
        let chain: Vec<String> = path.iter().map(|p| format!("`{p}`")).collect();
        Err(format!(
            "template `{file}`: partial `{first}` includes itself ({}); recursive partials are not supported",
            chain.join(" → ")
        ))
    }
}

/// A name written literally: `x`, `"x"`, `x/y`.
fn literal_name(p: &Parameter) -> Option<String> {
    match p {
        Parameter::Name(n) => Some(n.clone()),
        Parameter::Path(handlebars::Path::Relative((_, raw))) => Some(raw.clone()),
        Parameter::Path(handlebars::Path::Local((_, _, raw))) => Some(raw.clone()),
        Parameter::Literal(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &str, text: &str) -> Result<Templates, String> {
        Templates::new(&BTreeMap::from([(name.to_string(), text.to_string())]))
    }

    #[test]
    fn the_built_in_templates_pass() {
        assert!(Templates::new(&BTreeMap::new()).is_ok());
    }

    #[test]
    fn recursive_partials_are_refused() {
        let e = with("index.hbs", r#"{{#*inline "x"}}{{> x}}{{/inline}}{{> x}}"#)
            .err()
            .expect("refused");
        assert!(
            e.contains("templates/index.hbs") && e.contains("`x`"),
            "{e}"
        );
        let e = with(
            "index.hbs",
            r#"{{#*inline "a"}}{{#if p}}{{> b}}{{/if}}{{/inline}}{{#*inline "b"}}{{> a}}{{/inline}}{{> a}}"#,
        )
        .err()
        .expect("refused");
        assert!(e.contains("(`a` → `b` → `a`)"), "{e}");
        // Through a template used as a partial.
        let e = with("cards.hbs", "{{> layout}}").err();
        assert!(e.is_none(), "layout does not include cards: {e:?}");
        let e = with("layout.hbs", "{{> index}}").err().expect("refused");
        assert!(e.contains("includes itself"), "{e}");
    }

    /// A chain of `links` inline partials, each wrapping the next in `wrap`.
    fn chain(links: usize, open: &str, close: &str) -> String {
        let mut text = String::new();
        for i in 0..links {
            text.push_str(&format!(
                "{{{{#*inline \"p{i}\"}}}}{open}{{{{> p{}}}}}{close}{{{{/inline}}}}",
                i + 1
            ));
        }
        text + &format!("{{{{#*inline \"p{links}\"}}}}end{{{{/inline}}}}{{{{> p0}}}}")
    }

    #[test]
    fn the_deepest_nesting_allowed_renders_on_a_small_stack() {
        // Bare partials count one level each; a partial inside a block
        // counts the block too.
        for (links, open, close) in [
            (MAX_NESTING - 2, "<b>", "</b>"),
            (MAX_NESTING / 3 - 1, "{{#if a}}<b>", "</b>{{/if}}"),
        ] {
            let t = with("index.hbs", &chain(links, open, close)).expect("within the limit");
            // A render thread's stack (Rust's default for spawned threads).
            let out = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || t.render("index", serde_json::json!({"a": true})))
                .expect("thread")
                .join()
                .expect("no overflow")
                .expect("renders");
            assert!(
                out.ends_with(&format!("end{}", "</b>".repeat(links))),
                "{out}"
            );
        }
    }

    #[test]
    fn deep_chains_and_deep_blocks_are_refused() {
        let mut chain = String::new();
        for i in 0..300 {
            chain.push_str(&format!(
                "{{{{#*inline \"p{i}\"}}}}{{{{> p{}}}}}{{{{/inline}}}}",
                i + 1
            ));
        }
        chain.push_str("{{#*inline \"p300\"}}end{{/inline}}{{> p0}}");
        let e = with("index.hbs", &chain).err().expect("refused");
        assert!(e.contains("nest deeper"), "{e}");
        let deep = "{{#if a}}".repeat(300) + &"{{/if}}".repeat(300);
        let e = with("index.hbs", &deep).err().expect("refused");
        assert!(e.contains("nest deeper"), "{}", &e[..e.len().min(300)]);
        // Deeper still, handlebars' own parser refuses it.
        let deeper = "{{#if a}}".repeat(5000) + &"{{/if}}".repeat(5000);
        assert!(with("index.hbs", &deeper).is_err());
    }
}
