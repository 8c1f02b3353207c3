"""The linked-data site served beside the SPARQL endpoint (``coedp serve``).

Design, in short (each module says more):

* IRIs: things are ``https://coedp.org/id/...``, ontology terms
  ``https://coedp.org/def/Term``, named graphs ``https://coedp.org/graph/...``.
  The public base is a setting (``--base-iri``); the server maps ``<BASE>x`` to
  ``http://HOST:PORT/x`` (:mod:`coedp.web.iris`).
* Thing and document: ``GET /id/x`` answers 303 See Other to ``/doc/id/x``,
  which negotiates HTML, Turtle, N-Triples, JSON-LD or RDF/XML by Accept or by
  extension; ontology terms go to the ontology documentation for a browser
  (:mod:`coedp.web.deref`).
* Descriptions: own triples, labels of linked IRIs, incoming links paged by
  500 (:mod:`coedp.web.describe`); RDF answers carry canonical IRIs only, HTML
  links are root-relative.
* Pages: jinja2 templates, French and English (:mod:`coedp.web.i18n`), no
  script, the site's own CSS, charts drawn on the server as SVG from the
  queries of queries/ (:mod:`coedp.web.charts`).
* Every page reads the graph through the endpoint's worker pool, under its
  timeout (:mod:`coedp.web.data`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coedp.web.site import create_site

__all__ = ["create_site"]


def __getattr__(name: str) -> object:
    """``create_site`` on first use: the build imports :mod:`coedp.web.jsonld` without the app."""
    if name == "create_site":
        from coedp.web.site import create_site

        return create_site
    raise AttributeError(name)
