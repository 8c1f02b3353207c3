"""The access log cannot be forged and does not keep client addresses; headers for safety."""

from __future__ import annotations

import re
import socket
import time

import httpx
import pytest
from support.servers import POLL, Server, wait_until

from coedp.server.accesslog import escape, mask_client

LINE = re.compile(
    r'^(?P<client>\S+) - - \[[^\]]+\] "(?P<method>[A-Z]+) (?P<path>[\x21-\x7e]+) '
    r'HTTP/1\.[01]" (?P<status>\d{3}) (\d+|-) \d+\.\dms$'
)


def raw_request(server: Server, request: bytes, source: str = "127.0.0.1") -> bytes:
    """Send ``request`` as bytes and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10,
                                  source_address=(source, 0)) as sock:
        sock.sendall(request)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def access_lines(server: Server, at_least: int = 0) -> list[str]:
    """The access log's lines, once there are ``at_least`` and no more arrive."""
    def lines() -> list[str]:
        return [line for line in server.output().splitlines() if " - - [" in line]

    def settled() -> list[str] | None:
        first = lines()
        time.sleep(POLL)  # a line of a request just answered is written by now
        second = lines()
        return second if len(second) >= at_least and second == first else None

    return wait_until(settled, 10, what=f"{at_least} access log lines")


def test_no_request_forges_a_log_line(server: Server):
    targets = [
        b"/x%0A127.0.0.1%20-%20-%20[01/Jan/2026:00:00:00%20+0000]%20%22GET%20/admin",
        b"/x%0D%0Aforged",
        b'/x"quoted"\\back',
        b"/x%00nul",
    ]
    before = len(access_lines(server))
    for target in targets:
        reply = raw_request(server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n"
                            b"Connection: close\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 "), reply
    lines = access_lines(server, before + len(targets))[before:]
    assert len(lines) == len(targets), lines
    for line, target in zip(lines, targets, strict=True):
        match = LINE.match(line)
        assert match, line
        assert match["path"] == escape(target)
    output = server.output().splitlines()
    assert not any(line.startswith(("127.0.0.1", "forged")) for line in output)


def test_client_addresses_are_hashed_by_default(server: Server):
    before = len(access_lines(server))
    raw_request(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    raw_request(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    raw_request(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                source="127.0.0.2")
    lines = access_lines(server, before + 3)[before:]
    clients = [line.split(" ", 1)[0] for line in lines]
    assert len(clients) == 3 and all(re.fullmatch(r"[0-9a-f]{12}", c) for c in clients), lines
    assert clients[0] == clients[1] != clients[2]  # one client's lines can be followed
    assert "127.0.0." not in "\n".join(lines)


def test_truncated_and_full_addresses():
    assert mask_client("203.0.113.77", "truncate") == "203.0.113.0"
    assert mask_client("2001:db8:abcd:12::1", "truncate") == "2001:db8:abcd::"
    assert mask_client("203.0.113.77", "full") == "203.0.113.77"
    assert mask_client("203.0.113.77", "hash") != mask_client("203.0.113.78", "hash")


def test_the_syntax_error_that_quotes_the_query_is_not_sniffed(server: Server):
    query = "SELECT * WHERE { <script>alert(1)</script> }"
    r = httpx.get(f"{server.base}/sparql", params={"query": query}, timeout=10)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/no/such/page", "/healthz", "/"])
def test_every_response_says_nosniff(server: Server, path: str):
    r = httpx.get(f"{server.base}{path}", timeout=10)
    assert r.headers.get("x-content-type-options") == "nosniff", (r.status_code, r.headers)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_head_on_health_routes(server: Server, path: str):
    reply = raw_request(
        server, f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert body == b""
