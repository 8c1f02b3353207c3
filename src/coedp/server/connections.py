"""Connection limits uvicorn does not have: header and send timeouts, a connection cap.

uvicorn (0.55) times out only an idle keep-alive connection, once a response has
been sent: a connection that sends nothing, or sends its request a byte at a
time (slowloris), is kept for ever, and so are the connections of a client that
stops reading its response. :func:`protocol_class` returns its h11 protocol
with, per connection:

* a request timeout: the request (headers and body) must arrive whole within
  ``request_timeout`` seconds of the connection opening or of the previous
  response; otherwise the connection is closed;
* the idle timeout (uvicorn's ``timeout_keep_alive``), armed on a new
  connection as well as after each response;
* a send timeout: a client that reads nothing of its response for
  ``send_timeout`` seconds is cut off, which frees what its response holds;
* a cap: past ``max_connections`` open connections, the connection that has
  waited longest for its next request is closed to make room; when none is
  waiting, the new one is answered 503 and closed at once.

It also raises the open-files limit and keeps accept errors (EMFILE) from
flooding the log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("coedp.server")

# Sent to a connection over the cap, before any request is read.
_OVER_CAPACITY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"retry-after: 5\r\nconnection: close\r\ncontent-length: 57\r\n\r\n"
    b"the server has too many open connections; try again soon\n"
)


@dataclass
class ConnectionStats:
    """Counts for the metrics: open connections and why connections were dropped."""

    open: int = 0
    accepted: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    accept_errors: int = 0


def protocol_class(
    *, request_timeout: float, send_timeout: float, max_connections: int,
    stats: ConnectionStats | None = None,
) -> type[H11Protocol]:
    """uvicorn's h11 protocol with these limits (pass it to ``uvicorn.Config(http=...)``)."""
    return type(
        "LimitedH11Protocol", (LimitedH11Protocol,), {
            "request_timeout": request_timeout,
            "send_timeout": send_timeout,
            "max_connections": max_connections,
            "stats": stats or ConnectionStats(),
            "waiting": OrderedDict(),
        },
    )


class LimitedH11Protocol(H11Protocol):
    """See the module docstring; configured by :func:`protocol_class`."""

    request_timeout: ClassVar[float] = 10.0
    send_timeout: ClassVar[float] = 30.0
    max_connections: ClassVar[int] = 1024
    stats: ClassVar[ConnectionStats] = ConnectionStats()
    # Connections waiting for a request, the one that has waited longest first.
    waiting: ClassVar[OrderedDict[LimitedH11Protocol, None]] = OrderedDict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_timer: asyncio.TimerHandle | None = None
        self._send_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.stats.accepted += 1
        self.stats.open += 1
        if len(self.connections) > self.max_connections and not self._make_room():
            self.stats.dropped["over_capacity"] += 1
            transport.write(_OVER_CAPACITY)
            transport.close()
            return
        self._await_request()
        # uvicorn arms the idle timeout only after a response; a silent new
        # connection is idle too.
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for a request; False if none waits."""
        for victim in self.waiting:
            victim._drop("evicted")
            return True
        return False

    def _await_request(self) -> None:
        """Start waiting for the next request: it must arrive within the request timeout."""
        self._cancel_request_timer()
        self.waiting[self] = None
        self._request_timer = self.loop.call_later(self.request_timeout, self._request_expired)

    def _request_expired(self) -> None:
        self._request_timer = None
        self._drop("request_timeout")

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _drop(self, reason: str) -> None:
        """Close this connection now, counting why."""
        self.waiting.pop(self, None)
        self._cancel_request_timer()
        if not self.transport.is_closing():
            self.stats.dropped[reason] += 1
            self.transport.abort()

    def handle_events(self) -> None:
        """Parse what arrived; a request whose headers have come is no longer idle."""
        super().handle_events()
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        self.waiting.pop(self, None)  # a request in progress is never evicted
        if not cycle.more_body or cycle.response_started:
            self._cancel_request_timer()  # the whole request is in

    def on_response_complete(self) -> None:
        """Wait for the next request (uvicorn arms the idle timeout)."""
        if not self.transport.is_closing():
            self._await_request()
        super().on_response_complete()

    def pause_writing(self) -> None:
        """The client is not reading: cut it off if that lasts ``send_timeout`` seconds."""
        super().pause_writing()
        if self._send_timer is None:
            self._send_timer = self.loop.call_later(self.send_timeout, self._send_expired)

    def resume_writing(self) -> None:
        """The client reads again."""
        super().resume_writing()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _send_expired(self) -> None:
        self._send_timer = None
        self._drop("send_timeout")

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection and its timers."""
        self.stats.open -= 1
        self.waiting.pop(self, None)
        self._cancel_request_timer()
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None
        super().connection_lost(exc)


