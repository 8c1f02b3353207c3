"""Deterministic serialisation of the dataset.

The same input gives the same bytes, whatever ``PYTHONHASHSEED``:

* blank nodes are relabelled with the W3C RDFC-1.0 canonicalisation
  (``_:c14n0``...), so their names depend only on the data;
* quads are sorted by graph, subject, predicate, object (N-Triples forms) and
  every graph handed to rdflib is filled in that order, which is the order its
  serializers then walk;
* N-Quads and N-Triples are written as sorted lines; Turtle, TriG and RDF/XML
  by pyoxigraph's writers, which keep the (sorted) order they are given;
  JSON-LD compacted with coedp's context, nodes in subject order.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from coedp.namespaces import ONTOLOGY, iris_of, prefixes_for
from coedp.server import formats
from coedp.web.jsonld import Context, dumps, properties_of

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]


@dataclass(frozen=True)
class DumpFormat:
    """One file of dist/: its stem, its syntax (of the format registry), whether it keeps
    named graphs, and its title for people."""

    stem: str
    format: formats.Format
    quads: bool
    title: str

    @property
    def filename(self) -> str:
        """The file's name: the stem and the syntax's extension (``coedp.trig``)."""
        return self.stem + self.format.extension

    @property
    def media_type(self) -> str:
        """The syntax's media type (``application/trig``)."""
        return self.format.media_type


DUMPS: tuple[DumpFormat, ...] = (
    DumpFormat("coedp", formats.TRIG, True, "TriG, named graphs"),
    DumpFormat("coedp", formats.NQUADS, True, "N-Quads, named graphs"),
    DumpFormat("coedp", formats.JSONLD, True, "JSON-LD, named graphs"),
    DumpFormat("coedp", formats.TURTLE, False, "Turtle, union of the named graphs"),
    DumpFormat("coedp", formats.NTRIPLES, False, "N-Triples, union of the named graphs"),
    DumpFormat("coedp", formats.RDFXML, False, "RDF/XML, union of the named graphs"),
)
SHAPES = DumpFormat("shapes", formats.TURTLE, False, "SHACL shapes, Turtle")
VOID_FILE = "void.ttl"
SUMS_FILE = "SHA256SUMS"


# --- term conversion between rdflib and pyoxigraph ---------------------------------

def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term (blank node labels kept)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    """An rdflib triple as a pyoxigraph one (:class:`TypeError` if it is not RDF)."""
    subject, predicate = to_ox(s), to_ox(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"not an RDF triple: {s!r} {p!r} {o!r}")
    return ox.Triple(subject, predicate, to_ox(o))


def to_ox_quad(s: Node, p: Node, o: Node, g: Node) -> ox.Quad:
    """An rdflib quad (graph named by ``g``) as a pyoxigraph one."""
    triple = to_ox_triple(s, p, o)
    return ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(str(g)))


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """A pyoxigraph term as an rdflib term; ``xsd:string`` literals become plain ones."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def _nt(term: Node) -> str:
    return str(to_ox(term))


def canonical_quads(graphs: Mapping[URIRef, Graph]) -> list[Quad]:
    """All quads of ``graphs``, blank nodes canonicalised (RDFC-1.0), sorted."""
    dataset = ox.Dataset()
    for name, graph in graphs.items():
        for s, p, o in graph:
            dataset.add(to_ox_quad(s, p, o, name))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    quads = [
        (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), URIRef(q.graph_name.value))
        for q in dataset
    ]
    quads.sort(key=lambda q: (str(q[3]), _nt(q[0]), _nt(q[1]), _nt(q[2])))
    return quads


def canonical_triples(graph: Graph) -> list[Triple]:
    """The triples of ``graph`` with canonical blank nodes, sorted."""
    placeholder = URIRef("urn:x-coedp:graph")
    return [q[:3] for q in canonical_quads({placeholder: graph})]


def union(quads: Iterable[Quad]) -> list[Triple]:
    """The distinct triples of ``quads``, sorted."""
    triples = {q[:3] for q in quads}
    return sorted(triples, key=lambda t: (_nt(t[0]), _nt(t[1]), _nt(t[2])))


# --- writers ------------------------------------------------------------------------

def _ox_quads(quads: Iterable[Quad]) -> list[ox.Quad]:
    return [to_ox_quad(s, p, o, g) for s, p, o, g in quads]


def _ox_triples(triples: Iterable[Triple]) -> list[ox.Triple]:
    return [to_ox_triple(s, p, o) for s, p, o in triples]


def _serialised(items: Iterable[ox.Triple] | Iterable[ox.Quad], format: ox.RdfFormat,
                prefixes: dict[str, str] | None = None) -> bytes:
    """pyoxigraph's serialisation of ``items`` as bytes."""
    out = io.BytesIO()
    ox.serialize(items, out, format=format, prefixes=prefixes)
    return out.getvalue()


