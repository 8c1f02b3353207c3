"""open_backend: the one place the backend is chosen, and what each gives before it starts."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from coedp.server.backends import QueryBackend, open_backend
from coedp.server.backends.embedded import EmbeddedBackend
from coedp.server.backends.memory import MemoryBackend
from coedp.server.engine import QueryTask
from coedp.server.settings import Settings
from coedp.server.store import DatasetError

from . import aio

SMALL = Path(__file__).parents[1] / "endpoint" / "fixtures" / "small.trig"


def test_data_gives_the_embedded_store_with_its_dumps() -> None:
    backend = open_backend(Settings(data=SMALL))
    try:
        assert isinstance(backend, EmbeddedBackend) and isinstance(backend, QueryBackend)
        assert backend.info.dumps == SMALL.parent
        # Not started: not ready, and a query is refused rather than lost.
        status = backend.status()
        assert not status.ready and "no query worker" in status.reason
        outcome = aio.run(backend.run(QueryTask("ASK {}", "json", "turtle", 1), 5))
        assert outcome.status == 503
    finally:
        aio.run(backend.close())
    assert not backend.dataset.store_path.exists()  # the temporary store is removed


def test_embedded_and_memory_count_the_same() -> None:
    backend = open_backend(Settings(data=SMALL))
    try:
        memory = MemoryBackend.from_path(SMALL).info
        embedded = backend.info
        assert (embedded.version, embedded.graphs, embedded.total_triples,
                embedded.distinct_subjects) == (memory.version, memory.graphs,
                                                memory.total_triples, memory.distinct_subjects)
    finally:
        aio.run(backend.close())


def test_an_unreachable_store_is_said_so() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DatasetError, match=f"cannot reach the store at http://127.0.0.1:{port}"):
        open_backend(Settings(store=f"http://127.0.0.1:{port}/sparql"))


def test_no_data_is_said_so() -> None:
    with pytest.raises(DatasetError, match="no dataset to serve"):
        open_backend(Settings())
