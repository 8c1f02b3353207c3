"""Every predicate the curated data uses is checked by some shape."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from coedp.namespaces import SH

from .conftest import curie


def shaped_predicates(shapes: Graph) -> set[URIRef]:
    """The predicates a shape names: paths (inverse ones too) and property targets."""
    found: set[URIRef] = set()
    for path in shapes.objects(None, SH.path):
        if isinstance(path, URIRef):
            found.add(path)
        else:
            found |= {p for p in shapes.objects(path, SH.inversePath) if isinstance(p, URIRef)}
    for target in (SH.targetSubjectsOf, SH.targetObjectsOf):
        found |= {p for p in shapes.objects(None, target) if isinstance(p, URIRef)}
    return found


def test_every_data_predicate_has_a_shape(data: Graph, shapes: Graph) -> None:
    used = set(data.predicates()) - {RDF.type}
    assert len(used) > 100, "fewer predicates than the graph uses: the check would prove little"
    missing = sorted(curie(p) for p in used - shaped_predicates(shapes))
    assert missing == [], f"predicates without a shape: {missing}"
