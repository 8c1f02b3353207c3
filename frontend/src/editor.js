// The query page's editor: CodeMirror 6 with a SPARQL grammar over the page's own form.
// The form stays the fallback: without this script the page works as a plain form.

import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, syntaxTree, indentOnInput } from "@codemirror/language";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { sparql } from "codemirror-lang-sparql";

import { Namer } from "./terms.js";
import { Vocabulary, completionSource } from "./complete.js";
import { h, fill } from "./dom.js";
import { renderTable } from "./table.js";
import { detect, renderChart, renderTimeline, renderMap } from "./views.js";
import "./editor.css";

const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
const POSITION = /line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)/i;
const SELECT_FORMATS = ["json", "xml", "csv", "tsv"];
const ASK_FORMATS = ["json", "xml"];
const GRAPH_FORMATS = ["turtle", "ntriples", "rdfxml", "jsonld"];

const THEME = EditorView.theme({
  "&": { fontSize: "0.9rem", minHeight: "12rem", maxHeight: "70vh", backgroundColor: "#fff" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', overflow: "auto" },
  ".cm-content": { minHeight: "12rem" },
  ".cm-tooltip-autocomplete ul li": { fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace' },
});

function start() {
  const form = document.querySelector("form#query-form");
  const textarea = form && form.querySelector("textarea#query");
  const configNode = document.getElementById("editor-config");
  if (!form || !textarea || !configNode) return;
  const config = JSON.parse(configNode.textContent);
  const strings = config.strings;
  const pages = config.pages || ""; // the page's language prefix: links stay in it
  const namer = new Namer(config.base, config.lang, pages);
  const vocabulary = new Vocabulary(namer);
  let serverError = null; // {from, to, message, doc} of the last run, until the text changes

  const lint = linter((view) => {
    const found = [];
    const doc = view.state.doc;
    syntaxTree(view.state).iterate({
      enter(node) {
        if (found.length || !node.type.isError) return found.length === 0;
        const from = Math.min(node.from, doc.length);
        const to = Math.min(Math.max(node.to, from + 1), doc.length);
        const near = doc.sliceString(from, Math.min(doc.length, from + 20)).split("\n")[0];
        const line = doc.lineAt(from);
        found.push({
          from, to, severity: "error", source: "syntax",
          message: fill(near ? strings.unexpected : strings.unfinished,
            { text: near, line: line.number, column: from - line.from + 1 }),
        });
        return false;
      },
    });
    if (serverError && serverError.doc === doc.toString()) {
      found.push({ from: serverError.from, to: serverError.to, severity: "error", message: serverError.message, source: "endpoint" });
    }
    return found;
  }, { delay: 300 });

  // The editor lives in a shadow root: CodeMirror's styles are then constructed style
  // sheets there, which the page's policy (style-src 'self', no inline style) allows.
  const host = h("div", { class: "cm-sparql" });
  const root = host.attachShadow({ mode: "open" });
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), indentOnInput(),
        bracketMatching(), closeBrackets(), sparql(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [completionSource(vocabulary)], activateOnTyping: true, maxRenderedOptions: 80 }),
        lint, lintGutter(), EditorView.lineWrapping,
        keymap.of([
          { key: "Mod-Enter", run: () => { run(); return true; }, preventDefault: true },
          ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab,
        ]),
        EditorView.contentAttributes.of({ "aria-label": strings.editorLabel }),
        THEME,
        EditorView.updateListener.of((u) => { if (u.docChanged) textarea.value = u.state.doc.toString(); }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.after(host);
  form.classList.add("has-editor");
  form.querySelector("label[for=query]").addEventListener("click", () => view.focus());
  form.append(h("p", { class: "editor-keys" }, strings.keys, " (",
    h("a", { href: "/static/editor/editor-licences.txt" }, strings.licences), ")"));

  const results = h("section", { class: "results live-results", "aria-live": "polite", "aria-labelledby": "live-title" });
  const permalink = form.querySelector("a.permalink") || h("a", { class: "permalink", hidden: true }, strings.permalink);
  if (!permalink.isConnected) form.querySelector("button[type=submit]").after(" ", permalink);
  // Results the server drew (a permalink opened) stay until this script's own arrive.
  let old = document.querySelector("section.results");
  if (!old) form.after(results);
  let shownUrl = null; // the permalink of the run being shown: the address bar once it is
  function show(...children) {
    results.replaceChildren(...children);
    if (old) { old.replaceWith(results); old = null; }
    permalink.href = shownUrl;
    permalink.hidden = false;
    window.history.replaceState(null, "", shownUrl);
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });

  const ready = fetch(config.completions, { headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : { prefixes: {}, terms: [] }))
    .then((vocab) => { namer.load(vocab); vocabulary.load(vocab); })
    .catch(() => {});

  let running = null;
  let firstView = new URLSearchParams(location.search).get("view"); // a permalink's view
  async function run() {
    const text = view.state.doc.toString();
    if (!text.trim()) return;
    if (running) running.abort();
    const controller = new AbortController();
    running = controller;
    serverError = null;
    const params = new URLSearchParams({ query: text });
    shownUrl = pages + "/query?" + params.toString();
    if (!old) results.replaceChildren(h("h2", { id: "live-title" }, strings.running));
    results.setAttribute("aria-busy", "true");
    const began = performance.now();
    try {
      const response = await fetch("/sparql", {
        method: "POST", body: params, signal: controller.signal,
        headers: { Accept: ACCEPT, "Content-Type": "application/x-www-form-urlencoded" },
      });
      await ready;
      const ms = Math.round(performance.now() - began);
      const type = response.headers.get("content-type") || "";
      if (!response.ok) {
        showError(text, (await response.text()).trim());
      } else if (type.includes("n-triples")) {
        showGraph(text, await response.text(), ms);
      } else {
        showResults(text, await response.json(), ms);
      }
    } catch (error) {
      if (error.name !== "AbortError") showError(text, strings.failed + " " + error.message);
    } finally {
      if (running === controller) { running = null; results.removeAttribute("aria-busy"); }
    }
  }

  function downloads(text, formats) {
    return h("p", { class: "downloads" }, strings.download + ": ", formats.flatMap((f, i) => [
      i ? " · " : "",
      h("a", { href: "/sparql?" + new URLSearchParams({ query: text, format: f }).toString(), download: "" }, f),
    ]));
  }

  function showError(text, message) {
    const m = POSITION.exec(message);
    const doc = view.state.doc;
    if (m && Number(m[1]) <= doc.lines) {
      const line = doc.line(Number(m[1]));
      const from = Math.min(line.to, line.from + Math.max(0, Number(m[2]) - 1));
      // the whole word the endpoint names (an unknown prefix, a misspelt keyword)
      const word = /^[^\s{}()<>,;"']+/.exec(doc.sliceString(from, line.to));
      serverError = { from, to: from + (word ? word[0].length : 1), message, doc: text };
      if (serverError.to > doc.length) serverError.to = doc.length;
      if (serverError.to <= serverError.from) serverError.from = Math.max(0, serverError.to - 1);
      forceLinting(view);
    }
    show(h("h2", { id: "live-title" }, strings.error),
      h("div", { class: "error", role: "alert" }, h("pre", { class: "message" }, message)));
  }

  function showResults(text, doc, ms) {
    if ("boolean" in doc) {
      show(h("h2", { id: "live-title" }, doc.boolean ? strings.askTrue : strings.askFalse),
        downloads(text, ASK_FORMATS));
      return;
    }
    const columns = starOrder(text, (doc.head && doc.head.vars) || []);
    const rows = (doc.results && doc.results.bindings) || [];
    showRows(text, columns, rows, ms, SELECT_FORMATS, strings.rows);
  }

  function showGraph(text, body, ms) {
    const rows = [];
    for (const line of body.split("\n")) {
      const triple = parseTriple(line);
      if (triple) rows.push(triple);
    }
    showRows(text, ["subject", "predicate", "object"], rows, ms, GRAPH_FORMATS, strings.triples);
  }

  function showRows(text, columns, rows, ms, formats, heading) {
    const fmt = new Intl.NumberFormat(config.lang);
    const found = detect(columns, rows);
    const tabs = [["table", strings.table]];
    if (found.chart) tabs.push(["chart", strings.chart]);
    if (found.timeline) tabs.push(["timeline", strings.timeline]);
    if (found.map) tabs.push(["map", strings.map]);
    const panel = h("div", { class: "view", id: "result-view", role: "tabpanel" });
    const bar = h("div", { class: "view-tabs", role: "tablist", "aria-label": strings.views });
    function choose(name) {
      for (const b of bar.children) b.setAttribute("aria-selected", String(b.dataset.view === name));
      const params = new URLSearchParams({ query: text });
      if (name !== "table") params.set("view", name);
      permalink.href = pages + "/query?" + params.toString();
      window.history.replaceState(null, "", permalink.href);
      if (name === "chart") renderChart(panel, found.chart, rows, namer, strings);
      else if (name === "timeline") renderTimeline(panel, found.timeline, rows, namer, strings);
      else if (name === "map") renderMap(panel, found.map, rows, namer, strings);
      else renderTable(panel, columns, rows, namer, strings);
    }
    for (const [name, title] of tabs) {
      bar.append(h("button", { type: "button", role: "tab", "data-view": name, "aria-controls": "result-view", onclick: () => choose(name) }, title));
    }
    show(
      h("h2", { id: "live-title" }, fill(heading, { n: fmt.format(rows.length), ms: fmt.format(ms) })),
      bar, panel, downloads(text, formats));
    const wanted = firstView;
    firstView = null;
    choose(tabs.some(([n]) => n === wanted) ? wanted : "table");
  }

  filterExamples(strings);
  if (new URLSearchParams(location.search).get("query")) run();
}

/** A search box over the examples' titles and questions (accents and case ignored). */
function filterExamples(strings) {
  const nav = document.querySelector("nav.examples");
  const list = nav && nav.querySelector("ul");
  if (!list) return;
  const fold = (t) => t.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const items = [...list.children].map((li) => [li, fold(li.textContent)]);
  const count = h("p", { class: "view-note", role: "status" });
  const input = h("input", {
    type: "search", id: "example-filter", placeholder: strings.filterExamples,
    oninput: () => {
      const words = fold(input.value).split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const [li, text] of items) {
        li.hidden = !words.every((w) => text.includes(w));
        if (!li.hidden) shown += 1;
      }
      count.textContent = words.length ? fill(strings.shownOf, { shown, total: items.length }) : "";
    },
  });
  list.before(h("label", { for: "example-filter", class: "visually-hidden" }, strings.filterExamples), input, count);
}

