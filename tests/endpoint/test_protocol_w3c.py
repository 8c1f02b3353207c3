"""The query side of the W3C SPARQL 1.1 Protocol tests (rdf-tests sparql11/protocol).

Each test replays the request of the test of the same name against the
site (in this process) holding the suite's graphs (fixtures/protocol.trig) and checks the
expected status and answer. The update tests become refusals here: the
endpoint is read-only.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest
from rdflib import Graph

D = "http://kasei.us/2009/09/sparql/data/"
DATA0, DATA1, DATA2, DATA3 = (f"{D}data{i}.rdf" for i in range(4))
RESULTS_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@pytest.fixture(scope="module")
def http(protocol_app) -> httpx.Client:
    with protocol_app.client() as c:
        yield c


def boolean(response: httpx.Response) -> bool:
    """The boolean of an ASK answer in JSON or XML."""
    assert response.status_code == 200, response.text
    ctype = response.headers["content-type"]
    if ctype.startswith("application/sparql-results+json"):
        return json.loads(response.content)["boolean"]
    assert ctype.startswith("application/sparql-results+xml"), ctype
    text = response.text
    assert "<boolean>" in text
    return "<boolean>true</boolean>" in text


def q(text: str) -> str:
    return quote(text, safe="")


def test_query_post_form(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content="query=ASK%20%7B%7D",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert boolean(r) is True


ASK_TWO_DEFAULT = f"ASK {{ <{DATA1}> a ?type . <{DATA2}> a ?type . }}"
ASK_TWO_NAMED = (
    f"ASK {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"
)


def test_query_dataset_default_graphs_get(http):
    r = http.get(
        f"/sparql?query={q(ASK_TWO_DEFAULT)}"
        f"&default-graph-uri={q(DATA1)}&default-graph-uri={q(DATA2)}"
    )
    assert boolean(r) is True


def test_query_dataset_default_graphs_post(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA1)}&default-graph-uri={q(DATA2)}",
        content=ASK_TWO_DEFAULT,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(r) is True


def test_protocol_default_graph_restricts_the_dataset(http):
    """The counter-check: with only data1 as default graph, data2 is not in it."""
    r = http.get(f"/sparql?query={q(ASK_TWO_DEFAULT)}&default-graph-uri={q(DATA1)}")
    assert boolean(r) is False


def test_query_dataset_named_graphs_post(http):
    r = http.post(
        f"/sparql?named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}",
        content=ASK_TWO_NAMED,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(r) is True


def test_query_dataset_named_graphs_get(http):
    r = http.get(
        f"/sparql?query={q(ASK_TWO_NAMED)}"
        f"&named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}"
    )
    assert boolean(r) is True


def test_query_dataset_full(http):
    query = (
        f"ASK {{\n  <{DATA3}> a ?type\n"
        f"  GRAPH ?g1 {{ <{DATA1}> a ?type }}\n  GRAPH ?g2 {{ <{DATA2}> a ?type }}\n}}"
    )
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA3)}"
        f"&named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}",
        content=query,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(r) is True


def test_query_multiple_dataset(http):
    """The protocol dataset wins over FROM in the query.

    (The suite's request URL encodes its second '&named-graph-uri=' by mistake;
    the two named graphs are sent as the test description intends.)
    """
    query = (
        f"ASK FROM <{DATA3}> {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} "
        f"GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"
    )
    r = http.post(
        f"/sparql?named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}",
        content=query,
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(r) is True
    # And the FROM of the query is ignored for the default graph: data3 is not in it.
    r = http.post(
        f"/sparql?named-graph-uri={q(DATA1)}",
        content=f"ASK FROM <{DATA3}> {{ <{DATA3}> a ?type }}",
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(r) is False


def test_query_get(http):
    r = http.get(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={q(DATA0)}")
    assert boolean(r) is True


def test_query_post_direct(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content="ASK {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert boolean(r) is True


def test_query_content_type_select(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content="SELECT (1 AS ?value) {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert r.status_code == 200
    media = r.headers["content-type"].split(";")[0]
    assert media in (*RESULTS_TYPES, "text/csv", "text/tab-separated-values")
    assert json.loads(r.content)["results"]["bindings"][0]["value"]["value"] == "1"


def test_query_content_type_ask(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content="ASK {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert r.headers["content-type"].split(";")[0] in RESULTS_TYPES
    assert boolean(r) is True


@pytest.mark.parametrize(
    "query", ["DESCRIBE <http://example.org/>", "CONSTRUCT { <s> <p> 1 } WHERE {}"]
)
def test_query_content_type_describe_and_construct(http, query):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content=query,
        headers={"content-type": "application/sparql-query"},
    )
    assert r.status_code == 200, r.text
    media = r.headers["content-type"].split(";")[0]
    assert media in RDF_TYPES
    Graph().parse(data=r.content, format=RDF_TYPES[media])


# -- negative tests: 4xx, with a plain-text reason -----------------------------
def assert_refused(r: httpx.Response, *statuses: int) -> None:
    assert r.status_code in statuses, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.strip()


def test_bad_query_method(http):
    r = http.put(f"/sparql?query=ASK%20%7B%7D&default-graph-uri={q(DATA0)}", content=b"")
    assert_refused(r, 405)
    assert "GET" in r.headers["allow"] and "POST" in r.headers["allow"]


def test_bad_multiple_queries(http):
    r = http.get(
        f"/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D&default-graph-uri={q(DATA0)}"
    )
    assert_refused(r, 400)
    assert "one query" in r.text


def test_bad_query_wrong_media_type(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content="ASK {}",
        headers={"content-type": "text/plain"},
    )
    assert_refused(r, 415)
    assert "text/plain" in r.text


def test_bad_query_missing_form_type(http):
    r = http.post("/sparql", content=b"query=ASK%20%7B%7D", headers={"content-type": ""})
    assert_refused(r, 415)


def test_bad_query_missing_direct_type(http):
    r = http.post("/sparql", content=b"ASK {}", headers={"content-type": ""})
    assert_refused(r, 415)
    assert "application/sparql-query" in r.text


def test_bad_query_non_utf8(http):
    r = http.post(
        f"/sparql?default-graph-uri={q(DATA0)}",
        content="ASK {}".encode("utf-16"),
        headers={"content-type": "application/sparql-query; charset=UTF-16"},
    )
    assert_refused(r, 415)
    assert "UTF-8" in r.text


def test_bad_query_syntax(http):
    r = http.get("/sparql?query=ASK%20%7B")
    assert_refused(r, 400)
    assert "line 1" in r.text


# -- the update tests: refused, saying how to contribute ------------------------
UPDATE = f"CLEAR ALL ; INSERT DATA {{ GRAPH <{DATA1}> {{ <{DATA1}> a <http://x/T> }} }}"


def assert_contribute(r: httpx.Response) -> None:
    assert_refused(r, 403, 405)
    assert "read-only" in r.text and "coedp validate" in r.text and "graph/" in r.text


def test_update_post_form_refused(http):
    assert_contribute(http.post("/sparql", data={"update": UPDATE}))


def test_update_post_direct_refused(http):
    assert_contribute(
        http.post("/sparql", content=UPDATE, headers={"content-type": "application/sparql-update"})
    )


def test_bad_update_get_refused(http):
    assert_contribute(http.get(f"/sparql?update={q(UPDATE)}"))


def test_update_sent_as_query_refused(http):
    assert_contribute(http.get(f"/sparql?query={q(UPDATE)}"))
    assert_contribute(http.get(f"/sparql?query={q('LOAD <http://127.0.0.1:9/x.ttl>')}"))


def test_data_unchanged_after_refused_updates(http):
    http.post("/sparql", data={"update": "CLEAR ALL"})
    r = http.get(f"/sparql?query={q('ASK { ?s ?p ?o }')}")
    assert boolean(r) is True
