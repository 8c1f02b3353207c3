"""Graph Store HTTP Protocol, read side, at /rdf-graph-store."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from support.servers import SMALL

ASSERTED = "https://coedp.org/graph/asserted"
ONTOLOGY = "https://coedp.org/graph/ontology"
FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def expected(graph: str | None) -> Graph:
    """The fixture's graph as rdflib reads it (``None``: the union)."""
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(SMALL, format="trig")
    out = Graph()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if graph is None or g == URIRef(graph):
            out.add((s, p, o))
    return out


@pytest.mark.parametrize("media", FORMATS)
@pytest.mark.parametrize("graph", [ASSERTED, ONTOLOGY])
def test_get_named_graph_in_every_format(app_client, media, graph):
    r = app_client.get("/rdf-graph-store", params={"graph": graph}, headers={"accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    got = Graph().parse(data=r.content, format=FORMATS[media])
    assert isomorphic(got, expected(graph))


def test_get_default_graph_is_the_union(app_client):
    r = app_client.get("/rdf-graph-store?default", headers={"accept": "application/n-triples"})
    assert r.status_code == 200
    assert isomorphic(Graph().parse(data=r.content, format="nt"), expected(None))


def test_format_parameter_overrides_accept(app_client):
    r = app_client.get(
        "/rdf-graph-store", params={"graph": ASSERTED, "format": "jsonld"},
        headers={"accept": "text/turtle"},
    )
    assert r.headers["content-type"].startswith("application/ld+json")


def test_head_has_headers_and_no_body(app_client):
    r = app_client.head("/rdf-graph-store", params={"graph": ASSERTED})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert "etag" in r.headers and r.content == b""


def test_unknown_graph_is_404(app_client):
    r = app_client.get("/rdf-graph-store", params={"graph": "https://coedp.org/graph/nope"})
    assert r.status_code == 404
    assert "https://coedp.org/graph/nope" in r.text


@pytest.mark.parametrize("params", ["", "?default&graph=" + ASSERTED, "?graph=a&graph=b"])
def test_ambiguous_target_is_400(app_client, params):
    r = app_client.get("/rdf-graph-store" + params)
    assert r.status_code == 400
    assert "?default" in r.text


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_writes_are_refused_with_how_to_contribute(app_client, method):
    r = app_client.request(
        method, "/rdf-graph-store", params={"graph": ASSERTED},
        content=b"<http://a> <http://b> <http://c> .",
        headers={"content-type": "application/n-triples"},
    )
    assert r.status_code == 405
    assert "GET" in r.headers["allow"]
    assert "coedp validate" in r.text and "graph/" in r.text
    still = app_client.get("/rdf-graph-store", params={"graph": ASSERTED},
                       headers={"accept": "application/n-triples"})
    assert isomorphic(Graph().parse(data=still.content, format="nt"), expected(ASSERTED))
