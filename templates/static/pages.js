/* salon pages: progressive enhancement only; every flow works without this script. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  /* Live filter of a table's rows by their data-search text; its count (data-count: an
     aria-live element with data-one / data-other texts, "{n}" the number) follows, announced
     once typing pauses. */
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var rows = document.querySelectorAll(input.getAttribute("data-filter") + " tbody tr");
    var count = document.querySelector(input.getAttribute("data-count") || "[data-none]");
    var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr") : null;
    var pending = null;
    function announce() {
      var shown = 0;
      rows.forEach(function (row) { if (!row.hidden) { shown += 1; } });
      var form = plurals ? plurals.select(shown) : (shown > 1 ? "other" : "one");
      var text = count.getAttribute(form === "one" ? "data-one" : "data-other") || "";
      count.textContent = text.replace("{n}", String(shown));
    }
    input.addEventListener("input", function () {
      var query = fold(input.value.trim());
      rows.forEach(function (row) {
        var text = fold(row.getAttribute("data-search") || row.textContent);
        row.hidden = query !== "" && text.indexOf(query) === -1;
      });
      if (count) {
        window.clearTimeout(pending);
        pending = window.setTimeout(announce, 400);
      }
    });
  });

  /* A rank given to two choices is said at once (the server refuses it too, nothing moves). */
  document.querySelectorAll("[data-ranks]").forEach(function (warning) {
    var selects = document.querySelectorAll(warning.getAttribute("data-ranks"));
    function check() {
      var holders = {};
      selects.forEach(function (select) {
        if (select.value) { (holders[select.value] = holders[select.value] || []).push(select); }
      });
      var text = "";
      selects.forEach(function (select) { select.removeAttribute("aria-invalid"); });
      Object.keys(holders).sort(function (a, b) { return a - b; }).forEach(function (rank) {
        var same = holders[rank];
        if (same.length < 2 || text) { return; }
        same.forEach(function (select) { select.setAttribute("aria-invalid", "true"); });
        text = warning.getAttribute("data-text").replace("{rank}", rank).replace(
          "{names}", same.map(function (s) { return s.getAttribute("data-name"); }).join(", "));
      });
      warning.textContent = text;
    }
    selects.forEach(function (select) { select.addEventListener("change", check); });
    check();  /* a refused list comes back with its ranks as typed: say it again */
  });

  /* The error page's "back" link (shown with the script only; no inline script: CSP). */
  document.querySelectorAll("[data-back]").forEach(function (box) {
    box.hidden = false;
    box.querySelector("a").addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  });

  /* Print the printable view without leaving the page. */
  document.querySelectorAll("a[data-print]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.className = "print-frame";
      frame.setAttribute("aria-hidden", "true");
      frame.src = link.href;
      frame.onload = function () { frame.contentWindow.print(); };
      document.body.appendChild(frame);
    });
  });

  /* Live progress of solves and print jobs (the pages refresh themselves without JS). */
  document.querySelectorAll("[data-poll]").forEach(function (box) {
    var url = box.getAttribute("data-poll");
    if (!url) { return; }
    var states = JSON.parse(box.getAttribute("data-states") || "{}");
    var phases = JSON.parse(box.getAttribute("data-phases") || "{}");
    var objectiveLabels = JSON.parse(box.getAttribute("data-objectives") || "{}");
    function set(name, value) {
      box.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
        el.textContent = value;
      });
    }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (job.state !== "queued" && job.state !== "running") {
            window.location.reload();
            return;
          }
          set("state", states[job.state] || job.state);
          if (job.phase !== undefined) { set("phase", phases[job.phase] || job.phase); }
          if (job.elapsed !== undefined) { set("elapsed", Math.round(job.elapsed)); }
          if (job.done !== undefined) { set("done", job.done); set("total", job.total); }
          var bar = box.querySelector("progress");
          if (bar) {
            if (job.total) { bar.max = job.total; bar.value = job.done; }
            else if (job.time_limit) { bar.max = job.time_limit; bar.value = job.elapsed; }
          }
          var body = box.querySelector('[data-field="objectives"]');
          if (body && job.values) {
            body.textContent = "";
            Object.keys(job.values).forEach(function (name) {
              var row = document.createElement("tr");
              var th = document.createElement("th");
              th.scope = "row"; th.textContent = (objectiveLabels[name] || name) + " ";
              var code = document.createElement("code"); code.textContent = name;
              th.appendChild(code);
              var value = document.createElement("td"); value.textContent = job.values[name];
              var bound = document.createElement("td");
              bound.textContent = job.bounds && name in job.bounds ? job.bounds[name] : "—";
              row.append(th, value, bound);
              body.appendChild(row);
            });
          }
          window.setTimeout(tick, 1000);
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    window.setTimeout(tick, 500);
  });
})();
