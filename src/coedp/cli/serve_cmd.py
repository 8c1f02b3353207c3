"""``coedp serve``: the read-only SPARQL 1.1 endpoint on an embedded pyoxigraph store."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from coedp.server.settings import SPECS, Settings, from_environment
from coedp.server.settings import flag as yes_no

if TYPE_CHECKING:
    from coedp.server.backends import QueryBackend
    from coedp.server.connections import ConnectionStats

EPILOG = """\
Every option can also be set by the environment variable shown; an option given
on the command line wins.

Without --data, serves dist/coedp.nq (COEDP_DIST moves dist/), running
'coedp build' first if there is no built dataset.

Limits, checked before a query reaches the engine: an over-long query is refused
with 413, one nested too deeply with 400; SERVICE, updates and FROM / FROM NAMED /
default-graph-uri / named-graph-uri IRIs that are not graphs of the dataset are
refused. A query running past --timeout is stopped (its worker process is killed
and replaced) and answered 503. A result with more rows (or triples) than
--max-rows is refused with 422 and a message asking for LIMIT/OFFSET: it is never
silently truncated.

Query workers cannot open sockets (a seccomp filter, installed once the store
is open): a SERVICE that got past the checks is answered 403 and reaches no
network. Where the kernel offers no seccomp, serve refuses to start unless
given --unsandboxed. A query past --worker-memory-mb is stopped and answered
507; a result larger than --max-response-mb is refused with 422.

Without --store-dir the dataset is bulk-loaded at every start into a temporary
on-disk store, removed at exit. With --store-dir DIR the store is kept in DIR:
the first start loads it ("loading FILE into DIR (why)"); later starts reuse it
without loading or counting ("reusing the store in DIR (N quads, loaded DATE)")
while --data is the same file with the same size and modification time (a file
moved or touched is hashed, and reused if its SHA-256, the dataset version in
ETags, is unchanged). A changed file is loaded into a new store beside the old
one, which it replaces only once complete: an interrupted load never leaves a
half store in use. DIR must be new, empty or made by coedp (a folder of other
files is refused, never emptied), and serves one coedp at a time.

With --store URL (a SPARQL endpoint), queries and pages are answered by that store
from its graphs under BASE/graph/ (uploaded by 'coedp publish'); --data is then
ignored, and the limits above still apply in front of the store.

Routes: /sparql (SPARQL 1.1 Protocol; GET without a query returns the service
description), /rdf-graph-store (?default or ?graph=IRI, read-only), /healthz,
/readyz (503 while the query queue is full), /metrics (Prometheus; only for
--metrics-clients).

Behind a reverse proxy, give its address to --trusted-proxies (so that each
client, not the proxy, gets its own share of the workers) and the public address
to --public-url.

The prefixes of the project (coedp:, orgs:, body:, activity:, country:, rdfs:,
skos: ...; the whole list is in the service description, as sh:declare) are
predeclared at /sparql and on the query page; a query's own PREFIX wins.

examples:
  coedp serve                                  # dist/, on http://127.0.0.1:8000/
  coedp serve --port 8080
  COEDP_PORT=8080 coedp serve
  coedp serve --data dist/coedp.nq --store-dir /var/lib/coedp --workers 4
  coedp serve --host 0.0.0.0 --public-url https://coedp.example.org/ \\
              --trusted-proxies 127.0.0.1
  curl -H 'Accept: text/csv' --data-urlencode \\
       'query=SELECT ?p WHERE { ?p a coedp:DigitalPartner }' http://127.0.0.1:8000/sparql

exit codes:
  0  stopped cleanly (Ctrl+C or SIGTERM)
  1  could not start: the dataset is missing or unreadable, the port is in use,
     the workers cannot be sandboxed (see --unsandboxed), the server failed
  2  usage error: a bad option or COEDP_* value

