// Offline search: window.JASIC_SEARCH (search-index.js, written with the site) holds every page's label, other
// names and quotes; this filters it as the reader types. Without JavaScript the index page lists every page.
(function () {
  "use strict";
  function fold(s) { return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function score(entry, words) {
    var label = fold(entry.l), all = label + "\n" + entry.n.map(fold).join("\n");
    for (var i = 0; i < words.length; i++) { if (all.indexOf(words[i]) < 0) { return -1; } }
    return label.indexOf(words[0]) === 0 ? 0 : (label.indexOf(words[0]) > 0 ? 1 : 2);
  }
  function search(query) {
    var words = fold(query).split(/\s+/).filter(Boolean), hits = [];
    if (!words.length) { return hits; }
    window.JASIC_SEARCH.forEach(function (e) { var s = score(e, words); if (s >= 0) { hits.push([s, e]); } });
    hits.sort(function (a, b) { return a[1].p - b[1].p || a[0] - b[0] || a[1].l.localeCompare(b[1].l); });
    return hits.map(function (h) { return h[1]; });
  }
  function show(query) {
    var list = document.getElementById("results"), status = document.getElementById("search-status");
    var hits = search(query), shown = hits.slice(0, 50);
    list.textContent = "";
    shown.forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a"), kind = document.createElement("span");
      a.href = e.u; a.textContent = e.l; kind.className = "note"; kind.textContent = " " + e.k;
      li.appendChild(a); li.appendChild(kind); list.appendChild(li);
    });
    status.textContent = query.trim() ? hits.length + (hits.length === 1 ? " page matches" : " pages match") +
      (hits.length > shown.length ? " (first " + shown.length + " shown)" : "") : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var jump = document.querySelector("form.jump");
    if (jump) { jump.hidden = false; }
    var box = document.getElementById("q");
    if (!box || !window.JASIC_SEARCH) { return; }
    document.getElementById("search").hidden = false;
    if (jump) { jump.hidden = true; }  // the index has its own box
    box.addEventListener("input", function () { show(box.value); });
    var asked = new URLSearchParams(window.location.search).get("q");
    if (asked) { box.value = asked; show(asked); }
  });
})();
