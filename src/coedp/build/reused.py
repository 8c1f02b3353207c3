"""Restate the logical axioms of the W3C vocabularies coedp reuses, as published.

``ontology/reused-axioms.ttl`` is written by this module from the published
Turtle of ORG, PROV-O, SKOS and OWL-Time: every declaration, class and property
axiom (sub-class, sub-property, domain, range, disjointness, inverse,
characteristics, chains, restrictions) and ``rdfs:isDefinedBy``, exactly as the
originals state them; labels, comments, editorial notes, annotated axioms,
ontology headers and the individuals a vocabulary names (ORG's org:Head,
OWL-Time's days and units: data, not axioms, and unused by coedp) are left out.

One repair keeps the result in OWL 2 DL: PROV-O declares prov:specializationOf
and prov:wasRevisionOf both object and annotation properties, which OWL 2 DL
forbids; the annotation-property declaration of such a term is dropped (see
:func:`dl_repairs`), its object-property axioms kept. Nothing is chosen term by term, so the closure
that the build computes follows the vocabularies' own semantics (PROV-O's
disjoint prov:Activity and prov:Entity, prov:wasDerivedFrom's domain and
range...) rather than a convenient part of it.

Regenerate (the test suite checks the file matches)::

    python -m coedp.build.reused ../shared/vocabularies > ontology/reused-axioms.ttl
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

# The published files restated, in this order (DCAT and SHACL describe the
# build's metadata and shapes, not the ontology's terms).
VOCABULARY_FILES = ("org.ttl", "prov-o.ttl", "skos.ttl", "time.ttl")

# Predicates that carry meaning a reasoner uses (besides the owl: ones).
LOGICAL = frozenset(
    {RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, RDFS.isDefinedBy}
)

# owl: predicates that annotate or version rather than state an axiom.
OWL_ANNOTATIONS = frozenset(
    {
        OWL.versionInfo,
        OWL.versionIRI,
        OWL.priorVersion,
        OWL.imports,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
        OWL.annotatedSource,
        OWL.annotatedProperty,
        OWL.annotatedTarget,
    }
)

HEADER = """\
# =============================================================================
# The logical axioms of the W3C vocabularies coedp reuses, as published
#
# Written by `python -m coedp.build.reused ../shared/vocabularies` from the
# published Turtle of ORG, PROV-O, SKOS and OWL-Time: every declaration and
# axiom (domains, ranges, disjointness, inverses, chains, restrictions) and
# rdfs:isDefinedBy, unchanged; labels, comments and the individuals the
# vocabularies name (org:Head, OWL-Time's days and units) are left out, and so
# is PROV-O's declaration of prov:specializationOf and prov:wasRevisionOf as
# annotation properties (they are object properties too: not OWL 2 DL). Do not edit:
# regenerate. The test suite checks this file against the published files.
# =============================================================================

"""


META = (str(OWL), str(RDFS), str(RDF))
Triple = tuple[Node, Node, Node]


def _individuals(published: Graph) -> set[Node]:
    """IRIs typed with a class of the vocabulary rather than an OWL or RDFS meta-class."""
    return {
        s for s, o in published.subject_objects(RDF.type)
        if isinstance(s, URIRef) and not str(o).startswith(META)
    }


def _logical(triple: Triple, headers: set[Node]) -> bool:
    s, p, _o = triple
    if s in headers:
        return False
    if p in LOGICAL:
        return True
    return str(p).startswith(str(OWL)) and p not in OWL_ANNOTATIONS


def dl_repairs(published: Graph) -> set[Triple]:
    """Annotation-property declarations of terms also declared object or data properties."""
    both = {
        s for s in published.subjects(RDF.type, OWL.AnnotationProperty)
        if (s, RDF.type, OWL.ObjectProperty) in published
        or (s, RDF.type, OWL.DatatypeProperty) in published
    }
    return {(s, RDF.type, OWL.AnnotationProperty) for s in both}


def axioms(published: Graph) -> Graph:
    """The logical axioms of one published vocabulary (with the blank nodes they use)."""
    headers = set(published.subjects(RDF.type, OWL.Ontology))
    headers |= set(published.subjects(RDF.type, OWL.Axiom))
    headers |= _individuals(published)
    out = Graph()
    pending: list[BNode] = []
    for triple in published:
        if isinstance(triple[0], URIRef) and _logical(triple, headers):
            out.add(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])
    seen: set[BNode] = set()
    while pending:  # restrictions, unions and lists: copied whole
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in published.triples((node, None, None)):
            out.add((node, p, o))
            if isinstance(o, BNode):
                pending.append(o)
    for triple in dl_repairs(published):
        out.remove(triple)
    return out


def restated(folder: Path) -> Graph:
    """The union of :func:`axioms` over the vocabulary files in ``folder``."""
    graph = Graph()
    for name in VOCABULARY_FILES:
        graph += axioms(Graph().parse(folder / name, format="turtle"))
    for prefix, namespace in (
        ("org", "http://www.w3.org/ns/org#"),
        ("prov", "http://www.w3.org/ns/prov#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("time", "http://www.w3.org/2006/time#"),
        ("foaf", "http://xmlns.com/foaf/0.1/"),
        ("dct", "http://purl.org/dc/terms/"),
    ):
        graph.bind(prefix, namespace)
    return graph


def main(argv: list[str] | None = None) -> int:
    """Print the restated axioms of the vocabularies in the folder given as argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m coedp.build.reused VOCABULARY_FOLDER", file=sys.stderr)
        return 2
    sys.stdout.write(HEADER + restated(Path(args[0])).serialize(format="turtle"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
