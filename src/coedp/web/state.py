"""The site's own state: what its pages build once and keep, typed, in one place.

The served dataset never changes while the process runs, so the pages build
their catalogue, search index, charts and other derived documents on first use
and keep them here. The endpoint's parts (settings, backend, dataset) are read
through :mod:`coedp.server.deps`; these are the site's, and with those the
only things the pages keep on ``app.state``. Routes take a
``SiteDep`` parameter; code that has only the app reads ``site(app)``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, FastAPI, Request

if TYPE_CHECKING:  # the modules that fill these in import this one
    import pyoxigraph as ox

    from coedp.web.catalogue import Catalogue
    from coedp.web.charts import Chart
    from coedp.web.downloads import Dump
    from coedp.web.jsonld import Context
    from coedp.web.search import SearchIndex


@dataclass
class SiteState:
    """Built on first use, then kept for the life of the process."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one build of the catalogue
    catalogue: Catalogue | None = None
    search: SearchIndex | None = None
    home_charts: dict[str, list[Chart]] = field(default_factory=dict)  # by language
    jsonld_context: Context | None = None
    completions: bytes | None = None  # the query editor's vocabulary document
    dumps: dict[str, Dump] = field(default_factory=dict)  # the published files, hashed
    sitemap: bytes | None = None
    ontology_triples: list[ox.Triple] | None = None
    usage: dict[str, int] | None = None  # triples using each ontology property


def install(app: FastAPI) -> SiteState:
    """Give ``app`` a fresh site state (done once, by ``create_site``)."""
    app.state.site = state = SiteState()
    return state


def site(app: FastAPI) -> SiteState:
    """The site state of ``app`` (made on first use for an app built without the site)."""
    state = getattr(app.state, "site", None)
    if not isinstance(state, SiteState):
        state = install(app)
    return state


async def get_site(request: Request) -> SiteState:
    """Dependency: the site state (a coroutine: FastAPI runs a plain function in its
    thread pool, a hop there and back for nothing)."""
    return site(request.app)


SiteDep = Annotated[SiteState, Depends(get_site)]
