"""The OWL 2 RL closure with the Rust reasoner ``reasonable``, completed.

``reasonable`` leaves out a few OWL 2 RL rules that coedp's ontology relies
on: property chains (prp-spo2: ``coedp:hasParticipant``, ``coedp:cites``),
sub-properties whose values are literals (prp-spo1 on ``dct:identifier``), and
the schema rules that carry domains and ranges along sub-properties and
super-classes (scm-dom1/2, scm-rng1/2). :func:`closure_reasonable` adds them
and hands the result back to ``reasonable`` until nothing new appears, so that
its closure gives the same inferred graph as owlrl's.

One rule is taken away from ``reasonable`` as well: prp-fp. It joins every
triple of a functional property with every other triple of the same property
before it compares their subjects, so its memory grows with the square of the
number of participations (3.6 GB at 170k triples, out of memory at 560k).
:func:`split_functional` keeps the ``p rdf:type owl:FunctionalProperty``
triples from it, and :func:`functional_same_as` applies the rule by grouping
the values of each subject: the same ``owl:sameAs`` triples, in linear time, less
the reflexive ``y owl:sameAs y`` (tautologies no rule draws anything from,
which :func:`coedp.build.reason.infer` drops anyway).

Works on sets of rdflib-term triples, without building rdflib graphs: the
fast path for large graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
# Plain URIRefs: rdflib's namespace attribute look-up is slow in a loop over every triple.
FIRST, REST, NIL = URIRef(str(RDF.first)), URIRef(str(RDF.rest)), URIRef(str(RDF.nil))
TYPE = URIRef(str(RDF.type))
SUB_PROPERTY, SUB_CLASS = URIRef(str(RDFS.subPropertyOf)), URIRef(str(RDFS.subClassOf))
DOMAIN, RANGE = URIRef(str(RDFS.domain)), URIRef(str(RDFS.range))
CHAIN = URIRef(str(OWL.propertyChainAxiom))
EQUIVALENT_CLASS = URIRef(str(OWL.equivalentClass))
EQUIVALENT_PROPERTY = URIRef(str(OWL.equivalentProperty))
SAME_AS, THING = URIRef(str(OWL.sameAs)), URIRef(str(OWL.Thing))
FUNCTIONAL = URIRef(str(OWL.FunctionalProperty))
XSD_STRING = URIRef(str(XSD.string))
LIST_PREDICATES = frozenset({FIRST, REST})
# The predicates of the schema triples the rules below read.
SCHEMA_PREDICATES = frozenset({FIRST, REST, SUB_PROPERTY, SUB_CLASS, DOMAIN, RANGE, CHAIN,
                               EQUIVALENT_CLASS, EQUIVALENT_PROPERTY})
MAX_ROUNDS = 10


class ReasonerUnavailable(RuntimeError):
    """The chosen reasoner is not installed."""


def new_reasoner() -> Any:
    """A fresh ``reasonable.PyReasoner`` (:class:`ReasonerUnavailable` when not installed)."""
    try:
        import reasonable
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


def split_functional(triples: Iterable[Any], type_: object = TYPE,
                     functional: object = FUNCTIONAL, thing: object = THING,
                     ) -> tuple[list[Any], list[Any]]:
    """The triples to hand ``reasonable``, and the functional-property typings kept from it.

    ``p rdf:type owl:FunctionalProperty`` is kept back only when
    ``owl:FunctionalProperty`` appears nowhere else (no axiom about the class,
    no list holding it): then all that follows from it is prp-fp, which
    :func:`functional_same_as` applies, and ``p rdf:type owl:Thing``, which is
    handed over in its place. Works on rdflib or pyoxigraph terms: give the
    three constants in the same kind of term as the triples.
    """
    fed: list[Any] = []  # rdflib or pyoxigraph triples, as given
    kept: list[Any] = []
    elsewhere = False
    for triple in triples:
        s, p, o = triple
        if o == functional and p == type_:
            kept.append(triple)
        else:
            fed.append(triple)
            elsewhere = elsewhere or s == functional or p == functional or o == functional
    if elsewhere:
        return fed + kept, []
    fed += [(s, type_, thing) for s, _, _ in kept]
    return fed, kept


Pairs = dict[Node, list[tuple[Node, Node]]]  # predicate -> (subject, object) pairs


def missing_rules(closure: set[Triple]) -> set[Triple]:
    """What prp-spo1 (literal values), prp-spo2 and scm-dom/rng add to ``closure``."""
    schema, list_nodes = _schema(closure)
    chains = _chains(schema, list_nodes)
    # Instance triples are read only for the properties these rules start from.
    wanted = {sub for sub, sup in schema[SUB_PROPERTY] if sub != sup}
    wanted.update(link for _, chain in chains for link in chain)
    instances = _pairs(closure, wanted)
    supers = _above(schema[SUB_CLASS])
    superprops = _above(schema[SUB_PROPERTY])
    subprops = _above((sup, sub) for sub, sup in schema[SUB_PROPERTY])
    new: set[Triple] = set()
    new.update(_literal_sub_property_values(schema, instances))
    new.update(_chain_values(chains, instances))
    new.update(_domains_and_ranges(schema, supers, subprops))
    new.update(_transitive_sub_properties(subprops))
    new.update(_equivalences(schema, supers, superprops))
    return new - closure


def _schema(closure: set[Triple]) -> tuple[Pairs, dict[Node, dict[Node, list[Node]]]]:
    """The schema triples by predicate, and the ``rdf:first``/``rdf:rest`` of list nodes."""
    schema: Pairs = defaultdict(list)
    list_nodes: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in closure:
        if p in SCHEMA_PREDICATES:
            schema[p].append((s, o))
            if p in LIST_PREDICATES:
                list_nodes[s][p].append(o)
    return schema, list_nodes


def _chains(schema: Pairs,
            list_nodes: dict[Node, dict[Node, list[Node]]]) -> list[tuple[Node, list[Node]]]:
    """Each property with a (well-formed, non-empty) ``owl:propertyChainAxiom``, and its chain."""
    chains = [(prop, _rdf_list(list_nodes, head)) for prop, head in schema[CHAIN]]
    return [(prop, chain) for prop, chain in chains if chain]


def _pairs(closure: set[Triple], predicates: set[Node]) -> Pairs:
    """The (subject, object) pairs of each of ``predicates`` in ``closure``."""
    by_predicate: Pairs = defaultdict(list)
    for s, p, o in closure:
        if p in predicates:
            by_predicate[p].append((s, o))
    return by_predicate


def _above(pairs: Iterable[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    """``(a, b)`` pairs as a map from each ``a`` to its ``b``s."""
    above: dict[Node, set[Node]] = defaultdict(set)
    for a, b in pairs:
        above[a].add(b)
    return above


def _literal_sub_property_values(schema: Pairs, instances: Pairs) -> Iterator[Triple]:
    """prp-spo1 for literal values (reasonable applies it to IRIs only)."""
    for sub, sup in schema[SUB_PROPERTY]:
        if sub != sup:
            for s, o in instances.get(sub, ()):
                if isinstance(o, Literal):
                    yield s, sup, o


def _chain_values(chains: list[tuple[Node, list[Node]]], instances: Pairs) -> Iterator[Triple]:
    """prp-spo2: the values of property chains."""
    for prop, chain in chains:
        pairs = set(instances.get(chain[0], ()))
        for link in chain[1:]:
            step = _above(instances.get(link, ()))
            pairs = {(s, o2) for s, o in pairs for o2 in step.get(o, ())}
        for s, o in pairs:
            yield s, prop, o


def _domains_and_ranges(schema: Pairs, supers: dict[Node, set[Node]],
                        subprops: dict[Node, set[Node]]) -> Iterator[Triple]:
    """scm-dom1/rng1 (along subClassOf) and scm-dom2/rng2 (along subPropertyOf)."""
    for axiom in (DOMAIN, RANGE):
        for prop, cls in schema[axiom]:
            for d in supers.get(cls, ()):
                yield prop, axiom, d
            for sub in subprops.get(prop, ()):
                yield sub, axiom, cls


def _transitive_sub_properties(subprops: dict[Node, set[Node]]) -> Iterator[Triple]:
    """scm-spo: sub-properties are transitive."""
    for sup, subs in subprops.items():
        for sub in subs:
            for sub2 in subprops.get(sub, ()):
                yield sub2, SUB_PROPERTY, sup


def _equivalences(schema: Pairs, supers: dict[Node, set[Node]],
                  superprops: dict[Node, set[Node]]) -> Iterator[Triple]:
    """scm-eqc2 / scm-eqp2 (mutual sub-classes or sub-properties are equivalent), and
    the symmetry of equivalence."""
    for above, equivalent in ((supers, EQUIVALENT_CLASS), (superprops, EQUIVALENT_PROPERTY)):
        for a, bs in above.items():
            for b in bs:
                if a != b and a in above.get(b, ()):
                    yield a, equivalent, b
    for equivalent in (EQUIVALENT_CLASS, EQUIVALENT_PROPERTY):
        for a, b in schema[equivalent]:
            yield b, equivalent, a


def _as_reasoned(term: Node) -> Node:
    # The reasoner holds one term for "v" and "v"^^xsd:string; rdflib two.
    if isinstance(term, Literal) and term.datatype == XSD_STRING:
        return Literal(str(term))
    return term


def functional_same_as(closure: set[Triple],
                       functional: set[Node]) -> tuple[set[Triple], set[Node]]:
    """prp-fp for the ``functional`` properties: the values of one subject are the same.

    Returns the ``owl:sameAs`` triples between distinct values (both ways),
    and the properties for which two distinct values of one subject include a
    literal: ``reasonable`` takes no literal as a subject, so those go back to
    it with their ``owl:FunctionalProperty`` typing.
    """
    values: dict[tuple[Node, Node], set[Node]] = defaultdict(set)
    for s, p, o in closure:
        if p in functional:
            values[p, s].add(_as_reasoned(o))
    same: set[Triple] = set()
    back: set[Node] = set()
    for (p, _), objects in values.items():
        if len(objects) > 1:
            if any(isinstance(o, Literal) for o in objects):
                back.add(p)
            else:
                same.update((a, SAME_AS, b) for a in objects for b in objects if a != b)
    return same, back


def complete(reasoner: Any, base: Iterable[Triple], kept: Iterable[Triple] = ()) -> set[Triple]:
    """Run a loaded ``reasoner`` and the rules it lacks until nothing new appears.

    ``base``: input triples to add to what the reasoner returns before the
    rules run. Every input triple belongs there whose rdflib form the reasoner
    does not give back: it returns plain literals typed ``xsd:string``, which
    rdflib tells apart from the plain ones. ``kept``: the functional-property
    typings :func:`split_functional` kept from the reasoner; they join the
    closure, and prp-fp is applied to their subjects here.
    """
    kept = set(kept)
    functional = {s for s, _, _ in kept}
    closure = set(reasoner.reason())
    closure.update(base)
    closure |= kept
    for _ in range(MAX_ROUNDS):
        extra = missing_rules(closure)
        same, back = functional_same_as(closure, functional)
        extra |= same - closure
        if back:
            functional -= back
            extra |= {(p, TYPE, FUNCTIONAL) for p in back}
        if not extra:
            break
        # The reasoner keeps its state: the new triples are added to what it knows.
        reasoner.from_graph(list(extra))
        closure.update(reasoner.reason())
        closure |= extra
    return closure


def closure_reasonable(triples: Iterable[Triple]) -> set[Triple]:
    """The OWL 2 RL closure of ``triples`` by ``reasonable``, completed (module docstring)."""
    base = set(triples)
    fed, kept = split_functional(base)
    reasoner = new_reasoner()
    reasoner.from_graph(fed)
    return complete(reasoner, base, kept)
