"""The kernel's sandbox around a query worker: no new sockets, so no network.

pyoxigraph follows SERVICE to any URL over HTTP. The guard refuses SERVICE
before a query runs, but a guard reads query text with its own grammar and can
be fooled; so each query worker, once its store is open and before it evaluates
anything, installs a seccomp filter that makes every ``socket()`` call fail
with EACCES. It is loaded with TSYNC, so the threads the store has already
started are covered too.

What the filter refuses, and why:

- ``socket()`` for every address family. AF_INET and AF_INET6 are the
  network itself; AF_UNIX is refused too because a host name is resolved
  through local daemons over Unix sockets (nscd, systemd-resolved), which would
  send a DNS query carrying whatever the name encodes; AF_NETLINK and AF_PACKET
  are never needed by a worker (and a privileged AF_PACKET socket writes raw
  frames). A worker creates no socket after start-up: its pipe to the web
  process is inherited, already open, and keeps working.
- ``io_uring_setup()``: io_uring opens and connects sockets from the kernel's
  side, past the ``socket()`` and ``connect()`` system calls a filter sees.

``socketpair()`` stays allowed: its two ends reach only each other.
System calls of another ABI (i386 ``socketcall`` on x86-64) meet libseccomp's
default "bad architecture" action, which kills the process.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys

# Environment variable that makes ``available`` report no seccomp, so that the
# refusal of ``coedp serve`` can be tested on a kernel that has it.
TEST_NO_SECCOMP = "COEDP_TEST_NO_SECCOMP"

_PROBE = (
    "import socket, sys\n"
    "from coedp.server.sandbox import install\n"
    "install()\n"
    "try:\n"
    "    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "except PermissionError:\n"
    "    a, b = socket.socketpair()\n"
    "    a.sendall(b'ok'); sys.exit(0 if b.recv(2) == b'ok' else 3)\n"
    "sys.exit(4)\n"
)


class SandboxError(Exception):
    """The sandbox cannot be installed in this process."""


def install() -> None:
    """Forbid new sockets (and io_uring) in this process and all its threads.

    Raises ``SandboxError`` when seccomp is not available.
    """
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # OSError: libseccomp.so.2 missing
        raise SandboxError(f"libseccomp cannot be loaded ({exc})") from None
    try:
        flt = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        flt.add_rule(seccomp.ERRNO(errno.EACCES), "socket")
        flt.add_rule(seccomp.ERRNO(errno.EPERM), "io_uring_setup")
        flt.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, not only this one
        flt.load()
    except (OSError, RuntimeError, ValueError) as exc:
        raise SandboxError(f"the kernel refused the seccomp filter ({exc})") from None


def available() -> str | None:
    """None when workers can be sandboxed here, else the reason they cannot.

    Installs the filter in a short-lived child process and checks that an
    internet socket is refused there while a Unix socket pair still works.
    """
    if os.environ.get(TEST_NO_SECCOMP) == "1":
        return f"seccomp is reported unavailable ({TEST_NO_SECCOMP}=1, a test hook)"
    if not sys.platform.startswith("linux"):
        return f"seccomp filters exist only on Linux, not on {sys.platform}"
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the seccomp check could not run ({exc})"
    if probe.returncode == 0:
        return None
    detail = probe.stderr.strip().splitlines()[-1:] or [f"exit {probe.returncode}"]
    if probe.returncode == 4:
        detail = ["an internet socket could still be opened under the filter"]
    return f"no usable seccomp filter: {detail[0]}"
