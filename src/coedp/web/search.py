"""Find entities by any of their names, whatever the accents, case and small typos.

The index is made from the catalogue (one query: every rdfs:label,
skos:prefLabel, skos:altLabel and skos:hiddenLabel). Names and queries are
folded the same way: Unicode NFKD, combining marks removed, case-folded,
punctuation turned into spaces. "telefonica" finds Telefónica; "deutsche
telecom" finds Deutsche Telekom through its hidden label (a misspelling of
the sources), which a results page names but never shows as a label.

Ranking, best first:

1. an exact name, whatever the entity;
2. then by tier: the entities a reader looks for (partners, bodies,
   activities, instruments, events, people) before reference data
   (countries, places, concepts), before auxiliary nodes (participations,
   memberships, instants, periods, figures);
3. within a tier, how the name matched: starts with the query, a word starts
   with each query word, a word holds it, or a word is one or two edits away
   (Levenshtein distance through rapidfuzz: "microsft" finds Microsoft);
4. then the shorter name, then the name, then the IRI (a stable order).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

_SPACES = re.compile(r"[\W_]+", re.UNICODE)

EXACT, PREFIX, WORD_START, SUBSTRING, TYPO = range(5)
MAIN_TIER = 0


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def allowed_edits(word: str) -> int:
    """Typos tolerated in a query word: none under 4 letters, one up to 7, then two."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


@dataclass(frozen=True)
class Hit:
    """One entity found: its IRI, the name that matched, how (lower is better) and its tier."""

    iri: str
    name: str
    rank: int
    tier: int = MAIN_TIER

    def key(self) -> tuple[int, int, int, int, str, str]:
        """The sort key: exact names first, then tier, match quality, length, name, IRI."""
        return (
            0 if self.rank == EXACT else 1,
            self.tier,
            self.rank,
            len(self.name),
            fold(self.name),
            self.iri,
        )


class SearchIndex:
    """An in-memory index of (folded name, name, IRI), with a word list for typos."""

    def __init__(
        self,
        names: Mapping[str, list[tuple[str, str, str]]],
        tiers: Mapping[str, int] | None = None,
    ) -> None:
        self.tiers: Mapping[str, int] = tiers or {}
        self.entries: list[tuple[str, str, str]] = []
        self._by_word: dict[str, set[int]] = defaultdict(set)
        for iri, values in names.items():
            for value, _lang, _prop in values:
                folded = fold(value)
                if folded:
                    for word in folded.split():
                        self._by_word[word].add(len(self.entries))
                    self.entries.append((folded, value, iri))
        self._words = sorted(self._by_word)

    def _close_words(self, word: str) -> set[str]:
        """Words of the index within the edits ``word`` allows (never the word itself)."""
        edits = allowed_edits(word)
        if not edits:
            return set()
        found = process.extract(
            word, self._words, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
        )
        return {w for w, _score, _i in found if w != word}

    def search(self, query: str, limit: int | None = None) -> list[Hit]:
        """Entities whose name holds every word of ``query`` (or a near miss), best first."""
        wanted = fold(query)
        if not wanted:
            return []
        words = wanted.split()
        best: dict[str, Hit] = {}

        def offer(iri: str, name: str, rank: int) -> None:
            current = best.get(iri)
            if current is None or rank < current.rank:
                best[iri] = Hit(iri, name, rank, self.tiers.get(iri, MAIN_TIER))

        for folded, name, iri in self.entries:
            if all(w in folded for w in words):
                offer(iri, name, _rank(folded, wanted, words))

        # Typos: every query word is in the name, or one of its near words is a word of it.
        near = {w: self._close_words(w) for w in words}
        if any(near.values()):
            candidates: set[int] | None = None
            for w in words:
                ids = {i for nw in near[w] for i in self._by_word[nw]}
                ids |= {i for i, (folded, _n, _iri) in enumerate(self.entries) if w in folded}
                candidates = ids if candidates is None else candidates & ids
            for i in sorted(candidates or ()):
                folded, name, iri = self.entries[i]
                offer(iri, name, TYPO)

        hits = sorted(best.values(), key=Hit.key)
        return hits if limit is None else hits[:limit]


def _rank(folded: str, wanted: str, words: list[str]) -> int:
    if folded == wanted:
        return EXACT
    if folded.startswith(wanted):
        return PREFIX
    if all(re.search(rf"\b{re.escape(w)}", folded) for w in words):
        return WORD_START
    return SUBSTRING