# -- open files ------------------------------------------------------------------
def raise_open_files_limit() -> int:
    """Raise the soft open-files limit to the hard one; returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-files limit from %d: %s", soft, exc)
    return soft


def connection_budget(requested: int, open_files: int, workers: int) -> int:
    """The connection cap that fits the open-files limit.

    Room is kept for what is open now, two pipes per query worker and a margin
    for the store's files and replacements; a cap beyond the limit would turn
    every new connection into an accept error (EMFILE) instead of a clean 503.
    """
    in_use = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 64
    room = open_files - in_use - 4 * workers - 64
    return max(1, min(requested, room))


class AcceptErrorFilter(logging.Filter):
    """Lets one "socket.accept() out of system resource" record through per ``interval`` s.

    asyncio logs that error with a traceback each time it retries accepting;
    when descriptors run out that is a flood that buries the log. The record
    let through says how many were held back, without the traceback.
    """

    MESSAGE = "socket.accept() out of system resource"

    def __init__(self, interval: float = 5.0, stats: ConnectionStats | None = None) -> None:
        super().__init__()
        self.interval = interval
        self.stats = stats
        self.held_back = 0
        self._last = -float("inf")

    def filter(self, record: logging.LogRecord) -> bool:
        """False for an accept error within ``interval`` of the last one reported."""
        if not str(record.msg).startswith(self.MESSAGE):
            return True
        if self.stats is not None:
            self.stats.accept_errors += 1
        now = time.monotonic()
        if now - self._last < self.interval:
            self.held_back += 1
            return False
        error = record.exc_info[1] if record.exc_info else None
        record.msg = "%s: %s (%d more since the last report; new connections wait in the backlog)"
        record.args = (self.MESSAGE, error or "unknown error", self.held_back)
        record.exc_info = None
        record.exc_text = None
        self.held_back = 0
        self._last = now
        return True


def install_accept_error_filter(
    interval: float = 5.0, stats: ConnectionStats | None = None
) -> AcceptErrorFilter:
    """Add an :class:`AcceptErrorFilter` to asyncio's logger (where the errors are logged)."""
    flt = AcceptErrorFilter(interval, stats)
    logging.getLogger("asyncio").addFilter(flt)
    return flt


class RepeatFilter(logging.Filter):
    """Lets one record starting with ``message`` through per ``interval`` seconds.

    uvicorn logs "Invalid HTTP request received." for every malformed request:
    an attacker sending garbage would write one line per request. The record let
    through counts the ones held back since the last.
    """

    def __init__(self, message: str, interval: float = 5.0) -> None:
        super().__init__()
        self.message = message
        self.interval = interval
        self.held_back = 0
        self._last = -float("inf")

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat within ``interval`` of the last one let through."""
        if not str(record.msg).startswith(self.message):
            return True
        now = time.monotonic()
        if now - self._last < self.interval:
            self.held_back += 1
            return False
        if self.held_back:
            record.msg = f"{self.message} ({self.held_back} more since the last report)"
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        self.held_back = 0
        self._last = now
        return True


def install_invalid_request_filter(interval: float = 5.0) -> RepeatFilter:
    """Rate-limit uvicorn's line about each malformed request (on ``uvicorn.error``)."""
    flt = RepeatFilter("Invalid HTTP request received.", interval)
    logging.getLogger("uvicorn.error").addFilter(flt)
    return flt
