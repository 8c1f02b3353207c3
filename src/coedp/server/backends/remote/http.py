"""Talking to the store: the SPARQL protocol requests coedp sends it."""

from __future__ import annotations

import httpx

from coedp.server import formats

# What is asked of the store, in order of preference.
RESULTS_ACCEPT = formats.accept_header((formats.XML, formats.JSON))
RDF_ACCEPT = formats.accept_header((formats.NTRIPLES, formats.TURTLE, formats.RDFXML))


def form_headers(accept: str) -> dict[str, str]:
    """A SPARQL protocol POST of a form (which keeps long queries out of the URL)."""
    return {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}


def media_of(response: httpx.Response) -> str:
    """The media type of an answer, without parameters."""
    return formats.bare_media_type(str(response.headers.get("content-type", "")))
