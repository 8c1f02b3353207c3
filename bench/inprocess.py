"""The web process's own CPU per request, without HTTP: the site's ASGI app driven in process.

    python -m bench.inprocess [--query strategies] [--requests 3000] [--profile]

Builds the whole site as ``coedp serve`` does (``create_site``, result cache
off, every protection on, real query workers on the built dataset in
``dist/``), starts it, then sends ``--requests`` GET /sparql requests of one
query of ``queries/``, 8 at a time from one client address, straight to the
ASGI application (no socket, no uvicorn). It prints the main thread's CPU
time per request (``time.thread_time``), and with ``--profile`` the functions
where cProfile (on the thread's CPU clock) finds it spent.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.load import ACCEPT
from bench.real import ensure_dataset
from bench.run import ROOT


async def drive(app: Any, query: str, requests: int, concurrency: int) -> int:
    """Send ``requests`` GETs of ``query`` to ``app``, ``concurrency`` at a time; 200s."""
    raw = f"query={quote(query, safe='')}".encode()
    ok = 0

    async def one() -> None:
        nonlocal ok
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": "/sparql", "raw_path": b"/sparql",
            "query_string": raw, "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"accept", ACCEPT.encode())],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        }
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        ok += status == 200

    async def client(count: int) -> None:
        for _ in range(count):
            await one()

    share = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]
    await asyncio.gather(*(client(n) for n in share))
    return ok


async def main_async(args: argparse.Namespace) -> None:
    """Start the site, warm it up, measure, stop it."""
    os.environ["COEDP_CACHE_ENTRIES"] = "0"
    from coedp.server.settings import from_environment
    from coedp.web import create_site

    settings = from_environment()
    settings.data = args.dist
    logging.getLogger("coedp.access").addHandler(logging.FileHandler(os.devnull))
    logging.getLogger("coedp.access").setLevel(logging.INFO)
    logging.getLogger("coedp.access").propagate = False
    app = create_site(settings)
    query = (ROOT / "queries" / f"{args.query}.rq").read_text(encoding="utf-8")
    async with app.router.lifespan_context(app):
        await drive(app, query, 200, args.concurrency)
        profiler = cProfile.Profile(time.thread_time) if args.profile else None
        cpu, wall = time.thread_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        ok = await drive(app, query, args.requests, args.concurrency)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    print(f"{args.query}: {ok}/{args.requests} answered 200; main thread "
          f"{cpu / args.requests * 1e6:.0f} us CPU per request ({args.requests / wall:.0f} "
          f"req/s in process{', profiled' if profiler else ''}; load average "
          f"{os.getloadavg()[0]:.2f})")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumulative").print_stats(50)


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--query", default="strategies")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    ensure_dataset(args.dist)
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
