"""Every entity or fact the inventory expects from the sources is in the graph.

inventory/*.csv lists, per section of each source, the nodes the graph must
hold (IRI and type) with the source line they come from. This is how "every
fact in the sources" is checked rather than assumed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from coedp.namespaces import PREFIXES

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
INVENTORY = sorted((ROOT / "inventory").glob("*.csv"))


def _rows() -> list[dict[str, str]]:
    rows = []
    for path in INVENTORY:
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                row["_where"] = f"{path.name}:{n}"
                rows.append(row)
    return rows


ROWS = _rows()


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    extra = {"time": "http://www.w3.org/2006/time#"}
    base = PREFIXES.get(prefix) or extra.get(prefix)
    if base is None:
        raise AssertionError(f"unknown prefix in inventory type {curie!r}")
    return base + local


@pytest.fixture(scope="module")
def store(built_dist: Path) -> ox.Store:
    st = ox.Store()
    st.bulk_load(path=str(built_dist / "coedp.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def test_inventory_is_not_empty() -> None:
    assert len(INVENTORY) >= 4, "inventory/ should hold one CSV per area of the graph"
    assert len(ROWS) >= 500, f"only {len(ROWS)} inventory rows"


def test_inventory_rows_point_at_real_sources() -> None:
    names = {p.name for p in SEEDS.glob("*.txt")} if SEEDS.is_dir() else None
    for row in ROWS:
        assert row["iri"].startswith("https://coedp.org/id/"), row["_where"]
        assert row["line"].strip().isdigit() or row["line"].strip() == "", row["_where"]
        if names is not None and row["source"].strip():
            assert row["source"].strip() in names, f"{row['_where']}: unknown source"


@pytest.mark.parametrize("row", ROWS, ids=[r["_where"] for r in ROWS])
def test_inventory_row_is_in_graph(store: ox.Store, row: dict[str, str]) -> None:
    iri = row["iri"].strip()
    kind = _expand(row["kind"].strip())
    ask = f"ASK {{ <{iri}> a <{kind}> }}"
    assert store.query(ask, use_default_graph_as_union=True), (
        f"{row['_where']}: <{iri}> is not a {row['kind']} ({row['what']}, "
        f"{row['source']} line {row['line']})"
    )


FACT_ROWS = [r for r in ROWS if (r.get("predicate") or "").strip()]


def test_inventory_names_facts() -> None:
    """Rows naming a fact (predicate, object) are what per-statement provenance reads."""
    assert len(FACT_ROWS) >= 50, f"only {len(FACT_ROWS)} rows name a fact"


@pytest.mark.parametrize("row", FACT_ROWS, ids=[r["_where"] for r in FACT_ROWS])
def test_inventory_fact_is_in_graph_with_its_line(store: ox.Store, row: dict[str, str]) -> None:
    """The fact is asserted, and its statement cites the row's line of the row's section."""
    iri = row["iri"].strip()
    predicate = _expand(row["predicate"].strip())
    obj = (row.get("object") or "").strip()
    target = f"<{_expand(obj)}>" if obj else "?o"
    fact = f"ASK {{ <{iri}> <{predicate}> {target} }}"
    assert store.query(fact, use_default_graph_as_union=True), (
        f"{row['_where']}: <{iri}> has no {row['predicate']} {obj} ({row['what']})"
    )
    where = f"{row['section'].strip()}#L{row['line'].strip()}"
    ask = (
        "ASK { ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> "
        f"<{iri}> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <{predicate}> ; "
        f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#object> {target} ; "
        f"<http://purl.org/dc/terms/source> <{where}> }}"
    )
    assert store.query(ask, use_default_graph_as_union=True), (
        f"{row['_where']}: no statement of {row['what']!r} cites {where}"
    )
