"""Bad input is refused with a clear message, and the server stays up."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from support.servers import Server

ROWS = 2000  # enough for a three-way cartesian product to outlast a 2 s timeout
MAX_ROWS = 50
ASSERTED = "https://coedp.org/graph/asserted"


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory) -> Iterator[Server]:
    """An endpoint with a 2 s timeout and a 50-row cap over generated data."""
    data = tmp_path_factory.mktemp("limits") / "many.nq"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(ROWS):
            fh.write(f'<http://e.org/s{i}> <http://e.org/p> "{i}" <{ASSERTED}> .\n')
    srv = Server(data, "--timeout", "2", "--max-rows", str(MAX_ROWS), "--workers", "2")
    yield srv
    srv.stop()


@pytest.fixture()
def listener() -> Iterator[tuple[socket.socket, str]]:
    """A TCP listener on 127.0.0.1: any connection to it would be an outbound request."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}/"
    sock.close()


def connections(sock: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def assert_text(r: httpx.Response, status: int, *needles: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("text/plain")
    for needle in needles:
        assert needle in r.text, r.text
    assert "Traceback" not in r.text


def alive(client: httpx.Client) -> bool:
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    return r.status_code == 200 and r.json()["boolean"] is True


SERVICE_DISGUISES = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "select * where { service <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE SILENT <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { SERVICE <{url}> { ?a ?b ?c } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?s ?q ?r } } }",
    "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?s ?p ?o } } }",
    "SELECT * WHERE { VALUES ?e { <{url}> } SERVICE ?e { ?s ?p ?o } }",
    "PREFIX remote: <{url}> SELECT * WHERE { SERVICE remote: { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE# a comment\n<{url}> { ?s ?p ?o } }",
    "ASK { SERVICE <{url}> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { SERVICE <{url}> { ?s ?p ?o } } }",
    "DESCRIBE ?s WHERE { SERVICE <{url}> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("template", SERVICE_DISGUISES)
def test_service_never_reaches_the_network(client, listener, template):
    sock, url = listener
    query = template.replace("{url}", url)
    r = client.post("/sparql", data={"query": query})
    assert_text(r, 403, "SERVICE", "not allowed")
    assert connections(sock) == 0


def test_an_escaped_keyword_is_a_syntax_error(client, listener):
    """The engine expands \\u only in strings and IRIs: "\\u0053ERVICE" is no keyword."""
    sock, url = listener
    query = f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"
    r = client.post("/sparql", data={"query": query})
    assert_text(r, 400, "syntax error", "line 1, column 18", "backslash")
    assert connections(sock) == 0


def test_the_word_service_elsewhere_is_fine(client):
    query = (
        'SELECT ?service WHERE { BIND("SERVICE <http://example.org/>" AS ?service) '
        "# SERVICE in a comment\n}"
    )
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("update", "LOAD <{url}>"),
        ("update", "LOAD SILENT <{url}data.ttl> INTO GRAPH <https://coedp.org/graph/x>"),
        ("direct", "LOAD <{url}>"),
        ("query", "LOAD <{url}>"),
    ],
)
def test_load_never_reaches_the_network(client, listener, kind, body):
    sock, url = listener
    text = body.replace("{url}", url)
    if kind == "direct":
        r = client.post("/sparql", content=text,
                        headers={"content-type": "application/sparql-update"})
    else:
        r = client.post("/sparql", data={kind: text})
    assert_text(r, 403, "read-only", "coedp validate")
    assert connections(sock) == 0


def test_foreign_dataset_iris_are_refused_without_fetching(client, listener):
    sock, url = listener
    r = client.get("/sparql", params={"query": f"SELECT * FROM <{url}> {{ ?s ?p ?o }}"})
    assert_text(r, 400, url, "not a graph of this dataset", "https://coedp.org/graph/asserted")
    r = client.get("/sparql", params={"query": f"SELECT * FROM NAMED <{url}> {{ ?s ?p ?o }}"})
    assert_text(r, 400, "FROM NAMED")
    r = client.get(
        "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": url}
    )
    assert_text(r, 400, "default-graph-uri")
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "named-graph-uri": url})
    assert_text(r, 400, "named-graph-uri")
    assert connections(sock) == 0


def test_syntax_error_gives_message_and_position(client):
    r = client.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p }"})
    assert_text(r, 400, "the triple pattern ?s ?p at line 2, column 9 has no object")
    r = client.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p ?o } ORDER BY"})
    assert_text(r, 400, "syntax error at line 2, column 28")
    assert "\\u{" not in r.text and len(r.text) < 300  # no grammar dump


