"""SPARQL 1.1 Service Description at GET /sparql without a query."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
GRAPH_COUNTS = {
    "https://coedp.org/graph/asserted": 18,
    "https://coedp.org/graph/inferred": 6,
    "https://coedp.org/graph/ontology": 9,
    "https://coedp.org/graph/metadata": 3,
}


def description(app_client, accept: str = "text/turtle", fmt: str = "turtle") -> Graph:
    r = app_client.get("/sparql", headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept
    return Graph().parse(data=r.content, format=fmt)


def test_describes_the_service_at_its_own_url(app_client, small_app):
    g = description(app_client)
    service = URIRef(small_app.sparql)
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g


def test_says_the_default_graph_is_the_union(app_client, small_app):
    g = description(app_client)
    assert (URIRef(small_app.sparql), SD.feature, SD.UnionDefaultGraph) in g


def test_lists_result_formats(app_client, small_app):
    formats = set(description(app_client).objects(URIRef(small_app.sparql), SD.resultFormat))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"):
        assert FORMATS[name] in formats


def test_default_dataset_lists_named_graphs_with_void_counts(app_client, small_app):
    g = description(app_client)
    dataset = g.value(URIRef(small_app.sparql), SD.defaultDataset)
    assert dataset is not None
    assert g.value(dataset, VOID.triples) == Literal(36)
    counts = {}
    for named in g.objects(dataset, SD.namedGraph):
        name = str(g.value(named, SD.name))
        counts[name] = g.value(g.value(named, SD.graph), VOID.triples).toPython()
    assert counts == GRAPH_COUNTS


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"),
     ("application/n-triples", "nt")],
)
def test_every_rdf_format(app_client, small_app, accept, fmt):
    g = description(app_client, accept, fmt)
    assert (URIRef(small_app.sparql), RDF.type, SD.Service) in g


def test_turtle_for_any_rdf_or_wildcard_accept(app_client):
    for accept in ("*/*", "text/*", ""):
        r = app_client.get("/sparql", headers={"accept": accept})
        assert r.headers["content-type"].startswith("text/turtle"), accept


def test_browser_gets_a_query_form(app_client):
    r = app_client.get("/sparql", headers={
        "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    })
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<form" in r.text and "name='query'" in r.text
