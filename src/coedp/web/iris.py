"""Between canonical IRIs and the paths of the server that serves them.

The public base IRI is a setting (``settings.base_iri``, default
``https://coedp.org/``). Served at ``http://HOST:PORT/``, the IRI ``<BASE>x``
resolves at ``http://HOST:PORT/x``: the same dataset works on localhost and
behind the real domain. RDF answers always carry canonical IRIs; only the
links of HTML pages point at the server that drew them, as root-relative
paths (``/doc/id/org/apple``).

The document about ``<BASE>x`` is ``/doc/x``, with an optional extension
(``.html``, ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``) that fixes its form.
"""

from __future__ import annotations

from urllib.parse import quote

from coedp.server.formats import DOCUMENT_FORMATS

# Extension of a document -> its form (a name of ``formats.DOCUMENT_FORMATS``).
EXTENSIONS: dict[str, str] = {f.extension: f.name for f in DOCUMENT_FORMATS}
EXTENSION_OF: dict[str, str] = {name: ext for ext, name in EXTENSIONS.items()}

# Path segments of the base that name things, terms and graphs.
SPACES = ("id/", "def/", "graph/")


class IriMap:
    """Maps canonical IRIs under ``base`` to server paths and back."""

    def __init__(self, base: str) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def is_local(self, iri: str) -> bool:
        """Whether ``iri`` is minted under the base (and so served here)."""
        return iri.startswith(self.base) and iri[len(self.base) :].startswith(SPACES)

    def relative(self, iri: str) -> str:
        """``x`` for ``<BASE>x``."""
        return iri[len(self.base) :]

    def thing_path(self, iri: str) -> str:
        """The server path of the IRI itself: ``/id/org/apple``."""
        return "/" + _quote(self.relative(iri))

    def doc_path(self, iri: str, form: str | None = None) -> str:
        """The document about ``iri``: ``/doc/id/org/apple`` (``.ttl``... for a fixed form).

        A path already ending in a document extension gets ``.html`` (or the
        form's extension) added, so that ``/doc/…/coedp.jsonld.html`` stays unambiguous.
        """
        rel = self.relative(iri)
        path = "/doc/" + _quote(rel)
        if form is not None:
            return path + EXTENSION_OF[form]
        if any(rel.endswith(ext) for ext in EXTENSIONS):
            return path + ".html"
        return path

    def link(self, iri: str) -> str | None:
        """Where an HTML page links for ``iri``: its document here, or None if not ours."""
        if not self.is_local(iri):
            return None
        rel = self.relative(iri)
        if rel == "def/" or rel.startswith("def/"):
            term = rel[len("def/") :]
            return "/ontology" + (f"#{_quote(term)}" if term else "")
        return self.doc_path(iri)

    def from_path(self, rel: str) -> str:
        """The canonical IRI for the relative path ``x`` (``id/org/apple``)."""
        return self.base + rel


def split_extension(rel: str) -> tuple[str, str | None]:
    """``("id/org/apple", "turtle")`` for ``id/org/apple.ttl``; no extension gives None."""
    for ext, form in EXTENSIONS.items():
        if rel.endswith(ext) and len(rel) > len(ext):
            return rel[: -len(ext)], form
    return rel, None


def _quote(rel: str) -> str:
    return quote(rel, safe="/:@!$&'()*+,;=-._~")
