"""A pool of worker processes, each holding the store opened read-only.

pyoxigraph cannot cancel a running query from another thread, so every query
runs in a worker process: on timeout the worker is killed (SIGKILL), which
frees its CPU at once, and a fresh one takes its place. A worker that dies on
its own is replaced the same way, and so is one that uses more memory than
``WorkerLimits.memory_mb`` (the parent watches each busy worker's RSS) or that
stops answering the pool's heartbeat while idle.

Each query worker closes the network behind it (``sandbox.install``) once its
store is open, and runs queries on a thread with a large stack, so that a long
chain of operators cannot overflow the engine's recursion.

Long queries have a lane of their own. A query that has used more than
``LONG_CPU`` seconds of CPU is long: its worker is given the lowest CPU priority
(nice 19), a fresh worker takes its place in the pool at once, and the long
worker is retired once it has answered. At most ``max_long`` (half the pool)
long queries run at a time; a query that turns long while they all do is
stopped and answered 503 with Retry-After. So slow or exploding queries, from
however many clients, can neither take every worker nor the CPU the short
queries need.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyoxigraph as ox

from coedp.server.engine import Outcome, QueryTask
from coedp.server.limits import (
    MIB,
    ProcStat,
    WorkerLimits,
    lower_priority,
    rss_bytes,
)

log = logging.getLogger("coedp.server")

START_TIMEOUT = 60.0  # seconds a new worker may take to open the store
WATCH_INTERVAL = 1.0  # seconds between heartbeats of the idle workers
PING_TIMEOUT = 1.0  # seconds an idle worker has to answer a heartbeat
MEMORY_POLL = 0.05  # seconds between two looks at a busy worker's RSS and CPU time
# CPU seconds after which a query is long (every competency query of queries/ takes
# under 0.2 s on the published dataset).
LONG_CPU = 1.0
LONG_NICE = 19  # the CPU priority of a long query's worker: the lowest
# A worker that takes longer than this to start (a large dataset copied into its
# memory: 7 s at 500k quads, 0.4 s at 18k) is kept ready as a spare, so that the
# pool is back at full size at once after a kill rather than after a reload.
SPARE_AFTER = 2.0
# Exercises the parsers and the evaluator without reading the store: a pattern
# over the data would scan it (4 s per worker at 10M quads on disk).
_WARM_UP = QueryTask("ASK { VALUES ?o { 1 } FILTER(?o = 1) }", "json", "turtle", max_rows=1)


@dataclass(frozen=True)
class Ping:
    """The pool's heartbeat: a worker answers any message, and this one costs nothing."""


PONG = "pong"


def worker_main(
    conn: Connection, store_path: str, in_memory: bool = False,
    limits: WorkerLimits | None = None,
) -> None:
    """Body of a worker process: open the store, then answer tasks until EOF.

    With ``in_memory`` the on-disk store is copied into an in-memory one first:
    the same data, read several times faster (the dataset is small enough for
    each worker to hold it; see the ``memory_quads`` setting). Then, before
    anything is evaluated, the sandbox is installed and the address space
    limited (see ``limits``).
    """
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import pyoxigraph as ox

    from coedp.server.limits import limit_address_space
    from coedp.server.sandbox import install

    limits = limits or WorkerLimits()
    try:
        store = ox.Store.read_only(store_path)
        if in_memory:
            memory = ox.Store()
            memory.bulk_extend(store.quads_for_pattern(None, None, None, None))
            store = memory
        names = frozenset(g.value for g in store.named_graphs())
        if limits.sandbox:
            install()
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        conn.send(("failed", str(exc)))
        return
    threading.stack_size(limits.stack_mb * MIB)
    try:
        limit_address_space(limits)
    except (OSError, ValueError) as exc:
        conn.send(("failed", f"cannot limit the address space: {exc}"))
        return
    # The main thread's stack is the kernel's 8 MB: queries run on a thread of their own.
    serving = threading.Thread(
        target=_serve, args=(conn, store, names, limits), name="coedp-query"
    )
    serving.start()
    serving.join()


