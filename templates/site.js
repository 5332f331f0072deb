// northstar site script: search as you type, roadmap filters and the
// timeline's zoom.
// Progressive enhancement only: every page works without it.
(function () {
  "use strict";
  // The search index is loaded when first needed (a focused search box,
  // the search page): at 10,000 documents it is megabytes that no other
  // page should wait for.
  var index = window.NORTHSTAR_SEARCH || [];
  var loading = null;
  function loadIndex(root, then) {
    if (window.NORTHSTAR_SEARCH) { index = window.NORTHSTAR_SEARCH; then(); return; }
    if (!loading) {
      loading = [];
      var tag = document.createElement("script");
      tag.src = root + "search-index.js";
      tag.onload = function () {
        index = window.NORTHSTAR_SEARCH || [];
        loading.forEach(function (f) { f(); });
      };
      document.body.appendChild(tag);
    }
    loading.push(then);
  }

  function norm(s) { return (s || "").toLowerCase(); }

  function search(q, limit) {
    var terms = norm(q).split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var d = index[i], score = 0, ok = true;
      var title = norm(d.t), rest = norm(d.i + " " + d.s + " " + d.g + " " + d.k + " " + d.st), text = norm(d.x);
      for (var j = 0; j < terms.length; j++) {
        var t = terms[j];
        if (title.indexOf(t) === 0) score += 12;
        else if (title.indexOf(t) >= 0) score += 8;
        else if (rest.indexOf(t) >= 0) score += 4;
        else if (text.indexOf(t) >= 0) score += 1;
        else { ok = false; break; }
      }
      if (ok) hits.push({ d: d, score: score });
    }
    hits.sort(function (a, b) { return b.score - a.score || (a.d.t < b.d.t ? -1 : 1); });
    return hits.slice(0, limit).map(function (h) { return h.d; });
  }

  function item(d, root, withSnippet) {
    var a = document.createElement("a");
    a.href = root + d.u;
    a.textContent = d.t;
    var k = document.createElement("span");
    k.className = "kind";
    k.textContent = d.k;
    a.appendChild(k);
    if (withSnippet && (d.s || d.x)) {
      var s = document.createElement("span");
      s.className = "snippet";
      s.textContent = (d.s || d.x).slice(0, 160);
      a.appendChild(s);
    }
    return a;
  }

  // Header search box: results as you type, Enter opens the first.
  var boxes = document.querySelectorAll(".search-box input[type=search]");
  Array.prototype.forEach.call(boxes, function (input) {
    var panel = input.parentNode.querySelector(".search-results");
    var root = input.getAttribute("data-root") || "";
    input.addEventListener("focus", function () { loadIndex(root, function () {}); });
    var show = function () {
      var hits = search(input.value, 8);
      panel.textContent = "";
      hits.forEach(function (d, i) {
        var a = item(d, root, false);
        if (i === 0) a.className = "active";
        panel.appendChild(a);
      });
      panel.hidden = hits.length === 0;
    };
    input.addEventListener("input", function () { loadIndex(root, show); });
    input.form.addEventListener("submit", function (e) {
      var first = panel.querySelector("a");
      if (first) { e.preventDefault(); window.location.href = first.href; }
    });
    document.addEventListener("click", function (e) {
      if (!input.parentNode.contains(e.target)) panel.hidden = true;
    });
  });

  // The search page: results for ?q= and as you type.
  var pageInput = document.getElementById("ns-search-page");
  var list = document.getElementById("ns-search-results");
  if (pageInput && list) {
    var run = function () {
      list.textContent = "";
      search(pageInput.value, 50).forEach(function (d) {
        var li = document.createElement("li");
        li.appendChild(item(d, "", true));
        list.appendChild(li);
      });
    };
    var m = /[?&]q=([^&]*)/.exec(window.location.search);
    if (m) pageInput.value = decodeURIComponent(m[1].replace(/\+/g, " "));
    pageInput.addEventListener("input", run);
    loadIndex(pageInput.getAttribute("data-root") || "", run);
  }

  // Roadmap timeline: zoom by month, quarter or half-year, open on the
  // default window (one quarter before today onwards), and keep the lane
  // names in view while it scrolls. The layout is the build's (rows,
  // collapsed milestone labels per zoom): the script only moves what
  // carries a date (data-at, data-start/data-end, data-from/data-to),
  // with the same scale (data-lo, data-ppd) and rules as the build.
  var tl = document.querySelector("svg.timeline[data-ppd]");
  var zoomBox = document.querySelector(".timeline-zoom");
  if (tl) {
    var ZOOM = { month: 2.75, quarter: 1, half: 0.5 };
    var CHAR = 6.4, OUTSIDE = 40;
    var dayOf = function (iso) {
      var p = iso.split("-");
      return Date.UTC(+p[0], +p[1] - 1, +p[2]) / 864e5;
    };
    var lo = dayOf(tl.getAttribute("data-lo"));
    var ppd = +tl.getAttribute("data-ppd");
    var plotLeft = +tl.getAttribute("data-plot-left");
    var padRight = +tl.getAttribute("data-pad-right");
    var wrap = tl.parentNode;
    var all = function (css, f) { Array.prototype.forEach.call(tl.querySelectorAll(css), f); };
    var clip = function (s, n) { return s.length <= n ? s : s.slice(0, n - 1) + "\u2026"; };
    var depPath = function (x1, y1, x2, y2) {
      var dx = Math.max(Math.abs(x2 - x1) / 2, 24);
      return "M" + x1 + " " + y1 + "C" + (x1 + dx) + " " + y1 + " " + (x2 - dx) + " " + y2 + " " + x2 + " " + y2;
    };
    var relabel = function (t, x) {
      // The build writes data-full only for a clipped label.
      if (!t.hasAttribute("data-full")) t.setAttribute("data-full", t.textContent);
      var g = t.parentNode, full = t.getAttribute("data-full"), flag = +t.getAttribute("data-flag") || 0;
      var s = g.getAttribute("data-start"), x1 = x(g.getAttribute("data-end")), x0 = s ? x(s) : x1;
      var inside = !!s && x1 - x0 >= Math.min(full.length, OUTSIDE + 12) * CHAR + 16;
      var shown = inside ? full : clip(full, OUTSIDE);
      t.setAttribute("x", inside ? x0 + 8 : (s ? x0 - 6 : x1 - 16));
      // An inside label slides along its bar to stay in view (stick).
      t.ns = inside ? { x0: x0 + 8, max: x1 - 8 - Math.min(full.length, OUTSIDE + 12) * CHAR } : null;
      t.setAttribute("text-anchor", inside ? "start" : "end");
      t.classList.toggle("outside", !inside);
      t.textContent = "";
      if (flag > 0) {
        var span = document.createElementNS("http://www.w3.org/2000/svg", "tspan");
        span.setAttribute("class", "risk-flag");
        span.textContent = shown.slice(0, flag);
        t.appendChild(span);
      }
      t.appendChild(document.createTextNode(shown.slice(flag)));
    };
    // Lanes a filter empties fold away: each lane moves up by the
    // height of the folded lanes above it (shifts), the SVG gets shorter.
    var shifts = [], folded = 0, fullHeight = +tl.getAttribute("height");
    var shiftOf = function (lane) { return shifts[+lane] || 0; };
    var current = tl.getAttribute("data-zoom") || "quarter";
    var zoom = function (z) {
      current = z;
      var k = ZOOM[z] || 1;
      var x = function (iso) { return +(plotLeft + (dayOf(iso) - lo) * ppd * k).toFixed(1); };
      // At least as wide as its box, so lanes never stop short.
      var w = Math.max(x(tl.getAttribute("data-hi")) + padRight, wrap.clientWidth), h = tl.getAttribute("height");
      tl.setAttribute("width", Math.round(w));
      tl.setAttribute("viewBox", "0 0 " + w + " " + h);
      tl.setAttribute("data-zoom", z);
      all("[data-to-edge]", function (el) {
        if (el.tagName.toLowerCase() === "rect") el.setAttribute("width", w);
        else el.setAttribute("x2", el.classList.contains("axis") ? w - padRight : w);
      });
      all("[data-at]", function (el) {
        var at = x(el.getAttribute("data-at")) + (+el.getAttribute("data-dx") || 0);
        var tag = el.tagName.toLowerCase();
        if (tag === "line") { el.setAttribute("x1", at); el.setAttribute("x2", at); }
        else if (tag === "path") el.setAttribute("transform", "translate(" + at + " " + el.getAttribute("data-y") + ")");
        else el.setAttribute("x", at);
      });
      all("rect[data-start]", function (el) {
        var a = x(el.getAttribute("data-start"));
        el.setAttribute("x", a);
        el.setAttribute("width", x(el.getAttribute("data-end")) - a);
      });
      all("line[data-from]", function (el) {
        el.setAttribute("x1", x(el.getAttribute("data-from")));
        el.setAttribute("x2", x(el.getAttribute("data-to")));
      });
      all("path.dep", function (el) {
        el.setAttribute("d", depPath(x(el.getAttribute("data-from")), +el.getAttribute("data-y1") - shiftOf(el.getAttribute("data-lane-from")),
          x(el.getAttribute("data-to")), +el.getAttribute("data-y2") - shiftOf(el.getAttribute("data-lane-to"))));
      });
      all(".item text.label", function (t) { relabel(t, x); });
      if (zoomBox) {
        Array.prototype.forEach.call(zoomBox.querySelectorAll("button"), function (b) {
          b.setAttribute("aria-pressed", String(b.getAttribute("data-zoom") === z));
        });
      }
      // The default window: one quarter before today at the left.
      var today = tl.getAttribute("data-today");
      if (today) wrap.scrollLeft = Math.max(0, x(today) - 91 * ppd * k - plotLeft);
      stick();
    };
    // Lane names stay at the left edge of the scrolled box, and labels
    // inside bars that began left of it slide into view.
    var heads = tl.querySelectorAll(".lane-head, .lane-label, .lane-more");
    var stick = function () {
      var dx = wrap.scrollLeft;
      Array.prototype.forEach.call(heads, function (el) {
        el.setAttribute("transform", "translate(" + dx + " " + -shiftOf(el.getAttribute("data-lane")) + ")");
      });
      all(".item text.label", function (t) {
        if (t.ns) t.setAttribute("x", Math.max(t.ns.x0, Math.min(t.ns.max, dx + plotLeft + 8)));
      });
    };
    wrap.addEventListener("scroll", stick);
    if (zoomBox) {
      zoomBox.hidden = false;
      zoomBox.addEventListener("click", function (e) {
        var b = e.target.closest("button[data-zoom]");
        if (b) zoom(b.getAttribute("data-zoom"));
      });
    }
    zoom(current);
    // The roadmap's view (below) filters the timeline through these.
    tl.nsZoom = function (z) { if (ZOOM[z]) zoom(z); };
    tl.nsZoomed = function () { return current; };
    tl.nsFilter = function (match, active) {
      var ok = {}, any = {};
      all("g.item", function (g) {
        var yes = !active || match(g);
        var a = g.parentNode.tagName.toLowerCase() === "a" ? g.parentNode : g;
        a.classList.toggle("filtered-out", !yes);
        ok[g.getAttribute("data-id")] = yes;
        if (yes) any[g.getAttribute("data-lane")] = true;
      });
      folded = 0;
      all("rect.lane[data-lane]", function (r) {
        var l = r.getAttribute("data-lane");
        shifts[+l] = folded;
        if (active && !any[l]) folded += +r.getAttribute("height");
      });
      all("[data-lane]", function (el) {
        var l = el.getAttribute("data-lane");
        el.classList.toggle("lane-folded", !!active && !any[l]);
        if (!el.classList.contains("lane-head") && !el.classList.contains("lane-label") && !el.classList.contains("lane-more")) {
          el.setAttribute("transform", "translate(0 " + -shiftOf(l) + ")");
        }
      });
      all("path.dep", function (el) {
        el.classList.toggle("filtered-out", !ok[el.getAttribute("data-from-id")] || !ok[el.getAttribute("data-to-id")]);
      });
      all("[data-bottom]", function (el) { el.setAttribute("transform", "translate(0 " + -folded + ")"); });
      tl.setAttribute("height", fullHeight - folded);
      zoom(current);
      var shown = 0;
      for (var id in ok) if (ok[id]) shown++;
      return shown;
    };
  }

})();