environment: every COEDP_* variable named above, and
  COEDP_DIST   folder of the built dataset served without --data (default: dist/)
  COEDP_HOME   project folder (default: the checkout)
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` sub-command."""
    parser = subparsers.add_parser(
        "serve",
        help="run the read-only SPARQL endpoint",
        description="Serve the dataset as a read-only SPARQL 1.1 endpoint (FastAPI, uvicorn, "
        "pyoxigraph).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``coedp serve`` (also used by ``python -m coedp.server``)."""
    parser.add_argument(
        "--data", type=Path, default=None, metavar="PATH",
        help="built dataset: a TriG, N-Quads or Turtle file, or a folder holding coedp.nq or "
        "coedp.trig [env COEDP_DATA; default: dist/]",
    )
    defaults = Settings()
    for attr, var, kind, _default, text in SPECS:
        flag = "--" + attr.replace("_", "-")
        if kind is yes_no:
            parser.add_argument(flag, action="store_true", default=None,
                                help=f"{text} [env {var}=1]")
            continue
        parser.add_argument(
            flag, type=kind, default=None, metavar=attr.split("_")[-1].upper(),
            help=f"{text} [env {var}; default: {getattr(defaults, attr)!r}]",
        )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Environment first, then the flags given on the command line."""
    settings = from_environment()
    for attr, *_rest in SPECS:
        value = getattr(args, attr, None)
        if value is not None:
            setattr(settings, attr, value)
    if args.data is not None:
        settings.data = args.data
    settings.validate()
    return settings


def run(args: argparse.Namespace) -> int:
    """Load the dataset, then serve it until interrupted."""
    from coedp.server.backends import open_backend
    from coedp.server.store import DatasetError

    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"coedp serve: {exc}", file=sys.stderr)
        return 2
    if not settings.unsandboxed and not settings.store:  # --store: no local engine
        from coedp.server.sandbox import available

        reason = available()
        if reason is not None:
            print(f"coedp serve: cannot sandbox the query workers ({reason}); refusing to "
                  "serve, since a query could then reach the network through SERVICE; "
                  "--unsandboxed (COEDP_UNSANDBOXED=1) serves anyway", file=sys.stderr)
            return 1
    busy = port_problem(settings.host, settings.port)
    if busy is not None:  # before loading: a busy port is known in a moment
        print(f"coedp serve: {busy}", file=sys.stderr)
        return 1
    if settings.data is None and not settings.store:
        try:
            settings.data = _default_data()
        except DatasetError as exc:
            print(f"coedp serve: {exc}", file=sys.stderr)
            return 1
    preload = threading.Thread(target=_import_web_stack, daemon=True)
    preload.start()
    started = time.perf_counter()
    try:
        backend = open_backend(settings, log=lambda line: print(f"coedp serve: {line}", flush=True))
    except DatasetError as exc:
        print(f"coedp serve: {exc}", file=sys.stderr)
        return 1
    try:
        _report(backend, settings, time.perf_counter() - started)
        return _serve(settings, backend)
    finally:
        asyncio.run(backend.close())  # idempotent: the app's shutdown closed it already


def port_problem(host: str, port: int) -> str | None:
    """Why ``host``:``port`` cannot be listened on (None: it can, right now).

    Binds and closes a socket as uvicorn will bind it (SO_REUSEADDR, so that a port
    in TIME_WAIT from a previous run counts as free).
    """
    import errno
    import socket

    advice = (f"choose another port with --port (or COEDP_PORT), e.g. --port {port + 1}"
              if port < 65535 else "choose another port with --port (or COEDP_PORT)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot listen on {host}: {exc}; give --host an address of this machine"
    family, kind, proto, _name, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return f"port {port} on {host} is already in use; {advice}"
        if exc.errno == errno.EACCES:
            return f"not allowed to listen on port {port} (ports below 1024 need root); {advice}"
        return f"cannot listen on {host} port {port} ({exc.strerror or exc}); {advice}"
    return None


def _import_web_stack() -> None:
    """Import the web application while the store loads (the bulk load releases the GIL)."""
    with contextlib.suppress(Exception):  # any error shows again, in order, when serving
        import uvicorn  # noqa: F401

        import coedp.web  # noqa: F401


def _default_data() -> Path:
    """dist/ (built on the spot when there is no dataset yet)."""
    from coedp.paths import default_dist
    from coedp.server.store import FOLDER_FILES, DatasetError

    dist = default_dist()
    if any((dist / name).is_file() for name in FOLDER_FILES):
        return dist
    print(f"coedp serve: no dataset in {dist}; running 'coedp build' first", file=sys.stderr)
    # A separate process keeps the endpoint independent of the build's internals.
    code = subprocess.call(
        [sys.executable, "-c", "import sys; from coedp.cli import main; sys.exit(main())",
         "build"]
    )
    if code != 0 or not any((dist / name).is_file() for name in FOLDER_FILES):
        raise DatasetError(f"'coedp build' failed (exit {code}); nothing to serve")
    return dist


def _report(backend: QueryBackend, settings: Settings, seconds: float) -> None:
    """Say what is served, from where, and where to find it."""
    from coedp.server.backends.embedded import EmbeddedBackend

    info = backend.info
    counts = f"{info.total_triples} triples in the default graph, the union"
    dataset = backend.dataset if isinstance(backend, EmbeddedBackend) else None
    if dataset is not None and dataset.reused:
        loaded = datetime.fromtimestamp(dataset.loaded_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        first = (
            f"coedp serve: reusing the store in {dataset.store_dir} ({dataset.total_quads} "
            f"quads, loaded {loaded} from {dataset.source}) in {dataset.load_seconds:.2f} s "
            f"({counts})"
        )
    else:
        into = f" into {dataset.store_dir}" if dataset is not None and dataset.store_dir else ""
        took = dataset.load_seconds if dataset is not None else seconds
        first = f"coedp serve: loaded {info.origin}{into} in {took:.2f} s ({counts})"
    lines = [first]
    for g in info.graphs:
        lines.append(f"  {g.triples:>9} triples  {g.name or '(default graph of the file)'}")
    root = f"http://{settings.host}:{settings.port}/"
    lines.append(
        f"coedp serve: listening on {root} (pages) and {root}sparql (SPARQL endpoint; "
        f"timeout {settings.timeout:g} s, at most {settings.max_rows} rows, "
        f"{settings.workers} workers)"
    )
    print("\n".join(lines), flush=True)


def _serve(settings: Settings, backend: QueryBackend) -> int:
    import uvicorn

    from coedp.server import connections
    from coedp.web import create_site

    access = logging.getLogger("coedp.access")
    if not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
    _return_large_blocks_to_the_system()
    app = create_site(settings, backend)  # endpoint + linked-data site
    stats = connections.ConnectionStats()
    app.state.connection_stats = stats
    connections.install_accept_error_filter(stats=stats)
    connections.install_invalid_request_filter()
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=False, log_level="info",
        timeout_graceful_shutdown=5,
        http=_protocol(settings, stats),
        # uvicorn takes a float here too (--idle-timeout may be a fraction of a second).
        timeout_keep_alive=settings.idle_timeout,  # type: ignore[arg-type]
        # X-Forwarded-For is read by the application, from --trusted-proxies only
        # (uvicorn would trust any header sent from 127.0.0.1).
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    # uvicorn drains in-flight requests on SIGTERM, then raises the signal again for
    # the handler in place before it: this one, so that a clean stop exits 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    server.run()
    # uvicorn exits quietly when startup fails (e.g. a worker cannot open the store).
    return 0 if server.started else 1


def _return_large_blocks_to_the_system() -> None:
    """Have glibc map every block over 128 KiB on its own, so that freeing it frees memory.

    Results pass through this process whole; by default glibc raises its mmap
    threshold after the first large free and serves the next results from the
    heap, which keeps the peak of a burst of large results resident for good.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(name) if name else None
        if libc is not None:
            libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD (glibc; a no-op elsewhere)


def _protocol(settings: Settings, stats: ConnectionStats) -> type:
    """uvicorn's HTTP protocol with the request and send timeouts and the connection cap.

    The cap is lowered, and said so, when the open-files limit (raised to its
    hard limit first) could not hold that many connections.
    """
    from coedp.server import connections

    open_files = connections.raise_open_files_limit()
    cap = connections.connection_budget(settings.max_connections, open_files, settings.workers)
    if cap < settings.max_connections:
        print(
            f"coedp serve: at most {cap} connections (not {settings.max_connections}): the "
            f"open-files limit is {open_files}; raise it (ulimit -n, LimitNOFILE=) for more",
            file=sys.stderr, flush=True,
        )
    return connections.protocol_class(
        request_timeout=settings.header_timeout, send_timeout=settings.send_timeout,
        max_connections=cap, stats=stats,
    )
