"""A fair queue in front of the query engine: no client can take every worker.

Every query (/sparql, the graph store, the site's pages) goes through
``app.state.pool.run(task, timeout)``; :class:`FairPool` wraps the engine with
the same interface and decides which query runs next:

* at most ``capacity`` queries run at once (the engine's workers), and at most
  ``per_client`` of them for one client, so a client sending many slow queries
  leaves the other workers to everyone else;
* the others wait, ``client_queue`` at most per client and ``max_queue`` in
  all; beyond that the query is refused at once with 429 and Retry-After;
* a query whose turn comes is started on the engine inside the step that freed
  its slot, where the engine can (the worker pool's ``begin``): its worker does
  not wait for the request to run again;
* a freed worker goes to the waiting client that has used the engine least
  lately (worker-seconds, halved every ``USAGE_HALF_LIFE`` seconds, its running
  queries included), in turn among equals, first come first served within one
  client. A client whose queries are cheap is served before one that has just
  held a worker for seconds, so a few clients sending slow or exploding queries
  cannot make everyone else wait: they get the workers nobody lighter asks for;
* a client one of whose recent queries took more than ``HEAVY_QUERY`` seconds of
  CPU is heavy (for about a half-life), and heavy clients together run at most
  half the pool's workers: however many of them there are, the other half stays
  for the queries that take milliseconds.

The client is the one :mod:`coedp.server.clients` set for the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from coedp.server import clients
from coedp.server.engine import Outcome

# Weight of the latest query in the running mean of query times (for Retry-After).
_SMOOTHING = 0.2
# Seconds for a client's recorded engine time to halve: long enough that a client who
# held a worker for the whole timeout stays behind the others for minutes, short
# enough that a researcher's one heavy query is forgiven soon after.
USAGE_HALF_LIFE = 60.0
# Clients remembered at most; past it the ones whose usage has decayed to nothing go.
_USAGE_ENTRIES = 4096
# CPU seconds of one query that make its client heavy for a while (the competency
# questions of queries/ take under 0.2 s each on the published dataset).
HEAVY_QUERY = 0.5


class UsageLedger:
    """Engine seconds used by each client lately, decaying exponentially with time."""

    def __init__(self, half_life: float = USAGE_HALF_LIFE) -> None:
        self.half_life = half_life
        # client -> (seconds in all, seconds of its costliest query, as of)
        self._spent: dict[str, tuple[float, float, float]] = {}

    def __len__(self) -> int:
        return len(self._spent)

    def _decayed(self, client: str, now: float) -> tuple[float, float]:
        seconds, peak, stamp = self._spent.get(client, (0.0, 0.0, now))
        factor = 0.5 ** ((now - stamp) / self.half_life)
        return seconds * factor, peak * factor

    def value(self, client: str, now: float) -> float:
        """The client's decayed engine seconds at ``now``."""
        return self._decayed(client, now)[0]

    def peak(self, client: str, now: float) -> float:
        """The decayed cost of the client's costliest recent query."""
        return self._decayed(client, now)[1]

    def charge(self, client: str, seconds: float, now: float) -> None:
        """Add a query of ``seconds`` of engine time to the client's account."""
        total, peak = self._decayed(client, now)
        self._spent[client] = (total + seconds, max(peak, seconds), now)
        if len(self._spent) > _USAGE_ENTRIES:
            self._spent = {
                c: (v, p, t) for c, (v, p, t) in self._spent.items()
                if v * 0.5 ** ((now - t) / self.half_life) > 0.01
            }


@dataclass(frozen=True)
class Refusal(Outcome):
    """An outcome refused before the engine, with headers for the response (Retry-After)."""

    headers: dict[str, str] = field(default_factory=dict)
    reason: str = ""


