"""What every page needs to know of every IRI: its labels, types and terms.

Built once, on the first page that needs it, from two queries through the
worker pool (the labels and types of every IRI; the terms of the ontology
graph), then kept for the life of the process: the served dataset never
changes while it runs. Pages then name any IRI in French or English without
another query, and the search index is built from the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import FastAPI

from coedp.server.deps import services
from coedp.web import data
from coedp.web.i18n import pick, term_name
from coedp.web.state import site

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"

TYPE = RDF + "type"
LABEL = RDFS + "label"
PREF = SKOS + "prefLabel"
ALT = SKOS + "altLabel"
HIDDEN = SKOS + "hiddenLabel"

@dataclass
class Term:
    """A class or property of the ontology graph."""

    iri: str
    types: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    defined_by: str = ""

    @property
    def is_class(self) -> bool:
        return OWL + "Class" in self.types or RDFS + "Class" in self.types

    @property
    def is_property(self) -> bool:
        return any(t.endswith(("Property",)) for t in self.types) or RDF + "Property" in self.types


@dataclass
class Catalogue:
    """Labels (per language), other names and types of every IRI, and the ontology's terms."""

    labels: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    names: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    terms: dict[str, Term] = field(default_factory=dict)
    ancestors: dict[str, set[str]] = field(default_factory=dict)

    # -- labels -----------------------------------------------------------
    def label(self, iri: str, lang: str) -> str:
        """The label of ``iri`` in ``lang`` (or the other language), else a readable fallback."""
        found = pick(self.labels.get(iri), lang)
        if found:
            return found
        term = self.terms.get(iri)
        if term and term.labels:
            return pick(term.labels, lang)
        # Terms the ontology does not declare (rdf:type, void:triples...) are named in the
        # message catalogue.
        return term_name(iri, lang) or short(iri)

    def has_label(self, iri: str) -> bool:
        """Whether the dataset names ``iri`` (an entity or term it describes)."""
        return iri in self.labels or iri in self.terms

    # -- kinds ------------------------------------------------------------
    def kinds(self, iri: str, namespace: str) -> list[str]:
        """The most specific classes of ``iri`` within ``namespace`` (its kinds)."""
        own = {t for t in self.types.get(iri, ()) if t.startswith(namespace)}
        return sorted(t for t in own if not any(t in self.ancestors.get(o, ()) for o in own))

    def kind_label(self, iri: str, namespace: str, lang: str) -> str:
        """The kinds of ``iri``, named and joined."""
        kinds = self.kinds(iri, namespace) or sorted(self.types.get(iri, ()))[:1]
        return ", ".join(self.label(k, lang) for k in kinds)

    def instances(self, cls: str) -> list[str]:
        """Every IRI typed ``cls`` (directly or by inference)."""
        return sorted(s for s, types in self.types.items() if cls in types)


def short(iri: str) -> str:
    """The last segment of an IRI, for a thing without a label."""
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[1]
    return tail or iri


CATALOGUE_QUERY = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  VALUES ?p {{ <{LABEL}> <{PREF}> <{ALT}> <{HIDDEN}> <{TYPE}> }}
  ?s ?p ?o .
  FILTER(isIRI(?s))
}}"""

VOCAB_QUERY = """
SELECT DISTINCT ?t ?p ?o WHERE {{
  GRAPH <{graph}> {{
    VALUES ?p {{ <{rdf}type> <{rdfs}label> <{rdfs}comment> <{skos}definition> <{rdfs}domain>
                <{rdfs}range> <{rdfs}subClassOf> <{rdfs}subPropertyOf> <{owl}inverseOf>
                <{rdfs}isDefinedBy> }}
    ?t ?p ?o .
    FILTER(isIRI(?t) && (isIRI(?o) || isLiteral(?o)))
  }}
}}"""


def build(label_rows: list[data.Row], vocab_rows: list[data.Row]) -> Catalogue:
    """The catalogue from the answers of the two queries."""
    cat = Catalogue()
    for row in label_rows:
        _add_name(cat, row["s"].value, row["p"].value, row["o"])
    for row in vocab_rows:
        t = row["t"].value
        _add_term_fact(cat.terms.setdefault(t, Term(t)), row["p"].value, row["o"])
    for term in cat.terms.values():
        term.domains.sort()
        term.ranges.sort()
        term.supers.sort()
    cat.ancestors = _ancestors(cat.terms)
    return cat


def _add_name(cat: Catalogue, s: str, p: str, o: data.Term) -> None:
    """One answer of the labels query: a type, a label or another name of ``s``."""
    if p == TYPE:
        cat.types[s].add(o.value)
    elif p in (LABEL, PREF):
        if o.lang not in cat.labels[s] or p == LABEL:
            cat.labels[s][o.lang] = o.value
    if p != TYPE and o.kind == "literal":
        cat.names[s].append((o.value, o.lang, p))


# Vocabulary properties whose IRI values a term lists, and the list of a Term holding them.
TERM_LISTS: dict[str, Callable[[Term], list[str]]] = {
    RDFS + "domain": lambda term: term.domains,
    RDFS + "range": lambda term: term.ranges,
    RDFS + "subClassOf": lambda term: term.supers,
    RDFS + "subPropertyOf": lambda term: term.supers,
    OWL + "inverseOf": lambda term: term.inverse,
}


def _add_term_fact(term: Term, p: str, o: data.Term) -> None:
    """One answer of the vocabulary query about ``term``."""
    if p == TYPE:
        term.types.add(o.value)
    elif o.kind == "literal":
        if p == LABEL:
            term.labels[o.lang] = o.value
        elif p in (RDFS + "comment", SKOS + "definition"):
            term.comments.setdefault(o.lang, o.value)
    elif o.is_iri:
        if p in TERM_LISTS:
            TERM_LISTS[p](term).append(o.value)
        elif p == RDFS + "isDefinedBy":
            term.defined_by = o.value


def _ancestors(terms: dict[str, Term]) -> dict[str, set[str]]:
    """Every super-term of each term, transitively (cycles are harmless)."""
    result: dict[str, set[str]] = {}
    for iri in terms:
        seen: set[str] = set()
        stack = list(terms[iri].supers)
        while stack:
            parent = stack.pop()
            if parent in seen or parent == iri:
                continue
            seen.add(parent)
            if parent in terms:
                stack.extend(terms[parent].supers)
        result[iri] = seen
    return result


async def get(app: FastAPI) -> Catalogue:
    """The catalogue of ``app``'s dataset, built on first use (once, under a lock)."""
    state = site(app)
    if state.catalogue is not None:
        return state.catalogue
    async with state.lock:
        cached = state.catalogue
        if cached is None:
            base = services(app).settings.base_iri
            label_rows = await data.select(app, CATALOGUE_QUERY)
            vocab_rows = await data.select(
                app,
                VOCAB_QUERY.format(
                    graph=base + "graph/ontology",
                    rdf=RDF,
                    rdfs=RDFS,
                    skos=SKOS,
                    owl=OWL,
                ),
            )
            cached = state.catalogue = build(label_rows, vocab_rows)
    return cached
