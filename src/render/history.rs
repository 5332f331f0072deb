//! History on the site: each document's changes, the plan's change log,
//! the Atom feed, and the facts history derives.

use super::audience;
use super::ctx::Ctx;
use super::links::Index;
use super::svg::{esc, esc_into};
use crate::config::Config;
use crate::dates;
use crate::history::{DocHistory, Event, Events, History, LogEntry, What};
use serde::Serialize;
use serde_json::{Value, json};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Most entries on the changes page; each document page keeps its own.
pub const LOG_LIMIT: usize = 500;
/// Most entries in the feed.
pub const FEED_LIMIT: usize = 50;

fn author(ctx: &Ctx<'_>, e: &Event, root: &str) -> Value {
    if e.uncommitted {
        return json!({"title": "not committed yet"});
    }
    match person(ctx, &e.email) {
        Some(p) => json!({"title": p.title, "href": format!("{root}{}", Index::page(p))}),
        None if ctx.public => json!({"title": "the team"}),
        None => json!({"title": e.author}),
    }
}

/// One event as the templates show it.
pub fn event(ctx: &Ctx<'_>, e: &Event, root: &str) -> Value {
    let date = if ctx.public {
        dates::quarter(e.day)
    } else {
        dates::human(e.day)
    };
    json!({
        "date": date,
        "author": author(ctx, e, root),
        "words": e.words,
        "summary": e.words.join("; "),
        "commit": e.commit.get(..10).unwrap_or(&e.commit),
        "message": if ctx.public || e.uncommitted { None } else { Some(&e.message) },
        "uncommitted": e.uncommitted,
        "what": e.what,
    })
}

/// A document's history section and derived facts. The list itself is
/// written here as HTML rather than by the template: a document can have
/// hundreds of changes, and a template value per change costs more than
/// the rest of the page. The markup is the
/// template's to place (`{{{page.history_html}}}`, inside
/// `<ol class="history-list">`), and its classes are stable for styling.
///
/// The derived facts above the list are written here too
/// (`{{{page.facts_html}}}`, a `<dl class="facts">`): a dozen template
/// expressions on every page are a large share of what history adds to a
/// rebuild.
///
/// `legacy` adds `page.history`, one value per change, and `page.facts`,
/// the facts as values, for document templates written before (see
/// `render::build_some`).
pub fn document(
    ctx: &Ctx<'_>,
    history: &History,
    id: &str,
    kind: &str,
    root: &str,
    legacy: bool,
) -> (Value, Option<List>) {
    let Some(h) = history.docs.get(id) else {
        return (
            json!({"has_history": false, "history": [], "facts": Value::Null, "facts_html": ""}),
            None,
        );
    };
    let mut out = json!({
        "has_history": !h.events.is_empty(),
        "facts_html": facts_html(ctx, h, kind, root),
    });
    if legacy {
        out["history_html"] = Value::String(list_html(ctx, h, root));
        out["history"] = h
            .events
            .all()
            .iter()
            .rev()
            .filter_map(|e| shown(ctx, e).map(|e| event(ctx, &e, root)))
            .collect();
        out["facts"] = facts(ctx, h, kind);
        return (out, None);
    }
    out["history_html"] = Value::String(HISTORY_MARK.to_string());
    (out, Some(List(list_html(ctx, h, root))))
}

/// A document's history list, as `<li>` items, newest first.
fn list_html(ctx: &Ctx<'_>, h: &DocHistory, root: &str) -> String {
    // About 330 bytes a change with a person and a message: sized so the
    // list is written without growing.
    let mut html = String::with_capacity(h.events.len() * 360);
    let mut authors = Authors::default();
    for e in h.events.all().iter().rev() {
        if let Some(e) = shown(ctx, e) {
            event_html(ctx, &e, root, &mut authors, &mut html);
        }
    }
    html
}

/// A change as this build shows it: as it is in an internal build, as
/// [`audience::event`] makes it in a public one (None: nothing to show).
fn shown<'e>(ctx: &Ctx<'_>, e: &'e Event) -> Option<Cow<'e, Event>> {
    if ctx.public {
        audience::event(ctx.index, e).map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(e))
    }
}

/// A document's history list, as HTML, to stand where the page's
/// [`HISTORY_MARK`] is.
pub struct List(pub String);

