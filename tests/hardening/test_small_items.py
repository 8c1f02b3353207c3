"""Small attacks on the site: each answered as a user would expect, never with a 500."""

from __future__ import annotations

import http.client
import re

import httpx
from rdflib import Graph, URIRef
from rdflib.namespace import Namespace
from support.servers import Server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def raw_get(server: Server, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """GET ``path`` byte for byte, with exactly ``headers`` (Host included)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_service_description_ignores_a_forged_host(site: Server):
    status, body = raw_get(
        site, "/sparql", {"Host": "evil.example", "Accept": "text/turtle"}
    )
    assert status == 200
    assert "evil.example" not in body
    g = Graph().parse(data=body, format="turtle")
    endpoints = set(g.objects(None, SD.endpoint))
    assert endpoints == {URIRef(site.sparql)}


def test_language_link_of_a_404_stays_on_the_site(site: Server):
    status, body = raw_get(
        site, "//evil.example/x", {"Host": f"127.0.0.1:{site.port}", "Accept": "text/html"}
    )
    assert status == 404
    hrefs = re.findall(r'href="([^"]*)"', body)
    assert hrefs, body
    assert not [h for h in hrefs if h.startswith("//")], hrefs


def test_a_page_number_in_other_digits_is_a_400(site_client: httpx.Client):
    for page in ("²", "٣", "-1", "0", "1.5", "9" * 30):
        r = site_client.get("/doc/id/dataset", params={"page": page})
        assert r.status_code == 400, (page, r.status_code, r.text)
        assert "page must be a whole number" in r.text


def test_results_of_volatile_functions_are_neither_cached_nor_revalidated(
    site_client: httpx.Client,
):
    for expression in ("NOW()", "RAND()", "STRUUID()", "UUID()", "BNODE()"):
        query = f"SELECT ?v WHERE {{ BIND({expression} AS ?v) }}"
        first = site_client.get("/sparql", params={"query": query},
                                headers={"Accept": "text/csv"})
        assert first.status_code == 200, first.text
        assert "etag" not in first.headers
        assert first.headers["cache-control"] == "no-store"
        if expression != "NOW()":  # two calls to NOW() may fall in the same instant
            second = site_client.get("/sparql", params={"query": query},
                                     headers={"Accept": "text/csv"})
            assert second.text != first.text, expression


def test_deterministic_results_still_revalidate(site_client: httpx.Client):
    query = "SELECT (1 AS ?one) WHERE {}"
    first = site_client.get("/sparql", params={"query": query})
    assert first.status_code == 200 and "etag" in first.headers
    again = site_client.get(
        "/sparql", params={"query": query}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
