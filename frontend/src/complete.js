// Completion from coedp's own data: the predeclared prefixes, the ontology's classes and
// properties, and every labelled entity, by prefixed name or by label (French and English).
// Nothing is asked of any other service.

const KEYWORDS = (
  "SELECT DISTINCT WHERE FILTER OPTIONAL UNION MINUS GRAPH BIND VALUES ORDER BY GROUP " +
  "HAVING LIMIT OFFSET ASK CONSTRUCT DESCRIBE PREFIX BASE FROM NAMED COUNT SUM MIN MAX AVG " +
  "SAMPLE GROUP_CONCAT SEPARATOR LANG LANGMATCHES STR YEAR MONTH DAY CONTAINS STRSTARTS " +
  "REGEX LCASE UCASE COALESCE IF BOUND EXISTS NOT IN AS ASC DESC DATATYPE ISIRI ISLITERAL"
).split(" ");
const KIND_TYPE = { c: "class", p: "property", e: "constant" };
const LIMIT = 80;

/** Letters folded for matching: case and accents ignored. */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

export class Vocabulary {
  constructor(namer) {
    this.namer = namer;
    this.prefixes = [];
    this.entries = [];
  }

  load(vocab) {
    this.prefixes = Object.entries(vocab.prefixes || {});
    const lang = this.namer.lang;
    this.entries = (vocab.terms || []).map(([iri, kind, en, fr]) => {
      const name = this.namer.short(iri);
      const colon = name.indexOf(":");
      return {
        iri, kind, name,
        prefix: name.startsWith("<") ? "" : name.slice(0, colon),
        local: fold(name.startsWith("<") ? "" : name.slice(colon + 1)),
        label: (lang === "fr" ? fr || en : en || fr) || "",
        other: (lang === "fr" ? en : fr) || "",
        folded: fold(`${en || ""} ${fr || ""}`),
      };
    });
  }

  option(entry, boost) {
    return {
      label: entry.name,
      detail: entry.label,
      info: entry.other && entry.other !== entry.label ? entry.other : undefined,
      type: KIND_TYPE[entry.kind] || "constant",
      apply: entry.name,
      boost,
    };
  }

  /** Terms of `prefix:` whose local name or label starts with (then holds) `typed`. */
  prefixed(prefix, typed) {
    const want = fold(typed);
    const found = [];
    for (const entry of this.entries) {
      if (entry.prefix !== prefix) continue;
      let rank = -1;
      if (entry.local.startsWith(want)) rank = 3;
      else if (wordStart(entry.folded, want)) rank = 2;
      else if (want && (entry.local.includes(want) || entry.folded.includes(want))) rank = 1;
      if (rank >= 0) found.push([rank, entry]);
    }
    return this.ranked(found);
  }

  /** Prefixes, keywords, and terms whose label holds the word `typed`. */
  bare(typed) {
    const want = fold(typed);
    const options = [];
    for (const [prefix, ns] of this.prefixes) {
      if (prefix.startsWith(want)) {
        options.push({ label: prefix + ":", detail: ns, type: "namespace", boost: 60 });
      }
    }
    for (const word of KEYWORDS) {
      if (want && word.toLowerCase().startsWith(want)) {
        options.push({ label: word, type: "keyword", boost: 50 });
      }
    }
    if (want.length >= 2) {
      const found = [];
      for (const entry of this.entries) {
        if (wordStart(entry.folded, want)) found.push([entry.folded.startsWith(want) ? 2 : 1, entry]);
        else if (want.length >= 3 && entry.folded.includes(want)) found.push([0, entry]);
      }
      for (const option of this.ranked(found)) {
        option.label = option.detail || option.label;
        option.detail = option.apply;
        options.push(option);
      }
    }
    return options;
  }

  ranked(found) {
    const order = { c: 0, p: 1, e: 2 };
    found.sort((a, b) => b[0] - a[0] || order[a[1].kind] - order[b[1].kind]
      || a[1].name.length - b[1].name.length || a[1].name.localeCompare(b[1].name));
    return found.slice(0, LIMIT).map(([, entry], i) => this.option(entry, 40 - Math.min(i, 80)));
  }
}

function wordStart(folded, want) {
  if (!want) return true;
  let at = folded.indexOf(want);
  while (at >= 0) {
    if (at === 0 || !/[\p{L}\p{N}]/u.test(folded[at - 1])) return true;
    at = folded.indexOf(want, at + 1);
  }
  return false;
}

/** The completion source of the editor. */
export function completionSource(vocabulary) {
  return (context) => {
    const word = context.matchBefore(/[?$]?[\p{L}\p{N}_][\p{L}\p{N}_.-]*(:[\p{L}\p{N}_.-]*)?|[\p{L}_][\p{L}\p{N}_.-]*:|[?$]/u);
    if (!word) return context.explicit ? { from: context.pos, options: vocabulary.bare(""), filter: false } : null;
    if (word.from === word.to && !context.explicit) return null;
    const text = word.text;
    if (text.startsWith("?") || text.startsWith("$")) {
      const names = new Set(context.state.doc.toString().match(/[?$][\p{L}\p{N}_]+/gu) || []);
      names.delete(text);
      const options = [...names].filter((n) => n.slice(1).startsWith(text.slice(1)))
        .map((n) => ({ label: "?" + n.slice(1), type: "variable" }));
      return { from: word.from, options, filter: false };
    }
    const colon = text.indexOf(":");
    const line = context.state.doc.lineAt(context.pos);
    if (colon === text.length - 1 && /^\s*PREFIX\s+[\p{L}\p{N}_.-]*:$/iu.test(line.text.slice(0, context.pos - line.from))) {
      // a PREFIX declaration: its namespace
      const ns = vocabulary.prefixes.find(([p]) => p === text.slice(0, -1));
      return ns ? { from: context.pos, options: [{ label: `<${ns[1]}>`, apply: ` <${ns[1]}>`, type: "namespace" }], filter: false } : null;
    }
    if (colon >= 0) {
      const options = vocabulary.prefixed(text.slice(0, colon), text.slice(colon + 1));
      return { from: word.from, options, filter: false };
    }
    if (/^\p{N}/u.test(text)) return null; // a number
    return { from: word.from, options: vocabulary.bare(text), filter: false };
  };
}