impl List {
    /// The list's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// What the built-in document template gets as `page.history_html`; the
/// list itself replaces it in the rendered page
/// (`render::RenderedPage`). Passed
/// through Handlebars, a list of hundreds of changes was copied three
/// times and scanned for line breaks (partials re-indent what they
/// write), which cost more than writing it. No rendered value can
/// contain this comment: bodies are sanitized with comments stripped, and
/// every other value is escaped.
pub const HISTORY_MARK: &str = "<!--northstar:history-list-->";

/// Where the template's [`HISTORY_MARK`] is in `page`: the last one (the
/// mark sits near the end of the page, after anything a document
/// supplies).
pub fn mark_at(page: &str) -> Option<usize> {
    page.rfind(HISTORY_MARK)
}

/// Who made each change, as [`who_html`] writes it, remembered for one
/// list: a document's changes come from a few authors, and the names and
/// e-mails read from the state are shared strings, so most lookups are
/// two pointer comparisons instead of a hash and a person lookup. Keyed by
/// both, since one e-mail can have committed under several names (shown
/// as written when no person has that e-mail); uncommitted edits are
/// not kept (their text is fixed).
#[derive(Default)]
struct Authors {
    seen: Vec<(Arc<str>, Arc<str>, String)>,
}

impl Authors {
    fn write(&mut self, ctx: &Ctx<'_>, e: &Event, root: &str, out: &mut String) {
        if e.uncommitted {
            who_html(ctx, e, root, out);
            return;
        }
        if let Some((_, _, html)) = self
            .seen
            .iter()
            .find(|(m, a, _)| Arc::ptr_eq(m, &e.email) && Arc::ptr_eq(a, &e.author))
        {
            out.push_str(html);
            return;
        }
        let mut html = String::new();
        who_html(ctx, e, root, &mut html);
        out.push_str(&html);
        // A few dozen authors at most are kept; past that, no memo.
        if self.seen.len() < 64 {
            self.seen.push((e.email.clone(), e.author.clone(), html));
        }
    }
}

/// The facts history derives, as the `<dl class="facts">` of a document's
/// history section (the markup the built-in template wrote before).
fn facts_html(ctx: &Ctx<'_>, h: &DocHistory, kind: &str, root: &str) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<dl class=\"facts\">");
    if let Some(d) = h.created {
        out.push_str("\n      <dt>Created</dt><dd>");
        date_into(ctx, d, &mut out);
        out.push_str("</dd>");
    }
    if let Some(d) = h.last_changed {
        out.push_str("\n      <dt>Last changed</dt><dd class=\"last-changed\">");
        date_into(ctx, d, &mut out);
        out.push_str("</dd>");
    }
    if kind == "feature" {
        out.push_str("\n      <dt>Milestone slips</dt><dd class=\"slips\">");
        if h.slips > 0 {
            let s = if h.slips == 1 { "" } else { "s" };
            out.push_str(&format!("{} time{s}, {} days in all", h.slips, h.slip_days));
        } else {
            out.push_str("none");
        }
        out.push_str("</dd>");
        if !h.days_in_status.is_empty() {
            out.push_str("\n      <dt>Days in each status</dt><dd class=\"days-in-status\">");
            for (i, (status, days)) in h.days_in_status.iter().enumerate() {
                if i > 0 {
                    out.push_str(" · ");
                }
                out.push_str("<span class=\"badge status-");
                esc_into(&ctx.status_class(kind, status), &mut out);
                out.push_str("\">");
                esc_into(status, &mut out);
                out.push_str("</span> ");
                out.push_str(&days.to_string());
            }
            out.push_str("</dd>");
        }
    }
    if kind == "milestone" {
        for (class, label, ids) in [
            ("scope-added", "Scope added", &h.scope_added),
            ("scope-removed", "Scope removed", &h.scope_removed),
        ] {
            // A public build names no document it does not publish.
            let ids: Vec<&String> = ids
                .iter()
                .filter(|id| !ctx.public || ctx.index.get(id).is_some())
                .collect();
            if ids.is_empty() {
                continue;
            }
            out.push_str(&format!("\n      <dt>{label}</dt><dd class=\"{class}\">"));
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match ctx.index.get(id) {
                    Some(d) => link_into(root, d, &mut out),
                    None => esc_into(id, &mut out),
                }
            }
            out.push_str("</dd>");
        }
    }
    out.push_str("\n    </dl>");
    out
}

