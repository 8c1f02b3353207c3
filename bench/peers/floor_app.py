"""The HTTP floor: a bare FastAPI route that answers every query with the same small result.

``python -m bench.peers.floor_app --port 8102``: no data, no engine; what
FastAPI and uvicorn cost per request on this machine.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Response

BODY = b'{"head":{},"boolean":true}'


def create_app() -> FastAPI:
    """The app: /readyz and /sparql."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/readyz")
    async def readyz() -> Response:
        return Response("ready\n", media_type="text/plain")

    @app.get("/sparql")
    async def sparql(query: str) -> Response:
        return Response(BODY, media_type="application/sparql-results+json")

    return app


def main() -> None:
    """Command line: serve on 127.0.0.1."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
