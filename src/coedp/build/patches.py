"""Every change coedp makes to rdflib's, owlrl's and pyshacl's internals, in one place.

The build leans on three speed-ups that reach inside libraries:

* :func:`owlrl_fast_vocabulary` gives owlrl's modules plain-attribute copies of
  rdflib's RDF/RDFS/OWL/XSD namespaces while it runs;
* :func:`owlrl_semantics` subclasses owlrl's OWL 2 RL rules and overrides
  ``store_triple``, which reads owlrl's ``added_triples``, ``destination`` and
  ``graph`` attributes;
* :func:`prepared_queries` wraps rdflib's ``SPARQLProcessor.query`` while pyshacl
  validates, so that each SPARQL text is parsed once.

None of them changes a result: each is applied only when the library's installed
version lies in the range it was verified on (:data:`VERIFIED`, the same ranges as
the bounds in pyproject.toml). On any other version the build runs without it,
slower but right, and an :class:`UnverifiedVersion` warning names the library and
its version.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD, DefinedNamespace
from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

__all__ = [
    "VERIFIED",
    "UnverifiedVersion",
    "Verified",
    "owlrl_fast_vocabulary",
    "owlrl_semantics",
    "prepared_queries",
    "verified",
]


class UnverifiedVersion(UserWarning):
    """A patched library is installed in a version its patch was not verified on."""


@dataclass(frozen=True)
class Verified:
    """The versions of ``library`` a patch was verified on: ``lowest`` <= v < ``below``."""

    library: str
    lowest: tuple[int, ...]
    below: tuple[int, ...]

    def covers(self, version: str) -> bool:
        """Whether ``version`` (a release string such as ``7.6.2``) lies in the range."""
        numbers = release(version)
        return numbers is not None and self.lowest <= numbers < self.below

    @property
    def specifier(self) -> str:
        """The range as a pip requirement specifier (``>=7.1,<8``)."""
        return f">={_dotted(self.lowest)},<{_dotted(self.below)}"


# The single source of the ranges; pyproject.toml's bounds for these libraries
# say the same (tests/build/test_patches.py holds them together).
VERIFIED: Mapping[str, Verified] = {
    "rdflib": Verified("rdflib", (7, 1), (8,)),
    "owlrl": Verified("owlrl", (7, 1), (8,)),
    "pyshacl": Verified("pyshacl", (0, 30), (0, 41)),
}


def release(version: str) -> tuple[int, ...] | None:
    """The numeric release of a version string (``8.0.0rc1`` -> ``(8, 0, 0)``), or None."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip())
    return tuple(int(part) for part in match.group().split(".")) if match else None


def _dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)


def verified(library: str, versions: Mapping[str, str] | None = None) -> bool:
    """Whether a patch of ``library`` may apply to its version.

    ``versions`` maps library names to versions; a library it does not name is
    taken at its installed version. Warns :class:`UnverifiedVersion`, naming the
    library, its version and the verified range, when the patch may not apply.
    """
    version = (versions or {}).get(library)
    if version is None:
        try:
            version = installed_version(library)
        except PackageNotFoundError:
            version = "(not installed)"
    expected = VERIFIED[library]
    if expected.covers(version):
        return True
    warnings.warn(
        f"{library} {version} is not a version coedp's patch was verified on "
        f"({library}{expected.specifier}): the build runs without it, slower",
        UnverifiedVersion,
        stacklevel=3,
    )
    return False


class _Vocabulary:
    """One of rdflib's RDF/RDFS/OWL/XSD namespaces with its terms as plain attributes.

    ``OWL.sameAs`` on rdflib's namespace class goes through a metaclass
    ``__getattr__`` that checks the name and builds a new URIRef each time;
    owlrl does that in every rule for every triple of every cycle: three
    quarters of its time on coedp's data. Here the terms are looked up once.
    """

    def __init__(self, namespace: type[DefinedNamespace]) -> None:
        self._namespace = namespace
        for name in namespace.__annotations__:
            setattr(self, name, namespace[name])

    def __getattr__(self, name: str) -> URIRef:
        term: URIRef = getattr(self._namespace, name)  # a name rdflib knows, not annotated
        return term

    def __getitem__(self, name: str) -> URIRef:
        return self._namespace[name]

    def __contains__(self, item: str) -> bool:
        return item in self._namespace


