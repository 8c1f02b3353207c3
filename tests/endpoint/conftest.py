"""The endpoint tests' names, kept importable here: the servers live in tests/support/,
and the session's shared servers (``server``, ``client``, ``protocol_server``) in
tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

from support.servers import PROTOCOL, SMALL, Server, free_port, serve_command

__all__ = ["FIXTURES", "PROTOCOL", "SMALL", "Server", "free_port", "serve_command"]

FIXTURES = Path(__file__).parent / "fixtures"
