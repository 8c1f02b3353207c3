"""The VoID/DCAT description of the dataset (the metadata named graph and void.ttl).

How the description stays consistent although it is part of what it describes:

1. Statistics (``void:triples``, ``void:entities``, class and property
   partitions, one subset per named graph) cover the whole dataset *including
   the metadata graph itself*. They are computed as a fixed point: describe the
   data, count again with that description added, and repeat until the
   description no longer changes. The number of triples of a description
   depends only on its shape, never on the numbers it states, so this ends after
   a few rounds. A SPARQL ``COUNT`` over the published union then gives the
   stated figures.
2. Every dump holds the metadata graph, so no dump can state its own size or
   checksum. The metadata graph therefore gives, for each dump, its download
   URL and media type, and gives size and SHA-256 only for ``shapes.ttl`` (which
   does not hold the metadata graph; it is written before the description).
3. ``void.ttl`` is written after all dumps: it is the metadata graph plus the
   byte size and SHA-256 of every dump, read back from the written files.
   ``SHA256SUMS`` is written last and covers every file, ``void.ttl`` included.

Every node is an IRI under ``<https://coedp.org/id/dataset>`` (partitions,
subsets, distributions, checksums), nothing depends on time or on local paths,
so the description is byte-stable from run to run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TypedDict
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD
from rdflib.term import Node

from coedp import release
from coedp.build.export import DumpFormat
from coedp.namespaces import BASE, DATASET, ID, METADATA, PREFIXES, SD, SPDX, VOID

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
CREATOR = URIRef(BASE + "id/org/coedp")
URI_SPACE = str(ID)
IANA = "https://www.iana.org/assignments/media-types/"

TITLE = {
    "en": "Council of Europe Digital Partnership knowledge graph",
    "fr": "Graphe de connaissances du partenariat numérique du Conseil de l'Europe",
}
DESCRIPTION = {
    "en": (
        "The partners, cooperation areas, activities, events and legal instruments of the "
        "Council of Europe Digital Partnership with internet companies and their "
        "associations, each fact traced to its source document. Four named graphs: curated "
        "facts (asserted), OWL 2 RL inferences (inferred), the ontology, and this description "
        "(metadata)."
    ),
    "fr": (
        "Les partenaires, domaines de coopération, activités, événements et instruments "
        "juridiques du partenariat numérique du Conseil de l'Europe avec les entreprises de "
        "l'internet et leurs associations, chaque fait étant rattaché à son document source. "
        "Quatre graphes nommés : faits saisis (asserted), inférences OWL 2 RL (inferred), "
        "l'ontologie et la présente description (metadata)."
    ),
}

MAX_ROUNDS = 10


def slug(iri: str) -> str:
    """A readable, unique path segment for an IRI: ``coedp-Partner``, else a hash."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}-" + quote(iri[len(ns):], safe="")
    return "h-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def distribution_iri(filename: str) -> URIRef:
    """The IRI naming one downloadable file."""
    return URIRef(f"{DATASET}/distribution/{filename}")


def download_url(filename: str) -> URIRef:
    """Where one file of dist/ is served."""
    return URIRef(f"{BASE}download/{filename}")


class Statistics(TypedDict):
    """The figures the description states (keys as in VoID)."""

    triples: int
    entities: int
    graphs: dict[URIRef, int]
    classes: dict[Node, int]
    properties: dict[Node, int]


def _statistics(graphs: Mapping[URIRef, Graph]) -> Statistics:
    everything: set[tuple[Node, Node, Node]] = set()
    per_graph: dict[URIRef, int] = {}
    for name, graph in graphs.items():
        triples = set(graph)
        per_graph[name] = len(triples)
        everything |= triples
    classes: dict[Node, set[Node]] = {}
    properties: dict[Node, int] = {}
    entities: set[URIRef] = set()
    for s, p, o in everything:
        properties[p] = properties.get(p, 0) + 1
        if p == RDF.type and isinstance(o, URIRef):
            classes.setdefault(o, set()).add(s)
        if isinstance(s, URIRef) and str(s).startswith(URI_SPACE):
            entities.add(s)
    return {
        "triples": len(everything),
        "entities": len(entities),
        "graphs": per_graph,
        "classes": {c: len(members) for c, members in classes.items()},
        "properties": properties,
    }


