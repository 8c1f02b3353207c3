#!/usr/bin/env python3
"""Soak test: many concurrent clients on loopback asking the competency questions.

Starts ``coedp serve`` on a free port of 127.0.0.1 (or uses ``--url``), runs
``--clients`` clients for ``--duration`` seconds, each sending the queries of
queries/*.rq in turn (by POST, JSON or Turtle results), and reports requests,
errors, 5xx, latency percentiles, and the resident memory of the server and its
query workers at the start (after one warm-up pass) and at the end.

With ``--kill-worker``, a query worker is killed (SIGKILL) halfway through; the
request it held may fail, nothing else may, and the pool must be whole again.

With ``--attackers N``, the soak runs twice back to back on the same server: the
clients alone, then the clients while N attacker clients replay the attack set
of ``scripts/attacks.py`` (SERVICE disguises, freezes, memory, deep
expressions, slow queries, slowloris). The server is started behind a trusted
proxy (``--trusted-proxies 127.0.0.1``) and every client, attacker or not,
sends its own X-Forwarded-For address, so that per-client limits see 64 + N
clients. It passes when the clients see no error and no 5xx, their p99 with
attackers is at most ``--max-p99-ratio`` (1.5) times the p99 without, every
attack got its refusal, no SERVICE reached the network, and the memory of the
server and its workers, sampled every half second, stayed under the bound
(``--worker-memory-mb`` per worker plus ``--web-memory-mb`` for the web process).

Writes ``soak-YYYY-MM-DD-HHMMSS.md`` and ``.json`` under ``--out``; exits 0
when there were no errors, no 5xx and memory grew by less than 10 %.

    python scripts/soak.py                      # 64 clients, 60 s, on dist/
    python scripts/soak.py --duration 10 --kill-worker
    python scripts/soak.py --attackers 4       # the acceptance soak of the sandbox
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attacks import AttackSet, Listener  # noqa: E402 - a script beside this one

ROOT = Path(__file__).resolve().parents[1]
MAX_GROWTH = 0.10
# The message of the one request a killed worker was holding (see server/workers.py).
KILLED_WORKER_MESSAGE = "the query engine stopped unexpectedly"


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # transport errors by kind
    held_by_killed_worker: int = 0
    per_query: Counter = field(default_factory=Counter)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int) -> int:
    """Resident set size of a process in kB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def load_queries(folder: Path) -> list[tuple[str, str]]:
    """(name, text) of every .rq file of ``folder``."""
    queries = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))]
    if not queries:
        raise SystemExit(f"soak: no .rq file in {folder}")
    return queries


