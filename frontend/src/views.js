// Views of a result besides the table: bars for a label and a number, a timeline for
// dates (each drawn at its precision: a year or a month as a span, a day as a point),
// and a map of latitude/longitude points on a plain graticule (no online base map).

import { h, s, fill } from "./dom.js";
import { isNumber, precisionOf, span, WKT } from "./terms.js";

const SHOWN = 200;

function labelColumn(columns, rows, namer, skip) {
  const text = columns.filter((c) => !skip.includes(c) && rows.some((r) => r[c])
    && rows.every((r) => !r[c] || (!isNumber(r[c]) && !precisionOf(r[c]))));
  // a column called ...label or ...name first, then one of IRIs (named by their labels)
  return text.find((c) => /(label|name|names)$/i.test(c))
    || text.find((c) => rows.every((r) => !r[c] || r[c].type === "uri")) || text[0] || null;
}

function nameCell(term, namer, entity) {
  if (!term) return h("span", { class: "unknown" }, "—");
  const text = namer.text(term);
  const iri = term.type === "uri" ? term : entity && entity.type === "uri" ? entity : null;
  const href = iri ? namer.link(iri.value) : null;
  return href ? h("a", { href, title: text }, text) : h("span", { title: text }, text);
}

/** Which views fit: {chart: {label, value}, timeline: {label, date}, map: {label, lat, long|wkt}}. */
export function detect(columns, rows) {
  const found = {};
  const numeric = columns.filter((c) => rows.some((r) => isNumber(r[c]))
    && rows.every((r) => !r[c] || isNumber(r[c])));
  const dated = columns.filter((c) => rows.some((r) => precisionOf(r[c]))
    && rows.every((r) => !r[c] || precisionOf(r[c])));
  const lat = numeric.find((c) => /^lat(itude)?$/i.test(c));
  const long = numeric.find((c) => /^(long|lon|lng|longitude)$/i.test(c));
  const wkt = columns.find((c) => rows.some((r) => r[c] && r[c].datatype === WKT));
  const label = labelColumn(columns, rows, null, [lat, long, wkt]);
  // the entity a row is about, when the label column is a literal: its link
  const entity = columns.find((c) => c !== label && rows.some((r) => r[c])
    && rows.every((r) => !r[c] || r[c].type === "uri")) || null;
  if (rows.length && lat && long) found.map = { label, entity, lat, long };
  else if (rows.length && wkt) found.map = { label, entity, wkt };
  const value = numeric.find((c) => c !== lat && c !== long);
  if (rows.length && value && label) found.chart = { label, entity, value };
  if (rows.length && dated.length) found.timeline = { label, entity, date: dated[0], end: dated[1] || null };
  return found;
}

function shownNote(shown, total, strings) {
  return shown < total ? h("p", { class: "view-note" }, fill(strings.shownOf, { shown, total })) : null;
}

/** Horizontal bars: HTML labels that wrap (never clipped) beside SVG bars, each a link. */
export function renderChart(host, spec, rows, namer, strings) {
  const fmt = new Intl.NumberFormat(namer.lang);
  const shown = rows.slice(0, SHOWN);
  const max = Math.max(0, ...shown.map((r) => (isNumber(r[spec.value]) ? Number(r[spec.value].value) : 0)));
  const list = h("ol", { class: "bars" }, shown.map((row) => {
    const term = row[spec.value];
    const value = isNumber(term) ? Number(term.value) : null;
    const width = value !== null && max > 0 ? Math.max(0.5, (100 * Math.max(0, value)) / max) : 0;
    const svg = s("svg", { viewBox: "0 0 100 10", preserveAspectRatio: "none", "aria-hidden": "true" },
      s("rect", { x: 0, y: 1, width: width.toFixed(2), height: 8 }));
    return h("li", {}, h("span", { class: "bar-label" }, nameCell(row[spec.label], namer, row[spec.entity])),
      h("span", { class: "bar" }, svg),
      h("span", { class: "bar-value" }, value === null ? strings.unknown : fmt.format(value)));
  }));
  host.replaceChildren(
    h("figure", { class: "chart-view", role: "group", "aria-label": fill(strings.chartOf, { value: "?" + spec.value, label: "?" + spec.label }) },
      h("figcaption", {}, fill(strings.chartOf, { value: "?" + spec.value, label: "?" + spec.label })),
      list, shownNote(shown.length, rows.length, strings)),
  );
}

