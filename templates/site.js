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
