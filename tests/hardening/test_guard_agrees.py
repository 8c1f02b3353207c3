"""The guard reads a query as the engine does, in linear time, off the event loop.

Each SERVICE disguise below is first shown to make pyoxigraph itself open a
connection (so the test proves something), then sent to a real server, the
way an attacker would, and refused 403 with no connection on a loopback
listener. Inputs that froze the server (a quadratic lexer, an index filter
rebuilt per word) are sent while /healthz is polled.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import httpx
import pyoxigraph as ox
import pytest
from attacks import Listener

ASSERTED = "https://coedp.org/graph/asserted"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    srv = Listener()
    yield srv
    srv.close()


def engine_connects(query: str, listener: Listener) -> bool:
    """Whether pyoxigraph, given ``query`` on an empty store, contacts the listener."""
    before = listener.count
    try:
        result = ox.Store().query(query)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.count > before


# The three readings on which the old lexer and pyoxigraph differed.
DISGUISES = {
    "comment-ended-by-cr": "SELECT * WHERE { #\rSERVICE <{url}> { ?s ?p ?o } }",
    "escaped-prefixed-name": (
        "PREFIX ex: <http://example.org/> "
        "SELECT * WHERE { BIND(ex:a\\#b AS ?z) SERVICE <{url}> { ?s ?p ?o } }"
    ),
    "u-escaped-quotes": (
        'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <{url}> { } BIND("\\u0022" AS ?y) }'
    ),
    # Keywords need no word boundary in the engine: these are SERVICE too.
    "glued-after-true": "SELECT * WHERE { ?s ?p trueSERVICE<{url}>{} }",
    "glued-after-number": "SELECT * WHERE { ?s ?p 1e1SERVICE<{url}>{} }",
    "glued-silent": "SELECT * WHERE { SERVICESILENT<{url}>{} }",
    "prefix-holding-service": (
        "PREFIX ex: <{url}> SELECT * WHERE { serviceex: {} }"
    ),
    "one-dot-run-in-local-name": (
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ex:a.b.SERVICE<{url}>{} }"
    ),
}


@pytest.mark.parametrize("name", list(DISGUISES))
def test_each_disguise_reaches_the_network_through_the_engine(name, listener):
    assert engine_connects(DISGUISES[name].replace("{url}", listener.url), listener)


def _raw(port: int, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` as raw bytes; the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _post(port: int, path: str, ctype: str, body: bytes) -> tuple[int, bytes]:
    return _raw(port, (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body)


def _get(port: int, target: str) -> tuple[int, bytes]:
    return _raw(port, (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    ).encode())


@pytest.mark.parametrize("name", list(DISGUISES))
def test_each_disguise_is_refused_by_get_and_post_without_a_connection(name, site, listener):
    query = DISGUISES[name].replace("{url}", listener.url)
    before = listener.count
    encoded = quote(query, safe="")
    answers = [
        _get(site.port, f"/sparql?query={encoded}"),
        # The body as it is: a bare CR, a backslash, a quote, byte for byte.
        _post(site.port, "/sparql", "application/sparql-query", query.encode()),
        _post(site.port, "/sparql", "application/x-www-form-urlencoded",
              f"query={encoded}".encode()),
    ]
    for status, body in answers:
        assert status == 403, body
        assert b"SERVICE" in body and b"not allowed" in body, body
    # A plain link to the query page runs the same guard.
    status, body = _get(site.port, f"/query?query={encoded}")
    assert status == 200 and b"not allowed" in body
    time.sleep(0.2)  # a connection the engine opened would be accepted by now
    assert listener.count == before


def test_the_word_service_in_names_strings_and_iris_still_runs(site_client):
    query = (
        "PREFIX service: <http://example.org/service/> "
        'SELECT ?service WHERE { BIND(service:serviceType AS ?service) '
        'BIND("SERVICE <http://x/> {}" AS ?s) BIND(<http://x/SERVICE#SERVICE> AS ?i) }'
    )
    r = site_client.get("/sparql", params={"query": query},
                        headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["service"]["value"].endswith("serviceType")


# -- freezes -------------------------------------------------------------------------
def _healthz_while(base: str, send) -> tuple[list[float], object]:
    """Poll /healthz while ``send()`` runs in a thread: each poll's time, and its answer."""
    result: dict[str, object] = {}

    def run() -> None:
        result["answer"] = send()

    thread = threading.Thread(target=run)
    thread.start()
    times = []
    with httpx.Client(timeout=5) as client:
        for _ in range(5):
            started = time.monotonic()
            r = client.get(f"{base}/healthz")
            times.append(time.monotonic() - started)
            assert r.status_code == 200
            if not thread.is_alive():
                break
    thread.join(30)
    assert not thread.is_alive()
    return times, result["answer"]


