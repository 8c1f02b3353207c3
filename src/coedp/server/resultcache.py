"""A small in-memory cache of query results in the web process.

Keyed by the dataset version and what the answer depends on (query text,
result syntax, protocol dataset, row cap, base IRI: see
``coedp.server.backends.caching``), so that a new dataset or another media
type never gets an old answer. Bounded both in entries and in bytes,
least recently used out first. Only successful answers are kept, and only
of queries that give the same answer every time (see ``deterministic``).
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Hashable

from coedp.server.engine import Outcome

# Functions whose value changes from one evaluation to the next (SPARQL 1.1 section 17.4):
# a query calling one is neither cached nor answered 304. The test is on the raw text, so a
# name inside a string or a comment errs on the safe side (not cached).
_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def deterministic(query: str) -> bool:
    """Whether ``query`` calls none of NOW(), RAND(), UUID(), STRUUID(), BNODE().

    Remembered for the last queries: the same text comes again and again (a page,
    a chart), and the search of a long text costs more than its hash.
    """
    return _VOLATILE.search(query) is None


class ResultCache:
    """An LRU map from a hashable key to an :class:`Outcome`, bounded in entries and bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, Outcome] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Outcome | None:
        """The cached outcome for ``key``, now the most recently used; None if absent."""
        outcome = self._items.get(key)
        if outcome is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return outcome

    def lookup(self, keys: list[Hashable]) -> Outcome | None:
        """The outcome cached under the first of ``keys`` present (one hit or one miss)."""
        for key in keys:
            outcome = self._items.get(key)
            if outcome is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return outcome
        self.misses += 1
        return None

    def put(self, key: Hashable, outcome: Outcome) -> None:
        """Keep a successful outcome, evicting the least recently used beyond the bounds."""
        size = len(outcome.body)
        if outcome.status != 200 or self.max_entries < 1 or size > self.max_bytes // 4:
            return  # an answer larger than a quarter of the cache would empty it
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= len(old.body)
        self._items[key] = outcome
        self.bytes += size
        while len(self._items) > self.max_entries or self.bytes > self.max_bytes:
            _, evicted = self._items.popitem(last=False)
            self.bytes -= len(evicted.body)
