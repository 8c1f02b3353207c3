"""Process life: SIGTERM drains in-flight requests and exits 0; a bad store is refused at start."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from support.servers import Server, free_port, serve_command

ASSERTED = "https://coedp.org/graph/asserted"


@pytest.fixture()
def drain_server(tmp_path: Path) -> Server:
    data = tmp_path / "rows.nq"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(3000):
            fh.write(f'<http://e.org/s{i}> <http://e.org/p> "{i}" <{ASSERTED}> .\n')
    srv = Server(data, "--workers", "1", "--timeout", "120")
    yield srv
    srv.stop()


def product(limit: int) -> str:
    """A query whose cost grows with ``limit`` and which always completes."""
    return ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://e.org/p> ?b . "
            f"{{ SELECT ?c WHERE {{ ?c <http://e.org/p> ?d }} LIMIT {limit} }} }}")


def test_sigterm_drains_in_flight_requests_and_exits_0(drain_server: Server):
    workers = drain_server.worker_pids()
    # Size the query so that it is still running when the signal comes (about 1.5 s).
    started = time.perf_counter()
    r = httpx.post(drain_server.sparql, data={"query": product(100)}, timeout=120)
    assert r.status_code == 200
    limit = max(100, int(100 * 1.5 / max(time.perf_counter() - started, 0.01)))
    answer: dict[str, object] = {}

    def ask() -> None:
        response = httpx.post(drain_server.sparql, data={"query": product(limit)}, timeout=120,
                              headers={"accept": "application/sparql-results+json"})
        answer["status"] = response.status_code
        answer["body"] = response.json() if response.status_code == 200 else response.text
        answer["at"] = time.monotonic()

    thread = threading.Thread(target=ask)
    thread.start()
    time.sleep(0.3)
    signalled = time.monotonic()
    drain_server.proc.send_signal(signal.SIGTERM)
    thread.join(120)
    assert drain_server.proc.wait(60) == 0, drain_server.output()
    assert answer.get("status") == 200, answer
    assert answer["body"]["results"]["bindings"][0]["n"]["value"] == str(3000 * min(limit, 3000))
    assert answer["at"] > signalled, "the request ended before the signal: nothing was drained"
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists(), "a query worker outlived the server"


def serve(*options: str) -> subprocess.CompletedProcess:
    return subprocess.run([*serve_command(), "--port", str(free_port()), *options],
                          capture_output=True, text=True, timeout=120)


def test_unreachable_store_is_refused_at_start():
    done = serve("--store", f"http://127.0.0.1:{free_port()}/sparql")
    assert done.returncode == 1
    assert "cannot reach the store" in done.stderr and "Traceback" not in done.stderr


def test_store_url_that_is_no_sparql_endpoint_is_refused(site: Server):
    done = serve("--store", f"{site.base}/healthz")
    assert done.returncode == 1, done.stdout
    assert "answered 405" in done.stderr and "Traceback" not in done.stderr


def test_store_without_the_dataset_is_refused(site: Server):
    done = serve("--store", site.sparql, "--base-iri", "http://elsewhere.example/")
    assert done.returncode == 1
    assert "holds no graph under http://elsewhere.example/graph/" in done.stderr
    assert "coedp publish" in done.stderr


def test_store_must_be_a_url():
    done = serve("--store", "/var/lib/store")
    assert done.returncode == 2 and "not an http:// or https:// URL" in done.stderr


def test_serve_help_documents_store():
    done = subprocess.run([sys.executable, "-m", "coedp.cli", "serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert "--store" in done.stdout and "COEDP_STORE" in done.stdout
