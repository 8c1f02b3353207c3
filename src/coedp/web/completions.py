"""The query editor's vocabulary: /query/completions.json, built from the served graph.

The editor completes prefixed names and labels from this document alone (no outside
vocabulary service): the predeclared prefixes (``coedp.namespaces.PREFIXES``), the
classes and properties of the ontology graph, the reused terms the site names, and
every labelled entity minted under the base, each with its French and English label::

    {"prefixes": {"coedp": "https://coedp.org/def/", ...},
     "terms": [["https://coedp.org/def/DigitalPartner", "c", "Digital partner",
                "Partenaire numérique"], ...]}

The kinds are ``c`` (class), ``p`` (property) and ``e`` (entity). It is built once per
process from the page catalogue (the dataset never changes while the server runs).
"""

from __future__ import annotations

import json

from fastapi import FastAPI

from coedp.namespaces import PREFIXES
from coedp.server.deps import services
from coedp.web import catalogue, i18n
from coedp.web.catalogue import Catalogue
from coedp.web.state import site

Entry = tuple[str, str, str, str]


def build(cat: Catalogue, base: str) -> dict[str, object]:
    """The vocabulary document of ``cat`` for a dataset whose IRIs start with ``base``."""
    entries: dict[str, Entry] = {}
    for iri, term in cat.terms.items():
        kind = "c" if term.is_class else "p" if term.is_property else ""
        if kind:
            entries[iri] = (iri, kind, term.labels.get("en", ""), term.labels.get("fr", ""))
    for iri, names in i18n.loaded().terms.items():  # named in the message catalogue
        if iri not in entries:
            local = iri[max(iri.rfind("#"), iri.rfind("/")) + 1 :]
            kind = "p" if local[:1].islower() else "c"  # RDF's naming convention
            entries[iri] = (iri, kind, names["en"], names["fr"])
    minted = base + "id/"
    for iri, labels in cat.labels.items():
        if iri in entries or not iri.startswith(minted):
            continue
        other = next(iter(labels.values()), "")  # a name without a language tag
        entries[iri] = (iri, "e", labels.get("en") or other, labels.get("fr") or other)
    return {"prefixes": dict(PREFIXES), "terms": sorted(entries.values())}


async def document(app: FastAPI) -> bytes:
    """The vocabulary as JSON bytes, built on first use and kept."""
    state = site(app)
    cached = state.completions
    if cached is None:
        cat = await catalogue.get(app)
        doc = build(cat, services(app).settings.base_iri)
        cached = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        state.completions = cached
    return cached
