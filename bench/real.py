"""The real-dataset comparison: coedp (result cache off) against pyoxigraph + FastAPI.

    python -m bench.real [--duration 5] [--rounds 3] [--connections 8]

Both servers run at once on the project's own built dataset (``dist/``, built
first when missing): ``coedp serve`` with every protection on and its result
cache off (``COEDP_CACHE_ENTRIES=0``), and the bare app of
bench/peers/oxigraph_app.py (no guard, no worker processes, no limits, no log).
Each query of ``queries/*.rq`` is sent again and again, on its own, for
``--duration`` seconds to one side, then to the other; the order of the two
alternates from query to query and from round to round, and the whole is
repeated ``--rounds`` times, so that a burst of load from elsewhere on a shared
machine falls on both sides alike. A query's ratio is the median of its
per-round ratios coedp/bare (each measured minutes apart at most); the figure
that counts is the geometric mean of the queries' ratios.

The load comes from wrk when it is installed (installed with apt-get when
missing and this runs as root; ``--driver python`` uses bench/load.py instead).
The table is printed and written to bench/results/<date>-<label>.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from bench.load import ACCEPT, run_load
from bench.run import RESULTS, ROOT, _free_port, _stop, _wait_ready, machine, write_results

START_TIMEOUT = 300.0
CHECK_TIMEOUT = 30.0


@dataclass
class Measure:
    """One side's figures for one query in one round."""

    rps: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int


