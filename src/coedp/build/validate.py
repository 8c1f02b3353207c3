"""SHACL validation of the curated data, without inference.

The shapes check what curators wrote (plus the ontology, so that ``sh:class``
sees declared subclasses), never what a reasoner could derive: a missing fact
must be reported even if OWL could make it up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

from coedp.build.load import IllFormed, Location
from coedp.build.patches import prepared_queries
from coedp.build.terms import qname
from coedp.namespaces import SH

SEVERITIES = ("Violation", "Warning", "Info")

# How an ill-formed literal is named in reports (it is found before SHACL runs).
ILL_FORMED_COMPONENT = "IllFormedLiteral"
ILL_FORMED_SHAPE = "coedp:well-formed-literal"


def ontology_view(ontology: Graph) -> Graph:
    """The ontology as the shapes need it: the triples about named terms.

    OWL class expressions and lists (restrictions, unions, property chains) are
    blank nodes; the shapes only follow rdf:type and rdfs:subClassOf between
    named classes, and would otherwise take those nodes for data.
    """
    view = Graph()
    for triple in ontology:
        if not isinstance(triple[0], BNode):
            view.add(triple)
    return view


def ill_formed_results(
    found: Iterable[IllFormed], locate: Callable[[Node], Location | None]
) -> list[Result]:
    """One Violation per ill-formed literal, at the line that writes it."""
    results = []
    for item in found:
        focus = item.subject
        results.append(
            Result(
                focus=qname(focus) if not isinstance(focus, BNode) else "[]",
                path=qname(item.predicate),
                severity="Violation",
                message=f"Ill-formed literal: {item.reason}.",
                component=ILL_FORMED_COMPONENT,
                shape=ILL_FORMED_SHAPE,
                value=str(item.literal),
                location=item.location or locate(focus),
            )
        )
    return results


def path_text(shapes: Graph, path: Node | None) -> str:
    """A SHACL property path written the way SPARQL writes it."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return qname(path)
    if (path, RDF.first, None) in shapes:
        return "/".join(path_text(shapes, p) for p in Collection(shapes, path))
    for pred, fmt in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = shapes.value(path, pred)
        if inner is not None:
            return fmt.format(path_text(shapes, inner))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    return "[]"


def shape_text(shapes: Graph, shape: Node | None) -> str:
    """Name a shape; a blank property shape is named by its node shape and path."""
    if shape is None:
        return ""
    if not isinstance(shape, BNode):
        return qname(shape)
    parent = next(shapes.subjects(SH.property, shape), None)
    path = path_text(shapes, shapes.value(shape, SH.path))
    owner = qname(parent) if parent is not None and not isinstance(parent, BNode) else "[]"
    return f"{owner} property {path}" if path else owner


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, with where its focus node was written."""

    focus: str
    path: str
    severity: str
    message: str
    component: str
    shape: str
    value: str
    location: Location | None

    def as_json(self) -> dict[str, object]:
        """The result as a JSON object (keys stable, for scripts)."""
        return {
            "focus": self.focus,
            "path": self.path or None,
            "severity": self.severity,
            "message": self.message,
            "value": self.value or None,
            "file": self.location.path if self.location else None,
            "line": self.location.line if self.location else None,
            "constraint_component": self.component,
            "shape": self.shape,
        }


@dataclass
class Report:
    """The outcome of a validation: the results and the SHACL report graph."""

    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph = field(default_factory=Graph)

    def count(self, severity: str) -> int:
        """How many results have ``severity`` (``Violation``, ``Warning`` or ``Info``)."""
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")


def _message(report: Graph, result: Node) -> str:
    """The English (or untagged) message of a result, else any."""
    messages = sorted(report.objects(result, SH.resultMessage), key=str)
    for lang in ("en", None):
        for m in messages:
            if isinstance(m, Literal) and m.language == lang:
                return str(m)
    return str(messages[0]) if messages else ""


def validate(
    data: Graph,
    shapes: Graph,
    locate: Callable[[Node], Location | None] = lambda node: None,
    ill_formed: Iterable[IllFormed] = (),
) -> Report:
    """Validate ``data`` (curated data with the ontology merged in) against ``shapes``.

    No inference is run; ``data`` is not modified. ``locate`` maps a focus node
    to where it was written. ``ill_formed`` are the literals the loader found
    ill-formed: each is a Violation, and the shapes never see it (SHACL engines
    compare or cast such values and fail).
    """
    ill_formed = list(ill_formed)
    if ill_formed:
        data = _without(data, ill_formed)
    with prepared_queries():
        conforms, report_graph, _text = shacl_validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            abort_on_first=False,
            allow_warnings=False,
        )
    results = ill_formed_results(ill_formed, locate)
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        severity_node = report_graph.value(result, SH.resultSeverity)
        severity = str(severity_node).rsplit("#", 1)[-1] if severity_node else "Violation"
        component = report_graph.value(result, SH.sourceConstraintComponent)
        value = report_graph.value(result, SH.value)
        results.append(
            Result(
                focus=qname(focus) if not isinstance(focus, BNode) else _bnode_focus(data, focus),
                path=path_text(shapes, report_graph.value(result, SH.resultPath)),
                severity=severity,
                message=_message(report_graph, result),
                component=qname(component).removeprefix("sh:"),
                shape=shape_text(shapes, report_graph.value(result, SH.sourceShape)),
                value=qname(value) if value is not None and not isinstance(value, BNode) else "",
                location=locate(focus) if focus is not None else None,
            )
        )
    results.sort(
        key=lambda r: (
            r.location.path if r.location else "~",
            (r.location.line or 0) if r.location else 0,
            r.focus,
            SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
            r.path,
            r.component,
            r.message,
        )
    )
    return Report(conforms=bool(conforms) and not ill_formed, results=results, graph=report_graph)


def _without(data: Graph, ill_formed: list[IllFormed]) -> Graph:
    """A copy of ``data`` without the triples that hold an ill-formed literal."""
    copy = Graph()
    copy += data
    for item in ill_formed:
        copy.remove((item.subject, item.predicate, item.literal))
    return copy


def _bnode_focus(data: Graph, node: Node) -> str:
    """Name a blank focus node by the subject and property that hold it."""
    parent = next(data.subject_predicates(node), None)
    if parent is None:
        return "[]"
    subject, predicate = parent
    return f"[] (object of {qname(subject)} {qname(predicate)})"