/// One change as a list item of a document's history section.
fn event_html(ctx: &Ctx<'_>, e: &Event, root: &str, authors: &mut Authors, out: &mut String) {
    out.push_str(if e.uncommitted {
        "<li class=\"event uncommitted\"><span class=\"when\">"
    } else {
        "<li class=\"event\"><span class=\"when\">"
    });
    date_into(ctx, e.day, out);
    out.push_str("</span> <span class=\"what\">");
    words_into(e, out);
    out.push_str("</span> <span class=\"who muted\">");
    authors.write(ctx, e, root, out);
    out.push_str("</span>");
    if !ctx.public && !e.uncommitted && !e.message.is_empty() {
        out.push_str(" <span class=\"message muted\">— ");
        esc_into(&e.message, out);
        out.push_str("</span>");
    }
    commit_into(e, out);
    out.push_str("</li>");
}

/// A date as lists and tables show it (a quarter in public builds);
/// digits, spaces and month names need no escaping.
pub(crate) fn date_into(ctx: &Ctx<'_>, day: i64, out: &mut String) {
    if ctx.public {
        out.push_str(&dates::quarter(day));
    } else {
        dates::human_into(day, out);
    }
}

/// A change in words, its phrases joined by semicolons.
fn words_into(e: &Event, out: &mut String) {
    for (i, w) in e.words.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        esc_into(w, out);
    }
}

/// The short commit id, when the change is committed.
fn commit_into(e: &Event, out: &mut String) {
    let commit = e.commit.get(..10).unwrap_or(&e.commit);
    if !commit.is_empty() {
        out.push_str(" <code class=\"commit\">");
        esc_into(commit, out);
        out.push_str("</code>");
    }
}

fn facts(ctx: &Ctx<'_>, h: &DocHistory, kind: &str) -> Value {
    let day = |d: Option<i64>| {
        d.map(|d| {
            if ctx.public {
                dates::quarter(d)
            } else {
                dates::human(d)
            }
        })
    };
    let mut v = json!({"created": day(h.created), "last_changed": day(h.last_changed)});
    if kind == "feature" {
        let statuses: Vec<Value> = h
            .days_in_status
            .iter()
            .map(|(s, d)| json!({"status": s, "days": d}))
            .collect();
        v["days_in_status"] = json!(statuses);
        v["slips"] = json!(h.slips);
        v["slip_days"] = json!(h.slip_days);
    }
    if kind == "milestone" {
        let links = |ids: &[String]| -> Vec<Value> {
            ids.iter()
                .filter(|id| !ctx.public || ctx.index.get(id).is_some())
                .map(|id| ctx.index.link(id, "../"))
                .collect()
        };
        v["scope_added"] = json!(links(&h.scope_added));
        v["scope_removed"] = json!(links(&h.scope_removed));
    }
    v
}

/// The log entries a build may show: those of published documents, and in
/// an internal build also those of documents since deleted (the change log
/// is the union of every document's history, docs/format.md#history). A
/// public build never shows a document it does not publish.
fn published<'h>(
    ctx: &Ctx<'_>,
    history: &'h History,
) -> impl Iterator<Item = (&'h LogEntry, Cow<'h, Event>)> {
    let index = ctx.index;
    let public = ctx.public;
    history.log.iter().filter_map(move |l| {
        let shown = index.get(&l.id).is_some() || (!public && index.plan.get(&l.id).is_none());
        if !shown {
            return None;
        }
        let e = history.event(l)?;
        if public {
            Some((l, Cow::Owned(audience::event(index, &e)?)))
        } else {
            Some((l, e))
        }
    })
}

/// The change log, newest first, for the changes page (`root` "") or home.
pub fn log(ctx: &Ctx<'_>, history: &History, limit: usize) -> Vec<Value> {
    published(ctx, history)
        .take(limit)
        .map(|(l, e)| {
            let mut v = event(ctx, &e, "");
            let d = ctx.index.get(&l.id);
            v["title"] = json!(
                d.map(|d| d.title.clone())
                    .unwrap_or_else(|| l.title.to_string())
            );
            v["href"] = json!(d.map(Index::page));
            v["kind"] = json!(l.kind);
            let words = named_words(ctx, l, &e);
            v["summary"] = json!(words.join("; "));
            v["words"] = json!(words);
            v
        })
        .collect()
}

/// Most commits on the changes page; older ones are in `feed.xml` (the
/// latest) and `plan.json` (every document's whole history). With
/// [`LOG_LIMIT`] and [`BULK_NAMES`] this keeps the page near 1 MB at
/// 10,000 documents.
pub const COMMIT_LIMIT: usize = 200;
/// A commit creating at least this many documents lists them folded
/// ("62 documents created"): an import would otherwise open the log with
/// a screenful of "created".
pub const BULK_MIN: usize = 5;
/// Most documents named inside one folded creation.
pub const BULK_NAMES: usize = 100;

