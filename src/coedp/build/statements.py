"""Provenance per statement: an rdf:Statement for every asserted fact, with its source.

Curators write each fact once in graph/ and list where the sources state it in
inventory/*.csv (one row per entity or fact: source file, line, section, IRI,
and for a fact its ``predicate`` and ``object``). The build turns that into RDF
reification, which rdflib, pyshacl, owlrl and every JSON-LD writer handle:

    <https://coedp.org/id/statement/3f0c...> a rdf:Statement ;
        rdf:subject orgs:microsoft ; rdf:predicate coedp:seat ; rdf:object place:redmond ;
        dct:source <https://coedp.org/id/section/digital-partnership-2022-profiles#L169> .

    <https://coedp.org/id/section/digital-partnership-2022-profiles#L169>
        dct:isPartOf section:digital-partnership-2022-profiles ; coedp:sourceLine 169 .

Where a statement's source comes from, first match wins:

1. inventory rows naming the fact (``iri``, ``predicate``, and ``object`` or any
   object), and for ``rdf:type`` the rows of the entity whose ``kind`` is that class;
2. the inventory rows of the subject (the lines that state the entity);
3. the subject's own ``coedp:statedIn`` (with its ``coedp:sourceLine`` when it
   has one section), and its ``dct:source`` (a public page, for an outside fact);
4. otherwise coedp states the fact itself (its concept schemes, rules and the
   description of its sources; the links it adds, ``CURATED_LINKS``, such as a web
   site): ``dct:creator orgs:coedp``.

Provenance triples themselves (``coedp:statedIn``, ``coedp:sourceLine``,
``dct:source``, ``coedp:curatedBy``) get no statement of their own.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node

from coedp.namespaces import COEDP, ID, PREFIXES

STATEMENT = ID["statement/"]
CURATOR = URIRef(str(ID) + "org/coedp")
PROVENANCE_PREDICATES = frozenset(
    {COEDP.statedIn, COEDP.sourceLine, DCTERMS.source, COEDP.curatedBy}
)
# Links coedp adds itself (a web site, an item in another knowledge base, a related
# page, a place's coordinates): the sources do not state them, so they never take the
# entity's source lines.
CURATED_LINKS = frozenset(
    {
        URIRef("https://schema.org/url"),
        URIRef("https://schema.org/sameAs"),
        URIRef("http://www.w3.org/2002/07/owl#sameAs"),
        URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
        URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"),
        URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#long"),
    }
)

# (section IRI, line or None): one place in a source.
Place = tuple[URIRef, int | None]


class InventoryError(ValueError):
    """An inventory row that cannot be read; the message names the file and line."""


@dataclass
class Inventory:
    """Where the sources state each entity and fact, as inventory/*.csv lists it."""

    facts: dict[tuple[URIRef, URIRef, Node | None], list[Place]] = field(
        default_factory=lambda: defaultdict(list)
    )
    kinds: dict[tuple[URIRef, URIRef], list[Place]] = field(
        default_factory=lambda: defaultdict(list)
    )
    entities: dict[URIRef, list[Place]] = field(default_factory=lambda: defaultdict(list))


def expand(term: str, where: str) -> URIRef:
    """A CURIE of coedp's prefixes (``place:redmond``) or a full IRI, as an IRI."""
    term = term.strip()
    if term.startswith(("http://", "https://")):
        return URIRef(term)
    prefix, sep, local = term.partition(":")
    if not sep or prefix not in PREFIXES:
        raise InventoryError(f"{where}: {term!r} is neither an IRI nor a known prefixed name")
    return URIRef(PREFIXES[prefix] + local)


def read_inventory(folder: Path) -> Inventory:
    """Read every inventory/*.csv; rows without a section say nothing of provenance."""
    inventory = Inventory()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                where = f"{path.name}:{n}"
                section = (row.get("section") or "").strip()
                if not section:
                    continue
                line_text = (row.get("line") or "").strip()
                if line_text and not line_text.isdigit():
                    raise InventoryError(f"{where}: line {line_text!r} is not a number")
                place: Place = (URIRef(section), int(line_text) if line_text else None)
                iri = URIRef(row["iri"].strip())
                predicate = (row.get("predicate") or "").strip()
                if predicate:
                    obj = (row.get("object") or "").strip()
                    key = (iri, expand(predicate, where), expand(obj, where) if obj else None)
                    inventory.facts[key].append(place)
                    continue
                kind = (row.get("kind") or "").strip()
                if kind:
                    inventory.kinds[(iri, expand(kind, where))].append(place)
                inventory.entities[iri].append(place)
    return inventory


def statement_iri(s: Node, p: Node, o: Node) -> URIRef:
    """A stable IRI for the statement of one triple (a digest of its N-Triples form)."""
    text = f"{s.n3()} {p.n3()} {o.n3()}"
    return URIRef(str(STATEMENT) + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])


def locator(place: Place) -> URIRef:
    """The section, or the line in it (``section#L169``) where the line is known."""
    section, line = place
    return URIRef(f"{section}#L{line}") if line is not None else section


def _unique(places: Iterable[Place]) -> list[Place]:
    return sorted(set(places), key=lambda p: (str(p[0]), p[1] or 0))


def places_of(data: Graph, inventory: Inventory, s: URIRef, p: URIRef, o: Node) -> list[Place]:
    """Where the sources state ``s p o`` (rules 1 to 3 of the module docstring)."""
    found = inventory.facts.get((s, p, o)) or inventory.facts.get((s, p, None))
    if not found and p in CURATED_LINKS:
        return []
    if not found and p == RDF.type and isinstance(o, URIRef):
        found = inventory.kinds.get((s, o))
    if not found:
        found = inventory.entities.get(s)
    if not found:
        sections = sorted(x for x in data.objects(s, COEDP.statedIn) if isinstance(x, URIRef))
        lines = sorted(int(x) for x in data.objects(s, COEDP.sourceLine) if isinstance(x, Literal))
        if len(sections) == 1 and len(lines) == 1:
            found = [(sections[0], lines[0])]
        else:
            found = [(section, None) for section in sections]
    return _unique(found or [])


def statements(data: Graph, inventory: Inventory) -> Graph:
    """The reified statements of every asserted fact of ``data``, with their sources."""
    out = Graph()
    located: set[Place] = set()
    for s, p, o in sorted(data):
        if p in PROVENANCE_PREDICATES or not isinstance(s, URIRef) or not isinstance(p, URIRef):
            continue
        st = statement_iri(s, p, o)
        out.add((st, RDF.type, RDF.Statement))
        out.add((st, RDF.subject, s))
        out.add((st, RDF.predicate, p))
        out.add((st, RDF.object, o))
        places = places_of(data, inventory, s, p, o)
        for place in places:
            out.add((st, DCTERMS.source, locator(place)))
            if place[1] is not None:
                located.add(place)
        outside = [x for x in data.objects(s, DCTERMS.source) if isinstance(x, URIRef)]
        if p in CURATED_LINKS:
            outside = []
        if not places:
            for page in outside:
                out.add((st, DCTERMS.source, page))
        if not places and not outside:
            out.add((st, DCTERMS.creator, CURATOR))
    for section, line in located:
        node = locator((section, line))
        out.add((node, DCTERMS.isPartOf, section))
        out.add((node, COEDP.sourceLine, Literal(line, datatype=XSD.integer)))
    return out
