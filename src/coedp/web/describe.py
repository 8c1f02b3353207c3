"""What the description of an IRI holds, read by SPARQL through the worker pool.

The description of ``<S>`` (its RDF document, and the data of its page) is:

* its own triples ``<S> ?p ?o``, from every graph of the dataset (for an
  entity that is the asserted and the inferred graph; for an ontology term
  the ontology graph; for the dataset and its parts the metadata graph);
* for a named graph, the triples of the VoID subset that names it with
  ``sd:name`` (its description in the metadata graph);
* the labels (rdfs:label, skos:prefLabel) of every IRI it links to, and of
  every IRI that links to it;
* the incoming links ``?s ?p <S>``, at most ``PAGE_SIZE`` per page, ordered
  by property then subject; ``?page=N`` gives the next ones and the answer
  carries ``Link: <...?page=N+1>; rel="next"`` while there are more (a
  country or a class has many);
* for an RDF document (first page), the ``rdf:Statement`` nodes of the
  asserted facts with ``<S>`` as subject or object, whole, and the source
  lines they cite (``<section#L169> dct:isPartOf section ; coedp:sourceLine
  169``), each with the named graph that holds it (the asserted graph): a
  client that fetches ``/doc/id/org/microsoft`` reads which line states the
  seat.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field

import pyoxigraph as ox
from fastapi import FastAPI

from coedp.namespaces import COEDP, iris_of, prefixes_for
from coedp.server.backends import BackendError
from coedp.server.deps import services
from coedp.server.formats import rdf_format
from coedp.web import catalogue, data
from coedp.web.catalogue import LABEL, PREF, SD, Catalogue
from coedp.web.data import Term, sparql_iri

PAGE_SIZE = 200

# Several small queries rather than one with UNIONs: the endpoint's guard
# parses every query with rdflib first, and small queries parse many times
# faster; they also run side by side on the pool's workers.
OUT = "SELECT ?p ?o WHERE {{ {s} ?p ?o }}"
IN = "SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {s} }} ORDER BY ?p ?s OFFSET {offset} LIMIT {limit}"
VIA = "SELECT ?s ?p ?o WHERE {{ ?s <" + SD + "name> {s} . ?s ?p ?o }}"
EXISTS = "ASK {{ {{ {s} ?p ?o }} UNION {{ ?x ?q {s} }} }}"

# What a page shows of the IRIs next to the entity (second hop).
HOP_PROPERTIES = (
    COEDP + "activity",
    COEDP + "participant",
    COEDP + "role",
    COEDP + "status",
    COEDP + "capacity",
    COEDP + "onBehalfOf",
    COEDP + "startDate",
    COEDP + "endDate",
    COEDP + "dateText",
    COEDP + "datePrecision",
    COEDP + "organisedBy",
    COEDP + "chairmanship",
    COEDP + "post",
    "http://www.w3.org/ns/org#member",
    COEDP + "firstLine",
    COEDP + "lastLine",
    COEDP + "fileName",
    COEDP + "membershipStatus",
    COEDP + "joinedBy",
    COEDP + "endedBy",
    COEDP + "endReason",
    "http://www.w3.org/ns/org#organization",
    "http://purl.org/dc/terms/isPartOf",
    "http://rdfs.org/ns/void#triples",
)
HOP = (
    "SELECT DISTINCT ?s ?p ?o WHERE {{ {{ {s} ?q ?s }} UNION {{ ?s ?q {s} }} "
    "VALUES ?p {{ {props} }} ?s ?p ?o }}"
)
# The entity's memberships, its own period, and the holdings of a post (the post's
# or, for the organisation of the post, every holding in it), with their instants;
# ?p named, since the inferred graph also links the period by time:hasTime.
MEMBERSHIPS = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?s ?p ?o WHERE {{
  {{ ?s org:member {s} }} UNION {{ {s} org:memberDuring ?x BIND({s} AS ?s) }}
  UNION {{ ?s <""" + COEDP + """post> {s} }}
  UNION {{ ?s <""" + COEDP + """post> ?post ; org:organization {s} }}
  ?s org:memberDuring ?period . ?period ?p ?instant .
  ?instant time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?o
  VALUES ?p {{ time:hasBeginning time:hasEnd }} }}"""
# The source of each of the entity's statements (rdf:Statement nodes the build
# writes): a line of a section, a section, a public page, or coedp itself.
SOURCES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?p ?o ?where ?section ?line WHERE {{
  ?st rdf:subject {s} ; rdf:predicate ?p ; rdf:object ?o ; dct:source ?where .
  OPTIONAL {{ ?where dct:isPartOf ?section ; <""" + COEDP + """sourceLine> ?line }} }}"""
# The statement nodes of the facts about the entity, and the source lines they cite,
# each with its graph (the build writes them in the asserted graph).
STATEMENT_NODES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{
  {{ ?s rdf:subject {s} }} UNION {{ ?s rdf:object {s} }}
  ?s a rdf:Statement ; ?p ?o }} }}"""