/// The change log for the changes page, as HTML: weeks (quarters in a
/// public build, which shows no finer dates), newest first, each holding
/// its commits with their message, author and date, and the changes of
/// each in words. Written here for the reason [`document`] writes a
/// document's list. At most [`COMMIT_LIMIT`] commits and [`LOG_LIMIT`]
/// changes listed one by one; `limited` says whether more were left out.
pub fn log_html(ctx: &Ctx<'_>, history: &History) -> LogHtml {
    let mut out = String::with_capacity(history.log.len().min(LOG_LIMIT) * 300);
    let mut kinds = std::collections::BTreeSet::new();
    let mut entries = published(ctx, history).peekable();
    let (mut commits, mut listed) = (0usize, 0usize);
    let mut week: Option<String> = None;
    let mut limited = false;
    while let Some((l, e)) = entries.next() {
        if commits == COMMIT_LIMIT || listed >= LOG_LIMIT {
            limited = true;
            break;
        }
        let mut group = vec![(l, e)];
        while let Some((_, next)) = entries.peek() {
            if next.commit != group[0].1.commit || next.uncommitted != group[0].1.uncommitted {
                break;
            }
            group.extend(entries.next());
        }
        let head = &group[0].1;
        let this_week = if head.uncommitted {
            "Not committed yet".to_string()
        } else if ctx.public {
            dates::quarter(head.day)
        } else {
            let monday = head.day - (head.day + 3).rem_euclid(7);
            format!("Week of {}", dates::human(monday))
        };
        if week.as_deref() != Some(this_week.as_str()) {
            if week.is_some() {
                out.push_str("</section>\n");
            }
            out.push_str("<section class=\"week\"><h2 class=\"week-head\">");
            esc_into(&this_week, &mut out);
            out.push_str("</h2>\n");
            week = Some(this_week);
        }
        for (l, _) in &group {
            kinds.insert(l.kind.to_string());
        }
        listed += commit_html(ctx, &group, LOG_LIMIT.saturating_sub(listed), &mut out);
        commits += 1;
    }
    if week.is_some() {
        out.push_str("</section>\n");
    }
    LogHtml {
        html: out,
        kinds: kinds.into_iter().collect(),
        limited,
    }
}

/// The changes page's log as [`log_html`] writes it.
pub struct LogHtml {
    /// The weeks, as HTML (`<section class="week">` each).
    pub html: String,
    /// The kinds of the documents it lists, for the kind filter.
    pub kinds: Vec<String>,
    /// Whether older commits were left out.
    pub limited: bool,
}

