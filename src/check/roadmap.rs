//! Roadmap rules: the ones that give built-in fields their meaning
//! (dependencies, milestones, sections, ownership, orphans).

use super::Sink;
use crate::config::Config;
use crate::diag::{Diagnostic, Pos};
use crate::plan::{Document, Plan, is_committed, is_open};
use crate::rules::Rule;
use std::collections::BTreeMap;

/// Runs every roadmap rule.
pub(super) fn check(plan: &Plan, config: &Config, sink: &mut Sink<'_>) {
    single_product(plan, sink);
    cycles(plan, sink);
    dependency_rules(plan, sink);
    sections(plan, config, sink);
    feature_rules(plan, sink);
    milestone_rules(plan, sink);
    orphans(plan, sink);
}

fn single_product(plan: &Plan, sink: &mut Sink<'_>) {
    let products: Vec<&Document> = plan.of_kind("product").collect();
    if products.is_empty() {
        sink.push(
            None,
            Diagnostic::new(
                Rule::SingleProduct,
                crate::config::FILE_NAME,
                Pos::start(),
                "no `product` document",
            )
            .note("a plans repository has exactly one document of kind `product`: the vision"),
        );
    }
    for extra in products.iter().skip(1) {
        let first = products[0];
        sink.push(
            Some(extra),
            Diagnostic::new(
                Rule::SingleProduct,
                &extra.file,
                extra.kind_pos(),
                "more than one `product` document",
            )
            .note(format!("the product is `{}` in {}", first.id, first.file)),
        );
    }
}

/// Position of the `depends_on` entry naming `dep`.
fn dep_pos(doc: &Document, dep: &str) -> Pos {
    let i = doc
        .strs("depends_on")
        .iter()
        .position(|d| *d == dep)
        .unwrap_or(0);
    doc.spans.value(&format!("/depends_on/{i}"))
}

/// Feature dependencies that resolve to features, by document index.
/// A feature that depends on itself is a cycle too; the reference pass
/// records no edge from a document to itself, so those are read here.
fn deps(plan: &Plan) -> BTreeMap<usize, Vec<usize>> {
    let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, doc) in plan.docs.iter().enumerate() {
        if doc.kind == "feature"
            && plan.by_id.get(&doc.id) == Some(&i)
            && doc.strs("depends_on").contains(&doc.id.as_str())
        {
            out.entry(i).or_default().push(i);
        }
    }
    for e in &plan.edges {
        if e.field == "depends_on"
            && plan.docs[e.from].kind == "feature"
            && plan.docs[e.to].kind == "feature"
        {
            let v = out.entry(e.from).or_default();
            if !v.contains(&e.to) {
                v.push(e.to);
            }
        }
    }
    out
}

/// Finds each cycle once (Tarjan's strongly connected components, written
/// iteratively: dependency chains may be long) and reports it at the
/// `depends_on` entry of its smallest id.
fn cycles(plan: &Plan, sink: &mut Sink<'_>) {
    let graph = deps(plan);
    let n = plan.docs.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let empty = Vec::new();
    let mut components = Vec::new();
    for &start in graph.keys() {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            // A frame is pushed only for a node not yet numbered (with
            // `child` 0) and taken up at once: numbered here, first time.
            if index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            let succ = graph.get(&v).unwrap_or(&empty);
            if let Some(&w) = succ.get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(comp);
            }
        }
    }
    for comp in components {
        let self_loop =
            comp.len() == 1 && graph.get(&comp[0]).is_some_and(|s| s.contains(&comp[0]));
        if comp.len() < 2 && !self_loop {
            continue;
        }
        let Some(&first) = comp.iter().min_by_key(|&&i| &plan.docs[i].id) else {
            continue;
        };
        let path = cycle_path(&graph, &comp, first);
        let names: Vec<&str> = path.iter().map(|&i| plan.docs[i].id.as_str()).collect();
        let doc = &plan.docs[first];
        let next_id = path
            .get(1)
            .map(|&i| plan.docs[i].id.as_str())
            .unwrap_or(&doc.id);
        sink.push(
            Some(doc),
            Diagnostic::new(
                Rule::DependencyCycle,
                &doc.file,
                dep_pos(doc, next_id),
                format!("dependency cycle: {}", names.join(" → ")),
            ),
        );
    }
}

