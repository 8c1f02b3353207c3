"""The build: parse, validate, reason, describe, write dist/.

Nothing is written unless the curated data passes validation without a
Violation. The files of dist/ are each written whole (through a temporary
name), data dumps first, then ``void.ttl``, then ``SHA256SUMS``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

from coedp.build import export
from coedp.build.alongside import Alongside
from coedp.build.load import Loaded, Location, load_files, turtle_files
from coedp.build.reason import infer
from coedp.build.statements import Inventory, InventoryError, read_inventory, statements
from coedp.build.validate import Report, ontology_view, validate
from coedp.build.void import metadata_graph, void_file_graph
from coedp.namespaces import ASSERTED, COEDP, INFERRED, METADATA, ONTOLOGY, ONTOLOGY_IRI
from coedp.release import VERSION


class BuildError(Exception):
    """The build cannot go on; ``exit_code`` says why (1: invalid data, 2: bad input)."""

    def __init__(self, message: str, exit_code: int = 2, report: Report | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.report = report


@dataclass
class Step:
    """One step of the build, how long it took and how many triples it yielded."""

    name: str
    seconds: float
    triples: int | None = None
    detail: str = ""


@dataclass
class Sources:
    """The parsed sources of a project tree."""

    ontology: Loaded
    data: Loaded
    shapes: Loaded

    def validation_graph(self) -> Graph:
        """Curated data with the ontology merged in: what the shapes see."""
        graph = Graph()
        graph += self.data.graph
        graph += ontology_view(self.ontology.graph)
        return graph

    def locate(self, node: Node) -> Location | None:
        """Where a node was written: in the data first, else in the ontology."""
        return self.data.locate(node) or self.ontology.locate(node)


@dataclass
class BuildResult:
    """What a build produced."""

    out: Path
    steps: list[Step] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    report: Report | None = None
    wall_seconds: float | None = None

    @property
    def seconds(self) -> float:
        """Wall-clock time of the build (steps may overlap: see :mod:`coedp.build.alongside`)."""
        if self.wall_seconds is not None:
            return self.wall_seconds
        return sum(step.seconds for step in self.steps)


ProgressFn = Callable[[str], None]
T = TypeVar("T")


class _Timer:
    def __init__(self, steps: list[Step], progress: ProgressFn | None) -> None:
        self.steps = steps
        self.progress = progress

    def run(
        self,
        name: str,
        fn: Callable[[], T],
        count: Callable[[T], int | None] = lambda r: None,
        detail: Callable[[T], str] = lambda r: "",
    ) -> T:
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        result = fn()
        self.steps.append(Step(name, time.perf_counter() - start, count(result), detail(result)))
        return result


def _require(folder: Path, what: str) -> list[Path]:
    files = turtle_files(folder)
    if not files:
        raise BuildError(f"no Turtle files (*.ttl) in {folder} ({what})")
    return files


def load_sources(root: Path, timer: _Timer | None = None, need_shapes: bool = True) -> Sources:
    """Parse ontology/, graph/ and shapes/ of the project tree at ``root``."""
    timer = timer or _Timer([], None)
    ont_files = _require(root / "ontology", "the ontology")
    data_files = _require(root / "graph", "the curated data")
    shape_files = _require(root / "shapes", "the SHACL shapes") if need_shapes else []

    def size(loaded: Loaded) -> int:
        return len(loaded.graph)

    def files(loaded: Loaded) -> str:
        n = len(loaded.files)
        return f"{n} file" if n == 1 else f"{n} files"

    ontology = timer.run("parse ontology", lambda: load_files(ont_files, root), size, files)
    stamp_release(ontology.graph)
    data = timer.run("parse data", lambda: load_files(data_files, root), size, files)
    shapes = timer.run("parse shapes", lambda: load_files(shape_files, root), size, files)
    return Sources(ontology, data, shapes)


def version_iri(version: str = VERSION) -> URIRef:
    """The ontology's IRI for one release (``https://coedp.org/def/1.0.0``)."""
    return URIRef(f"{ONTOLOGY_IRI}{version}")


