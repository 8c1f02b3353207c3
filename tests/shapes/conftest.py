"""Fixtures for the shape tests: the real ontology, data and shapes, and pyshacl
run the way `coedp validate` runs it (curated data with the ontology merged in,
inference "none", advanced features on)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from coedp.build.validate import ontology_view, validate
from coedp.namespaces import SH

ROOT = Path(__file__).resolve().parents[2]

# Prefixes for readable test ids and messages (docs/curating.md, IRIs).
CURIES = {
    "https://coedp.org/id/org/": "orgs:",
    "https://coedp.org/id/body/": "body:",
    "https://coedp.org/id/post/": "post:",
    "https://coedp.org/id/country/": "country:",
    "https://coedp.org/id/place/": "place:",
    "https://coedp.org/id/person/": "person:",
    "https://coedp.org/id/activity/": "activity:",
    "https://coedp.org/id/event/": "event:",
    "https://coedp.org/id/series/": "series:",
    "https://coedp.org/id/instrument/": "instrument:",
    "https://coedp.org/id/membership/": "membership:",
    "https://coedp.org/id/participation/": "participation:",
    "https://coedp.org/id/citation/": "citation:",
    "https://coedp.org/id/treaty-status/": "treatystatus:",
    "https://coedp.org/id/list/": "list:",
    "https://coedp.org/id/figure/": "figure:",
    "https://coedp.org/id/name-use/": "nameuse:",
    "https://coedp.org/id/source/": "source:",
    "https://coedp.org/id/section/": "section:",
    "https://coedp.org/id/rule/": "rule:",
    "https://coedp.org/id/scheme/": "scheme:",
    "https://coedp.org/id/concept/": "concept:",
    "https://coedp.org/def/shapes/": "shape:",
    "https://coedp.org/def/": "coedp:",
    "http://www.w3.org/ns/org#": "org:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2006/time#": "time:",
    "http://purl.org/dc/terms/": "dct:",
    "https://schema.org/": "schema:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}


def curie(node: Node) -> str:
    """``orgs:apple`` for https://coedp.org/id/org/apple (longest namespace wins)."""
    text = str(node)
    for ns in sorted(CURIES, key=len, reverse=True):
        if text.startswith(ns):
            return CURIES[ns] + text[len(ns) :]
    return text


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL path in SPARQL syntax, so that paths of two graphs can be compared."""
    if path is None:
        return None
    if isinstance(path, BNode) and (path, None, None) not in graph:
        return "[]"  # a complex path the report refers to without copying it
    if isinstance(path, URIRef):
        return curie(path)
    if (path, RDF.first, None) in graph:
        return "/".join(str(path_text(graph, p)) for p in Collection(graph, path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(path_text(graph, inverse))
    for pred, suffix in (
        (SH.oneOrMorePath, "+"),
        (SH.zeroOrMorePath, "*"),
        (SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(path, pred)
        if inner is not None:
            return f"({path_text(graph, inner)}){suffix}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return (
            "(" + "|".join(str(path_text(graph, p)) for p in Collection(graph, alternatives)) + ")"
        )
    raise ValueError(f"unknown SHACL path {path!r}")


@dataclass(frozen=True)
class Finding:
    """One validation result, reduced to what a test compares."""

    focus: Node
    severity: str
    path: str | None
    shape: Node
    constraint: Node | None
    component: str
    message: str


def load(files: list[Path]) -> Graph:
    graph = Graph()
    for f in files:
        graph.parse(f, format="turtle")
    return graph


def shacl(data: Graph, ontology: Graph, shapes: Graph) -> list[Finding]:
    """Validate as `coedp validate` does: data + ontology merged, no inference."""
    merged = Graph()
    merged += data
    merged += ontology_view(ontology)
    # The validator itself, so the tests run pyshacl exactly as `coedp validate` does.
    report = validate(merged, shapes).graph
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        findings.append(
            Finding(
                focus=report.value(result, SH.focusNode),
                severity=str(severity).rsplit("#", 1)[-1],
                path=path_text(report, report.value(result, SH.resultPath)),
                shape=report.value(result, SH.sourceShape),
                constraint=report.value(result, SH.sourceConstraint),
                component=str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[
                    -1
                ],
                message=str(report.value(result, SH.resultMessage) or ""),
            )
        )
    return findings


def neighbourhood(data: Graph, focus: URIRef, hops: int = 1, hub: int = 25) -> Graph:
    """The descriptions of the nodes within ``hops`` links of ``focus``, both ways.

    Most rules look one link away (the type of a value, the membership of a
    partner); the rules on a membership's instants look two links away.
    Incoming links of a much-cited node (a section, a concept, a country) are
    not followed beyond the focus: they would pull in most of the graph.
    """
    nodes: set[Node] = {focus}
    frontier: set[Node] = {focus}
    for _ in range(hops):
        reached: set[Node] = set()
        for node in frontier:
            for pred, obj in data.predicate_objects(node):
                if pred != RDF.type and isinstance(obj, (URIRef, BNode)):
                    reached.add(obj)
            incoming = set(data.subjects(None, node))
            if len(incoming) <= hub:
                reached |= incoming
        frontier = reached - nodes
        nodes |= reached
    graph = Graph()
    for node in nodes:
        for triple in data.triples((node, None, None)):
            graph.add(triple)
    return graph


def describe_references(graph: Graph, data: Graph) -> None:
    """Add the description of every node ``graph`` refers to but does not describe."""
    for obj in set(graph.objects()):
        if isinstance(obj, URIRef) and (obj, None, None) not in graph:
            for triple in data.triples((obj, None, None)):
                graph.add(triple)


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return load(sorted((ROOT / "ontology").glob("*.ttl")))


@pytest.fixture(scope="session")
def data() -> Graph:
    return load(sorted((ROOT / "graph").rglob("*.ttl")))


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load(sorted((ROOT / "shapes").glob("*.ttl")))


@pytest.fixture(scope="session")
def real_findings(data: Graph, ontology: Graph, shapes: Graph) -> list[Finding]:
    """The validation of the whole real graph, once."""
    return shacl(data, ontology, shapes)
