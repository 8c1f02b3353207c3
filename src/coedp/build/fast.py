"""The fast path for large graphs: N-Quads in, N-Quads out, through pyoxigraph.

``coedp build`` parses Turtle with rdflib to point curators at file and line;
that costs ~30 s and 1 GB per million triples. A dataset that is already
N-Quads (asserted and ontology graphs, e.g. a synthetic benchmark graph or an
extract joined to coedp's data) is built here instead: pyoxigraph parses it,
``reasonable`` (completed, see :mod:`coedp.build.closure`) computes the OWL 2
RL closure, the same filter as :func:`coedp.build.reason.infer` keeps the
meaningful inferences, and pyoxigraph writes the four named graphs, sorted.
SHACL validation is left to the caller (pyshacl costs more than it proves
beyond ~100k triples).

The input stays in pyoxigraph terms: the reasoner reads it from an N-Triples
file, and only its output (which ``reasonable`` gives as rdflib terms) goes
through rdflib. Building rdflib terms for every input triple, and sets of
them, was most of the time of this path.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from coedp.build.closure import (
    SAME_AS,
    XSD_STRING,
    closure_reasonable,
    complete,
    new_reasoner,
    split_functional,
)
from coedp.build.export import from_ox, to_ox, to_ox_triple
from coedp.build.reason import _keep
from coedp.namespaces import ASSERTED, BASE, DATASET, INFERRED, METADATA, ONTOLOGY

Triple = tuple[Node, Node, Node]
T = TypeVar("T")
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OX_FUNCTIONAL = ox.NamedNode(str(OWL.FunctionalProperty))
OX_THING = ox.NamedNode(str(OWL.Thing))
OX_XSD_STRING = ox.NamedNode(str(XSD_STRING))


@dataclass
class FastStep:
    """One timed step: its name, seconds, and the triples or bytes it produced."""

    name: str
    seconds: float
    size: int
    unit: str = "triples"


@dataclass
class FastBuild:
    """What :func:`build_nquads` produced."""

    out: Path
    steps: list[FastStep] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)


def _timed(steps: list[FastStep], name: str, unit: str,
           fn: Callable[[], T], size: Callable[[T], int]) -> T:
    started = time.perf_counter()
    result = fn()
    steps.append(FastStep(name, time.perf_counter() - started, size(result), unit))
    return result


def _plain(term: object) -> bool:
    """Whether ``term`` is a literal without language tag typed ``xsd:string``."""
    return isinstance(term, ox.Literal) and not term.language and term.datatype == OX_XSD_STRING


def read_graphs(path: Path) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """The asserted and ontology graphs of an N-Quads file, as pyoxigraph triples.

    Typed and tagged literals take the form rdflib gives them (``" 5 "^^xsd:integer``
    becomes ``"5"^^xsd:integer``), as in ``coedp build``, which reads through rdflib.
    """
    asserted: list[ox.Triple] = []
    ontology: list[ox.Triple] = []
    wanted = {str(ASSERTED): asserted, str(ONTOLOGY): ontology}
    literals: dict[ox.Literal, ox.Literal] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        target = wanted.get(getattr(quad.graph_name, "value", ""))
        if target is None:
            continue
        o = quad.object
        if isinstance(o, ox.Literal) and not _plain(o):
            canonical = literals.get(o)
            if canonical is None:
                converted = to_ox(from_ox(o))
                canonical = literals[o] = converted if isinstance(converted, ox.Literal) else o
            if canonical != o:
                target.append(ox.Triple(quad.subject, quad.predicate, canonical))
                continue
        target.append(quad.triple)
    return asserted, ontology


class _KnownTerms:
    """The literals and blank nodes of the input, asked about in rdflib terms.

    Answers as the set of the input's rdflib terms would: the input never holds
    a literal typed ``xsd:string`` in rdflib (those are plain ones), whereas
    ``reasonable`` hands back every plain literal so typed.
    """

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.terms: set[object] = set()
        for s, _, o in triples:
            if not isinstance(s, ox.NamedNode):
                self.terms.add(s)
            if not isinstance(o, ox.NamedNode):
                self.terms.add(o)

    def __contains__(self, term: object) -> bool:
        if isinstance(term, Literal) and term.datatype == XSD_STRING:
            return False
        if isinstance(term, BNode | Literal):
            return to_ox(term) in self.terms
        return False


def _rdflib_triple(triple: ox.Triple) -> Triple:
    return from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)


def reason_closure(ontology: list[ox.Triple], asserted: list[ox.Triple],
                   workdir: Path) -> set[Triple]:
    """The completed ``reasonable`` closure of ``ontology`` + ``asserted`` (rdflib terms).

    Holds what the reasoner returns, plus the input triples whose rdflib form
    it does not give back (see :func:`coedp.build.closure.complete`).
    """
    fed, kept = split_functional(ontology + asserted, RDF_TYPE, OX_FUNCTIONAL, OX_THING)
    source = workdir / "input.n3"  # the name tells reasonable to read N-Triples
    # split_functional hands back the input's triples and tuples of its own.
    fed = [t if isinstance(t, ox.Triple) else ox.Triple(*t) for t in fed]
    ox.serialize(fed, output=str(source), format=ox.RdfFormat.N_TRIPLES)
    reasoner = new_reasoner()
    reasoner.load_file(str(source))
    source.unlink()
    # Every round of the completion hands back the whole closure as rdflib terms,
    # the bulk of the time: the schema's own closure, reasoned first, saves the
    # rounds that only complete the schema.
    # (Less the functional-property typings split_functional kept back.)
    kept_rdflib = [_rdflib_triple(t) for t in kept]
    schema = closure_reasonable(_rdflib_triple(t) for t in ontology)
    schema.difference_update(kept_rdflib)
    reasoner.from_graph([t for t in schema if not isinstance(t[0], Literal)])
    echo = [_rdflib_triple(t) for t in fed if _plain(t[2])]
    return complete(reasoner, echo, kept_rdflib)


def infer_fast(ontology: list[ox.Triple], asserted: list[ox.Triple]) -> list[ox.Triple]:
    """The meaningful inferences (as :func:`coedp.build.reason.infer` keeps them)."""
    with tempfile.TemporaryDirectory(prefix="coedp-reason-") as tmp:
        closure = reason_closure(ontology, asserted, Path(tmp))
    base = set(ontology)
    base.update(asserted)
    known_terms = _KnownTerms(base)
    vocabulary = {t for tr in ontology for t in map(from_ox, tr)
                  if isinstance(t, URIRef) and str(t).startswith(BASE)}
    kept: list[tuple[Triple, ox.Triple]] = []
    for triple in closure:
        if _keep(triple, known_terms, vocabulary):
            as_ox = to_ox_triple(*triple)
            if as_ox not in base:
                kept.append((triple, as_ox))
    # Drop copies made through owl:sameAs with an outside alias (see reason._same_as_copies).
    alias: dict[Node, set[Node]] = {}
    for s, p, o in closure:
        if (p == SAME_AS and isinstance(s, URIRef) and isinstance(o, URIRef)
                and str(s).startswith(BASE) and not str(o).startswith(BASE)):
            alias.setdefault(o, set()).add(s)
    return [
        as_ox for (s, p, o), as_ox in kept
        if p == SAME_AS or o not in alias or not any((s, p, own) in closure for own in alias[o])
    ]


def _metadata(counts: dict[str, int]) -> list[ox.Quad]:
    """A small VoID description: triples per named graph."""
    graph = ox.NamedNode(str(METADATA))
    dataset = ox.NamedNode(str(DATASET))
    quads = [
        ox.Quad(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset"), graph),
    ]
    for name, n in sorted(counts.items()):
        part = ox.NamedNode(name)
        quads += [
            ox.Quad(dataset, ox.NamedNode(VOID + "subset"), part, graph),
            ox.Quad(part, ox.NamedNode(VOID + "triples"), ox.Literal(str(n), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer")), graph),
        ]
    return quads


def write_nquads(out: Path, graphs: dict[str, Iterable[ox.Triple]]) -> tuple[int, dict[str, int]]:
    """Write ``out/coedp.nq``: the distinct triples of ``graphs``, VoID metadata, sorted lines.

    Returns the bytes written and the triples per named graph.
    """
    lines: list[str] = []
    counts: dict[str, int] = {}
    for name, triples in graphs.items():
        g = ox.NamedNode(name)
        unique = set(triples)
        counts[name] = len(unique)
        lines += [f"{ox.Quad(s, p, o, g)} .\n" for s, p, o in unique]
    metadata = [f"{q} .\n" for q in _metadata(counts)]
    counts[str(METADATA)] = len(metadata)
    lines += metadata
    lines.sort()
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "coedp.nq.part"
    with tmp.open("wb") as fh:
        for start in range(0, len(lines), 100_000):
            fh.write("".join(lines[start:start + 100_000]).encode("utf-8"))
        size = fh.tell()
    tmp.replace(out / "coedp.nq")
    return size, counts


def build_nquads(source: Path, out: Path) -> FastBuild:
    """Build ``out/coedp.nq`` (asserted, inferred, ontology, metadata) from ``source``."""
    result = FastBuild(out=out)
    steps = result.steps
    asserted, ontology = _timed(steps, "parse", "triples", lambda: read_graphs(source),
                                lambda r: len(r[0]) + len(r[1]))
    inferred = _timed(steps, "reason (reasonable)", "triples",
                      lambda: infer_fast(ontology, asserted), len)

    def export() -> int:
        size, result.graphs = write_nquads(out, {
            str(ASSERTED): asserted, str(INFERRED): inferred, str(ONTOLOGY): ontology})
        return size

    _timed(steps, "export (N-Quads)", "bytes", export, lambda n: n)
    return result
