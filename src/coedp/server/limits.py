"""Resource limits of a query worker: memory, stack, response size, sandbox.

Memory, measured (pyoxigraph 0.5, Linux x86-64): an idle worker holding its
dataset in memory has a resident set (RSS) of about 30 MB plus 0.8 KB per quad,
and an address space (VmSize) of about 350 MB plus 0.8 KB per quad: allocator
arenas and thread stacks are reserved, not used. So the limit a user sets is
on RSS (watched by the parent every 50 ms, past it the query is stopped and
answered 507), and the kernel's RLIMIT_AS, a backstop for allocations faster
than the watch, is set above it by the address space the worker had reserved
when it became ready, its query stack and a margin.
"""

from __future__ import annotations

import contextlib
import os
import resource
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coedp.server.settings import Settings

MIB = 1024 * 1024
# Default RSS limit: this much for the interpreter, the engine and one query's
# working set (a result up to the response cap is held about four times while
# it is serialised and sent), plus DEFAULT_KB_PER_QUAD for each quad held in
# memory: 2.5 times the 0.8 KB a quad costs at rest, for the hash tables of
# joins over the data.
DEFAULT_BASE_MB = 384
DEFAULT_KB_PER_QUAD = 2
# The stack of the thread that runs queries: the engine's parser and evaluator
# recurse once per operator. Measured: a chain of 4,000 "!" or 2,000 "+" needs
# at most 4 MB, 10,000 "!" 8 to 16 MB (brackets nest at most --max-depth deep).
# So 4 KB per token allowed (twice the worst measured), and at least 64 MB. It is
# reserved address space, touched only as deep as a query goes.
QUERY_STACK_MB = 64
STACK_KB_PER_TOKEN = 4
# Address space allowed beyond what the worker holds when it becomes ready:
# new allocator arenas reserve 64 MB each before they use a byte.
ADDRESS_SLACK_MB = 512


@dataclass(frozen=True)
class WorkerLimits:
    """What a query worker may use; sent to it when it starts."""

    memory_mb: int = 0  # RSS limit (0: none)
    max_response_bytes: int = 0  # largest serialised result (0: none)
    max_tokens: int = 0  # most terms and operators in a query (0: no limit)
    sandbox: bool = True  # install the seccomp filter before evaluating anything
    stack_mb: int = QUERY_STACK_MB


def default_memory_mb(quads_in_memory: int) -> int:
    """The default RSS limit of a worker holding ``quads_in_memory`` quads (0 on disk)."""
    return DEFAULT_BASE_MB + -(-quads_in_memory * DEFAULT_KB_PER_QUAD // 1024)


def worker_limits(settings: Settings, quads_in_memory: int) -> WorkerLimits:
    """The limits ``settings`` give a query worker holding ``quads_in_memory`` quads."""
    return WorkerLimits(
        memory_mb=settings.worker_memory_mb or default_memory_mb(quads_in_memory),
        max_response_bytes=settings.max_response_mb * MIB,
        max_tokens=settings.max_query_tokens,
        sandbox=not settings.unsandboxed,
        stack_mb=query_stack_mb(settings.max_query_tokens),
    )


def query_stack_mb(max_tokens: int) -> int:
    """The query thread's stack for queries of at most ``max_tokens`` tokens."""
    return max(QUERY_STACK_MB, -(-max_tokens * STACK_KB_PER_TOKEN // 1024))


_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class ProcStat:
    """A process's /proc/<pid>/stat and statm kept open: its state, CPU time and resident
    memory each cost one ``pread`` (opening the files again each time costs three
    system calls and a path lookup, several times the read on a virtual machine).

    Every figure is read fresh; once the process is gone, the CPU time and memory read 0
    and the state is not "stopped", as :func:`cpu_seconds`, :func:`rss_bytes` and
    :func:`is_stopped` say.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._stat = _open(f"/proc/{pid}/stat")
        self._statm = _open(f"/proc/{pid}/statm")

    def state(self) -> tuple[bool, float]:
        """(whether the process is stopped, its CPU seconds), from one read."""
        fields = _fields_after_name(_pread(self._stat))
        if fields is None:
            return False, 0.0
        return fields[:1] in (b"T", b"t"), _cpu_of(fields)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the process has used, in seconds."""
        return self.state()[1]

    def rss_bytes(self) -> int:
        """Resident memory of the process in bytes."""
        try:
            return int(_pread(self._statm).split()[1]) * _PAGE_SIZE
        except (IndexError, ValueError):
            return 0

    def close(self) -> None:
        """Close the files (the process need not be gone)."""
        for fd in (self._stat, self._statm):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._stat = self._statm = -1


def _open(path: str) -> int:
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return -1


def _pread(fd: int) -> bytes:
    if fd < 0:
        return b""
    try:
        return os.pread(fd, 1024, 0)
    except OSError:  # the process is gone (ESRCH)
        return b""


def _fields_after_name(stat: bytes) -> bytes | None:
    """The fields of a stat line after ``(name)``, whose name may hold spaces or ")"."""
    end = stat.rfind(b")")
    return stat[end + 2:] if end >= 0 else None


def _cpu_of(fields: bytes) -> float:
    parts = fields.split(None, 14)
    try:  # utime and stime: fields 14 and 15 of stat(5), 12 and 13 after the name
        return (int(parts[11]) + int(parts[12])) / _CLOCK_TICKS
    except (IndexError, ValueError):
        return 0.0


def rss_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(b")") + 2:].split()
    try:  # utime and stime: fields 14 and 15 of stat(5), 12 and 13 after the name
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError):
        return 0.0


def lower_priority(pid: int, nice: int) -> None:
    """Give every thread of process ``pid`` the CPU priority ``nice``.

    Linux keeps the nice value per thread, so setpriority() on the process id alone
    would leave the threads that do the work (the query's own thread) as they were.
    Raising a child's nice value needs no privilege; lowering it again would.
    """
    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        threads = [pid]
    for tid in threads:
        with contextlib.suppress(OSError):  # a thread that just ended
            os.setpriority(os.PRIO_PROCESS, tid, nice)


def thread_nice_values(pid: int) -> list[int]:
    """The nice value of each thread of process ``pid`` (for tests and diagnostics)."""
    values: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return values
    for tid in threads:
        with contextlib.suppress(OSError, IndexError, ValueError):
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as fh:
                stat = fh.read()
            values.append(int(stat[stat.rfind(b")") + 2:].split()[16]))  # field 19: nice
    return values


def is_stopped(pid: int) -> bool:
    """Whether process ``pid`` is stopped (SIGSTOP, a debugger) and so cannot answer."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:][:1] in (b"T", b"t")


def _vm_size_bytes() -> int:
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def limit_address_space(limits: WorkerLimits) -> None:
    """Set RLIMIT_AS in this (worker) process: the kernel's backstop under the RSS watch."""
    if limits.memory_mb <= 0:
        return
    allowed = (
        _vm_size_bytes() + (limits.stack_mb + limits.memory_mb + ADDRESS_SLACK_MB) * MIB
    )
    resource.setrlimit(resource.RLIMIT_AS, (allowed, allowed))
