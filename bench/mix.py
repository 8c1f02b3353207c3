"""The query mix: queries/*.rq that return rows on the benchmark data, and synthetic ones.

The synthetic queries are the kinds researchers run on a bigger graph:
partner counts per country, activities per body and year, a two-hop join
(partner -> participation -> activity -> body) and label look-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

PREFIXES = """PREFIX coedp: <https://coedp.org/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

SYNTHETIC = {
    "partners-per-country": """SELECT ?country (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  ?partner a coedp:DigitalPartner ; coedp:seatCountry ?country .
} GROUP BY ?country ORDER BY DESC(?partners) ?country""",
    "activities-per-body-and-year": """SELECT ?body ?year (COUNT(?activity) AS ?activities) WHERE {
  ?activity a coedp:WorkPlanActivity ; coedp:organisedBy ?body ; coedp:startDate ?start .
  BIND (YEAR(?start) AS ?year)
} GROUP BY ?body ?year ORDER BY ?body ?year LIMIT 500""",
    "partner-participation-activity-body": """SELECT ?partner ?body
  (COUNT(DISTINCT ?activity) AS ?n) WHERE {
  ?partner a coedp:DigitalPartner .
  ?participation coedp:participant ?partner ; coedp:activity ?activity .
  ?activity coedp:organisedBy ?body .
} GROUP BY ?partner ?body ORDER BY DESC(?n) ?partner ?body LIMIT 100""",
    "label-lookup-activity": """SELECT ?thing ?label WHERE {
  ?thing rdfs:label "Activity 1"@en ; rdfs:label ?label .
}""",
    "label-lookup-company": """SELECT ?thing ?type WHERE {
  ?thing rdfs:label ?name ; a ?type . FILTER (?name = "City 1"@en)
}""",
}

# The cheap repeated query: answered from coedp's result cache after the first time.
REPEATED = PREFIXES + "ASK { ?activity a coedp:WorkPlanActivity }"


@dataclass(frozen=True)
class Query:
    """One query of the mix: where it comes from and its text."""

    name: str
    text: str
    rows: int


def _rows(store: ox.Store, text: str) -> int:
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in result)


def build_mix(store: ox.Store, queries_dir: Path | None) -> tuple[list[Query], list[str]]:
    """The queries that return rows on ``store``, and the names of those left out."""
    candidates = [(f"synthetic/{k}", PREFIXES + v) for k, v in SYNTHETIC.items()]
    if queries_dir is not None and queries_dir.is_dir():
        candidates += [(f"queries/{p.name}", p.read_text(encoding="utf-8"))
                       for p in sorted(queries_dir.glob("*.rq"))]
    kept: list[Query] = []
    left_out: list[str] = []
    for name, text in candidates:
        try:
            rows = _rows(store, text)
        except (SyntaxError, OSError, ValueError):
            rows = 0
        if rows:
            kept.append(Query(name, text, rows))
        else:
            left_out.append(name)
    return kept, left_out


def unique_text(mix: list[Query], n: int) -> str:
    """The n-th request of the mix, made unique by a comment so that no cache answers it."""
    return f"{mix[n % len(mix)].text}\n# request {n}\n"
