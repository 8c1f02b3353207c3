"""A resource's RDF document carries the sources of its statements.

A client that fetches ``/doc/id/org/microsoft`` from a real ``coedp serve`` reads,
in every RDF form, the ``rdf:Statement`` of each asserted fact about Microsoft and
the source line it cites; in TriG and N-Quads those nodes stay in the asserted
graph, as in the dump.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF
from support.servers import Server

from .conftest import BASE
from .test_jsonld import pyld_graph

COEDP = Namespace("https://coedp.org/def/")
MICROSOFT = URIRef(BASE + "id/org/microsoft")
REDMOND = URIRef(BASE + "id/place/redmond")
PROFILES = URIRef(BASE + "id/section/digital-partnership-2022-profiles")
ASSERTED = URIRef(BASE + "graph/asserted")
SEED_002 = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_6e1835ce87445dbc.txt"
TIMEOUT = 60.0


def fetch(site: Server, path: str, accept: str) -> httpx.Response:
    """GET ``path`` from the real server, negotiating ``accept``."""
    r = httpx.get(site.url + path, headers={"accept": accept}, timeout=TIMEOUT)
    assert r.status_code == 200, (path, accept, r.status_code, r.text[:300])
    return r


def seat_statements(graph: Graph) -> list[URIRef]:
    """The statement nodes whose triple is Microsoft's seat in Redmond."""
    return [
        st for st in graph.subjects(RDF.subject, MICROSOFT)
        if (st, RDF.predicate, COEDP.seat) in graph and (st, RDF.object, REDMOND) in graph
    ]


@pytest.fixture(scope="module")
def turtle(site: Server) -> Graph:
    """Microsoft's document in Turtle."""
    return Graph().parse(data=fetch(site, "/doc/id/org/microsoft", "text/turtle").content,
                         format="turtle")


def test_turtle_names_the_source_line_of_the_seat(turtle: Graph) -> None:
    statements = seat_statements(turtle)
    assert len(statements) == 1, statements
    (statement,) = statements
    assert (statement, RDF.type, RDF.Statement) in turtle
    lines = list(turtle.objects(statement, DCTERMS.source))
    assert len(lines) == 1, lines
    (line,) = lines
    assert (line, DCTERMS.isPartOf, PROFILES) in turtle
    numbers = [int(n) for n in turtle.objects(line, COEDP.sourceLine)]
    assert numbers == [169]
    # The line the document cites is the one of 002 that says it: Redmond, Washington.
    if SEED_002.exists():
        text = SEED_002.read_text(encoding="utf-8").splitlines()[numbers[0] - 1]
        assert "Redmond" in text, text


def test_every_asserted_fact_about_microsoft_cites_a_source(turtle: Graph) -> None:
    # Each statement node the document holds about Microsoft is whole: its triple is
    # in the document, and it has a source (a line, a section, a page) or coedp as creator.
    statements = set(turtle.subjects(RDF.subject, MICROSOFT))
    assert len(statements) >= 10, len(statements)
    for st in statements:
        p, o = turtle.value(st, RDF.predicate), turtle.value(st, RDF.object)
        assert p is not None and o is not None, st
        assert (MICROSOFT, p, o) in turtle, (st, p, o)
        assert turtle.value(st, DCTERMS.source) or turtle.value(st, DCTERMS.creator), st
    # Incoming facts too: Microsoft's membership names it as its member.
    member = URIRef("http://www.w3.org/ns/org#member")
    incoming = [st for st in turtle.subjects(RDF.object, MICROSOFT)
                if turtle.value(st, RDF.predicate) == member]
    assert incoming and all(turtle.value(st, DCTERMS.source) for st in incoming)


@pytest.mark.parametrize("accept", ["application/trig", "application/n-quads"])
def test_quads_keep_the_statements_in_the_asserted_graph(site: Server, accept: str) -> None:
    fmt = "trig" if accept.endswith("trig") else "nquads"
    data = Dataset()
    data.parse(data=fetch(site, "/doc/id/org/microsoft", accept).content, format=fmt)
    asserted = data.graph(ASSERTED)
    statements = seat_statements(asserted)
    assert len(statements) == 1, statements
    line = asserted.value(statements[0], DCTERMS.source)
    assert (line, COEDP.sourceLine, Literal(169)) in asserted
    assert (line, DCTERMS.isPartOf, PROFILES) in asserted
    # No copy of them sits outside the asserted graph.
    for g in data.graphs():
        if g.identifier != ASSERTED:
            assert not seat_statements(g), g.identifier


def test_json_ld_carries_the_same_statements(site: Server, turtle: Graph) -> None:
    document = fetch(site, "/doc/id/org/microsoft", "application/ld+json").json()
    read = pyld_graph(document)
    assert len(seat_statements(read)) == 1
    assert isomorphic(read, turtle)
