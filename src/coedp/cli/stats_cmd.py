"""``coedp stats``: what the built dataset holds, counted."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox

from coedp import console, dataset
from coedp.build.terms import shorten_iri
from coedp.namespaces import ASSERTED, INFERRED, NAMED_GRAPHS

LABEL_PROPERTIES = {
    "rdfs:label": "http://www.w3.org/2000/01/rdf-schema#label",
    "skos:prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
    "skos:altLabel": "http://www.w3.org/2004/02/skos/core#altLabel",
}

DESCRIPTION = """\
Count what the built dataset (dist/coedp.nq, built first if missing) holds:
triples per named graph, instances per class as curated (asserted graph) and
with inference (asserted + inferred graphs), and labels (rdfs:label,
skos:prefLabel, skos:altLabel) per language.
"""

EPILOG = """\
examples:
  coedp stats
  coedp stats --json | jq '.classes[] | select(.inferred > .asserted)'

exit codes:
  0  counts printed
  1  the dataset could not be built (SHACL violations)
  2  usage error or unreadable dataset

environment:
  COEDP_HOME   project folder (default: the checkout)
  COEDP_DIST   folder of the built dataset (default: dist/ of the project)
  NO_COLOR     disable colours (they are used on a terminal only)
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``stats`` sub-command."""
    parser = subparsers.add_parser(
        "stats",
        help="counts by class, named graph and label language",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    parser.add_argument("--data", type=Path, metavar="PATH",
                        help="dataset file or folder (default: $COEDP_DIST/coedp.nq)")
    parser.set_defaults(func=run)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


class Counts(TypedDict):
    """What ``coedp stats`` prints (``--json``: these keys)."""

    graphs: dict[str, int]
    classes: list[dict[str, str | int]]
    labels: dict[str, dict[str, int]]


def _select(store: ox.Store, query: str, union: bool = False) -> ox.QuerySolutions:
    """The solutions of a SELECT query of this module."""
    solutions = store.query(query, use_default_graph_as_union=union)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"not a SELECT query: {query}")
    return solutions


def collect(store: ox.Store) -> Counts:
    """All counts, as JSON-ready data."""
    graphs = {str(g): 0 for g in NAMED_GRAPHS}
    for row in _select(store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[row["g"].value] = _int(row["n"])
    default = list(_select(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))[0]["n"]
    if _int(default):
        graphs["(default graph)"] = _int(default)

    asserted = f"<{ASSERTED}>"
    both = f"{{ GRAPH {asserted} {{ ?s a ?c }} }} UNION {{ GRAPH <{INFERRED}> {{ ?s a ?c }} }}"
    counts: dict[str, dict[str, int]] = {}
    for key, pattern in (("asserted", f"GRAPH {asserted} {{ ?s a ?c }}"), ("inferred", both)):
        query = f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {{ {pattern} FILTER isIRI(?c) }} GROUP BY ?c"
        for row in _select(store, query):
            counts.setdefault(row["c"].value, {"asserted": 0, "inferred": 0})[key] = _int(row["n"])
    classes: list[dict[str, str | int]] = [
        {"class": c, "asserted": n["asserted"], "inferred": n["inferred"]}
        for c, n in sorted(counts.items(), key=lambda item: (-item[1]["inferred"], item[0]))
    ]

    labels: dict[str, dict[str, int]] = {}
    for name, iri in LABEL_PROPERTIES.items():
        query = (
            f"SELECT ?lang (COUNT(*) AS ?n) {{ {{ SELECT DISTINCT ?s ?l {{ ?s <{iri}> ?l }} }} "
            "BIND(LANG(?l) AS ?lang) } GROUP BY ?lang"
        )
        for row in _select(store, query, union=True):
            lang = row["lang"].value or "(none)"
            labels.setdefault(lang, dict.fromkeys(LABEL_PROPERTIES, 0))[name] = _int(row["n"])
    return {"graphs": graphs, "classes": classes, "labels": dict(sorted(labels.items()))}


@console.guarded
def run(args: argparse.Namespace) -> int:
    """Print the counts as tables or JSON."""
    path = dataset.built_or_exit(args.data, quiet=args.json)
    try:
        store = dataset.open_store(path)
    except dataset.DatasetError as exc:
        console.error(str(exc))
        return 2
    stats = collect(store)
    if args.json:
        json.dump(stats, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    out = console.out()
    out.print(console.table(
        "Triples by named graph", ("graph", "triples"),
        [(g, n) for g, n in stats["graphs"].items()], numeric=("triples",)))
    out.print(console.table(
        "Instances by class", ("class", "asserted", "with inference"),
        [(shorten_iri(str(c["class"])), c["asserted"], c["inferred"]) for c in stats["classes"]],
        numeric=("asserted", "with inference")))
    out.print(console.table(
        "Labels by language", ("language", *LABEL_PROPERTIES),
        [(lang, *counts.values()) for lang, counts in stats["labels"].items()],
        numeric=tuple(LABEL_PROPERTIES)))
    return 0
