"""The attack set: what an outsider sends a public coedp endpoint, and what it must get.

Each attack is sent the way an attacker sends it (raw bytes over a socket where
a client library would clean the request up) to a server on loopback, and is
judged by its outcome: never a 5xx other than the ones that say a limit was
reached (503 busy or timed out, 507 out of memory), never a connection to the
loopback listener that the SERVICE disguises point at, never a hang.

Used by ``scripts/soak.py --attackers N``; each attack is bounded in bytes and
in time.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

# Statuses an attack may get: a refusal (4xx) or a limit reached (503, 507).
REFUSED = frozenset(range(400, 500)) | {503, 507}


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1  # before the close: the client sees EOF only after this
            conn.close()

    @property
    def count(self) -> int:
        """The connections made so far."""
        return self.connections

    def close(self) -> None:
        """Stop accepting and close the socket."""
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def ssrf_queries(port: int) -> dict[str, str]:
    """The three ways past the old lexer, each aiming SERVICE at ``port`` on loopback."""
    target = f"<http://127.0.0.1:{port}/sparql>"
    return {
        "service-after-cr-comment": f"SELECT * WHERE {{ #\rSERVICE {target} {{ ?s ?p ?o }} }}",
        "service-after-escaped-pname": (
            "PREFIX ex: <http://example.org/> SELECT * WHERE { "
            f"BIND(ex:a\\#b AS ?z) SERVICE {target} {{ ?s ?p ?o }} }}"
        ),
        "service-between-u-escapes": (
            'SELECT * WHERE { BIND("\\u0022" AS ?x) '
            f'SERVICE {target} {{ ?s ?p ?o }} BIND("\\u0022" AS ?y) }}'
        ),
        "service-plain": f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}",
    }


def memory_query(doublings: int = 34) -> str:
    """About 1 KB of query whose last string is 2**doublings times the first."""
    binds = ['BIND("0123456789abcdef" AS ?v0)']
    binds += [f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(doublings)]
    return f"SELECT (STRLEN(?v{doublings}) AS ?n) WHERE {{ {' '.join(binds)} }}"


DEEP_QUERIES = {
    "deep-not": "ASK { FILTER(" + "!" * 10_000 + "true) }",
    "deep-or": "ASK { FILTER(" + " || ".join(["true"] * 8_000) + ") }",
    "deep-optional": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 7_000 + "}",
    "long-collection": "ASK { ?s ?p (" + " ".join(str(i) for i in range(5_000)) + ") }",
    "long-path": "ASK { ?s " + "/".join(["<http://e.org/p>"] * 15_000) + " ?o }",
}
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CUSTOM_FUNCTION = "SELECT (<http://example.org/f>(1) AS ?x) WHERE {}"


@dataclass
class Outcome:
    """How one attack went: the status seen (0: no HTTP answer) and whether it was right."""

    name: str
    status: int
    ok: bool
    detail: str = ""


@dataclass
class AttackSet:
    """The attacks against one server, sent with a given X-Forwarded-For address."""

    base: str
    forwarded_for: str | None = None
    listener: Listener | None = None
    timeout: float = 60.0
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Forwarded-For": self.forwarded_for} if self.forwarded_for else {}

    # -- senders ---------------------------------------------------------------------
    def _judge(self, name: str, status: int, detail: str = "",
               allowed: frozenset[int] = REFUSED) -> Outcome:
        outcome = Outcome(name, status, status in allowed, detail[:200])
        self.outcomes.append(outcome)
        return outcome

    def post_query(self, name: str, query: str, allowed: frozenset[int] = REFUSED) -> Outcome:
        """POST ``query`` as application/sparql-query."""
        try:
            r = httpx.post(
                f"{self.base}/sparql", content=query.encode("utf-8"), timeout=self.timeout,
                headers={"Content-Type": "application/sparql-query", **self.headers},
            )
        except httpx.HTTPError as exc:
            return self._judge(name, 0, type(exc).__name__)
        return self._judge(name, r.status_code, r.text, allowed)

    def get_query(self, name: str, query: str, allowed: frozenset[int] = REFUSED) -> Outcome:
        """GET /sparql?query=..., as a plain link would send it."""
        try:
            r = httpx.get(f"{self.base}/sparql", params={"query": query},
                          headers=self.headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            return self._judge(name, 0, type(exc).__name__)
        return self._judge(name, r.status_code, r.text, allowed)

    def raw(self, name: str, request: bytes, allowed: frozenset[int] = REFUSED) -> Outcome:
        """Send ``request`` byte for byte and read the status line."""
        host, port = _host_port(self.base)
        try:
            with socket.create_connection((host, port), timeout=self.timeout) as sock:
                sock.sendall(request)
                head = sock.recv(64)
        except OSError as exc:
            return self._judge(name, 0, type(exc).__name__)
        try:
            status = int(head.split(b" ", 2)[1])
        except (IndexError, ValueError):
            return self._judge(name, 0, f"no status line: {head!r}")
        return self._judge(name, status, head.decode("latin-1"), allowed)

    # -- the set -----------------------------------------------------------------------
    def ssrf(self) -> None:
        """Every SERVICE disguise, by GET and by POST: refused, no connection made."""
        if self.listener is None:
            return
        for name, query in ssrf_queries(self.listener.port).items():
            self.get_query(f"{name} (GET)", query)
            self.post_query(f"{name} (POST)", query)

    def freezes(self) -> None:
        """Inputs that froze the event loop: a 100 KB lexer trap and a 7,000-word filter."""
        self.post_query("lexer-trap", "SELECT * WHERE { " + "'a\\" * 33_000)
        words = " ".join(f"w{i}" for i in range(7_000))
        try:
            r = httpx.get(f"{self.base}/activities", params={"q": words},
                          headers=self.headers, timeout=self.timeout)
            self._judge("filter-7000-words", r.status_code, r.text,
                        REFUSED | {200})
        except httpx.HTTPError as exc:
            self._judge("filter-7000-words", 0, type(exc).__name__)

    def memory(self) -> None:
        """A 1 KB query that doubles a string until the worker's memory limit stops it."""
        self.post_query("memory-concat", memory_query())

    def crashes(self) -> None:
        """Flat queries that overflowed the engine's stack: answered, no worker lost."""
        for name, query in DEEP_QUERIES.items():
            self.post_query(name, query, REFUSED | {200})

    def slow(self) -> None:
        """A query that runs until the timeout: stopped, never a hang."""
        self.post_query("slow-cross-product", SLOW_QUERY, REFUSED)

    def smaller(self) -> None:
        """The smaller items: log forging, odd page numbers, custom functions."""
        host, port = _host_port(self.base)
        forwarded = (
            f"X-Forwarded-For: {self.forwarded_for}\r\n".encode() if self.forwarded_for else b""
        )
        self.raw(
            "log-line-forging",
            b"GET /x%0A127.0.0.1%20-%20-%20forged HTTP/1.1\r\nHost: " + f"{host}:{port}".encode()
            + b"\r\n" + forwarded + b"Connection: close\r\n\r\n",
        )
        try:
            r = httpx.get(f"{self.base}/doc/id/dataset", params={"page": "\u00b2"},
                          headers=self.headers, timeout=self.timeout)
            self._judge("page-superscript-two", r.status_code, r.text)
        except httpx.HTTPError as exc:
            self._judge("page-superscript-two", 0, type(exc).__name__)
        self.post_query("custom-function", CUSTOM_FUNCTION)
        self.get_query("update-as-query", "INSERT DATA { <a:b> <a:c> <a:d> }")

    def slowloris(self, seconds: float = 3.0) -> None:
        """Headers sent a few bytes at a time: the server may drop it; it must not stall."""
        host, port = _host_port(self.base)
        try:
            with socket.create_connection((host, port), timeout=seconds + 5) as sock:
                stop = time.monotonic() + seconds
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")
                while time.monotonic() < stop:
                    sock.sendall(b"X-a: b\r\n")
                    time.sleep(0.5)
        except OSError:
            pass  # dropped by the server: what a header timeout does

    def all(self) -> list[Callable[[], None]]:
        """The attacks in the order an attacker replays them."""
        return [self.ssrf, self.freezes, self.smaller, self.crashes, self.memory,
                self.slow, self.slowloris]


def _host_port(base: str) -> tuple[str, int]:
    parts = urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80

