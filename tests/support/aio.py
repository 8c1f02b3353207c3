"""Run a coroutine to the end from a test, whatever loop the session already runs.

Playwright's sync API keeps an event loop running in the main thread while the
browser fixture lives, and asyncio.run refuses to start inside it: a coroutine
runs on a thread of its own instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[object, object, T], timeout: float = 60) -> T:
    """``asyncio.run(coroutine)`` on a fresh thread; its result, or its exception."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout)
