#!/usr/bin/env python3
"""Generate a synthetic northstar plans repository for benchmarks.

    python3 bench/gen.py N OUTDIR [--commits M] [--seed S] [--force]

Writes OUTDIR/northstar.yaml and N documents under OUTDIR/plans/, one file
per document, in a folder per kind (plans/features/f-000123.md, ...). About
90 % of the documents are features (Markdown PRDs of 1-3 KB); the rest are
the product, one strategy, objectives with key results tied to metrics,
metrics with readings, milestones over 2026-2028, teams, people, segments,
insights and decisions. The plan is meant to check clean under every rule of
docs/format.md §3 except `stale` (which depends on the calendar).

With --commits M (M > 0) OUTDIR becomes a git repository whose first commit
adds every file and whose M-1 further commits each edit 1-3 documents the way
a team would: status moves along the lifecycle, milestone slips, appended
paragraphs, metric and key-result `current` updates. The commits are written
with `git fast-import`, so 50,000 commits take a few minutes at most; every
intermediate tree keeps the plan valid.

The output is a pure function of (N, M, seed): no clock, no environment, no
hash-order dependence. Standard library only.
"""

import argparse
import calendar
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys

TODAY = datetime.date(2026, 11, 1)
PRODUCT = "Bench Product"

FEATURE_STATUSES = [
    ("idea", 15), ("discovery", 12), ("planned", 18), ("in-progress", 15),
    ("beta", 8), ("shipped", 22), ("on-hold", 5), ("declined", 5),
]
# A history starts earlier in the lifecycle: its status moves shift the spread
# towards the one above by the last commit.
FEATURE_STATUSES_HISTORY = [
    ("idea", 24), ("discovery", 18), ("planned", 18), ("in-progress", 12),
    ("beta", 5), ("shipped", 13), ("on-hold", 5), ("declined", 5),
]
COMMITTED = {"planned", "in-progress", "beta", "shipped"}
OPEN_UNSHIPPED = {"idea", "discovery", "planned", "in-progress", "beta", "on-hold"}

# Lifecycle moves used by the history: forward, plus the on-hold detour.
TRANSITIONS = {
    "idea": [("discovery", 85), ("declined", 15)],
    "discovery": [("planned", 75), ("declined", 12), ("on-hold", 13)],
    "planned": [("in-progress", 85), ("on-hold", 15)],
    "in-progress": [("beta", 65), ("shipped", 25), ("on-hold", 10)],
    "beta": [("shipped", 100)],
    "on-hold": [("planned", 45), ("in-progress", 35), ("declined", 20)],
}

# Field order per kind when rendering, so that edits never reorder a file.
FIELD_ORDER = {
    "feature": ["kind", "title", "status", "owner", "team", "milestone", "horizon",
                "objectives", "depends_on", "segments", "rice", "decision",
                "summary", "tags", "visibility"],
    "milestone": ["id", "kind", "title", "date", "status", "owner", "summary", "launch"],
    "metric": ["id", "kind", "title", "unit", "direction", "current", "target",
               "source", "owner", "readings"],
    "objective": ["kind", "title", "strategy", "period", "parent", "status", "owner",
                  "key_results"],
}

# ---------------------------------------------------------------------------
# Vocabulary: enough variety that bodies read like plans and compress like text.

USERS = ["admins", "new users", "power users", "team leads", "finance teams",
         "support agents", "enterprise customers", "mobile users", "guests",
         "developers", "analysts", "account owners", "field sales", "students",
         "small businesses", "editors", "reviewers", "partners"]
NOUNS = ["checkout", "onboarding flow", "search index", "notification", "dashboard",
         "billing page", "export", "sync engine", "permission model", "audit log",
         "workspace", "mobile app", "public API", "invoice", "weekly report",
         "calendar", "template", "integration", "import wizard", "activity feed",
         "comment thread", "share link", "offline mode", "editor", "sidebar",
         "admin console", "retention policy", "SSO login", "webhook", "usage meter",
         "plan picker", "trial flow", "data model", "tag manager", "file preview",
         "changelog", "status page", "role editor", "quota", "payment method"]
ADJS = ["faster", "simpler", "reliable", "consistent", "self-serve", "bulk",
        "real-time", "granular", "accessible", "localized", "guided", "predictable",
        "secure", "collaborative", "configurable", "unified", "lightweight", "smart"]
VERBS = ["find", "share", "export", "configure", "review", "approve", "migrate",
         "invite", "track", "compare", "restore", "schedule", "sync", "archive",
         "annotate", "filter", "merge", "audit", "preview", "undo"]