def _serve(conn: Connection, store: ox.Store, names: frozenset[str], limits: WorkerLimits) -> None:
    """Answer tasks on ``conn`` until EOF (runs on the large-stack thread)."""
    from coedp.server.engine import execute

    execute(store, names, _WARM_UP)  # import and exercise the parser before the first query
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if isinstance(task, Ping):
            conn.send(PONG)
            continue
        outcome = execute(store, names, task, limits.max_response_bytes, limits.max_tokens)
        # The worker's CPU seconds so far: the parent charges the difference to the query
        # (a clock read here rather than a read of /proc/PID/stat there).
        conn.send(replace(outcome, cpu=time.process_time()))


@dataclass(eq=False)
class Worker:
    """One worker process and the parent's end of its pipe.

    Once the worker is ready, the parent's end is non-blocking and read and written
    on the event loop only (:func:`_send`, :func:`_receive`).
    """

    process: BaseProcess
    conn: Connection
    pid: int = field(default=0)
    stat: ProcStat | None = None  # its /proc figures, kept open
    fate: str = ""  # why it is being replaced: timeout, memory, crashed...
    peak: int = 0  # the largest RSS seen during the current query, in bytes
    cpu_start: float = 0.0  # the worker's CPU seconds when the current (or next) query began
    cpu_seen: float = 0.0  # its CPU seconds at the last look (a killed worker has none)
    long: bool = False  # running a long query, at low priority, replaced already


class WorkerError(Exception):
    """A worker could not be started."""


