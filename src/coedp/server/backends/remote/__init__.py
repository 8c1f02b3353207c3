"""The remote backend: answers from an external store's SPARQL endpoint (``--store``).

coedp's own checks stay in front of the store:

* the web process's lexer (length, nesting, SERVICE, updates) as for the
  embedded store, then rdflib's parse check in guard processes supervised like
  query workers (a pathological query is killed at the timeout, not parsed
  forever), so SERVICE, LOAD and unknown FROM graphs never reach the store;
* the timeout: the request to the store is abandoned at the deadline and
  answered 503 (the store may keep running it until its own limit);
* the row cap: the store's answer is parsed as it streams in and re-serialised
  by pyoxigraph in the format the client asked for; past ``max_rows`` the
  download stops and the answer is 422, as on the embedded store.

The served dataset is the store's graphs under ``BASE/graph/``: every query
without FROM is sent with those graphs as ``default-graph-uri`` (their merge,
the union the embedded store serves) and ``named-graph-uri``, so the store's
own system graphs stay out of the answers.

Modules: ``backend`` (:class:`RemoteBackend`), ``probe`` (the store's graphs,
counted at start), ``guards`` (the parse-check processes), ``http`` (the
requests sent), ``engine`` (:class:`RemoteEngine`: guard, forward, re-serialise),
``virtuoso`` (repairs of what such stores answer), ``errors`` (their failures
as answers).
"""

from __future__ import annotations

from coedp.server.backends.remote.backend import RemoteBackend
from coedp.server.backends.remote.engine import RemoteEngine
from coedp.server.backends.remote.guards import GuardPool, guard_main
from coedp.server.backends.remote.probe import probe_dataset

__all__ = ["GuardPool", "RemoteBackend", "RemoteEngine", "guard_main", "probe_dataset"]
