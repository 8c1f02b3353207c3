"""ORG used as specified: the roles of memberships are org:Roles, as the data states it."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import RDF

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
