"""A pool of worker processes, each holding the store opened read-only.

pyoxigraph cannot cancel a running query from another thread, so every query
runs in a worker process: on timeout the worker is killed (SIGKILL), which
frees its CPU at once, and a fresh one takes its place. A worker that dies on
its own is replaced the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from coedp.server.engine import Outcome, QueryTask

log = logging.getLogger("coedp.server")

START_TIMEOUT = 60.0  # seconds a new worker may take to open the store
WATCH_INTERVAL = 1.0  # seconds between checks that idle workers are still alive
# Exercises the parsers and the evaluator without reading the store: a pattern
# over the data would scan it (4 s per worker at 10M quads on disk).
_WARM_UP = QueryTask("ASK { VALUES ?o { 1 } FILTER(?o = 1) }", "json", "turtle", max_rows=1)


def worker_main(conn: Connection, store_path: str, in_memory: bool = False) -> None:
    """Body of a worker process: open the store, then answer tasks until EOF.

    With ``in_memory`` the on-disk store is copied into an in-memory one first:
    the same data, read several times faster (the dataset is small enough for
    each worker to hold it; see the ``memory_quads`` setting).
    """
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import pyoxigraph as ox

    from coedp.server.engine import execute

    try:
        store = ox.Store.read_only(store_path)
        if in_memory:
            memory = ox.Store()
            memory.bulk_extend(store.quads_for_pattern(None, None, None, None))
            store = memory
        names = frozenset(g.value for g in store.named_graphs())
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        conn.send(("failed", str(exc)))
        return
    execute(store, names, _WARM_UP)  # import and exercise the parser before the first query
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(execute(store, names, task))


@dataclass(eq=False)
class Worker:
    """One worker process and the parent's end of its pipe."""

    process: BaseProcess
    conn: Connection
    pid: int = field(default=0)


class WorkerError(Exception):
    """A worker could not be started."""


class WorkerPool:
    """Runs tasks in worker processes with a timeout; see the module docstring."""

    # Body of each worker process, called with (pipe, store_path); a subclass may
    # run other work (the remote engine's guard processes) under the same supervision.
    target = staticmethod(worker_main)

    def __init__(self, store_path: str, size: int, in_memory: bool = False) -> None:
        self.store_path = store_path
        self.size = size
        # Extra arguments of ``target``: only the query workers take ``in_memory``.
        self.target_args: tuple[object, ...] = (in_memory,) if in_memory else ()
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._workers: set[Worker] = set()
        self._pending: set[asyncio.Task[None]] = set()
        self._closed = False

    # -- lifecycle --------------------------------------------------------
    def _spawn(self) -> Worker:
        """Start one worker and wait until it has opened the store (blocking)."""
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
            raise WorkerError("a query worker exited while opening the store") from None
        if status != "ready":
            _kill(process)
            raise WorkerError(f"a query worker cannot open the store: {detail}")
        return Worker(process, parent, int(detail))

    async def start(self) -> None:
        """Start all workers; raises ``WorkerError`` if any cannot open the store."""
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(
            *(loop.run_in_executor(None, self._spawn) for _ in range(self.size)),
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

    async def _watch(self) -> None:
        """Replace idle workers that died (killed, out of memory) without waiting for a task."""
        while not self._closed:
            await asyncio.sleep(WATCH_INTERVAL)
            idle = [self._idle.get_nowait() for _ in range(self._idle.qsize())]
            for worker in idle:
                if worker.process.is_alive():
                    self._idle.put_nowait(worker)
                else:
                    log.error("query worker %d died while idle", worker.pid)
                    self._retire(worker)

    def _track(self, task: asyncio.Task[None]) -> None:
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for task in list(self._pending):
            task.cancel()
        for worker in list(self._workers):
            _kill(worker.process)
            worker.conn.close()
        self._workers.clear()

    @property
    def ready(self) -> bool:
        """Whether at least one worker is alive."""
        return any(w.process.is_alive() for w in self._workers)

    def pids(self) -> list[int]:
        """Process ids of the live workers (for /healthz)."""
        return sorted(w.pid for w in self._workers if w.process.is_alive())

    # -- running ----------------------------------------------------------
    async def run(self, task: object, timeout: float) -> Outcome:
        """Run ``task`` in a worker; 503 when it times out or no worker frees up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                worker = await asyncio.wait_for(self._idle.get(), deadline - loop.time())
            except TimeoutError:
                return Outcome(
                    503, message="the endpoint is busy: no query worker was free for "
                    f"{timeout:g} s; try again later"
                )
            if worker.process.is_alive():
                break
            log.error("query worker %d died while idle", worker.pid)
            self._retire(worker)
        done = False
        try:
            worker.conn.send(task)
            if not await _readable(worker.conn, timeout):
                log.warning("query ran past %g s; stopping worker %d", timeout, worker.pid)
                return Outcome(
                    503,
                    message=f"the query ran longer than {timeout:g} s and was stopped; "
                    "narrow it (LIMIT, more specific patterns) and try again",
                )
            outcome = await loop.run_in_executor(None, worker.conn.recv)
            done = True
            return outcome
        except (EOFError, OSError):
            log.error("query worker %d died", worker.pid)
            return Outcome(500, message="the query engine stopped unexpectedly; try again")
        finally:
            if done:
                self._idle.put_nowait(worker)
            else:
                self._retire(worker)

    def _retire(self, worker: Worker) -> None:
        """Kill a worker that timed out or died, and start a replacement."""
        _kill(worker.process)
        worker.conn.close()
        self._workers.discard(worker)
        if not self._closed:
            task = asyncio.get_running_loop().create_task(self._replace())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _replace(self) -> None:
        try:
            worker = await asyncio.get_running_loop().run_in_executor(None, self._spawn)
        except WorkerError as exc:
            log.error("cannot replace a query worker: %s", exc)
            return
        if self._closed:
            _kill(worker.process)
            return
        self._workers.add(worker)
        self._idle.put_nowait(worker)


async def _readable(conn: Connection, timeout: float) -> bool:
    """Wait until the worker's answer starts to arrive, without a thread: False on timeout."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
    try:
        return await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


def _kill(process: BaseProcess) -> None:
    """SIGKILL a process and reap it, so that it neither runs nor lingers as a zombie."""
    if process.pid is not None and process.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
    process.join(5)
