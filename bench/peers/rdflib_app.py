"""The Python peer: rdflib-endpoint over an rdflib Dataset of the same data.

``python -m bench.peers.rdflib_app --data coedp.nq --port 8103`` (needs
``pip install -r bench/requirements.txt``). The default graph is the union of
the named graphs, as in coedp.
"""

from __future__ import annotations

import argparse

import uvicorn
from rdflib import Dataset


def create_app(data: str):  # noqa: ANN201 - rdflib_endpoint's app type
    """rdflib-endpoint's app at /sparql over ``data`` (an N-Quads file)."""
    from rdflib_endpoint import SparqlEndpoint

    dataset = Dataset(default_union=True)
    dataset.parse(data, format="nquads")
    return SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False,
                          public_url="http://127.0.0.1/sparql")


def main() -> None:
    """Command line: serve on 127.0.0.1."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.data), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
