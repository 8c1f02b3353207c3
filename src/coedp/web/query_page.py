"""The query page: /query, and GET /sparql from a browser (the ``query_page`` hook).

An editor (a textarea: no script needed; the project's prefixes are
predeclared, as at /sparql) pre-filled with a first query, the
queries of queries/ as examples (``?example=NAME`` loads one into the
editor), results as a table whose IRIs link to their pages with their labels
beside them, a permalink (``/query?query=...``), links to download the
results in every format from /sparql, and errors with their message and
position. A query runs through the endpoint's own guard (``lex_check`` in
a thread of this process, then the worker's parse check) and worker pool, under the same
timeout and row cap as /sparql.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from coedp.server.guard import GuardError, lex_check_off_loop
from coedp.web import catalogue, data, i18n, render
from coedp.web.data import DataError, Term
from coedp.web.iris import IriMap

router = APIRouter(include_in_schema=False)

SHOWN_ROWS = 1000
RESULT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld")
DEFAULT_QUERY = (
    "SELECT ?partner ?name WHERE {\n"
    "  ?partner a coedp:DigitalPartner ;\n"
    "           rdfs:label ?name .\n"
    '  FILTER(lang(?name) = "en")\n'
    "}\nORDER BY ?name\n"
)
_POSITION = re.compile(r"line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)", re.IGNORECASE)


@dataclass
class Cell:
    """A result cell: the term, and for an IRI its label and page."""

    text: str
    href: str | None = None
    label: str = ""
    lang: str = ""
    datatype: str = ""


@dataclass
class Result:
    """What the page shows after running a query."""

    form: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell | None]] = field(default_factory=list)
    total: int = 0
    boolean: bool | None = None
    error: str = ""
    position: tuple[int, int] | None = None
    downloads: list[tuple[str, str]] = field(default_factory=list)


@router.api_route("/query", methods=["GET", "HEAD"])
async def query(request: Request) -> Response:
    """The query page; runs ``?query=`` when given."""
    text = request.query_params.get("query")
    result = None
    if text is not None and text.strip():
        lang, _ = i18n.choose(request)
        result = await run_query(request, text, lang)
    return editor_page(request, text, result)


def sparql_query_page(request: Request) -> Response:
    """GET /sparql without a query, from a browser: the editor, without results."""
    return editor_page(request, None, None)


def editor_page(request: Request, text: str | None, result: Result | None) -> Response:
    """The editor (with ``text``, else the chosen example, else a first query), the examples
    and ``result``."""
    lang, _ = i18n.choose(request)
    example_name = request.query_params.get("example", "")
    chosen = data.load_query(example_name) if example_name else None
    notice = i18n.t("query.unknown", lang, name=example_name) if example_name and not chosen else ""
    if text is not None and text.strip():
        editor = text
    elif chosen is not None:
        editor = chosen.text
    else:
        editor = DEFAULT_QUERY
    return render.page(
        request,
        "query.html",
        {
            "editor": editor,
            "examples": data.list_queries(),
            "chosen": chosen,
            "notice": notice,
            "result": result,
            "permalink": "/query?" + urlencode({"query": editor}) if result else None,
        },
    )


async def run_query(request: Request, text: str, lang: str) -> Result:
    """Run ``text`` as /sparql would, and shape the answer for a table."""
    app = request.app
    settings = app.state.settings
    result = Result()
    try:
        info = await lex_check_off_loop(
            text, settings.max_query_length, settings.max_depth,
            app.state.dataset.graph_names, settings.base_iri,
        )
    except GuardError as exc:
        result.error = exc.message
        result.position = _position(exc.message)
        return result
    result.form = info.form
    formats: tuple[str, ...] = RESULT_FORMATS if info.form in ("SELECT", "ASK") else GRAPH_FORMATS
    if info.form == "ASK":
        formats = ("json", "xml")
    result.downloads = [
        (name, "/sparql?" + urlencode({"query": text, "format": name})) for name in formats
    ]
    outcome = await data.run(app, text, has_dataset=info.has_from)
    if outcome.status != 200:
        result.error = outcome.message
        result.position = _position(outcome.message)
        return result
    try:
        cat = await catalogue.get(app)
    except DataError as exc:
        result.error = str(exc)
        return result
    iris = IriMap(settings.base_iri)

    def cell(term: Term | None) -> Cell | None:
        if term is None:
            return None
        if term.is_iri:
            label = cat.label(term.value, lang) if cat.has_label(term.value) else ""
            href = iris.link(term.value)
            if href is None and term.value.startswith(("http://", "https://")):
                href = term.value
            return Cell(term.value, href, label)
        if term.kind == "bnode":
            return Cell("_:" + term.value)
        return Cell(term.value, lang=term.lang, datatype=term.datatype)

    if outcome.format_name == "ntriples":
        triples = list(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES))
        result.columns = ["subject", "predicate", "object"]
        result.total = len(triples)
        for triple in triples[:SHOWN_ROWS]:
            result.rows.append(
                [cell(_from_ox(x)) for x in (triple.subject, triple.predicate, triple.object)]
            )
        return result
    import json

    doc = json.loads(outcome.body)
    if "boolean" in doc:
        result.boolean = bool(doc["boolean"])
        return result
    result.columns = doc.get("head", {}).get("vars", [])
    rows = data.parse_results(outcome.body)
    result.total = len(rows)
    for row in rows[:SHOWN_ROWS]:
        result.rows.append([cell(row.get(col)) for col in result.columns])
    return result


def _from_ox(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    assert isinstance(term, ox.Literal)
    return Term("literal", term.value, term.language or "", term.datatype.value)


def _position(message: str) -> tuple[int, int] | None:
    match = _POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else None
