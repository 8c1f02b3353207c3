"""The OpenAPI description of the endpoint, served at /openapi.json.

The SPARQL routes read their parameters by hand (the protocol allows repeated
parameters and two POST bodies), so their schema is written here rather than
derived from function signatures. Routes added by the site keep FastAPI's
generated entries.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from coedp.server.formats import RDF_FORMATS, SELECT_FORMATS

RESULTS = tuple(f.media_type for f in SELECT_FORMATS)
GRAPHS = tuple(f.media_type for f in RDF_FORMATS)
TEXT = {"text/plain": {"schema": {"type": "string"}}}


def _error(text: str) -> dict[str, Any]:
    return {"description": text, "content": TEXT}


def _iri_list(name: str, text: str) -> dict[str, Any]:
    return {
        "name": name, "in": "query", "required": False, "description": text,
        "style": "form", "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}},
    }


QUERY_PARAMETERS: list[dict[str, Any]] = [
    {"name": "query", "in": "query", "required": False,
     "description": "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE); without it, "
     "the service description", "schema": {"type": "string"}},
    _iri_list("default-graph-uri", "graphs whose merge is the default graph"),
    _iri_list("named-graph-uri", "graphs available to GRAPH"),
    {"name": "format", "in": "query", "required": False,
     "description": "result format, overriding Accept (json, xml, csv, tsv, turtle, "
     "ntriples, rdfxml, jsonld)", "schema": {"type": "string"}},
]

QUERY_RESPONSES: dict[str, Any] = {
    "200": {"description": "the results, in the negotiated format",
            "content": {m: {"schema": {"type": "string"}} for m in (*RESULTS, *GRAPHS)}},
    "304": {"description": "not modified (If-None-Match / If-Modified-Since)"},
    "400": _error("not a query, a syntax error, a query nested too deeply, or an unknown graph"),
    "403": _error("an update, LOAD or SERVICE: this endpoint is read-only and never "
                  "contacts other services"),
    "406": _error("no acceptable result format"),
    "413": _error("the query or body is too long"),
    "415": _error("a POST body that is neither a form nor application/sparql-query, "
                  "or not UTF-8"),
    "422": _error("more rows than the endpoint serves: add LIMIT"),
    "503": _error("the query ran past the timeout and was stopped, or no worker was free"),
}


def sparql_paths() -> dict[str, Any]:
    """The OpenAPI path items of /sparql, /rdf-graph-store, /healthz and /readyz."""
    query_post = {
        "summary": "SPARQL query by POST (form or direct)",
        "operationId": "sparqlQueryPost",
        "parameters": QUERY_PARAMETERS[1:],
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["query"],
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }},
            "application/sparql-query": {"schema": {"type": "string"}},
        }},
        "responses": QUERY_RESPONSES,
    }
    graph_get = {
        "summary": "Graph Store Protocol, read side",
        "operationId": "graphStoreGet",
        "parameters": [
            {"name": "graph", "in": "query", "required": False,
             "description": "IRI of a named graph", "schema": {"type": "string"}},
            {"name": "default", "in": "query", "required": False, "allowEmptyValue": True,
             "description": "present (empty) for the default graph, the union",
             "schema": {"type": "string"}},
        ],
        "responses": {
            "200": {"description": "the graph",
                    "content": {m: {"schema": {"type": "string"}} for m in GRAPHS}},
            "304": {"description": "not modified"},
            "400": _error("name exactly one graph: ?default or ?graph=IRI"),
            "404": _error("no such graph in this dataset"),
            "406": _error("no acceptable RDF format"),
            "503": _error("the read ran past the timeout"),
        },
    }
    return {
        "/sparql": {
            "get": {"summary": "SPARQL query by GET, or the service description",
                    "operationId": "sparqlQueryGet", "parameters": QUERY_PARAMETERS,
                    "responses": QUERY_RESPONSES},
            "post": query_post,
        },
        "/rdf-graph-store": {"get": graph_get},
        "/healthz": {"get": {
            "summary": "liveness, dataset version and worker process ids",
            "operationId": "healthz",
            "responses": {"200": {"description": "alive", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }},
        "/readyz": {"get": {
            "summary": "readiness: a worker holds the store",
            "operationId": "readyz",
            "responses": {"200": _error("ready"), "503": _error("not ready")},
        }},
    }


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return FastAPI's schema with the SPARQL routes added."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, routes=app.routes,
                description="Read-only SPARQL 1.1 endpoint (Protocol and Graph Store read "
                "side) of the coedp knowledge graph.",
            )
            schema.setdefault("paths", {}).update(sparql_paths())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