@contextmanager
def owlrl_fast_vocabulary(versions: Mapping[str, str] | None = None) -> Iterator[bool]:
    """Give owlrl's modules :class:`_Vocabulary` copies of the namespaces while it runs.

    Yields whether the swap was made (``versions``: as for :func:`verified`).
    """
    swapped: list[tuple[object, str, object]] = []
    if not verified("owlrl", versions):
        yield False
        return
    try:
        for namespace in (RDF, RDFS, OWL, XSD):
            fast = _Vocabulary(namespace)
            for name, module in list(sys.modules.items()):
                if name == "owlrl" or name.startswith("owlrl."):
                    for attr, value in list(vars(module).items()):
                        if value is namespace:
                            swapped.append((module, attr, value))
                            setattr(module, attr, fast)
        yield True
    finally:
        for owner, attr, value in swapped:
            setattr(owner, attr, value)


def owlrl_semantics(graph: Graph, versions: Mapping[str, str] | None = None) -> type[Any]:
    """owlrl's OWL 2 RL rule class to run on ``graph``, with coedp's memo when verified.

    The memo drops the output of rule eq-ref (``x owl:sameAs x`` for every term
    of every triple: about half of owlrl's time, for tautologies the build drops
    anyway) and answers "is this triple known?" from a set rather than the store.
    The class is owlrl's own when owlrl's version is not verified (``versions``:
    as for :func:`verified`).
    """
    import owlrl

    if not verified("owlrl", versions):
        rules: type[Any] = owlrl.OWLRL_Semantics
        return rules
    same_as = OWL.sameAs

    class Memo(owlrl.OWLRL_Semantics):  # type: ignore[misc]  # owlrl has no type hints
        """owlrl's OWL 2 RL rules, less the output of eq-ref, with a memo of known triples."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._known = set(graph)

        def store_triple(self, t: tuple[Any, Any, Any]) -> None:
            if t[1] == same_as and t[0] == t[2]:
                return
            if t in self._known or t in self.added_triples:
                return
            if t in self.destination or t in self.graph:  # added by an earlier cycle
                self._known.add(t)
                return
            super().store_triple(t)

    return Memo


@contextmanager
def prepared_queries(versions: Mapping[str, str] | None = None) -> Iterator[bool]:
    """Parse each SPARQL text once while pyshacl runs, as ``rdflib.prepareQuery`` would.

    pyshacl hands rdflib the text of a SPARQL constraint or target once per
    focus node, and rdflib parses it anew every time: a third of validation
    went to pyparsing. A prepared query is meant to run again with other
    initial bindings, so the translated query is kept per text: that holds for
    the way pyshacl calls rdflib, so both versions are checked. Yields whether
    rdflib's ``SPARQLProcessor.query`` was wrapped (``versions``: as for
    :func:`verified`).
    """
    if not (verified("rdflib", versions) and verified("pyshacl", versions)):
        yield False
        return
    original: Callable[..., Any] = processor.SPARQLProcessor.query
    prepared: dict[tuple[str, str | None, tuple[tuple[str, Any], ...]], Any] = {}

    def query(self: processor.SPARQLProcessor, str_or_query: Any,
              initBindings: Mapping[str, Any] | None = None,  # noqa: N803
              initNs: Mapping[str, Any] | None = None,  # noqa: N803
              base: str | None = None, DEBUG: bool = False) -> Any:  # noqa: N803
        if isinstance(str_or_query, str):
            key = (str_or_query, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = translateQuery(parseQuery(str_or_query), base, initNs)
            str_or_query = prepared[key]
        return original(self, str_or_query, initBindings, initNs, base, DEBUG)

    setattr(processor.SPARQLProcessor, "query", query)  # noqa: B010  # typed as a patch
    try:
        yield True
    finally:
        setattr(processor.SPARQLProcessor, "query", original)  # noqa: B010
