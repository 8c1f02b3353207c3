"""coedp's JSON-LD context, and compaction of RDF into it.

The context (served at ``/context.jsonld``, shipped as ``context.jsonld``
beside the dumps) gives:

* a short key for every property of the ontology, its local name
  (``"seatCountry"`` for ``coedp:seatCountry``); object properties are typed
  ``@id``, so their values are plain (compact) IRIs;
* language maps for the names and texts people read: ``label``,
  ``prefLabel``, ``altLabel``, ``comment``, ``definition``, ``title``,
  ``description`` (``"label": {"en": "Microsoft", "fr": "Microsoft"}``);
* the project's prefixes (``coedp:``, ``orgs:``, ``country:``...), so that
  node identifiers, types and IRIs read as ``orgs:microsoft``.

Compaction is done here rather than by a general JSON-LD processor: the input
is flat RDF and the context is ours, so each triple has exactly one compact
form, written in one linear pass (the dump has tens of thousands of nodes).
A term is used only where it gives back exactly the triple (a language map
only when every value of that property on that node has a language tag);
anything else keeps a compact IRI key with full value objects. The tests
expand the result with independent processors (pyld, rdflib) and compare
with the Turtle.

Documents carry the context inline, pruned to what they use, so that they
read offline; ``Link: <.../context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"``
names the published whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import pyoxigraph as ox

from coedp.namespaces import COEDP, PREFIXES

JsonValue: TypeAlias = (
    "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
)
Node: TypeAlias = "dict[str, JsonValue]"
Subject: TypeAlias = ox.NamedNode | ox.BlankNode
Object: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal

CONTEXT_PATH = "context.jsonld"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
OWL = "http://www.w3.org/2002/07/owl#"

# Short keys with a language map, for the texts people read.
LANGUAGE_MAPS: dict[str, str] = {
    "label": "http://www.w3.org/2000/01/rdf-schema#label",
    "comment": "http://www.w3.org/2000/01/rdf-schema#comment",
    "prefLabel": "http://www.w3.org/2004/02/skos/core#prefLabel",
    "altLabel": "http://www.w3.org/2004/02/skos/core#altLabel",
    "definition": "http://www.w3.org/2004/02/skos/core#definition",
    "title": "http://purl.org/dc/terms/title",
    "description": "http://purl.org/dc/terms/description",
}


class Context:
    """The coedp JSON-LD context: terms for properties, prefixes for IRIs."""

    def __init__(self, properties: Mapping[str, bool]) -> None:
        """``properties``: IRI of each ontology property -> whether it is an object property."""
        self.terms: dict[str, tuple[str, bool]] = {}  # term -> (IRI, typed @id)
        self.by_iri: dict[str, str] = {}
        for term, iri in LANGUAGE_MAPS.items():
            self.terms[term] = (iri, False)
        ns = str(COEDP)
        for iri in sorted(properties):
            local = iri[len(ns):] if iri.startswith(ns) else ""
            if not local or not local.isidentifier() or local in self.terms:
                continue
            self.terms[local] = (iri, properties[iri])
            self.by_iri[iri] = local
        # A prefix whose name is also a term would be shadowed by it: leave it out.
        self.prefixes = {p: n for p, n in PREFIXES.items() if p not in self.terms}
        self._by_length = sorted(self.prefixes.items(), key=lambda item: -len(item[1]))
        self.lang_keys = {iri: term for term, iri in LANGUAGE_MAPS.items()}

    # -- the context itself ----------------------------------------------------------
    def definitions(self, used: Iterable[str] | None = None) -> dict[str, JsonValue]:
        """The ``@context`` object (only the terms and prefixes in ``used``, if given)."""
        keep = None if used is None else set(used)
        out: dict[str, JsonValue] = {"@version": 1.1}
        for prefix, ns in self.prefixes.items():
            if keep is None or prefix in keep:
                out[prefix] = ns
        for term, (iri, typed) in sorted(self.terms.items()):
            if keep is not None and term not in keep:
                continue
            definition: dict[str, JsonValue] = {"@id": iri}
            if term in LANGUAGE_MAPS:
                definition["@container"] = "@language"
            elif typed:
                definition["@type"] = "@id"
            out[term] = definition
        return out

    def document(self) -> dict[str, JsonValue]:
        """The published context document: ``{"@context": {...}}``."""
        return {"@context": self.definitions()}

    # -- compact IRIs --------------------------------------------------------------
    def curie(self, iri: str, used: set[str]) -> str:
        """``orgs:apple`` for an IRI under a known prefix, else the IRI itself."""
        for prefix, ns in self._by_length:
            if iri.startswith(ns):
                local = iri[len(ns):]
                if local.startswith("//"):  # would read as an IRI, not a compact IRI
                    break
                used.add(prefix)
                return f"{prefix}:{local}"
        return iri

    def node_id(self, term: Subject, used: set[str]) -> str:
        """The identifier of a node: a compact IRI or ``_:label``."""
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return self.curie(term.value, used)

    def value(self, term: Object, typed: bool, used: set[str]) -> JsonValue:
        """One object: a plain string where the context makes it exact, else a value object."""
        if isinstance(term, (ox.NamedNode, ox.BlankNode)):
            ident = self.node_id(term, used)
            return ident if typed else {"@id": ident}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return term.value if not typed else {"@value": term.value}
        return {"@value": term.value, "@type": self.curie(datatype, used)}

    # -- nodes -----------------------------------------------------------------------
    def node(
        self, subject: Subject, pairs: Iterable[tuple[ox.NamedNode, Object]], used: set[str]
    ) -> Node:
        """The node object of ``subject`` with its (predicate, object) pairs."""
        by_predicate: dict[str, list[Object]] = {}
        for p, o in pairs:
            values = by_predicate.setdefault(p.value, [])
            if o not in values:
                values.append(o)
        node: Node = {"@id": self.node_id(subject, used)}
        types = by_predicate.pop(RDF_TYPE, [])
        if types and all(isinstance(t, ox.NamedNode) for t in types):
            node["@type"] = _one_or_many(sorted(self.curie(t.value, used) for t in types))
        elif types:
            by_predicate[RDF_TYPE] = types
        for predicate in sorted(by_predicate):
            values = by_predicate[predicate]
            key, shaped = self._entry(predicate, values, used)
            node[key] = shaped
        return node

    def _entry(self, predicate: str, values: list[Object], used: set[str]) -> tuple[str, JsonValue]:
        lang_key = self.lang_keys.get(predicate)
        if lang_key and all(isinstance(v, ox.Literal) and v.language for v in values):
            used.add(lang_key)
            mapped: dict[str, list[str]] = {}
            for v in values:
                mapped.setdefault(v.language or "", []).append(v.value)  # type: ignore[union-attr]
            return lang_key, {lg: _one_or_many(sorted(vs)) for lg, vs in sorted(mapped.items())}
        term = self.by_iri.get(predicate)
        if term is not None:
            used.add(term)
            typed = self.terms[term][1]
            key = term
        else:
            typed = False
            key = self.curie(predicate, used)
        shaped = [self.value(v, typed, used) for v in values]
        shaped.sort(key=_sort_key)
        return key, _one_or_many(shaped)

    def nodes(self, triples: Iterable[ox.Triple | ox.Quad], used: set[str]) -> list[Node]:
        """Node objects for triples, one per subject, in subject order."""
        grouped: dict[Subject, list[tuple[ox.NamedNode, Object]]] = {}
        for t in triples:
            grouped.setdefault(t.subject, []).append((t.predicate, t.object))  # type: ignore[arg-type]
        ordered = sorted(grouped, key=lambda s: (isinstance(s, ox.BlankNode), s.value))
        return [self.node(s, grouped[s], used) for s in ordered]

    # -- documents ------------------------------------------------------------------
    def compact_triples(self, triples: Iterable[ox.Triple], first: str | None = None) -> Node:
        """A JSON-LD document for triples (``first``: the subject to put first)."""
        used: set[str] = set()
        nodes = self.nodes(triples, used)
        if first is not None:
            head = self.curie(first, set())
            nodes.sort(key=lambda n: n["@id"] != head)
        return {"@context": self.definitions(used), "@graph": nodes}  # type: ignore[dict-item]

    def compact_quads(self, quads: Iterable[ox.Quad]) -> Node:
        """A JSON-LD document for quads: one ``{"@id": graph, "@graph": [...]}`` per named graph,
        triples of the default graph at the top level."""
        used: set[str] = set()
        graphs: dict[str, list[ox.Quad]] = {}
        default: list[ox.Quad] = []
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                default.append(q)
            else:
                graphs.setdefault(q.graph_name.value, []).append(q)
        items: list[JsonValue] = list(self.nodes(default, used))
        for name in sorted(graphs):
            items.append(
                {"@id": self.curie(name, used), "@graph": self.nodes(graphs[name], used)}  # type: ignore[dict-item]
            )
        return {"@context": self.definitions(used), "@graph": items}


def _one_or_many(values: list) -> JsonValue:  # type: ignore[type-arg]
    return values[0] if len(values) == 1 else values


def _sort_key(value: JsonValue) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def properties_of(terms: Iterable[tuple[str, Iterable[str]]]) -> dict[str, bool]:
    """Ontology properties from (IRI, its rdf:types): IRI -> whether an object property."""
    found: dict[str, bool] = {}
    kinds = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
             "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"}
    for iri, types in terms:
        types = set(types)
        if types & kinds:
            found[iri] = OWL + "ObjectProperty" in types
    return found


def dumps(document: Mapping[str, JsonValue], indent: int | None = 1) -> bytes:
    """The JSON bytes of a document (keys in the order written, UTF-8)."""
    return (json.dumps(document, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")
