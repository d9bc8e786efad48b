// The SPARQL query page: sends the query to /sparql (SPARQL 1.1 Protocol, POST urlencoded)
// and shows the answer; the page's address keeps the query (/sparql?query=...), so that it can
// be shared: opened, the server fills the query in and shows its results. Every value from the
// server is put in the page as text, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query");
  const examples = JSON.parse(document.getElementById("example-data").textContent);
  const chooser = document.getElementById("examples");
  const accept = document.getElementById("accept");
  const results = document.getElementById("results");
  const status = document.getElementById("status");

  chooser.addEventListener("change", function () {
    if (chooser.value !== "") textarea.value = examples[Number(chooser.value)].text;
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Tab") {
      event.preventDefault();
      const start = textarea.selectionStart;
      textarea.setRangeText("  ", start, textarea.selectionEnd, "end");
    }
  });

  function element(name, text, attributes) {
    const node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function href(value) {
    const uuid = /^urn:uuid:([0-9a-f-]{36})$/.exec(value);
    if (uuid) return "/entries/" + uuid[1];
    const term = /^https:\/\/w3id\.org\/esap-registry\/vocab#([A-Za-z_][A-Za-z0-9_.-]*)$/.exec(value);
    if (term) return "/ontology/" + term[1];
    if (/^urn:/.test(value)) return "/ontology/term?iri=" + encodeURIComponent(value);
    if (/^https?:\/\//.test(value)) return value;
    return null;
  }

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      const target = href(term.value);
      td.appendChild(target ? element("a", term.value, { href: target }) : element("span", term.value));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? " (" + term.datatype.replace(/^.*[#/]/, "") + ")" : "";
      if (note) td.appendChild(element("small", note));
    }
    return td;
  }

  function showTable(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") {
      results.appendChild(element("p", "Answer: " + (data.boolean ? "yes (true)" : "no (false)"), { class: "boolean" }));
      return;
    }
    const vars = data.head.vars;
    const rows = data.results.bindings;
    results.appendChild(element("p", rows.length + " result" + (rows.length === 1 ? "" : "s"), { class: "count" }));
    const box = results.appendChild(element("div", null, { class: "table-scroll" }));
    const table = element("table", null, { class: "results" });
    const head = element("tr");
    vars.forEach(function (v) { head.appendChild(element("th", v)); });
    table.appendChild(element("thead")).appendChild(head);
    const body = element("tbody");
    rows.forEach(function (row) {
      const tr = element("tr");
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  // A parser's error with the line and column it points at, and that line of the query.
  function showError(status, body) {
    let message = body;
    let line = null;
    let column = null;
    try {
      const parsed = JSON.parse(body);
      message = parsed.message;
      line = parsed.line || null;
      column = parsed.column || null;
    } catch (e) { /* not JSON */ }
    results.replaceChildren(element("p", "Error " + status + ": " + message, { class: "error" }));
    if (line !== null && column !== null) {
      results.appendChild(element("p", "at line " + line + ", column " + column, { class: "error-position" }));
      const text = textarea.value.split(/\r\n|\r|\n/)[line - 1];
      if (text !== undefined) {
        results.appendChild(element("pre", text + "\n" + " ".repeat(Math.max(column - 1, 0)) + "^", { class: "error-at" }));
      }
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    // The address keeps the query: reload or share it to run it again.
    history.replaceState(null, "", "/sparql?" + new URLSearchParams({ query: textarea.value }).toString());
    const wanted = accept.value === "table" ? "application/sparql-results+json" : accept.value;
    status.textContent = "running…";
    const started = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          // CONSTRUCT and DESCRIBE answers come as Turtle (JSON-LD when JSON is chosen).
          "Accept": wanted + (accept.value === "application/sparql-results+json" ? ", application/ld+json;q=0.95" : "") + ", text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: textarea.value }),
      });
      const type = response.headers.get("content-type") || "";
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!response.ok) {
        showError(response.status, await response.text());
        status.textContent = "failed after " + seconds + " s";
        return;
      }
      if (type.startsWith("application/sparql-results+json") && accept.value === "table") {
        showTable(await response.json());
      } else if (type.startsWith("application/sparql-results+json")) {
        results.replaceChildren(element("pre", JSON.stringify(await response.json(), null, 2)));
      } else {
        results.replaceChildren(element("pre", await response.text()));
      }
      status.textContent = "done in " + seconds + " s";
    } catch (error) {
      results.replaceChildren(element("p", "The request failed: " + error, { class: "error" }));
      status.textContent = "";
    }
  });
})();
