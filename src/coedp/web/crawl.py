"""What crawlers and caches need: sitemap.xml, robots.txt, the favicon, validators.

* ``/sitemap.xml``: every page of the site in both languages (home, index
  pages, ontology, downloads, query, and the page of every entity and named
  graph), each ``<url>`` naming its two language versions with
  ``xhtml:link rel="alternate" hreflang`` and the release date as
  ``lastmod``; absolute addresses under the public base IRI.
* ``/robots.txt``: everything may be crawled but the endpoint and the graph
  store (queries, not pages) and search results; names the sitemap.
* ``/favicon.ico``: the site's SVG icon (also linked from every page).
* :class:`ValidatorMiddleware`: pages, ``/doc/...`` documents and the files
  above carry a weak ETag derived from the dataset version and the
  representation (path, query, language, media type), ``Last-Modified`` (the
  dataset file's time) and ``Cache-Control: public, no-cache``; a GET or HEAD
  with a matching ``If-None-Match`` (or a later ``If-Modified-Since``) is
  answered 304 without a body.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from starlette.datastructures import Headers
from starlette.requests import Request as StarletteRequest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coedp import release
from coedp.server import caching
from coedp.server.deps import services
from coedp.web import catalogue, i18n, langs
from coedp.web.data import DataError
from coedp.web.iris import IriMap
from coedp.web.state import SiteDep

router = APIRouter(include_in_schema=False)
STATIC_PAGES = ("/", "/ontology", "/downloads", "/query")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
FAVICON = "favicon.svg"


def page_paths(index_paths: list[str], entity_docs: list[str]) -> list[str]:
    """Every page path (language-neutral): fixed pages, indexes, entity documents."""
    return list(STATIC_PAGES) + sorted(index_paths) + sorted(entity_docs)


def sitemap_xml(base: str, paths: list[str]) -> bytes:
    """A sitemap listing each path in every language, with hreflang alternates."""
    base = base.rstrip("/")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">',
    ]
    for path in paths:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lg}" href="{escape(base + "/" + lg + path)}"/>'
            for lg in i18n.LANGS
        )
        for lang in i18n.LANGS:
            out.append(
                f"<url><loc>{escape(base + '/' + lang + path)}</loc>"
                f"<lastmod>{release.DATE}</lastmod>{alternates}</url>"
            )
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


async def entity_documents(request: Request) -> list[str]:
    """The page path of every entity and named graph the catalogue knows (``/doc/id/...``)."""
    cat = await catalogue.get(request.app)
    parts = services(request.app)
    iris = IriMap(parts.settings.base_iri)
    found = set()
    for iri in set(cat.types) | set(cat.labels) | set(parts.backend.info.graph_names):
        if iris.is_local(iri) and iris.relative(iri).startswith(("id/", "graph/")):
            found.add(iris.doc_path(iri))
    return sorted(found)


@router.api_route("/sitemap.xml", methods=["GET", "HEAD"])
async def sitemap(request: Request, state: SiteDep) -> Response:
    """Every page in both languages (built once: the dataset never changes while served)."""
    body = state.sitemap
    if body is None:
        try:
            docs = await entity_documents(request)
        except DataError as exc:
            return Response(f"{exc}\n", status_code=503, media_type="text/plain")
        from coedp.web.pages import INDEXES

        paths = page_paths([f"/{ix.slug}" for ix in INDEXES], docs)
        body = sitemap_xml(services(request.app).settings.base_iri, paths)
        state.sitemap = body
    return Response(body, media_type="application/xml")


@router.api_route("/robots.txt", methods=["GET", "HEAD"])
async def robots(request: Request) -> Response:
    """Crawl the pages, not the query services; the sitemap's address."""
    base = services(request.app).settings.base_iri.rstrip("/")
    lines = [
        "User-agent: *",
        "Disallow: /sparql",
        "Disallow: /rdf-graph-store",
        *(f"Disallow: /{lg}/search" for lg in i18n.LANGS),
        "Disallow: /search",
        "Allow: /",
        "",
        f"Sitemap: {base}/sitemap.xml",
        "",
    ]
    return Response("\n".join(lines), media_type="text/plain; charset=utf-8")


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
async def favicon(request: Request) -> Response:
    """The site's icon (SVG, which browsers accept at this address too)."""
    from coedp.web.site import STATIC

    return Response(
        (STATIC / FAVICON).read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


# -- validators ---------------------------------------------------------------------
VALIDATED_PREFIXES = ("/doc/", "/context.jsonld", "/sitemap.xml", "/robots.txt")


class ValidatorMiddleware:
    """ETag, Last-Modified, Cache-Control and 304 for pages and documents (see the docstring).

    Placed inside :class:`coedp.web.langs.LanguageMiddleware`, so it sees the
    language in the scope and the path without its prefix.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        validated = scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and (
            langs.SCOPE_KEY in scope or path.startswith(VALIDATED_PREFIXES)
        )
        if not validated:
            await self.app(scope, receive, send)
            return
        dataset = services(scope["app"]).backend.info
        state: dict[str, bool] = {"skip_body": False}

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    await send(message)
                    return
                headers = Headers(raw=message.get("headers", []))
                media = headers.get("content-type", "").split(";")[0].strip()
                variant = "|".join(
                    (path, scope.get("query_string", b"").decode("latin-1"),
                     scope.get(langs.SCOPE_KEY, ""), media)
                )
                digest = hashlib.sha256(variant.encode("utf-8")).hexdigest()[:16]
                tag = caching.etag(dataset.version, digest)
                extra = caching.validators(dataset.version, digest, dataset.last_modified)
                raw = [
                    (k, v) for k, v in message.get("headers", [])
                    if k.lower() not in (b"etag", b"last-modified", b"cache-control")
                ]
                raw += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
                if caching.not_modified(StarletteRequest(scope), tag, dataset.last_modified):
                    state["skip_body"] = True
                    keep = (b"etag", b"last-modified", b"cache-control", b"vary",
                            b"content-location", b"link", b"content-language")
                    raw = [(k, v) for k, v in raw if k.lower() in keep]
                    await send({"type": "http.response.start", "status": 304, "headers": raw})
                    await send({"type": "http.response.body", "body": b""})
                    return
                await send({**message, "headers": raw})
                return
            if state["skip_body"]:
                return
            await send(message)

        await self.app(scope, receive, wrapped)


# -- file names of SPARQL results ---------------------------------------------------
RESULT_EXTENSIONS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
}


class ResultNameMiddleware:
    """A file name for SPARQL results asked for in a named format (a download link).

    A GET of ``/sparql`` with ``format=`` (or ``output=``/``results=``) gets
    ``Content-Disposition: inline; filename="coedp-results.EXT"``, or
    ``attachment`` when the link also says ``download``; the name's extension
    follows the media type served.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope.get(
            "path"
        ) != "/sparql":
            await self.app(scope, receive, send)
            return
        from urllib.parse import parse_qs

        params = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if not any(k in params for k in ("format", "output", "results")):
            await self.app(scope, receive, send)
            return
        disposition = "attachment" if "download" in params else "inline"

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = Headers(raw=message.get("headers", []))
                media = headers.get("content-type", "").split(";")[0].strip()
                ext = RESULT_EXTENSIONS.get(media)
                if ext:
                    value = f'{disposition}; filename="coedp-results.{ext}"'
                    raw = list(message.get("headers", [])) + [
                        (b"content-disposition", value.encode())
                    ]
                    message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, wrapped)
