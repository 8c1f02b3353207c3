"""The benchmark runs end to end at the smallest size (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_at_the_smallest_size_and_writes_its_table(tmp_path: Path) -> None:
    if importlib.util.find_spec("rdflib_endpoint") is None:
        print("rdflib-endpoint is not installed (pip install -r bench/requirements.txt): "
              "the run skips that side")
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--size", "2k", "--duration", "2",
         "--connections", "4", "--peer-duration", "2", "--no-validate",
         "--real-build", "owlrl", "--data-dir", str(tmp_path / "data"),
         "--out", str(tmp_path / "results")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| side | scenario | req/s |" in done.stdout
    [report_file] = (tmp_path / "results").glob("*-2k.json")
    report = json.loads(report_file.read_text())
    assert (tmp_path / "results" / report_file.name.replace(".json", ".md")).is_file()

    sides = {s["name"]: s for s in report["sides"]}
    assert {"coedp", "oxigraph+fastapi", "bare fastapi"} <= set(sides)
    for name in ("coedp", "oxigraph+fastapi", "bare fastapi"):
        side = sides[name]
        assert not side["skipped"], side["skipped"]
        assert side["startup"] > 0 and side["peak_rss_mb"] > 0
        for scenario in ("mix", "repeat"):
            figures = side["scenarios"][scenario]
            assert figures["requests"] > 0, (name, scenario, figures)
            assert figures["errors"] == 0, (name, scenario, figures)
    if "rdflib-endpoint" in sides and not sides["rdflib-endpoint"]["skipped"]:
        assert sides["rdflib-endpoint"]["scenarios"]["repeat"]["requests"] > 0
    assert report["ratios"]["mix rps coedp/limit"] is not None
    assert report["mix"], "the mix holds queries that return rows"
    assert all(q["rows"] > 0 for q in report["mix"])
    assert [s["name"] for s in report["build"]["steps"]][:2] == ["generate", "parse"]
    assert report["build"]["graphs"]["https://coedp.org/graph/inferred"] > 0

    [real] = report["real_build"]
    assert real["reasoner"] == "owlrl" and "skipped" not in real, real
    assert {"validate", "reason", "serialise dumps"} <= {s["name"] for s in real["steps"]}
    assert real["graphs"]["https://coedp.org/graph/inferred"] > 0
    assert "Build of the real graph" in done.stdout


def test_restart_benchmark_loads_then_reuses_the_store(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.restart", "--size", "5k",
         "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "results")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [report_file] = (tmp_path / "results").glob("*-restart-5k.json")
    report = json.loads(report_file.read_text())
    first, again = report["starts"].values()
    assert (first["store"], again["store"]) == ("loaded", "reused")
    assert first["check_rows"] == again["check_rows"] == 5
    assert report["quads"] > 0 and again["ready_seconds"] > 0
    assert "| restart (kept store) | reused |" in done.stdout
    assert not (tmp_path / "data" / "restart-5k" / "store").exists(), "the store is removed"
