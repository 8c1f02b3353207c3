"""Find entities by any of their names, whatever the accents and case.

The index is made from the catalogue (one query: every rdfs:label,
skos:prefLabel, skos:altLabel and skos:hiddenLabel). Names and queries are
folded the same way: Unicode NFKD, combining marks removed, case-folded,
punctuation turned into spaces. "telefonica" finds Telefónica; "deutsche
telecom" finds Deutsche Telekom through its hidden label (a misspelling of
the sources), which a results page names but never shows as a label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


@dataclass(frozen=True)
class Hit:
    """One entity found: its IRI, the name that matched and how well (lower is better)."""

    iri: str
    name: str
    rank: int


class SearchIndex:
    """An in-memory index of (folded name, name, IRI)."""

    def __init__(self, names: dict[str, list[tuple[str, str, str]]]) -> None:
        self.entries: list[tuple[str, str, str]] = []
        for iri, values in names.items():
            for value, _lang, _prop in values:
                folded = fold(value)
                if folded:
                    self.entries.append((folded, value, iri))

    def search(self, query: str, limit: int = 100) -> list[Hit]:
        """Entities whose name holds every word of ``query``, best first."""
        wanted = fold(query)
        if not wanted:
            return []
        words = wanted.split()
        best: dict[str, Hit] = {}
        for folded, name, iri in self.entries:
            if not all(w in folded for w in words):
                continue
            if folded == wanted:
                rank = 0
            elif folded.startswith(wanted):
                rank = 1
            elif all(re.search(rf"\b{re.escape(w)}", folded) for w in words):
                rank = 2
            else:
                rank = 3
            current = best.get(iri)
            if current is None or rank < current.rank:
                best[iri] = Hit(iri, name, rank)
        hits = sorted(best.values(), key=lambda h: (h.rank, len(h.name), fold(h.name), h.iri))
        return hits[:limit]
