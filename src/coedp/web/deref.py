"""Dereferenceable IRIs: thing -> 303 -> document, and content negotiation.

Linked-data practice followed here (the "303 See Other" recipe):

* ``GET /id/{path}`` (a thing), ``/graph/{name}`` (a named graph) and
  ``/id/dataset`` answer ``303 See Other`` to their document
  ``/doc/id/{path}``, which negotiates its form; the 303 carries
  ``Vary: Accept`` and always points at the same document, whatever the
  client accepts.
* Ontology terms ``/def/Term`` and the ontology ``/def/``: a browser is sent
  (303) to the ontology documentation, at the term's anchor
  (``/ontology#Term``); an RDF client to the term's document ``/doc/def/Term``.
* ``/doc/{path}`` negotiates by Accept (q-values honoured; HTML first on a
  tie or without Accept) or takes the form from an extension: ``.html``,
  ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``, ``.trig``, ``.nq`` (the last two keep
  the named graph of each statement: :mod:`coedp.web.rdfdoc`). Every answer says
  ``Vary: Accept`` and lists the other forms in ``Link: rel="alternate"``
  headers (with ``type=``); RDF forms carry
  ``Access-Control-Allow-Origin: *``; HTML pages the site's security headers.
* An IRI the dataset says nothing about: 404, with a page offering the search
  box to a browser and a line of text to an RDF client.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response

from coedp.server import formats, negotiation
from coedp.server.deps import services
from coedp.server.formats import DOCUMENT_FORMATS
from coedp.web import catalogue, describe, i18n, jsonld, ontology_doc, rdfdoc, render, retired
from coedp.web.data import DataError
from coedp.web.entity import Builder
from coedp.web.iris import IriMap, split_extension

router = APIRouter(include_in_schema=False)



def _form(accept: str | None) -> str | None:
    """The form (a name of ``DOCUMENT_FORMATS``) Accept asks for; None when none fits (406)."""
    chosen = negotiation.choose(DOCUMENT_FORMATS, accept)
    return chosen.name if chosen is not None else None


def choose_form(accept: str | None) -> str | None:
    """The form of a document an Accept header asks for (``html``, ``turtle``...), or None."""
    return _form(accept)


def wants_html(request: Request) -> bool:
    """Whether the client asks for HTML by name (a browser), for error pages.

    A client accepting anything (``*/*``, curl's default) gets plain text.
    """
    return negotiation.accepts_html(request.headers.get("accept"))


def iri_map(request: Request) -> IriMap:
    """The IRI map of the app's base IRI."""
    return IriMap(services(request.app).settings.base_iri)


# -- things ---------------------------------------------------------------------
@router.api_route("/id/{rel:path}", methods=["GET", "HEAD"])
async def thing_id(request: Request, rel: str) -> Response:
    """An entity (or the dataset): 303 to its document."""
    return await _thing(request, "id/" + rel)


@router.api_route("/graph/{rel:path}", methods=["GET", "HEAD"])
async def thing_graph(request: Request, rel: str) -> Response:
    """A named graph: 303 to its document (described from the metadata graph)."""
    return await _thing(request, "graph/" + rel)


@router.api_route("/def/{rel:path}", methods=["GET", "HEAD"])
async def thing_def(request: Request, rel: str) -> Response:
    """An ontology term, or the ontology: 303 to the documentation or to the RDF document."""
    return await _thing(request, "def/" + rel)


async def _thing(request: Request, rel: str) -> Response:
    iris = iri_map(request)
    iri = iris.from_path(rel)
    form = _form(request.headers.get("accept"))
    try:
        found = await describe.exists(request.app, iri)
    except ValueError:  # characters no IRI may hold: nothing can be published there
        return not_found(request)
    except DataError as exc:
        return unavailable(request, str(exc))
    if not found:
        return gone_or_not_found(request, iris, rel)
    if rel.startswith("def/") and form == "html":
        is_ontology = await ontology_doc.is_ontology(request.app, iri)
        location = "/ontology" if is_ontology else (iris.link(iri) or "/ontology")
    else:
        location = iris.doc_path(iri)
    return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})


# -- documents -------------------------------------------------------------------
@router.api_route("/doc/{rel:path}", methods=["GET", "HEAD"])
async def document(request: Request, rel: str) -> Response:
    """The description of ``<BASE>rel`` in the negotiated (or named) form."""
    iris = iri_map(request)
    page_text = request.query_params.get("page", "1")
    # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses.
    if not re.fullmatch(r"[0-9]{1,6}", page_text) or not 1 <= int(page_text) <= 100_000:
        return _plain(400, f"page must be a whole number from 1, not {page_text!r}")
    page = int(page_text)
    stripped, fixed = split_extension(rel)
    negotiated = _form(request.headers.get("accept"))
    if request.method == "HEAD":
        return await _head(request, iris, rel, stripped, fixed or negotiated)
    # A page needs more than the RDF answer: describe with detail at once (one query).
    detail = request.method == "GET"
    try:
        form = fixed or negotiated
        desc = await describe.describe(
            request.app, iris.from_path(stripped), page, detail=detail and form == "html"
        )
        if not desc.exists and fixed is not None:
            # "…/coedp.jsonld" may be a name, not an extension.
            form = negotiated
            desc = await describe.describe(
                request.app, iris.from_path(rel), page, detail=detail and form == "html"
            )
        if not desc.exists:
            return gone_or_not_found(request, iris, stripped, document=True)
        if form is None:
            available = negotiation.available(DOCUMENT_FORMATS)
            return _plain(406, f"no acceptable form; available: {available}", {"Vary": "Accept"})
        headers = _link_headers(iris, desc, form, request)
        if form == "html":
            if not detail:  # HEAD, e.g. a link check: the page exists, no need to draw it
                return Response(
                    status_code=200, media_type="text/html; charset=utf-8", headers=headers
                )
            return await _entity_page(request, desc, headers)
        cat = await catalogue.get(request.app)
        if await ontology_doc.is_ontology(request.app, desc.iri):
            triples = await ontology_doc.ontology_triples(request.app)
            body = await rdfdoc.ontology_body(request.app, triples, form)
        else:
            body = await rdfdoc.body(request.app, desc, cat, form, iris.relative(desc.iri))
    except ValueError:
        return not_found(request)
    except DataError as exc:
        return unavailable(request, str(exc))
    if form == "jsonld":
        context = iris.base + jsonld.CONTEXT_PATH
        headers["Link"] += f', <{context}>; rel="{jsonld.CONTEXT_REL}"'
    headers["Access-Control-Allow-Origin"] = "*"
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(body, media_type=formats.by_name(form).content_type, headers=headers)


async def _head(
    request: Request, iris: IriMap, rel: str, stripped: str, form: str | None
) -> Response:
    """HEAD of a document (a link check): whether it exists, without describing it."""
    try:
        found = await describe.exists(request.app, iris.from_path(stripped))
        if not found and stripped != rel:
            found, form = await describe.exists(request.app, iris.from_path(rel)), "html"
    except ValueError:
        found = False
    except DataError as exc:
        return unavailable(request, str(exc))
    if not found:
        return not_found(request)
    if form is None:
        return _plain(406, "no acceptable form", {"Vary": "Accept"})
    media = formats.by_name(form).content_type
    return Response(status_code=200, media_type=media, headers={"Vary": "Accept"})


def _link_headers(
    iris: IriMap, desc: describe.Description, form: str, request: Request
) -> dict[str, str]:
    """Vary, Content-Location and Link (alternates, the thing, paging)."""
    links = [
        f'<{iris.doc_path(desc.iri, f.name)}>; rel="alternate"; type="{f.media_type}"'
        for f in DOCUMENT_FORMATS
        if f.name != form
    ]
    if iris.is_local(desc.iri):
        links.append(f'<{desc.iri}>; rel="describes"')
    page_suffix = f"?page={desc.page}" if desc.page > 1 else ""
    if desc.has_next:
        links.append(f'<{request.url.path}?page={desc.page + 1}>; rel="next"')
    if desc.page > 1:
        previous = "" if desc.page == 2 else f"?page={desc.page - 1}"
        links.append(f'<{request.url.path}{previous}>; rel="prev"')
    return {
        "Vary": "Accept, Accept-Language, Cookie" if form == "html" else "Accept",
        "Link": ", ".join(links),
        "Content-Location": iris.doc_path(desc.iri, form) + page_suffix,
    }


async def _entity_page(
    request: Request, desc: describe.Description, headers: dict[str, str]
) -> Response:
    app = request.app
    iris = iri_map(request)
    cat = await catalogue.get(app)
    lang, _ = i18n.choose(request)
    entity = Builder(cat, iris, lang).build(desc)
    inferred = await rdfdoc.inferred_only(app, desc.iri)
    forms = [
        (f.title, iris.doc_path(desc.iri, f.name), f.media_type)
        for f in DOCUMENT_FORMATS
        if f.name != "html"
    ]
    return render.page(
        request,
        "entity.html",
        {
            "entity": entity,
            "forms": forms,
            "desc": desc,
            "canonical": desc.iri,
            "next_url": render.url_with(request, page=desc.page + 1) if desc.has_next else None,
            "prev_url": (
                render.url_with(request, page=desc.page - 1 if desc.page > 2 else None)
                if desc.page > 1
                else None
            ),
            "graph_dumps": _graph_dumps(entity.graph_dump),
            "inferred": inferred,
        },
        headers=headers,
    )


def _graph_dumps(graph: str | None) -> list[tuple[str, str]]:
    if not graph:
        return []
    from urllib.parse import quote

    return [
        (f.title, f"/rdf-graph-store?graph={quote(graph, safe='')}&format={f.name}")
        for f in formats.RDF_FORMATS
    ]


# -- errors ------------------------------------------------------------------------
def gone_or_not_found(
    request: Request, iris: IriMap, rel: str, document: bool = False
) -> Response:
    """A retired IRI: 301 to its successor (its document for a document), or 410; else 404."""
    entry = retired.lookup(rel)
    if entry is None:
        return not_found(request)
    if not entry.successor:
        return _plain(410, f"{iris.from_path(entry.rel)} is retired: {entry.reason}")
    if entry.successor.startswith(("http://", "https://")):
        location = entry.successor
    else:
        successor = iris.from_path(entry.successor)
        location = iris.doc_path(successor) if document else iris.thing_path(successor)
    return Response(
        f"{iris.from_path(entry.rel)} is retired ({entry.reason}); see {location}\n",
        status_code=301,
        media_type="text/plain; charset=utf-8",
        headers={"Location": location},
    )


def not_found(request: Request) -> Response:
    """404: a page with the search box for a browser, a line of text otherwise."""
    if wants_html(request):
        return render.page(
            request,
            "notfound.html",
            {"missing": request.url.path},
            status=404,
            headers={"Vary": "Accept"},
        )
    return _plain(
        404,
        f"nothing is published at {request.url.path}; search at /search?q=... or query /sparql",
        {"Vary": "Accept"},
    )


def unavailable(request: Request, message: str) -> Response:
    """503: the query behind a page failed (timeout, busy endpoint)."""
    if wants_html(request):
        return render.page(request, "error.html", {"message": message}, status=503)
    return _plain(503, message)


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        message + "\n", status_code=status, media_type="text/plain; charset=utf-8", headers=headers
    )
