"""Fuzzing the live server: schemathesis from its OpenAPI schema, hypothesis for the rest.

Whatever comes in: no 5xx but the documented 503 of a stopped query, no hang
(every request has a client timeout), and no query worker left dead.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi import checks as openapi_checks
from support.servers import Server

from .conftest import alive_workers

EXAMPLES = 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
DOCUMENTED_503 = ("longer than", "busy")


def assert_sound(r: httpx.Response, what: str) -> None:
    """No server error except the documented 503, and never a stack trace."""
    if r.status_code == 503:
        assert any(s in r.text for s in DOCUMENTED_503), (what, r.text)
    else:
        assert r.status_code < 500, (what, r.status_code, r.text[:500])
    assert "Traceback" not in r.text, what


def assert_pool_whole(server: Server) -> None:
    for _ in range(300):
        if len(alive_workers(server)) == 2:
            return
        time.sleep(0.1)
    raise AssertionError("a query worker was left dead")


def test_openapi_schema_documents_the_sparql_routes(site_client: httpx.Client):
    schema = site_client.get("/openapi.json").json()
    assert {"/sparql", "/rdf-graph-store", "/healthz", "/readyz"} <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= names
    assert "application/sparql-query" in (
        schema["paths"]["/sparql"]["post"]["requestBody"]["content"])


def test_schemathesis(site: Server):
    schema = schemathesis.openapi.from_url(f"{site.base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    checks = [openapi_checks.status_code_conformance, openapi_checks.content_type_conformance]
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            response = case.call(base_url=site.base, timeout=60)
            assert_sound(response, f"{case.method} {case.formatted_path} {case.query}")
            case.validate_response(response, checks=checks)

        check()
    assert_pool_whole(site)


KEYWORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION",
            "MINUS", "GRAPH", "VALUES", "BIND", "AS", "LIMIT", "OFFSET", "ORDER BY", "GROUP BY",
            "COUNT(*)", "REGEX", "EXISTS", "NOT", "SERVICE", "FROM", "FROM NAMED", "INSERT",
            "LOAD", "PREFIX x: <http://x/>", "BASE <http://b/>", "*", "DISTINCT"]
TOKENS = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(["?s", "?p", "?o", "$x", "{", "}", "(", ")", "[", "]", ".", ";", ",", "a",
                     "<https://coedp.org/graph/asserted>", "<http://127.0.0.1:9/>", '"x"@en',
                     "1", "2.5e3", "true", "_:b", "x:y", "^^", "|", "/", "+", "#"]),
    st.text(max_size=12),
)
QUERIES = st.lists(TOKENS, max_size=40).map(" ".join)

MEDIA = st.sampled_from([
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
    "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
    "application/rdf+xml", "text/html", "*/*", "text/*", "application/*", "image/png", "",
])
ACCEPTS = st.lists(
    st.one_of(
        st.builds(lambda m, q: f"{m};q={q}", MEDIA, st.sampled_from(["0", "0.5", "1", "2", "x",
                                                                     "-1", "0.0001"])),
        MEDIA,
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
    ),
    max_size=8,
).map(lambda parts: ", ".join(parts).strip())  # a header value cannot end in a space

IRI_PARTS = st.lists(st.one_of(
    st.sampled_from(["..", ".", "%2F", "%2e%2e", "%00", "org-acme", "id", "doc", "graph",
                     "%3Cscript%3E", "%C3%A9", "%FF", "~", ";", "?", "#"]),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF,
                                   blacklist_characters="/?#%"), max_size=10),
), min_size=1, max_size=6).map("/".join)


def test_hypothesis_queries_and_accept_headers(site: Server):
    with httpx.Client(base_url=site.base, timeout=60) as client:

        @FUZZ
        @given(query=QUERIES, accept=ACCEPTS, post=st.booleans())
        def check(query: str, accept: str, post: bool) -> None:
            headers = {"accept": accept.encode("ascii", "replace").decode()}
            if post:
                r = client.post("/sparql", data={"query": query}, headers=headers)
            else:
                r = client.get("/sparql", params={"query": query}, headers=headers)
            assert_sound(r, query)

        check()
    assert_pool_whole(site)


def test_hypothesis_iris(site: Server):
    with httpx.Client(base_url=site.base, timeout=60) as client:

        @FUZZ
        @given(rel=IRI_PARTS, accept=ACCEPTS, route=st.sampled_from(
            ["/id/", "/doc/", "/def/", "/graph/", "/doc/id/", "/download/", "/static/"]))
        def check(rel: str, accept: str, route: str) -> None:
            path = route + quote(rel, safe="/%;~")
            r = client.get(path, headers={"accept": accept})
            assert_sound(r, path)
            graph = client.get("/rdf-graph-store", params={"graph": "https://coedp.org/" + rel})
            assert_sound(graph, rel)
            assert graph.status_code in (200, 400, 404, 406), graph.status_code

        check()
    assert_pool_whole(site)
