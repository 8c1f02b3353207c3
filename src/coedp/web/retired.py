"""IRIs coedp no longer uses: 301 to their successor, or 410 Gone.

graph/retired.csv lists them (``iri,successor,reason``; an empty successor
means gone for good). The deref routes ask here before answering 404, so a
link to a retired IRI keeps leading somewhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from coedp.namespaces import BASE
from coedp.paths import graph_dir

FILE = "retired.csv"


@dataclass(frozen=True)
class Retired:
    """A retired IRI (relative to the base), its successor (relative if ours) and why."""

    rel: str
    successor: str
    reason: str


def read(path: Path) -> dict[str, Retired]:
    """The retired IRIs of ``path``, by path relative to the base (``def/heldBy``)."""
    if not path.is_file():
        return {}
    found: dict[str, Retired] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            iri = (row.get("iri") or "").strip()
            if not iri.startswith(BASE):
                continue
            successor = (row.get("successor") or "").strip()
            if successor.startswith(BASE):
                successor = successor[len(BASE):]
            rel = iri[len(BASE):]
            found[rel] = Retired(rel, successor, (row.get("reason") or "").strip())
    return found


@lru_cache(maxsize=1)
def retired() -> dict[str, Retired]:
    """graph/retired.csv of the project, read once."""
    return read(graph_dir() / FILE)


def lookup(rel: str) -> Retired | None:
    """The retirement of ``<BASE>rel`` (a thing path or a document path), if any."""
    table = retired()
    if rel.startswith("doc/"):
        rel = rel[len("doc/"):]
    return table.get(rel)
