"""Counts of a loaded store: triples and distinct subjects per graph and for the union."""

from __future__ import annotations

import pyoxigraph as ox

from coedp.server.backends.base import GraphStats


def _select(store: ox.Store, query: str, union: bool = False) -> ox.QuerySolutions:
    """The solutions of a SELECT over ``store`` (``union``: the default graph is the union)."""
    solutions = store.query(query, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _value(row: ox.QuerySolution, name: str) -> str:
    """The lexical value bound to ``name`` (counts and graph names are always bound)."""
    term = row[name]
    assert isinstance(term, ox.NamedNode | ox.Literal)
    return term.value


def _count(store: ox.Store, query: str, name: str = "n", union: bool = False) -> int:
    """The number bound to ``name`` in the one row of an aggregate ``query``."""
    return int(_value(next(iter(_select(store, query, union))), name))


def statistics(store: ox.Store) -> tuple[list[GraphStats], int, int]:
    """Triples and distinct subjects per graph, and for the union (the default graph)."""
    graphs: list[GraphStats] = []
    counts = "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) { ?s ?p ?o }"
    row = next(iter(_select(store, counts)))
    if int(_value(row, "n")):
        graphs.append(GraphStats(None, int(_value(row, "n")), int(_value(row, "d"))))
    for solution in _select(
        store,
        "SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
        "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    ):
        graphs.append(GraphStats(
            _value(solution, "g"), int(_value(solution, "n")), int(_value(solution, "d"))
        ))
    subjects = _count(store, "SELECT (COUNT(DISTINCT ?s) AS ?d) { ?s ?p ?o }", "d", union=True)
    return graphs, _union_triples(store, graphs), subjects


def _union_triples(store: ox.Store, graphs: list[GraphStats]) -> int:
    """Distinct triples over all graphs: a triple in two graphs counts once.

    Either a hash of every triple (SELECT DISTINCT), or, when the graphs other
    than the largest are small, a lookup of each of their triples in the graphs
    counted before it: measured on disk, a lookup costs about three times a
    hashed triple, but the hash holds every triple in memory at once.
    """
    total = sum(g.triples for g in graphs)
    ordered = sorted(graphs, key=lambda g: -g.triples)
    if len(ordered) < 2:
        return total
    if 4 * (total - ordered[0].triples) > total:
        return _count(
            store, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }", union=True
        )
    duplicates = 0
    for k, graph in enumerate(ordered[1:], start=1):
        earlier = [_graph_pattern(g.name) for g in ordered[:k]]
        duplicates += _count(
            store,
            f"SELECT (COUNT(*) AS ?n) {{ {_graph_pattern(graph.name)} "
            f"FILTER EXISTS {{ {' UNION '.join(earlier)} }} }}",
        )
    return total - duplicates


def _graph_pattern(name: str | None) -> str:
    """``{ ?s ?p ?o }`` in graph ``name`` (None: the default graph, the union not being on)."""
    if name is None:
        return "{ ?s ?p ?o }"
    return f"{{ GRAPH {ox.NamedNode(name)} {{ ?s ?p ?o }} }}"
