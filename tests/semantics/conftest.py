"""The ontology and the graph, reasoned together with the published W3C vocabularies."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from coedp.build.reason import _closure_owlrl

ROOT = Path(__file__).resolve().parents[2]
VOCABULARIES = ROOT.parent / "shared" / "vocabularies"


def turtle(folder: Path) -> Graph:
    """Every .ttl file under ``folder``, merged."""
    graph = Graph()
    for path in sorted(folder.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def vocabularies() -> Path:
    """The folder of the published vocabularies (../shared/vocabularies)."""
    if not VOCABULARIES.is_dir():
        pytest.skip(f"the published vocabularies are not at {VOCABULARIES}")
    return VOCABULARIES


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """ontology/, merged."""
    return turtle(ROOT / "ontology")


@pytest.fixture(scope="session")
def closure(vocabularies: Path, ontology: Graph) -> Graph:
    """The OWL 2 RL closure (owlrl, as the build computes it) of ontology + graph + vocabularies."""
    base = Graph()
    base += ontology
    base += turtle(ROOT / "graph")
    for path in sorted(vocabularies.glob("*.ttl")):
        if path.name != "shacl-shacl.ttl":  # shapes about shapes: nothing of coedp's
            base.parse(path, format="turtle")
    return _closure_owlrl(base)
