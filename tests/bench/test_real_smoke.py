"""The real-dataset comparison runs end to end on two queries (no timing is asserted)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ("strategies", "units-under-dgi")


def test_real_dataset_comparison_writes_one_row_per_query_and_the_geomean(
    built_dist: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.real", "--duration", "1", "--rounds", "1",
         "--connections", "2", "--workers", "2", "--queries", ",".join(QUERIES),
         "--dist", str(built_dist), "--label", "smoke", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    [table] = tmp_path.glob("*-smoke.md")
    lines = table.read_text(encoding="utf-8").splitlines()
    header = "| query | coedp req/s | bare req/s | ratio | ratio range | coedp p50 ms | " \
        "bare p50 ms | errors |"
    assert header in lines
    rows = [line for line in lines[lines.index(header) + 2:] if line.startswith("|")]
    # One row a query, in name order, then the geometric mean; every row has 8 cells.
    assert [r.split("|")[1].strip() for r in rows[:-1]] == sorted(QUERIES)
    assert rows[-1].startswith("| **geometric mean** |")
    assert all(len(r.strip("|").split("|")) == 8 for r in rows)
    for row in rows[:-1]:
        coedp, bare, ratio = (float(c) for c in row.split("|")[2:5])
        assert coedp > 0 and bare > 0 and ratio > 0, row
    assert re.search(r"\*\*[0-9.]+\*\*", rows[-1]), rows[-1]

    report = json.loads(table.with_suffix(".json").read_text(encoding="utf-8"))
    assert [q["query"] for q in report["queries"]] == sorted(QUERIES)
    assert report["geomean_ratio"] > 0 and not report["left_out"]
    assert all(q["errors"] == 0 for q in report["queries"])
    assert len(report["rounds_detail"][0]["coedp"]) == 1  # one measure a round and side
    assert "geometric mean" in done.stdout  # the table is printed too