STATEMENT_LINES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT DISTINCT ?g ?s ?p ?o WHERE {{
  {{ ?st rdf:subject {s} }} UNION {{ ?st rdf:object {s} }}
  ?st a rdf:Statement ; dct:source ?s .
  GRAPH ?g {{ ?s <""" + COEDP + """sourceLine> ?line ; ?p ?o }}
  VALUES ?p {{ dct:isPartOf <""" + COEDP + """sourceLine> }} }}"""
# For an organiser: who took part in the activities it ran (third hop).
ORGANISED_PARTICIPANTS = """PREFIX coedp: <https://coedp.org/def/>
SELECT DISTINCT ?activity ?participant WHERE {{
  ?activity coedp:organisedBy {s} .
  ?part coedp:activity ?activity ; coedp:participant ?participant }}"""
ORGANISED_BY = COEDP + "organisedBy"
ORG_MEMBER = "http://www.w3.org/ns/org#member"
# Incoming links that make the entity's page show periods: a member's memberships,
# a post's holdings, the holdings of the posts of an organisation.
PERIOD_LINKS = frozenset({ORG_MEMBER, COEDP + "post", "http://www.w3.org/ns/org#organization"})
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"
ORG_DURING = "http://www.w3.org/ns/org#memberDuring"


@dataclass
class Description:
    """The triples describing one IRI (see the module docstring)."""

    iri: str
    out: list[tuple[Term, Term]] = field(default_factory=list)  # (p, o)
    incoming: list[tuple[Term, Term]] = field(default_factory=list)  # (s, p)
    via: list[tuple[Term, Term, Term]] = field(default_factory=list)  # (s, p, o)
    page: int = 1
    has_next: bool = False
    # For pages only: node -> property -> values of the neighbours (HOP_PROPERTIES),
    # and (membership, start, end) of the entity's memberships.
    hop: dict[str, dict[str, list[Term]]] = field(default_factory=dict)
    memberships: list[tuple[str, str, str]] = field(default_factory=list)
    # (property, value) -> where the sources state it: (source, section, line); the
    # section and line are empty where the source is a section or a page itself.
    sources: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    # (activity, participant) of the activities the entity organised.
    organised_participants: list[tuple[str, str]] = field(default_factory=list)
    # For documents only: (graph, subject, predicate, object) of the statement nodes of
    # the facts about the entity and of the source lines they cite.
    statements: list[tuple[Term, Term, Term, Term]] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        """Whether the dataset says anything of the IRI (on this page)."""
        return bool(self.out or self.incoming or self.via)

    def values(self, prop: str) -> list[Term]:
        """The objects of ``<S> prop ?o``."""
        return [o for p, o in self.out if p.value == prop]

    def linked(self) -> set[str]:
        """IRIs the description links to or from."""
        found = {o.value for _, o in self.out if o.is_iri}
        found |= {s.value for s, _ in self.incoming if s.is_iri}
        found |= {o.value for _, _, o in self.via if o.is_iri}
        found |= {s.value for s, _, _ in self.via if s.is_iri}
        found.discard(self.iri)
        return found


async def exists(app: FastAPI, iri: str) -> bool:
    """Whether the dataset has any triple with ``iri`` as subject or object.

    An IRI the catalogue knows (it has a type or a label) exists without a
    query; others (a named graph, an IRI only ever used as an object) are asked.
    """
    cat = await catalogue.get(app)
    if iri in cat.types or iri in cat.labels:
        return True
    sparql_iri(iri)  # ValueError for what is not an IRI
    parts = services(app)
    try:
        return await parts.backend.exists(iri, parts.settings.timeout)
    except BackendError as exc:
        raise data.DataError(str(exc)) from None


async def describe(app: FastAPI, iri: str, page: int = 1, detail: bool = False) -> Description:
    """The description of ``iri``, incoming links of page ``page`` (from 1).

    With ``detail`` (for a page) it also holds what the page shows of the
    neighbours (``HOP_PROPERTIES``) and the dates of memberships; without it
    (for an RDF document), on the first page, the statement nodes of the facts
    about ``iri`` and their source lines.
    """
    s = sparql_iri(iri)
    queries = [
        OUT.format(s=s),
        IN.format(s=s, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1),
        VIA.format(s=s),
    ]
    if detail:
        queries.append(HOP.format(s=s, props=" ".join(f"<{p}>" for p in HOP_PROPERTIES)))
        queries.append(SOURCES.format(s=s))
    elif page == 1:
        queries += [STATEMENT_NODES.format(s=s), STATEMENT_LINES.format(s=s)]
    answers = await asyncio.gather(*(data.select(app, q) for q in queries))
    desc = Description(iri, page=page)
    desc.out = sorted((r["p"], r["o"]) for r in answers[0])
    desc.incoming = [(r["s"], r["p"]) for r in answers[1] if r["s"].value != iri]
    desc.incoming.sort(key=lambda sp: (sp[1].value, sp[0].value))
    if len(answers[1]) > PAGE_SIZE:
        desc.incoming = desc.incoming[:PAGE_SIZE]
        desc.has_next = True
    desc.via = sorted((r["s"], r["p"], r["o"]) for r in answers[2])
    if not detail:
        if page == 1:
            desc.statements = _statements(iri, desc.incoming, answers[3], answers[4])
        return desc
    for row in answers[3]:
        node = desc.hop.setdefault(row["s"].value, {})
        node.setdefault(row["p"].value, []).append(row["o"])
    for props in desc.hop.values():
        for values in props.values():
            values.sort()
    for row in answers[4]:
        section, line = row.get("section"), row.get("line")
        desc.sources.setdefault((row["p"].value, row["o"].value), []).append(
            (row["where"].value, section.value if section else "", line.value if line else "")
        )
    for places in desc.sources.values():
        places.sort()
    if desc.values(ORG_DURING) or any(p.value in PERIOD_LINKS for _, p in desc.incoming):
        periods: dict[str, dict[str, str]] = {}
        for row in await data.select(app, MEMBERSHIPS.format(s=s)):
            end = "end" if row["p"].value.endswith("hasEnd") else "start"
            periods.setdefault(row["s"].value, {})[end] = row["o"].value
        desc.memberships = sorted(
            (m, dates.get("start", ""), dates.get("end", "")) for m, dates in periods.items()
        )
    if any(p.value == ORGANISED_BY for _, p in desc.incoming):
        rows = await data.select(app, ORGANISED_PARTICIPANTS.format(s=s))
        desc.organised_participants = sorted(
            (r["activity"].value, r["participant"].value) for r in rows
        )
    return desc


def _statements(
    iri: str, incoming: list[tuple[Term, Term]], nodes: list[data.Row], lines: list[data.Row]
) -> list[tuple[Term, Term, Term, Term]]:
    """The statement nodes a document about ``iri`` carries, with their source lines.

    Every statement whose subject is ``iri``; one whose object is ``iri`` only when
    its ``rdf:object`` link is among the incoming links of this page, and no triple
    pointing at ``iri`` that is not on the page: incoming links stay paged.
    """
    on_page = {(s.value, p.value) for s, p in incoming}
    kept = {r["s"].value for r in nodes
            if (r["p"].value == RDF_SUBJECT and r["o"].value == iri)
            or (r["p"].value == RDF_OBJECT and (r["s"].value, RDF_OBJECT) in on_page)}
    found = {(r["g"], r["s"], r["p"], r["o"]) for r in nodes
             if r["s"].value in kept
             and (r["o"].value != iri or (r["s"].value, r["p"].value) in on_page)}
    found |= {(r["g"], r["s"], r["p"], r["o"]) for r in lines}
    return sorted(found)


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def triples(desc: Description, cat: Catalogue) -> list[ox.Triple]:
    """The description as RDF triples, with the labels of the IRIs it links to."""
    subject = ox.NamedNode(desc.iri)
    statements: list[tuple[OxTerm, OxTerm, OxTerm]]
    statements = [(subject, p.to_ox(), o.to_ox()) for p, o in desc.out]
    statements += [(s.to_ox(), p.to_ox(), subject) for s, p in desc.incoming]
    statements += [(s.to_ox(), p.to_ox(), o.to_ox()) for s, p, o in desc.via]
    statements += [(s.to_ox(), p.to_ox(), o.to_ox()) for _, s, p, o in desc.statements]
    # SPARQL answers give IRIs or blank nodes as subjects and IRIs as predicates.
    out = [ox.Triple(s, p, o) for s, p, o in statements
           if not isinstance(s, ox.Literal) and isinstance(p, ox.NamedNode)]
    for linked in sorted(desc.linked()):
        node = ox.NamedNode(linked)
        for value, lang, prop in cat.names.get(linked, ()):
            if prop in (LABEL, PREF):
                literal = ox.Literal(value, language=lang) if lang else ox.Literal(value)
                out.append(ox.Triple(node, ox.NamedNode(prop), literal))
    seen: set[ox.Triple] = set()
    unique = []
    for triple in out:
        if triple not in seen:
            seen.add(triple)
            unique.append(triple)
    return unique


def serialize(triples_: list[ox.Triple], form: str) -> bytes:
    """The triples in the RDF syntax ``form`` (turtle, ntriples, jsonld, rdfxml)."""
    prefixes = prefixes_for(iris_of(triples_)) if form in ("turtle", "rdfxml") else None
    body = io.BytesIO()
    ox.serialize(triples_, body, format=rdf_format(form), prefixes=prefixes)
    return body.getvalue()
