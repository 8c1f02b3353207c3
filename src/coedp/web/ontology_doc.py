"""Documentation of the coedp ontology, in the manner of pyLODE: /ontology.

One page: the ontology's metadata, a table of contents, then every class and
property of ``coedp:`` with an anchor (``/ontology#Company``), its labels in
French and English, its definition, domain, range, super- and sub-terms,
inverse, characteristics (functional, transitive...) and how often the data
uses it (instances of a class; triples of a property, in the asserted and
inferred graphs). ``https://coedp.org/def/Term`` is sent here by a 303 when a
browser looks it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from coedp.namespaces import COEDP
from coedp.server import formats
from coedp.web import catalogue, data, deref, describe, i18n, render
from coedp.web.catalogue import OWL, RDF, RDFS, Catalogue
from coedp.web.data import DataError
from coedp.web.entity import Builder, Value
from coedp.web.iris import IriMap

router = APIRouter(include_in_schema=False)
NS = str(COEDP)

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
    usage: int = 0


async def usage_counts(request: Request) -> dict[str, int]:
    """Triples per coedp property in the asserted and inferred graphs (cached)."""
    app = request.app
    cached = getattr(app.state, "web_usage", None)
    if cached is None:
        base = app.state.settings.base_iri
        rows = await data.select(
            app,
            USAGE.format(
                asserted=base + "graph/asserted",
                inferred=base + "graph/inferred",
                ns=NS,
            ),
        )
        cached = {r["p"].value: int(r["n"].value) for r in rows}
        app.state.web_usage = cached
    return cached


def term_docs(cat: Catalogue, iris: IriMap, lang: str, usage: dict[str, int]) -> list[TermDoc]:
    """Documentation of every coedp term, classes first, by label."""
    builder = Builder(cat, iris, lang)
    subs: dict[str, list[str]] = {}
    for term in cat.terms.values():
        for parent in term.supers:
            subs.setdefault(parent, []).append(term.iri)
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
            characteristics=[builder.link(ty) for ty in sorted(term.types - STRUCTURAL)],
            usage=(len(cat.instances(term.iri)) if kind == "class" else usage.get(term.iri, 0)),
        )
        docs.append(doc)
    docs.sort(key=lambda d: (d.kind != "class", i18n.pick(d.labels, lang, d.anchor).casefold()))
    return docs


@router.api_route("/ontology", methods=["GET", "HEAD"])
async def ontology(request: Request) -> Response:
    """The ontology documentation page."""
    lang, _ = i18n.choose(request)
    iris = IriMap(request.app.state.settings.base_iri)
    try:
        cat = await catalogue.get(request.app)
        usage = await usage_counts(request)
        about = await describe.describe(request.app, NS)
    except DataError as exc:
        return deref.unavailable(request, str(exc))
    builder = Builder(cat, iris, lang)
    metadata = []
    for p, o in about.out:
        if p.value in (RDF + "type",):
            continue
        metadata.append((builder.prop(p.value)[0], builder.value(o)))
    docs = term_docs(cat, iris, lang, usage)
    forms = [
        (formats.by_name(name).title, iris.doc_path(NS, name))
        for name in ("turtle", "ntriples", "jsonld", "rdfxml")
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
            "graph_dump": "/rdf-graph-store?graph=" + quote(iris.base + "graph/ontology", safe=""),
        },
    )
