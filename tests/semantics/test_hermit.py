"""HermiT's second opinion: the graph, the ontology and the published vocabularies are
consistent for an OWL 2 DL reasoner too, and HermiT does find a planted clash.

Skipped where owlready2 (which bundles HermiT) or Java is missing; scripts/hermit.py runs
the same check by hand.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from tests.semantics.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
hermit = pytest.importorskip("hermit")

PROV = Namespace("http://www.w3.org/ns/prov#")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("owlready2") is None or shutil.which("java") is None,
    reason="HermiT needs owlready2 and Java",
)


def test_hermit_finds_the_graph_consistent(vocabularies: Path) -> None:
    status, said = hermit.check(vocabularies, timeout=600)
    assert status == 0, said


def test_hermit_finds_a_planted_clash(vocabularies: Path) -> None:
    """An activity that is also an entity: PROV-O declares the two classes disjoint."""
    clash = Graph()
    clash.add((URIRef("https://coedp.org/id/activity/cahai-plenary-1"), RDF.type, PROV.Entity))
    status, said = hermit.check(vocabularies, timeout=600, extra=clash)
    assert status == 1, said