/// One commit of the change log: its message (the why), who and when,
/// then its changes, creations folded when there are many. Lists at most
/// `budget` changes one by one; returns how many it listed.
fn commit_html(
    ctx: &Ctx<'_>,
    group: &[(&LogEntry, Cow<'_, Event>)],
    budget: usize,
    out: &mut String,
) -> usize {
    let head = &group[0].1;
    out.push_str("<article class=\"commit\">");
    // Empty in a public build (`audience::event`).
    if !head.message.is_empty() && !head.uncommitted {
        out.push_str("<h3 class=\"commit-message\">");
        esc_into(&super::text::strip_controls(&head.message), out);
        out.push_str("</h3>");
    }
    out.push_str("<p class=\"commit-meta muted\">");
    who_html(ctx, head, "", out);
    out.push_str(", <span class=\"when\">");
    date_into(ctx, head.day, out);
    out.push_str("</span>");
    commit_into(head, out);
    out.push_str("</p>\n<ul class=\"commit-changes\">");
    let created = group
        .iter()
        .filter(|(_, e)| e.what == What::Created)
        .count();
    let fold = created >= BULK_MIN;
    let mut listed = 0;
    let mut more = 0;
    for (l, e) in group {
        if fold && e.what == What::Created {
            continue;
        }
        if listed == budget {
            more += 1;
            continue;
        }
        listed += 1;
        change_html(ctx, l, e, out);
    }
    if more > 0 {
        out.push_str(&format!(
            "<li class=\"more muted\">and {more} more change{} in this commit (every document's page, and <a href=\"plan.json\">plan.json</a>, has its whole history)</li>",
            if more == 1 { "" } else { "s" }
        ));
    }
    if fold {
        bulk_html(ctx, group, created, out);
    }
    out.push_str("</ul></article>\n");
    listed
}

/// The creations of one commit, folded: "62 documents created (40
/// features, 22 insights)", naming at most [`BULK_NAMES`] of them.
fn bulk_html(
    ctx: &Ctx<'_>,
    group: &[(&LogEntry, Cow<'_, Event>)],
    created: usize,
    out: &mut String,
) {
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for (l, e) in group {
        if e.what == What::Created {
            *by_kind.entry(&l.kind).or_default() += 1;
        }
    }
    let kinds: Vec<&str> = by_kind.keys().copied().collect();
    out.push_str("<li class=\"bulk\" data-log-kind=\"");
    esc_into(&kinds.join(" "), out);
    out.push_str("\"><details><summary>");
    out.push_str(&format!(
        "{} documents created",
        super::facts::group_int(created as i128)
    ));
    if by_kind.len() > 1 {
        let parts: Vec<String> = by_kind
            .iter()
            .map(|(k, n)| {
                format!(
                    "{} {}",
                    super::facts::group_int(*n as i128),
                    if *n == 1 {
                        k.to_string()
                    } else {
                        super::plural(k)
                    }
                )
            })
            .collect();
        out.push_str(" (");
        esc_into(&parts.join(", "), out);
        out.push(')');
    }
    out.push_str("</summary><ul>");
    let mut named = 0;
    for (l, e) in group.iter().filter(|(_, e)| e.what == What::Created) {
        if named == BULK_NAMES {
            break;
        }
        named += 1;
        out.push_str("<li data-log-kind=\"");
        esc_into(&l.kind, out);
        out.push_str("\">");
        name_into(ctx, l, out);
        if e.boundary {
            out.push_str(" <span class=\"muted\">(first seen)</span>");
        }
        out.push_str("</li>\n");
    }
    if created > named {
        out.push_str(&format!(
            "<li class=\"more muted\">and {} more (see <a href=\"plan.json\">plan.json</a>)</li>",
            super::facts::group_int((created - named) as i128)
        ));
    }
    out.push_str("</ul></details></li>");
}

/// One change of a commit: the document, the change in words. Marked for
/// the page's filters with its kind, and whether it is a slip (a
/// milestone or date moved later) or a status change.
fn change_html(ctx: &Ctx<'_>, l: &LogEntry, e: &Event, out: &mut String) {
    let words = named_words(ctx, l, e);
    let slip = words
        .iter()
        .any(|w| (w.starts_with("milestone ") || w.starts_with("date ")) && w.contains("(+"));
    let status = e.fields.iter().any(|f| f.field == "status");
    out.push_str(if e.uncommitted {
        "<li class=\"event uncommitted"
    } else {
        "<li class=\"event"
    });
    out.push_str("\" data-log-kind=\"");
    esc_into(&l.kind, out);
    out.push('"');
    if slip {
        out.push_str(" data-log-slip=\"1\"");
    }
    if status {
        out.push_str(" data-log-status=\"1\"");
    }
    out.push('>');
    name_into(ctx, l, out);
    out.push_str(": <span class=\"what\">");
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        esc_into(w, out);
    }
    out.push_str("</span></li>\n");
}

/// A log line's document: a link to its page where it has one (the
/// change log is at the site's root), its title as it is now; else (a
/// document since deleted) its title then, not linked.
fn name_into(ctx: &Ctx<'_>, l: &LogEntry, out: &mut String) {
    match ctx.index.get(&l.id) {
        Some(d) => link_into("", d, out),
        None => esc_into(&l.title, out),
    }
}

/// The change's words with key results named by their text: the replay
/// phrases `key_results.0.current` as "key result 1 current 40 → 55", and
/// a reader wants to know which. The title is the key result's as it is
/// now, else as the change left (or removed) it; words stay as they were
/// when the fields and words do not line up as the replay writes them.
fn named_words<'e>(ctx: &Ctx<'_>, l: &LogEntry, e: &'e Event) -> Vec<Cow<'e, str>> {
    let mut words: Vec<Cow<'e, str>> = e.words.iter().map(|w| Cow::Borrowed(&**w)).collect();
    let offset = usize::from(e.what != What::Modified);
    if e.what == What::Created || words.len() < offset + e.fields.len() {
        return words;
    }
    let now = ctx
        .index
        .get(&l.id)
        .and_then(|d| d.data.get("key_results"))
        .and_then(Value::as_array);
    for (i, f) in e.fields.iter().enumerate() {
        let mut segs = f.field.split('.');
        let (Some("key_results"), Some(n)) = (segs.next(), segs.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let then = |v: &Option<Value>| -> Option<String> {
            let v = v.as_ref()?;
            match segs.clone().next() {
                Some("title") => v.as_str().map(String::from),
                None => v.get("title")?.as_str().map(String::from),
                Some(_) => None,
            }
        };
        let title = now
            .and_then(|a| a.get(n))
            .and_then(|kr| kr.get("title"))
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| then(&f.to))
            .or_else(|| then(&f.from));
        let Some(title) = title else { continue };
        let prefix = format!("key result {}", n + 1);
        let w = &words[offset + i];
        if let Some(rest) = w.strip_prefix(&prefix)
            && (rest.is_empty() || rest.starts_with(' '))
        {
            words[offset + i] = Cow::Owned(format!("key result “{title}”{rest}"));
        }
    }
    words
}

/// Notes about where history stops, for the changes page: the gaps of
/// one document (versions that did not parse) summed up in one line, not one per commit. In a public build a
/// gap's commits and days are not named.
pub fn notes(ctx: &Ctx<'_>, history: &History) -> Vec<String> {
    const GAP: &str = " did not parse at commit ";
    let mut out: Vec<String> = Vec::new();
    // Per file: where its line is in `out`, how many gaps, the first and
    // last commit (with its day) named.
    let mut gaps: BTreeMap<String, (usize, usize, String, String)> = BTreeMap::new();
    for note in &history.notes {
        let Some((file, rest)) = note.split_once(GAP) else {
            out.push(note.clone());
            continue;
        };
        let at = rest.split_once(": ").map_or(rest, |(a, _)| a).to_string();
        match gaps.get_mut(file) {
            Some(g) => {
                g.1 += 1;
                g.3 = at;
            }
            None => {
                gaps.insert(file.to_string(), (out.len(), 1, at.clone(), at));
                out.push(String::new());
            }
        }
    }
    for (file, (line, n, first, last)) in gaps {
        out[line] = match (n, ctx.public) {
            (1, true) => format!("{file} did not parse at one commit: its history has a gap there"),
            (1, false) => {
                format!("{file} did not parse at commit {first}: its history has a gap there")
            }
            (n, true) => format!("{file} did not parse at {n} commits: its history has gaps there"),
            (n, false) => format!(
                "{file} did not parse at {n} commits, from {first} to {last}: its history has gaps there"
            ),
        };
    }
    out
}

/// Who made a change, as the lists show it: "by" a person (linked), an
/// author, "the team" (public builds), or "not committed yet".
fn who_html(ctx: &Ctx<'_>, e: &Event, root: &str, out: &mut String) {
    if e.uncommitted {
        out.push_str("<em>not committed yet</em>");
        return;
    }
    out.push_str("by ");
    match person(ctx, &e.email) {
        Some(p) => link_into(root, p, out),
        None if ctx.public => out.push_str("the team"),
        None => esc_into(&e.author, out),
    }
}

/// A link to a document's page, its title as the text (the address as
/// [`Index::page`] gives it, written in place: the lists write one per
/// change).
fn link_into(root: &str, doc: &crate::plan::Document, out: &mut String) {
    out.push_str("<a href=\"");
    esc_into(root, out);
    esc_into(&doc.kind, out);
    out.push('/');
    esc_into(&doc.id, out);
    out.push_str(".html\">");
    esc_into(&doc.title, out);
    out.push_str("</a>");
}

/// The person a commit author's e-mail names, if any (case-insensitive,
/// without allocating for e-mails already in lower case).
fn person<'p>(ctx: &Ctx<'p>, email: &str) -> Option<&'p crate::plan::Document> {
    if email.bytes().any(|b| b.is_ascii_uppercase()) || !email.is_ascii() {
        ctx.people.get(&email.to_lowercase()).copied()
    } else {
        ctx.people.get(email).copied()
    }
}

/// Text for the feed: escaped, and without the control characters XML
/// 1.0 forbids even as references (a commit message can hold any of
/// them, and one made the whole feed unreadable).
/// The context of `feed.xml` (the `feed.xml.hbs` template): the change
/// log as Atom. In a public build each date is the first day of its
/// quarter (Atom requires a full date), entries carry no commit message,
/// and an entry's id does not hold its day. Values are plain text; the
/// template's XML escaping (`xml`) applies to each.
pub fn feed(ctx: &Ctx<'_>, config: &Config, history: &History) -> Value {
    let base = config.site.base_url.trim_end_matches('/');
    let day = |d: i64| {
        if ctx.public {
            dates::period_range(&dates::quarter(d)).map_or(d, |r| r.0)
        } else {
            d
        }
    };
    let updated = published(ctx, history)
        .next()
        .map(|(_, e)| e.day)
        .unwrap_or(ctx.index.plan.today);
    let entries: Vec<Value> = published(ctx, history)
        .take(FEED_LIMIT)
        .map(|(l, ev)| {
            let e = event(ctx, &ev, "");
            let title = ctx
                .index
                .get(&l.id)
                .map(|d| d.title.clone())
                .unwrap_or_else(|| l.title.to_string());
            json!({
                "title": format!("{title}: {}", ev.words.join("; ")),
                "commit": if ev.commit.is_empty() { "uncommitted" } else { &ev.commit },
                "id": &*l.id,
                "day": day(ev.day),
                "updated": dates::format(day(ev.day)),
                "author": e["author"]["title"].as_str().unwrap_or(""),
                "page": ctx.index.get(&l.id).map(Index::page).unwrap_or_default(),
                // Empty in a public build (see `audience::event`).
                "summary": ev.message,
            })
        })
        .collect();
    json!({
        "title": format!("{}: plan changes", config.site.title),
        "id": config.product.replace(' ', "-").to_lowercase(),
        "updated": dates::format(day(updated)),
        "base": base,
        "entries": entries,
    })
}

/// Text for XML: control characters dropped, the five specials escaped.
/// The escaping of the feed's template.
pub fn xml(s: &str) -> String {
    esc(&super::text::strip_controls(s))
}

/// A document's events as `plan.json` lists them, newest first, written
/// straight into the file's bytes by serde from borrowed views of the
/// events (no `Value` is built: a long history holds tens of thousands).
pub struct PlanHistory<'h> {
    /// In a public build, what it publishes (see [`audience`]).
    public: Option<&'h Index<'h>>,
    events: &'h Events,
}

