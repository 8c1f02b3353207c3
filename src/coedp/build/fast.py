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
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from coedp.build.closure import closure_reasonable
from coedp.build.export import from_ox, to_ox
from coedp.build.reason import _builtin, _keep
from coedp.namespaces import ASSERTED, BASE, DATASET, INFERRED, METADATA, ONTOLOGY

Triple = tuple[Node, Node, Node]
VOID = "http://rdfs.org/ns/void#"


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
           fn: Callable[[], object], size: Callable[[object], int]) -> object:
    started = time.perf_counter()
    result = fn()
    steps.append(FastStep(name, time.perf_counter() - started, size(result), unit))
    return result


def read_graphs(path: Path) -> tuple[list[Triple], list[Triple]]:
    """The asserted and ontology graphs of an N-Quads file, as rdflib-term triples."""
    asserted: list[Triple] = []
    ontology: list[Triple] = []
    wanted = {str(ASSERTED): asserted, str(ONTOLOGY): ontology}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        target = wanted.get(getattr(quad.graph_name, "value", ""))
        if target is not None:
            target.append((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return asserted, ontology


def infer_fast(ontology: Iterable[Triple], asserted: Iterable[Triple]) -> list[Triple]:
    """The meaningful inferences (as :func:`coedp.build.reason.infer` keeps them), sorted."""
    ontology, asserted = set(ontology), set(asserted)
    base = ontology | asserted
    closure = closure_reasonable(base)
    known_terms = {term for triple in base for term in triple}
    vocabulary = {t for tr in ontology for t in tr if isinstance(t, URIRef) and not _builtin(t)}
    kept = [t for t in closure - base if _keep(t, known_terms, vocabulary)]
    # Drop copies made through owl:sameAs with an outside alias (see reason._same_as_copies).
    alias: dict[Node, set[Node]] = {}
    for s, p, o in closure:
        if (p == OWL.sameAs and isinstance(s, URIRef) and isinstance(o, URIRef)
                and str(s).startswith(BASE) and not str(o).startswith(BASE)):
            alias.setdefault(o, set()).add(s)
    kept = [
        (s, p, o) for s, p, o in kept
        if p == OWL.sameAs or o not in alias or not any((s, p, own) in closure for own in alias[o])
    ]
    return sorted(kept)


def _metadata(counts: dict[str, int]) -> list[ox.Quad]:
    """A small VoID description: triples per named graph."""
    graph = ox.NamedNode(str(METADATA))
    dataset = ox.NamedNode(str(DATASET))
    quads = [
        ox.Quad(dataset, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(VOID + "Dataset"), graph),
    ]
    for name, n in sorted(counts.items()):
        part = ox.NamedNode(name)
        quads += [
            ox.Quad(dataset, ox.NamedNode(VOID + "subset"), part, graph),
            ox.Quad(part, ox.NamedNode(VOID + "triples"), ox.Literal(str(n), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer")), graph),
        ]
    return quads


def build_nquads(source: Path, out: Path) -> FastBuild:
    """Build ``out/coedp.nq`` (asserted, inferred, ontology, metadata) from ``source``."""
    result = FastBuild(out=out)
    steps = result.steps
    asserted, ontology = _timed(steps, "parse", "triples", lambda: read_graphs(source),
                                lambda r: len(r[0]) + len(r[1]))
    inferred = _timed(steps, "reason (reasonable)", "triples",
                      lambda: infer_fast(ontology, asserted), len)

    def export() -> int:
        quads: list[ox.Quad] = []
        counts: dict[str, int] = {}
        for name, triples in ((ASSERTED, asserted), (INFERRED, inferred), (ONTOLOGY, ontology)):
            g = ox.NamedNode(str(name))
            unique = {(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples}
            counts[str(name)] = len(unique)
            quads += [ox.Quad(s, p, o, g) for s, p, o in unique]
        quads += _metadata(counts)
        counts[str(METADATA)] = len(quads) - sum(counts.values())
        result.graphs = counts
        lines = sorted(str(q) + " .\n" for q in quads)
        data = "".join(lines).encode("utf-8")
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / "coedp.nq.part"
        tmp.write_bytes(data)
        tmp.replace(out / "coedp.nq")
        return len(data)

    _timed(steps, "export (N-Quads)", "bytes", export, lambda n: n)
    return result