def start_server(
    data: Path, workers: int, log: Path, extra: list[str] | None = None
) -> tuple[subprocess.Popen, str]:
    """``coedp serve`` on a free port; returns the process and its base URL once ready."""
    port = free_port()
    script = Path(sys.executable).with_name("coedp")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "coedp.cli"]
    proc = subprocess.Popen(
        [*command, "serve", "--data", str(data), "--port", str(port), "--workers", str(workers),
         *(extra or [])],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"soak: coedp serve exited {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("soak: coedp serve did not become ready")


def worker_pids(base: str) -> list[int]:
    """The query workers' pids, from /healthz."""
    return httpx.get(f"{base}/healthz", timeout=10).json().get("workers", [])


def memory(server_pid: int | None, base: str) -> dict[str, int]:
    """RSS in kB of the server and of each worker, and their total."""
    sizes = {f"worker {pid}": rss_kb(pid) for pid in worker_pids(base)}
    if server_pid:
        sizes["server"] = rss_kb(server_pid)
    sizes["total"] = sum(sizes.values())
    return sizes


def client_address(n: int) -> str:
    """The X-Forwarded-For address of client ``n`` (documentation ranges: never a target)."""
    return f"203.0.113.{n % 250 + 1}" if n < 250 else f"2001:db8::{n:x}"


async def client(
    http: httpx.AsyncClient, queries: list[tuple[str, str]], offset: int, stop: float,
    tally: Tally, unique: bool, forwarded: bool = False,
) -> None:
    """One client: the queries in turn, from its own starting point, until ``stop``.

    With ``unique``, each query ends with its own comment, so that no answer comes
    from a result cache and every request reaches a query worker. With
    ``forwarded``, it sends its own X-Forwarded-For address.
    """
    extra = {"x-forwarded-for": client_address(offset)} if forwarded else {}
    i = offset
    while time.monotonic() < stop:
        name, text = queries[i % len(queries)]
        i += 1
        if unique:
            text = f"{text}\n# soak client {offset}, request {i}\n"
        started = time.perf_counter()
        try:
            r = await http.post(
                "/sparql", data={"query": text},
                headers={"accept": "application/sparql-results+json, text/turtle;q=0.9",
                         **extra},
            )
        except httpx.HTTPError as exc:
            tally.errors[type(exc).__name__] += 1
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.statuses[r.status_code] += 1
        tally.per_query[name] += 1
        if r.status_code == 500 and KILLED_WORKER_MESSAGE in r.text:
            tally.held_by_killed_worker += 1


async def kill_one_worker(base: str, at: float, killed: list[int]) -> None:
    """SIGKILL one query worker at time ``at``."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    async with httpx.AsyncClient(timeout=10) as http:
        pids = (await http.get(f"{base}/healthz")).json()["workers"]
    if pids:
        os.kill(pids[0], signal.SIGKILL)
        killed.append(pids[0])


def attacker(base: str, n: int, stop: float, listener: Listener, done: list[AttackSet]) -> None:
    """One attacker: the attack set replayed until ``stop`` (each attack bounded in time)."""
    attacks = AttackSet(base, forwarded_for=f"198.51.100.{n + 1}", listener=listener)
    while time.monotonic() < stop:
        for attack in attacks.all():
            if time.monotonic() >= stop:
                break
            attack()
    done.append(attacks)


@dataclass
class Sampler:
    """The peak memory of the server and its workers, sampled every half second."""

    server_pid: int | None
    base: str
    peak_kb: int = 0
    peak: dict[str, int] = field(default_factory=dict)

    async def run(self, stop: float) -> None:
        while time.monotonic() < stop:
            try:
                sizes = await asyncio.to_thread(memory, self.server_pid, self.base)
            except httpx.HTTPError:
                sizes = {"total": 0}
            if sizes["total"] > self.peak_kb:
                self.peak_kb, self.peak = sizes["total"], sizes
            await asyncio.sleep(0.5)


async def soak(base: str, queries: list[tuple[str, str]], clients: int, duration: float,
               kill_at: float | None, unique: bool, forwarded: bool = False,
               attackers: int = 0, listener: Listener | None = None,
               sampler: Sampler | None = None) -> tuple[Tally, list[int], list[AttackSet]]:
    """Run the clients (the worker killer, the attackers) and return what they saw."""
    tally = Tally()
    killed: list[int] = []
    attacks: list[AttackSet] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        start = time.monotonic()
        stop = start + duration
        jobs = [client(http, queries, n, stop, tally, unique, forwarded) for n in range(clients)]
        if kill_at is not None:
            jobs.append(kill_one_worker(base, start + kill_at, killed))
        if sampler is not None:
            jobs.append(sampler.run(stop))
        if attackers and listener is not None:
            jobs += [asyncio.to_thread(attacker, base, n, stop, listener, attacks)
                     for n in range(attackers)]
        await asyncio.gather(*jobs)
    return tally, killed, attacks


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def wait_whole(base: str, size: int, killed: list[int]) -> bool:
    """Whether the pool is back to ``size`` workers, none of them a killed one."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = worker_pids(base)
        if len(pids) == size and not set(pids) & set(killed):
            return True
        time.sleep(0.2)
    return False


def report(args: argparse.Namespace, result: dict, out: Path) -> Path:
    """Write the Markdown and JSON reports; return the Markdown file."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M%S")
    md = out / f"soak-{stamp}.md"
    (out / f"soak-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lat = result["latency_ms"]
    mem = result["memory_kb"]
    lines = [
        f"# Soak test, {result['date']}",
        "",
        f"{result['clients']} clients on loopback for {result['duration_s']:g} s, "
        f"{result['queries']} competency queries of queries/ in turn "
        f"({'repeated as they are' if args.repeat else 'each request made unique'}), "
        f"{result['workers']} query workers; dataset {result['dataset']}.",
        f"Machine: {result['cpus']} CPUs, load average {result['load_before']:.2f} before the "
        "soak (other programs may share the machine).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests | {result['requests']} ({result['requests_per_s']:.1f}/s) |",
        f"| errors (transport) | {result['errors']} |",
        f"| 5xx (besides the requests the killed worker held) | {result['server_errors']} |",
        f"| statuses | {', '.join(f'{k}: {v}' for k, v in sorted(result['statuses'].items()))} |",
        f"| latency p50 / p90 / p99 / max | {lat['p50']:.1f} / {lat['p90']:.1f} / "
        f"{lat['p99']:.1f} / {lat['max']:.1f} ms |",
        f"| memory (server + workers) at start | {mem['start']['total'] / 1024:.1f} MB |",
        f"| memory at end | {mem['end']['total'] / 1024:.1f} MB |",
        f"| growth | {result['memory_growth'] * 100:+.1f} % (limit {MAX_GROWTH * 100:.0f} %) |",
    ]
    if result.get("killed_worker"):
        lines += [
            f"| worker killed (SIGKILL) | pid {result['killed_worker']} at "
            f"{args.duration / 2:g} s |",
            f"| requests it held | {result['held_by_killed_worker']} |",
            f"| pool whole afterwards | {'yes' if result['pool_whole'] else 'NO'} |",
        ]
    lines += ["", f"Verdict: **{'pass' if result['passed'] else 'FAIL'}**", ""]
    md.write_text("\n".join(lines), encoding="utf-8")
    return md


def main(argv: list[str] | None = None) -> int:
    """Run the soak and write its report; 0 when it passed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="dataset to serve (default: dist/, or COEDP_DIST)")
    parser.add_argument("--url", default=None,
                        help="soak a server already running here instead of starting one")
    parser.add_argument("--pid", type=int, default=None,
                        help="with --url: the server's pid, for its memory")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="query workers of the server")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries")
    parser.add_argument("--kill-worker", action="store_true",
                        help="SIGKILL a query worker halfway and check it is replaced")
    parser.add_argument("--repeat", action="store_true",
                        help="send the queries as they are, so that repeats may be answered "
                        "from the result cache (default: each request is made unique)")
    parser.add_argument("--out", type=Path, default=ROOT / "scripts" / "results")
    parser.add_argument("--attackers", type=int, default=0,
                        help="run twice back to back, the second time with this many attacker "
                        "clients replaying scripts/attacks.py (see above)")
    parser.add_argument("--worker-memory-mb", type=int, default=512,
                        help="with --attackers: the server's --worker-memory-mb")
    parser.add_argument("--web-memory-mb", type=int, default=512,
                        help="with --attackers: memory allowed to the web process in the bound")
    parser.add_argument("--max-p99-ratio", type=float, default=1.5,
                        help="with --attackers: most the clients' p99 may grow under attack")
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)
    if args.attackers:
        return attack_soak(args, queries)
    proc = None
    log = Path(tempfile.mkstemp(prefix="coedp-soak-", suffix=".log")[1])
    if args.url:
        base, server_pid = args.url.rstrip("/"), args.pid
        dataset = args.url
    else:
        data = args.data or Path(os.environ.get("COEDP_DIST", ROOT / "dist"))
        proc, base = start_server(data, args.workers, log)
        server_pid, dataset = proc.pid, str(data)
    try:
        size = len(worker_pids(base))
        # Warm-up: every query once, so that the start figure includes what stays loaded.
        with httpx.Client(base_url=base, timeout=120) as http:
            for _, text in queries:
                http.post("/sparql", data={"query": text})
        start_memory = memory(server_pid, base)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        tally, killed, _ = asyncio.run(soak(
            base, queries, args.clients, args.duration,
            args.duration / 2 if args.kill_worker else None, not args.repeat,
        ))
        elapsed = time.monotonic() - started
        whole = wait_whole(base, size, killed) if args.kill_worker else True
        end_memory = memory(server_pid, base)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.unlink(missing_ok=True)

    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    excused = min(tally.held_by_killed_worker, len(killed))
    growth = (end_memory["total"] - start_memory["total"]) / max(1, start_memory["total"])
    errors = sum(tally.errors.values())
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "dataset": dataset,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "clients": args.clients,
        "duration_s": args.duration,
        "workers": size,
        "queries": len(queries),
        "requests": len(tally.latencies),
        "requests_per_s": len(tally.latencies) / max(elapsed, 1e-9),
        "errors": errors,
        "error_kinds": dict(tally.errors),
        "server_errors": server_errors - excused,
        "statuses": {str(k): v for k, v in tally.statuses.items()},
        "latency_ms": {
            "p50": percentile(tally.latencies, 0.50) * 1000,
            "p90": percentile(tally.latencies, 0.90) * 1000,
            "p99": percentile(tally.latencies, 0.99) * 1000,
            "max": max(tally.latencies, default=0.0) * 1000,
        },
        "memory_kb": {"start": start_memory, "end": end_memory},
        "memory_growth": growth,
        "killed_worker": killed[0] if killed else None,
        "held_by_killed_worker": tally.held_by_killed_worker,
        "pool_whole": whole,
    }
    result["passed"] = (
        errors == 0 and result["server_errors"] == 0 and growth < MAX_GROWTH and whole
        and (not args.kill_worker or bool(killed))
    )
    md = report(args, result, args.out)
    print(md.read_text(encoding="utf-8"))
    print(f"report: {md}")
    return 0 if result["passed"] else 1


