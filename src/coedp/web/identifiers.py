"""An entity's identifiers in the knowledge bases researchers join with.

Wikidata items and GeoNames entries come from ``schema:sameAs`` (graph/links/,
each with its evidence); a treaty's page at the Council of Europe Treaty Office
comes from its number in the series (``coedp:treatyNumber``). Each identifier
is shown as the base's name and the identifier, linked to the base's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coedp.namespaces import COEDP, SCHEMA
from coedp.web.describe import Description
from coedp.web.i18n import t

SAME_AS = str(SCHEMA) + "sameAs"
TREATY_NUMBER = str(COEDP) + "treatyNumber"
WIKIDATA = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
GEONAMES = re.compile(r"^https://sws\.geonames\.org/([1-9][0-9]*)/$")
# The Treaty Office's page of a treaty, by number (as graph/instruments/ links it).
TREATY_OFFICE = "https://www.coe.int/en/web/conventions/full-list?module=treaty-detail&treatynum={n}"


@dataclass(frozen=True)
class Identifier:
    """One identifier: the base and the identifier as text, and the page it opens."""

    text: str
    href: str


def identifiers(desc: Description, lang: str) -> list[Identifier]:
    """The identifiers of ``desc``'s entity: Wikidata, then GeoNames, then the Treaty Office."""
    found: list[Identifier] = []
    links = sorted(term.value for term in desc.values(SAME_AS) if term.is_iri)
    for iri in links:
        wikidata = WIKIDATA.match(iri)
        if wikidata:
            qid = wikidata.group(1)
            found.append(Identifier(f"Wikidata {qid}", f"https://www.wikidata.org/wiki/{qid}"))
    for iri in links:
        geonames = GEONAMES.match(iri)
        if geonames:
            found.append(Identifier(f"GeoNames {geonames.group(1)}", iri))
    for term in desc.values(TREATY_NUMBER):
        if term.value.isdigit():
            text = t("identifier.treaty-office", lang, n=term.value)
            found.append(Identifier(text, TREATY_OFFICE.format(n=term.value)))
    return found
