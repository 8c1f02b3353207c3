"""The site in this process: ``create_site`` over an in-memory backend, and a synchronous
httpx client that talks to it through httpx's ``ASGITransport`` (no socket, no server
process, no worker process).

For tests of what the application does with a request (the protocol, negotiation,
validators, pages, charts); what needs a real process (timeouts that kill a worker,
signals, the sandbox, connections, limits, the command line) keeps :class:`Server`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
from fastapi import FastAPI

from coedp.server.backends.memory import MemoryBackend
from coedp.server.settings import Settings
from coedp.web import create_site

T = TypeVar("T")

# The address the application believes it serves (the service description names it);
# no socket is ever opened on it.
HOST = "127.0.0.1"
PORT = 8000
REQUEST_TIMEOUT = 60.0


class LoopThread:
    """One event loop on a thread of its own, for every request to one application.

    The application keeps asyncio objects (locks, queues) bound to the loop they were
    first used on: all its requests run on this one loop.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="coedp-test-asgi", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[object, object, T], timeout: float) -> T:
        """Run ``coroutine`` on the loop and wait for its result (at most ``timeout``)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class SyncASGITransport(httpx.BaseTransport):
    """httpx's ``ASGITransport`` for a synchronous ``httpx.Client``: each request runs on
    the application's loop thread and its body is read whole there."""

    def __init__(self, app: FastAPI, loop: LoopThread, client: tuple[str, int]) -> None:
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the application; the response with its whole body."""

        async def send() -> tuple[int, httpx.Headers, bytes, dict[str, object]]:
            request.stream = httpx.ByteStream(request.read())
            response = await self._inner.handle_async_request(request)
            body = b"".join([chunk async for chunk in response.aiter_raw()])  # still encoded
            await response.aclose()
            return response.status_code, response.headers, body, response.extensions

        status, headers, body, extensions = self._loop.run(send(), REQUEST_TIMEOUT)
        # The body as sent (gzip, say): the client decodes it, as from a socket.
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(body), extensions=extensions
        )


@dataclass
class InProcessSite:
    """The whole site (endpoint and pages) over an in-memory copy of ``data``.

    ``base`` and ``sparql`` are the addresses the application names itself by, as
    :class:`~support.servers.Server`'s are; requests reach it only through ``client``.
    """

    app: FastAPI
    backend: MemoryBackend
    settings: Settings
    _loop: LoopThread
    _lifespan: AbstractAsyncContextManager[object]

    @classmethod
    def over(cls, data: Path, **settings: object) -> InProcessSite:
        """The site over ``data`` (a built dataset file or folder), with ``settings``."""
        config = Settings(data=data, host=HOST, port=PORT, **settings)  # type: ignore[arg-type]
        backend = MemoryBackend.from_path(
            data, max_response_bytes=config.max_response_mb * 1024 * 1024,
            max_tokens=config.max_query_tokens,
        )
        app = create_site(config, backend)
        loop = LoopThread()
        # The application's start-up runs as under uvicorn (the backend is started).
        lifespan = app.router.lifespan_context(app)
        loop.run(lifespan.__aenter__(), 60)
        return cls(app, backend, config, loop, lifespan)

    @property
    def port(self) -> int:
        """The port the application believes it listens on."""
        return self.settings.port

    @property
    def base(self) -> str:
        """``http://HOST:PORT``, the site's root."""
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """Same as ``base``."""
        return self.base

    @property
    def sparql(self) -> str:
        """The endpoint's address."""
        return f"{self.base}/sparql"

    def client(
        self, *, follow_redirects: bool = False, peer: tuple[str, int] = (HOST, 40000)
    ) -> httpx.Client:
        """A synchronous httpx client on the site; requests come from ``peer``."""
        transport = SyncASGITransport(self.app, self._loop, peer)
        return httpx.Client(
            transport=transport, base_url=self.base, follow_redirects=follow_redirects,
            timeout=REQUEST_TIMEOUT,
        )

    def close(self) -> None:
        """Shut the application down (its backend closes), then stop the loop thread."""
        self._loop.run(self._lifespan.__aexit__(None, None, None), 60)
        self._loop.close()
