"""Deterministic serialisation of the dataset.

The same input gives the same bytes, whatever ``PYTHONHASHSEED``:

* blank nodes are relabelled with the W3C RDFC-1.0 canonicalisation
  (``_:c14n0``...), so their names depend only on the data;
* quads are sorted by graph, subject, predicate, object (N-Triples forms) and
  every graph handed to rdflib is filled in that order, which is the order its
  serializers then walk;
* N-Quads and N-Triples are written as sorted lines; TriG is assembled graph by
  graph in IRI order from rdflib's Turtle; JSON-LD is written here, as compact
  JSON-LD with the project prefixes as its context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD, NamespaceManager
from rdflib.term import Node

from coedp.namespaces import PREFIXES

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]


@dataclass(frozen=True)
class DumpFormat:
    """One file of dist/: its name, media type and whether it keeps named graphs."""

    filename: str
    media_type: str
    quads: bool
    title: str


DUMPS: tuple[DumpFormat, ...] = (
    DumpFormat("coedp.trig", "application/trig", True, "TriG, named graphs"),
    DumpFormat("coedp.nq", "application/n-quads", True, "N-Quads, named graphs"),
    DumpFormat("coedp.jsonld", "application/ld+json", True, "JSON-LD, named graphs"),
    DumpFormat("coedp.ttl", "text/turtle", False, "Turtle, union of the named graphs"),
    DumpFormat("coedp.nt", "application/n-triples", False, "N-Triples, union of the named graphs"),
    DumpFormat("coedp.rdf", "application/rdf+xml", False, "RDF/XML, union of the named graphs"),
)
SHAPES = DumpFormat("shapes.ttl", "text/turtle", False, "SHACL shapes, Turtle")
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


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
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
        g = ox.NamedNode(str(name))
        for s, p, o in graph:
            dataset.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o), g))
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

def _prefixed_graph(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph filled in the given order, knowing only the project prefixes."""
    graph = Graph(bind_namespaces="none")
    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    return graph


def ntriples(triples: Iterable[Triple]) -> bytes:
    """N-Triples, one sorted line per triple."""
    lines = sorted({f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in triples})
    return "".join(lines).encode("utf-8")


def nquads(quads: Iterable[Quad]) -> bytes:
    """N-Quads, one sorted line per quad."""
    lines = sorted({f"{_nt(s)} {_nt(p)} {_nt(o)} {_nt(g)} .\n" for s, p, o, g in quads})
    return "".join(lines).encode("utf-8")


def turtle(triples: Iterable[Triple]) -> bytes:
    """Turtle with the project prefixes (only those used)."""
    return _prefixed_graph(triples).serialize(format="turtle").encode("utf-8")


_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*$")


def _split_predicate(iri: str) -> tuple[str, str]:
    """Namespace and local name of a predicate, as RDF/XML needs them."""
    for ns in PREFIXES.values():
        if iri.startswith(ns) and _NCNAME.match(iri[len(ns):]):
            return ns, iri[len(ns):]
    match = re.search(r"[A-Za-z_][A-Za-z0-9_.-]*$", iri)
    if not match or match.start() == 0:
        raise ValueError(f"predicate <{iri}> cannot be written in RDF/XML")
    return iri[: match.start()], match.group()


