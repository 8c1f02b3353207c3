"""Jinja2 templates and the headers every HTML page carries.

Pages are semantic HTML with the site's own CSS (/static/coedp.css) and no
script: everything works without JavaScript. The Content-Security-Policy
allows nothing from elsewhere (``default-src 'self'``) and no script at all;
the schema.org JSON-LD block is a data block (``type="application/ld+json"``),
which browsers never execute, so the policy need not allow it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from coedp.web import i18n

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


def json_ld(value: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block, safe inside HTML.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no value can close
    the script element.
    """
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
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
        switch_url=url_with(request, lang=i18n.other(lang)),
        url_with=lambda **kw: url_with(request, **kw),
        **context,
    )
    response = HTMLResponse(body, status_code=status)
    response.headers.update(HTML_HEADERS)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if set_cookie:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