def attack_soak(args: argparse.Namespace, queries: list[tuple[str, str]]) -> int:
    """The clients alone, then the clients under attack, on one server; write the report."""
    data = args.data or Path(os.environ.get("COEDP_DIST", ROOT / "dist"))
    log = Path(tempfile.mkstemp(prefix="coedp-soak-", suffix=".log")[1])
    extra = ["--trusted-proxies", "127.0.0.1", "--worker-memory-mb", str(args.worker_memory_mb)]
    proc, base = start_server(data, args.workers, log, extra)
    listener = Listener()
    runs: dict[str, dict] = {}
    attack_sets: list[AttackSet] = []
    try:
        size = len(worker_pids(base))
        with httpx.Client(base_url=base, timeout=120) as http:
            for _, text in queries:
                http.post("/sparql", data={"query": text})
        for name, attackers in (("clients alone", 0), (f"with {args.attackers} attackers",
                                                       args.attackers)):
            sampler = Sampler(proc.pid, base)
            started = time.monotonic()
            tally, _, attacks = asyncio.run(soak(
                base, queries, args.clients, args.duration, None, not args.repeat,
                forwarded=True, attackers=attackers, listener=listener, sampler=sampler,
            ))
            elapsed = time.monotonic() - started
            attack_sets += attacks
            runs[name] = {
                "requests": len(tally.latencies),
                "requests_per_s": len(tally.latencies) / max(elapsed, 1e-9),
                "errors": sum(tally.errors.values()),
                "error_kinds": dict(tally.errors),
                "server_errors": sum(n for st, n in tally.statuses.items() if st >= 500),
                "statuses": {str(k): v for k, v in tally.statuses.items()},
                "p50_ms": percentile(tally.latencies, 0.50) * 1000,
                "p99_ms": percentile(tally.latencies, 0.99) * 1000,
                "max_ms": max(tally.latencies, default=0.0) * 1000,
                "peak_memory_kb": sampler.peak_kb,
                "peak_memory": sampler.peak,
            }
        whole = wait_whole(base, size, [])
    finally:
        listener.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        server_log = log.read_text(encoding="utf-8", errors="replace")
        log.unlink(missing_ok=True)

    alone, attacked = runs.values()
    outcomes = [o for a in attack_sets for o in a.outcomes]
    by_attack: dict[str, Counter] = {}
    for o in outcomes:
        by_attack.setdefault(o.name, Counter())[o.status] += 1
    wrong = sorted({f"{o.name}: {o.status} {o.detail}" for o in outcomes if not o.ok})
    bound_kb = (args.worker_memory_mb * size + args.web_memory_mb) * 1024
    ratio = attacked["p99_ms"] / max(alone["p99_ms"], 1e-9)
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "dataset": str(data), "cpus": os.cpu_count(), "clients": args.clients,
        "attackers": args.attackers, "duration_s": args.duration, "workers": size,
        "runs": runs, "p99_ratio": ratio, "attacks": {k: dict(v) for k, v in by_attack.items()},
        "attack_failures": wrong, "service_connections": listener.connections,
        "memory_bound_kb": bound_kb, "pool_whole": whole,
        "server_log_lines": server_log.count("\n"),
    }
    result["passed"] = (
        all(r["errors"] == 0 and r["server_errors"] == 0 for r in runs.values())
        and ratio <= args.max_p99_ratio and not wrong and listener.connections == 0
        and all(r["peak_memory_kb"] <= bound_kb for r in runs.values()) and whole
        and bool(outcomes)
    )
    md = attack_report(args, result, args.out)
    print(md.read_text(encoding="utf-8"))
    print(f"report: {md}")
    return 0 if result["passed"] else 1