def ntriples(triples: Iterable[Triple]) -> bytes:
    """N-Triples, one sorted line per triple."""
    lines = sorted({f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in triples})
    return "".join(lines).encode("utf-8")


def nquads(quads: Iterable[Quad]) -> bytes:
    """N-Quads, one sorted line per quad."""
    lines = sorted({f"{_nt(s)} {_nt(p)} {_nt(o)} {_nt(g)} .\n" for s, p, o, g in quads})
    return "".join(lines).encode("utf-8")


def turtle(triples: Iterable[Triple]) -> bytes:
    """Turtle with the project prefixes it needs, subjects in sorted order (pyoxigraph's writer)."""
    items = _ox_triples(triples)
    return _serialised(items, ox.RdfFormat.TURTLE, prefixes_for(iris_of(items)))


def rdfxml(triples: Iterable[Triple]) -> bytes:
    """RDF/XML, subjects in sorted order (pyoxigraph's writer)."""
    items = _ox_triples(triples)
    return _serialised(items, ox.RdfFormat.RDF_XML, prefixes_for(iris_of(items)))


def trig(quads: list[Quad]) -> bytes:
    """TriG: one block per named graph in IRI order (pyoxigraph's writer)."""
    items = _ox_quads(quads)
    return _serialised(items, ox.RdfFormat.TRIG, prefixes_for(iris_of(items)))


def jsonld_context(quads: Iterable[Quad]) -> Context:
    """coedp's JSON-LD context, from the properties the ontology graph declares."""
    types: dict[str, set[str]] = {}
    for s, p, o, g in quads:
        if g == ONTOLOGY and p == RDF.type and isinstance(s, URIRef):
            types.setdefault(str(s), set()).add(str(o))
    return Context(properties_of(types.items()))


def jsonld(quads: list[Quad]) -> bytes:
    """JSON-LD compacted with coedp's context (carried inline): one ``@graph`` per named graph,
    short keys, language maps for labels (:mod:`coedp.web.jsonld`)."""
    context = jsonld_context(quads)
    return dumps(context.compact_quads(_ox_quads(quads)))


# The writer of each syntax: of the named graphs (quads), or of their union (triples).
QUAD_WRITERS: dict[formats.Format, Callable[[list[Quad]], bytes]] = {
    formats.TRIG: trig, formats.NQUADS: nquads, formats.JSONLD: jsonld,
}
TRIPLE_WRITERS: dict[formats.Format, Callable[[list[Triple]], bytes]] = {
    formats.TURTLE: turtle, formats.NTRIPLES: ntriples, formats.RDFXML: rdfxml,
}


def serialise(fmt: DumpFormat, quads: list[Quad]) -> bytes:
    """The bytes of one dump of the dataset."""
    if fmt.quads and fmt.format in QUAD_WRITERS:
        return QUAD_WRITERS[fmt.format](quads)
    if not fmt.quads and fmt.format in TRIPLE_WRITERS:
        return TRIPLE_WRITERS[fmt.format](union(quads))
    raise ValueError(f"no writer for {fmt.filename}")


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