/* change log filters (changes.html): without JavaScript every change is shown. The
   state lives in the address (#kind=feature&slips=1&status=1), so a
   filtered view can be sent as a link. */
(function () {
  var form = document.getElementById("changelog-filters");
  var log = document.getElementById("changelog");
  if (!form || !log) return;
  form.hidden = false;
  function read() {
    var q = new URLSearchParams((location.hash || "").replace(/^#/, "") || location.search.replace(/^\?/, ""));
    form.kind.value = q.get("kind") || "";
    if (form.kind.value !== (q.get("kind") || "")) form.kind.value = "";
    form.slips.checked = q.get("slips") === "1";
    form.status.checked = q.get("status") === "1";
  }
  function apply() {
    var kind = form.kind.value, slips = form.slips.checked, status = form.status.checked;
    var shown = 0;
    log.querySelectorAll("li.event").forEach(function (li) {
      var ok = (!kind || li.dataset.logKind === kind) && (!slips || li.dataset.logSlip) && (!status || li.dataset.logStatus);
      li.hidden = !ok;
      if (ok) shown++;
    });
    log.querySelectorAll("li.bulk").forEach(function (li) {
      var any = false;
      li.querySelectorAll("li[data-log-kind]").forEach(function (x) {
        x.hidden = !!kind && x.dataset.logKind !== kind;
        if (!x.hidden) any = true;
      });
      li.hidden = slips || status || !any;
      if (!li.hidden) shown++;
    });
    log.querySelectorAll(".commit").forEach(function (c) {
      c.hidden = !c.querySelector("li.event:not([hidden]), li.bulk:not([hidden])");
    });
    log.querySelectorAll(".week").forEach(function (w) {
      w.hidden = !w.querySelector(".commit:not([hidden])");
    });
    var filtered = kind || slips || status;
    document.getElementById("changelog-shown").textContent = filtered ? shown + " shown" : "";
    var q = [];
    if (kind) q.push("kind=" + encodeURIComponent(kind));
    if (slips) q.push("slips=1");
    if (status) q.push("status=1");
    var h = q.length ? "#" + q.join("&") : "";
    if ((location.hash || "") === h) return;
    try { history.replaceState(null, "", h || location.pathname + location.search); } catch (e) { location.hash = h; }
  }
  form.addEventListener("change", apply);
  window.addEventListener("hashchange", function () { read(); apply(); });
  read();
  apply();
})();

/* numbers and tables: a list table sorts by a clicked heading. Without
   JavaScript it is complete and sorted by its default (its `aria-sort`
   column). Cells sort by `data-sort` when they have one (dates, numbers),
   else by their text; numbers compare as numbers, and empty cells go
   last whichever the direction. */
(function () {
  var numeric = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;
  var key = function (cell) {
    if (!cell) return "";
    var k = cell.getAttribute("data-sort");
    return k === null ? cell.textContent.trim().toLowerCase() : k;
  };
  var cmp = function (a, b) {
    if (numeric.test(a) && numeric.test(b)) return parseFloat(a) - parseFloat(b);
    return a < b ? -1 : a > b ? 1 : 0;
  };
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
          return { row: r, key: key(r.cells[col]), i: i };
        });
        rows.sort(function (x, y) {
          if (x.key === "" || y.key === "") {
            if (x.key === y.key) return x.i - y.i;
            return x.key === "" ? 1 : -1;
          }
          var c = cmp(x.key, y.key);
          return (asc ? c : -c) || x.i - y.i;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      });
    });
  });
})();

