"""prp-fp applied outside ``reasonable`` gives what ``reasonable`` gives itself."""

from __future__ import annotations

import importlib.util

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from coedp.build.closure import closure_reasonable, complete, new_reasoner, split_functional

if importlib.util.find_spec("reasonable") is None:
    pytest.skip("the optional 'reasonable' reasoner is not installed", allow_module_level=True)

EX = "urn:x-test:"


def _u(name: str) -> URIRef:
    return URIRef(EX + name)


GRAPH = {
    (_u("activity"), RDF.type, OWL.FunctionalProperty),
    (_u("activity"), RDF.type, OWL.ObjectProperty),
    (_u("activityOf"), RDFS.subPropertyOf, _u("activity")),
    (_u("code"), RDF.type, OWL.FunctionalProperty),
    (_u("a"), _u("activity"), _u("x")),
    (_u("a"), _u("activityOf"), _u("y")),  # x and y are the same, through the sub-property
    (_u("b"), _u("activity"), _u("x")),
    (_u("y"), RDFS.label, Literal("y")),
    (_u("c"), _u("code"), Literal("1")),
    (_u("c"), _u("code"), Literal("01")),  # two literals: handed back to reasonable
}


def _meaningful(closure: set) -> set:
    return {t for t in closure
            if not isinstance(t[0], Literal) and not (t[1] == OWL.sameAs and t[0] == t[2])}


def test_functional_typing_is_kept_from_the_reasoner() -> None:
    fed, kept = split_functional(GRAPH)
    assert sorted(kept) == sorted(t for t in GRAPH if t[2] == OWL.FunctionalProperty)
    assert (_u("activity"), RDF.type, OWL.Thing) in fed


def test_prp_fp_outside_the_reasoner_gives_the_same_closure() -> None:
    reasoner = new_reasoner()
    reasoner.from_graph(list(GRAPH))
    by_reasonable = complete(reasoner, GRAPH)
    ours = closure_reasonable(GRAPH)
    assert (_u("x"), OWL.sameAs, _u("y")) in ours
    assert (_u("c"), _u("code"), Literal("01")) in ours
    assert _meaningful(ours) == _meaningful(by_reasonable)
