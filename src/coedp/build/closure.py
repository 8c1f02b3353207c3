"""The OWL 2 RL closure with the Rust reasoner ``reasonable``, completed.

``reasonable`` leaves out a few OWL 2 RL rules that coedp's ontology relies
on: property chains (prp-spo2: ``coedp:hasParticipant``, ``coedp:cites``),
sub-properties whose values are literals (prp-spo1 on ``dct:identifier``), and
the schema rules that carry domains and ranges along sub-properties and
super-classes (scm-dom1/2, scm-rng1/2). :func:`closure_reasonable` adds them
and hands the result back to ``reasonable`` until nothing new appears, so that
its closure gives the same inferred graph as owlrl's.

Works on sets of rdflib-term triples, without building rdflib graphs: the
fast path for large graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
# Plain URIRefs: rdflib's namespace attribute look-up is slow in a loop over every triple.
FIRST, REST, NIL = URIRef(str(RDF.first)), URIRef(str(RDF.rest)), URIRef(str(RDF.nil))
LIST_PREDICATES = frozenset({FIRST, REST})
MAX_ROUNDS = 10


class ReasonerUnavailable(RuntimeError):
    """The chosen reasoner is not installed."""


def _reasoner() -> object:
    try:
        import reasonable  # type: ignore[import-not-found]
    except ImportError:
        raise ReasonerUnavailable(
            "the 'reasonable' reasoner is not installed: pip install 'coedp[reasonable]'"
        ) from None
    return reasonable.PyReasoner()


def _rdf_list(by_subject: dict[Node, dict[Node, list[Node]]], head: Node) -> list[Node]:
    items: list[Node] = []
    seen: set[Node] = set()
    while head != NIL and head not in seen:
        seen.add(head)
        first = by_subject.get(head, {}).get(FIRST)
        rest = by_subject.get(head, {}).get(REST)
        if not first or not rest:
            return []
        items.append(first[0])
        head = rest[0]
    return items


def missing_rules(closure: set[Triple]) -> set[Triple]:
    """What prp-spo1 (literal values), prp-spo2 and scm-dom/rng add to ``closure``."""
    by_predicate: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    list_nodes: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in closure:
        by_predicate[p].append((s, o))
        if p in LIST_PREDICATES:
            list_nodes[s][p].append(o)
    new: set[Triple] = set()

    # prp-spo1 for literal values (reasonable applies it to IRIs only).
    for sub, sup in by_predicate[RDFS.subPropertyOf]:
        if sub == sup:
            continue
        for s, o in by_predicate.get(sub, ()):
            if isinstance(o, Literal):
                new.add((s, sup, o))

    # prp-spo2: property chains.
    for prop, head in by_predicate[OWL.propertyChainAxiom]:
        chain = _rdf_list(list_nodes, head)
        if not chain:
            continue
        pairs = {(s, o) for s, o in by_predicate.get(chain[0], ())}
        for link in chain[1:]:
            step: dict[Node, list[Node]] = defaultdict(list)
            for s, o in by_predicate.get(link, ()):
                step[s].append(o)
            pairs = {(s, o2) for s, o in pairs for o2 in step.get(o, ())}
        new.update((s, prop, o) for s, o in pairs)

    # scm-dom1/rng1 (along subClassOf) and scm-dom2/rng2 (along subPropertyOf).
    supers: dict[Node, set[Node]] = defaultdict(set)
    for c, d in by_predicate[RDFS.subClassOf]:
        supers[c].add(d)
    subprops: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in by_predicate[RDFS.subPropertyOf]:
        subprops[sup].add(sub)
    for axiom in (RDFS.domain, RDFS.range):
        for prop, cls in by_predicate[axiom]:
            for d in supers.get(cls, ()):
                new.add((prop, axiom, d))
            for sub in subprops.get(prop, ()):
                new.add((sub, axiom, cls))

    # scm-spo (sub-properties are transitive), scm-eqc2 / scm-eqp2 (mutual
    # sub-classes or sub-properties are equivalent) and the symmetry of equivalence.
    for sup, subs in list(subprops.items()):
        for sub in subs:
            for sub2 in subprops.get(sub, ()):
                new.add((sub2, RDFS.subPropertyOf, sup))
    superprops: dict[Node, set[Node]] = defaultdict(set)
    for sub, sup in by_predicate[RDFS.subPropertyOf]:
        superprops[sub].add(sup)
    for above, equivalent in ((supers, OWL.equivalentClass), (superprops, OWL.equivalentProperty)):
        for a, bs in above.items():
            for b in bs:
                if a != b and a in above.get(b, ()):
                    new.add((a, equivalent, b))
    for equivalent in (OWL.equivalentClass, OWL.equivalentProperty):
        for a, b in by_predicate[equivalent]:
            new.add((b, equivalent, a))
    return new - closure


def closure_reasonable(triples: Iterable[Triple]) -> set[Triple]:
    """The OWL 2 RL closure of ``triples`` by ``reasonable``, completed (module docstring)."""
    base = set(triples)
    reasoner = _reasoner()
    reasoner.from_graph(list(base))
    closure = set(reasoner.reason()) | base
    for _ in range(MAX_ROUNDS):
        extra = missing_rules(closure)
        if not extra:
            break
        # The reasoner keeps its state: the new triples are added to what it knows.
        reasoner.from_graph(list(extra))
        closure |= set(reasoner.reason()) | extra
    return closure