/* Roadmap views (roadmap.html): filter by team, objective, segment,
   milestone and status; group the features by horizon, team, objective,
   milestone, status or segment; sort them. The board is drawn from
   roadmap-data.js (every feature of the plan; the page itself holds at
   most a few dozen cards per column). The timeline folds lanes the filter
   empties. The state lives in the address (#team=…&group=…&sort=…&zoom=…),
   so a view can be sent as a link, also from file://. Without JavaScript
   the page shows its static boards, complete up to their "more" links. */
(function () {
  "use strict";
  var form = document.getElementById("ns-view");
  if (!form) return;
  var data = window.NORTHSTAR_ROADMAP;
  var tl = document.querySelector("svg.timeline[data-ppd]");
  var board = document.getElementById("ns-board");
  var selects = form.querySelectorAll("select[data-filter]");
  var group = form.querySelector("select[data-view=group]");
  var sort = form.querySelector("select[data-view=sort]");
  var shownText = document.getElementById("ns-view-shown");
  var link = document.getElementById("ns-view-link");
  // Address keys: the filter's name in the page, and in the address.
  var KEY = { team: "team", objectives: "objective", segments: "segment", milestone: "milestone", status: "status" };
  var HORIZON = { now: "Now", next: "Next", later: "Later" };
  var COLUMN = 30;
  form.hidden = false;
  if (data && board) {
    board.hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll(".static-view"), function (s) { s.hidden = true; });
  }

  var want = function () {
    var w = {};
    Array.prototype.forEach.call(selects, function (s) { if (s.value) w[s.getAttribute("data-filter")] = s.value; });
    return w;
  };
  // A page element (timeline item, card) by its data-* attributes.
  var matchNode = function (w) {
    return function (n) {
      for (var key in w) {
        var have = (n.getAttribute("data-" + key) || "").split(" ");
        if (have.indexOf(w[key]) < 0) return false;
      }
      return true;
    };
  };
  // A feature of roadmap-data.js.
  var matchFeature = function (w) {
    return function (f) {
      if (w.team && (f.tm || "none") !== w.team) return false;
      if (w.objectives && f.o.indexOf(w.objectives) < 0) return false;
      if (w.segments && f.g.indexOf(w.segments) < 0) return false;
      if (w.milestone && (f.m || "none") !== w.milestone) return false;
      if (w.status && f.s !== w.status) return false;
      return true;
    };
  };

  var groupsOf = function (f, by) {
    var many = function (ids, names, none) {
      var out = ids.filter(function (i) { return names[i]; }).map(function (i) { return [i, names[i]]; });
      return out.length ? out : [["", none]];
    };
    switch (by) {
      case "team": return [[f.tm === "none" ? "" : f.tm, data.teams[f.tm] || "Unassigned"]];
      case "objective": return many(f.o, data.objectives, "No objective");
      case "segment": return many(f.g, data.segments, "No segment");
      case "milestone": {
        var m = f.m && data.milestones.filter(function (x) { return x.id === f.m; })[0];
        return [[m ? m.id : "", m ? m.title : "No milestone"]];
      }
      case "status": return [[f.s || "", f.s || "No status"]];
      default: return f.h ? [[f.h, HORIZON[f.h]]] : [];
    }
  };
  var order = function (by) {
    var list = [];
    if (by === "horizon") list = ["now", "next", "later"];
    else if (by === "status") list = data.statuses.slice();
    else if (by === "milestone") list = data.milestones.map(function (m) { return m.id; });
    return function (a, b) {
      if (a.key === "" || b.key === "") return a.key === b.key ? 0 : a.key === "" ? 1 : -1;
      var ia = list.indexOf(a.key), ib = list.indexOf(b.key);
      if (ia >= 0 || ib >= 0) return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
      return a.label.localeCompare(b.label);
    };
  };
  var compare = function (by) {
    var last = function (x, y, f) {
      if (x == null || y == null) return x == null && y == null ? 0 : x == null ? 1 : -1;
      return f(x, y);
    };
    return function (a, b) {
      var c = 0;
      if (by === "target") c = last(a.d, b.d, function (x, y) { return x < y ? -1 : x > y ? 1 : 0; });
      else if (by === "risk") c = b.k.length - a.k.length || last(a.d, b.d, function (x, y) { return x < y ? -1 : x > y ? 1 : 0; });
      else if (by === "rice") c = last(a.r, b.r, function (x, y) { return y - x; });
      return c || a.t.localeCompare(b.t);
    };
  };

  var el = function (tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };
  var milestoneTitle = {};
  if (data) data.milestones.forEach(function (m) { milestoneTitle[m.id] = m.title; });
  // A card as templates/cards.hbs writes it.
  var card = function (f) {
    var li = el("li", "card status-" + (f.s || ""));
    var a = el("a", "card-title", f.t);
    a.href = f.u;
    li.appendChild(a);
    var meta = el("div", "card-meta");
    if (f.kd) {
      meta.appendChild(el("span", "card-kind", f.kd));
      meta.appendChild(document.createTextNode(" "));
    }
    if (f.s) meta.appendChild(el("span", "badge status-" + f.s, f.sv || f.s));
    var add = function (cls, text, title) {
      if (!text) return;
      meta.appendChild(document.createTextNode(" "));
      var s = el("span", cls, text);
      if (title) s.title = title;
      meta.appendChild(s);
    };
    add("muted card-team", data.teams[f.tm]);
    add("muted card-milestone", f.m && milestoneTitle[f.m]);
    if (f.r != null) add("rice", "RICE " + f.r, "RICE score");
    li.appendChild(meta);
    if (f.k.length) {
      var ul = el("ul", "risk-flags");
      ul.setAttribute("aria-label", "Risks");
      f.k.forEach(function (r) { ul.appendChild(el("li", "risk-flag", r)); });
      li.appendChild(ul);
    }
    return li;
  };
  var fill = function (ul, fs, from, to) {
    for (var i = from; i < to; i++) ul.appendChild(card(fs[i]));
  };
  var drawBoard = function (fs, by, sortBy) {
    var groups = {}, keys = [];
    fs.forEach(function (f) {
      groupsOf(f, by).forEach(function (g) {
        if (!groups[g[0]]) { groups[g[0]] = { key: g[0], label: g[1], fs: [] }; keys.push(groups[g[0]]); }
        groups[g[0]].fs.push(f);
      });
    });
    keys.sort(order(by));
    var box = board.querySelector(".board-groups");
    box.textContent = "";
    box.classList.toggle("board-wide", keys.length > 3);
    keys.forEach(function (g) {
      g.fs.sort(compare(sortBy));
      var col = el("div", "column");
      col.setAttribute("data-group", g.key);
      var h = el("h3", null, g.label + " ");
      h.appendChild(el("span", "count", g.fs.length.toLocaleString("en-US")));
      col.appendChild(h);
      var ul = el("ul", "cards");
      fill(ul, g.fs, 0, Math.min(COLUMN, g.fs.length));
      col.appendChild(ul);
      if (g.fs.length > COLUMN) {
        var more = el("button", "show-all", "Show all " + g.fs.length.toLocaleString("en-US"));
        more.type = "button";
        more.addEventListener("click", function () {
          fill(ul, g.fs, COLUMN, g.fs.length);
          more.remove();
        });
        col.appendChild(more);
      }
      box.appendChild(col);
    });
    if (!keys.length) box.appendChild(el("p", "muted", "Nothing matches this view."));
  };

  var read = function () {
    var q = new URLSearchParams((location.hash || "").replace(/^#/, ""));
    Array.prototype.forEach.call(selects, function (s) {
      s.value = q.get(KEY[s.getAttribute("data-filter")]) || "";
      if (s.selectedIndex < 0) s.value = "";
    });
    group.value = q.get("group") || "horizon";
    if (group.selectedIndex < 0) group.value = "horizon";
    sort.value = q.get("sort") || "rice";
    if (sort.selectedIndex < 0) sort.value = "rice";
    if (tl && tl.nsZoom && q.get("zoom")) tl.nsZoom(q.get("zoom"));
  };
  var state = function () {
    var q = [];
    Array.prototype.forEach.call(selects, function (s) {
      if (s.value) q.push(KEY[s.getAttribute("data-filter")] + "=" + encodeURIComponent(s.value));
    });
    if (group.value !== "horizon") q.push("group=" + group.value);
    if (sort.value !== "rice") q.push("sort=" + sort.value);
    var z = tl && tl.nsZoomed ? tl.nsZoomed() : "quarter";
    if (z !== "quarter") q.push("zoom=" + z);
    return q.length ? "#" + q.join("&") : "";
  };
  var apply = function () {
    var w = want(), active = Object.keys(w).length > 0;
    var onTimeline = tl && tl.nsFilter ? tl.nsFilter(matchNode(w), active) : 0;
    Array.prototype.forEach.call(document.querySelectorAll(".cards li.card[data-status]"), function (c) {
      c.classList.toggle("filtered-out", active && !matchNode(w)(c));
    });
    var un = document.getElementById("ns-unscheduled");
    if (un) {
      var n = un.querySelectorAll("li.card:not(.filtered-out)").length;
      un.querySelector("summary .count").textContent = active ? n + " shown" : un.querySelectorAll("li.card").length;
    }
    var words = "";
    if (data && board) {
      var fs = data.features.filter(matchFeature(w));
      drawBoard(fs, group.value, sort.value);
      words = active ? fs.length.toLocaleString("en-US") + " of " + data.features.length.toLocaleString("en-US") + " " + (data.noun || "features") : "";
    }
    if (active && tl) words += (words ? ", " : "") + onTimeline + " on the timeline";
    shownText.textContent = words;
    var h = state();
    link.href = h || "#";
    if ((location.hash || "") !== h) {
      try { history.replaceState(null, "", h || location.pathname + location.search); } catch (e) { location.hash = h; }
    }
  };
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("ns-view-reset").addEventListener("click", function () {
    Array.prototype.forEach.call(selects, function (s) { s.value = ""; });
    group.value = "horizon";
    sort.value = "rice";
    apply();
  });
  var zoomBox = document.querySelector(".timeline-zoom");
  if (zoomBox) zoomBox.addEventListener("click", function () { setTimeout(apply, 0); });
  window.addEventListener("hashchange", function () { read(); apply(); });
  read();
  apply();
})();
