"""Time ``coedp build`` on the project's own graph, as a user runs it.

Each reasoner is timed in a fresh process (``python -m coedp.cli build
--json``), so the figure includes starting Python and importing the
libraries: the wall-clock time a curator waits. The steps are those the build
reports; validation and reasoning overlap on two cores or more, so the total
is less than their sum.

``python -m bench.realbuild`` prints the figures alone.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REASONERS = ("owlrl", "reasonable")
TARGET_SECONDS = 10.0


def time_build(reasoner: str, timeout: float = 600.0) -> dict[str, object]:
    """One build of the real graph with ``reasoner``: wall seconds, steps, triples."""
    if reasoner == "reasonable" and importlib.util.find_spec("reasonable") is None:
        return {"reasoner": reasoner, "skipped": "reasonable is not installed"}
    with tempfile.TemporaryDirectory(prefix="coedp-realbuild-") as out:
        cmd = [sys.executable, "-m", "coedp.cli", "build", "--json", "--reasoner", reasoner,
               "--out", out]
        started = time.perf_counter()
        try:
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"reasoner": reasoner, "skipped": f"did not finish within {timeout:g} s"}
        wall = time.perf_counter() - started
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"reasoner": reasoner, "skipped": f"build failed: {last}"}
    report = json.loads(done.stdout)
    return {
        "reasoner": reasoner,
        "wall_seconds": round(wall, 2),
        "build_seconds": report["seconds"],
        "steps": [{"name": s["name"], "seconds": s["seconds"], "triples": s["triples"]}
                  for s in report["steps"]],
        "graphs": report["graphs"],
    }


def time_builds(reasoners: tuple[str, ...] = REASONERS) -> list[dict[str, object]]:
    """:func:`time_build` for each reasoner, in turn."""
    return [time_build(r) for r in reasoners]


def markdown(builds: list[dict[str, object]]) -> list[str]:
    """Lines of Markdown: one column per reasoner, one row per step."""
    done = [b for b in builds if "skipped" not in b]
    lines = ["Build of the real graph (`coedp build`, a fresh process each, wall-clock; "
             "validation and reasoning run side by side):", ""]
    if done:
        lines += ["| step | " + " | ".join(f"{b['reasoner']} s" for b in done) + " |",
                  "|---|" + "---:|" * len(done)]
        names = [s["name"] for s in done[0]["steps"]]
        for name in names:
            cells = [next((str(s["seconds"]) for s in b["steps"] if s["name"] == name), "")
                     for b in done]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("| **total (build)** | " + " | ".join(str(b["build_seconds"]) for b in done)
                     + " |")
        lines.append("| **process, start to exit** | "
                     + " | ".join(str(b["wall_seconds"]) for b in done) + " |")
    lines += ["", *(f"{b['reasoner']}: skipped: {b['skipped']}" for b in builds
                     if "skipped" in b)]
    return lines


def main() -> int:
    """Print the real-build figures for both reasoners."""
    print("\n".join(markdown(time_builds())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
