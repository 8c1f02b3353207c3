"""The fair queue's order: the client that used the engine least lately goes first."""

from __future__ import annotations

import asyncio
import time

from support import aio

from coedp.server import clients
from coedp.server.engine import Outcome
from coedp.server.fairness import FairPool, UsageLedger


class SlowEngine:
    """An engine of ``size`` workers whose every task sleeps for the seconds it is."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.order: list[str] = []

    async def run(self, task: object, timeout: float) -> Outcome:
        self.order.append(clients.current().client)
        await asyncio.sleep(float(task))  # type: ignore[arg-type]
        return Outcome(200, b"")


async def ask(pool: FairPool, client: str, seconds: float) -> Outcome:
    clients._current.set(clients.RequestInfo(client=client))
    return await pool.run(seconds, timeout=30)


def test_a_light_client_goes_before_one_that_held_the_engine():
    async def scenario() -> list[str]:
        engine = SlowEngine(1)
        pool = FairPool(engine, per_client=1, client_queue=8, max_queue=64)
        await ask(pool, "heavy", 0.3)  # heavy has used the engine for 0.3 s
        blocker = asyncio.create_task(ask(pool, "other", 0.1))  # holds the only worker
        await asyncio.sleep(0.01)
        # heavy asks first, light second: light must still be served first.
        waiting = [asyncio.create_task(ask(pool, "heavy", 0.0))]
        await asyncio.sleep(0.01)
        waiting.append(asyncio.create_task(ask(pool, "light", 0.0)))
        await asyncio.gather(blocker, *waiting)
        return engine.order

    assert aio.run(scenario()) == ["heavy", "other", "light", "heavy"]


def test_equal_clients_take_turns():
    async def scenario() -> list[str]:
        engine = SlowEngine(1)
        pool = FairPool(engine, per_client=1, client_queue=8, max_queue=64)
        blocker = asyncio.create_task(ask(pool, "z", 0.05))
        await asyncio.sleep(0.01)
        jobs = [asyncio.create_task(ask(pool, name, 0.0)) for name in ("a", "a", "b")]
        await asyncio.gather(blocker, *jobs)
        return engine.order

    # "a" asked twice before "b" asked once: "b" is served between a's two queries.
    assert aio.run(scenario()) == ["z", "a", "b", "a"]


def test_usage_halves_with_its_half_life():
    ledger = UsageLedger(half_life=10.0)
    ledger.charge("c", 8.0, now=100.0)
    assert ledger.value("c", 100.0) == 8.0
    assert abs(ledger.value("c", 110.0) - 4.0) < 1e-9
    assert ledger.value("unknown", 110.0) == 0.0


def test_heavy_clients_share_half_the_pool():
    async def scenario() -> tuple[int, float]:
        engine = SlowEngine(4)
        pool = FairPool(engine, per_client=2, client_queue=8, max_queue=64)
        now = time.monotonic()
        for name in ("h1", "h2", "h3"):  # each ran a query of a second of CPU lately
            pool.usage.charge(name, 1.0, now)
        heavy = [asyncio.create_task(ask(pool, name, 0.5)) for name in ("h1", "h2", "h3")]
        await asyncio.sleep(0.05)
        running = pool.running
        started = time.monotonic()
        await ask(pool, "light", 0.0)
        waited = time.monotonic() - started
        await asyncio.gather(*heavy)
        return running, waited

    running, waited = aio.run(scenario())
    assert running == 2  # half of the four workers; the third heavy query waits
    assert waited < 0.2  # a light client finds a worker at once


def test_usage_remembers_the_costliest_recent_query():
    ledger = UsageLedger(half_life=10.0)
    ledger.charge("c", 2.0, now=0.0)
    ledger.charge("c", 0.1, now=0.0)
    assert ledger.peak("c", 0.0) == 2.0
    assert abs(ledger.peak("c", 10.0) - 1.0) < 1e-9


class MeasuredEngine(SlowEngine):
    """Sleeps as told, and says its tasks cost no CPU (as a query waiting for a worker)."""

    async def run(self, task: object, timeout: float) -> Outcome:
        await asyncio.sleep(float(task))  # type: ignore[arg-type]
        return Outcome(200, b"", cpu=0.0)


def test_a_client_is_charged_the_cpu_its_query_used_not_the_wait():
    async def scenario() -> tuple[bool, float]:
        pool = FairPool(MeasuredEngine(2), per_client=1, client_queue=8, max_queue=64)
        await ask(pool, "patient", 0.7)
        now = time.monotonic()
        return pool.is_heavy("patient", now), pool.usage.value("patient", now)

    heavy, spent = aio.run(scenario())
    assert not heavy and spent == 0.0
