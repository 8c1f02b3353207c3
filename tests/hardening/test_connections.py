"""Connections an attacker holds open cost the server little and are dropped in time.

Raw sockets on 127.0.0.1 against a real ``coedp serve``: slowloris (a request a
byte at a time), hundreds of idle sockets, and clients that request a large
result and never read it.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.servers import SMALL, Server, wait_until

from .conftest import ASSERTED

HEADER_TIMEOUT = 2.0
IDLE_TIMEOUT = 1.0
MAX_CONNECTIONS = 100


@pytest.fixture(scope="module")
def limited() -> Iterator[Server]:
    srv = Server(
        SMALL, "--workers", "1", "--header-timeout", str(HEADER_TIMEOUT),
        "--idle-timeout", str(IDLE_TIMEOUT), "--max-connections", str(MAX_CONNECTIONS),
    )
    yield srv
    srv.stop()


def connect(server: Server, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10,
                                    source_address=(source, 0))
    return sock


def closed_by_server(sock: socket.socket, within: float) -> float | None:
    """Seconds until the server closes ``sock`` (None if still open after ``within``)."""
    started = time.monotonic()
    sock.settimeout(within)
    try:
        while True:
            if not sock.recv(4096):
                return time.monotonic() - started
    except (ConnectionResetError, BrokenPipeError):
        return time.monotonic() - started
    except TimeoutError:
        return None


def answered(server: Server, within: float = 1.0) -> bool:
    """Whether a new client gets /healthz within ``within`` seconds."""
    try:
        return httpx.get(f"{server.base}/healthz", timeout=within).status_code == 200
    except httpx.HTTPError:
        return False


def test_slowloris_is_dropped_after_the_header_timeout(limited: Server):
    sock = connect(limited)
    started = time.monotonic()
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40
    dropped_at = None
    with contextlib.closing(sock):
        for byte in request:  # one byte every 0.25 s: 10 s for the whole request
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                dropped_at = time.monotonic() - started
                break
            sock.settimeout(0.25)
            try:
                if sock.recv(4096) == b"":
                    dropped_at = time.monotonic() - started
                    break
            except TimeoutError:
                continue
            except ConnectionResetError:
                dropped_at = time.monotonic() - started
                break
    assert dropped_at is not None, "a request sent a byte at a time was never dropped"
    assert HEADER_TIMEOUT - 0.1 <= dropped_at <= HEADER_TIMEOUT + 1.5, dropped_at


def test_a_silent_connection_is_closed_after_the_idle_timeout(limited: Server):
    with contextlib.closing(connect(limited)) as sock:
        took = closed_by_server(sock, IDLE_TIMEOUT + 3)
    assert took is not None and took <= IDLE_TIMEOUT + 1.0, took


def test_a_keep_alive_connection_is_closed_after_the_idle_timeout(limited: Server):
    with contextlib.closing(connect(limited)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        took = closed_by_server(sock, IDLE_TIMEOUT + 3)
    assert took is not None and took <= IDLE_TIMEOUT + 1.0, took


def test_hundreds_of_idle_sockets_do_not_keep_a_new_client_out(limited: Server):
    idle: list[socket.socket] = []
    try:
        for i in range(3 * MAX_CONNECTIONS):  # three times the cap, from 3 addresses
            idle.append(connect(limited, f"127.0.0.{2 + i % 3}"))
        for _ in range(5):
            started = time.monotonic()
            assert answered(limited, 1.0), "a new client was not answered within 1 s"
            assert time.monotonic() - started < 1.0
        # The oldest idle sockets were closed to make room, without waiting.
        closed = sum(closed_by_server(s, 0.01) is not None for s in idle[:MAX_CONNECTIONS])
        assert closed >= MAX_CONNECTIONS // 2, closed
    finally:
        for sock in idle:
            sock.close()
    output = limited.output()
    assert "Traceback" not in output
    # Each of the 300 connections left no line in the log but its own request's.
    assert len(output.encode()) < 64 * 1024, len(output)


def test_busy_connections_past_the_cap_get_503_at_once(limited: Server):
    # Connections in the middle of a request (here: headers sent, body pending) are not
    # evicted: past the cap a new one is answered 503 and closed, rather than left waiting.
    busy: list[socket.socket] = []
    try:
        for _ in range(MAX_CONNECTIONS):
            sock = connect(limited)
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                b"\r\nContent-Length: 100\r\n\r\nASK"
            )
            busy.append(sock)
        time.sleep(0.2)
        with contextlib.closing(connect(limited)) as extra:
            extra.settimeout(2)
            reply = extra.recv(4096)
        assert reply.startswith(b"HTTP/1.1 503"), reply
    finally:
        for sock in busy:
            sock.close()
    time.sleep(0.2)
    assert answered(limited, 1.0)


def test_a_request_body_sent_too_slowly_is_dropped(limited: Server):
    with contextlib.closing(connect(limited)) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
            b"\r\nContent-Length: 100\r\n\r\nASK"
        )
        took = closed_by_server(sock, HEADER_TIMEOUT + 3)
    assert took is not None and took <= HEADER_TIMEOUT + 1.0, took


# -- a client that does not read ----------------------------------------------------
READERS = 20
LITERAL = 2000  # bytes per literal


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    """A server over 4,000 literals of 2 KB: an 8 MB+ result for SELECT *."""
    data = tmp_path_factory.mktemp("large") / "large.nq"
    with data.open("w", encoding="utf-8") as fh:
        for i in range(4000):
            fh.write(f'<http://e.org/s{i}> <http://e.org/p> "{i:05d} {"x" * LITERAL}" '
                     f"<{ASSERTED}> .\n")
    srv = Server(data, "--workers", "2", "--send-timeout", "4")
    size = len(httpx.get(srv.sparql, params={"query": QUERY.format(n=4000)},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60).content)
    yield srv, size
    srv.stop()


QUERY = "SELECT ?s ?o WHERE {{ ?s <http://e.org/p> ?o }} LIMIT {n}"


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_clients_that_do_not_read_cost_a_bounded_amount(large: tuple[Server, int]):
    server, size = large
    assert size > 8_000_000
    before = rss(server.proc.pid)
    sockets = []
    try:
        for i in range(READERS):
            # Each from its own address (its own client), each a different query (no
            # shared cache entry), with a small receive buffer: the server must hold back.
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.bind((f"127.0.1.{10 + i}", 0))
            sock.connect(("127.0.0.1", server.port))
            query = QUERY.format(n=4000 - i).replace(" ", "%20").replace("{", "%7B")
            query = query.replace("}", "%7D").replace("<", "%3C").replace(">", "%3E")
            sock.sendall(
                f"GET /sparql?query={query} HTTP/1.1\r\nHost: x\r\n"
                "Accept: application/sparql-results+json\r\n\r\n".encode()
            )
            sockets.append(sock)
        peak = before
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline:  # within the send timeout: all 20 held
            peak = max(peak, rss(server.proc.pid))
            time.sleep(0.1)
        # Each unread response holds its result (the worker's answer) and at most half
        # as much again: sent whole, h11 and the transport held two more copies.
        assert peak - before < READERS * size * 1.5, (peak - before) / 1e6
        # Once the send timeout has cut them off, the results are freed (within 3 s more).
        wait_until(lambda: rss(server.proc.pid) - before < 50_000_000, 3.5,
                   what="the unread results freed")
        after = rss(server.proc.pid)
        assert after - before < 50_000_000, (after - before) / 1e6
        assert answered(server, 1.0)
    finally:
        for sock in sockets:
            sock.close()


ACCEPTING_SERVER = """
import asyncio, logging, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s: %(message)s")
from coedp.server.connections import install_accept_error_filter
install_accept_error_filter(interval=60)
async def main():
    held = []
    async def keep(reader, writer):
        held.append(writer)
    server = await asyncio.start_server(keep, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(4)
asyncio.run(main())
"""


def test_accept_errors_do_not_flood_the_log():
    # asyncio logs "socket.accept() out of system resource" with a traceback at
    # every retry once descriptors run out; the filter lets one line through.
    proc = subprocess.Popen([sys.executable, "-c", ACCEPTING_SERVER], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    sockets = []
    try:
        for _ in range(80):  # past the 48 descriptors the server may hold
            sock = socket.socket()
            sock.settimeout(0.2)
            with contextlib.suppress(OSError):
                sock.connect(("127.0.0.1", port))
            sockets.append(sock)
        _, errors = proc.communicate(timeout=30)
    finally:
        for sock in sockets:
            sock.close()
        proc.kill()
    reports = [line for line in errors.splitlines() if "out of system resource" in line]
    assert len(reports) == 1, errors[-3000:]
    assert "Too many open files" in reports[0]
    assert "Traceback" not in errors


def test_large_results_stream_compressed_and_whole(large: tuple[Server, int]):
    server, _size = large
    params = {"query": QUERY.format(n=3000)}
    accept = {"Accept": "application/sparql-results+json"}
    plain = httpx.get(server.sparql, params=params, timeout=60,
                      headers={**accept, "Accept-Encoding": "identity"})
    assert plain.status_code == 200 and int(plain.headers["content-length"]) == len(plain.content)
    with httpx.stream("GET", server.sparql, params=params, timeout=60,
                      headers={**accept, "Accept-Encoding": "gzip"}) as r:
        assert r.headers["content-encoding"] == "gzip"
        assert "content-length" not in r.headers  # compressed piece by piece, not buffered
        pieces = list(r.iter_raw())
    assert len(pieces) > 1
    body = gzip.decompress(b"".join(pieces))
    assert body == plain.content
    assert len(plain.content) > 6_000_000
