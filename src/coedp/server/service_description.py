"""The SPARQL 1.1 Service Description (with VoID counts) served at GET /sparql."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from coedp.namespaces import DATASET, PREFIXES, SD, SH, VOID
from coedp.server.backends.base import DatasetInfo
from coedp.server.formats import RDF_FORMATS, SELECT_FORMATS, Format

FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")


def build(endpoint: str, dataset: DatasetInfo) -> Graph:
    """Describe the service at ``endpoint`` and the dataset it serves."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("dct", DCTERMS)
    g.bind("formats", FORMATS_NS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in (*SELECT_FORMATS, *RDF_FORMATS):
        g.add((service, SD.resultFormat, FORMATS_NS[fmt.w3c]))
    g.add((
        service,
        DCTERMS.description,
        Literal(
            "Read-only SPARQL 1.1 endpoint. The default graph is the union of the named "
            "graphs; FROM <graph IRI> restricts a query to one of them (for instance the "
            "asserted data, without inferences). SERVICE is not supported. The prefixes "
            "listed with sh:declare are predeclared: a query may use them without PREFIX "
            "lines (its own PREFIX declarations win)."
        ),
    ))
    # The predeclared prefixes, as SHACL declares prefixes (sh:declare), which SPARQL
    # editors read to offer them.
    g.bind("sh", SH)
    for prefix, namespace in PREFIXES.items():
        declaration = BNode(f"prefix-{prefix}")
        g.add((service, SH.declare, declaration))
        g.add((declaration, RDF.type, SH.PrefixDeclaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))

    ds = BNode("dataset")
    g.add((service, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.source, DATASET))
    g.add((ds, VOID.sparqlEndpoint, service))
    g.add((ds, VOID.triples, Literal(dataset.total_triples, datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(dataset.distinct_subjects, datatype=XSD.integer)))
    default = BNode("defaultGraph")
    g.add((ds, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDF.type, VOID.Dataset))
    g.add((default, VOID.triples, Literal(dataset.total_triples, datatype=XSD.integer)))
    for stats in dataset.graphs:
        if stats.name is None:
            continue
        named = BNode()
        graph = BNode()
        g.add((ds, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(stats.name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
        g.add((graph, VOID.distinctSubjects, Literal(stats.subjects, datatype=XSD.integer)))
        g.add((ds, VOID.subset, graph))
    return g


def serialize(endpoint: str, dataset: DatasetInfo, fmt: Format) -> bytes:
    """The service description in ``fmt`` (one of the RDF formats)."""
    data = build(endpoint, dataset).serialize(format=fmt.rdflib, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