def test_quadratic_query_gets_its_400_and_healthz_keeps_answering(site):
    query = "SELECT * WHERE { " + "'a\\" * 33000  # 99 KB: under the 100 KB limit
    assert len(query.encode()) < 100 * 1024
    started = time.monotonic()
    times, answer = _healthz_while(
        site.base, lambda: _post(site.port, "/sparql", "application/sparql-query", query.encode())
    )
    elapsed = time.monotonic() - started
    status, body = answer
    assert status == 400 and b"syntax error at line 1, column 18" in body, body[:300]
    assert b"does not end" in body
    assert max(times) < 1.0
    assert elapsed < 5.0


def test_seven_thousand_word_filter_is_refused_at_once(site):
    words = "+".join(f"w{i}" for i in range(7000))
    times, answer = _healthz_while(site.base, lambda: _get(site.port, f"/activities?q={words}"))
    status, body = answer
    assert status == 400 and b"at most 200" in body, body[:300]
    assert max(times) < 1.0


def test_a_filter_at_the_cap_still_filters(site_client):
    full = site_client.get("/activities")
    assert full.status_code == 200
    r = site_client.get("/activities", params={"q": "zz" + "x" * 198})
    assert r.status_code == 200 and "zzxxx" in r.text


# -- FROM resolved as the engine resolves it ---------------------------------------------
def _rows(client: httpx.Client, query: str) -> list[dict]:
    r = client.get("/sparql", params={"query": query},
                   headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


@pytest.mark.parametrize(
    "query",
    [
        "BASE <https://coedp.org/graph/> SELECT * FROM <asserted> WHERE { ?s ?p ?o }",
        "PREFIX g: <https://coedp.org/graph/> SELECT * FROM g:asserted WHERE { ?s ?p ?o }",
        "SELECT * FROM <graph/asserted> WHERE { ?s ?p ?o }",  # the server's base IRI
        "BASE <https://coedp.org/x/y> PREFIX g: <../graph/> SELECT * FROM g:asserted "
        "WHERE { ?s ?p ?o }",
    ],
)
def test_from_with_base_or_prefix_gives_the_graphs_rows(site_client, query):
    expected = _rows(site_client, f"SELECT * WHERE {{ GRAPH <{ASSERTED}> {{ ?s ?p ?o }} }}")
    assert expected
    assert len(_rows(site_client, query)) == len(expected)


def test_from_named_with_a_prefixed_name(site_client):
    query = (
        "PREFIX g: <https://coedp.org/graph/> SELECT (COUNT(*) AS ?n) FROM NAMED g:asserted "
        "WHERE { GRAPH g:asserted { ?s ?p ?o } }"
    )
    rows = _rows(site_client, query)
    assert int(rows[0]["n"]["value"]) > 0


def test_unknown_graph_still_refused_with_its_resolved_iri(site_client):
    r = site_client.get("/sparql", params={
        "query": "BASE <https://coedp.org/graph/> SELECT * FROM <nowhere> { ?s ?p ?o }"})
    assert r.status_code == 400
    assert "FROM <https://coedp.org/graph/nowhere> is not a graph of this dataset" in r.text
    r = site_client.get("/sparql", params={
        "query": "SELECT * FROM nope:g { ?s ?p ?o }"})
    assert r.status_code == 400 and "unknown prefix nope: at line 1, column 15" in r.text
    # A predeclared prefix resolves in FROM as the engine resolves it.
    r = site_client.get("/sparql", params={"query": "SELECT * FROM coedp:g { ?s ?p ?o }"})
    assert r.status_code == 400 and "FROM <https://coedp.org/def/g> is not a graph" in r.text


def test_query_page_link_with_from_and_base(site_client):
    query = "BASE <https://coedp.org/graph/> SELECT * FROM <asserted> WHERE { ?s ?p ?o } LIMIT 1"
    r = site_client.get("/query?" + urlencode({"query": query}))
    assert r.status_code == 200
    assert "not a graph of this dataset" not in r.text
