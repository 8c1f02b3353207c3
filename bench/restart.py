"""Start ``coedp serve --store-dir`` twice on a large graph: load once, then restart.

``python -m bench.restart --size 18m`` writes the synthetic source graph of
``bench.generate --size 18m`` (10.0 million quads: the asserted and ontology
graphs of a dataset that would hold 18 million with its inferences) to
``bench/data/restart-18m/source.nq`` (reused while size and seed are the
same), then:

1. starts ``coedp serve --data source.nq --store-dir DIR`` on an empty DIR:
   the store is bulk-loaded and counted (the first start);
2. stops it and starts it again on the same DIR: the store is reused, nothing
   is loaded or counted (the restart).

For each start it prints the time from process start to the first answer of
``ASK {}`` (200), the peak resident memory of the server and its workers, and
whether the log says the store was loaded or reused; then it checks that one
real query answers. The table goes to ``bench/results/<date>-restart-<size>.md``
and ``.json``. ``--keep`` leaves DIR in place (it is several GB at 10M).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from bench.build import DATA
from bench.generate import generate, parse_size
from bench.run import (
    RESULTS,
    ROOT,
    _free_port,
    _peak_rss_mb,
    _stop,
    _wait_ready,
    machine,
    write_results,
)
from coedp.server.store.kept import MANIFEST

READY_TIMEOUT = 1800.0  # a first load of 10M quads on two busy cores takes minutes
CHECK_QUERY = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5"  # noqa: E501


def start(source: Path, store_dir: Path, log_path: Path) -> dict[str, object]:
    """One start of ``coedp serve`` on ``store_dir``: readiness, memory, what the log says."""
    port = _free_port()
    cmd = [sys.executable, "-m", "coedp.server", "--data", str(source),
           "--store-dir", str(store_dir), "--port", str(port)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
                                start_new_session=True)
        try:
            ready = _wait_ready(proc, f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D",
                                READY_TIMEOUT)
            query = urllib.parse.urlencode({"query": CHECK_QUERY})
            request = urllib.request.Request(f"http://127.0.0.1:{port}/sparql?{query}",
                                             headers={"Accept": "application/sparql-results+json"})
            with urllib.request.urlopen(request, timeout=60) as answer:
                rows = len(json.load(answer)["results"]["bindings"])
            peak = _peak_rss_mb(proc.pid)
        finally:
            _stop(proc)
    text = log_path.read_text(errors="replace")
    how = "reused" if "reusing the store" in text else "loaded" if "loading " in text else "?"
    return {"ready_seconds": round(ready, 2), "peak_rss_mb": peak, "store": how,
            "check_rows": rows}


def markdown(report: dict[str, object]) -> str:
    """The report as a Markdown table."""
    m = report["machine"]
    lines = [f"# coedp restart on a kept store, {report['size_label']} ({report['date']})", "",
             f"Machine: {m['cpus']} CPUs ({m['cpu']}), Python {m['python']}, pyoxigraph "
             f"{m['pyoxigraph']}; load average at start "
             f"{', '.join(f'{x:.2f}' for x in m['load_average_at_start'])}.", "",
             f"Source: {report['quads']:,} quads ({report['source_bytes'] / 1e6:,.0f} MB of "
             f"N-Quads); store folder after the first start: "
             f"{report['store_bytes'] / 1e6:,.0f} MB.", "",
             "| start | store | ready s | peak RSS MB | check query rows |",
             "|---|---|---:|---:|---:|"]
    for name, run in report["starts"].items():
        lines.append(f"| {name} | {run['store']} | {run['ready_seconds']} | "
                     f"{run['peak_rss_mb']} | {run['check_rows']} |")
    return "\n".join(lines) + "\n"


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.restart", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="18m",
                        help="size as bench.generate counts it (default 18m: 10.0M source quads)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--keep", action="store_true", help="keep the store folder afterwards")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        size = parse_size(args.size)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    label = args.size.lower()
    folder = args.data_dir / f"restart-{label}"
    source = folder / "source.nq"
    marker = folder / "source.json"
    if not (source.is_file() and marker.is_file()
            and json.loads(marker.read_text()) == {"size": size, "seed": args.seed}):
        print(f"generating {source} ...", flush=True)
        generate(size, args.seed, folder)
        marker.write_text(json.dumps({"size": size, "seed": args.seed}))
    print(f"source: {source}", flush=True)

    store_dir = folder / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    report: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(), "size_label": label,
        "source_bytes": source.stat().st_size, "machine": machine(), "starts": {},
    }
    try:
        for name in ("first start (load)", "restart (kept store)"):
            run = start(source, store_dir, folder / f"{name.split()[0]}.log")
            report["starts"][name] = run
            if name.startswith("first"):
                report["store_bytes"] = _folder_bytes(store_dir)
                # The count coedp recorded when it loaded the store.
                manifest = json.loads((store_dir / MANIFEST).read_text())
                report["quads"] = manifest["statistics"]["quads"]
            print(f"  {name:<22} store {run['store']:<7} ready {run['ready_seconds']:8.2f} s  "
                  f"peak {run['peak_rss_mb']} MB", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(store_dir, ignore_errors=True)
    write_results(args.out, f"{report['date']}-restart-{label}", markdown(report), report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
