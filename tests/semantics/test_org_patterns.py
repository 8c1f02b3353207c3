"""ORG used as specified: the roles of memberships are org:Roles, as the data states it."""

from __future__ import annotations

from rdflib import Graph, Namespace
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
