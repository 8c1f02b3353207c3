"""Data for a benchmark run: generate the synthetic graph, build it, time each step.

``python -m bench.build --size 100k`` writes bench/data/100k/{source.nq,
coedp.nq,build.json}. The steps are those of ``coedp build`` on the fast path
(:mod:`coedp.build.fast`): parse, validate (pyshacl with shapes/, at 100k
triples and below only), reason (reasonable), export (N-Quads).
``python -m bench.build --validate-only FILE`` validates one source file and
prints JSON (run as a subprocess, so that a slow validation can be bounded).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import generate, parse_size

DATA = Path(__file__).resolve().parent / "data"
VALIDATE_MAX = 100_000


def validate_source(source: Path) -> dict[str, object]:
    """pyshacl on the asserted + ontology graphs of ``source``, as ``coedp validate`` runs."""
    from rdflib import Dataset, Graph

    from coedp import paths
    from coedp.build.load import load_files, turtle_files
    from coedp.build.validate import validate
    from coedp.namespaces import ASSERTED, ONTOLOGY

    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(str(source), format="nquads")
    data = Graph()
    data += dataset.graph(ASSERTED)
    data += dataset.graph(ONTOLOGY)
    shapes = load_files(turtle_files(paths.project_root() / "shapes")).graph
    parsed = time.perf_counter()
    report = validate(data, shapes, lambda node: None)
    messages: dict[str, int] = {}
    for r in report.results:
        if r.severity == "Violation":
            key = f"{r.shape} {r.message}"[:200]
            messages[key] = messages.get(key, 0) + 1
    return {
        "seconds": round(time.perf_counter() - parsed, 2),
        "parse_seconds": round(parsed - started, 2),
        "triples": len(data),
        "violations": report.violations,
        "warnings": report.warnings,
        "top_violations": sorted(messages.items(), key=lambda kv: -kv[1])[:10],
    }


def _validate_bounded(source: Path, timeout: float) -> dict[str, object]:
    cmd = [sys.executable, "-m", "bench.build", "--validate-only", str(source)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        return {"skipped": f"pyshacl did not finish within {timeout:g} s"}
    if done.returncode != 0:
        return {"skipped": "pyshacl failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout)


def prepare(size: int, label: str, seed: int = 1, *, validate: bool = True,
            validate_timeout: float = 900.0, data_dir: Path = DATA,
            progress=print) -> tuple[Path, dict[str, object]]:  # noqa: ANN001
    """Generate and build the dataset of ``size`` quads (reused when already there)."""
    from coedp.build.fast import build_nquads

    folder = data_dir / label
    source, built, figures_file = folder / "source.nq", folder / "coedp.nq", folder / "build.json"
    if figures_file.is_file() and built.is_file():
        figures = json.loads(figures_file.read_text())
        if figures.get("seed") == seed and figures.get("size") == size:
            return built, figures
    progress(f"generating a {label} graph (seed {seed})")
    started = time.perf_counter()
    generate(size, seed, folder)
    steps = [{"name": "generate", "seconds": round(time.perf_counter() - started, 2),
              "size": source.stat().st_size, "unit": "bytes"}]
    progress("building it (parse, reason, export)")
    result = build_nquads(source, folder)
    for step in result.steps:
        steps.append({"name": step.name, "seconds": round(step.seconds, 2), "size": step.size,
                      "unit": step.unit})
    validation: dict[str, object]
    if validate and size <= VALIDATE_MAX:
        progress("validating it with pyshacl")
        validation = _validate_bounded(source, validate_timeout)
    else:
        validation = {"skipped": f"SHACL is measured at {VALIDATE_MAX} triples and below"}
    if "seconds" in validation:
        steps.insert(2, {"name": "validate (pyshacl)", "seconds": validation["seconds"],
                         "size": validation["triples"], "unit": "triples"})
    figures = {"size": size, "seed": seed, "steps": steps, "graphs": result.graphs,
               "quads": sum(result.graphs.values()), "validation": validation}
    figures_file.write_text(json.dumps(figures, indent=2))
    return built, figures


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--validate-only", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    if args.validate_only:
        json.dump(validate_source(args.validate_only), sys.stdout)
        return 0
    size = parse_size(args.size)
    _built, figures = prepare(size, args.size.lower(), args.seed, validate=not args.no_validate)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
