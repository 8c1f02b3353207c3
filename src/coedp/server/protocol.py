"""SPARQL 1.1 Protocol (query side) at /sparql and Graph Store Protocol (read side)."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl, unquote_to_bytes

from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse
from starlette.routing import Match, Route
from starlette.types import Scope

from coedp.server import caching, formats, negotiation, resultcache, service_description
from coedp.server.deps import Services, services
from coedp.server.engine import GraphTask, Outcome, QueryTask
from coedp.server.guard import (
    CONTRIBUTE,
    GuardError,
    lex_check_off_loop,
    unknown_graph_message,
)
from coedp.server.negotiation import NotAcceptable

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
SPARQL_ALLOW = "GET, HEAD, POST, OPTIONS"
GRAPH_STORE_ALLOW = "GET, HEAD, OPTIONS"


class ProtocolError(Exception):
    """A refused request: status, plain-text message and extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text answer, as every error of this endpoint is."""
    return Response(
        message.rstrip("\n") + "\n", status_code=status, media_type="text/plain; charset=utf-8",
        headers=headers,
    )


# -- /sparql -----------------------------------------------------------------
async def sparql(request: Request) -> Response:
    """Answer a SPARQL query sent by GET or POST; without a query, describe the service."""
    try:
        return await _sparql(request, services(request.app))
    except ProtocolError as exc:
        return text_response(exc.status, exc.message, exc.headers)
    except GuardError as exc:
        return text_response(exc.status, exc.message)


async def sparql_wrong_method(request: Request) -> Response:
    """Refuse methods the protocol does not define for queries."""
    return text_response(
        405,
        f"{request.method} is not a SPARQL query operation: send the query with GET "
        f"(?query=...) or POST. {CONTRIBUTE}",
        {"Allow": SPARQL_ALLOW},
    )


async def sparql_options(request: Request) -> Response:
    """List the methods of /sparql (CORS preflights are answered by the middleware)."""
    return Response(status_code=204, headers={"Allow": SPARQL_ALLOW})


async def _sparql(request: Request, parts: Services) -> Response:
    settings = parts.settings
    dataset = parts.backend.info
    fields = _url_fields(request)
    if request.method == "POST":
        await _read_post(request, fields, settings.max_query_length)
    if fields.has("update") or fields.has("using-graph-uri") or fields.has("using-named-graph-uri"):
        raise ProtocolError(403, CONTRIBUTE)
    queries = fields.get("query")
    if len(queries) > 1:
        raise ProtocolError(
            400, f"expected exactly one query, got {len(queries)}: send a single 'query' parameter"
        )
    if not queries:
        if request.method == "POST":
            raise ProtocolError(
                400,
                "no query: POST a form with a 'query' field (Content-Type: "
                f"{FORM}) or the query itself as the body (Content-Type: {SPARQL_QUERY})",
            )
        return _describe_service(request, fields, parts)
    query = queries[0]
    if not query.strip():
        raise ProtocolError(400, "the query is empty")

    info = await lex_check_off_loop(  # remembered, or lexed briefly (guard.py)
        query, settings.max_query_length, settings.max_depth,
        dataset.graph_names, settings.base_iri,
    )
    default_graphs = fields.get("default-graph-uri")
    named_graphs = fields.get("named-graph-uri")
    for where, iris in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in iris:
            if iri not in dataset.graph_names:
                raise ProtocolError(400, unknown_graph_message(where, iri, dataset.graph_names))
    fmt = _negotiate(request, negotiation.formats_for(info.form), fields)
    # A browser's SELECT/ASK goes to the results page when one is plugged in.
    results_page = parts.results_page
    as_page = (
        results_page is not None and fmt.kind == formats.RESULTS and not fields.formats()
        and negotiation.accepts_html(request.headers.get("accept"))
    )

    headers = {"Vary": "Accept"}
    repeatable = resultcache.deterministic(query)
    if not repeatable:
        headers["Cache-Control"] = "no-store"
    elif request.method in ("GET", "HEAD"):
        variant = "html" if as_page else fmt.name
        headers |= caching.validators(dataset.version, variant, dataset.last_modified)
        if caching.not_modified(request, headers["ETag"], dataset.last_modified):
            return Response(status_code=304, headers=headers)
    protocol_dataset = bool(default_graphs or named_graphs)
    task = QueryTask(
        query=query,
        results_format=fmt.name if fmt.kind == formats.RESULTS else "json",
        rdf_format=fmt.name if fmt.kind == formats.RDF else "turtle",
        max_rows=settings.max_rows,
        base_iri=settings.base_iri,
        default_graphs=tuple(default_graphs) if protocol_dataset else None,
        named_graphs=tuple(named_graphs) if protocol_dataset else None,
        has_dataset=info.has_from,
    )
    # Repeats are answered by the backend's result cache, shared with the pages.
    outcome = await parts.backend.run(task, settings.timeout)
    if as_page and results_page is not None and outcome.status == 200:
        response = results_page(request, query, outcome.body)
        response.headers.update(headers)
        return response
    return _outcome_response(outcome, headers)


def _url_fields(request: Request) -> _Fields:
    """The URL's parameters, percent-decoded once, refused (400) when not UTF-8.

    A query string of ASCII (what clients send: everything else percent-encoded)
    is read by :func:`parse_query_string`; any other is left to Starlette's
    reading, then checked.
    """
    raw: bytes = request.scope.get("query_string", b"")
    if raw.isascii():
        try:
            return _Fields(parse_query_string(raw))
        except UnicodeDecodeError:
            _check_url_encoding(request)  # raises, saying where
    fields = _Fields(request.query_params.multi_items())
    _check_url_encoding(request, fields)
    return fields


def parse_query_string(raw: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a query string, as ``parse_qsl(keep_blank_values=True)``
    reads them, except that bytes which are not UTF-8 once decoded raise
    ``UnicodeDecodeError`` rather than turning into U+FFFD."""
    pairs: list[tuple[str, str]] = []
    for field in raw.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