@dataclass
class QueryRow:
    """A query of the mix and what each round measured on each side."""

    name: str
    text: str
    coedp: list[Measure] = field(default_factory=list)
    bare: list[Measure] = field(default_factory=list)

    def ratios(self) -> list[float]:
        """coedp/bare of each round (rounds where either side answered nothing left out)."""
        return [c.rps / b.rps for c, b in zip(self.coedp, self.bare, strict=True)
                if c.rps > 0 and b.rps > 0]

    def summary(self) -> dict[str, object]:
        """Medians over the rounds."""
        ratios = self.ratios()
        return {
            "query": self.name,
            "coedp_rps": _median([m.rps for m in self.coedp]),
            "bare_rps": _median([m.rps for m in self.bare]),
            "coedp_p50_ms": _median([m.p50_ms for m in self.coedp if m.p50_ms is not None]),
            "bare_p50_ms": _median([m.p50_ms for m in self.bare if m.p50_ms is not None]),
            "ratio": round(statistics.median(ratios), 3) if ratios else None,
            "ratio_min": round(min(ratios), 3) if ratios else None,
            "ratio_max": round(max(ratios), 3) if ratios else None,
            "errors": sum(m.errors for m in self.coedp) + sum(m.errors for m in self.bare),
        }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def geomean(values: list[float]) -> float | None:
    """The geometric mean of positive values (None for none)."""
    values = [v for v in values if v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


# -- the load drivers -------------------------------------------------------------------
def find_wrk(install: bool) -> str | None:
    """wrk's path; with ``install``, try apt-get (as root) when it is missing."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is not installed: apt-get install -y wrk", flush=True)
        done = subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            print(f"  apt-get failed ({done.returncode}); using bench/load.py", flush=True)
    return shutil.which("wrk")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float | None:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


def parse_wrk(output: str, duration: float) -> Measure:
    """The figures of one wrk run: successful requests per second, p50/p99, errors."""
    total = re.search(r"(\d+) requests in ([0-9.]+)(us|ms|s|m)", output)
    if total is None:
        raise RuntimeError(f"wrk printed no request count:\n{output}")
    seconds = (_ms(total.group(2) + total.group(3)) or duration * 1000) / 1000
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        output)
    if sockets:
        errors += sum(int(x) for x in sockets.groups())
    ok = int(total.group(1)) - (int(non_2xx.group(1)) if non_2xx else 0)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    return Measure(
        rps=round(ok / seconds, 2) if seconds > 0 else 0.0,
        p50_ms=_ms(p50.group(1)) if p50 else None,
        p99_ms=_ms(p99.group(1)) if p99 else None,
        errors=errors,
    )


def measure(driver: str | None, port: int, query: str, duration: float,
            connections: int, threads: int) -> Measure:
    """Send ``query`` to the server on ``port`` for ``duration`` seconds."""
    if driver is None:
        load = asyncio.run(run_load("127.0.0.1", port, [query], connections=connections,
                                    duration=duration))
        return Measure(round(load.rate, 2), load.percentile(0.5), load.percentile(0.99),
                       load.errors)
    url = f"http://127.0.0.1:{port}/sparql?query={quote(query, safe='')}"
    seconds = max(1, round(duration))  # wrk counts whole seconds
    done = subprocess.run(
        [driver, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Accept: {ACCEPT}", url],
        capture_output=True, text=True, timeout=seconds + 60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout, seconds)


def check(port: int, query: str) -> str:
    """'' when the server answers ``query`` 200, else what went wrong."""
    url = f"http://127.0.0.1:{port}/sparql?query={quote(query, safe='')}"
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=CHECK_TIMEOUT) as answer:
            answer.read()
            return "" if answer.status == 200 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}: {exc.read(200).decode('utf-8', 'replace').strip()}"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


# -- the run -----------------------------------------------------------------------------
def ensure_dataset(dist: Path) -> Path:
    """``dist/coedp.nq``, building the dataset into ``dist`` first when it is missing."""
    nquads = dist / "coedp.nq"
    if not nquads.is_file():
        print(f"building the dataset into {dist} (coedp build)", flush=True)
        subprocess.run([sys.executable, "-m", "coedp.cli", "build", "--out", str(dist),
                        "--quiet"], cwd=ROOT, check=True, timeout=900)
    return nquads


def select_queries(folder: Path, wanted: str) -> list[tuple[str, str]]:
    """(name, text) of ``folder/*.rq``, only those whose names hold one of ``wanted``."""
    parts = [w.strip() for w in wanted.split(",") if w.strip()]
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))
            if not parts or any(w in p.stem for w in parts)]


def start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start a server in its own process group, its output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env=env, start_new_session=True)


def run(args: argparse.Namespace) -> dict[str, object]:
    """Start both servers, measure every query on both in alternation, stop them."""
    nquads = ensure_dataset(args.dist)
    queries = select_queries(args.queries_dir, args.queries)
    if not queries:
        raise SystemExit(f"no query in {args.queries_dir} matches {args.queries!r}")
    driver = None if args.driver == "python" else find_wrk(install=args.driver == "auto")
    if args.driver == "wrk" and driver is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    coedp_env = dict(env, COEDP_CACHE_ENTRIES="0")  # the result cache off
    coedp_port, bare_port = _free_port(), _free_port()
    coedp_cmd = [sys.executable, "-m", "coedp.server", "--data", str(args.dist),
                 "--port", str(coedp_port), *(["--workers", str(args.workers)]
                                              if args.workers else [])]
    bare_cmd = [sys.executable, "-m", "bench.peers.oxigraph_app", "--data", str(nquads),
                "--port", str(bare_port)]
    load_start = os.getloadavg()
    rows: list[QueryRow] = []
    left_out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="coedp-bench-real-") as logs:
        procs = {
            "coedp": start(coedp_cmd, Path(logs) / "coedp.log", coedp_env),
            "bare": start(bare_cmd, Path(logs) / "bare.log", env),
        }
        ports = {"coedp": coedp_port, "bare": bare_port}
        try:
            for name, proc in procs.items():
                try:
                    _wait_ready(proc, f"http://127.0.0.1:{ports[name]}/readyz", START_TIMEOUT)
                except RuntimeError as exc:
                    log = (Path(logs) / f"{name}.log").read_text(errors="replace")
                    raise SystemExit(f"{name} did not start: {exc}\n{log[-3000:]}") from None
            for name, text in queries:
                problems = [f"{side}: {p}" for side in ports if (p := check(ports[side], text))]
                if problems:
                    left_out.append(f"{name} ({'; '.join(problems)})")
                else:
                    rows.append(QueryRow(name, text))
            print(f"{len(rows)} queries, {args.rounds} rounds of {args.duration:g} s per side "
                  f"and query, {args.connections} connections, driver "
                  f"{driver or 'bench/load.py'}", flush=True)
            # Warm-up, not counted: connections, the engine's first plans, the workers.
            for row in rows:
                for side in ports:
                    measure(driver, ports[side], row.text, 1.0 if driver else 0.3,
                            args.connections, args.threads)
            for round_no in range(args.rounds):
                for i, row in enumerate(rows):
                    order = ("coedp", "bare") if (round_no + i) % 2 == 0 else ("bare", "coedp")
                    for side in order:
                        figures = measure(driver, ports[side], row.text, args.duration,
                                          args.connections, args.threads)
                        getattr(row, side).append(figures)
                    ratio = row.coedp[-1].rps / row.bare[-1].rps if row.bare[-1].rps else 0
                    print(f"  round {round_no + 1} {row.name:<48} coedp "
                          f"{row.coedp[-1].rps:8.1f}  bare {row.bare[-1].rps:8.1f}  "
                          f"ratio {ratio:5.2f}", flush=True)
        finally:
            for proc in procs.values():
                _stop(proc)
    summaries = [r.summary() for r in rows]
    ratio = geomean([float(s["ratio"]) for s in summaries if s["ratio"]])
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(), "label": args.label,
        "machine": machine() | {"load_average_at_end": os.getloadavg()},
        "load_average_at_start": load_start, "note": args.note,
        "driver": "wrk" if driver else "bench/load.py", "connections": args.connections,
        "threads": args.threads, "duration": args.duration, "rounds": args.rounds,
        "coedp_workers": args.workers or "default", "dataset": str(nquads),
        "queries": summaries, "left_out": left_out,
        "geomean_ratio": round(ratio, 3) if ratio else None,
        "geomean_coedp_rps": _round(geomean([float(s["coedp_rps"] or 0) for s in summaries])),
        "geomean_bare_rps": _round(geomean([float(s["bare_rps"] or 0) for s in summaries])),
        "rounds_detail": [{"query": r.name, "coedp": [m.__dict__ for m in r.coedp],
                           "bare": [m.__dict__ for m in r.bare]} for r in rows],
    }


def _round(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def markdown(report: dict[str, object]) -> str:
    """The report as a Markdown table, one row a query, and the geometric mean."""
    m = report["machine"]
    loads = ", ".join(f"{x:.2f}" for x in report["load_average_at_start"])
    out = [f"# coedp on the real dataset: result cache off, against pyoxigraph + FastAPI "
           f"({report['date']})", ""]
    out += [f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, pyoxigraph "
            f"{m['pyoxigraph']}; load average at start {loads}. {report['note']}".rstrip(), ""]
    out += [f"Load: {report['driver']}, {report['connections']} connections, "
            f"{report['duration']:g} s per side and query, {report['rounds']} rounds, the two "
            f"sides alternating; coedp with {report['coedp_workers']} query workers and "
            f"every protection on; dataset {Path(str(report['dataset'])).name}. "
            "Figures are medians over the rounds; a query's ratio is the median of its "
            "per-round ratios.", ""]
    out += ["| query | coedp req/s | bare req/s | ratio | ratio range | coedp p50 ms | "
            "bare p50 ms | errors |", "|---|---:|---:|---:|---|---:|---:|---:|"]
    for s in report["queries"]:
        out.append(f"| {s['query']} | {s['coedp_rps']} | {s['bare_rps']} | {s['ratio']} | "
                   f"{s['ratio_min']} - {s['ratio_max']} | {s['coedp_p50_ms']} | "
                   f"{s['bare_p50_ms']} | {s['errors']} |")
    out.append(f"| **geometric mean** | {report['geomean_coedp_rps']} | "
               f"{report['geomean_bare_rps']} | **{report['geomean_ratio']}** | | | | |")
    if report["left_out"]:
        out += ["", "Left out: " + "; ".join(report["left_out"])]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.real", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds per side, query and round (wrk: whole seconds)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=0,
                        help="coedp's query workers (default: as coedp serve)")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto",
                        help="auto: wrk, installed when missing if possible, else bench/load.py")
    parser.add_argument("--queries", default="",
                        help="comma-separated parts of query names to keep (default: all)")
    parser.add_argument("--queries-dir", type=Path, default=ROOT / "queries")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist",
                        help="the built dataset (built there when coedp.nq is missing)")
    parser.add_argument("--label", default="real", help="results file: <date>-<label>.md")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.rounds < 1 or args.connections < 1:
        parser.error("--duration, --rounds and --connections must be positive")
    started = time.perf_counter()
    report = run(args)
    report["seconds"] = round(time.perf_counter() - started, 1)
    write_results(args.out, f"{report['date']}-{args.label}", markdown(report), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
