"""Short, readable forms of RDF terms for terminal output."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from coedp.namespaces import PREFIXES

_SAFE_LOCAL = set("_-./")


def shorten_iri(iri: str) -> str:
    """``prefix:local`` when a project prefix fits and the local part is plain, else ``<iri>``."""
    best = max(
        ((p, ns) for p, ns in PREFIXES.items() if iri.startswith(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is not None:
        local = iri[len(best[1]):]
        if not local or (all(c.isalnum() or c in _SAFE_LOCAL for c in local) and local[-1] != "."):
            return f"{best[0]}:{local}"
    return f"<{iri}>"


def qname(node: Node | None) -> str:
    """A short form of ``node``: prefixed name, ``<IRI>``, N-Triples literal or ``[]``."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return shorten_iri(str(node))
    if isinstance(node, Literal):
        return node.n3()
    return "[]"
