"""The engine's limit through HTTP: pyoxigraph behind one FastAPI route, nothing else.

``python -m bench.peers.oxigraph_app --data coedp.nq --port 8101``: the data is
bulk-loaded into an in-memory store; GET /sparql?query=... answers SPARQL JSON
results (or N-Triples for CONSTRUCT/DESCRIBE) over the union default graph.
No guard, no timeout, no row cap, no log: what coedp's features are measured against.
"""

from __future__ import annotations

import argparse

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI, Response


def create_app(data: str) -> FastAPI:
    """The app over ``data`` (an N-Quads file)."""
    store = ox.Store()
    store.bulk_load(path=data, format=ox.RdfFormat.N_QUADS)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/readyz")
    def readyz() -> Response:
        return Response("ready\n", media_type="text/plain")

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        # A plain def: FastAPI runs it in its thread pool, and pyoxigraph releases the GIL.
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            return Response(body, media_type="application/sparql-results+json")
        return Response(ox.serialize(result, format=ox.RdfFormat.N_TRIPLES),
                        media_type="application/n-triples")

    return app


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