def _add_checksum(graph: Graph, dist: URIRef, data: bytes) -> None:
    checksum = URIRef(f"{dist}/checksum")
    graph.add((dist, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
    graph.add((dist, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add(
        (checksum, SPDX.checksumValue,
         Literal(hashlib.sha256(data).hexdigest(), datatype=XSD.hexBinary))
    )


def _describe(
    stats: Statistics,
    sources: Iterable[URIRef],
    dumps: Iterable[DumpFormat],
    shapes: tuple[DumpFormat, bytes] | None,
) -> Graph:
    g = Graph()
    d = DATASET
    g.add((d, RDF.type, VOID.Dataset))
    g.add((d, RDF.type, DCAT.Dataset))
    for lang, text in TITLE.items():
        g.add((d, DCTERMS.title, Literal(text, lang=lang)))
    for lang, text in DESCRIPTION.items():
        g.add((d, DCTERMS.description, Literal(text, lang=lang)))
    g.add((d, DCTERMS.license, LICENSE))
    # The release: version and date from coedp.release (pyproject's version, one date).
    g.add((d, OWL.versionInfo, Literal(release.VERSION)))
    g.add((d, URIRef(str(DCAT) + "version"), Literal(release.VERSION)))  # DCAT 3
    g.add((d, DCTERMS.issued, Literal(release.DATE, datatype=XSD.date)))
    g.add((d, DCTERMS.modified, Literal(release.DATE, datatype=XSD.date)))
    g.add((d, DCTERMS.hasVersion, URIRef(f"{BASE}dataset/{release.VERSION}")))
    g.add((d, DCTERMS.creator, CREATOR))
    g.add((d, DCTERMS.publisher, CREATOR))
    g.add((d, DCAT.landingPage, URIRef(BASE + "downloads")))
    for source in sources:
        g.add((d, DCTERMS.source, source))
    g.add((d, VOID.sparqlEndpoint, URIRef(BASE + "sparql")))
    g.add((d, VOID.uriSpace, Literal(URI_SPACE)))
    g.add((d, VOID.triples, Literal(stats["triples"])))
    g.add((d, VOID.entities, Literal(stats["entities"])))
    for cls, count in stats["classes"].items():
        part = URIRef(f"{d}/partition/class/{slug(str(cls))}")
        g.add((d, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count)))
    for prop, count in stats["properties"].items():
        part = URIRef(f"{d}/partition/property/{slug(str(prop))}")
        g.add((d, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count)))
    for name, count in stats["graphs"].items():
        subset = URIRef(f"{d}/graph/{str(name).rsplit('/', 1)[-1]}")
        g.add((d, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, name))
        g.add((subset, VOID.triples, Literal(count)))
    all_dumps = list(dumps) + ([shapes[0]] if shapes else [])
    for fmt in all_dumps:
        dist = distribution_iri(fmt.filename)
        g.add((d, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(fmt.title, lang="en")))
        g.add((dist, DCAT.downloadURL, download_url(fmt.filename)))
        g.add((dist, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
        if fmt.filename.startswith("coedp."):
            g.add((d, VOID.dataDump, download_url(fmt.filename)))
    if shapes:
        _add_checksum(g, distribution_iri(shapes[0].filename), shapes[1])
    return g


def metadata_graph(
    graphs: Mapping[URIRef, Graph],
    sources: Iterable[URIRef],
    dumps: Iterable[DumpFormat],
    shapes: tuple[DumpFormat, bytes] | None = None,
) -> Graph:
    """The metadata named graph for the data ``graphs`` (every named graph but metadata).

    ``sources`` are the source documents; ``dumps`` the files that will hold the
    dataset; ``shapes`` the shapes file and its bytes, already final.
    """
    sources = sorted(set(sources), key=str)
    dumps = list(dumps)
    meta = Graph()
    for _ in range(MAX_ROUNDS):
        stats = _statistics({**graphs, METADATA: meta})
        described = _describe(stats, sources, dumps, shapes)
        if set(described) == set(meta):
            return meta
        meta = described
    raise RuntimeError("the dataset description did not reach a fixed point")


def void_file_graph(metadata: Graph, files: Mapping[str, bytes]) -> Graph:
    """void.ttl: the metadata graph plus size and SHA-256 of each written dump in ``files``."""
    g = Graph()
    g += metadata
    for filename, data in sorted(files.items()):
        _add_checksum(g, distribution_iri(filename), data)
    return g
