"""Fixtures: real ``coedp serve`` processes on free ports of 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.servers import PROTOCOL, SMALL, Server, free_port, serve_command

__all__ = ["FIXTURES", "PROTOCOL", "SMALL", "Server", "free_port", "serve_command"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The endpoint over the small coedp-like fixture dataset."""
    srv = Server(SMALL)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def protocol_server() -> Iterator[Server]:
    """The endpoint over the graphs the W3C protocol tests expect (data0..data3.rdf)."""
    srv = Server(PROTOCOL, "--workers", "1")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    """An httpx client on the small dataset's endpoint."""
    with httpx.Client(base_url=server.base, timeout=30) as c:
        yield c
