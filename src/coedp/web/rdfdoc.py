"""The RDF bodies of ``/doc/...`` documents: named graphs kept, JSON-LD compacted.

A description (:mod:`coedp.web.describe`) is a set of triples; this module
says which named graph each comes from, so that clients can tell asserted
from inferred:

* ``quads(app, desc, cat)``: every triple of the description in the named
  graph(s) that hold it (``<BASE>graph/asserted``, ``.../inferred``,
  ``.../ontology``, ``.../metadata``); the labels of linked resources, given
  for display, and the document's own triples sit in the default graph. The
  statement nodes of the facts about the resource and the source lines they
  cite stay in the graph that holds them (the asserted graph). The union of
  the quads is exactly the triples of the Turtle form.
* Document-level triples: ``<BASE>doc/x`` is a ``foaf:Document`` whose
  ``foaf:primaryTopic`` is ``<BASE>x``, under ``dct:license`` CC BY 4.0 and
  ``void:inDataset <BASE>id/dataset``.
* ``body(...)`` writes the forms: Turtle, N-Triples, RDF/XML, JSON-LD
  (compacted with :mod:`coedp.web.jsonld`), TriG and N-Quads.
* ``inferred_only(app, iri)``: the (property, value) pairs of an entity that
  only the inferred graph holds, for the "inferred" mark on pages.
"""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request, Response

from coedp.namespaces import iris_of, prefixes_for
from coedp.server.deps import services
from coedp.web import catalogue, data, describe, jsonld
from coedp.web.catalogue import Catalogue
from coedp.web.data import sparql_iri
from coedp.web.state import site

OWN = "SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ {s} ?p ?o }} }}"
INCOMING = "SELECT ?g ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {s} }} }}"
VIA = (
    "SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s "
    "<http://www.w3.org/ns/sparql-service-description#name> {s} . ?s ?p ?o }} }}"
)
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
FOAF = "http://xmlns.com/foaf/0.1/"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

QUAD_FORMS = ("trig", "nquads")
TRIPLE_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
QUAD_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def document_triples(base: str, rel: str, topic: str) -> list[ox.Triple]:
    """What the document ``<BASE>doc/rel`` says of itself: topic, licence, dataset."""
    doc = ox.NamedNode(base + "doc/" + rel)
    return [
        ox.Triple(doc, ox.NamedNode(RDF_TYPE), ox.NamedNode(FOAF + "Document")),
        ox.Triple(doc, ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(topic)),
        ox.Triple(doc, ox.NamedNode(DCT + "license"), ox.NamedNode(LICENSE)),
        ox.Triple(doc, ox.NamedNode(VOID + "inDataset"), ox.NamedNode(base + "id/dataset")),
    ]


async def _graph_rows(app: FastAPI, iri: str) -> list[list[data.Row]]:
    s = sparql_iri(iri)
    queries = [OWN.format(s=s), INCOMING.format(s=s), VIA.format(s=s)]
    return list(await asyncio.gather(*(data.select(app, q) for q in queries)))


async def quads(
    app: FastAPI, desc: describe.Description, triples: list[ox.Triple]
) -> list[ox.Quad]:
    """The description's ``triples`` in the named graphs that hold them (see the docstring)."""
    own, incoming, via = await _graph_rows(app, desc.iri)
    subject = ox.NamedNode(desc.iri)
    wanted = set(triples)
    found: list[ox.Quad] = []
    covered: set[ox.Triple] = set()

    def add(s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: object, g: str) -> None:
        triple = ox.Triple(s, p, o)  # type: ignore[arg-type]
        if triple in wanted:
            found.append(ox.Quad(s, p, o, ox.NamedNode(g)))  # type: ignore[arg-type]
            covered.add(triple)

    for r in own:
        add(subject, r["p"].to_ox(), r["o"].to_ox(), r["g"].value)  # type: ignore[arg-type]
    for r in incoming:
        add(r["s"].to_ox(), r["p"].to_ox(), subject, r["g"].value)  # type: ignore[arg-type]
    for r in via:
        add(r["s"].to_ox(), r["p"].to_ox(), r["o"].to_ox(), r["g"].value)  # type: ignore[arg-type]
    for g, s, p, o in desc.statements:
        add(s.to_ox(), p.to_ox(), o.to_ox(), g.value)  # type: ignore[arg-type]
    found += [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in triples
        if t not in covered
    ]
    return sorted(set(found), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate),
                                             str(q.object)))


async def inferred_only(app: FastAPI, iri: str) -> set[tuple[str, str]]:
    """(property, value) of ``iri``'s own triples found in the inferred graph and no other."""
    base = services(app).settings.base_iri
    rows = await data.select(app, OWN.format(s=sparql_iri(iri)))
    graphs: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        graphs.setdefault((r["p"].value, r["o"].value), set()).add(r["g"].value)
    return {key for key, gs in graphs.items() if gs == {base + "graph/inferred"}}


async def context(app: FastAPI) -> jsonld.Context:
    """coedp's JSON-LD context, from the ontology's properties (built once)."""
    state = site(app)
    ctx = state.jsonld_context
    if ctx is None:
        cat = await catalogue.get(app)
        ctx = jsonld.Context(
            jsonld.properties_of((t.iri, t.types) for t in cat.terms.values())
        )
        state.jsonld_context = ctx
    return ctx


def serialize(
    form: str, items: list[ox.Quad], ctx: jsonld.Context, first: str | None = None
) -> bytes:
    """``items`` (quads; the default graph for triples) in the RDF form ``form``."""
    if form in QUAD_FORMATS:
        prefixes = prefixes_for(iris_of(items)) if form == "trig" else None
        return ox.serialize(items, format=QUAD_FORMATS[form], prefixes=prefixes) or b""
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in items))
    if form == "jsonld":
        return jsonld.dumps(ctx.compact_triples(triples, first=first))
    prefixes = prefixes_for(iris_of(triples)) if form in ("turtle", "rdfxml") else None
    return ox.serialize(triples, format=TRIPLE_FORMATS[form], prefixes=prefixes) or b""


async def body(
    app: FastAPI, desc: describe.Description, cat: Catalogue, form: str, rel: str
) -> bytes:
    """The RDF document about ``desc.iri`` (at ``<BASE>doc/rel``) in ``form``."""
    base = services(app).settings.base_iri
    triples = describe.triples(desc, cat)
    own_doc = document_triples(base, rel, desc.iri)
    if form in QUAD_FORMS:
        items = await quads(app, desc, triples)
    else:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    items += [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in own_doc]
    return serialize(form, items, await context(app), first=desc.iri)


async def ontology_body(app: FastAPI, triples: list[ox.Triple], form: str) -> bytes:
    """The whole ontology graph in ``form`` (quads in ``<BASE>graph/ontology``)."""
    base = services(app).settings.base_iri
    graph = ox.NamedNode(base + "graph/ontology")
    if form in QUAD_FORMS:
        items = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    else:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    return serialize(form, items, await context(app), first=base + "def/")


router = APIRouter(include_in_schema=False)


@router.api_route("/context.jsonld", methods=["GET", "HEAD"])
async def context_document(request: Request) -> Response:
    """coedp's published JSON-LD context (the one resource documents and the dump use)."""
    ctx = await context(request.app)
    return Response(
        jsonld.dumps(ctx.document()),
        media_type="application/ld+json",
        headers={"Access-Control-Allow-Origin": "*"},
    )
