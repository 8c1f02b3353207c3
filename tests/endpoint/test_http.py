"""HTTP done well: negotiation, caching validators, gzip, CORS, HEAD, logging, union graph."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest
from rdflib import Graph

SELECT = "SELECT ?label WHERE { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <https://coedp.org/def/Company> }"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/*;q=0.9, application/sparql-results+xml;q=0.1", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("application/*;q=0.2, text/csv;q=0.1", "application/sparql-results+json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         "application/sparql-results+json"),
        ("application/xml, text/html;q=0.5", "application/sparql-results+xml"),
        ("text/html", "application/sparql-results+json"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ],
)
def test_select_negotiation(app_client, accept, media):
    r = app_client.get("/sparql", params={"query": SELECT}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media


def test_select_results_in_each_format_agree(app_client):
    labels = set()
    r = app_client.get("/sparql", params={"query": SELECT, "format": "json"})
    labels.add(frozenset(b["label"]["value"] for b in r.json()["results"]["bindings"]))
    r = app_client.get("/sparql", params={"query": SELECT, "format": "csv"})
    labels.add(frozenset(row["label"] for row in csv.DictReader(io.StringIO(r.text))))
    r = app_client.get("/sparql", params={"query": SELECT, "format": "tsv"})
    rows = r.text.splitlines()
    assert rows[0] == "?label"
    assert '"Conseil de l\'Europe"@fr' in rows[1:]
    assert len(labels) == 1
    assert "Council of Europe" in labels.pop()


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("*/*", "text/turtle", "turtle"),
        ("application/rdf+xml;q=0.5, application/ld+json;q=0.8", "application/ld+json", "json-ld"),
    ],
)
def test_construct_negotiation(app_client, accept, media, fmt):
    r = app_client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media
    assert len(Graph().parse(data=r.content, format=fmt)) == 3


@pytest.mark.parametrize(
    ("params", "media"),
    [
        ({"format": "csv"}, "text/csv"),
        ({"output": "xml"}, "application/sparql-results+xml"),
        ({"results": "tsv"}, "text/tab-separated-values"),
        ({"format": "text/csv"}, "text/csv"),
    ],
)
def test_format_parameters_override_accept(app_client, params, media):
    r = app_client.get("/sparql", params={"query": SELECT, **params},
                   headers={"accept": "application/sparql-results+json"})
    assert r.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("short", "media"),
    [("ttl", "text/turtle"), ("nt", "application/n-triples"), ("rdfxml", "application/rdf+xml"),
     ("jsonld", "application/ld+json"), ("xml", "application/rdf+xml"),
     ("turtle", "text/turtle"), ("ntriples", "application/n-triples")],
)
def test_short_format_names_for_graphs(app_client, short, media):
    r = app_client.get("/sparql", params={"query": CONSTRUCT, "format": short})
    assert r.headers["content-type"].split(";")[0] == media


def test_ask_in_json_and_xml(app_client):
    r = app_client.get("/sparql", params={"query": "ASK { ?s a <https://coedp.org/def/Company> }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = app_client.get("/sparql", params={"query": "ASK { ?s a <http://nothing/> }"},
                   headers={"accept": "application/sparql-results+xml"})
    assert "<boolean>false</boolean>" in r.text


def test_default_graph_is_union_and_from_selects_a_graph(app_client):
    count = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s a <https://coedp.org/def/Organisation> }}"

    def n(from_clause: str) -> int:
        r = app_client.get("/sparql", params={"query": count.format(**{"from": from_clause})})
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    assert n("") == 4  # asserted + inferred
    assert n("FROM <https://coedp.org/graph/asserted>") == 1  # without inferences
    assert n("FROM <https://coedp.org/graph/inferred>") == 3


def test_post_form_and_direct_give_the_same_answer(app_client):
    a = app_client.post("/sparql", data={"query": SELECT})
    b = app_client.post("/sparql", content=SELECT,
                    headers={"content-type": "application/sparql-query; charset=utf-8"})
    c = app_client.get("/sparql", params={"query": SELECT})
    assert a.status_code == b.status_code == c.status_code == 200
    assert json.loads(a.content) == json.loads(b.content) == json.loads(c.content)


def test_etag_and_last_modified_allow_304(app_client):
    r = app_client.get("/sparql", params={"query": SELECT})
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    again = app_client.get("/sparql", params={"query": SELECT}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = app_client.get("/sparql", params={"query": SELECT},
                       headers={"if-modified-since": modified})
    assert since.status_code == 304
    other = app_client.get("/sparql", params={"query": SELECT},
                       headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200
    csv_tag = app_client.get("/sparql", params={"query": SELECT, "format": "csv"}).headers["etag"]
    assert csv_tag != etag
    old = app_client.get("/sparql", params={"query": SELECT},
                     headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


def test_graph_store_and_service_description_revalidate(app_client):
    for path, params in (("/rdf-graph-store", {"default": ""}), ("/sparql", {})):
        r = app_client.get(path, params=params)
        again = app_client.get(path, params=params, headers={"if-none-match": r.headers["etag"]})
        assert again.status_code == 304


def test_head(app_client):
    r = app_client.head("/sparql", params={"query": SELECT})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.headers["etag"]


def test_gzip_above_the_threshold(app_client):
    big = "CONSTRUCT WHERE { ?s ?p ?o }"
    r = app_client.get("/sparql", params={"query": big}, headers={"accept-encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"
    assert len(Graph().parse(data=r.content, format="turtle")) == 36  # httpx decompressed it
    small = app_client.get("/sparql", params={"query": "ASK {}"},
                           headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_cors(app_client):
    r = app_client.get("/sparql", params={"query": "ASK {}"},
                   headers={"origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] in ("*", "https://example.org")
    pre = app_client.options("/sparql", headers={
        "origin": "https://example.org",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    })
    assert pre.status_code == 200
    assert "POST" in pre.headers["access-control-allow-methods"]


def test_one_log_line_per_request(client, server):
    client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"x-mark": "1"})
    client.get("/no-such-page")
    # The line is written once the response has gone: wait for it to land.
    for _ in range(100):
        out = server.output()
        if '"GET /no-such-page' in out:
            break
        time.sleep(0.05)
    assert '"GET /no-such-page HTTP/1.1" 404' in out
    line = next(x for x in out.splitlines() if '"GET /no-such-page' in x)
    # The client's address is hashed by default (--log-client).
    assert re.match(r"[0-9a-f]{12} - - \[", line) and line.endswith("ms"), line


def test_startup_report(server):
    out = server.output()
    root = f"http://127.0.0.1:{server.port}/"
    assert f"listening on {root} (pages) and {root}sparql (SPARQL endpoint" in out
    assert "18 triples  https://coedp.org/graph/asserted" in out
    assert "loaded" in out and " s " in out


def test_home_page_points_at_the_endpoint(app_client):
    r = app_client.get("/")
    assert r.status_code == 200 and "/sparql" in r.text


def test_unknown_path_is_plain_404(app_client):
    r = app_client.get("/nothing-here")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
