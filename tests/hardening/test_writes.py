"""Writes of every kind are refused, and the store is the same afterwards."""

from __future__ import annotations

import httpx
import pytest

ASSERTED = "https://coedp.org/graph/asserted"
TRIPLE = "<http://evil.example/s> <http://evil.example/p> <http://evil.example/o>"
INSERT = f"INSERT DATA {{ GRAPH <{ASSERTED}> {{ {TRIPLE} }} }}"
UPDATES = [
    INSERT,
    f"INSERT DATA {{ {TRIPLE} }}",
    "DELETE WHERE { ?s ?p ?o }",
    f"DELETE DATA {{ GRAPH <{ASSERTED}> {{ ?s ?p ?o }} }}",
    f"WITH <{ASSERTED}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "CLEAR ALL", "DROP ALL", f"DROP GRAPH <{ASSERTED}>", "CREATE GRAPH <http://evil.example/g>",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    f"COPY <{ASSERTED}> TO DEFAULT", f"MOVE <{ASSERTED}> TO <http://evil.example/g>",
    f"ADD <{ASSERTED}> TO <http://evil.example/g>",
    f"PREFIX x: <http://x/> {INSERT}",
    f"# a comment first\n{INSERT}",
]
TURTLE = f"{TRIPLE} .\n".encode()


def counts(client: httpx.Client) -> dict[str, str]:
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } UNION "
             "{ ?s ?p ?o BIND(\"union\" AS ?g) } } GROUP BY ?g")
    r = client.post("/sparql", data={"query": query},
                    headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["g"]["value"]: b["n"]["value"] for b in r.json()["results"]["bindings"]}


def attempts(update: str) -> list[tuple[str, str, dict]]:
    """(method, path, httpx keyword arguments) of every way to send ``update``."""
    return [
        ("POST", "/sparql", {"data": {"update": update}}),
        ("POST", "/sparql", {"content": update.encode(),
                             "headers": {"content-type": "application/sparql-update"}}),
        ("POST", "/sparql", {"content": update.encode(), "headers": {
            "content-type": "application/sparql-update; charset=utf-8"}}),
        ("GET", "/sparql", {"params": {"update": update}}),
        ("POST", "/sparql", {"data": {"query": update}}),
        ("GET", "/sparql", {"params": {"query": update}}),
        ("POST", "/sparql", {"content": update.encode(),
                             "headers": {"content-type": "application/sparql-query"}}),
        ("POST", "/sparql", {"data": {"update": update, "using-graph-uri": ASSERTED}}),
    ]


GRAPH_STORE_WRITES = [
    (method, f"/rdf-graph-store?{target}", media)
    for method in ("PUT", "POST", "DELETE", "PATCH")
    for target in (f"graph={ASSERTED}", "default", "graph=http://evil.example/new")
    for media in ("text/turtle", "application/n-triples", "application/ld+json",
                  "multipart/form-data; boundary=x")
]
OTHER_WRITES = [
    (method, path)
    for method in ("PUT", "POST", "DELETE", "PATCH")
    for path in ("/sparql", "/id/org-acme", "/doc/id/org-acme", "/download/coedp.trig",
                 "/static/coedp.css", "/", "/query", "/search")
]


def test_every_update_is_refused_and_nothing_changes(site_client: httpx.Client):
    before = counts(site_client)
    assert before.get(ASSERTED), before
    for update in UPDATES:
        for method, path, kwargs in attempts(update):
            r = site_client.request(method, path, **kwargs)
            assert r.status_code in (400, 403, 405), (method, update, r.status_code, r.text)
            assert "Traceback" not in r.text
    assert counts(site_client) == before
    r = site_client.get("/sparql", params={"query": f"ASK {{ {TRIPLE} }}"},
                        headers={"accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is False


@pytest.mark.parametrize(("method", "path", "media"), GRAPH_STORE_WRITES)
def test_graph_store_writes_are_refused(site_client: httpx.Client, method, path, media):
    before = counts(site_client)
    r = site_client.request(method, path, content=TURTLE, headers={"content-type": media})
    assert r.status_code == 405, (r.status_code, r.text)
    assert "read-only" in r.text
    assert counts(site_client) == before


@pytest.mark.parametrize(("method", "path"), OTHER_WRITES)
def test_no_route_accepts_a_write(site_client: httpx.Client, method, path):
    before = counts(site_client)
    r = site_client.request(method, path, content=TURTLE,
                            headers={"content-type": "text/turtle"})
    # 415: a POST to /sparql must be a query, and Turtle is none.
    assert r.status_code in (403, 404, 405, 415), (method, path, r.status_code)
    assert counts(site_client) == before
