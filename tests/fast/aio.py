"""The fast tests' name for tests/support/aio.py (a coroutine run on a thread of its own)."""

from __future__ import annotations

from support.aio import run

__all__ = ["run"]
