"""The store's failures, as answers for the client."""

from __future__ import annotations

import pyoxigraph as ox

from coedp.server import formats
from coedp.server.engine import Outcome


class Deadline(Exception):
    """The deadline passed while the store's answer was being read."""


class StoreFailure(Exception):
    """The store answered with an error or could not be reached: an Outcome for the client."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def rdf_format_of(media: str) -> ox.RdfFormat:
    """How pyoxigraph reads an RDF answer of ``media``; ``StoreFailure`` (502) if it cannot."""
    found = formats.from_media_type(media, formats.RDF)
    fmt = found.rdf if found is not None else None
    if fmt is None:
        raise StoreFailure(Outcome(502, message=(
            f"the store answered {media or 'no media type'}, which this endpoint cannot read"
        )))
    return fmt


def store_error(status: int, message: str) -> Outcome:
    """The store's refusal (its status and message), passed on: 4xx as 400, time limits
    as 503, the rest as 502."""
    if 400 <= status < 500 and status not in (401, 403, 407):
        return Outcome(400, message=f"the store refused the query ({status}): {message}")
    lowered = message.lower()
    if status in (503, 504) or any(w in lowered for w in ("timeout", "timed out", "time out")):
        return Outcome(503, message=(
            f"the store stopped the query at its own time limit ({status}): {message}"
        ))
    return Outcome(502, message=f"the store failed to answer ({status}): {message}")


def timed_out(timeout: float) -> Outcome:
    """The answer to a query the deadline stopped."""
    return Outcome(503, message=(
        f"the query ran longer than {timeout:g} s and was stopped; "
        "narrow it (LIMIT, more specific patterns) and try again"
    ))
