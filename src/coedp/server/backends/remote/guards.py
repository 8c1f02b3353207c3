"""Guard processes: rdflib's parse check of each query, under the timeout.

Supervised like the query workers (:class:`coedp.server.workers.WorkerPool`),
so a pathological query is killed at the timeout rather than parsed forever;
SERVICE, LOAD and unknown FROM graphs are refused before the store sees them.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Sequence
from multiprocessing.connection import Connection

from coedp.server.engine import Outcome
from coedp.server.guard import GuardError, ParseInfo
from coedp.server.limits import WorkerLimits
from coedp.server.workers import WorkerPool


def guard_main(
    conn: Connection, graph_names_json: str, in_memory: bool = False,
    limits: WorkerLimits | None = None,
) -> None:
    """Body of a guard process: parse-check each query sent, answer ParseInfo or Outcome.

    Called as a query worker is (``WorkerPool.target``); a guard evaluates nothing,
    so ``in_memory`` and ``limits`` do not apply.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from coedp.server.guard import parse_check

    names = frozenset(json.loads(graph_names_json))
    parse_check("ASK { ?s ?p ?o }", names)  # import the parser before the first query
    conn.send(("ready", os.getpid()))
    while True:
        try:
            query = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: object = parse_check(query, names)
        except GuardError as exc:
            reply = Outcome(exc.status, message=exc.message)
        except Exception as exc:  # noqa: BLE001 - a message for the user, not a trace
            reply = Outcome(400, message=f"the query cannot be read: {exc}")
        conn.send(reply)


class GuardPool(WorkerPool):
    """Processes that run rdflib's parse check under the timeout; see ``guard_main``."""

    # The pool's one string argument is named for a store path; here it holds the graph names.
    target = staticmethod(guard_main)  # type: ignore[assignment]

    def __init__(self, graph_names: Sequence[str], size: int) -> None:
        # The pool hands each process one string: the graph names travel as JSON in it.
        super().__init__(json.dumps(sorted(graph_names)), size)

    async def check(self, query: str, timeout: float) -> ParseInfo | Outcome:
        """The parse check of ``query``: its ParseInfo, or the Outcome refusing it."""
        answer = await self.exchange(query, timeout)
        if isinstance(answer, ParseInfo | Outcome):
            return answer
        return Outcome(500, message=f"the guard answered a {type(answer).__name__}")
