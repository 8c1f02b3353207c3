"""OWL 2 RL reasoning, keeping only the inferences worth publishing.

The closure of ontology + asserted data holds many triples that say nothing:
reflexive ``owl:sameAs`` on every term, every class equivalent to itself,
statements about the RDF/RDFS/OWL/XSD vocabularies, ``rdf:type owl:Thing``,
literals said to be the same as themselves... :func:`infer` returns what is
left once those are gone: new facts about coedp's own IRIs and about the
classes and properties the ontology talks about.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from coedp.build.closure import ReasonerUnavailable, closure_reasonable
from coedp.build.patches import owlrl_fast_vocabulary, owlrl_semantics
from coedp.namespaces import BASE

__all__ = ["REASONERS", "ReasonerUnavailable", "infer"]

REASONERS = ("owlrl", "reasonable")
Triple = tuple[Node, Node, Node]

# Namespaces whose terms are the reasoner's own axioms, never the dataset's news.
BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))

# Classes everything belongs to: typing something with them says nothing.
TRIVIAL_CLASSES = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Literal})

# Properties for which ``x p x`` is a tautology.
REFLEXIVE_TAUTOLOGIES = frozenset(
    {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}
)

# Labels and comments are curated, one per language: SKOS makes every
# skos:altLabel and skos:hiddenLabel an rdfs:label (a misspelling would become a
# name), and OWL 2's direct semantics gives annotation sub-properties no
# consequence anyway. Derived values of these are not published.
CURATED_ANNOTATIONS = frozenset({RDFS.label, RDFS.comment})

# ``x p owl:Thing`` (and friends) for these properties is a tautology.
TRIVIAL_OBJECT_PREDICATES = frozenset({RDF.type, RDFS.subClassOf, RDFS.domain, RDFS.range})


def _closure_owlrl(graph: Graph) -> Graph:
    import owlrl

    # A store without context bookkeeping: owlrl asks it "is this triple
    # there?" hundreds of thousands of times.
    closure = Graph(store="SimpleMemory")
    for triple in graph:
        closure.add(triple)
    with owlrl_fast_vocabulary():
        owlrl.DeductiveClosure(
            owlrl_semantics(graph), axiomatic_triples=False, datatype_axioms=False
        ).expand(closure)
    return closure


def _closure_reasonable(graph: Graph) -> Graph:
    closure = Graph()
    for triple in closure_reasonable(graph):
        closure.add(triple)
    return closure


def _builtin(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BUILTIN_NAMESPACES)


def _terms(graph: Graph) -> set[object]:
    return {term for triple in graph for term in triple}


def _keep(
    triple: tuple[Node, Node, Node],
    known_terms: Container[object],
    vocabulary: set[URIRef],
) -> bool:
    """Whether an inferred triple says something new and meaningful."""
    s, p, o = triple
    if isinstance(s, Literal):
        return False  # literals as subjects: owlrl's internal bookkeeping
    if isinstance(s, BNode) or isinstance(o, BNode):
        return False  # a class expression of the ontology (the data has no blank nodes)
    for term in (s, o):
        if isinstance(term, BNode | Literal) and term not in known_terms:
            return False  # a literal or blank node the reasoner made up
    if p in CURATED_ANNOTATIONS:
        return False
    if s == o and p in REFLEXIVE_TAUTOLOGIES:
        return False
    if _builtin(s):
        return False  # axioms about RDF, RDFS, OWL or XSD themselves
    if p in TRIVIAL_OBJECT_PREDICATES and o in TRIVIAL_CLASSES:
        return False
    if isinstance(s, URIRef) and not str(s).startswith(BASE) and s not in vocabulary:
        return False  # an outside IRI (often a copy made through owl:sameAs)
    return True


def _same_as_copies(closure: Graph, kept: Iterable[Triple]) -> set[Triple]:
    """Triples that only repeat another one with an outside alias of a coedp IRI as object."""
    alias: dict[Node, set[Node]] = {}
    for s, o in closure.subject_objects(OWL.sameAs):
        if (
            isinstance(s, URIRef)
            and isinstance(o, URIRef)
            and str(s).startswith(BASE)
            and not str(o).startswith(BASE)
        ):
            alias.setdefault(o, set()).add(s)
    copies = set()
    for s, p, o in kept:
        if p == OWL.sameAs:
            continue
        if o in alias and any((s, p, own) in closure for own in alias[o]):
            copies.add((s, p, o))
    return copies


def infer(ontology: Graph, asserted: Graph, reasoner: str = "owlrl") -> Graph:
    """The meaningful triples the OWL 2 RL closure of ``ontology`` + ``asserted`` adds.

    Neither input is modified: the closure is computed on a copy.
    """
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r} (choose from {', '.join(REASONERS)})")
    base = Graph()
    base += ontology
    base += asserted
    closure = _closure_owlrl(base) if reasoner == "owlrl" else _closure_reasonable(base)
    known_terms = _terms(base)
    # News about coedp's own terms only: what the closure derives about the
    # reused vocabularies' terms (their domains spread to super-classes...) is
    # theirs to publish.
    vocabulary = {t for t in _terms(ontology) if isinstance(t, URIRef) and str(t).startswith(BASE)}
    kept = [t for t in closure if t not in base and _keep(t, known_terms, vocabulary)]
    copies = _same_as_copies(closure, kept)
    inferred = Graph()
    for triple in sorted(kept):
        if triple not in copies:
            inferred.add(triple)
    return inferred