/// A published document's history for `plan.json`.
pub fn plan_events<'h>(
    public: Option<&'h Index<'h>>,
    history: &'h History,
    id: &str,
) -> Option<PlanHistory<'h>> {
    let h = history.docs.get(id)?;
    Some(PlanHistory {
        public,
        events: &h.events,
    })
}

impl<'h> PlanHistory<'h> {
    /// How many events the list holds at most (for sizing the output).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the document has no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Appends the list as JSON: `[{"commit": …, "date": …, "author": …,
    /// "what": …, "changes": [{"field", "from", "to"}], "sections": […],
    /// "uncommitted": …}, …]`, as `plan.schema.json` describes it. Dates
    /// are days, or quarters in public builds, where authors are null and
    /// uncommitted edits are left out.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let public = self.public.is_some();
        out.push(b'[');
        let events = self
            .events
            .all()
            .iter()
            .rev()
            .filter_map(|e| match self.public {
                Some(index) => audience::event(index, e).map(Cow::Owned),
                None => Some(Cow::Borrowed(e)),
            });
        for (i, e) in events.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let ascii = dates::ascii(e.day, public);
            let other;
            let date = match &ascii {
                Some(a) => a.as_str(),
                None => {
                    other = if public {
                        dates::quarter(e.day)
                    } else {
                        dates::format(e.day)
                    };
                    other.as_str()
                }
            };
            json_value(
                out,
                &JsonEvent {
                    commit: &e.commit,
                    date,
                    author: (!public).then_some(&*e.author),
                    what: match e.what {
                        What::Created => "created",
                        What::Deleted => "deleted",
                        What::Modified => "modified",
                        What::Renamed => "renamed",
                    },
                    // Scrubbed already in a public build (`audience::change`).
                    changes: &e.fields,
                    sections: &e.sections,
                    uncommitted: e.uncommitted,
                },
            );
        }
        out.push(b']');
    }
}

