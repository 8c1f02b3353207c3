"""Oversized, malformed and mis-encoded input: a clear 4xx, never a crash."""

from __future__ import annotations

import http.client
import time

import httpx
import pytest
from support.servers import Server

from .conftest import alive_workers


def assert_clear(r: httpx.Response, *allowed: int) -> None:
    assert r.status_code in allowed, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("text/plain")
        assert r.text.strip() and "Traceback" not in r.text


def still_serving(server: Server) -> None:
    """The server answers, and its pool is whole again (a stopped worker is replaced)."""
    r = httpx.get(f"{server.sparql}", params={"query": "ASK { ?s ?p ?o }"},
                  headers={"accept": "application/sparql-results+json"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True
    for _ in range(600):
        if len(alive_workers(server)) == 2:
            return
        time.sleep(0.1)
    raise AssertionError("a query worker was not replaced")


def test_huge_values_block_is_answered_or_refused(site: Server, site_client: httpx.Client):
    values = " ".join(f'"v{i}"' for i in range(9000))  # about 90 kB, under the length limit
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} }}"
    r = site_client.post("/sparql", data={"query": query},
                         headers={"accept": "application/sparql-results+json"})
    assert_clear(r, 200, 400, 413, 503)
    if r.status_code == 200:
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "9000"
    still_serving(site)


@pytest.mark.parametrize("shape", ["sequential", "union", "optional"])
def test_thousands_of_groups_are_answered_or_refused(tight: Server, shape: str):
    if shape == "sequential":
        body = " ".join("{ ?s ?p ?o }" for _ in range(3000))
    elif shape == "union":
        body = " UNION ".join("{ ?s ?p ?o }" for _ in range(3000))
    else:
        body = "?s ?p ?o " + " ".join(f"OPTIONAL {{ ?s ?p ?o{i} }}" for i in range(3000))
    r = httpx.post(tight.sparql, data={"query": f"SELECT * WHERE {{ {body} }} LIMIT 1"},
                   timeout=60)
    assert_clear(r, 200, 400, 413, 422, 503)
    still_serving(tight)


@pytest.mark.parametrize("content_type", [
    "application/sparql-query; charset=latin-1",
    "application/sparql-query; charset=utf-16",
    "application/x-www-form-urlencoded; charset=klingon",
])
def test_unknown_or_foreign_charsets_are_refused(site_client: httpx.Client, content_type: str):
    body = b"ASK { ?s ?p ?o }" if "sparql-query" in content_type else b"query=ASK+%7B%7D"
    r = site_client.post("/sparql", content=body, headers={"content-type": content_type})
    assert_clear(r, 400, 415)
    assert "UTF-8" in r.text


def test_invalid_utf8_in_the_url_is_refused(site: Server):
    # Percent-encoded bytes that are not UTF-8, sent as they are.
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    try:
        conn.request("GET", "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%FE%22%20%7D")
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
    finally:
        conn.close()
    assert 400 <= response.status < 500, (response.status, text)
    still_serving(site)


def test_invalid_utf8_in_a_form_is_refused(site_client: httpx.Client):
    r = site_client.post("/sparql", content=b"query=ASK%20%7B%22%C3%28%22%7D",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert_clear(r, 400)


def test_enormous_accept_header_is_406_or_answered(site_client: httpx.Client):
    accept = ", ".join(f"application/x-nothing-{i};q=0.{i % 9 + 1}" for i in range(600))
    r = site_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                        headers={"accept": accept})
    assert_clear(r, 406)
    r = site_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"},
                        headers={"accept": accept + ", application/sparql-results+json;q=0.01"})
    assert_clear(r, 200)