def _unquote_plus(raw: bytes) -> str:
    """``raw`` with ``+`` as a space and %XX decoded, as UTF-8 (strict)."""
    raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw.decode("utf-8")
    try:
        # In C rather than urllib's loop over the escapes (a query's URL holds hundreds):
        # the backslashes doubled, each % made a \x escape, the whole decoded at once.
        decoded = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:  # a % not followed by two hex digits: kept as it is, as urllib does
        decoded = unquote_to_bytes(raw)
    return decoded.decode("utf-8")


def _check_url_encoding(request: Request, fields: _Fields | None = None) -> None:
    """Refuse a query string whose percent-decoded bytes are not UTF-8.

    Starlette would decode them with replacement characters, so that a query
    would silently run on text the client never sent. When the raw string is
    ASCII and Starlette's decoded ``fields`` hold no replacement character, every
    byte was valid UTF-8 and the string is not decoded a second time.
    """
    raw = request.scope.get("query_string", b"")
    if fields is not None and raw.isascii() and not any(
        "\ufffd" in k or "\ufffd" in v for k, v in fields.pairs
    ):
        return
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, f"the URL's parameters are not valid UTF-8 (invalid byte at offset {exc.start} "
            "of the decoded query string); percent-encode the query as UTF-8"
        ) from None


class _Fields:
    """Protocol parameters from the URL and, for a form POST, from the body."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self.pairs)

    def formats(self) -> list[str]:
        return [v for k, v in self.pairs if k in negotiation.FORMAT_PARAMETERS and v]


async def _read_post(request: Request, fields: _Fields, max_query_length: int) -> None:
    """Check the POST's media type and body, adding its query or form fields to ``fields``."""
    content_type = request.headers.get("content-type", "")
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = _charset(params)
    if media == SPARQL_UPDATE:
        raise ProtocolError(403, CONTRIBUTE)
    if media not in (FORM, SPARQL_QUERY):
        said = f"Content-Type {media!r}" if media else "no Content-Type"
        raise ProtocolError(
            415,
            f"a POST to /sparql with {said} cannot be read: send a form "
            f"(Content-Type: {FORM}) or the query itself (Content-Type: {SPARQL_QUERY})",
        )
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"the body must be UTF-8, not {charset}")
    # Percent-encoding can triple a form's size; the query itself is checked later.
    limit = max_query_length * 3 + 4096 if media == FORM else max_query_length
    body = await _read_body(request, limit)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, f"the body is not valid UTF-8 (invalid byte at offset {exc.start})"
        ) from None
    if media == SPARQL_QUERY:
        fields.pairs.append(("query", text))
        return
    try:
        fields.pairs.extend(
            parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        )
    except UnicodeDecodeError:
        raise ProtocolError(400, "the form body is not valid UTF-8 once decoded") from None
    except ValueError as exc:
        raise ProtocolError(400, f"the form body cannot be read: {exc}") from None


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _negotiate(
    request: Request, candidates: tuple[formats.Format, ...], fields: _Fields
) -> formats.Format:
    try:
        return negotiation.negotiate(
            candidates, request.headers.get("accept"), fields.formats() or None
        )
    except NotAcceptable as exc:
        raise ProtocolError(406, str(exc)) from None


# Bodies larger than this are sent in pieces of this size: uvicorn waits for the
# client to drain each one past its buffer's high-water mark, so a client that
# does not read holds one piece in the web process's buffers, not a copy of the body.
STREAM_CHUNK = 64 * 1024


def _outcome_response(outcome: Outcome, headers: dict[str, str]) -> Response:
    if outcome.status != 200:
        return text_response(outcome.status, outcome.message, getattr(outcome, "headers", None))
    fmt = formats.by_name(outcome.format_name)
    body = outcome.body
    if len(body) <= STREAM_CHUNK:
        return Response(body, status_code=200, media_type=fmt.content_type, headers=headers)
    return StreamingResponse(
        _pieces(body), status_code=200, media_type=fmt.content_type,
        headers={**headers, "Content-Length": str(len(body))},
    )


