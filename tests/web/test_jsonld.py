"""JSON-LD with coedp's context: resources and the dump expand to the triples of the Turtle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from .conftest import BASE

RESOURCES = ("id/org/microsoft", "id/country/fr", "id/dataset", "graph/asserted",
             "id/activity/cahai-plenary-1")


def pyld_graph(document: dict) -> Graph:
    """The triples of a JSON-LD document as pyld (an independent processor) reads them."""
    jsonld = pytest.importorskip("pyld.jsonld")

    def no_network(url: str, options: dict | None = None) -> dict:
        raise AssertionError(f"the document needs {url}: it must carry its context")

    nquads = jsonld.to_rdf(document, {"format": "application/n-quads",
                                      "documentLoader": no_network})
    data = Dataset()
    data.parse(data=nquads, format="nquads")
    union = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


@pytest.mark.parametrize("rel", RESOURCES)
def test_resource_json_ld_is_compact_and_expands_to_the_turtle(http, rel):
    turtle = Graph().parse(data=http.get(f"/doc/{rel}.ttl").content, format="turtle")
    r = http.get(f"/doc/{rel}", headers={"accept": "application/ld+json"})
    assert r.status_code == 200
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in r.headers["link"]
    document = r.json()
    context = document["@context"]
    assert isinstance(context, dict) and context["@version"] == 1.1
    assert isomorphic(pyld_graph(document), turtle), rel
    assert isomorphic(Graph().parse(data=r.content, format="json-ld"), turtle), rel


def test_short_keys_and_language_maps(http):
    document = http.get("/doc/id/org/microsoft.jsonld").json()
    node = document["@graph"][0]
    assert node["@id"] == "orgs:microsoft"
    assert "coedp:Company" in node["@type"]
    assert node["label"] == {"en": "Microsoft", "fr": "Microsoft"}
    assert node["seatCountry"] == "country:us"
    assert not any(key.startswith("http") for n in document["@graph"] for key in n)


def test_the_published_context_is_the_one_documents_use(http):
    r = http.get("/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    published = r.json()["@context"]
    document = http.get("/doc/id/org/microsoft.jsonld").json()
    for key, value in document["@context"].items():
        assert published[key] == value, key
    assert published["label"]["@container"] == "@language"


# rdflib and pyld read the file the build wrote (in a process of its own): no coedp code
# runs here, so coverage's tracer, which doubles their time, is off.
@pytest.mark.no_cover
def test_the_dump_is_compacted_and_holds_the_named_graphs(built_dist: Path):
    text = (built_dist / "coedp.jsonld").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["@context"]["label"]["@container"] == "@language"
    reference = Dataset()
    reference.parse(built_dist / "coedp.trig", format="trig")
    served = Dataset()
    served.parse(data=text, format="json-ld")
    for name in ("asserted", "inferred", "ontology", "metadata"):
        graph = URIRef(BASE + "graph/" + name)
        assert len(reference.graph(graph)) > 0
        assert isomorphic(reference.graph(graph), served.graph(graph)), name
    union = Graph()
    for s, p, o, _ in reference.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(pyld_graph(document), union)
