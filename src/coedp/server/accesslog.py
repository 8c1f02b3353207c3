"""The access log: one escaped line per request, the client's address hashed or truncated.

``3f9a0c2b1d4e - - [10/Oct/2025:13:55:36 +0000] "GET /sparql HTTP/1.1" 200 1234 12.3ms``

Every field that comes from the request is escaped (bytes outside printable
ASCII, ``"`` and ``\\`` as ``\\xHH``), so that no request can write a line of its
own. The path is logged as sent (still percent-encoded); the query string is
left out: queries can be long and are the client's business.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import re
import time
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coedp.server import clients

if TYPE_CHECKING:
    from coedp.server.metrics import Metrics

access_log = logging.getLogger("coedp.access")

LOG_CLIENT_MODES = ("hash", "truncate", "full")

# A random key for this process: hashes link one client's lines within a run of the
# server, and cannot be reversed by trying every address (the key is never written).
_KEY = os.urandom(16)
_UNSAFE = re.compile(rb'[^\x21\x23-\x5b\x5d-\x7e]')


def escape(value: str | bytes) -> str:
    """``value`` with every byte outside printable ASCII (and ``"``, ``\\``, space) as \\xHH."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
    return _UNSAFE.sub(lambda m: b"\\x%02X" % m.group()[0], raw).decode("ascii")


def mask_client(address: str, mode: str) -> str:
    """The client's address as the log shows it: ``hash`` (default), ``truncate`` or ``full``.

    ``truncate`` keeps the network (/24 for IPv4, /48 for IPv6), enough to see
    which network a flood comes from; ``hash`` is a keyed 12-hex-digit digest.
    """
    if mode == "full" or address == clients.INTERNAL:
        return address
    if mode == "truncate":
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return "-"
        prefix = 24 if ip.version == 4 else 48
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return hashlib.blake2b(address.encode(), key=_KEY, digest_size=6).hexdigest()


_FORMAT = '%s - - [%s] "%s %s HTTP/%s" %d %s %.1fms'
# Masked addresses kept at most (a client's address is masked once, not on every request).
_MASKS_KEPT = 4096


class AccessLogMiddleware:
    """Logs one line per request, once its response is complete (or abandoned), and
    counts it in ``metrics`` when given: one layer watches the response for both."""

    def __init__(
        self, app: ASGIApp, log_client: str = "hash", metrics: Metrics | None = None
    ) -> None:
        self.app = app
        self.log_client = log_client
        self.metrics = metrics
        self._masks: dict[str, str] = {}
        self._second = -1
        self._stamp = ""

    def _masked(self, address: str) -> str:
        masked = self._masks.get(address)
        if masked is None:
            if len(self._masks) >= _MASKS_KEPT:
                self._masks.clear()
            masked = self._masks[address] = escape(mask_client(address, self.log_client))
        return masked

    def _now(self) -> str:
        """The log's timestamp, formatted once a second."""
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(second))
        return self._stamp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        size = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.observe(scope, status, seconds)
            if access_log.isEnabledFor(logging.INFO):
                info = scope.get("coedp.request")
                address = info.client if info else (scope.get("client") or ("-", 0))[0]
                args = (
                    self._masked(address), self._now(), escape(scope["method"]),
                    escape(scope.get("raw_path") or scope["path"]),
                    escape(scope.get("http_version", "1.1")), status, size or "-",
                    seconds * 1000,
                )
                # As Logger.info would, less the search of the stack for the caller's line.
                access_log.handle(access_log.makeRecord(
                    access_log.name, logging.INFO, __file__, 0, _FORMAT, args, None,
                    "AccessLogMiddleware",
                ))