class WorkerPool:
    """Runs tasks in worker processes with a timeout; see the module docstring."""

    # Body of each worker process, called with (pipe, store_path); a subclass may
    # run other work (the remote engine's guard processes) under the same supervision.
    target = staticmethod(worker_main)

    def __init__(
        self, store_path: str, size: int, in_memory: bool = False,
        limits: WorkerLimits | None = None,
    ) -> None:
        self.store_path = store_path
        self.size = size
        self.limits = limits
        # Extra arguments of ``target``: only the query workers take these.
        self.target_args: tuple[object, ...] = (
            (in_memory, limits) if limits is not None else (in_memory,) if in_memory else ()
        )
        self.memory_limit = limits.memory_mb * MIB if limits and limits.memory_mb > 0 else 0
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._workers: set[Worker] = set()
        self._pending: set[asyncio.Task[None]] = set()
        self._closed = False
        self.restarts_by_reason: Counter[str] = Counter()
        self._start_seconds = 0.0  # the longest a worker took to start
        self._spare: Worker | None = None
        self._spare_wanted = False
        # The long-query lane (query workers only: the remote engine's guards parse).
        self.max_long = max(1, size // 2) if limits is not None else 0
        self.long_running = 0
        # Called when ``capacity`` changes, so that a queue in front can use a new slot.
        self.on_capacity_change: Callable[[], None] | None = None
        # Threads of their own: starting a worker blocks for as long as it takes to open
        # the store, and must never hold up the reading of answers (the event loop's
        # default executor has only a few threads, shared with everything else).
        self._starters = ThreadPoolExecutor(max(2, size), thread_name_prefix="coedp-worker-start")

    @property
    def capacity(self) -> int:
        """Queries that may run at once: the pool, plus the long ones it set aside."""
        return self.size + self.long_running

    @property
    def restarts(self) -> int:
        """How many workers were replaced since the pool started."""
        return sum(self.restarts_by_reason.values())

    def memory_by_pid(self) -> dict[int, int]:
        """Resident memory (bytes) of each live worker."""
        workers = [*self._workers, *([self._spare] if self._spare else [])]
        return {w.pid: rss_bytes(w.pid) for w in workers if w.process.is_alive()}

    # -- lifecycle --------------------------------------------------------
    def _spawn(self) -> Worker:
        """Start one worker and wait until it has opened the store (blocking)."""
        started = time.monotonic()
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=self.target,
            args=(child, self.store_path, *self.target_args),
            name="coedp-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        if not parent.poll(START_TIMEOUT):
            _kill(process)
            raise WorkerError("a query worker did not start in time")
        try:
            status, detail = parent.recv()
        except EOFError:
            _kill(process)
            raise WorkerError(
                f"a query worker exited while opening the store ({_death(process)})"
            ) from None
        if status != "ready":
            _kill(process)
            raise WorkerError(f"a query worker cannot open the store: {detail}")
        worker = Worker(process, parent, int(detail))
        self._start_seconds = max(self._start_seconds, time.monotonic() - started)
        idle = rss_bytes(worker.pid)
        if self.memory_limit and idle > self.memory_limit * 0.9:
            _kill(process)
            raise WorkerError(
                f"a query worker holds {idle // MIB} MB once the store is open, near or past "
                f"its memory limit of {self.memory_limit // MIB} MB: raise --worker-memory-mb"
            )
        worker.stat = ProcStat(worker.pid)
        worker.cpu_start = worker.stat.cpu_seconds()  # then from each of its answers
        os.set_blocking(parent.fileno(), False)  # from now on, read and written on the loop
        return worker

    async def start(self) -> None:
        """Start all workers; raises ``WorkerError`` if any cannot open the store."""
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(
            *(loop.run_in_executor(self._starters, self._spawn) for _ in range(self.size)),
            return_exceptions=True,
        )
        errors = [w for w in workers if isinstance(w, BaseException)]
        for worker in workers:
            if isinstance(worker, Worker):
                self._workers.add(worker)
                self._idle.put_nowait(worker)
        if errors:
            await self.close()
            raise WorkerError(str(errors[0]))
        self._track(loop.create_task(self._watch()))
        if self.memory_limit:
            log.info("query workers: %d MB of memory each at most", self.memory_limit // MIB)
        if self._start_seconds > SPARE_AFTER:
            log.info("query workers take %.1f s to start; keeping one ready as a spare",
                     self._start_seconds)
            self._spare_wanted = True
            self._track(loop.create_task(self._replace(spare=True)))

    async def _watch(self) -> None:
        """Replace idle workers that died or hang (heartbeat), without waiting for a task."""
        while not self._closed:
            await asyncio.sleep(WATCH_INTERVAL)
            idle = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
            answers = await asyncio.gather(*(self._ping(w) for w in idle))
            for worker, reason in zip(idle, answers, strict=True):
                if reason is None:
                    self._idle.put_nowait(worker)
                else:
                    log.error("query worker %d %s while idle; replacing it", worker.pid, reason)
                    self._retire(worker, "hung" if reason == "hung" else "died")

    async def _ping(self, worker: Worker) -> str | None:
        """None when ``worker`` answers the heartbeat in time, else what is wrong."""
        if not worker.process.is_alive():
            return "died"
        try:
            await _send(worker.conn, Ping())
            if not await _readable(worker.conn, PING_TIMEOUT):
                return "hung"
            await _receive(worker.conn)
        except (EOFError, OSError):
            return "died"
        return None

    def _track(self, task: asyncio.Task[None]) -> None:
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._pending):
            task.cancel()
        for worker in [*self._workers, *([self._spare] if self._spare else [])]:
            _discard(worker)
        self._workers.clear()
        self._spare = None
        self._starters.shutdown(wait=False, cancel_futures=True)

    @property
    def ready(self) -> bool:
        """Whether at least one worker is alive."""
        return any(w.process.is_alive() for w in self._workers)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for /healthz)."""
        return sorted(w.pid for w in self._workers if w.process.is_alive())

    # -- running ----------------------------------------------------------
    async def run(self, task: object, timeout: float, begun: Worker | None = None) -> Outcome:
        """Run ``task`` in a worker; 503 when it times out or no worker frees up.

        ``begun``: the worker :meth:`begin` sent ``task`` to already.
        """
        answer = await self.exchange(task, timeout, begun)
        if isinstance(answer, Outcome):
            return answer
        log.error("query worker answered a %s, not an Outcome", type(answer).__name__)
        return Outcome(500, message="internal error; the server log has the details")

    def begin(self, task: object) -> Worker | None:
        """Send ``task`` to an idle worker now, without waiting: the worker, or None.

        For the fair queue, which hands a freed slot to a waiting query inside the
        step that freed it: the worker starts on the query at once rather than when
        the waiting request next runs (a turn of the event loop later). None when no
        worker is idle or the task does not fit in one atomic write to the pipe;
        the query is then sent by :meth:`exchange` as usual.
        """
        if self._closed:
            return None
        payload = pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
        if len(payload) + _SIZE.size > select.PIPE_BUF:
            return None
        frame = _SIZE.pack(len(payload)) + payload
        while not self._idle.empty():
            worker = self._idle.get_nowait()
            state = _child_state(worker)
            if state != "running":
                log.error("query worker %d is %s; replacing it", worker.pid, state)
                self._retire(worker, "died" if state == "dead" else "hung")
                continue
            try:
                written = os.write(worker.conn.fileno(), frame)  # all or nothing (PIPE_BUF)
            except BlockingIOError:
                written = 0
            except OSError:
                self._retire(worker, "died")
                continue
            if written != len(frame):  # an idle worker's pipe is empty: not expected
                self._idle.put_nowait(worker)
                return None
            worker.peak = 0
            worker.cpu_seen = worker.cpu_start
            return worker
        return None

    async def exchange(
        self, task: object, timeout: float, begun: Worker | None = None
    ) -> object:
        """Send ``task`` to a worker and return its answer, whatever the process body sends.

        An :class:`Outcome` from a query worker (:meth:`run` is for them); a
        process body of a subclass may answer other objects. The pool's own
        answers (busy, timed out, out of memory, died) are Outcomes. ``begun``:
        the worker :meth:`begin` sent ``task`` to already.
        """
        loop = asyncio.get_running_loop()
        if begun is not None:
            return await self._answer(begun, None, loop.time() + timeout, timeout)
        deadline = loop.time() + timeout
        while True:
            if not self._idle.empty():  # no wait: no timer, no task
                worker = self._idle.get_nowait()
            else:
                try:
                    worker = await asyncio.wait_for(self._idle.get(), deadline - loop.time())
                except TimeoutError:
                    return Outcome(
                        503, message="the endpoint is busy: no query worker was free for "
                        f"{timeout:g} s; try again later"
                    )
            state = _child_state(worker)  # one system call, no read of /proc
            if state == "dead":
                log.error("query worker %d died while idle", worker.pid)
                self._retire(worker, "died")
            elif state == "stopped":
                log.error("query worker %d is stopped; replacing it", worker.pid)
                self._retire(worker, "hung")
            else:
                break
        worker.peak = 0
        worker.cpu_seen = worker.cpu_start
        return await self._answer(worker, task, loop.time() + timeout, timeout)

    async def _answer(
        self, worker: Worker, task: object, deadline: float, timeout: float
    ) -> object:
        """Send ``task`` (None: sent already) and wait for the answer; the worker goes back
        to the idle ones, or is replaced."""
        done = False
        try:
            if task is not None:
                await _send(worker.conn, task)
            answer = await self._await_answer(worker, deadline, timeout)
            if answer is not None:  # stopped: the worker's replacement is on this query too
                return replace(answer, cpu=self._cpu_used(worker) + self._start_seconds)
            outcome = await _receive(worker.conn)
            done = True
            if not isinstance(outcome, Outcome):  # another body's answer (see exchange)
                return outcome
            if outcome.cpu is not None:  # the worker's CPU seconds so far (worker_main)
                worker.cpu_seen = max(worker.cpu_seen, outcome.cpu)
                spent = max(0.0, outcome.cpu - worker.cpu_start)
                worker.cpu_start = outcome.cpu  # the next query's starting point
            else:
                spent = self._cpu_used(worker)
                worker.cpu_start = worker.cpu_seen
            # A long query's worker is replaced: the start of the new one is on it too.
            return replace(outcome, cpu=spent + (self._start_seconds if worker.long else 0.0))
        except (EOFError, OSError):
            return self._died(worker)
        finally:
            if worker.long:
                # Its replacement is in the pool already; a niced worker is not reused.
                self.long_running -= 1
                self._retire(worker, "long", replace=False)
                self._capacity_changed()
            elif done:
                self._idle.put_nowait(worker)
            else:
                self._retire(worker, worker.fate or "crashed")

    async def _await_answer(
        self, worker: Worker, deadline: float, timeout: float
    ) -> Outcome | None:
        """Wait for the worker's answer to begin; an Outcome if it must be stopped instead.

        The worker's RSS is read every ``MEMORY_POLL`` seconds meanwhile: past the
        limit, it is killed (by the caller) and the query answered 507.
        """
        loop = asyncio.get_running_loop()
        watching = self.memory_limit or self.max_long
        while True:
            left = deadline - loop.time()
            if left <= 0:
                log.warning("query ran past %g s; stopping worker %d", timeout, worker.pid)
                worker.fate = "timeout"
                return Outcome(
                    503,
                    message=f"the query ran longer than {timeout:g} s and was stopped; "
                    "narrow it (LIMIT, more specific patterns) and try again",
                )
            poll = min(left, MEMORY_POLL) if watching else left
            if await _readable(worker.conn, poll):
                return None
            if self.max_long and not worker.long:
                stopped = self._check_long(worker)
                if stopped is not None:
                    return stopped
            if not self.memory_limit:
                continue
            worker.peak = max(worker.peak, _stat(worker).rss_bytes())
            if worker.peak > self.memory_limit:
                _kill(worker.process)  # at once: it may be allocating fast
                log.warning("query worker %d passed %d MB; stopped it", worker.pid,
                            self.memory_limit // MIB)
                worker.fate = "memory"
                return Outcome(507, message=self._memory_message())

    def _cpu_used(self, worker: Worker) -> float:
        """CPU seconds of the worker's current query (from the last look if it is gone)."""
        worker.cpu_seen = max(worker.cpu_seen, _stat(worker).cpu_seconds())
        # /proc counts in clock ticks, the worker's own answers to the nanosecond.
        return max(0.0, worker.cpu_seen - worker.cpu_start)

    def _check_long(self, worker: Worker) -> Outcome | None:
        """Move a query past ``LONG_CPU`` to the long lane, or stop it when the lane is full."""
        if self._cpu_used(worker) <= LONG_CPU:
            return None
        if self.long_running >= self.max_long:
            _kill(worker.process)
            log.warning("query in worker %d turned long with %d long queries running; "
                        "stopped it", worker.pid, self.long_running)
            worker.fate = "long"
            from coedp.server.fairness import Refusal

            return Refusal(
                503, headers={"Retry-After": "60"}, reason="long_lane_full",
                message=f"the query needed more than {LONG_CPU:g} s of CPU while this endpoint "
                f"was already running the {self.max_long} long queries it runs at a time; it "
                "was stopped. Narrow it (LIMIT, more specific patterns), or try again in a "
                "minute",
            )
        worker.long = True
        self.long_running += 1
        lower_priority(worker.pid, LONG_NICE)
        log.info("query in worker %d is long; it runs at low priority beside the pool",
                 worker.pid)
        self._refill()
        return None

    def _capacity_changed(self) -> None:
        if self.on_capacity_change is not None:
            self.on_capacity_change()

    def _memory_message(self) -> str:
        return (
            f"the query needed more than {self.memory_limit // MIB} MB of memory and was "
            "stopped; narrow it (LIMIT, more specific patterns, shorter strings) and try again"
        )

    def _died(self, worker: Worker) -> Outcome:
        """The answer to a query whose worker died under it (a signal, an abort)."""
        worker.process.join(1)
        how = _death(worker.process)
        log.error("query worker %d died (%s)", worker.pid, how)
        if worker.process.exitcode == -signal.SIGABRT or (
            self.memory_limit and worker.peak > self.memory_limit // 2
        ):
            # The engine aborts when an allocation fails under RLIMIT_AS.
            worker.fate = "memory"
            return Outcome(507, message=self._memory_message())
        worker.fate = "crashed"
        return Outcome(
            500, message="the query engine stopped unexpectedly while running this query "
            f"({how}); it was not answered. Simplify the query or try again"
        )

    def _retire(self, worker: Worker, reason: str, replace: bool = True) -> None:
        """Kill a worker that timed out or died, and start a replacement at once
        (unless ``replace`` is False: a long query's worker was replaced already)."""
        _discard(worker)
        self._workers.discard(worker)
        self.restarts_by_reason[reason] += 1
        if self._closed or not replace:
            return
        self._refill()

    def _refill(self) -> None:
        """Put a worker in the pool: the spare at once if there is one (and start the next
        spare), else a new one."""
        loop = asyncio.get_running_loop()
        spare, self._spare = self._spare, None
        if spare is not None and spare.process.is_alive():
            self._workers.add(spare)
            self._idle.put_nowait(spare)
            self._capacity_changed()
            self._track(loop.create_task(self._replace(spare=True)))
        else:
            self._track(loop.create_task(self._replace()))
            if self._spare_wanted:
                self._track(loop.create_task(self._replace(spare=True)))

    async def _replace(self, spare: bool = False) -> None:
        """Start a worker: into the pool, or kept aside as the spare."""
        try:
            worker = await asyncio.get_running_loop().run_in_executor(self._starters, self._spawn)
        except WorkerError as exc:
            log.error("cannot replace a query worker: %s", exc)
            return
        if self._closed:
            _discard(worker)
            return
        if spare:
            if self._spare is None:
                self._spare = worker
            else:  # one spare is enough; a second would grow the pool past its size
                _discard(worker)
            return
        self._workers.add(worker)
        self._idle.put_nowait(worker)
        self._capacity_changed()