/** The columns of `SELECT *` in the order the query first names them. */
function starOrder(text, columns) {
  const star = /\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*/i.exec(text);
  if (!star) return columns;
  const rest = text.slice(star.index + star[0].length);
  const seen = new Map();
  for (const m of rest.matchAll(/[?$]([\p{L}\p{N}_]+)/gu)) if (!seen.has(m[1])) seen.set(m[1], m.index);
  const at = (c) => (seen.has(c) ? seen.get(c) : text.length);
  return columns.slice().sort((a, b) => at(a) - at(b) || columns.indexOf(a) - columns.indexOf(b));
}

const TERM = /^(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)\s*/;

function unescape(text) {
  return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e) =>
    e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16))
      : ({ t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[e] ?? e));
}

function parseTerm(token) {
  if (token.startsWith("<")) return { type: "uri", value: token.slice(1, -1) };
  if (token.startsWith("_:")) return { type: "bnode", value: token.slice(2) };
  const m = /^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$/.exec(token);
  const term = { type: "literal", value: unescape(m[1]) };
  if (m[2]) term["xml:lang"] = m[2];
  if (m[3]) term.datatype = m[3];
  return term;
}

/** One N-Triples line as {subject, predicate, object}, or null. */
function parseTriple(line) {
  let rest = line.trim();
  if (!rest || rest.startsWith("#")) return null;
  const terms = [];
  for (let i = 0; i < 3; i++) {
    const m = TERM.exec(rest);
    if (!m) return null;
    terms.push(parseTerm(m[1]));
    rest = rest.slice(m[0].length);
  }
  return { subject: terms[0], predicate: terms[1], object: terms[2] };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