SENTENCES = [
    "{U} cannot {v} their {o} without leaving the {o2}.",
    "Today, {u} {v} each {o} by hand, which takes {n} minutes on average.",
    "We heard from {n} customers that the {o} is hard to {v}.",
    "A {a} {o} would let {u} {v} the {o2} in one step.",
    "Support tickets about the {o} grew {n}% last quarter.",
    "The {o} must stay {a} when {u} {v} more than {k} items.",
    "This depends on the {o} being {a} enough for {u}.",
    "Competitors already ship a {a} {o}, and sales reports lost deals over it.",
    "Interviews with {u} show that they {v} the {o} at least {n} times a week.",
    "The current {o} was designed before {u} needed to {v} it at scale.",
    "We expect the {a} {o} to cut time-to-value for {u} by {n}%.",
    "Analytics show {n}% of {u} abandon the {o} before they {v} anything.",
    "Nothing in the {o2} changes for {u} who never {v} a {o}.",
    "The rollout starts with {u} and widens once the {o} is {a}.",
    "Risks: the {o} migration may break how {u} {v} the {o2}.",
]
BULLETS = [
    "{U} can {v} a {o} in under {n} seconds",
    "The {o} is {a} for {u}",
    "Every change to the {o} is recorded in the audit log",
    "{U} can {v} up to {k} items at once",
    "The {o2} links to the {o} from every page",
    "Works offline and syncs when {u} reconnect",
    "No new settings for {u} who do not {v}",
    "Error messages say how to fix the {o}",
    "Keyboard-only {u} can {v} the {o}",
    "The {o} loads in under {n}00 ms at the 95th percentile",
]
QUESTIONS = [
    "Should {u} be able to {v} the {o} from the {o2}?",
    "Do we need a migration for {u} who already {v} the {o}?",
    "What happens to the {o} when more than {k} items are selected?",
    "Is a {a} {o} enough, or do {u} also need to {v} the {o2}?",
    "Who owns the {o} after launch?",
]
ARTICLE_RE = re.compile(r"\b([Aa]) (?=[aeio])")
FIRST = ["Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Radia",
         "Ken", "Margaret", "Linus", "Hedy", "Dennis", "Katherine", "John", "Lynn",
         "Tim", "Sophie", "Niklaus", "Anita", "Leslie", "Shafi", "Brian", "Mary",
         "Guido", "Jean", "Bjarne", "Adele", "Yukihiro", "Karen", "Robin", "Ivan"]
LAST = ["Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth",
        "Perlman", "Thompson", "Hamilton", "Torvalds", "Lamarr", "Ritchie", "Johnson",
        "Backus", "Conway", "Berners", "Wilson", "Wirth", "Borg", "Lamport",
        "Goldwasser", "Kernighan", "Keller", "Rossum", "Sammet", "Stroustrup",
        "Goldberg", "Matsumoto", "Sparck", "Milner", "Sutherland"]
ROLES = ["Product Manager", "Senior Product Manager", "Engineering Manager",
         "Staff Engineer", "Product Designer", "Data Scientist", "Product Marketing",
         "Customer Success Lead", "Head of Product", "UX Researcher"]
FUNCTIONS = ["product", "engineering", "design", "data", "marketing", "sales",
             "support", "other"]
TEAM_NAMES = ["Payments", "Growth", "Search", "Platform", "Mobile", "Identity",
              "Collaboration", "Insights", "Integrations", "Billing", "Editor",
              "Notifications", "Admin", "Trust", "Activation", "Core"]
SEGMENT_NAMES = ["Small teams", "Enterprise IT", "Freelancers", "Education",
                 "Agencies", "Healthcare", "Public sector", "Startups", "Nonprofits",
                 "Retail", "Field service", "Finance departments"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Health", "Hooli",
             "Stark Logistics", "Wayne Retail", "Tyrell Labs", "Cyberdyne",
             "Soylent Foods", "Vandelay Imports", "Oscorp", "Wonka Industries",
             "Gringotts Bank", "Aperture Science", "Monarch Travel"]
INSIGHT_SOURCES = ["interview", "survey", "support", "sales", "analytics",
                   "market-research", "usability-test"]
METRIC_KINDS = [
    # (title, unit, direction, low, high, decimals)
    ("Weekly active teams", "teams", "increase", 2000, 90000, 0),
    ("Activation rate", "%", "increase", 15, 70, 1),
    ("Trial to paid conversion", "%", "increase", 2, 25, 1),
    ("Net revenue retention", "%", "increase", 90, 130, 1),
    ("Median page load", "ms", "decrease", 300, 2500, 0),
    ("Support tickets per week", "tickets/week", "decrease", 80, 3000, 0),
    ("Monthly recurring revenue", "USD", "increase", 100000, 9000000, 0),
    ("Net promoter score", "points", "increase", -10, 60, 0),
    ("Time to first value", "minutes", "decrease", 3, 120, 1),
    ("Monthly churn", "%", "decrease", 1, 9, 2),
    ("Search success rate", "%", "increase", 40, 95, 1),
    ("Crash-free sessions", "%", "increase", 95, 99.9, 2),
]
PERIODS = ["2026-H2", "2026-Q4", "2027", "2027-H1", "2027-Q1", "2027-Q2",
           "2027-H2", "2027-Q3", "2028-H1", "2028"]


class Text:
    """Sentences, paragraphs and lists from templates, driven by one RNG."""

    def __init__(self, rng):
        self.r = rng

    def _fill(self, template):
        r = self.r
        u = r.choice(USERS)
        s = template.format(
            u=u, U=u[0].upper() + u[1:], v=r.choice(VERBS), o=r.choice(NOUNS),
            o2=r.choice(NOUNS), a=r.choice(ADJS), n=r.randint(2, 60),
            k=r.choice([10, 50, 100, 500, 1000, 10000]))
        return ARTICLE_RE.sub(r"\1n ", s)

    def sentence(self):
        return self._fill(self.r.choice(SENTENCES))

    def paragraph(self, lo=2, hi=5):
        return " ".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def bullet(self):
        return self._fill(self.r.choice(BULLETS))

    def bullets(self, lo, hi, prefix="- "):
        return "\n".join(prefix + self.bullet() for _ in range(self.r.randint(lo, hi)))

    def questions(self, lo, hi):
        return "\n".join("- " + self._fill(self.r.choice(QUESTIONS)) for _ in range(self.r.randint(lo, hi)))

    def title(self):
        r = self.r
        a, o = r.choice(ADJS), r.choice(NOUNS)
        t = f"{a[0].upper() + a[1:]} {o}"
        x = r.random()
        if x < 0.35:
            t += f" for {r.choice(USERS)}"
        elif x < 0.45:
            t += f" v{r.randint(2, 4)}"
        return t


