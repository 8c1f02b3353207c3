"""The read-only SPARQL 1.1 endpoint (``coedp serve``): FastAPI over pyoxigraph.

Modules: ``settings`` (flags and COEDP_* variables), ``backends`` (the store
behind the endpoint: embedded, remote or in memory, one interface, chosen by
``open_backend``), ``store`` (bulk load), ``guard`` (checks before the engine),
``engine`` (what a worker runs), ``workers`` (the worker processes),
``formats`` (every syntax) and ``negotiation`` (choosing one), ``deps`` (what
the routes are given), ``protocol`` (routes), ``service_description``,
``caching`` and ``app`` (``create_app``).
"""
