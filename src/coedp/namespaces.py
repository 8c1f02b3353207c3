"""The IRIs coedp mints and the vocabularies it reuses.

Everything that names a part of the dataset lives here, so that the build, the
endpoint and the pages agree on one layout:

* ``BASE`` is the public base IRI. Things live under ``BASE/id/``, the ontology
  under ``BASE/def/``, the named graphs under ``BASE/graph/``; the server's own
  routes (``/sparql``, ``/static``...) never start with those segments.
* The default graph of the dataset is the union of the four named graphs
  ``ASSERTED``, ``INFERRED``, ``ONTOLOGY`` and ``METADATA``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://coedp.org/"

ID = Namespace(BASE + "id/")
COEDP = Namespace(BASE + "def/")
GRAPH = Namespace(BASE + "graph/")

ONTOLOGY_IRI = URIRef(BASE + "def/")
DATASET = URIRef(BASE + "id/dataset")

ASSERTED = URIRef(GRAPH + "asserted")
INFERRED = URIRef(GRAPH + "inferred")
ONTOLOGY = URIRef(GRAPH + "ontology")
METADATA = URIRef(GRAPH + "metadata")
NAMED_GRAPHS: tuple[URIRef, ...] = (ASSERTED, INFERRED, ONTOLOGY, METADATA)

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SH = Namespace("http://www.w3.org/ns/shacl#")

# One prefix per kind of entity, as the Turtle files of graph/ write them
# (docs/curating.md): ``orgs:apple`` reads better than a full IRI.
ENTITY_PREFIXES: dict[str, str] = {
    "orgs": str(ID) + "org/",
    "body": str(ID) + "body/",
    "post": str(ID) + "post/",
    "country": str(ID) + "country/",
    "place": str(ID) + "place/",
    "person": str(ID) + "person/",
    "activity": str(ID) + "activity/",
    "event": str(ID) + "event/",
    "series": str(ID) + "series/",
    "instrument": str(ID) + "instrument/",
    "membership": str(ID) + "membership/",
    "participation": str(ID) + "participation/",
    "citation": str(ID) + "citation/",
    "treatystatus": str(ID) + "treaty-status/",
    "list": str(ID) + "list/",
    "figure": str(ID) + "figure/",
    "nameuse": str(ID) + "name-use/",
    "source": str(ID) + "source/",
    "section": str(ID) + "section/",
    "rule": str(ID) + "rule/",
    "scheme": str(ID) + "scheme/",
    "area": str(ID) + "concept/area/",
    "form": str(ID) + "concept/form/",
    "benefit": str(ID) + "concept/benefit/",
    "theme": str(ID) + "concept/theme/",
    "domain": str(ID) + "concept/domain/",
    "category": str(ID) + "concept/category/",
    "role": str(ID) + "concept/role/",
    "status": str(ID) + "concept/status/",
    "precision": str(ID) + "concept/precision/",
    "cohort": str(ID) + "concept/cohort/",
    "mstatus": str(ID) + "concept/membership-status/",
    "coerole": str(ID) + "concept/coe-role/",
    "treatyaction": str(ID) + "concept/treaty-action/",
    # Statement nodes of per-statement provenance (build/statements.py).
    "statement": str(ID) + "statement/",
}

# Prefixes used when writing Turtle and known to every query (the entity
# prefixes included), in the order people read them.
PREFIXES: dict[str, str] = {
    "coedp": str(COEDP),
    "shape": str(COEDP) + "shapes/",
    "id": str(ID),
    **ENTITY_PREFIXES,
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "void": str(VOID),
    "dcat": str(DCAT),
    "sd": str(SD),
    "spdx": str(SPDX),
    "sh": str(SH),
}


def prefixes_for(iris: Iterable[str]) -> dict[str, str]:
    """The prefixes a document needs to write ``iris``: for each IRI the longest
    namespace of ``PREFIXES`` it starts with, in the order of ``PREFIXES``."""
    by_length = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
    used: set[str] = set()
    for iri in set(iris):
        for prefix, ns in by_length:
            if iri.startswith(ns):
                used.add(prefix)
                break
    return {p: ns for p, ns in PREFIXES.items() if p in used}


def iris_of(triples: Iterable[object]) -> Iterator[str]:
    """Every IRI (datatypes included) in pyoxigraph triples or quads."""
    import pyoxigraph as ox

    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):  # type: ignore[attr-defined]
            if isinstance(term, ox.NamedNode):
                yield term.value
            elif isinstance(term, ox.Literal):
                yield term.datatype.value


def sparql_prefixes() -> str:
    """Return the PREFIX block for all known prefixes, one per line."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
