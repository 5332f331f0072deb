// northstar site script: search as you type, roadmap filters and the
// timeline's zoom.
// Progressive enhancement only: every page works without it.
(function () {
  "use strict";
  var index = window.NORTHSTAR_SEARCH || [];

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
    input.addEventListener("input", function () {
      var hits = search(input.value, 8);
      panel.textContent = "";
      hits.forEach(function (d, i) {
        var a = item(d, root, false);
        if (i === 0) a.className = "active";
        panel.appendChild(a);
      });
      panel.hidden = hits.length === 0;
    });
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
    run();
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
    var zoom = function (z) {
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
        el.setAttribute("d", depPath(x(el.getAttribute("data-from")), +el.getAttribute("data-y1"),
          x(el.getAttribute("data-to")), +el.getAttribute("data-y2")));
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
    var heads = tl.querySelectorAll(".lane-head, .lane-label");
    var stick = function () {
      var dx = wrap.scrollLeft;
      Array.prototype.forEach.call(heads, function (el) { el.setAttribute("transform", "translate(" + dx + " 0)"); });
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
    zoom(tl.getAttribute("data-zoom") || "quarter");
  }

  // Roadmap filters: hide cards and timeline items that do not match.
  var filters = document.querySelector("form.filters");
  if (filters) {
    filters.hidden = false;
    var selects = filters.querySelectorAll("select");
    var apply = function () {
      var want = {};
      Array.prototype.forEach.call(selects, function (s) { if (s.value) want[s.getAttribute("data-filter")] = s.value; });
      var nodes = document.querySelectorAll("[data-status]");
      Array.prototype.forEach.call(nodes, function (n) {
        var show = true;
        for (var key in want) {
          var have = (n.getAttribute("data-" + key) || "").split(" ");
          if (have.indexOf(want[key]) < 0) { show = false; break; }
        }
        var target = n.closest("a") && n.tagName.toLowerCase() === "g" ? n.closest("a") : n;
        target.classList.toggle("filtered-out", !show);
      });
    };
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
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
