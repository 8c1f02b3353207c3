"""Run one build step in a child process while the parent runs another.

Validation and reasoning read the same parsed sources and neither needs the
other's result, so on a machine with two cores or more the build reasons in a
forked child (which shares the parsed graphs without copying them) while it
validates. Where ``fork`` is not available, or on one core, the step runs in
the parent when its result is asked for: same result, one after the other.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
import traceback
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class StepFailed(Exception):
    """The step failed in the child with an exception that could not be sent back."""


def _can_fork() -> bool:
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


class Alongside(Generic[T]):
    """``fn()`` started now, its result and duration collected by :meth:`result`."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._process: multiprocessing.process.BaseProcess | None = None
        self.seconds = 0.0
        if _can_fork():
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=self._child, args=(sender,), daemon=True)
            self._process.start()
            sender.close()

    def _child(self, sender: multiprocessing.connection.Connection) -> None:
        started = time.perf_counter()
        payload: tuple[str, object, object]
        try:
            value = self._fn()
            payload = ("ok", value, time.perf_counter() - started)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            payload = ("error", exc, traceback.format_exc())
        try:
            sender.send_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that cannot be pickled
            failure = StepFailed(f"{type(payload[1]).__name__}: {payload[1]} ({exc})")
            sender.send_bytes(pickle.dumps(("error", failure, "")))
        finally:
            sender.close()

    def result(self) -> T:
        """Wait for the step and return its result, or raise the exception it raised."""
        if self._process is None:
            started = time.perf_counter()
            value = self._fn()
            self.seconds = time.perf_counter() - started
            return value
        try:
            data = self._receiver.recv_bytes()
        except EOFError:
            self._process.join()
            raise StepFailed(
                f"the build step stopped without an answer (exit code {self._process.exitcode})"
            ) from None
        finally:
            self._receiver.close()
        self._process.join()
        status, value, extra = pickle.loads(data)
        if status == "error":
            raise value
        self.seconds = extra
        return value

    def cancel(self) -> None:
        """Stop the step: its result is not wanted."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()
            self._receiver.close()
