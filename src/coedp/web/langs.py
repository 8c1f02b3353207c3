"""An address per language: ``/en/...`` and ``/fr/...`` pages.

Every page of the site has two addresses, one per language: ``/en/partners``
and ``/fr/partners``, ``/en/doc/id/org/apple`` and ``/fr/doc/id/org/apple``.
Each page names both in ``<link rel="alternate" hreflang>`` (and the
language-neutral address as ``x-default``) and its own absolute canonical
address under the public base IRI (:mod:`coedp.web.render`).

* At the language-neutral address of a page (``/partners``, ``/``, the HTML
  form of ``/doc/...``) a GET or HEAD from a client that asks for HTML by name
  (a browser, a crawler) is redirected (303, ``Vary: Accept, Accept-Language,
  Cookie``) to the page in the language chosen by, in order,
  ``?lang=`` (then remembered in the ``lang`` cookie), the ``lang`` cookie,
  Accept-Language, English. Old page URLs thus keep working. A client that
  accepts anything (``*/*``, scripts) is served the page in place, in the same
  language, its canonical link naming the language's address.
* What is not a page stays language-neutral: ``/id/...`` still answers 303 to
  ``/doc/...``; RDF forms of ``/doc/...`` (by Accept or extension) are
  served there, in both languages; ``/sparql``, downloads, static files... A
  language-prefixed address of such a resource is redirected (308) to the
  neutral one.

The middleware strips the prefix and records the language in the ASGI scope
(``coedp.lang``), which :func:`coedp.web.i18n.choose` reads first.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from coedp.server.negotiation import accepts_html
from coedp.web import i18n
from coedp.web.iris import split_extension

SCOPE_KEY = "coedp.lang"
_PREFIX = re.compile(r"^/(en|fr)(/.*)?$")
# Pages that are not an index (index slugs are added by the site, from pages.INDEXES).
PAGES = {"/", "/search", "/query", "/ontology", "/downloads"}


def is_page(path: str, accept: str | None = None) -> bool:
    """Whether ``path`` is an HTML page (in two languages) rather than a neutral resource.

    ``/doc/...`` is a page when its extension says ``.html``, or, without one,
    when ``accept`` (None: assume a browser) prefers HTML.
    """
    if path in PAGES:
        return True
    if not path.startswith("/doc/") or any(seg in (".", "..") for seg in path.split("/")):
        return False  # dot segments name no page (and are not passed on to another address)
    _, form = split_extension(path[len("/doc/"):])
    if form is not None:
        return form == "html"
    if accept is None:
        return True
    from coedp.web.deref import choose_form

    return choose_form(accept) == "html"


def neutral_language(scope: Scope) -> str:
    """The language for a visit at a neutral address: ?lang=, cookie, Accept-Language, en."""
    raw: bytes = scope.get("query_string", b"")
    query = dict(parse_qsl(raw.decode("latin-1")))
    asked = query.get("lang", "").lower()
    if asked in i18n.LANGS:
        return asked
    headers = Headers(scope=scope)
    cookies = headers.get("cookie", "")
    for part in cookies.split(";"):
        name, _, value = part.strip().partition("=")
        if name == i18n.COOKIE and value in i18n.LANGS:
            return value
    return i18n.accept_language(headers.get("accept-language")) or i18n.DEFAULT


def _query_without_lang(scope: Scope) -> str:
    pairs = [
        (k, v)
        for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                              keep_blank_values=True)
        if k != "lang"
    ]
    return urlencode(pairs)


class LanguageMiddleware:
    """Strips ``/en`` or ``/fr`` from page addresses; redirects neutral page addresses."""

    def __init__(self, app: ASGIApp, pages: set[str]) -> None:
        self.app = app
        self.pages = pages

    def _is_page(self, path: str, accept: str | None) -> bool:
        return path in self.pages or is_page(path, accept)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        accept = Headers(scope=scope).get("accept")
        match = _PREFIX.match(path)
        if match:
            lang, rest = match.group(1), match.group(2) or "/"
            if rest != "/" and rest.startswith("//"):
                rest = "/" + rest.lstrip("/")
            if not self._is_page(rest, accept) and _known_neutral(rest):
                query = scope.get("query_string", b"").decode("latin-1")
                await _redirect(send, 308, rest + ("?" + query if query else ""))
                return
            inner = dict(scope)
            inner["path"] = rest
            inner["raw_path"] = rest.encode("utf-8")
            inner[SCOPE_KEY] = lang
            await self.app(inner, receive, send)
            return
        if (
            scope["method"] in ("GET", "HEAD")
            and accepts_html(accept)
            and self._is_page(path, accept)
        ):
            lang = neutral_language(scope)
            query = _query_without_lang(scope)
            target = f"/{lang}{'/' + path.lstrip('/') if path != '/' else '/'}"
            asked = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang")
            cookie = f"{i18n.COOKIE}={lang}; Max-Age=31536000; Path=/; SameSite=Lax"
            await _redirect(send, 303, target + ("?" + query if query else ""),
                            vary="Accept, Accept-Language, Cookie",
                            cookie=cookie if asked and asked.lower() == lang else "")
            return
        await self.app(scope, receive, send)


def _known_neutral(path: str) -> bool:
    """Resources that exist only at a neutral address (redirected from a language prefix)."""
    return path.startswith(
        ("/doc/", "/id/", "/def/", "/graph/", "/sparql", "/rdf-graph-store", "/download/",
         "/dataset/", "/static/", "/context.jsonld", "/sitemap.xml", "/robots.txt",
         "/favicon", "/healthz", "/readyz", "/metrics", "/openapi.json")
    )


async def _redirect(
    send: Send, status: int, location: str, vary: str = "", cookie: str = ""
) -> None:
    path, sep, query = location.partition("?")
    location = quote(path, safe="/:@!$&'()*+,;=-._~%") + sep + query
    headers = [
        (b"location", location.encode("latin-1", "replace")),
        (b"content-length", b"0"),
        (b"cache-control", b"no-cache" if vary else b"public, max-age=86400"),
    ]
    if vary:
        headers.append((b"vary", vary.encode("latin-1")))
    if cookie:  # ?lang= at a neutral address: the choice is remembered for the next ones
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def prefix_of(lang: str) -> str:
    """``/en`` for ``en``."""
    return f"/{lang}"