/// A path from `first` back to itself inside one component, by breadth-first
/// search, so the message names a real cycle in order.
fn cycle_path(graph: &BTreeMap<usize, Vec<usize>>, comp: &[usize], first: usize) -> Vec<usize> {
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([first]);
    let empty = Vec::new();
    while let Some(v) = queue.pop_front() {
        for &w in graph.get(&v).unwrap_or(&empty) {
            if !comp.contains(&w) {
                continue;
            }
            if w == first {
                let mut path = vec![first];
                let mut cur = v;
                while cur != first {
                    path.push(cur);
                    cur = prev[&cur];
                }
                path.push(first);
                let n = path.len();
                path[1..n - 1].reverse();
                return path;
            }
            if let std::collections::btree_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![first, first]
}

/// The date of a feature's milestone unless it is cancelled.
fn live_milestone(plan: &Plan, doc: &Document) -> Option<(String, i64)> {
    let m = plan.get(doc.str("milestone")?)?;
    if m.kind != "milestone" || m.str("status") == Some("cancelled") {
        return None;
    }
    Some((m.id.clone(), crate::dates::parse(m.str("date")?)?))
}

fn dependency_rules(plan: &Plan, sink: &mut Sink<'_>) {
    for (from, tos) in deps(plan) {
        let doc = &plan.docs[from];
        let status = doc.str("status").unwrap_or("");
        for to in tos {
            let dep = &plan.docs[to];
            let dep_status = dep.str("status").unwrap_or("");
            if dep_status == "shipped" {
                continue;
            }
            if status == "shipped" {
                sink.push(
                    Some(doc),
                    Diagnostic::new(
                        Rule::ShippedBeforeDependency,
                        &doc.file,
                        dep_pos(doc, &dep.id),
                        format!(
                            "`{}` is shipped but depends on `{}`, which is {}",
                            doc.id, dep.id, dep_status
                        ),
                    ),
                );
            }
            if !is_open(status) {
                continue;
            }
            if let (Some((m, d)), Some((dm, dd))) =
                (live_milestone(plan, doc), live_milestone(plan, dep))
                && d < dd
            {
                sink.push(
                    Some(doc),
                    Diagnostic::new(
                        Rule::DependencyOrder,
                        &doc.file,
                        dep_pos(doc, &dep.id),
                        format!(
                            "`{}` is due in `{m}` ({}) before its dependency `{}` in `{dm}` ({})",
                            doc.id,
                            crate::dates::format(d),
                            dep.id,
                            crate::dates::format(dd)
                        ),
                    )
                    .note(format!(
                        "move `{}` to a milestone on or after {}, or drop the dependency",
                        doc.id,
                        crate::dates::format(dd)
                    )),
                );
            }
        }
    }
}

fn sections(plan: &Plan, config: &Config, sink: &mut Sink<'_>) {
    for doc in &plan.docs {
        let required = config.required_sections(&doc.kind);
        if required.is_empty() {
            continue;
        }
        // Only features are gated by commitment (docs/format.md#rules); a
        // kind given sections in the config needs them whatever its status
        // means.
        let status = doc.str("status").filter(|_| doc.kind == "feature");
        if doc.kind == "feature" && !status.is_some_and(is_committed) {
            continue;
        }
        let pos = doc.spans.key("/status").unwrap_or(doc.kind_pos());
        let headings: Vec<String> = doc
            .body
            .iter()
            .flat_map(|b| b.info.headings.iter().map(|h| h.text.trim().to_lowercase()))
            .collect();
        for section in required {
            if !headings.contains(&section.trim().to_lowercase()) {
                sink.push(
                    Some(doc),
                    Diagnostic::new(
                        Rule::MissingSection,
                        &doc.file,
                        pos,
                        format!("missing section `{section}`"),
                    )
                    .note(format!(
                        "{} `{}` needs a heading `## {section}`",
                        crate::numbers::with_article(status.unwrap_or(&doc.kind)),
                        doc.id
                    )),
                );
            }
        }
    }
}

fn feature_rules(plan: &Plan, sink: &mut Sink<'_>) {
    for doc in plan.of_kind("feature") {
        let status = doc.str("status").unwrap_or("");
        if doc.strs("objectives").is_empty() {
            sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::FeatureWithoutObjective,
                    &doc.file,
                    doc.kind_pos(),
                    format!("feature `{}` serves no objective", doc.id),
                )
                .note("add `objectives: [<objective id>]`"),
            );
        }
        if is_committed(status) && doc.str("owner").is_none() {
            sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::Unowned,
                    &doc.file,
                    doc.kind_pos(),
                    format!("{status} feature `{}` has no owner", doc.id),
                ),
            );
        }
        if status == "declined" && doc.str("decision").is_none() {
            sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::DeclinedWithoutDecision,
                    &doc.file,
                    doc.field_pos("status"),
                    format!("declined feature `{}` names no decision", doc.id),
                )
                .note("record why in a `decision` document and set `decision: <id>`"),
            );
        }
    }
    for doc in plan.of_kind("objective") {
        let krs = doc.data.get("key_results").and_then(|v| v.as_array());
        let has_metric = krs.is_some_and(|a| {
            a.iter()
                .any(|kr| kr.get("metric").and_then(|m| m.as_str()).is_some())
        });
        if !has_metric {
            let pos = doc.spans.key("/key_results").unwrap_or(doc.kind_pos());
            sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::ObjectiveWithoutMetric,
                    &doc.file,
                    pos,
                    format!("objective `{}` has no key result tied to a metric", doc.id),
                ),
            );
        }
    }
}

