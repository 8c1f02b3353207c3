// The results table: prefixed names, labels beside IRIs, sorting by column, paging.

import { h, fill } from "./dom.js";
import { isNumber } from "./terms.js";

export const PAGE_SIZES = [100, 1000, 10000];

export function cell(term, namer) {
  if (!term) return h("td");
  if (term.type === "uri") {
    const label = namer.label(term.value);
    const href = namer.link(term.value);
    const name = h("code", { class: "iri-small", title: term.value }, namer.short(term.value));
    if (!label) return h("td", {}, href ? h("a", { href }, name) : name);
    return h("td", {}, href ? h("a", { href }, label) : label, " ", name);
  }
  if (term.type === "bnode") return h("td", {}, h("code", {}, "_:" + term.value));
  const parts = [h("span", { lang: term["xml:lang"] || null }, term.value)];
  if (term["xml:lang"]) parts.push(" ", h("span", { class: "lang-tag" }, "@" + term["xml:lang"]));
  else if (term.datatype && !term.datatype.endsWith("#string") && !isNumber(term)) {
    parts.push(" ", h("span", { class: "datatype" }, namer.short(term.datatype)));
  }
  return h("td", { class: isNumber(term) ? "num" : null }, parts);
}

/** Draws `rows` (objects of SPARQL JSON terms) of `columns` into `host`, a page at a time. */
export function renderTable(host, columns, rows, namer, strings) {
  const fmt = new Intl.NumberFormat(namer.lang);
  const state = { page: 0, size: 1000, sort: null, desc: false, order: rows };

  function compare(a, b, col) {
    const x = a[col], y = b[col];
    if (!x || !y) return x ? -1 : y ? 1 : 0;
    if (isNumber(x) && isNumber(y)) return Number(x.value) - Number(y.value);
    return namer.text(x).localeCompare(namer.text(y), namer.lang, { numeric: true });
  }

  function sortBy(col) {
    state.desc = state.sort === col ? !state.desc : false;
    state.sort = col;
    state.order = rows.slice().sort((a, b) => (state.desc ? -1 : 1) * compare(a, b, col));
    state.page = 0;
    draw();
  }

  function draw() {
    const total = state.order.length;
    const first = state.page * state.size;
    const last = Math.min(first + state.size, total);
    const pages = Math.max(1, Math.ceil(total / state.size));
    const status = total === 0 ? strings.noRows
      : fill(strings.range, { from: fmt.format(first + 1), to: fmt.format(last), total: fmt.format(total) });
    const pager = h("div", { class: "pager" },
      h("span", { class: "range", role: "status" }, status),
      h("button", { type: "button", class: "prev", disabled: state.page === 0,
        onclick: () => { state.page -= 1; draw(); } }, strings.previous),
      h("button", { type: "button", class: "next", disabled: state.page >= pages - 1,
        onclick: () => { state.page += 1; draw(); } }, strings.next),
      h("label", {}, strings.perPage + " ",
        h("select", { onchange: (e) => { state.size = Number(e.target.value); state.page = 0; draw(); } },
          PAGE_SIZES.map((n) => h("option", { value: String(n), selected: n === state.size }, fmt.format(n))))),
    );
    const head = h("tr", {}, columns.map((col) => h("th", {
      scope: "col",
      "aria-sort": state.sort === col ? (state.desc ? "descending" : "ascending") : null,
    }, h("button", { type: "button", class: "sort", onclick: () => sortBy(col),
      title: strings.sortBy + " ?" + col }, "?" + col,
    state.sort === col ? (state.desc ? " ▼" : " ▲") : ""))));
    const body = h("tbody", {}, state.order.slice(first, last).map((row) =>
      h("tr", {}, columns.map((col) => cell(row[col], namer)))));
    host.replaceChildren(pager, h("div", { class: "table-wrap" },
      h("table", { class: "data results-table" }, h("thead", {}, head), body)));
  }

  draw();
}
