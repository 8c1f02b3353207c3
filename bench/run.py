"""The benchmark: coedp against its peers, side by side, on the same data, in one run.

    python -m bench.run --size 100k [--duration 20] [--connections 32]

Each side is started in turn as a subprocess on 127.0.0.1 and loaded by
:mod:`bench.load`:

* coedp: ``coedp serve`` with every protection on (guard, worker processes,
  timeout, row cap, access log);
* rdflib-endpoint, the Python peer (100k triples and below: beyond, its
  engine needs up to a minute per query);
* the engine's limit: pyoxigraph behind one FastAPI route (bench/peers/oxigraph_app.py);
* the HTTP floor: a bare FastAPI route (bench/peers/floor_app.py).

Two scenarios: ``mix`` (queries/*.rq that return rows, plus synthetic ones,
each request made unique so that no cache answers it) and ``repeat`` (the same
cheap ASK again and again: what a cache or a 304 is for). The table gives
requests/s, p50/p90/p99 latency, errors, peak resident memory (VmHWM of the
server and its children), startup time (process start to ready), the ratios
coedp/peer, coedp/limit, coedp/floor, the build figures of the synthetic graph,
and the time `coedp build` takes on the project's own graph with each reasoner
(see bench/realbuild.py). It is written to
bench/results/<date>-<size>.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from bench.build import DATA, prepare
from bench.generate import parse_size
from bench.load import LoadResult, run_load
from bench.mix import REPEATED, Query, build_mix, unique_text
from bench.realbuild import REASONERS, time_builds
from bench.realbuild import markdown as real_build_markdown
from coedp.server.settings import DEFAULT_WORKERS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
RDFLIB_MAX = 100_000
START_TIMEOUT = 600.0


@dataclass
class Side:
    """One server measured: its name, role and how to start it."""

    name: str
    role: str  # coedp, peer, limit, floor
    module: str
    needs_data: bool = True
    extra: tuple[str, ...] = ()
    ready_path: str = "/readyz"
    env: tuple[tuple[str, str], ...] = ()


@dataclass
class SideResult:
    """What was measured on one side."""

    name: str
    role: str
    startup: float | None = None
    peak_rss_mb: float | None = None
    scenarios: dict[str, dict[str, object]] = field(default_factory=dict)
    skipped: str = ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
    return found


def _peak_rss_mb(pid: int) -> float | None:
    """Sum of VmHWM (peak resident set) of ``pid`` and its descendants, in MB."""
    total = 0
    for p in _descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1) if total else None


def _wait_ready(proc: subprocess.Popen, url: str, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with code {proc.returncode} before being ready")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError(f"not ready after {timeout:g} s")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (its own process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _summary(load: LoadResult) -> dict[str, object]:
    def ms(q: float) -> float | None:
        value = load.percentile(q)
        return None if value is None else round(value, 2)

    return {
        "requests": load.requests, "rps": round(load.rate, 2), "p50_ms": ms(0.5),
        "p90_ms": ms(0.9), "p99_ms": ms(0.99), "errors": load.errors,
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "first_error": load.first_error,
    }


def measure_side(side: Side, data: Path, mix: list[Query], args: argparse.Namespace,
                 log_dir: Path) -> SideResult:
    """Start one side, load it with each scenario, stop it."""
    result = SideResult(side.name, side.role)
    port = _free_port()
    cmd = [sys.executable, "-m", side.module, "--port", str(port), *side.extra]
    if side.needs_data:
        cmd += ["--data", str(data)]
    log = (log_dir / f"{side.name}.log").open("wb")
    env = dict(os.environ, PYTHONUNBUFFERED="1", **dict(side.env))
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
                            start_new_session=True)
    try:
        _wait_ready(proc, f"http://127.0.0.1:{port}{side.ready_path}", START_TIMEOUT)
        result.startup = round(time.perf_counter() - started, 2)
        # repeat first: a mix query abandoned at the end of its window keeps
        # running on the server and would delay whatever came next.
        scenarios = {
            "repeat": [REPEATED],
            "mix": lambda n: unique_text(mix, n),
        }
        # The Python peer answers a query in seconds: it needs longer to complete enough.
        peer = side.role == "peer"
        duration = max(args.duration, args.peer_duration) if peer else args.duration
        # 32 queries of seconds each, sharing one GIL, would all finish after the window.
        connections = min(args.connections, args.peer_connections) if peer else args.connections
        for name, queries in scenarios.items():
            # A short warm-up, not counted: first queries, connection set-up, caches.
            asyncio.run(run_load("127.0.0.1", port, queries, connections=min(4, args.connections),
                                 duration=min(3.0, args.duration / 4)))
            load = asyncio.run(run_load("127.0.0.1", port, queries,
                                        connections=connections, duration=duration))
            result.scenarios[name] = _summary(load)
            print(f"  {side.name:<16} {name:<7} {load.rate:9.1f} req/s  "
                  f"p99 {load.percentile(0.99) or 0:8.1f} ms  errors {load.errors}", flush=True)
        result.peak_rss_mb = _peak_rss_mb(proc.pid)
    except RuntimeError as exc:
        result.skipped = f"did not run: {exc} (log: {log.name})"
        print(f"  {side.name}: {result.skipped}", flush=True)
    finally:
        _stop(proc)
        log.close()
    return result


def sides_for(size: int, args: argparse.Namespace) -> tuple[list[Side], list[SideResult]]:
    """The sides to run at this size, and those skipped with the reason."""
    sides = [
        Side("coedp", "coedp", "coedp.server", extra=("--workers", str(args.workers))),
        Side("oxigraph+fastapi", "limit", "bench.peers.oxigraph_app"),
        Side("bare fastapi", "floor", "bench.peers.floor_app", needs_data=False),
    ]
    if args.levers:
        # The same server with a lever off, to measure what the lever buys.
        sides.insert(1, Side("coedp, no result cache", "lever", "coedp.server",
                             extra=("--workers", str(args.workers)),
                             env=(("COEDP_CACHE_ENTRIES", "0"),)))
    skipped: list[SideResult] = []
    if size > RDFLIB_MAX:
        skipped.append(SideResult("rdflib-endpoint", "peer", skipped=(
            f"run at {RDFLIB_MAX // 1000}k triples and below only: beyond, its engine "
            "needs up to a minute per query")))
    elif importlib.util.find_spec("rdflib_endpoint") is None:
        skipped.append(SideResult("rdflib-endpoint", "peer", skipped=(
            "rdflib-endpoint is not installed: pip install -r bench/requirements.txt")))
    else:
        sides.insert(1, Side("rdflib-endpoint", "peer", "bench.peers.rdflib_app",
                             ready_path="/sparql?query=ASK%7B%7D"))
    wanted = set(args.sides.split(",")) if args.sides else None
    if wanted:
        sides = [s for s in sides if s.role in wanted or s.name in wanted]
    return sides, skipped


def ratios(results: list[SideResult]) -> dict[str, float | None]:
    """coedp over each other side, on the scenario where the comparison means something."""
    by_role = {r.role: r for r in results if not r.skipped}

    def get(role: str, scenario: str, key: str) -> float | None:
        side = by_role.get(role)
        value = side.scenarios.get(scenario, {}).get(key) if side else None
        return float(value) if value else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a and b else None

    return {
        "mix rps coedp/peer": ratio(get("coedp", "mix", "rps"), get("peer", "mix", "rps")),
        "mix rps coedp/limit": ratio(get("coedp", "mix", "rps"), get("limit", "mix", "rps")),
        "mix p99 coedp/limit": ratio(get("coedp", "mix", "p99_ms"), get("limit", "mix", "p99_ms")),
        "repeat rps coedp/floor": ratio(get("coedp", "repeat", "rps"),
                                        get("floor", "repeat", "rps")),
        "repeat rps coedp/limit": ratio(get("coedp", "repeat", "rps"),
                                        get("limit", "repeat", "rps")),
    }


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "pyoxigraph": ox.__version__, "load_average_at_start": os.getloadavg()}


def markdown(report: dict[str, object]) -> str:
    """The report as Markdown tables."""
    out = [f"# coedp benchmark, {report['size_label']} ({report['date']})", ""]
    m = report["machine"]
    out += [f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, pyoxigraph "
            f"{m['pyoxigraph']}; load average at start {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}. "  # noqa: E501
            f"{report['note']}", ""]
    out += [f"Load: {report['connections']} connections, {report['duration']} s per side and "
            f"scenario (rdflib-endpoint: {report['peer_connections']} connections, "
            f"{report['peer_duration']} s); coedp with {report['coedp_workers']} query workers; "
            f"mix of {len(report['mix'])} queries; dataset of "
            f"{report['build']['quads']} quads.", ""]
    out += ["| side | scenario | req/s | p50 ms | p90 ms | p99 ms | errors | peak RSS MB | "
            "startup s |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for side in report["sides"]:
        if side["skipped"]:
            out.append(f"| {side['name']} | - | skipped: {side['skipped']} | | | | | | |")
            continue
        for name, s in side["scenarios"].items():
            out.append(f"| {side['name']} | {name} | {s['rps']} | {s['p50_ms']} | {s['p90_ms']} | "
                       f"{s['p99_ms']} | {s['errors']} | {side['peak_rss_mb']} | "
                       f"{side['startup']} |")
    out += ["", "| ratio | value |", "|---|---:|"]
    out += [f"| {k} | {v if v is not None else 'n/a'} |" for k, v in report["ratios"].items()]
    out += ["", "Build (fast path: pyoxigraph parse, reasonable, pyoxigraph export; "
            "pyshacl at 100k and below):", "", "| step | seconds | size |", "|---|---:|---:|"]
    out += [f"| {s['name']} | {s['seconds']} | {s['size']} {s['unit']} |"
            for s in report["build"]["steps"]]
    validation = report["build"]["validation"]
    if "skipped" in validation:
        out += ["", f"Validation: {validation['skipped']}."]
    else:
        out += ["", f"Validation: {validation['violations']} violations, "
                f"{validation['warnings']} warnings on {validation['triples']} triples."]
    if report.get("real_build"):
        out += ["", *real_build_markdown(report["real_build"])]
    out += ["", "Mix: " + ", ".join(f"{q['name']} ({q['rows']} rows)" for q in report["mix"])]
    if report["left_out"]:
        out += ["", "Left out: " + ", ".join(report["left_out"])]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100k", help="2k, 100k, 1m, 10m (default 100k)")
    parser.add_argument("--duration", type=float, default=20.0,
                        help="seconds per side and scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--peer-connections", type=int, default=4,
                        help="connections for rdflib-endpoint (at most --connections)")
    parser.add_argument("--peer-duration", type=float, default=60.0,
                        help="seconds per scenario for rdflib-endpoint (at least --duration)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="coedp's query worker processes (default: as coedp serve)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sides", default="", help="comma-separated roles or names to run")
    parser.add_argument("--no-validate", action="store_true", help="skip pyshacl")
    parser.add_argument("--real-build", default=",".join(REASONERS),
                        help="reasoners to time 'coedp build' of the project's own graph with "
                        "(comma-separated; '' to skip; default: %(default)s)")
    parser.add_argument("--levers", action="store_true",
                        help="also run coedp with its result cache off")
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--note", default="The machine is shared: other work ran at the same "
                        "time, so absolute figures vary between runs; ratios are steadier.")
    args = parser.parse_args(argv)
    # SIGTERM runs the finally blocks too, so that no server is left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        size = parse_size(args.size)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    label = args.size.lower()
    if args.duration <= 0 or args.connections < 1:
        parser.error("--duration and --connections must be positive")

    data, build = prepare(size, label, args.seed, validate=not args.no_validate,
                          data_dir=args.data_dir)
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    mix, left_out = build_mix(store, ROOT / "queries")
    del store
    print(f"dataset: {data} ({build['quads']} quads); mix of {len(mix)} queries", flush=True)

    reasoners = tuple(r for r in args.real_build.split(",") if r)
    unknown = set(reasoners) - set(REASONERS)
    if unknown:
        parser.error(f"--real-build: unknown reasoner(s) {', '.join(sorted(unknown))} "
                     f"(choose from {', '.join(REASONERS)})")
    real_build = time_builds(reasoners)
    for b in real_build:
        print(f"real build, {b['reasoner']}: " + (f"skipped: {b['skipped']}" if "skipped" in b
              else f"{b['build_seconds']} s ({b['wall_seconds']} s from process start)"),
              flush=True)

    sides, results = sides_for(size, args)
    for skipped in results:
        print(f"  {skipped.name}: skipped: {skipped.skipped}", flush=True)
    with tempfile.TemporaryDirectory(prefix="coedp-bench-") as logs:
        for side in sides:
            results.append(measure_side(side, data, mix, args, Path(logs)))

    order = {"coedp": 0, "lever": 1, "peer": 2, "limit": 3, "floor": 4}
    results.sort(key=lambda r: order[r.role])
    today = dt.datetime.now(dt.UTC).date().isoformat()
    report = {
        "date": today, "size_label": label, "size": size, "duration": args.duration,
        "peer_duration": max(args.duration, args.peer_duration),
        "peer_connections": min(args.connections, args.peer_connections),
        "connections": args.connections, "coedp_workers": args.workers, "machine": machine(),
        "note": args.note, "build": build, "real_build": real_build,
        "mix": [{"name": q.name, "rows": q.rows} for q in mix], "left_out": left_out,
        "sides": [r.__dict__ for r in results], "ratios": ratios(results),
    }
    write_results(args.out, f"{today}-{label}", markdown(report), report)
    return 0


def write_results(out: Path, name: str, text: str, report: dict[str, object]) -> None:
    """Print the Markdown table and write it, with the report as JSON, to ``out/name.*``."""
    print()
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.md").write_text(text, encoding="utf-8")
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {out / name}.md and .json")


if __name__ == "__main__":
    sys.exit(main())