def rdfxml(triples: Iterable[Triple]) -> bytes:
    """RDF/XML: one ``rdf:Description`` per subject, in sorted order."""
    triples = list(triples)
    namespaces: dict[str, str] = {"rdf": str(RDF)}
    known = {ns: p for p, ns in PREFIXES.items()}
    extra = 0
    for ns in sorted({_split_predicate(str(p))[0] for _, p, _ in triples}):
        if ns in namespaces.values():
            continue
        if ns in known:
            namespaces[known[ns]] = ns
        else:
            extra += 1
            namespaces[f"ns{extra}"] = ns
    prefix_of = {ns: p for p, ns in namespaces.items()}
    ordered = sorted(namespaces.items(), key=lambda item: (item[0] != "rdf", item[0]))
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f"  xmlns:{p}={quoteattr(ns)}" for p, ns in ordered]
    lines[-1] += ">"
    current: Node | None = None
    for s, p, o in triples:
        if s != current:
            if current is not None:
                lines.append("  </rdf:Description>")
            ident = f"rdf:nodeID={quoteattr(str(s))}" if isinstance(s, BNode) else \
                f"rdf:about={quoteattr(str(s))}"
            lines.append(f"  <rdf:Description {ident}>")
            current = s
        ns, local = _split_predicate(str(p))
        tag = f"{prefix_of[ns]}:{local}"
        if isinstance(o, URIRef):
            lines.append(f"    <{tag} rdf:resource={quoteattr(str(o))}/>")
        elif isinstance(o, BNode):
            lines.append(f"    <{tag} rdf:nodeID={quoteattr(str(o))}/>")
        else:
            assert isinstance(o, Literal)
            attr = ""
            if o.language:
                attr = f" xml:lang={quoteattr(o.language)}"
            elif o.datatype is not None and o.datatype != XSD.string:
                attr = f" rdf:datatype={quoteattr(str(o.datatype))}"
            lines.append(f"    <{tag}{attr}>{xml_escape(str(o))}</{tag}>")
    if current is not None:
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def trig(quads: list[Quad]) -> bytes:
    """TriG: one block per named graph in IRI order, prefixes declared once on top."""
    prefix_lines: set[str] = set()
    blocks = []
    for name in sorted({q[3] for q in quads}, key=str):
        text = turtle(q[:3] for q in quads if q[3] == name).decode("utf-8")
        body = []
        for line in text.splitlines():
            if line.startswith("@prefix "):
                prefix_lines.add(line)
            else:
                body.append(line)
        content = "\n".join(("    " + line) if line else "" for line in body).strip("\n")
        blocks.append(f"<{name}> {{\n{content}\n}}\n")
    header = [
        f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()
        if f"@prefix {p}: <{ns}> ." in prefix_lines
    ]
    return ("\n".join(header) + "\n\n" + "\n".join(blocks)).encode("utf-8")


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and not iri[len(ns):].startswith("//"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _jsonld_value(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"@id": _compact(str(term))}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    assert isinstance(term, Literal)
    value: dict[str, str] = {"@value": str(term)}
    if term.language:
        value["@language"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        value["@type"] = _compact(str(term.datatype))
    return value


def _jsonld_nodes(triples: list[Triple]) -> list[dict[str, object]]:
    nodes: dict[str, dict[str, object]] = {}
    for s, p, o in triples:
        sid = f"_:{s}" if isinstance(s, BNode) else _compact(str(s))
        node = nodes.setdefault(sid, {"@id": sid})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(_compact(str(o)))  # type: ignore[union-attr]
        else:
            node.setdefault(_compact(str(p)), []).append(_jsonld_value(o))  # type: ignore[union-attr]
    ordered = []
    for sid in sorted(nodes):
        node = nodes[sid]
        keys = ["@id"] + (["@type"] if "@type" in node else [])
        keys += sorted(k for k in node if not k.startswith("@"))
        ordered.append({k: node[k] for k in keys})
    return ordered


def jsonld(quads: list[Quad]) -> bytes:
    """Compact JSON-LD: a context of the project prefixes, one ``@graph`` per named graph."""
    graphs = []
    for name in sorted({q[3] for q in quads}, key=str):
        triples = [q[:3] for q in quads if q[3] == name]
        graphs.append({"@id": _compact(str(name)), "@graph": _jsonld_nodes(triples)})
    document = {"@context": dict(PREFIXES), "@graph": graphs}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def serialise(fmt: DumpFormat, quads: list[Quad]) -> bytes:
    """The bytes of one dump of the dataset."""
    if fmt.filename.endswith(".trig"):
        return trig(quads)
    if fmt.filename.endswith(".nq"):
        return nquads(quads)
    if fmt.filename.endswith(".jsonld"):
        return jsonld(quads)
    triples = union(quads)
    if fmt.filename.endswith(".ttl"):
        return turtle(triples)
    if fmt.filename.endswith(".nt"):
        return ntriples(triples)
    if fmt.filename.endswith(".rdf"):
        return rdfxml(triples)
    raise ValueError(f"no writer for {fmt.filename}")


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so a reader never sees half."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
