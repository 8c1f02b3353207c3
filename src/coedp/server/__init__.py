"""The read-only SPARQL 1.1 endpoint (``coedp serve``): FastAPI over pyoxigraph.

Modules: ``settings`` (flags and COEDP_* variables), ``store`` (bulk load),
``guard`` (checks before the engine), ``engine`` (what a worker runs),
``workers`` (the worker processes), ``negotiation`` (formats), ``protocol``
(routes), ``service_description``, ``caching`` and ``app`` (``create_app``).
"""