def stamp_release(ontology: Graph, version: str = VERSION) -> None:
    """State the release ``version`` on the ontology: ``owl:versionInfo`` and ``owl:versionIRI``.

    The version is written once, in pyproject.toml (:mod:`coedp.release`); the
    ontology's files do not state it. A file that does, with another version,
    is a :class:`BuildError` naming both.
    """
    stated = {str(o) for o in ontology.objects(ONTOLOGY_IRI, OWL.versionInfo)}
    stated |= {str(o).removeprefix(str(ONTOLOGY_IRI))
               for o in ontology.objects(ONTOLOGY_IRI, OWL.versionIRI)}
    if stated - {version}:
        raise BuildError(
            f"ontology/ states version {', '.join(sorted(stated))} of <{ONTOLOGY_IRI}>, "
            f"but the release is {version} (pyproject.toml): remove owl:versionInfo and "
            "owl:versionIRI from ontology/, the build writes them"
        )
    ontology.set((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    ontology.set((ONTOLOGY_IRI, OWL.versionIRI, version_iri(version)))


def _sha256sums(files: dict[str, bytes]) -> bytes:
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    ]
    return "".join(lines).encode("ascii")


def source_documents(*graphs: Graph) -> list[URIRef]:
    """The IRIs typed ``coedp:SourceDocument`` in ``graphs`` (blank nodes cannot be cited)."""
    found = {
        s for g in graphs for s in g.subjects(RDF.type, COEDP.SourceDocument)
        if isinstance(s, URIRef)
    }
    return sorted(found, key=str)


def _asserted_with_statements(root: Path, data: Graph) -> Graph:
    """The curated data and, for each of its facts, an rdf:Statement with its source."""
    folder = root / "inventory"
    try:
        inventory = read_inventory(folder) if folder.is_dir() else Inventory()
    except InventoryError as exc:
        raise BuildError(f"inventory: {exc}") from exc
    graph = Graph()
    graph += data
    graph += statements(data, inventory)
    return graph


def build(
    root: Path,
    out: Path,
    reasoner: str = "owlrl",
    progress: ProgressFn | None = None,
) -> BuildResult:
    """Build the dataset of the project tree ``root`` into ``out``.

    Raises :class:`BuildError` (exit code 1) when the data has a Violation, with
    the report, before anything is written; and ``TurtleSyntaxError`` for a
    source that does not parse.
    """
    started = time.perf_counter()
    result = BuildResult(out=out)
    timer = _Timer(result.steps, progress)
    sources = load_sources(root, timer)

    # Reasoning does not depend on validation: it runs alongside, in a child
    # process, and is thrown away if validation finds a Violation.
    reasoning = Alongside(lambda: list(infer(sources.ontology.graph, sources.data.graph, reasoner)))
    try:
        report = timer.run(
            "validate",
            lambda: validate(
                sources.validation_graph(), sources.shapes.graph, sources.locate,
                sources.data.ill_formed + sources.ontology.ill_formed,
            ),
            lambda r: len(r.results),
            lambda r: f"{r.violations} violations, {r.warnings} warnings",
        )
    except BaseException:
        reasoning.cancel()
        raise
    result.report = report
    if report.violations:
        reasoning.cancel()
        raise BuildError(
            f"{report.violations} SHACL violation(s): dataset not written",
            exit_code=1,
            report=report,
        )

    if progress:
        progress("reason")
    inferred = Graph()
    inferred.addN((s, p, o, inferred) for s, p, o in reasoning.result())
    result.steps.append(Step("reason", reasoning.seconds, len(inferred), reasoner))
    asserted = timer.run(
        "provenance per statement",
        lambda: _asserted_with_statements(root, sources.data.graph),
        len,
    )
    data_graphs = {
        ASSERTED: asserted,
        INFERRED: inferred,
        ONTOLOGY: sources.ontology.graph,
    }

    written: dict[str, bytes] = {}

    def shapes_file() -> bytes:
        data = export.turtle(export.canonical_triples(sources.shapes.graph))
        written[export.SHAPES.filename] = data
        return data

    shapes_bytes: bytes = timer.run("canonicalise shapes", shapes_file, lambda r: None)

    metadata = timer.run(
        "describe (VoID/DCAT)",
        lambda: metadata_graph(
            data_graphs,
            source_documents(sources.data.graph, inferred),
            export.DUMPS,
            (export.SHAPES, shapes_bytes),
        ),
        len,
    )
    graphs = {**data_graphs, METADATA: metadata}
    quads = timer.run("canonicalise dataset", lambda: export.canonical_quads(graphs), len)

    def dumps() -> int:
        for fmt in export.DUMPS:
            written[fmt.filename] = export.serialise(fmt, quads)
        return len(export.DUMPS)

    timer.run("serialise dumps", dumps, lambda r: None, lambda r: f"{r} files")

    def void_file() -> Graph:
        dump_bytes = {f.filename: written[f.filename] for f in export.DUMPS}
        graph = void_file_graph(metadata, dump_bytes)
        written[export.VOID_FILE] = export.turtle(export.canonical_triples(graph))
        written[export.SUMS_FILE] = _sha256sums(written)
        return graph

    timer.run("describe dumps (void.ttl)", void_file, len)

    def write() -> int:
        out.mkdir(parents=True, exist_ok=True)
        # Data first, description next, checksums last: a reader of SHA256SUMS
        # finds every file it lists already complete.
        order = [f.filename for f in export.DUMPS] + [export.SHAPES.filename, export.VOID_FILE]
        for name in order + [export.SUMS_FILE]:
            export.write_bytes(out / name, written[name])
        return len(written)

    timer.run("write files", write, lambda r: None, lambda r: f"{r} files in {out}")
    result.graphs = {str(name): len(graph) for name, graph in graphs.items()}
    result.files = {name: len(data) for name, data in sorted(written.items())}
    result.wall_seconds = time.perf_counter() - started
    return result
