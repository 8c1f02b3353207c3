"""ORG used as specified: the roles of memberships are org:Roles, as the data states it."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import RDF, RDFS

from tests.semantics.conftest import ROOT, turtle

ORG = Namespace("http://www.w3.org/ns/org#")


def test_every_membership_role_is_an_org_role():
    """org:role's range is org:Role: each value says so itself, not only through a reasoner."""
    data = turtle(ROOT / "graph")
    roles = set(data.objects(None, ORG.role))
    assert roles, "no membership has an org:role: the check would prove nothing"
    untyped = sorted(r for r in roles if (r, RDF.type, ORG.Role) not in data)
    assert not untyped, f"org:role values not typed org:Role: {untyped}"


def test_no_change_event_results_in_its_own_original():
    """ORG keeps org:ChangeEvent for a result with its own identity: a rename is not one."""
    data = turtle(ROOT / "graph")
    same = sorted(
        str(event) for event, original in data.subject_objects(ORG.originalOrganization)
        if (event, ORG.resultingOrganization, original) in data
    )
    changes = list(data.subjects(ORG.originalOrganization, None))
    assert changes, "no organisational change: the check would prove nothing"
    assert not same, f"change events whose result is their original organisation: {same}"


def test_digital_partner_means_ever_a_partner_and_status_comes_from_memberships():
    """An ended membership keeps the type: the class says "is or was", memberships say which."""
    coedp = Namespace("https://coedp.org/def/")
    ended = Namespace("https://coedp.org/id/concept/membership-status/").ended
    ontology = turtle(ROOT / "ontology")
    comment = " ".join(str(c) for c in ontology.objects(coedp.DigitalPartner, RDFS.comment))
    assert "is or was" in comment and "est ou a été" in comment
    data = turtle(ROOT / "graph")
    partners = set(data.subjects(RDF.type, coedp.DigitalPartner))
    left = set()
    for partner in partners:
        memberships = [
            m for m in data.subjects(ORG.member, partner)
            if (m, RDF.type, coedp.PartnershipMembership) in data
        ]
        assert memberships, f"{partner}: a partner without a partnership membership"
        if all((m, coedp.membershipStatus, ended) in data for m in memberships):
            left.add(str(partner).rsplit("/", 1)[-1])
    assert {"sberbank", "element-ai"} <= left
