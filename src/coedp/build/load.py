"""Parse the Turtle sources and remember where each subject was written.

Every file is parsed on its own, so that a syntax error names its file and line,
and so that each subject can be traced back to the file (and the line of the
block) it came from: the validation report points curators there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from coedp.build.literals import ill_formed, quiet_conversions
from coedp.namespaces import BASE

_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I | re.M)
_TOKEN_END = re.compile(r"[\s;,]")


class TurtleSyntaxError(Exception):
    """A source file that is not valid Turtle; ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Location:
    """A file (as shown to users: relative to the project root when inside it) and line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class IllFormed:
    """A literal whose lexical form its datatype does not allow (or with a bad language tag)."""

    subject: Node
    predicate: URIRef
    literal: Literal
    reason: str
    location: Location


@dataclass
class Loaded:
    """The merged graph of some files, and where each of their subjects was written."""

    graph: Graph
    files: list[str] = field(default_factory=list)
    subjects: dict[Node, list[Location]] = field(default_factory=dict)
    ill_formed: list[IllFormed] = field(default_factory=list)

    def locate(self, node: Node) -> Location | None:
        """Where ``node`` is described; a blank node is located by the subject that holds it."""
        seen: set[Node] = set()
        while node not in seen:
            seen.add(node)
            if node in self.subjects:
                return self.subjects[node][0]
            if not isinstance(node, BNode):
                return None
            parent = next(self.graph.subjects(None, node), None)
            if parent is None:
                return None
            node = parent
        return None

    def extend(self, other: Loaded) -> None:
        """Merge ``other`` into this one (graph, files and locations)."""
        self.graph += other.graph
        self.files.extend(other.files)
        self.ill_formed.extend(other.ill_formed)
        for node, locs in other.subjects.items():
            self.subjects.setdefault(node, []).extend(locs)


def display_path(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` when inside it (POSIX separators), else as given."""
    if root is not None:
        resolved, base = path.resolve(), root.resolve()
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return str(path)


def turtle_files(target: Path, recursive: bool = True) -> list[Path]:
    """The ``.ttl`` files of a folder (sorted, recursively) or the file itself."""
    if target.is_file():
        return [target]
    if not target.is_dir():
        return []
    pattern = "**/*.ttl" if recursive else "*.ttl"
    return sorted(p for p in target.glob(pattern) if p.is_file())


def _subject_lines(text: str, graph: Graph) -> dict[Node, int]:
    """First line where each IRI subject of ``graph`` starts a line of ``text``.

    A subject is searched for as ``<IRI>`` and as every prefixed name the file's
    own prefixes allow; a line that starts with it wins over a mention inside a line.
    """
    prefixes = [(p or "", ns) for p, ns in _PREFIX_RE.findall(text)]
    lines = text.splitlines()
    first_token: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        token = _TOKEN_END.split(stripped, maxsplit=1)[0]
        first_token.setdefault(token, number)
    found: dict[Node, int] = {}
    for subject in set(graph.subjects()):
        if not isinstance(subject, URIRef):
            continue
        iri = str(subject)
        candidates = [f"<{iri}>"]
        candidates += [f"{p}:{iri[len(ns):]}" for p, ns in prefixes if iri.startswith(ns)]
        hits = [first_token[c] for c in candidates if c in first_token]
        if not hits:
            for c in candidates:
                pattern = re.compile(r"(?<![\w:/#.-])" + re.escape(c) + r"(?![\w/#-])")
                hits += [n for n, line in enumerate(lines, start=1) if pattern.search(line)][:1]
        if hits:
            found[subject] = min(hits)
    return found


def parse_file(path: Path, root: Path | None = None) -> Loaded:
    """Parse one Turtle file; raise :class:`TurtleSyntaxError` on any defect."""
    shown = display_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TurtleSyntaxError(shown, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise TurtleSyntaxError(shown, None, exc.strerror or str(exc)) from None
    graph = Graph()
    try:
        # A base under the project's own IRIs: relative IRIs never leak a local path.
        with quiet_conversions():
            graph.parse(data=text, format="turtle", publicID=BASE)
    except BadSyntax as exc:
        raise TurtleSyntaxError(shown, exc.lines + 1, exc._why) from None
    except Exception as exc:  # rdflib raises several types for bad input
        message = str(exc) or type(exc).__name__
        raise TurtleSyntaxError(shown, _line_of_error(text, message), message) from None
    lines = _subject_lines(text, graph)
    subjects: dict[Node, list[Location]] = {}
    for subject in set(graph.subjects()):
        if isinstance(subject, BNode):
            continue
        subjects[subject] = [Location(shown, lines.get(subject))]
    loaded = Loaded(graph=graph, files=[shown], subjects=subjects)
    text_lines = text.splitlines()
    for s, p, o, reason in ill_formed(graph):
        start = loaded.locate(s)
        line = literal_line(text_lines, o, start.line if start else None)
        loaded.ill_formed.append(IllFormed(s, p, o, reason, Location(shown, line)))
    return loaded


def _line_of_error(text: str, message: str) -> int | None:
    """The line of an error rdflib reports without one: its quoted token (a language tag)."""
    quoted = re.search(r"'([^']+)'", message)
    if quoted is None:
        return None
    token = re.compile(r"@" + re.escape(quoted.group(1)) + r"(?![\w-])")
    for number, line in enumerate(text.splitlines(), start=1):
        if token.search(line):
            return number
    return None


def literal_line(lines: list[str], literal: Literal, start: int | None) -> int | None:
    """The first line, from the subject's block on, that writes ``literal``'s lexical form."""
    lexical = str(literal)
    needles = [f'"{lexical}"', f"'{lexical}'"]
    begin = (start or 1) - 1
    for number in range(begin, len(lines)):
        line = lines[number]
        if any(n in line for n in needles) or re.search(
            r"(?<![\w\"'.:-])" + re.escape(lexical) + r"(?![\w\"'.:-])", line
        ):
            return number + 1
    return start


def load_files(paths: Iterable[Path], root: Path | None = None) -> Loaded:
    """Parse and merge ``paths`` in order; the first file describing a subject is its home."""
    merged = Loaded(graph=Graph())
    for path in paths:
        merged.extend(parse_file(path, root))
    return merged
