"""Reasoned with the real ORG, PROV-O, SKOS, OWL-Time and DCAT, the graph stays consistent.

The closure holds every owl:disjointWith and owl:AllDisjointClasses axiom of
the vocabularies: no individual may belong to two disjoint classes. And some
entailments are wrong even where no disjointness forbids them: each is listed
with the reason it is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF

COEDP = Namespace("https://coedp.org/def/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


def disjoint_pairs(closure: Graph) -> set[tuple[URIRef, URIRef]]:
    """Every pair of classes the closure declares disjoint."""
    pairs = {(a, b) for a, b in closure.subject_objects(OWL.disjointWith) if a != b}
    for axiom in closure.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(closure, closure.value(axiom, OWL.members)))
        pairs |= {(a, b) for i, a in enumerate(members) for b in members[i + 1:] if a != b}
    return pairs


def test_no_individual_is_in_two_disjoint_classes(closure):
    pairs = disjoint_pairs(closure)
    # The vocabularies' axioms are there (PROV-O, ORG, SKOS, OWL-Time): the check can bite.
    assert (PROV.Activity, PROV.Entity) in pairs
    assert (ORG.Organization, ORG.Membership) in pairs
    clashes = []
    for a, b in sorted(pairs):
        both = set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b))
        if both:
            clashes.append(f"{len(both)} in {a} and {b}, e.g. {sorted(both)[:3]}")
    assert not clashes, "disjoint classes share individuals:\n" + "\n".join(clashes)


@dataclass(frozen=True)
class Forbidden:
    """Instances of ``kind`` must not be inferred to be ``wrong``, for ``reason``."""

    name: str
    kind: URIRef
    wrong: URIRef
    reason: str


FORBIDDEN = [
    Forbidden(
        "organisation-entity", ORG.Organization, PROV.Entity,
        "an organisation is an agent; giving its source must not make it a PROV entity "
        "(prov:wasDerivedFrom has the domain prov:Entity)",
    ),
    Forbidden(
        "country-entity", COEDP.Country, PROV.Entity,
        "a state is not a PROV entity: its outside sources are dct:source",
    ),
    Forbidden(
        "person-entity", COEDP.Person, PROV.Entity,
        "a person is an agent, not an entity derived from a source",
    ),
    Forbidden(
        "activity-entity", COEDP.Activity, PROV.Entity,
        "an activity cannot be an entity: PROV-O declares the two classes disjoint",
    ),
    Forbidden(
        "event-entity", COEDP.Event, PROV.Entity,
        "an event is an activity; PROV-O declares activities and entities disjoint",
    ),
    Forbidden(
        "membership-entity", ORG.Membership, PROV.Entity,
        "a membership is a relation between an agent and an organisation, "
        "not an entity derived from a page",
    ),
    Forbidden(
        "country-concept", COEDP.Country, SKOS.Concept,
        "a state is not a concept of a code list: skos:exactMatch (domain skos:Concept) "
        "must not link it to the EU's authority table",
    ),
    Forbidden(
        "participation-agent", COEDP.Participation, PROV.Agent,
        "a participation does not act: coedp:onBehalfOf must not be a prov:actedOnBehalfOf",
    ),
]


def _changed_by_org(closure: Graph) -> set:
    """Organisations ORG itself derives from one another.

    ORG states prov:wasDerivedFrom as the chain org:resultedFrom /
    org:originalOrganization, so the organisations of an org:ChangeEvent are
    PROV entities by ORG's own semantics.
    """
    found = set()
    for event in closure.subjects(RDF.type, ORG.ChangeEvent):
        found |= set(closure.objects(event, ORG.originalOrganization))
        found |= set(closure.objects(event, ORG.resultingOrganization))
    return found


@pytest.mark.parametrize("rule", FORBIDDEN, ids=[f.name for f in FORBIDDEN])
def test_forbidden_entailment(closure, rule):
    members = set(closure.subjects(RDF.type, rule.kind))
    assert members, f"no instance of {rule.kind}: the check would prove nothing"
    exempt = _changed_by_org(closure) if rule.wrong == PROV.Entity else set()
    wrong = sorted(m for m in members - exempt if (m, RDF.type, rule.wrong) in closure)
    assert not wrong, f"{len(wrong)} typed {rule.wrong} ({rule.reason}): {wrong[:5]}"
