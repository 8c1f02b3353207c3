"""A load generator on loopback: N keep-alive connections for a fixed duration.

Written on asyncio streams with a minimal HTTP/1.1 client (no httpx): on a
2-core machine shared with the server, the client's own cost per request must
stay well below the server's, or the floor measures the client.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, */*;q=0.1"


@dataclass
class LoadResult:
    """Requests that completed within the duration, their latencies and the failures."""

    seconds: float
    latencies: list[float] = field(default_factory=list)  # of the 200 answers, in seconds
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float | None:
        """Latency at quantile ``q`` (0..1) in milliseconds, or None without answers."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index] * 1000


class HttpError(Exception):
    """The server's answer could not be read."""


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise HttpError(f"bad status line {lines[0]!r}")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    keep = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif status not in (204, 304):
        await reader.read()
        keep = False
    return status, keep


def request_bytes(host: str, port: int, path: str, query: str) -> bytes:
    """A GET /sparql?query=... request."""
    return (
        f"GET {path}?query={quote(query, safe='')} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Accept: {ACCEPT}\r\nAccept-Encoding: identity\r\n\r\n"
    ).encode("ascii")


async def run_load(
    host: str, port: int, queries: list[str] | Callable[[int], str], *,
    connections: int = 32, duration: float = 20.0, path: str = "/sparql",
    request_timeout: float = 120.0,
) -> LoadResult:
    """Send queries (a list taken in turn, or a function of the request number) for ``duration``.

    Only answers received before the end count; a request still running then is
    abandoned, neither counted nor an error.
    """
    counter = itertools.count()
    pick = queries if callable(queries) else (lambda n: queries[n % len(queries)])
    started = time.perf_counter()
    deadline = started + duration
    result = LoadResult(seconds=duration)

    async def client() -> None:
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                sent = time.perf_counter()
                writer.write(request_bytes(host, port, path, pick(next(counter))))
                left = min(request_timeout, deadline - sent)
                status, keep = await asyncio.wait_for(_read_response(reader), max(left, 0.001))
            except TimeoutError:
                break  # past the end of the run (or a request longer than the timeout)
            except (OSError, asyncio.IncompleteReadError, HttpError, ValueError) as exc:
                result.errors += 1
                result.first_error = result.first_error or f"{type(exc).__name__}: {exc}"
                writer = _close(writer)
                await asyncio.sleep(0.01)
                continue
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.latencies.append(time.perf_counter() - sent)
            else:
                result.errors += 1
                result.first_error = result.first_error or f"HTTP {status}"
            if not keep:
                writer = _close(writer)
        _close(writer)

    await asyncio.gather(*(client() for _ in range(connections)))
    return result


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()
    return None
