// RDF terms of SPARQL JSON results: prefixed names, labels, links, kinds of values.

const XSD = "http://www.w3.org/2001/XMLSchema#";
export const NUMERIC = new Set(
  ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
   "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
   "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map((t) => XSD + t),
);
export const DATES = {
  [XSD + "date"]: "day",
  [XSD + "dateTime"]: "day",
  [XSD + "gYearMonth"]: "month",
  [XSD + "gYear"]: "year",
};
export const WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
const DOC_EXTENSIONS = [".html", ".ttl", ".nt", ".jsonld", ".rdf"];

/** Names IRIs with the site's prefixes and labels (from /query/completions.json). */
export class Namer {
  /** `pages`: the prefix of the site's page addresses in the page's language (`/fr`). */
  constructor(base, lang, pages = "") {
    this.base = base;
    this.lang = lang;
    this.pages = pages;
    this.prefixes = [];
    this.labels = new Map();
  }

  /** Takes the vocabulary: prefixes and [iri, kind, en, fr] terms. */
  load(vocab) {
    this.prefixes = Object.entries(vocab.prefixes || {}).sort((a, b) => b[1].length - a[1].length);
    for (const [iri, , en, fr] of vocab.terms || []) {
      this.labels.set(iri, this.lang === "fr" ? fr || en : en || fr);
    }
  }

  /** `coedp:DigitalPartner` for an IRI under a known namespace, else `<iri>`. */
  short(iri) {
    for (const [prefix, ns] of this.prefixes) {
      if (iri.startsWith(ns)) {
        const local = iri.slice(ns.length);
        if (/^[\p{L}\p{N}_]([\p{L}\p{N}_.-]*[\p{L}\p{N}_-])?$/u.test(local) || local === "") {
          return `${prefix}:${local}`;
        }
      }
    }
    return `<${iri}>`;
  }

  label(iri) {
    return this.labels.get(iri) || "";
  }

  /** Where the site shows `iri`: its page here, in the page's language, the IRI itself
   * elsewhere (http only). */
  link(iri) {
    if (iri.startsWith(this.base)) {
      const rel = iri.slice(this.base.length);
      if (rel.startsWith("def/")) {
        const term = rel.slice(4);
        return this.pages + "/ontology" + (term ? "#" + encodeURIComponent(term) : "");
      }
      if (rel.startsWith("id/") || rel.startsWith("graph/")) {
        const path = this.pages + "/doc/" + encodeURI(rel);
        return DOC_EXTENSIONS.some((e) => rel.endsWith(e)) ? path + ".html" : path;
      }
    }
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  /** The text a cell sorts and charts by. */
  text(term) {
    if (!term) return "";
    if (term.type === "uri") return this.label(term.value) || this.short(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
  }
}

export function isNumber(term) {
  return !!term && term.type !== "uri" && NUMERIC.has(term.datatype) && isFinite(Number(term.value));
}

export function precisionOf(term) {
  return term && term.type !== "uri" ? DATES[term.datatype] || null : null;
}

/** [start, end) in milliseconds of a dated literal, at its precision. */
export function span(term) {
  const precision = precisionOf(term);
  if (!precision) return null;
  const m = /^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(term.value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) - 1 : 0;
  const day = m[3] ? Number(m[3]) : 1;
  const start = Date.UTC(year, precision === "year" ? 0 : month, precision === "day" ? day : 1);
  const end = precision === "year" ? Date.UTC(year + 1, 0, 1)
    : precision === "month" ? Date.UTC(year, month + 1, 1)
    : Date.UTC(year, month, day + 1);
  return { start, end, precision };
}
