"""The dataset as the store holds it: its graphs under ``BASE/graph/``, counted at start."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from coedp.server import formats
from coedp.server.backends.base import DatasetInfo, GraphStats
from coedp.server.backends.remote.http import RESULTS_ACCEPT, form_headers, media_of
from coedp.server.backends.remote.virtuoso import gist
from coedp.server.store import DatasetError

log = logging.getLogger("coedp.server")

START_TIMEOUT = 30.0  # seconds the store may take to answer the start-up counts


def probe_dataset(endpoint: str, base_iri: str, timeout: float = START_TIMEOUT) -> DatasetInfo:
    """Count the store's graphs under ``BASE/graph/`` (COUNT queries) and describe them.

    Raises ``DatasetError`` when the store cannot be reached, answers with an
    error, or holds none of the dataset's graphs.
    """
    started = time.perf_counter()
    prefix = base_iri + "graph/"
    with httpx.Client(timeout=timeout) as client:
        rows = _select(client, endpoint, (
            "SELECT ?g (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
            "WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_literal(prefix)})) }} GROUP BY ?g ORDER BY ?g"
        ))
        graphs = [GraphStats(r["g"], int(r["n"]), int(r["d"])) for r in rows]
        if not graphs:
            raise DatasetError(
                f"the store at {endpoint} holds no graph under {prefix}; "
                "publish the dataset first ('coedp publish --to GRAPH-STORE-URL')"
            )
        names = [g.name for g in graphs if g.name]
        union = _select(client, endpoint, (
            "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
            "WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        ), default_graphs=names)[0]
        metadata = _select(client, endpoint, (
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && isLITERAL(?o)) }"
        ), default_graphs=[prefix + "metadata"] if prefix + "metadata" in names else names[:0])
    # The version changes whenever the counts or the dataset's own description do.
    digest = hashlib.sha256(endpoint.encode())
    for g in graphs:
        digest.update(f"{g.name} {g.triples} {g.subjects}\n".encode())
    for line in sorted(f"{r['s']} {r['p']} {r['o']}" for r in metadata):
        digest.update(line.encode() + b"\n")
    log.info("counted the store's graphs in %.2f s", time.perf_counter() - started)
    return DatasetInfo(
        version=digest.hexdigest(),
        last_modified=time.time(),
        graphs=tuple(graphs),
        total_triples=int(union["n"]),
        distinct_subjects=int(union["d"]),
        origin=endpoint,
        dumps=None,  # the built files are not here: nothing to download
    )


def _literal(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    return json.dumps(text)  # a JSON string is a valid SPARQL string literal for IRIs


def _select(
    client: httpx.Client, endpoint: str, query: str, default_graphs: Sequence[str] = ()
) -> list[dict[str, str]]:
    """Run a SELECT on the store; each row maps variable names to lexical values."""
    data = [("query", query), *(("default-graph-uri", g) for g in default_graphs)]
    try:
        response = client.post(
            endpoint, content=urlencode(data), headers=form_headers(RESULTS_ACCEPT)
        )
    except httpx.HTTPError as exc:
        raise DatasetError(f"cannot reach the store at {endpoint}: {exc}") from None
    if response.status_code != 200:
        raise DatasetError(
            f"the store at {endpoint} answered {response.status_code}: {gist(response.text)}"
        )
    found = formats.from_media_type(media_of(response), formats.RESULTS)
    if found is None or found.results is None:
        raise DatasetError(
            f"{endpoint} answered {media_of(response) or 'no media type'}, not SPARQL results: "
            "is it the store's SPARQL endpoint?"
        )
    try:
        solutions = ox.parse_query_results(response.content, found.results)
        if not isinstance(solutions, ox.QuerySolutions):
            raise DatasetError(f"{endpoint} answered a boolean to a SELECT")
        return [
            {str(var.value): term.value for var, term in zip(solutions.variables, row, strict=True)
             if term is not None}
            for row in solutions
        ]
    except (SyntaxError, ValueError) as exc:
        raise DatasetError(f"cannot read the answer of {endpoint}: {exc}") from None