def test_deeply_nested_query_refused_server_stays_up(client):
    deep = "SELECT * WHERE " + "{ " * 500 + "?s ?p ?o " + "} " * 500
    r = client.post("/sparql", data={"query": deep})
    assert_text(r, 400, "nests deeper")
    parens = "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }"
    assert_text(client.post("/sparql", data={"query": parens}), 400, "nests deeper")
    escaped = "SELECT * WHERE " + "\\u007B " * 300 + "?s ?p ?o " + "\\u007D " * 300
    # \u escapes are no brackets to the engine: outside strings they are a syntax error.
    assert_text(client.post("/sparql", data={"query": escaped}), 400, "syntax error", "backslash")
    assert alive(client)


def test_one_megabyte_body_is_413(client):
    big = "ASK { ?s ?p ?o } #" + "x" * (1024 * 1024)
    r = client.post("/sparql", content=big, headers={"content-type": "application/sparql-query"})
    assert_text(r, 413)
    r = client.post("/sparql", content="query=" + quote(big),
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert_text(r, 413)
    assert alive(client)


def test_query_over_the_length_limit_is_413(client):
    long_query = "ASK { ?s ?p ?o } #" + "x" * (150 * 1024)
    r = client.post("/sparql", data={"query": long_query})
    assert_text(r, 413, "at most")


def test_invalid_utf8_is_400(client):
    r = client.post("/sparql", content=b"ASK { ?s ?p \"\xff\xfe\" }",
                    headers={"content-type": "application/sparql-query"})
    assert_text(r, 400, "UTF-8")
    r = client.post("/sparql", content=b"query=ASK%20%7B%7D%FF",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert_text(r, 400, "UTF-8")


@pytest.mark.parametrize(
    "accept", ["image/png", "application/sparql-results+json;q=0", "!!!, ###", "text/turtle"]
)
def test_absurd_accept_is_406(client, accept):
    r = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"},
                   headers={"accept": accept})
    assert_text(r, 406, "application/sparql-results+json")


def test_format_not_fitting_the_query_is_406(client):
    r = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }", "format": "turtle"})
    assert_text(r, 406, "turtle")


def test_empty_and_missing_query(client):
    assert_text(client.get("/sparql", params={"query": "  "}), 400, "empty")
    assert_text(client.post("/sparql", data={"default-graph-uri": "x"}), 400, "no query")
    assert_text(client.get("/sparql", params={"query": "HELLO"}), 400,
                "HELLO at line 1, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def test_row_cap_refuses_clearly(limits_server):
    with httpx.Client(base_url=limits_server.base, timeout=30) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert_text(r, 422, f"more than {MAX_ROWS} rows", "LIMIT")
        r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert_text(r, 422, "LIMIT")
        r = c.get("/sparql", params={"query": f"SELECT * {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"})
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == MAX_ROWS
        r = c.get("/sparql", params={"query": f"SELECT * {{ ?s ?p ?o }} LIMIT {MAX_ROWS}"},
                  headers={"accept": "text/csv"})
        assert r.status_code == 200 and len(r.text.splitlines()) == MAX_ROWS + 1


def test_timeout_kills_the_worker_and_server_stays_responsive(limits_server):
    before = set(limits_server.worker_pids())
    assert len(before) == 2
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with httpx.Client(base_url=limits_server.base, timeout=60) as c:
        r = c.post("/sparql", data={"query": cartesian})
        assert_text(r, 503, "longer than 2 s", "stopped")
        # The other worker answers at once; the replacement starts meanwhile.
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
    killed = before - set(limits_server.worker_pids())
    assert len(killed) == 1
    pid = killed.pop()
    assert not Path(f"/proc/{pid}").exists(), "the timed-out worker is still there"
    # The pool is whole again.
    for _ in range(300):
        pids = limits_server.worker_pids()
        if len(pids) == 2:
            break
        time.sleep(0.1)
    assert len(limits_server.worker_pids()) == 2 and pid not in limits_server.worker_pids()


def test_a_crashed_worker_is_replaced(tmp_path):
    import os
    import signal

    from support.servers import SMALL

    srv = Server(SMALL, "--workers", "2")
    try:
        victim = srv.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        with httpx.Client(base_url=srv.base, timeout=30) as c:
            for _ in range(4):
                assert alive(c)
        for _ in range(300):
            pids = srv.worker_pids()
            if len(pids) == 2:
                break
            time.sleep(0.1)
        assert len(pids) == 2 and victim not in pids
    finally:
        srv.stop()
