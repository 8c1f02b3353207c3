"""The coedp ontology at its namespace, and its documentation in the manner of pyLODE.

As data: the namespace ``https://coedp.org/def/`` and the version IRI
``https://coedp.org/def/VERSION`` (``owl:versionIRI``) are documents of the
*whole* ontology graph (every class, property and axiom of ontology/, the
reused terms' declarations included), in every RDF form the site serves
(Turtle, N-Triples, RDF/XML, JSON-LD, TriG, N-Quads); a browser is sent to
the page instead.

As a page (/ontology, /en/ontology, /fr/ontology): the ontology's metadata, a
table of contents, then every class and property of ``coedp:`` with an anchor
(``/ontology#Company``), its labels in French and English, its definition,
domain, range, super- and sub-terms, inverse, disjoint classes, property
chains, characteristics by name (Functional, Transitive...), for classes the
properties they are in the domain or range of, and how often the data uses
it (instances of a class; triples of a property, in the asserted and inferred
graphs). ``https://coedp.org/def/Term`` is sent here by a 303 when a browser
looks it up.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request, Response

from coedp.namespaces import COEDP
from coedp.server import formats
from coedp.server.deps import services
from coedp.web import catalogue, data, deref, describe, i18n, render
from coedp.web.catalogue import OWL, RDF, RDFS, Catalogue
from coedp.web.data import DataError
from coedp.web.entity import Builder, Value
from coedp.web.iris import IriMap
from coedp.web.state import site

router = APIRouter(include_in_schema=False)
NS = str(COEDP)
# The forms of the ontology document (names of the format registry).
ONTOLOGY_FORMS: tuple[str, ...] = ("turtle", "ntriples", "rdfxml", "jsonld", "trig", "nquads")

USAGE = """
SELECT ?p (COUNT(*) AS ?n) WHERE {{
  VALUES ?g {{ <{asserted}> <{inferred}> }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?p), "{ns}"))
}} GROUP BY ?p"""

STRUCTURAL = {
    OWL + "Class",
    RDFS + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    RDF + "Property",
    OWL + "AnnotationProperty",
}


@dataclass
class TermDoc:
    """What the page says of one term."""

    anchor: str
    iri: str
    labels: dict[str, str]
    definition: str
    definition_lang: str
    kind: str
    supers: list[Value] = field(default_factory=list)
    subs: list[Value] = field(default_factory=list)
    domains: list[Value] = field(default_factory=list)
    ranges: list[Value] = field(default_factory=list)
    inverse: list[Value] = field(default_factory=list)
    characteristics: list[Value] = field(default_factory=list)
    disjoint: list[Value] = field(default_factory=list)
    chains: list[list[Value]] = field(default_factory=list)
    in_domain_of: list[Value] = field(default_factory=list)
    in_range_of: list[Value] = field(default_factory=list)
    usage: int = 0


ONTOLOGY_QUERY = "SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"


@dataclass
class Axioms:
    """What the page needs of the ontology graph beyond the catalogue."""

    disjoint: dict[str, set[str]] = field(default_factory=dict)
    chains: dict[str, list[list[str]]] = field(default_factory=dict)
    version_iri: str = ""


async def ontology_triples(app: FastAPI) -> list[ox.Triple]:
    """Every triple of the ontology graph (read once through the pool, then kept)."""
    state = site(app)
    cached = state.ontology_triples
    if cached is not None:
        return cached
    graph = services(app).settings.base_iri + "graph/ontology"
    folder = services(app).backend.info.dumps
    source = folder / "coedp.nq" if folder is not None else None
    if source is not None and source.is_file():
        # From the published file rather than by SPARQL: the store gives derived integer
        # types (xsd:nonNegativeInteger of cardinalities) back as xsd:integer.
        quads = await asyncio.to_thread(_read_graph, source, ox.RdfFormat.N_QUADS, graph)
        cached = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    else:
        rows = await data.select(app, ONTOLOGY_QUERY.format(graph=graph))
        cached = [
            ox.Triple(r["s"].to_ox(), r["p"].to_ox(), r["o"].to_ox())  # type: ignore[arg-type]
            for r in rows
        ]
    state.ontology_triples = cached
    return cached


def _read_graph(path: Path, fmt: ox.RdfFormat, graph: str) -> list[ox.Quad]:
    name = ox.NamedNode(graph)
    return [q for q in ox.parse(path=str(path), format=fmt) if q.graph_name == name]


def axioms(triples: list[ox.Triple]) -> Axioms:
    """Disjoint classes (both ways), property chains (RDF lists read) and the version IRI."""
    found = Axioms()
    first: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
    rest: dict[str, str] = {}
    chain_heads: list[tuple[str, str]] = []
    for t in triples:
        s, o = t.subject, t.object
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
            continue  # a quoted triple (RDF 1.2): no axiom of an OWL ontology
        p = t.predicate.value
        if p == OWL + "disjointWith":
            a, b = s.value, o.value
            found.disjoint.setdefault(a, set()).add(b)
            found.disjoint.setdefault(b, set()).add(a)
        elif p == OWL + "propertyChainAxiom":
            chain_heads.append((s.value, o.value))
        elif p == RDF_FIRST:
            first[s.value] = o
        elif p == RDF_REST:
            rest[s.value] = o.value
        elif p == OWL + "versionIRI" and s.value == NS:
            found.version_iri = o.value
    for prop, head in chain_heads:
        items, node, steps = [], head, 0
        while node in first and steps < 100:
            items.append(first[node].value)
            node, steps = rest.get(node, RDF_NIL), steps + 1
        found.chains.setdefault(prop, []).append(items)
    return found


def ontology_iris(base: str, version_iri: str = "") -> set[str]:
    """The IRIs whose document is the whole ontology: the namespace and its version IRI."""
    names = {base + "def/"}
    if version_iri:
        names.add(version_iri)
    return names


async def is_ontology(app: FastAPI, iri: str) -> bool:
    """Whether ``iri`` is the ontology or its version IRI."""
    base = services(app).settings.base_iri
    if iri == base + "def/":
        return True
    if not iri.startswith(base + "def/"):
        return False
    return iri in ontology_iris(base, axioms(await ontology_triples(app)).version_iri)


async def usage_counts(request: Request) -> dict[str, int]:
    """Triples per coedp property in the asserted and inferred graphs (cached)."""
    app = request.app
    state = site(app)
    cached = state.usage
    if cached is None:
        base = services(app).settings.base_iri
        rows = await data.select(
            app,
            USAGE.format(
                asserted=base + "graph/asserted",
                inferred=base + "graph/inferred",
                ns=NS,
            ),
        )
        cached = {r["p"].value: int(r["n"].value) for r in rows}
        state.usage = cached
    return cached


def term_docs(
    cat: Catalogue, iris: IriMap, lang: str, usage: dict[str, int], found: Axioms | None = None
) -> list[TermDoc]:
    """Documentation of every coedp term, classes first, by label."""
    builder = Builder(cat, iris, lang)
    subs: dict[str, list[str]] = {}
    in_domain: dict[str, list[str]] = {}
    in_range: dict[str, list[str]] = {}
    for term in cat.terms.values():
        for parent in term.supers:
            subs.setdefault(parent, []).append(term.iri)
        if term.is_property:
            for d in term.domains:
                in_domain.setdefault(d, []).append(term.iri)
            for r in term.ranges:
                in_range.setdefault(r, []).append(term.iri)
    found = found or Axioms()
    docs = []
    for term in cat.terms.values():
        if not term.iri.startswith(NS) or term.iri == NS:
            continue
        definition = i18n.pick(term.comments, lang)
        definition_lang = next((lg for lg, v in term.comments.items() if v == definition), "")
        kind = "class" if term.is_class else "property"
        doc = TermDoc(
            anchor=term.iri[len(NS) :],
            iri=term.iri,
            labels=term.labels,
            definition=definition,
            definition_lang=definition_lang,
            kind=kind,
            supers=[builder.link(s) for s in term.supers],
            subs=[builder.link(s) for s in sorted(subs.get(term.iri, []))],
            domains=[builder.link(d) for d in term.domains],
            ranges=[builder.link(r) for r in term.ranges],
            inverse=[builder.link(i) for i in term.inverse],
            characteristics=[
                _characteristic(builder, ty, lang) for ty in sorted(term.types - STRUCTURAL)
            ],
            disjoint=[builder.link(d) for d in sorted(found.disjoint.get(term.iri, ()))],
            chains=[[builder.link(p) for p in chain] for chain in found.chains.get(term.iri, [])],
            in_domain_of=(
                [builder.link(p) for p in sorted(in_domain.get(term.iri, []))]
                if kind == "class" else []
            ),
            in_range_of=(
                [builder.link(p) for p in sorted(in_range.get(term.iri, []))]
                if kind == "class" else []
            ),
            usage=(len(cat.instances(term.iri)) if kind == "class" else usage.get(term.iri, 0)),
        )
        docs.append(doc)
    docs.sort(key=lambda d: (d.kind != "class", i18n.pick(d.labels, lang, d.anchor).casefold()))
    return docs


def _characteristic(builder: Builder, iri: str, lang: str) -> Value:
    """A characteristic by its name (Functional...), linked to its definition."""
    name = i18n.characteristic(iri, lang)
    if name is None:
        return builder.link(iri)
    return Value(name, iri, iri=iri, external=True)


@router.api_route("/ontology", methods=["GET", "HEAD"])
async def ontology(request: Request) -> Response:
    """The ontology documentation page."""
    lang, _ = i18n.choose(request)
    iris = IriMap(services(request.app).settings.base_iri)
    try:
        cat = await catalogue.get(request.app)
        usage = await usage_counts(request)
        about = await describe.describe(request.app, NS)
        found = axioms(await ontology_triples(request.app))
    except DataError as exc:
        return deref.unavailable(request, str(exc))
    builder = Builder(cat, iris, lang)
    metadata = []
    for p, o in about.out:
        if p.value in (RDF + "type",):
            continue
        metadata.append((builder.prop(p.value)[0], builder.value(o)))
    docs = term_docs(cat, iris, lang, usage, found)
    forms = [
        (formats.by_name(name).title, iris.doc_path(NS, name), formats.by_name(name).media_type)
        for name in ONTOLOGY_FORMS
    ]
    return render.page(
        request,
        "ontology.html",
        {
            "classes": [d for d in docs if d.kind == "class"],
            "properties": [d for d in docs if d.kind == "property"],
            "metadata": metadata,
            "ns": NS,
            "forms": forms,
            "version_iri": found.version_iri,
            "graph_dump": "/rdf-graph-store?graph=" + quote(iris.base + "graph/ontology", safe=""),
        },
    )