# ---------------------------------------------------------------------------
# YAML emitter for the small set of shapes the plans use.

PLAIN_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 ,.'()/&+%@:_-]*$")
DATEISH_RE = re.compile(r"^\d{4}(-(H[12]|Q[1-4]|\d{2}(-\d{2})?))?$")
FLOW_SAFE_RE = re.compile(r"^[A-Za-z0-9._@ -]+$")
RESERVED = {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}


def fmt_num(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = f"{v:.4f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def yscalar(v):
    if isinstance(v, (int, float)):
        return fmt_num(v)
    s = str(v)
    if DATEISH_RE.match(s):
        return s
    if (PLAIN_RE.match(s) and s.lower() not in RESERVED and ": " not in s
            and not s.endswith((" ", ":"))):
        return s
    return json.dumps(s, ensure_ascii=False)


def emit_map(d, indent, out, order=None):
    pad = " " * indent
    keys = list(d.keys())
    if order:
        rank = {k: i for i, k in enumerate(order)}
        keys.sort(key=lambda k: rank.get(k, len(order)))
    for k in keys:
        v = d[k]
        if v is None:
            continue
        if isinstance(v, dict):
            out.append(f"{pad}{k}:")
            emit_map(v, indent + 2, out)
        elif isinstance(v, list):
            if not v:
                continue
            if all(not isinstance(x, (dict, list)) for x in v):
                items = [yscalar(x) for x in v]
                if all(FLOW_SAFE_RE.match(x) for x in items) and sum(map(len, items)) < 90:
                    out.append(f"{pad}{k}: [{', '.join(items)}]")
                    continue
                out.append(f"{pad}{k}:")
                out.extend(f"{pad}  - {x}" for x in items)
                continue
            out.append(f"{pad}{k}:")
            for item in v:
                sub = []
                emit_map(item, indent + 4, sub)
                out.append(f"{pad}  - {sub[0].lstrip()}")
                out.extend(sub[1:])
        else:
            out.append(f"{pad}{k}: {yscalar(v)}")


class Doc:
    """One plan document: front matter fields plus, for Markdown, a body."""

    __slots__ = ("id", "kind", "path", "fm", "sections", "aux")

    def __init__(self, id_, kind, path, fm, sections=None):
        self.id, self.kind, self.path, self.fm = id_, kind, path, fm
        self.sections = sections  # list of [heading or None, [blocks]] or None for YAML
        self.aux = {}

    def render(self):
        out = []
        emit_map(self.fm, 0, out, FIELD_ORDER.get(self.kind))
        head = "\n".join(out) + "\n"
        if self.sections is None:
            return head
        parts = []
        for heading, blocks in self.sections:
            if heading:
                parts.append(heading)
            parts.extend(blocks)
        return "---\n" + head + "---\n\n" + "\n\n".join(parts) + "\n"

    def section(self, title):
        for sec in self.sections:
            if sec[0] and sec[0].lstrip("#").strip() == title:
                return sec
        return None


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def day(d):
    return d.isoformat()


def spread_dates(start, end, count):
    """`count` distinct dates evenly spread over [start, end]."""
    if count <= 0:
        return []
    if count == 1:
        return [start]
    span = (end - start).days
    days = sorted({round(i * span / (count - 1)) for i in range(count)})
    return [start + datetime.timedelta(days=x) for x in days]


def doc_counts(n):
    c = {
        "product": 1, "strategy": 1,
        "objective": max(2, round(n * 0.010)),
        "metric": max(2, round(n * 0.008)),
        "milestone": max(4, round(n * 0.006)),
        "team": max(2, round(n * 0.004)),
        "person": max(4, round(n * 0.015)),
        "segment": max(2, round(n * 0.003)),
        "insight": max(2, round(n * 0.025)),
        "decision": max(2, round(n * 0.010)),
    }
    c["feature"] = n - sum(c.values())
    return c


# ---------------------------------------------------------------------------


class Plan:
    def __init__(self, n, seed, history=False):
        self.n = n
        self.statuses = FEATURE_STATUSES_HISTORY if history else FEATURE_STATUSES
        self.rng = random.Random(seed * 1000003 + n)
        self.text = Text(self.rng)
        self.docs = []
        self.counts = doc_counts(n)
        if self.counts["feature"] < 5:
            raise SystemExit(f"gen.py: N={n} is too small (minimum 30)")
        self.build()

    # -- helpers ------------------------------------------------------------
    def add(self, doc):
        self.docs.append(doc)
        return doc

    def link(self, target, src=None):
        """A [[...]] link, or a relative Markdown link, to feature `target`."""
        r = self.rng
        x = r.random()
        if x < 0.55:
            return f"[[{target.id}]]"
        if x < 0.75:
            return f"[[{target.id}|{target.fm['title'].lower()}]]"
        if x < 0.88:
            return f"[[{target.id}#{r.choice(['problem', 'goals', 'non-goals'])}]]"
        # Every document sits one folder below plans/.
        rel = f"{target.id}.md" if src is not None and src.kind == "feature" else f"../features/{target.id}.md"
        return f"[{target.fm['title']}]({rel})"

    def link_sentence(self, src):
        r = self.rng
        t = r.choice(self.features)
        while t is src and len(self.features) > 1:
            t = r.choice(self.features)
        tpl = r.choice([
            "See {l} for the related work.",
            "This builds on {l}.",
            "The approach follows {l}, which solved a similar problem.",
            "Coordinate the rollout with {l}.",
            "Unlike {l}, this does not change the {o}.",
        ])
        return tpl.format(l=self.link(t, src), o=r.choice(NOUNS))

    def paragraph_with_links(self, src, p_link=0.5):
        para = self.text.paragraph()
        if self.features and self.rng.random() < p_link:
            para += " " + self.link_sentence(src)
        return para

    # -- the plan -----------------------------------------------------------
    def build(self):
        r, t, c = self.rng, self.text, self.counts
        self.features = []

        # People.
        names = [(f, l) for f in FIRST for l in LAST]
        r.shuffle(names)
        self.people = []
        for i in range(c["person"]):
            f, l = names[i % len(names)]
            suffix = "" if i < len(names) else str(i // len(names))
            pid = f"p-{i + 1:04d}"
            email = f"{f.lower()}.{l.lower()}{suffix}@bench.example"
            self.people.append(self.add(Doc(pid, "person", f"plans/people/{pid}.yaml", {
                "id": pid, "kind": "person", "title": f"{f} {l}{suffix}",
                "role": r.choice(ROLES), "email": email})))

        # Teams: members partition the people; the lead is a member.
        self.teams = []
        per = max(1, len(self.people) // c["team"])
        for i in range(c["team"]):
            tid = f"team-{i + 1:03d}"
            name = TEAM_NAMES[i % len(TEAM_NAMES)]
            if i >= len(TEAM_NAMES):
                name += f" {i // len(TEAM_NAMES) + 1}"
            members = self.people[i * per:(i + 1) * per] or [r.choice(self.people)]
            self.teams.append(self.add(Doc(tid, "team", f"plans/teams/{tid}.yaml", {
                "id": tid, "kind": "team", "title": name,
                "function": "engineering" if r.random() < 0.6 else r.choice(FUNCTIONS),
                "lead": members[0].id, "members": [p.id for p in members],
                "tags": [name.split()[0].lower()]})))

        # Segments.
        self.segments = []
        for i in range(c["segment"]):
            sid = f"seg-{i + 1:03d}"
            name = SEGMENT_NAMES[i % len(SEGMENT_NAMES)]
            if i >= len(SEGMENT_NAMES):
                name += f" {i // len(SEGMENT_NAMES) + 1}"
            self.segments.append(self.add(Doc(sid, "segment", f"plans/segments/{sid}.yaml", {
                "id": sid, "kind": "segment", "title": name,
                "description": t.sentence(),
                "size": r.choice([r.randint(500, 200000), "about 10% of accounts",
                                  "unknown"]),
                "needs": [t.bullet() for _ in range(r.randint(1, 3))]})))

        # Metrics with readings.
        self.metrics = []
        for i in range(c["metric"]):
            mid = f"metric-{i + 1:04d}"
            title, unit, direction, lo, hi, dec = METRIC_KINDS[i % len(METRIC_KINDS)]
            if i >= len(METRIC_KINDS):
                title += f" ({r.choice(TEAM_NAMES)})"
            cur = round(r.uniform(lo, hi), dec)
            cur = int(cur) if dec == 0 else cur
            spread = (hi - lo) * 0.15
            target = cur + spread if direction == "increase" else cur - spread
            if unit == "%":
                target = min(target, 99.9)
            target = round(target, dec)
            target = int(target) if dec == 0 else target
            readings, v = [], cur
            for m in range(10, 4, -1):
                readings.append({"date": f"2026-{m:02d}-01", "value": v})
                step = (hi - lo) * r.uniform(-0.03, 0.06)
                v = round(v - step if direction == "increase" else v + step, dec)
                v = int(v) if dec == 0 else v
            readings.reverse()
            doc = self.add(Doc(mid, "metric", f"plans/metrics/{mid}.yaml", {
                "id": mid, "kind": "metric", "title": title, "unit": unit,
                "direction": direction, "current": cur, "target": target,
                "source": r.choice([f"https://analytics.bench.example/d/{i + 1}",
                                    "Warehouse: weekly rollup", "Billing export"]),
                "owner": r.choice(self.people).id, "readings": readings}))
            doc.aux["dec"] = dec
            doc.aux["pct"] = unit == "%"
            self.metrics.append(doc)

        # Product and strategy.
        nseg_product = min(3, len(self.segments))
        self.product = self.add(Doc("bench-product", "product", "plans/product/bench-product.md", {
            "kind": "product", "title": PRODUCT,
            "vision": "Every team plans, ships and learns from one shared source of truth",
            "problem": "Plans live in slides and spreadsheets that drift from what ships",
            "target_segments": [s.id for s in self.segments[:nseg_product]],
            "north_star": self.metrics[0].id, "owner": self.people[0].id,
            "visibility": "public"},
            [[None, [t.paragraph(3, 6)]], ["## Why now", [t.paragraph(), t.paragraph()]]]))
        pillars = [{"title": f"{a[0].upper() + a[1:]} {o}", "description": t.sentence()}
                   for a, o in ((r.choice(ADJS), r.choice(NOUNS)) for _ in range(4))]
        self.strategy = self.add(Doc("strategy-2027", "strategy", "plans/strategy/strategy-2027.md", {
            "kind": "strategy", "title": "Strategy 2027", "period": "2027",
            "pillars": pillars, "owner": self.people[0].id},
            [[None, [t.paragraph(3, 5)]],
             ["## Where we play", [t.paragraph(), t.bullets(3, 5)]],
             ["## How we win", [t.paragraph(), t.paragraph()]]]))

        # Objectives: every objective has at least one key result, the first
        # key results cover every metric in turn.
        self.objectives = []
        for j in range(c["objective"]):
            oid = f"obj-{j + 1:04d}"
            krs = []
            for k in range(r.randint(1, 3)):
                m = self.metrics[j % len(self.metrics)] if k == 0 else r.choice(self.metrics)
                krs.append(self.key_result(m))
            fm = {"kind": "objective", "title": f"{r.choice(VERBS).capitalize()} "
                  f"the {r.choice(NOUNS)} for {r.choice(USERS)}",
                  "strategy": self.strategy.id, "period": r.choice(PERIODS),
                  "owner": r.choice(self.people).id, "key_results": krs}
            if j > 0 and r.random() < 0.25:
                fm["parent"] = self.objectives[r.randrange(j)].id
            if r.random() < 0.3:
                fm["status"] = r.choice(["on-track", "at-risk", "off-track", "achieved"])
            self.objectives.append(self.add(Doc(oid, "objective", f"plans/objectives/{oid}.md", fm,
                                               [[None, [t.paragraph()]],
                                                ["## Context", [t.paragraph()]]])))

        # Milestones: a few released ones in 2026 before today, the rest planned
        # from 2026-11-15 to 2028-12-15, plus one cancelled one on larger plans.
        nm = c["milestone"]
        n_released = max(1, nm // 6)
        n_cancelled = 1 if nm >= 8 else 0
        n_planned = nm - n_released - n_cancelled
        released = spread_dates(datetime.date(2026, 1, 15), datetime.date(2026, 10, 15), n_released)
        planned = spread_dates(datetime.date(2026, 11, 15), datetime.date(2028, 12, 15), n_planned)
        self.released_ms, self.planned_ms = [], []
        all_dates = [(d, "released") for d in released] + [(d, "planned") for d in planned]
        if n_cancelled:
            cd = planned[len(planned) // 2] + datetime.timedelta(days=3)
            all_dates.append((cd, "cancelled"))
        self.ms_date = {}
        for d, status in sorted(all_dates):
            msid = f"m-{day(d)}"
            fm = {"id": msid, "kind": "milestone",
                  "title": f"{d.strftime('%B %Y')} release" if status != "cancelled"
                  else f"{d.strftime('%B %Y')} hardening release",
                  "date": day(d), "owner": r.choice(self.people).id}
            if status != "planned" or r.random() < 0.5:
                fm["status"] = status
            if r.random() < 0.4:
                fm["launch"] = {"segments": [s.id for s in r.sample(self.segments, min(2, len(self.segments)))],
                                "channels": r.sample(["blog", "in-app", "email", "webinar", "docs"], 2),
                                "enablement": [f"Train {r.choice(USERS)} on the {r.choice(NOUNS)}"]}
            doc = self.add(Doc(msid, "milestone", f"plans/milestones/{msid}.yaml", fm))
            self.ms_date[msid] = d.toordinal()
            if status == "released":
                self.released_ms.append(doc)
            elif status == "planned":
                self.planned_ms.append(doc)

        # Decisions (features filled in as declined features point at them).
        self.decisions = []
        superseded = set()
        for k in range(c["decision"]):
            did = f"dec-{k + 1:04d}"
            fm = {"kind": "decision", "title": f"{r.choice(['Do not build', 'Defer', 'Adopt', 'Replace'])} "
                  f"the {r.choice(ADJS)} {r.choice(NOUNS)}",
                  "date": day(datetime.date(2025, 1, 6) + datetime.timedelta(days=r.randint(0, 660))),
                  "status": weighted(r, [("accepted", 70), ("rejected", 15), ("proposed", 15)]),
                  "owner": r.choice(self.people).id, "features": []}
            if k > 0 and (k - 1) not in superseded and r.random() < 0.1:
                fm["supersedes"] = self.decisions[k - 1].id
                superseded.add(k - 1)
                self.decisions[k - 1].fm["status"] = "superseded"
            self.decisions.append(self.add(Doc(did, "decision", f"plans/decisions/{did}.md", fm,
                                               [["## Context", [t.paragraph()]],
                                                ["## Decision", [t.paragraph(1, 3)]],
                                                ["## Consequences", [t.bullets(2, 4)]]])))

        self.build_features()
        self.build_insights()

        # Decisions with no declined feature still name a feature or two.
        for d in self.decisions:
            if not d.fm["features"]:
                d.fm["features"] = [f.id for f in r.sample(self.features, min(2, len(self.features)))]

        self.by_id = {d.id: d for d in self.docs}

    def key_result(self, m):
        r = self.rng
        dec = m.aux["dec"]
        cur = m.fm["current"]
        span = abs(m.fm["target"] - cur) or 1
        if m.fm["direction"] == "increase":
            base, target = cur - span * r.uniform(0.2, 0.8), cur + span * r.uniform(0.3, 1.0)
        else:
            base, target = cur + span * r.uniform(0.2, 0.8), cur - span * r.uniform(0.3, 1.0)
        if m.aux["pct"]:
            base, target = max(0.0, min(100.0, base)), max(0.0, min(100.0, target))
        rnd = (lambda x: int(round(x))) if dec == 0 else (lambda x: round(x, dec))
        base, target = rnd(base), rnd(target)
        if target == base:
            target = base + (1 if m.fm["direction"] == "increase" else -1)
        return {"title": f"{m.fm['title']} from {fmt_num(base)} to {fmt_num(target)} {m.fm['unit']}",
                "metric": m.id, "baseline": base, "target": target, "current": rnd(cur)}

    def pick_milestone(self, status):
        """A milestone id for a new feature of `status`, or None."""
        r = self.rng
        pm = self.planned_ms
        if status == "shipped":
            return r.choice(self.released_ms).id if r.random() < 0.7 else None
        if status in ("in-progress", "beta"):
            if r.random() < 0.9:
                return pm[int(r.triangular(0, len(pm), 0)) % len(pm)].id
            return None
        if status == "planned":
            return r.choice(pm).id if r.random() < 0.9 else None
        if status == "on-hold":
            return r.choice(pm).id if r.random() < 0.5 else None
        if status == "discovery":
            return pm[int(r.triangular(len(pm) / 3, len(pm), len(pm))) % len(pm)].id if r.random() < 0.3 else None
        if status == "idea":
            return pm[int(r.triangular(len(pm) / 2, len(pm), len(pm))) % len(pm)].id if r.random() < 0.1 else None
        return None

    def build_features(self):
        r, t = self.rng, self.text
        nf = self.counts["feature"]
        statuses, ms = [], []
        specs = []
        for i in range(nf):
            status = weighted(r, self.statuses)
            milestone = self.pick_milestone(status)
            my_date = self.ms_date[milestone] if milestone else None
            deps = []
            want = weighted(r, [(0, 40), (1, 30), (2, 20), (3, 10)]) if i else 0
            tries = 0
            while len(deps) < want and tries < 12 * want:
                tries += 1
                # Mostly nearby features, sometimes any earlier one.
                j = i - 1 - int(r.expovariate(1 / 40)) if r.random() < 0.7 else r.randrange(i)
                if j < 0 or j in deps:
                    continue
                sj = statuses[j]
                if status == "shipped":
                    ok = sj == "shipped"
                elif sj == "declined":
                    ok = False
                elif sj == "shipped" or ms[j] is None or my_date is None:
                    ok = True
                else:
                    ok = self.ms_date[ms[j]] <= my_date
                if ok:
                    deps.append(j)
            statuses.append(status)
            ms.append(milestone)
            specs.append((status, milestone, sorted(deps)))

        fids = [f"f-{i + 1:06d}" for i in range(nf)]
        nseg = len(self.segments)
        # Create the documents first (links need every title), then bodies.
        for i, (status, milestone, deps) in enumerate(specs):
            fid = fids[i]
            fm = {"kind": "feature", "title": t.title(), "status": status}
            if status in COMMITTED or r.random() < 0.5:
                fm["owner"] = r.choice(self.people).id
            if r.random() < 0.95:
                fm["team"] = self.teams[min(int(r.expovariate(0.25)), len(self.teams) - 1)].id \
                    if r.random() < 0.5 else r.choice(self.teams).id
            fm["milestone"] = milestone
            if status in OPEN_UNSHIPPED and r.random() < 0.1:
                fm["horizon"] = r.choice(["now", "next", "later"])
            fm["objectives"] = [o.id for o in r.sample(self.objectives, min(len(self.objectives), r.choice([1, 1, 1, 2])))]
            fm["depends_on"] = [fids[j] for j in deps]
            segs = r.sample(self.segments, min(nseg, r.choice([0, 1, 1, 2])))
            if i < nseg and self.segments[i] not in segs:
                segs.append(self.segments[i])
            fm["segments"] = [s.id for s in segs]
            if r.random() < 0.85:
                fm["rice"] = {"reach": r.choice([r.randint(50, 50000), r.randint(100, 2000) * 10]),
                              "impact": r.choice([0.25, 0.5, 1, 2, 3]),
                              "confidence": r.choice([0.5, 0.8, 1, round(r.uniform(0.1, 1), 2)]),
                              "effort": r.choice([0.5, 1, 2, 3, 5, 8, round(r.uniform(0.5, 20), 1)])}
            if status == "declined":
                dec = r.choice(self.decisions)
                fm["decision"] = dec.id
                dec.fm["features"].append(fid)
            if r.random() < 0.6:
                fm["summary"] = t.bullet()
            if r.random() < 0.4:
                fm["tags"] = r.sample(["growth", "retention", "enterprise", "mobile", "platform",
                                       "compliance", "ux", "performance", "ai", "pricing"], r.randint(1, 3))
            if r.random() < 0.2:
                fm["visibility"] = "public"
            self.features.append(self.add(Doc(fid, "feature", f"plans/features/{fid}.md", fm, [])))

        for f in self.features:
            f.sections = self.feature_body(f, f.fm["status"] in COMMITTED or r.random() < 0.4)

    def requirements_section(self, f):
        r, t = self.rng, self.text
        blocks = [t.paragraph(1, 2)]
        if r.random() < 0.25:
            rows = ["| Requirement | Priority | Notes |", "|---|---|---|"]
            for _ in range(r.randint(3, 6)):
                rows.append(f"| {t.bullet()} | P{r.randint(0, 2)} | {r.choice(['must', 'should', 'could'])} |")
            blocks.append("\n".join(rows))
        else:
            blocks.append(t.bullets(3, 6, prefix="1. "))
        if r.random() < 0.3:
            blocks.append("### Acceptance criteria")
            blocks.append("\n".join(f"- [{'x' if r.random() < 0.4 else ' '}] {t.bullet()}"
                                    for _ in range(r.randint(2, 4))))
        return ["## Requirements", blocks]

    def feature_body(self, f, with_requirements):
        r, t = self.rng, self.text
        target = r.randint(1000, 2900)
        secs = [[None, [t.sentence() + " " + t.sentence()]],
                ["## Problem", [self.paragraph_with_links(f)]],
                ["## Goals", [t.bullets(2, 5)]],
                ["## Non-goals", [t.bullets(1, 3)]]]
        if with_requirements:
            secs.append(self.requirements_section(f))
        if r.random() < 0.3:
            secs.append(["## Open questions", [t.questions(1, 3)]])
        size = sum(len(b) for _, bl in secs for b in bl)
        grow = [secs[1], secs[2]] + ([secs[4]] if with_requirements else [])
        while size < target:
            para = self.paragraph_with_links(f, 0.3)
            r.choice(grow)[1].append(para)
            size += len(para) + 2
        return secs

    def build_insights(self):
        r, t = self.rng, self.text
        self.insights = []
        for k in range(self.counts["insight"]):
            iid = f"ins-{k + 1:05d}"
            feats = r.sample(self.features, min(len(self.features), r.randint(1, 3)))
            fm = {"kind": "insight", "title": f"{r.choice(USERS).capitalize()} on the {r.choice(NOUNS)}",
                  "source": r.choice(INSIGHT_SOURCES),
                  "date": day(datetime.date(2025, 1, 1) + datetime.timedelta(days=r.randint(0, 660))),
                  "segments": [s.id for s in r.sample(self.segments, min(len(self.segments), r.randint(0, 2)))],
                  "features": [x.id for x in feats]}
            if r.random() < 0.6:
                fm["customer"] = r.choice(COMPANIES)
            if r.random() < 0.5:
                fm["count"] = r.randint(1, 25)
            body = [[None, ["> " + t.paragraph(1, 3)]],
                    ["## Notes", [t.paragraph() + " Relevant to " +
                                  ", ".join(f"[[{x.id}]]" for x in feats) + "."]]]
            self.insights.append(self.add(Doc(iid, "insight", f"plans/insights/{iid}.md", fm, body)))


# ---------------------------------------------------------------------------
# History.


class History:
    """Edits the plan commit by commit, keeping every rule satisfied."""

    def __init__(self, plan, seed, commits):
        self.p = plan
        self.r = random.Random(seed * 7919 + 17)
        self.text = Text(self.r)
        self.commits = commits
        feats = plan.features
        self.rev = {f.id: [] for f in feats}
        for f in feats:
            for d in f.fm["depends_on"]:
                self.rev[d].append(f.id)
        self.md_docs = [d for d in plan.docs if d.sections is not None]
        slots = 2.0 * max(1, commits - 1)
        # About one status move per feature over the whole history.
        self.p_status = min(0.35, 1.0 * len(feats) / slots)

    def status_of(self, fid):
        return self.p.by_id[fid].fm["status"]

    def ms_of(self, fid):
        m = self.p.by_id[fid].fm.get("milestone")
        return self.p.ms_date[m] if m else None

    def op_status(self):
        r, p = self.r, self.p
        for _ in range(30):
            f = r.choice(p.features)
            st = f.fm["status"]
            if st not in TRANSITIONS:
                continue
            new = weighted(r, TRANSITIONS[st])
            if new == "shipped" and any(self.status_of(d) != "shipped" for d in f.fm["depends_on"]):
                if st == "in-progress":
                    new = "beta"
                else:
                    continue
            changed = [f]
            if new in COMMITTED and st not in COMMITTED:
                if f.section("Requirements") is None:
                    f.sections.append(p.requirements_section(f))
                if not f.fm.get("owner"):
                    f.fm["owner"] = r.choice(p.people).id
            if new == "declined":
                dec = r.choice(p.decisions)
                f.fm["decision"] = dec.id
                if f.id not in dec.fm["features"]:
                    dec.fm["features"].append(f.id)
                    changed.append(dec)
                f.fm["milestone"] = None
                f.fm.pop("horizon", None)
            f.fm["status"] = new
            return changed, f"{f.id}: status {st} -> {new}"
        return None

    def op_milestone(self):
        r, p = self.r, self.p
        for _ in range(30):
            f = r.choice(p.features)
            if f.fm["status"] not in OPEN_UNSHIPPED:
                continue
            cur = self.ms_of(f.id)
            lo = max([self.ms_of(d) for d in f.fm["depends_on"]
                      if self.status_of(d) != "shipped" and self.ms_of(d) is not None], default=0)
            hi = min([self.ms_of(g) for g in self.rev[f.id]
                      if self.status_of(g) != "shipped" and self.ms_of(g) is not None],
                     default=10 ** 9)
            cands = [m for m in p.planned_ms
                     if (cur is None or p.ms_date[m.id] > cur) and lo <= p.ms_date[m.id] <= hi]
            if not cands:
                continue
            new = cands[min(int(r.expovariate(0.8)), len(cands) - 1)]
            old = f.fm.get("milestone")
            f.fm["milestone"] = new.id
            return [f], f"{f.id}: milestone {old or 'none'} -> {new.id}"
        return None

    def op_body(self):
        r, p = self.r, self.p
        doc = r.choice(self.md_docs)
        para = self.text.paragraph(2, 4)
        if r.random() < 0.3:
            para += " " + p.link_sentence(doc)
        doc.sections[-1][1].append(para)
        return [doc], f"{doc.id}: notes from {r.choice(['review', 'standup', 'customer call', 'design crit', 'planning'])}"

    def op_metric(self):
        r = self.r
        m = r.choice(self.p.metrics)
        dec = m.aux["dec"]
        cur = m.fm["current"]
        new = cur + (abs(cur) + 1) * r.uniform(-0.04, 0.05)
        if m.aux["pct"]:
            new = max(0.0, min(100.0, new))
        new = int(round(new)) if dec == 0 else round(new, dec)
        m.fm["current"] = new
        return [m], f"{m.id}: current {fmt_num(cur)} -> {fmt_num(new)}"

    def op_kr(self):
        r = self.r
        o = r.choice(self.p.objectives)
        k = r.randrange(len(o.fm["key_results"]))
        kr = o.fm["key_results"][k]
        span = kr["target"] - kr["baseline"]
        cur = kr.get("current", kr["baseline"])
        new = cur + span * r.uniform(-0.05, 0.15)
        dec = self.p.by_id[kr["metric"]].aux["dec"]
        new = int(round(new)) if dec == 0 else round(new, dec)
        kr["current"] = new
        return [o], f"{o.id}: key result {k + 1} at {fmt_num(new)}"

    def commit_edits(self):
        """The documents changed by one commit, and its message."""
        r = self.r
        changed, msgs = [], []
        for _ in range(r.randint(1, 3)):
            x = r.random()
            res = None
            if x < self.p_status:
                res = self.op_status()
            elif x < self.p_status + 0.12:
                res = self.op_milestone()
            elif x < self.p_status + 0.22:
                res = self.op_metric()
            elif x < self.p_status + 0.32:
                res = self.op_kr()
            if res is None:
                res = self.op_body()
            docs, msg = res
            for d in docs:
                if d not in changed:
                    changed.append(d)
            msgs.append(msg)
        return changed, msgs


# ---------------------------------------------------------------------------
# Output.

CONFIG = f"""product: {PRODUCT}
paths: [plans]
today: {day(TODAY)}
"""
GITIGNORE = "/site/\n"


def write_tree(plan, outdir):
    files = {"northstar.yaml": CONFIG, ".gitignore": GITIGNORE}
    for d in plan.docs:
        files[d.path] = d.render()
    for path in sorted(files):
        full = os.path.join(outdir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(files[path])


COMMITTER = b"Bench Bot <bench-bot@bench.example>"
EPOCH0 = calendar.timegm((2025, 1, 1, 9, 0, 0))


def git_env():
    env = dict(os.environ)
    env.update({
        "GIT_AUTHOR_NAME": "Bench Bot", "GIT_AUTHOR_EMAIL": "bench-bot@bench.example",
        "GIT_COMMITTER_NAME": "Bench Bot", "GIT_COMMITTER_EMAIL": "bench-bot@bench.example",
        "GIT_AUTHOR_DATE": f"{EPOCH0} +0000", "GIT_COMMITTER_DATE": f"{EPOCH0} +0000",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    })
    return env


def write_git(plan, outdir, commits, seed):
    env = git_env()
    subprocess.run(["git", "init", "-q", "-b", "main", outdir], check=True, env=env)
    hist = History(plan, seed, commits)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=outdir,
                            stdin=subprocess.PIPE, env=env)
    buf = []
    buffered = 0

    def put(b):
        nonlocal buffered
        buf.append(b)
        buffered += len(b)
        if buffered > (1 << 20):
            proc.stdin.write(b"".join(buf))
            buf.clear()
            buffered = 0

    def data(b):
        put(b"data %d\n" % len(b))
        put(b)
        put(b"\n")

    people = plan.people
    for c in range(commits):
        when = EPOCH0 + c * 3600 + hist.r.randrange(1800)
        author = people[hist.r.randrange(len(people))]
        ident = f"{author.fm['title']} <{author.fm['email']}>".encode()
        if c == 0:
            files = [("northstar.yaml", CONFIG), (".gitignore", GITIGNORE)] + \
                    [(d.path, d.render()) for d in plan.docs]
            msg = f"Import {PRODUCT} plans ({len(plan.docs)} documents)"
        else:
            docs, msgs = hist.commit_edits()
            files = [(d.path, d.render()) for d in docs]
            msg = msgs[0] if len(msgs) == 1 else msgs[0] + "\n\n" + "\n".join(f"- {m}" for m in msgs[1:])
        put(b"commit refs/heads/main\n")
        put(b"author %s %d +0000\n" % (ident, when))
        put(b"committer %s %d +0000\n" % (COMMITTER, when))
        data((msg + "\n").encode())
        for path, content in files:
            put(b"M 100644 inline %s\n" % path.encode())
            data(content.encode())
        put(b"\n")
    put(b"done\n")
    proc.stdin.write(b"".join(buf))
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("gen.py: git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=outdir, check=True, env=env)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of documents")
    ap.add_argument("outdir")
    ap.add_argument("--commits", type=int, default=0, help="make a git history of M commits")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="replace OUTDIR if it exists")
    a = ap.parse_args(argv)
    if a.n < 30:
        ap.error("N must be at least 30")
    if a.commits < 0:
        ap.error("--commits must be >= 0")
    if os.path.exists(a.outdir) and os.listdir(a.outdir):
        if not a.force:
            ap.error(f"{a.outdir} exists and is not empty (use --force to replace it)")
        shutil.rmtree(a.outdir)
    os.makedirs(a.outdir, exist_ok=True)
    plan = Plan(a.n, a.seed, history=a.commits > 0)
    assert len(plan.docs) == a.n, (len(plan.docs), a.n)
    if a.commits > 0:
        write_git(plan, a.outdir, a.commits, a.seed)
    else:
        write_tree(plan, a.outdir)
    counts = ", ".join(f"{v} {k}" for k, v in plan.counts.items())
    print(f"gen.py: {a.n} documents ({counts}) in {a.outdir}"
          + (f", {a.commits} commits" if a.commits else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
