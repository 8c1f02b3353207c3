"""The sandbox on its own, over HTTP: with the guard's SERVICE check switched off, no
SERVICE disguise reaches the network, and each query gets a clear 4xx."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from attacks import Listener, ssrf_queries
from support.servers import SMALL, Server

NO_SERVICE_CHECK = {"COEDP_TEST_NO_SERVICE_CHECK": "1"}


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def send_all(server: Server, listener: Listener) -> list[tuple[str, int, str]]:
    """Every disguise by GET and by POST; (name, status, message)."""
    answers = []
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for name, query in ssrf_queries(listener.port).items():
            get = client.get("/sparql", params={"query": query})
            post = client.post("/sparql", content=query.encode(),
                               headers={"Content-Type": "application/sparql-query"})
            answers += [(name, get.status_code, get.text), (name, post.status_code, post.text)]
    time.sleep(0.5)  # a connection attempt in flight lands before the count is read
    return answers


def test_sandboxed_workers_make_no_connection_without_the_guard(listener: Listener):
    server = Server(SMALL, "--workers", "1", env=NO_SERVICE_CHECK)
    try:
        before = listener.connections
        answers = send_all(server, listener)
        assert listener.connections == before, "a SERVICE reached the loopback listener"
        for name, status, text in answers:
            assert status == 403, (name, status, text)
            assert "SERVICE" in text and "not allowed" in text, (name, text)
    finally:
        server.stop()


def test_without_the_sandbox_the_same_queries_would_connect(listener: Listener):
    """The control: unsandboxed and unguarded, the engine does follow SERVICE."""
    server = Server(SMALL, "--workers", "1", "--unsandboxed", env=NO_SERVICE_CHECK)
    try:
        before = listener.connections
        answers = send_all(server, listener)
        assert listener.connections - before >= len(answers) // 2, answers
        # The engine's network error is still answered as a refused SERVICE, never quoted.
        for name, status, text in answers:
            assert status == 403 and "not allowed" in text, (name, status, text)
    finally:
        server.stop()
