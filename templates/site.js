// northstar site script: search as you type and roadmap filters.
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
