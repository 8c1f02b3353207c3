"""``coedp publish`` against a small Graph Store written here: a real HTTP server on 127.0.0.1.

The stub keeps the graphs it is sent (PUT replaces, as the protocol says),
asks for Basic credentials, and can be told to fail, so that every branch of
the command is exercised without an external store (Virtuoso is in
test_virtuoso.py).
"""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from support.servers import SMALL, free_port

USER, PASSWORD = "curator", "s3cret"


class GraphStore(ThreadingHTTPServer):
    """Graphs by name (``None`` for ?default), the requests seen, and a failure to play."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.graphs: dict[str | None, bytes] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.fail_with: tuple[int, str] | None = None
        self.url = f"http://127.0.0.1:{self.server_address[1]}/store"


class Handler(BaseHTTPRequestHandler):
    server: GraphStore

    def log_message(self, *args: object) -> None:
        """Quiet."""

    def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.requests.append(
            (self.command, self.path, self.headers.get("content-type", "")))
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("authorization") != expected:
            self._answer(401, "who are you?", {"WWW-Authenticate": 'Basic realm="stub"'})
            return
        if self.server.fail_with:
            self._answer(*self.server.fail_with)
            return
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        name = query["graph"][0] if "graph" in query else None
        created = name not in self.server.graphs
        self.server.graphs[name] = body
        self._answer(201 if created else 204, "")

    def _answer(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def stub() -> Iterator[GraphStore]:
    server = GraphStore()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def publish(*options: str, data: Path = SMALL) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coedp.cli", "publish", "--data", str(data), *options],
        capture_output=True, text=True, timeout=120,
    )


def expected_graphs() -> dict[str, set]:
    graphs: dict[str, set] = {}
    for quad in ox.parse(path=str(SMALL), format=ox.RdfFormat.TRIG):
        graphs.setdefault(quad.graph_name.value, set()).add(quad.triple)
    return graphs


def stored(stub: GraphStore) -> dict[str | None, set]:
    return {name: set(q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            for name, body in stub.graphs.items()}


def test_each_named_graph_is_put_once_and_twice_changes_nothing(stub: GraphStore):
    done = publish("--to", stub.url, "--user", USER, "--password", PASSWORD)
    assert done.returncode == 0, done.stderr
    assert stored(stub) == expected_graphs()
    puts = [r for r in stub.requests if r[0] == "PUT"]
    # One challenge (401), then one authenticated PUT per graph.
    assert len(puts) == len(expected_graphs()) + 1
    assert all(ctype == "application/n-triples" for _, _, ctype in puts)
    assert all("?graph=https%3A%2F%2Fcoedp.org%2Fgraph%2F" in path for _, path, _ in puts)
    for graph, triples in expected_graphs().items():
        assert graph in done.stdout and str(len(triples)) in done.stdout
    first = dict(stub.graphs)
    again = publish("--to", stub.url, "--user", USER, "--password", PASSWORD)
    assert again.returncode == 0 and "204" in again.stdout
    assert stub.graphs == first


def test_turtle_upload(stub: GraphStore):
    done = publish("--to", stub.url, "--user", USER, "--password", PASSWORD,
                   "--syntax", "turtle", "--auth", "basic")
    assert done.returncode == 0, done.stderr
    assert {r[2] for r in stub.requests} == {"text/turtle; charset=utf-8"}
    parsed = {name: set(q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE))
              for name, body in stub.graphs.items()}
    assert parsed == expected_graphs()


def test_password_from_the_environment(stub: GraphStore):
    import os

    done = subprocess.run(
        [sys.executable, "-m", "coedp.cli", "publish", "--data", str(SMALL), "--to", stub.url,
         "--user", USER],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "COEDP_PUBLISH_PASSWORD": PASSWORD},
    )
    assert done.returncode == 0, done.stderr


def test_store_error_stops_with_its_message(stub: GraphStore):
    stub.fail_with = (500, "disk full on /var/lib/store")
    done = publish("--to", stub.url, "--user", USER, "--password", PASSWORD)
    assert done.returncode == 1
    assert "the store answered 500: disk full on /var/lib/store" in done.stderr
    assert "not sent" in done.stdout  # the table shows what was not uploaded
    assert "Traceback" not in done.stderr


def test_refusals(stub: GraphStore, tmp_path: Path):
    wrong = publish("--to", stub.url, "--user", USER, "--password", "nope")
    assert wrong.returncode == 1 and "refused the credentials (401)" in wrong.stderr
    half = publish("--to", stub.url, "--user", USER)
    assert half.returncode == 2 and "both --user and --password" in half.stderr
    closed = publish("--to", f"http://127.0.0.1:{free_port()}/store")
    assert closed.returncode == 1 and "connection refused" in closed.stderr
    not_url = publish("--to", "ftp://example.org/store")
    assert not_url.returncode == 2 and "not an http:// or https:// URL" in not_url.stderr
    missing = publish("--to", stub.url, data=tmp_path)
    assert missing.returncode == 2 and "run 'coedp build' first" in missing.stderr
    triples_only = tmp_path / "union.ttl"
    triples_only.write_text("<http://a> <http://b> <http://c> .\n")
    flat = publish("--to", stub.url, data=triples_only)
    assert flat.returncode == 2 and "keep the named graphs" in flat.stderr
    broken = tmp_path / "broken.trig"
    broken.write_text("<http://g> { <http://a> <http://b> . }\n")
    bad = publish("--to", stub.url, data=broken)
    assert bad.returncode == 2 and "is not valid" in bad.stderr
    for done in (wrong, half, closed, not_url, missing, flat, bad):
        assert "Traceback" not in done.stderr
    assert stub.graphs == {}
