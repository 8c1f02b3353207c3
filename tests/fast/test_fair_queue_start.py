"""The fair queue starts a waiting query on the engine as soon as its turn comes.

An engine with ``begin`` (the worker pool) is handed the waiting query inside
the step that freed the slot; the request then only waits for the answer. A
request that gives up after its query was started keeps the slot until the
engine has answered, then frees it: no slot is lost, none is handed out twice.
"""

from __future__ import annotations

import asyncio

from coedp.server import clients
from coedp.server.engine import Outcome
from coedp.server.fairness import FairPool

from . import aio


class GatedEngine:
    """One worker; each task waits for its gate; ``begin`` starts a task at once."""

    size = 1

    def __init__(self) -> None:
        self.gates: dict[str, asyncio.Event] = {}
        self.begun: list[str] = []
        self.answered: list[str] = []
        self.on_begin: list[asyncio.Task[Outcome]] = []  # requests to cancel when begun

    def gate(self, name: str) -> asyncio.Event:
        return self.gates.setdefault(name, asyncio.Event())

    def begin(self, task: object) -> str:
        self.begun.append(str(task))
        for request in self.on_begin:  # the request gives up before it runs again
            asyncio.get_running_loop().call_soon(request.cancel)
        return f"ticket-{task}"

    async def run(self, task: object, timeout: float, begun: object = None) -> Outcome:
        if begun is not None:
            assert begun == f"ticket-{task}"
        await self.gate(str(task)).wait()
        self.answered.append(str(task))
        return Outcome(200, str(task).encode(), cpu=0.0)


async def ask(pool: FairPool, task: str) -> Outcome:
    clients._current.set(clients.RequestInfo(client="one"))
    return await pool.run(task, timeout=10)


def test_a_waiting_query_is_begun_when_the_slot_frees() -> None:
    async def scenario() -> tuple[list[str], list[bytes]]:
        engine = GatedEngine()
        pool = FairPool(engine, per_client=1, client_queue=8, max_queue=64)
        first = asyncio.create_task(ask(pool, "a"))
        await asyncio.sleep(0)
        second = asyncio.create_task(ask(pool, "b"))
        await asyncio.sleep(0.01)
        assert engine.begun == [] and pool.queued == 1
        engine.gate("a").set()
        engine.gate("b").set()
        answers = await asyncio.gather(first, second)
        assert pool.running == 0 and pool.queued == 0
        return engine.begun, [a.body for a in answers]

    begun, bodies = aio.run(scenario())
    assert begun == ["b"]  # "a" ran at once; "b" was started by the queue
    assert bodies == [b"a", b"b"]


def test_a_begun_query_given_up_frees_its_slot_once_answered() -> None:
    async def scenario() -> None:
        engine = GatedEngine()
        pool = FairPool(engine, per_client=1, client_queue=8, max_queue=64)
        first = asyncio.create_task(ask(pool, "a"))
        await asyncio.sleep(0)
        second = asyncio.create_task(ask(pool, "b"))
        await asyncio.sleep(0.01)
        engine.on_begin.append(second)
        engine.gate("a").set()
        await first
        await asyncio.sleep(0.01)
        assert second.cancelled()
        assert engine.begun == ["b"]
        assert pool.running == 1  # "b" still holds its worker
        third = asyncio.create_task(ask(pool, "c"))
        await asyncio.sleep(0.01)
        assert not third.done() and pool.queued == 1
        engine.on_begin.clear()
        engine.gate("b").set()  # the engine answers the abandoned query
        engine.gate("c").set()
        assert (await asyncio.wait_for(third, 5)).body == b"c"
        assert engine.answered == ["a", "b", "c"]
        assert pool.running == 0 and pool.queued == 0

    aio.run(scenario())