/// One event of `plan.json`'s history, as serde writes it: borrowed
/// from the event, so no value is built on the way.
#[derive(Serialize)]
struct JsonEvent<'a> {
    commit: &'a str,
    date: &'a str,
    author: Option<&'a str>,
    what: &'static str,
    #[serde(serialize_with = "json_changes")]
    changes: &'a [crate::history::diff::FieldChange],
    sections: &'a [std::sync::Arc<str>],
    uncommitted: bool,
}

/// A field change in `plan.json`: a value absent is left out (the field
/// was added or removed), a value set to nothing is `null`. Its own shape,
/// not the history cache's, which is a format of its own.
#[derive(Serialize)]
struct JsonChange<'a> {
    field: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<&'a serde_json::Value>,
}

fn json_changes<S: serde::Serializer>(
    changes: &&[crate::history::diff::FieldChange],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(changes.iter().map(|c| JsonChange {
        field: &c.field,
        from: c.from.as_ref(),
        to: c.to.as_ref(),
    }))
}

/// Any serializable value, compact, as serde_json writes it.
fn json_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    // Writing into a Vec cannot fail, and these values have string keys.
    let _ = serde_json::to_writer(out, v);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_event(day: &str, what: What, uncommitted: bool) -> Event {
        Event {
            commit: Arc::from(if uncommitted { "" } else { "c0ffee" }),
            author: Arc::from("Ada \"the\" Lovelace\\\u{1}é"),
            email: Arc::from("ada@example.com"),
            day: dates::parse(day).expect("date"),
            message: Arc::from("msg"),
            what,
            fields: vec![
                crate::history::diff::FieldChange {
                    field: "status".into(),
                    from: Some(json!("planned")),
                    to: Some(json!("in-progress")),
                },
                crate::history::diff::FieldChange {
                    field: "launch".into(),
                    from: None,
                    to: Some(json!({"date": "2026-11-03", "note": "tab\there"})),
                },
            ],
            sections: vec![Arc::from("Non-goals"), Arc::from("\"Quoted\"")],
            from_file: None,
            words: Vec::new(),
            uncommitted,
            boundary: false,
        }
    }

    fn plan_json_of(events: &[Event], public: bool) -> Value {
        let mut out = Vec::new();
        let plan = crate::plan::Plan::default();
        let files = std::collections::BTreeSet::new();
        let index = Index::new(&plan, true, &files);
        PlanHistory {
            public: public.then_some(&index),
            events: &Events::from(events.to_vec()),
        }
        .write_json(&mut out);
        let text = String::from_utf8(out).expect("utf-8");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn plan_json_events_are_newest_first_with_every_key() {
        let events = [
            plan_event("2026-01-05", What::Created, false),
            plan_event("2026-11-03", What::Modified, false),
            plan_event("2026-11-04", What::Renamed, true),
        ];
        let got = plan_json_of(&events, false);
        assert_eq!(
            got,
            json!([
                {"commit": "", "date": "2026-11-04", "author": "Ada \"the\" Lovelace\\\u{1}é",
                 "what": "renamed",
                 "changes": [
                    {"field": "status", "from": "planned", "to": "in-progress"},
                    {"field": "launch", "to": {"date": "2026-11-03", "note": "tab\there"}}],
                 "sections": ["Non-goals", "\"Quoted\""], "uncommitted": true},
                {"commit": "c0ffee", "date": "2026-11-03", "author": "Ada \"the\" Lovelace\\\u{1}é",
                 "what": "modified",
                 "changes": [
                    {"field": "status", "from": "planned", "to": "in-progress"},
                    {"field": "launch", "to": {"date": "2026-11-03", "note": "tab\there"}}],
                 "sections": ["Non-goals", "\"Quoted\""], "uncommitted": false},
                {"commit": "c0ffee", "date": "2026-01-05", "author": "Ada \"the\" Lovelace\\\u{1}é",
                 "what": "created",
                 "changes": [
                    {"field": "status", "from": "planned", "to": "in-progress"},
                    {"field": "launch", "to": {"date": "2026-11-03", "note": "tab\there"}}],
                 "sections": ["Non-goals", "\"Quoted\""], "uncommitted": false}
            ])
        );
        assert_eq!(plan_json_of(&[], false), json!([]));
    }

    #[test]
    fn plan_json_events_in_public_have_quarters_and_no_authors() {
        let events = [
            plan_event("2026-11-03", What::Deleted, false),
            plan_event("2026-11-04", What::Modified, true),
        ];
        let got = plan_json_of(&events, true);
        // The uncommitted edit is left out; dates become quarters, also
        // inside changed values.
        assert_eq!(got.as_array().map(Vec::len), Some(1));
        assert_eq!(got[0]["date"], "2026-Q4");
        assert_eq!(got[0]["author"], Value::Null);
        assert_eq!(got[0]["what"], "deleted");
        assert_eq!(got[0]["changes"][1]["to"]["date"], "2026-Q4");
        // Outside four-digit years, the general formatting.
        let early = [plan_event("0999-03-01", What::Created, false)];
        assert_eq!(
            plan_json_of(&early, false)[0]["date"],
            json!(dates::format(dates::parse("0999-03-01").expect("date")))
        );
    }
}