def default_per_client(workers: int) -> int:
    """Half the workers, at least one: a client never holds the whole pool when it has two."""
    return max(1, workers // 2)


class FairPool:
    """The engine's ``run/ready/pids/start/close`` behind a per-client, round-robin queue."""

    def __init__(
        self, pool: Any, *, per_client: int, client_queue: int, max_queue: int,
        capacity: int | None = None,
    ) -> None:
        self.pool = pool
        self._capacity = capacity or getattr(pool, "concurrency", None) or pool.size
        if hasattr(pool, "on_capacity_change"):
            pool.on_capacity_change = self._dispatch
        self.per_client = per_client
        self.client_queue = client_queue
        self.max_queue = max_queue
        self.running = 0
        self.queued = 0
        self.refused = 0
        self._running: dict[str, int] = {}
        # When each client's running queries got their slot, for its usage.
        self._since: dict[str, list[float]] = {}
        self.usage = UsageLedger()
        # Waiting queries by client; the order of the keys is the round-robin turn. A
        # future's result is True once its query holds a slot, False once it waited too long.
        self._waiting: OrderedDict[str, deque[asyncio.Future[bool]]] = OrderedDict()
        # What each waiting query runs (task, timeout), and the worker an engine that can
        # start a query at once (``begin``) started it on when its turn came.
        self._tasks: dict[asyncio.Future[bool], tuple[object, float]] = {}
        self._begun: dict[asyncio.Future[bool], object] = {}
        self._draining: set[asyncio.Task[None]] = set()
        self._mean_seconds = 1.0

    # -- the engine's interface -----------------------------------------------
    async def start(self) -> None:
        """Start the engine."""
        await self.pool.start()

    async def close(self) -> None:
        """Stop the engine; waiting queries are answered 503 by their own timeout."""
        await self.pool.close()

    @property
    def ready(self) -> bool:
        """Whether the engine can answer."""
        ready: bool = self.pool.ready
        return ready

    def pids(self) -> list[int]:
        """The engine's worker process ids."""
        pids: list[int] = self.pool.pids()
        return pids

    def __getattr__(self, name: str) -> Any:
        # Anything else (size, restarts, memory_by_pid...) is the engine's.
        return getattr(self.__dict__["pool"], name)

    @property
    def capacity(self) -> int:
        """Queries that may run at once: the engine's own figure when it has one (the
        worker pool's grows while long queries run beside it), else the fixed one."""
        live = getattr(self.pool, "capacity", None)
        return live if isinstance(live, int) else self._capacity

    @property
    def saturated(self) -> bool:
        """Whether the queue is full, so that a new client's query would be refused."""
        return self.queued >= self.max_queue

    def clients_waiting(self) -> int:
        """How many clients have a query waiting."""
        return len(self._waiting)

    # -- running ---------------------------------------------------------------
    async def run(self, task: object, timeout: float) -> Outcome:
        """Run ``task`` when its client's turn comes; 429 when the queue is full."""
        client = clients.current().client
        if not self._may_start(client):
            refusal = self._refusal(client, timeout)
            if refusal is not None:
                self.refused += 1
                clients.set_reason(refusal.reason)
                return refusal
            waited, begun = await self._wait(client, task, timeout)
            if waited is not None:
                return waited
        else:
            self._take(client)
            begun = None
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            if begun is None:
                outcome: Outcome = await self.pool.run(task, timeout)
            else:  # the engine started it when its turn came (see _dispatch)
                outcome = await self.pool.run(task, timeout, begun=begun)
        except BaseException:
            self._release(client)
            raise
        # Charged in CPU seconds where the engine measures them (never the time spent
        # waiting for a worker to start), else in wall-clock time.
        self._release(client, outcome.cpu)
        took = loop.time() - started
        self._mean_seconds += _SMOOTHING * (took - self._mean_seconds)
        if outcome.status != 200:
            clients.set_reason(_ENGINE_REASONS.get(outcome.status, f"status_{outcome.status}"))
        return outcome

    def _may_start(self, client: str) -> bool:
        # Whoever waits is blocked (every change ends with _dispatch), so a free
        # slot may go to a client that has nothing waiting and is under its limit.
        return (
            self.running < self.capacity
            and self._running.get(client, 0) < self.per_client
            and client not in self._waiting
            and self._heavy_may_start(client, time.monotonic())
        )

    @property
    def heavy_share(self) -> int:
        """Queries heavy clients may run at once, together: half the pool."""
        size = getattr(self.pool, "size", None)
        return max(1, (size if isinstance(size, int) else self._capacity) // 2)

    def is_heavy(self, client: str, now: float) -> bool:
        """Whether one of the client's recent queries cost more than ``HEAVY_QUERY``, or
        one of its running queries has run for twice that (its cost is not known yet)."""
        if self.usage.peak(client, now) > HEAVY_QUERY:
            return True
        return any(now - start > 2 * HEAVY_QUERY for start in self._since.get(client, ()))

    def _heavy_may_start(self, client: str, now: float) -> bool:
        if not self.is_heavy(client, now):
            return True
        heavy = sum(n for c, n in self._running.items() if self.is_heavy(c, now))
        return heavy < self.heavy_share

    def _refusal(self, client: str, timeout: float) -> Refusal | None:
        waiting = len(self._waiting.get(client, ()))
        if waiting >= self.client_queue:
            after = self._retry_after(waiting + self._running.get(client, 0), timeout)
            return Refusal(
                429, reason="client_limit", headers={"Retry-After": str(after)},
                message=f"too many queries from your address at once: {self.per_client} may "
                f"run and {self.client_queue} wait; wait for your answers before sending more "
                f"(retry after {after} s)",
            )
        if self.queued >= self.max_queue:
            after = self._retry_after(self.queued, timeout, shared=True)
            return Refusal(
                429, reason="queue_full", headers={"Retry-After": str(after)},
                message=f"the endpoint is saturated: {self.queued} queries are waiting, the "
                f"most it queues; try again in {after} s",
            )
        return None

    def _retry_after(self, ahead: int, timeout: float, shared: bool = False) -> int:
        """Seconds until about ``ahead`` queries have run, from the recent mean query time."""
        slots = self.capacity if shared else self.per_client
        estimate = self._mean_seconds * ahead / max(1, slots)
        return max(1, min(math.ceil(timeout), math.ceil(estimate)))

    async def _wait(
        self, client: str, task: object, timeout: float
    ) -> tuple[Outcome | None, object]:
        """Wait for a turn, or 503 after ``timeout``: (None, the worker the engine started
        the task on or None) once this query holds a slot, else (the 503, None).

        One future and one timer (no task): the turn sets the future True, the timer
        takes the query out of the queue and sets it False, whichever comes first.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._waiting.setdefault(client, deque()).append(future)
        self._tasks[future] = (task, timeout)
        self.queued += 1
        timer = loop.call_later(timeout, self._expire, client, future)
        try:
            granted = await future
        except asyncio.CancelledError:
            self._abandon(client, future)
            raise
        finally:
            timer.cancel()
            self._tasks.pop(future, None)
        if granted:
            return None, self._begun.pop(future, None)
        clients.set_reason("queue_timeout")
        return Outcome(
            503, message=f"the endpoint is busy: this query waited {timeout:g} s for a "
            "query worker; try again later",
        ), None

    def _expire(self, client: str, future: asyncio.Future[bool]) -> None:
        """A query waited ``timeout`` seconds: out of the queue (unless its turn came)."""
        if not future.done():
            self._leave_queue(client, future)
            future.set_result(False)

    def _abandon(self, client: str, future: asyncio.Future[bool]) -> None:
        """Give up a turn: leave the queue, or hand back a slot granted in the meantime."""
        if future.done() and not future.cancelled():
            if future.result():
                begun = self._begun.pop(future, None)
                if begun is None:
                    self._release(client)
                else:  # its worker is on it already: the slot is free once it answers
                    task, timeout = self._tasks.get(future, (None, 1.0))
                    drain = asyncio.get_running_loop().create_task(
                        self._drain(client, task, timeout, begun)
                    )
                    self._draining.add(drain)
                    drain.add_done_callback(self._draining.discard)
            return
        # Cancelled with the request that waited: it may still be in the queue.
        future.cancel()
        self._leave_queue(client, future)

    async def _drain(self, client: str, task: object, timeout: float, begun: object) -> None:
        """Wait for the answer of a query its request gave up, then free its slot."""
        cpu = None
        try:
            cpu = (await self.pool.run(task, timeout, begun=begun)).cpu
        finally:
            self._release(client, cpu)

    def _leave_queue(self, client: str, future: asyncio.Future[bool]) -> None:
        queue = self._waiting.get(client)
        if queue is not None:
            with contextlib.suppress(ValueError):
                queue.remove(future)
                self.queued -= 1
            if not queue:
                del self._waiting[client]

    def _take(self, client: str) -> None:
        self.running += 1
        self._running[client] = self._running.get(client, 0) + 1
        self._since.setdefault(client, []).append(time.monotonic())

    def _release(self, client: str, charge: float | None = None) -> None:
        self.running -= 1
        left = self._running[client] - 1
        if left:
            self._running[client] = left
        else:
            del self._running[client]
        # The oldest start: with several queries running, the sum charged is exact.
        starts = self._since[client]
        now = time.monotonic()
        elapsed = now - starts.pop(0)
        self.usage.charge(client, elapsed if charge is None else charge, now)
        if not starts:
            del self._since[client]
        self._dispatch()

    def cost(self, client: str, now: float) -> float:
        """The client's engine seconds lately, the time its running queries have run so far
        included (which is what ranks it among the waiting clients)."""
        running = sum(now - start for start in self._since.get(client, ()))
        return self.usage.value(client, now) + running

    def _dispatch(self) -> None:
        """Hand free slots to the waiting clients that used the engine least, in turn."""
        while self.running < self.capacity and self._waiting:
            now = time.monotonic()
            eligible = [
                c for c in self._waiting
                if self._running.get(c, 0) < self.per_client and self._heavy_may_start(c, now)
            ]
            if not eligible:
                return  # every waiting client already runs its share
            # min() keeps the first of equals: the turn order of the waiting clients.
            client = min(eligible, key=lambda c: self.cost(c, now))
            queue = self._waiting[client]
            future = queue.popleft()
            self.queued -= 1
            if queue:
                self._waiting.move_to_end(client)  # its next query waits for the others
            else:
                del self._waiting[client]
            if future.done():  # cancelled with its request, not yet out of the queue
                continue
            self._take(client)
            self._start(future)
            future.set_result(True)

    def _start(self, future: asyncio.Future[bool]) -> None:
        """Start a waiting query on the engine now, where the engine can (``begin``)."""
        begin = getattr(self.pool, "begin", None)
        waiting = self._tasks.get(future)
        if begin is None or waiting is None:
            return
        begun = begin(waiting[0])
        if begun is not None:
            self._begun[future] = begun


# Refusals the engine answers, by status, for the metrics.
_ENGINE_REASONS = {
    400: "syntax",
    422: "result_cap",
    500: "engine_error",
    503: "timeout",
    507: "memory",
}
