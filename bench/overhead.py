"""CPU per request: coedp (result cache off) beside the bare app, under the same load.

    python -m bench.overhead [--queries strategies] [--duration 4] [--rounds 3]
                             [--base SRC] [--profile OUT.txt]

Starts ``coedp serve`` on the built dataset (``dist/``) with its result cache
off, the bare app of bench/peers/oxigraph_app.py, and, with ``--base SRC``, a
second coedp from another source tree (``SRC`` is put first on PYTHONPATH: the
code before a change, measured in the same minutes as the code after it) or
with other settings (``--base-env COEDP_NAME=VALUE``).
Each query is sent by ``wrk -t1 -c8`` for ``--duration`` seconds to each side
in turn, alternating the order, ``--rounds`` times. For each side the table
gives the median requests per second and the CPU time per request, read from
/proc before and after each run: the web process on its own and its children
(coedp's query workers) apart. ``--profile`` runs py-spy (when installed) on
coedp's web process during one more run and writes its top functions there.

This is a tool for profiling, not the benchmark: ``python -m bench.real`` is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench.load import ACCEPT
from bench.real import ensure_dataset, parse_wrk, select_queries, start
from bench.run import ROOT, _descendants, _free_port, _stop, _wait_ready

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of ``pid`` itself and of its descendants together."""
    own = cpu_seconds(pid)
    return own, sum(cpu_seconds(p) for p in _descendants(pid) if p != pid)


@dataclass
class Side:
    """One server and its runs."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    rps: list[float] = field(default_factory=list)
    web_us: list[float] = field(default_factory=list)
    children_us: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)


def wrk(port: int, query: str, seconds: int, connections: int) -> str:
    """wrk's output for ``seconds`` of ``query`` on ``port``."""
    url = f"http://127.0.0.1:{port}/sparql?query={quote(query, safe='')}"
    done = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Accept: {ACCEPT}", url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    )
    return done.stdout


def measure(side: Side, query: str, seconds: int, connections: int) -> None:
    """One run on ``side``: its rate and CPU per request."""
    web0, kids0 = tree_cpu(side.proc.pid)
    out = wrk(side.port, query, seconds, connections)
    web1, kids1 = tree_cpu(side.proc.pid)
    figures = parse_wrk(out, seconds)
    requests = max(1.0, figures.rps * seconds)
    side.rps.append(figures.rps)
    side.web_us.append((web1 - web0) / requests * 1e6)
    side.children_us.append((kids1 - kids0) / requests * 1e6)
    if figures.p50_ms is not None:
        side.p50_ms.append(figures.p50_ms)


def profile(side: Side, query: str, seconds: int, connections: int, out: Path) -> None:
    """py-spy's top functions of the web process during one run."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy is not installed (pip install py-spy): no profile", flush=True)
        return
    raw = out.with_suffix(".raw.txt")
    recorder = subprocess.Popen(
        [spy, "record", "--pid", str(side.proc.pid), "--duration", str(seconds),
         "--rate", "500", "--format", "raw", "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    wrk(side.port, query, seconds, connections)
    recorder.wait(seconds + 60)
    out.write_text(summarise(raw.read_text()) if raw.exists() else "no samples\n")
    print(f"profile: {out} (folded stacks in {raw})", flush=True)


def summarise(folded: str, top: int = 60) -> str:
    """Self and total sample shares per function from py-spy's folded stacks."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + count
    lines = [f"{samples} samples", "", "self %  function"]
    for name, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{100 * count / samples:6.1f}  {name}")
    lines += ["", "total %  function"]
    for name, count in sorted(total.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{100 * count / samples:6.1f}  {name}")
    return "\n".join(lines) + "\n"


def report(name: str, sides: list[Side]) -> None:
    """Print one query's figures: each side's medians, and each coedp side against bare."""
    print(f"{name} (load average {os.getloadavg()[0]:.2f})")
    print("  side    req/s   web us/req  children us/req  p50 ms")
    for side in sides:
        print(f"  {side.name:<6} {statistics.median(side.rps):8.1f} "
              f"{statistics.median(side.web_us):11.0f} "
              f"{statistics.median(side.children_us):16.0f} "
              f"{statistics.median(side.p50_ms or [0]):7.2f}   rounds "
              + " ".join(f"{r:.0f}" for r in side.rps), flush=True)
    bare = next((s for s in sides if s.name == "bare"), None)
    for side in sides:
        if bare is not None and side is not bare:
            ratios = [c / b for c, b in zip(side.rps, bare.rps, strict=True)]
            print(f"  {side.name}/bare {statistics.median(ratios):.3f} "
                  f"({' '.join(f'{r:.2f}' for r in ratios)})")


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.overhead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", default="strategies")
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--base", type=Path, help="another coedp source tree (its src/)")
    parser.add_argument("--base-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the base side (repeatable)")
    parser.add_argument("--no-bare", action="store_true", help="coedp sides only")
    parser.add_argument("--profile", type=Path, help="write py-spy's summary here")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    nquads = ensure_dataset(args.dist)
    queries = select_queries(ROOT / "queries", args.queries)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    coedp_env = dict(env, COEDP_CACHE_ENTRIES="0")
    plans: list[tuple[str, list[str], dict[str, str]]] = []
    serve = [sys.executable, "-m", "coedp.server", "--data", str(args.dist), "--port"]
    plans.append(("coedp", serve, coedp_env))
    if args.base or args.base_env:
        base_env = dict(coedp_env, **dict(v.split("=", 1) for v in args.base_env))
        if args.base:
            base_env["PYTHONPATH"] = str(args.base.resolve())
        plans.append(("base", serve, base_env))
    if not args.no_bare:
        plans.append(("bare", [sys.executable, "-m", "bench.peers.oxigraph_app", "--data",
                               str(nquads), "--port"], env))
    sides: list[Side] = []
    with tempfile.TemporaryDirectory(prefix="coedp-overhead-") as logs:
        try:
            for name, cmd, side_env in plans:
                port = _free_port()
                proc = start([*cmd, str(port)], Path(logs) / f"{name}.log", side_env)
                sides.append(Side(name, proc, port))
            for side in sides:
                _wait_ready(side.proc, f"http://127.0.0.1:{side.port}/readyz", 300)
            print(f"load average {os.getloadavg()}", flush=True)
            for name, text in queries:
                for side in sides:  # warm-up
                    wrk(side.port, text, 1, args.connections)
                for side in sides:
                    side.rps, side.web_us, side.children_us, side.p50_ms = [], [], [], []
                for round_no in range(args.rounds):
                    order = sides if round_no % 2 == 0 else sides[::-1]
                    for side in order:
                        measure(side, text, args.duration, args.connections)
                report(name, sides)
            if args.profile:
                profile(sides[0], queries[0][1], max(args.duration, 5), args.connections,
                        args.profile)
        finally:
            for side in sides:
                _stop(side.proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
