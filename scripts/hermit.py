"""A second opinion on consistency: HermiT, the OWL 2 DL reasoner owlready2 bundles.

Usage (from the project root, with owlready2 installed and Java on the PATH):

    .venv/bin/python scripts/hermit.py [--vocabularies ../shared/vocabularies] [--timeout 600]

It merges ontology/, graph/ and the published vocabularies (ORG, PROV-O, SKOS,
OWL-Time, DCAT; not the SHACL-for-SHACL file), drops their owl:imports (HermiT
would fetch them from the web), writes the result as RDF/XML and asks HermiT
whether it is consistent (``-k``), ignoring the datatypes OWL 2 DL does not know
(xsd:date, xsd:gYear: the values keep them, the reasoner skips them).

Exit status: 0 consistent, 1 inconsistent, 2 HermiT or Java missing or failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import OWL

ROOT = Path(__file__).resolve().parents[1]


def hermit_classpath() -> str | None:
    """The class path of the HermiT jar owlready2 ships, or None without owlready2."""
    try:
        import owlready2
    except ImportError:
        return None
    here = Path(owlready2.__file__).parent / "hermit"
    return os.pathsep.join([str(here), str(here / "HermiT.jar")])


def merged(vocabularies: Path) -> Graph:
    """ontology/ + graph/ + the published vocabularies, without owl:imports."""
    graph = Graph()
    for folder in (ROOT / "ontology", ROOT / "graph"):
        for path in sorted(folder.rglob("*.ttl")):
            graph.parse(path, format="turtle")
    for path in sorted(vocabularies.glob("*.ttl")):
        if path.name != "shacl-shacl.ttl":
            graph.parse(path, format="turtle")
    graph.remove((None, OWL.imports, None))
    return graph


def check(vocabularies: Path, timeout: float, extra: Graph | None = None) -> tuple[int, str]:
    """Run HermiT on the merged graph (plus ``extra``); (exit status as above, what it said)."""
    classpath = hermit_classpath()
    java = shutil.which("java")
    if classpath is None or java is None:
        return 2, "HermiT needs owlready2 (pip install owlready2) and Java (default-jre-headless)"
    with tempfile.TemporaryDirectory(prefix="coedp-hermit-") as tmp:
        owl = Path(tmp) / "coedp.owl"
        graph = merged(vocabularies)
        if extra is not None:
            graph += extra
        graph.serialize(owl, format="xml")
        command = [
            java, "-Xmx2000M", "-cp", classpath, "org.semanticweb.HermiT.cli.CommandLine",
            "-k", "--ignoreUnsupportedDatatypes", owl.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return 2, f"HermiT did not answer within {timeout:.0f} s"
    said = (done.stdout + done.stderr).strip()
    # -k prints "owl:Thing is satisfiable." for a consistent ontology; an inconsistent
    # one makes owl:Thing unsatisfiable (said so, or an InconsistentOntologyException).
    if "Thing is satisfiable" in said:
        return 0, said
    if "not satisfiable" in said or "nconsistent" in said:
        return 1, said[-2000:]
    return 2, f"HermiT failed (exit {done.returncode}): {said[-2000:]}"


def main(argv: list[str] | None = None) -> int:
    """Command line: print HermiT's verdict and exit 0 (consistent), 1 or 2."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--vocabularies", type=Path, default=ROOT.parent / "shared" / "vocabularies",
        help="folder of the published W3C vocabularies (default: ../shared/vocabularies)",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds (default: 600)")
    args = parser.parse_args(argv)
    if not args.vocabularies.is_dir():
        print(f"hermit: no vocabularies at {args.vocabularies}", file=sys.stderr)
        return 2
    status, said = check(args.vocabularies, args.timeout)
    verdict = {0: "consistent", 1: "INCONSISTENT", 2: "not checked"}[status]
    print(f"HermiT: {verdict}\n{said}")
    return status


if __name__ == "__main__":
    sys.exit(main())
