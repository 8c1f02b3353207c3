"""The site's parts are typed: the pages read the endpoint's settings and dataset through
``coedp.server.deps`` and what they build once through ``coedp.web.state``, never an
untyped ``app.state`` attribute."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from support.inprocess import InProcessSite

from coedp.server.deps import services
from coedp.web import state
from coedp.web.catalogue import Catalogue

WEB = Path(state.__file__).parent


def test_no_page_module_reads_app_state_but_the_site_state() -> None:
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(WEB.glob("*.py"))
        if path.name != "state.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bapp\W{0,3}\.state\b", line)  # app.state, scope["app"].state
    ]
    assert not found, "untyped app.state lookups:\n" + "\n".join(found)


def test_the_pages_build_the_catalogue_once_and_share_it(
    real_app: InProcessSite, http: httpx.Client
) -> None:
    assert http.get("/en/partners").status_code == 200
    kept = state.site(real_app.app)
    first = kept.catalogue
    assert isinstance(first, Catalogue) and first.labels
    assert http.get("/fr/search", params={"q": "micro"}).status_code == 200
    assert state.site(real_app.app) is kept
    assert kept.catalogue is first  # the search page used the same one
    assert kept.search is not None
    assert http.get("/query/completions.json").status_code == 200
    assert kept.completions is not None and b"DigitalPartner" in kept.completions
    assert services(real_app.app).settings.base_iri == "https://coedp.org/"