fn milestone_rules(plan: &Plan, sink: &mut Sink<'_>) {
    for m in plan.of_kind("milestone") {
        let open: Vec<&str> = plan
            .referrers(&m.id, Some("milestone"))
            .into_iter()
            .filter(|f| f.kind == "feature" && f.str("status").is_some_and(is_open))
            .map(|f| f.id.as_str())
            .collect();
        if open.is_empty() {
            continue;
        }
        let list = open
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        match m.str("status").unwrap_or("planned") {
            "planned" => {
                if let Some(date) = m.str("date").and_then(crate::dates::parse)
                    && date < plan.today
                {
                    sink.push(
                        Some(m),
                        Diagnostic::new(
                            Rule::OverdueMilestone,
                            &m.file,
                            m.field_pos("date"),
                            format!(
                                "milestone `{}` was due {} and still holds open features",
                                m.id,
                                crate::dates::format(date)
                            ),
                        )
                        .note(format!("open: {list}")),
                    );
                }
            }
            "released" => sink.push(
                Some(m),
                Diagnostic::new(
                    Rule::ReleasedWithUnshipped,
                    &m.file,
                    m.field_pos("status"),
                    format!(
                        "released milestone `{}` holds features that are not shipped",
                        m.id
                    ),
                )
                .note(format!("open: {list}")),
            ),
            _ => {}
        }
    }
}

fn orphans(plan: &Plan, sink: &mut Sink<'_>) {
    for doc in &plan.docs {
        match doc.kind.as_str() {
            "segment" | "metric" if plan.referrers(&doc.id, None).is_empty() => {
                sink.push(
                    Some(doc),
                    Diagnostic::new(
                        Rule::Orphan,
                        &doc.file,
                        doc.kind_pos(),
                        format!("{} `{}` is not referenced by anything", doc.kind, doc.id),
                    ),
                );
            }
            "insight" if doc.strs("features").is_empty() => sink.push(
                Some(doc),
                Diagnostic::new(
                    Rule::Orphan,
                    &doc.file,
                    doc.kind_pos(),
                    format!("insight `{}` names no feature", doc.id),
                )
                .note("add `features: [<feature id>]` so the evidence counts"),
            ),
            _ => {}
        }
    }
}