def attack_report(args: argparse.Namespace, result: dict, out: Path) -> Path:
    """Write the Markdown and JSON reports of an attack soak; return the Markdown file."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M%S")
    md = out / f"attack-soak-{stamp}.md"
    (out / f"attack-soak-{stamp}.json").write_text(
        json.dumps(result, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        f"# Soak under attack, {result['date']}",
        "",
        f"{result['clients']} clients, each with its own X-Forwarded-For through a trusted "
        f"proxy, ran the {len(load_queries(args.queries))} queries of queries/ for "
        f"{result['duration_s']:g} s; then again while {result['attackers']} attacker clients "
        "replayed scripts/attacks.py. One server, "
        f"{result['workers']} query workers, --worker-memory-mb {args.worker_memory_mb}; "
        f"dataset {result['dataset']}; {result['cpus']} CPUs.",
        "",
        "| run | requests | req/s | errors | 5xx | p50 ms | p99 ms | max ms | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in result["runs"].items():
        lines.append(
            f"| {name} | {r['requests']} | {r['requests_per_s']:.1f} | {r['errors']} | "
            f"{r['server_errors']} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['max_ms']:.0f} | "
            f"{r['peak_memory_kb'] / 1024:.0f} |"
        )
    lines += [
        "",
        f"- p99 under attack / alone: **{result['p99_ratio']:.2f}** "
        f"(at most {args.max_p99_ratio:g})",
        f"- memory bound: {result['memory_bound_kb'] / 1024:.0f} MB "
        f"({args.worker_memory_mb} MB per worker + {args.web_memory_mb} MB web process)",
        f"- connections the SERVICE disguises made to the loopback listener: "
        f"**{result['service_connections']}**",
        f"- pool whole afterwards: {'yes' if result['pool_whole'] else 'NO'}",
        "",
        "| attack | statuses seen |",
        "|---|---|",
    ]
    for name, statuses in sorted(result["attacks"].items()):
        seen = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        lines.append(f"| {name} | {seen} |")
    if result["attack_failures"]:
        lines += ["", "Attacks answered wrongly:", ""]
        lines += [f"- {line}" for line in result["attack_failures"][:40]]
    lines += ["", f"Verdict: **{'pass' if result['passed'] else 'FAIL'}**", ""]
    md.write_text("\n".join(lines), encoding="utf-8")
    return md


if __name__ == "__main__":
    sys.exit(main())
