"""Ill-formed literals: a lexical form its datatype does not allow, or a bad language tag.

rdflib parses ``"2020-13-45"^^xsd:date`` without complaint and gives it no
value; SHACL engines then fail on it (a comparison of two dates raises) or
judge it by accident. Each such literal is found here first, so that the
validator reports it as a Violation with its node, file and line, and keeps it
away from the shapes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_TZ = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DOUBLE = re.compile(r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)")
_YEAR = r"-?([1-9]\d{3,}|0\d{3})"
_GYEAR = re.compile(_YEAR + _TZ)
_GYEARMONTH = re.compile(_YEAR + r"-(0[1-9]|1[0-2])" + _TZ)
_DATE = re.compile(r"(" + _YEAR + r")-(\d\d)-(\d\d)" + _TZ)
_DATETIME = re.compile(
    r"(" + _YEAR + r")-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?" + _TZ
)
# BCP 47 (RFC 5646) well-formedness: a 2-8 letter language, then 1-8 letter or
# digit subtags.
_LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*")


def _calendar(match: re.Match[str] | None) -> bool:
    if match is None:
        return False
    year, month, day = match.group(1), match.group(3), match.group(4)
    try:
        dt.date(max(1, min(9999, abs(int(year)))), int(month), int(day))
    except ValueError:
        return False
    return True


def _bounded(low: int | None, high: int | None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if not _INTEGER.fullmatch(text):
            return False
        value = int(text)
        return (low is None or value >= low) and (high is None or value <= high)

    return check


CHECKS: dict[str, Callable[[str], bool]] = {
    str(XSD.integer): _bounded(None, None),
    str(XSD.int): _bounded(-(2**31), 2**31 - 1),
    str(XSD.long): _bounded(-(2**63), 2**63 - 1),
    str(XSD.short): _bounded(-(2**15), 2**15 - 1),
    str(XSD.byte): _bounded(-128, 127),
    str(XSD.nonNegativeInteger): _bounded(0, None),
    str(XSD.positiveInteger): _bounded(1, None),
    str(XSD.nonPositiveInteger): _bounded(None, 0),
    str(XSD.negativeInteger): _bounded(None, -1),
    str(XSD.unsignedInt): _bounded(0, 2**32 - 1),
    str(XSD.decimal): lambda t: bool(_DECIMAL.fullmatch(t)),
    str(XSD.double): lambda t: bool(_DOUBLE.fullmatch(t)),
    str(XSD.float): lambda t: bool(_DOUBLE.fullmatch(t)),
    str(XSD.boolean): lambda t: t in ("true", "false", "1", "0"),
    str(XSD.gYear): lambda t: bool(_GYEAR.fullmatch(t)),
    str(XSD.gYearMonth): lambda t: bool(_GYEARMONTH.fullmatch(t)),
    str(XSD.date): lambda t: _calendar(_DATE.fullmatch(t)),
    str(XSD.dateTime): lambda t: _calendar(_DATETIME.fullmatch(t)),
    str(XSD.anyURI): lambda t: not re.search(r"[\s<>\"{}|\\^`]", t),
}


def problem(literal: Literal) -> str | None:
    """Why ``literal`` is ill-formed, or None when it is well-formed (or of an unknown type)."""
    if literal.language is not None:
        if not _LANGUAGE_TAG.fullmatch(literal.language):
            return f"language tag @{literal.language} is not a well-formed BCP 47 tag"
        return None
    datatype = str(literal.datatype) if literal.datatype is not None else None
    if datatype is None:
        return None
    check = CHECKS.get(datatype)
    well_formed = check(str(literal)) if check else not literal.ill_typed
    if well_formed:
        return None
    short = datatype.replace(str(XSD), "xsd:")
    return f'"{literal}" is not a valid {short} (ill-formed lexical form)'


def ill_formed(graph: Graph) -> Iterator[tuple[Node, URIRef, Literal, str]]:
    """``(subject, predicate, literal, reason)`` for every ill-formed literal of ``graph``."""
    for s, p, o in graph:
        if isinstance(o, Literal) and isinstance(p, URIRef):
            reason = problem(o)
            if reason is not None:
                yield s, p, o, reason


@contextmanager
def quiet_conversions() -> Iterator[None]:
    """Silence rdflib's log of every literal it cannot convert: the report names them."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
