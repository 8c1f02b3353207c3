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

With the editor bundle (static/editor/, built from frontend/ when the package is
built) the page also loads ``/static/editor/editor.js``: a CodeMirror editor over the
same form, with completion from ``/query/completions.json``, Ctrl+Enter, error marks,
and results fetched from /sparql as a sortable, paged table, bars, a timeline or a
map. Only this page allows the site's own scripts (``script-src 'self'``); without
the bundle or without JavaScript it is the plain form above.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from coedp.build.terms import shorten_iri
from coedp.server import formats
from coedp.server.deps import services
from coedp.server.guard import GuardError, lex_check_off_loop
from coedp.web import catalogue, completions, data, i18n, langs, render
from coedp.web.data import DataError, Term
from coedp.web.iris import IriMap

router = APIRouter(include_in_schema=False)

SHOWN_ROWS = 1000
DEFAULT_QUERY = (
    "SELECT ?partner ?name WHERE {\n"
    "  ?partner a coedp:DigitalPartner ;\n"
    "           rdfs:label ?name .\n"
    '  FILTER(lang(?name) = "en")\n'
    "}\nORDER BY ?name\n"
)
EDITOR = Path(__file__).parent / "static" / "editor"
BUNDLE_FILES = ("editor.js", "editor.css")
EDITOR_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# The site's policy with the page's own scripts allowed (no inline script, no eval).
QUERY_CSP = render.CSP.replace("script-src 'none'", "script-src 'self'")
_POSITION = re.compile(r"line:?\s*(\d+),?\s*col(?:umn)?:?\s*(\d+)", re.IGNORECASE)


@dataclass
class Cell:
    """A result cell: the term, and for an IRI its label and page."""

    text: str
    href: str | None = None
    label: str = ""
    lang: str = ""
    datatype: str = ""
    short: str = ""  # an IRI's prefixed name (``orgs:microsoft``), else ``<iri>``


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


def editor_bundle() -> bool:
    """Whether the editor's script and style sheet were built into the package."""
    return all((EDITOR / name).is_file() for name in BUNDLE_FILES)


def bundle_version() -> str:
    """A short digest of the bundle, so that browsers fetch a rebuilt one at once."""
    return _digest(tuple((EDITOR / n).stat().st_mtime_ns for n in BUNDLE_FILES))


@functools.lru_cache(maxsize=4)
def _digest(stamp: tuple[int, ...]) -> str:
    digest = hashlib.sha256()
    for name in BUNDLE_FILES:
        digest.update((EDITOR / name).read_bytes())
    return digest.hexdigest()[:12]


def editor_config(request: Request, lang: str) -> Markup:
    """The editor's settings, as JSON for a data block (never executed)."""
    config = {
        "lang": lang,
        "base": services(request.app).settings.base_iri,
        "completions": "/query/completions.json",
        "pages": langs.prefix_of(lang),  # result links and permalinks go to the page's language
        # What the script says: the catalogue's "editor.*" messages.
        "strings": i18n.messages_under("editor.", lang),
    }
    return render.json_ld(config)  # "<", ">" and "&" escaped: safe inside the element


@router.api_route("/query/completions.json", methods=["GET", "HEAD"])
async def completions_json(request: Request) -> Response:
    """The editor's vocabulary: prefixes, terms and labelled entities of the graph."""
    try:
        body = await completions.document(request.app)
    except DataError as exc:
        return Response(f"{exc}\n", status_code=503, media_type="text/plain; charset=utf-8")
    return Response(
        body,
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.api_route("/static/editor/{name}", methods=["GET", "HEAD"])
async def editor_static(name: str) -> Response:
    """The editor bundle's files (only the names built into static/editor/)."""
    path = EDITOR / name
    if "/" in name or path.suffix not in EDITOR_TYPES or not path.is_file():
        return Response("no such file\n", status_code=404, media_type="text/plain")
    return Response(
        path.read_bytes(),
        media_type=EDITOR_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


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
    bundle = editor_bundle()
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
            "editor_bundle": bundle,
            "editor_version": bundle_version() if bundle else "",
            "editor_config": editor_config(request, lang),
            "shown_range": _shown_range(result, lang),
        },
        headers={"Content-Security-Policy": QUERY_CSP},
    )


def _shown_range(result: Result | None, lang: str) -> str:
    """``1–1,000 of 18,185`` when the table shows only the first rows of a result."""
    if result is None or result.total <= len(result.rows) or not result.rows:
        return ""
    sep = "\u202f" if lang == "fr" else ","

    def number(n: int) -> str:
        return f"{n:,}".replace(",", sep)

    template = i18n.t("editor.range", lang)
    return (
        template.replace("{from}", "1")
        .replace("{to}", number(len(result.rows)))
        .replace("{total}", number(result.total))
    )


async def run_query(request: Request, text: str, lang: str) -> Result:
    """Run ``text`` as /sparql would, and shape the answer for a table."""
    app = request.app
    settings = services(app).settings
    result = Result()
    try:
        info = await lex_check_off_loop(
            text, settings.max_query_length, settings.max_depth,
            services(app).backend.info.graph_names, settings.base_iri,
        )
    except GuardError as exc:
        result.error = exc.message
        result.position = _position(exc.message)
        return result
    result.form = info.form
    # The downloads: what /sparql serves for the query's form, in the registry's order.
    offered = {"SELECT": formats.SELECT_FORMATS, "ASK": formats.ASK_FORMATS}.get(
        info.form, formats.RDF_FORMATS
    )
    result.downloads = [
        (f.name, "/sparql?" + urlencode({"query": text, "format": f.name})) for f in offered
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
            return Cell(term.value, href, label, short=shorten_iri(term.value))
        if term.kind == "bnode":
            return Cell("_:" + term.value)
        return Cell(term.value, lang=term.lang, datatype=term.datatype)

    if outcome.format_name == formats.NTRIPLES.name:  # a graph (data.run asks for N-Triples)
        triples = list(ox.parse(outcome.body, format=formats.rdf_format(formats.NTRIPLES.name)))
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
    result.columns = star_order(text, doc.get("head", {}).get("vars", []))
    rows = data.parse_results(outcome.body)
    result.total = len(rows)
    for row in rows[:SHOWN_ROWS]:
        result.rows.append([cell(row.get(col)) for col in result.columns])
    return result


_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.IGNORECASE)


def star_order(text: str, columns: list[str]) -> list[str]:
    """The columns of ``SELECT *`` in the order the query first names them (the engine's
    own order is alphabetical from the end); other queries keep theirs."""
    star = _STAR.search(text)
    if star is None:
        return columns
    seen: dict[str, int] = {}
    for match in re.finditer(r"[?$]([A-Za-z0-9_\u00b7-\uffff]+)", text[star.end() :]):
        seen.setdefault(match.group(1), match.start())
    return sorted(columns, key=lambda c: (seen.get(c, len(text)), columns.index(c)))


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