/** One lane per row: a year or a month as a bar over its whole span, a day as a dot. */
export function renderTimeline(host, spec, rows, namer, strings) {
  const items = rows.map((row) => ({ row, at: span(row[spec.date]), to: spec.end ? span(row[spec.end]) : null }))
    .filter((x) => x.at).sort((a, b) => a.at.start - b.at.start);
  const shown = items.slice(0, SHOWN);
  const first0 = Math.min(...shown.map((x) => x.at.start));
  const last0 = Math.max(...shown.map((x) => (x.to ? x.to.end : x.at.end)));
  const margin = Math.max(86_400_000, (last0 - first0) * 0.02);
  const min = first0 - margin;
  const max = last0 + margin;
  const W = 1000;
  const x = (t) => ((t - min) / Math.max(1, max - min)) * W;
  const first = new Date(min).getUTCFullYear() + 1;
  const last = new Date(max).getUTCFullYear();
  const step = Math.max(1, Math.ceil((last - first + 1) / 8));
  const ticks = [];
  for (let y = first; y <= last; y += step) ticks.push(y);
  const axis = s("svg", { viewBox: `0 0 ${W} 24`, preserveAspectRatio: "none", class: "axis", "aria-hidden": "true" },
    ticks.map((y) => s("line", { x1: x(Date.UTC(y, 0, 1)), x2: x(Date.UTC(y, 0, 1)), y1: 0, y2: 24 })));
  const years = h("div", { class: "axis-years", "aria-hidden": "true" }, ticks.map((y) => {
    const label = h("span", {}, String(y));
    label.style.left = `${(100 * x(Date.UTC(y, 0, 1))) / W}%`; // CSSOM: allowed by style-src 'self'
    return label;
  }));
  const lanes = h("ol", { class: "lanes" }, shown.map(({ row, at, to }) => {
    const term = row[spec.date];
    const end = to ? to.end : at.end;
    const day = at.precision === "day" && !to;
    const mark = day // a day is a narrow mark centred on it; a year or a month covers its span
      ? s("rect", { x: (x(at.start) + x(end)) / 2 - 2, y: 0, width: 4, height: 10, class: "day" })
      : s("rect", { x: x(at.start), y: 1, width: Math.max(2, x(end) - x(at.start)), height: 8, class: at.precision });
    mark.append(s("title", {}, `${term.value} (${strings["precision_" + at.precision]})`));
    return h("li", {},
      h("span", { class: "bar-label" }, spec.label ? nameCell(row[spec.label], namer, row[spec.entity]) : term.value),
      h("span", { class: "bar" }, s("svg", { viewBox: `0 0 ${W} 10`, preserveAspectRatio: "none" }, mark)),
      h("span", { class: "bar-value" }, term.value));
  }));
  host.replaceChildren(h("figure", { class: "timeline-view" },
    h("figcaption", {}, fill(strings.timelineOf, { date: "?" + spec.date })),
    h("p", { class: "legend" }, strings.timelineLegend),
    h("div", { class: "axis-row" }, axis, years),
    lanes, shownNote(shown.length, items.length, strings)));
}

function point(row, spec) {
  if (spec.wkt) {
    const m = /POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)/i.exec(row[spec.wkt] ? row[spec.wkt].value : "");
    return m ? { long: Number(m[1]), lat: Number(m[2]) } : null;
  }
  if (!isNumber(row[spec.lat]) || !isNumber(row[spec.long])) return null;
  return { lat: Number(row[spec.lat].value), long: Number(row[spec.long].value) };
}

/** Points on an equirectangular graticule fitted to them: no tiles, nothing fetched. */
export function renderMap(host, spec, rows, namer, strings) {
  const points = rows.map((row) => ({ row, at: point(row, spec) }))
    .filter((p) => p.at && Math.abs(p.at.lat) <= 90 && Math.abs(p.at.long) <= 180);
  const pad = 5;
  const west = Math.max(-180, Math.min(...points.map((p) => p.at.long)) - pad);
  const east = Math.min(180, Math.max(...points.map((p) => p.at.long)) + pad);
  const south = Math.max(-90, Math.min(...points.map((p) => p.at.lat)) - pad);
  const north = Math.min(90, Math.max(...points.map((p) => p.at.lat)) + pad);
  const grid = [];
  for (let lo = Math.ceil(west / 10) * 10; lo <= east; lo += 10) grid.push(s("line", { x1: lo, x2: lo, y1: -north, y2: -south }));
  for (let la = Math.ceil(south / 10) * 10; la <= north; la += 10) grid.push(s("line", { x1: west, x2: east, y1: -la, y2: -la }));
  const r = Math.max(east - west, north - south) / 120;
  const dots = points.map(({ row, at }) => {
    const name = spec.label && row[spec.label] ? namer.text(row[spec.label]) : `${at.lat}, ${at.long}`;
    const dot = s("circle", { cx: at.long, cy: -at.lat, r: r.toFixed(3) }, s("title", {}, name));
    const about = [row[spec.label], row[spec.entity]].find((t) => t && t.type === "uri");
    const href = about ? namer.link(about.value) : null;
    return href ? s("a", { href }, dot) : dot;
  });
  const svg = s("svg", { viewBox: `${west} ${-north} ${east - west} ${north - south}`, role: "img",
    "aria-label": fill(strings.mapOf, { n: points.length }), class: "map" },
  s("g", { class: "graticule" }, grid), s("g", { class: "points" }, dots));
  host.replaceChildren(h("figure", { class: "map-view" }, h("figcaption", {}, fill(strings.mapOf, { n: points.length })),
    svg, shownNote(points.length, rows.length, strings)));
}