def _wake(waiter: asyncio.Future[bool], value: bool) -> None:
    if not waiter.done():
        waiter.set_result(value)


async def _readable(conn: Connection, timeout: float | None = None) -> bool:
    """Wait until something arrives on the worker's pipe, without a thread: False on timeout."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _wake, waiter, True)
    timer = None if timeout is None else loop.call_later(timeout, _wake, waiter, False)
    try:
        return await waiter
    finally:
        loop.remove_reader(fd)
        if timer is not None:
            timer.cancel()


async def _writable(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    fd = conn.fileno()
    loop.add_writer(fd, _wake, waiter, True)
    try:
        await waiter
    finally:
        loop.remove_writer(fd)


# The framing of multiprocessing.connection: a 4-byte big-endian signed length, or -1
# then an 8-byte length, before the pickled message. The worker keeps its blocking
# Connection; the parent reads and writes the same frames on the event loop.
_SIZE = struct.Struct("!i")
_LARGE_SIZE = struct.Struct("!Q")
_READ_CHUNK = 1 << 20
_FIRST_READ = 1 << 16


async def _send(conn: Connection, message: object) -> None:
    """Pickle ``message`` and write it to a worker without blocking the event loop."""
    # Tasks hold text and numbers only: no reducer of ForkingPickler is needed.
    payload = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    size = len(payload)
    head = _SIZE.pack(size) if size <= 0x7FFFFFFF else _SIZE.pack(-1) + _LARGE_SIZE.pack(size)
    data = memoryview(head + payload if size <= 1 << 16 else head)
    fd = conn.fileno()
    for part in (data, None if size <= 1 << 16 else memoryview(payload)):
        while part:
            try:
                part = part[os.write(fd, part):]
            except BlockingIOError:
                await _writable(conn)


async def _receive(conn: Connection) -> object:
    """Read one message from a worker's non-blocking pipe on the event loop, and unpickle it.

    Raises ``EOFError`` when the worker closed its end (it died). A worker sends one
    message per message it is sent, so a read never takes the start of another: the
    usual answer (under ``_FIRST_READ`` bytes) comes whole in one read.
    """
    fd = conn.fileno()
    try:
        first = os.read(fd, _FIRST_READ)
    except BlockingIOError:
        first = b""
    else:
        if not first:
            raise EOFError
    if len(first) < _SIZE.size:
        first += await _read_exactly(conn, _SIZE.size - len(first))
    (size,) = _SIZE.unpack_from(first)
    start = _SIZE.size
    if size == -1:
        if len(first) < start + _LARGE_SIZE.size:
            first += await _read_exactly(conn, start + _LARGE_SIZE.size - len(first))
        (size,) = _LARGE_SIZE.unpack_from(first, start)
        start += _LARGE_SIZE.size
    body = memoryview(first)[start:]
    if len(body) > size:
        raise OSError("a worker sent more than one message")
    if len(body) < size:
        return pickle.loads(await _read_exactly(conn, size, body))
    return pickle.loads(body)


async def _read_exactly(
    conn: Connection, size: int, start: bytes | memoryview = b""
) -> bytes | bytearray:
    """``size`` bytes from the pipe, the first of them ``start`` (read already)."""
    if size <= 0:
        return b""
    fd = conn.fileno()
    first: bytes | memoryview | None = start
    if not start:
        try:
            first = os.read(fd, size)
        except BlockingIOError:
            first = None
        if first is not None:
            if not first:
                raise EOFError
            if len(first) == size:  # the usual case: the whole of it was there already
                return bytes(first)
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = len(first) if first else 0
    view[:got] = first or b""
    while got < size:
        try:
            read = os.readv(fd, [view[got:got + _READ_CHUNK]])
        except BlockingIOError:
            await _readable(conn)
            continue
        if not read:
            raise EOFError
        got += read
    return buffer


_WAIT_STATE = os.WEXITED | os.WSTOPPED | os.WNOHANG | os.WNOWAIT


def _child_state(worker: Worker) -> str:
    """"running", "stopped" (SIGSTOP, a debugger) or "dead", without reaping the worker.

    ``waitid`` with WNOWAIT leaves the child's state to be collected by
    multiprocessing as before; it is one cheap system call, where /proc/PID/stat is
    formatted by the kernel on every read.
    """
    try:
        found = os.waitid(os.P_PID, worker.pid, _WAIT_STATE)
    except ChildProcessError:  # reaped already, or not this process's child
        if not worker.process.is_alive():
            return "dead"
        stopped, _ = _stat(worker).state()
        return "stopped" if stopped else "running"
    if found is None:
        return "running"
    if found.si_code in (os.CLD_STOPPED, os.CLD_TRAPPED):
        return "stopped"
    return "dead"


def _stat(worker: Worker) -> ProcStat:
    if worker.stat is None:
        worker.stat = ProcStat(worker.pid)
    return worker.stat


def _discard(worker: Worker) -> None:
    """Kill a worker and close the parent's files for it."""
    _kill(worker.process)
    worker.conn.close()
    if worker.stat is not None:
        worker.stat.close()


def _death(process: BaseProcess) -> str:
    """How a process ended, in words."""
    code = process.exitcode
    if code is None:
        return "still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit {code}"


def _kill(process: BaseProcess) -> None:
    """SIGKILL a process and reap it, so that it neither runs nor lingers as a zombie."""
    if process.pid is not None and process.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
    process.join(5)
