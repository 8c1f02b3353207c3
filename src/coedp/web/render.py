"""Jinja2 templates and the headers every HTML page carries.

Pages are semantic HTML with the site's own CSS (/static/coedp.css) and no
script: everything works without JavaScript. The Content-Security-Policy
allows nothing from elsewhere (``default-src 'self'``) and no script at all;
the schema.org JSON-LD block is a data block (``type="application/ld+json"``),
which browsers never execute, so the policy need not allow it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from coedp.server.deps import services
from coedp.web import i18n, langs

TEMPLATES = Path(__file__).parent / "templates"

CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HTML_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

NAV = (
    ("/partners", "nav.partners"),
    ("/activities", "nav.activities"),
    ("/bodies", "nav.bodies"),
    ("/instruments", "nav.instruments"),
    ("/events", "nav.events"),
    ("/countries", "nav.countries"),
    ("/people", "nav.people"),
    ("/organisations", "nav.organisations"),
    ("/query", "nav.query"),
    ("/ontology", "nav.ontology"),
    ("/downloads", "nav.downloads"),
)

env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _deduplicated(value: object) -> object:
    """The value with repeated items of every list dropped (first kept), recursively."""
    if isinstance(value, dict):
        return {k: _deduplicated(v) for k, v in value.items()}
    if isinstance(value, list):
        seen: set[str] = set()
        out = []
        for item in value:
            item = _deduplicated(item)
            key = json.dumps(item, sort_keys=True, ensure_ascii=False)
            if key not in seen:
                seen.add(key)
                out.append(item)
        return out[0] if len(out) == 1 and len(value) > 1 else out
    return value


def json_ld(value: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block, safe inside HTML.

    Repeated values are written once (a statement both asserted and inferred
    comes back twice from the union). ``<``, ``>`` and ``&`` are written as JSON
    escapes, so no value can close the script element.
    """
    text = json.dumps(_deduplicated(value), ensure_ascii=False, indent=1, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


env.filters["json_ld"] = json_ld


def url_with(request: Request, **changes: object) -> str:
    """The current path with query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return local_path(request) + ("?" + query if query else "")


def local_path(request: Request) -> str:
    """The request's path as a link on this site.

    A path such as ``//evil.example/x`` would be read by browsers as another
    host (a protocol-relative URL); leading slashes are folded into one.
    """
    return "/" + request.url.path.lstrip("/")


_LOCAL_LINK = re.compile(r'(\s(?:href|action)=")(/(?!/)[^"#?]*)')


def in_language(html: str, lang: str) -> str:
    """Links of ``html`` to pages of the site pointed at the pages in ``lang`` (``/en/...``).

    Links to what is language-neutral (RDF forms, downloads, the endpoint,
    static files) are left alone.
    """
    prefix = langs.prefix_of(lang)

    def fix(match: re.Match[str]) -> str:
        path = match.group(2)
        if langs.is_page(path) or path in INDEX_PATHS:
            return match.group(1) + prefix + (path if path != "/" else "/")
        return match.group(0)

    return _LOCAL_LINK.sub(fix, html)


# Index pages (/partners...): set by the site when it starts (pages imports render).
INDEX_PATHS: set[str] = set()


def addresses(request: Request, lang: str) -> dict[str, object]:
    """The page's absolute canonical address, its hreflang alternates and the switch link."""
    base = services(request.app).settings.base_iri.rstrip("/")
    rest = local_path(request)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query = ("?" + urlencode(params)) if params else ""
    page_no = request.query_params.get("page", "")
    canonical = f"{base}/{lang}{rest}" + (f"?page={page_no}" if page_no not in ("", "1") else "")
    alternates = [(lg, f"{base}/{lg}{rest}{query}") for lg in i18n.LANGS]
    alternates.append(("x-default", f"{base}{rest}{query}"))
    return {
        "canonical_url": canonical,
        "alternates": alternates,
        "switch_url": f"/{i18n.other(lang)}{rest}{query}",
    }


def page(
    request: Request,
    template: str,
    context: Mapping[str, object],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` in the request's language, with the site's headers."""
    lang, set_cookie = i18n.choose(request)

    def translate(key: str, **values: object) -> str:
        return i18n.t(key, lang, **values)

    body = env.get_template(template).render(
        request=request,
        lang=lang,
        other_lang=i18n.other(lang),
        _=translate,
        nav=NAV,
        path=local_path(request),
        url_with=lambda **kw: url_with(request, **kw),
        **addresses(request, lang),
        status=status,  # error pages name no canonical address
        **context,
    )
    body = in_language(body, lang)
    response = HTMLResponse(body, status_code=status)
    response.headers.update(HTML_HEADERS)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if set_cookie:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
