"""Queries the pages run: through the endpoint's worker pool, with its timeout.

Every page reads the graph by SPARQL sent to the same pool of worker
processes as /sparql (the app's backend, with the result cache /sparql uses),
so a slow page can never hold the web process, and what a page shows is what
the endpoint would answer.
Results come back as SPARQL JSON and are turned into :class:`Term` values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI

from coedp import paths
from coedp.server.deps import services
from coedp.server.engine import Outcome, QueryTask

XSD = "http://www.w3.org/2001/XMLSchema#"


class DataError(Exception):
    """A page's query failed (timeout, busy endpoint, bad query file)."""


@dataclass(frozen=True, order=True)
class Term:
    """An RDF term as a SPARQL JSON binding gives it."""

    kind: str  # "uri", "literal" or "bnode"
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        """Whether the term is an IRI."""
        return self.kind == "uri"

    def to_ox(self) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        """The pyoxigraph term, to serialise descriptions."""
        if self.kind == "uri":
            return ox.NamedNode(self.value)
        if self.kind == "bnode":
            return ox.BlankNode(self.value)
        if self.lang:
            return ox.Literal(self.value, language=self.lang)
        if self.datatype:
            return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype))
        return ox.Literal(self.value)


Row = dict[str, Term]


def iri(value: str) -> Term:
    """An IRI term."""
    return Term("uri", value)


def _term(binding: dict[str, str]) -> Term:
    kind = binding["type"]
    if kind == "typed-literal":  # SPARQL JSON of some older engines
        kind = "literal"
    return Term(kind, binding["value"], binding.get("xml:lang", ""), binding.get("datatype", ""))


def parse_results(body: bytes) -> list[Row]:
    """Rows of a SPARQL JSON SELECT result."""
    doc = json.loads(body)
    return [
        {name: _term(value) for name, value in binding.items()}
        for binding in doc.get("results", {}).get("bindings", [])
    ]


async def run(app: FastAPI, query: str, has_dataset: bool | None = None) -> Outcome:
    """Run a query through the worker pool with the endpoint's limits.

    Results come as SPARQL JSON, graphs as N-Triples. ``has_dataset``: whether the
    query's FROM clauses choose its graphs, when the caller's guard found out already.
    """
    parts = services(app)
    settings = parts.settings
    task = QueryTask(
        query=query,
        results_format="json",
        rdf_format="ntriples",
        max_rows=settings.max_rows,
        base_iri=settings.base_iri,
        has_dataset=has_dataset,
    )
    return await parts.backend.run(task, settings.timeout)


async def select(app: FastAPI, query: str) -> list[Row]:
    """Run a SELECT query through the worker pool; raises ``DataError`` on failure."""
    outcome = await run(app, query)
    if outcome.status != 200:
        raise DataError(outcome.message)
    return parse_results(outcome.body)


def sparql_iri(value: str) -> str:
    """``<value>`` for a SPARQL query, refusing anything that is not a valid IRI.

    pyoxigraph's IRI parser is the judge (it is the one that will read the
    query); the character check before it keeps a ``>`` from closing the term.
    """
    if re.search(r'[<>"{}|^`\\\x00-\x20\x7f]', value):
        raise ValueError(f"not an IRI: {value!r}")
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"not an IRI: {value!r}") from exc
    return f"<{value}>"


# -- the queries of queries/ ---------------------------------------------------
@dataclass(frozen=True)
class StoredQuery:
    """A query of queries/: its file name (without .rq), header fields and text."""

    name: str
    text: str
    header: dict[str, str]

    @property
    def title(self) -> str:
        return self.header.get("title", self.name)

    @property
    def question(self) -> str:
        return self.header.get("question", "")

    @property
    def counting_rule(self) -> str:
        return self.header.get("counting rule", "")

    def in_language(self, key: str, lang: str) -> tuple[str, str]:
        """A header field in ``lang`` (``# Question@fr:``) if written, else in English.

        Returns the text and the language it is in.
        """
        translated = self.header.get(f"{key}@{lang}")
        if translated:
            return translated, lang
        return self.header.get(key, ""), "en"

    @property
    def source(self) -> str:
        return self.header.get("source", "")


_HEADER = re.compile(r"^#\s*([A-Za-z][A-Za-z ]*(?:@[a-z]{2})?):\s*(.*)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def parse_header(text: str) -> dict[str, str]:
    """The ``# Key: value`` lines at the top of a query (keys lower-cased).

    ``# Key@fr: value`` is the same field in French (key ``key@fr``).
    """
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            header[match.group(1).strip().lower()] = match.group(2).strip()
    return header


def queries_folder() -> Path:
    """queries/ of the project."""
    return paths.queries_dir()


def list_queries() -> list[StoredQuery]:
    """Every query of queries/, by file name."""
    folder = queries_folder()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        found.append(StoredQuery(path.stem, text, parse_header(text)))
    return found


def load_query(name: str) -> StoredQuery | None:
    """The query ``queries/NAME.rq``, or None (names with a path are refused)."""
    if not _NAME.match(name):
        return None
    path = queries_folder() / f"{name}.rq"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    return StoredQuery(name, text, parse_header(text))