async def _pieces(body: bytes) -> AsyncIterator[memoryview]:
    """``body`` in ``STREAM_CHUNK`` views, without copying it."""
    view = memoryview(body)
    for start in range(0, len(view), STREAM_CHUNK):
        yield view[start:start + STREAM_CHUNK]


def _describe_service(request: Request, fields: _Fields, parts: Services) -> Response:
    """GET /sparql without a query: the query page for a browser, else the service description."""
    accept = request.headers.get("accept")
    if not fields.formats() and negotiation.accepts_html(accept):
        return parts.query_page(request)
    try:
        fmt = negotiation.negotiate(formats.RDF_FORMATS, accept, fields.formats() or None)
    except NotAcceptable:
        raise ProtocolError(
            400,
            "no query: send ?query=... ; without a query, /sparql returns its service "
            f"description as RDF ({', '.join(f.media_type for f in formats.RDF_FORMATS)})",
        ) from None
    dataset = parts.backend.info
    headers = {"Vary": "Accept"} | caching.validators(
        dataset.version, f"sd-{fmt.name}", dataset.last_modified
    )
    if caching.not_modified(request, headers["ETag"], dataset.last_modified):
        return Response(status_code=304, headers=headers)
    # The configured public address, never the client's Host header (which anyone can forge).
    endpoint = parts.settings.public_endpoint
    body = service_description.serialize(endpoint, dataset, fmt)
    return Response(body, media_type=fmt.content_type, headers=headers)


# -- /rdf-graph-store ----------------------------------------------------------
async def graph_store(request: Request) -> Response:
    """Graph Store HTTP Protocol, read side: ?default or ?graph=IRI."""
    try:
        return await _graph_store(request, services(request.app))
    except ProtocolError as exc:
        return text_response(exc.status, exc.message, exc.headers)


async def graph_store_write(request: Request) -> Response:
    """Graph Store writes are refused: the dataset is built from the repository."""
    return text_response(405, CONTRIBUTE, {"Allow": GRAPH_STORE_ALLOW})


async def graph_store_options(request: Request) -> Response:
    """List the methods of /rdf-graph-store."""
    return Response(status_code=204, headers={"Allow": GRAPH_STORE_ALLOW})


async def _graph_store(request: Request, parts: Services) -> Response:
    fields = _Fields(request.query_params.multi_items())
    graphs = fields.get("graph")
    if fields.has("default") == bool(graphs) or len(graphs) > 1:
        raise ProtocolError(
            400, "name one graph: ?default for the default graph or ?graph=IRI for a named graph"
        )
    dataset = parts.backend.info
    graph = graphs[0] if graphs else None
    if graph is not None and graph not in dataset.graph_names:
        raise ProtocolError(404, unknown_graph_message("graph", graph, dataset.graph_names))
    fmt = _negotiate(request, formats.RDF_FORMATS, fields)
    headers = {"Vary": "Accept"} | caching.validators(
        dataset.version, f"gs-{fmt.name}", dataset.last_modified
    )
    if caching.not_modified(request, headers["ETag"], dataset.last_modified):
        return Response(status_code=304, headers=headers)
    outcome = await parts.backend.run(GraphTask(graph, fmt.name), parts.settings.timeout)
    return _outcome_response(outcome, headers)


# (path, endpoint, methods) of the protocol's routes.
ROUTES: tuple[tuple[str, Callable[[Request], Awaitable[Response]], list[str]], ...] = (
    ("/sparql", sparql, ["GET", "HEAD", "POST"]),
    ("/sparql", sparql_wrong_method, ["PUT", "DELETE", "PATCH"]),
    ("/sparql", sparql_options, ["OPTIONS"]),
    ("/rdf-graph-store", graph_store, ["GET", "HEAD"]),
    ("/rdf-graph-store", graph_store_write, ["PUT", "POST", "DELETE", "PATCH"]),
    ("/rdf-graph-store", graph_store_options, ["OPTIONS"]),
)


class _Route(Route):
    """A plain Starlette route that names itself in the scope, as FastAPI's routes do
    (the metrics label requests by ``scope["route"].path``)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match != Match.NONE:
            child_scope["route"] = self
        return match, child_scope


def install(app: FastAPI) -> None:
    """Add the protocol's routes to ``app``, before any route added after this call.

    Plain Starlette routes on the application's own router: they read their
    parameters by hand (openapi.py describes them), so FastAPI's request parsing
    and dependency solving, and the layers of an included router, would only add
    to the cost of every query.
    """
    for path, endpoint, methods in ROUTES:
        app.router.routes.append(
            _Route(path, endpoint, methods=methods, include_in_schema=False)
        )
