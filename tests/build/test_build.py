"""``coedp build``: determinism, refusal on bad input, the inferred and metadata graphs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, RDFS, XSD

from coedp.namespaces import ASSERTED, DATASET, INFERRED, METADATA, ONTOLOGY, SPDX, VOID

EXPECTED_FILES = {
    "coedp.trig", "coedp.nq", "coedp.jsonld", "coedp.ttl", "coedp.nt", "coedp.rdf",
    "void.ttl", "shapes.ttl", "SHA256SUMS",
}
ID = "https://coedp.org/id/"
DEF = "https://coedp.org/def/"


def _load(dist: Path) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(dist / "coedp.nq", format="nquads")
    return ds


def test_two_builds_are_byte_identical_whatever_the_hash_seed(
    tree: Path, tmp_path: Path, coedp
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    one = coedp("build", "--out", first, "--json", home=tree, seed="1")
    two = coedp("build", "--out", second, "--quiet", home=tree, seed="4242")
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert two.stdout == ""
    assert {p.name for p in first.iterdir()} == EXPECTED_FILES
    for name in EXPECTED_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name

    summary = json.loads(one.stdout)
    assert summary["ok"] is True and summary["violations"] == 0 and summary["warnings"] == 1
    assert {s["name"] for s in summary["steps"]} >= {"parse data", "validate", "reason"}
    assert all(summary["graphs"][str(g)] > 0 for g in (ASSERTED, INFERRED, ONTOLOGY, METADATA))

    # SHA256SUMS lists every other file, in sha256sum's format.
    sums = dict(
        reversed(line.split("  ", 1)) for line in (first / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == EXPECTED_FILES - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((first / name).read_bytes()).hexdigest() == digest


def test_every_dump_holds_the_same_data(built: tuple[Path, Path]) -> None:
    _, dist = built
    nq = _load(dist)
    for filename, fmt in (("coedp.trig", "trig"), ("coedp.jsonld", "json-ld")):
        other = Dataset()
        other.parse(dist / filename, format=fmt)
        for name in (ASSERTED, INFERRED, ONTOLOGY, METADATA):
            assert len(nq.graph(name)) > 0
            assert isomorphic(nq.graph(name), other.graph(name)), (filename, name)
    union = Graph()
    for triple in nq.triples((None, None, None)):
        union.add(triple)
    for filename, fmt in (("coedp.ttl", "turtle"), ("coedp.nt", "nt"), ("coedp.rdf", "xml")):
        assert isomorphic(union, Graph().parse(dist / filename, format=fmt)), filename


def test_turtle_syntax_error_names_file_and_line(tree: Path, tmp_path: Path, coedp) -> None:
    (tree / "graph" / "broken.ttl").write_text(
        "@prefix coedp: <https://coedp.org/def/> .\n"
        "\n"
        "<https://coedp.org/id/x> a coedp:Company ;\n"
        "    coedp:joined \"2020-01-01 .\n",
        encoding="utf-8",
    )
    out = tmp_path / "dist"
    proc = coedp("build", "--out", out, home=tree)
    assert proc.returncode == 2
    assert proc.stderr.startswith("graph/broken.ttl:4: ")
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


def test_undeclared_prefix_is_reported_with_its_line(tree: Path, tmp_path: Path, coedp) -> None:
    (tree / "ontology" / "extra.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\nnope:Thing a owl:Class .\n",
        encoding="utf-8",
    )
    proc = coedp("build", "--out", tmp_path / "dist", home=tree)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ontology/extra.ttl:2: ")
    assert "nope" in proc.stderr


def test_a_violation_blocks_the_build(tree: Path, tmp_path: Path, coedp) -> None:
    (tree / "graph" / "partners" / "unnamed.ttl").write_text(
        "@prefix coedp: <https://coedp.org/def/> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "\n"
        "<https://coedp.org/id/org/nameless> a coedp:Company ;\n"
        "    dct:source <https://coedp.org/id/source/factsheet> .\n",
        encoding="utf-8",
    )
    out = tmp_path / "dist"
    proc = coedp("build", "--out", out, home=tree)
    assert proc.returncode == 1
    assert not out.exists()
    assert "orgs:nameless" in proc.stdout
    assert "graph/partners/unnamed.ttl:4" in proc.stdout
    assert "An organisation needs a preferred label." in proc.stdout
    assert "violation" in proc.stderr.lower()


def test_missing_source_folder_is_a_usage_error(tree: Path, tmp_path: Path, coedp) -> None:
    for f in (tree / "shapes").iterdir():
        f.unlink()
    proc = coedp("build", "--out", tmp_path / "dist", home=tree)
    assert proc.returncode == 2
    assert "shapes" in proc.stderr and "Traceback" not in proc.stderr


def test_inferred_graph_has_new_facts_and_no_tautologies(built: tuple[Path, Path]) -> None:
    _, dist = built
    ds = _load(dist)
    inferred = ds.graph(INFERRED)
    known = set(ds.graph(ASSERTED)) | set(ds.graph(ONTOLOGY))
    partnership = URIRef(ID + "partnership")
    # owl:inverseOf coedp:partnerIn
    assert (partnership, URIRef(DEF + "hasPartner"), URIRef(ID + "org/thales")) in inferred
    # rdfs:subClassOf coedp:Organisation
    assert (URIRef(ID + "org/lego"), RDF.type, URIRef(DEF + "Organisation")) in inferred
    builtin = (str(RDF), str(RDFS), str(OWL), str(XSD))
    for s, p, o in inferred:
        assert (s, p, o) not in known
        assert not (s == o and p in (OWL.sameAs, OWL.equivalentClass, RDFS.subClassOf,
                                      OWL.equivalentProperty, RDFS.subPropertyOf))
        assert not str(s).startswith(builtin), (s, p, o)
        assert o not in (OWL.Thing, RDFS.Resource), (s, p, o)
        assert not isinstance(s, Literal | BNode)
        # owl:sameAs must not copy facts onto the outside IRI.
        assert not str(s).startswith("http://www.wikidata.org/"), (s, p, o)


def test_metadata_graph_describes_the_dataset(built: tuple[Path, Path]) -> None:
    _, dist = built
    ds = _load(dist)
    meta = ds.graph(METADATA)
    assert not any(isinstance(t, BNode) for triple in meta for t in triple)
    assert (DATASET, RDF.type, VOID.Dataset) in meta
    titles = {lit.language for lit in meta.objects(DATASET, DCTERMS.title)}
    assert titles == {"en", "fr"}
    sources = set(meta.objects(DATASET, DCTERMS.source))
    assert sources == {URIRef(ID + "source/factsheet"), URIRef(ID + "source/brochure")}
    assert (DATASET, VOID.sparqlEndpoint, URIRef("https://coedp.org/sparql")) in meta

    # The stated size of the dataset is the size of the union, metadata included.
    union = {t for t in ds.triples((None, None, None))}
    assert int(meta.value(DATASET, VOID.triples)) == len(union)
    for subset in meta.objects(DATASET, VOID.subset):
        name = meta.value(subset, URIRef("http://www.w3.org/ns/sparql-service-description#name"))
        assert int(meta.value(subset, VOID.triples)) == len(ds.graph(name))
    company = next(p for p in meta.objects(DATASET, VOID.classPartition)
                   if meta.value(p, VOID["class"]) == URIRef(DEF + "Company"))
    assert int(meta.value(company, VOID.entities)) == 3
    assert str(company).startswith(ID + "dataset/partition/class/")

    dists = set(meta.objects(DATASET, DCAT.distribution))
    urls = {str(meta.value(d, DCAT.downloadURL)) for d in dists}
    wanted = ("coedp.nq", "coedp.ttl", "shapes.ttl")
    assert {f"https://coedp.org/download/{n}" for n in wanted} <= urls

    # void.ttl adds the size and checksum of every dump, read from the files.
    void = Graph().parse(dist / "void.ttl")
    assert set(meta) <= set(void)
    for d in dists:
        filename = str(void.value(d, DCAT.downloadURL)).rsplit("/", 1)[-1]
        data = (dist / filename).read_bytes()
        assert int(void.value(d, DCAT.byteSize)) == len(data)
        checksum = void.value(d, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()


def test_no_local_path_or_random_label_leaks_into_the_data(built: tuple[Path, Path]) -> None:
    home, dist = built
    for path in dist.iterdir():
        text = path.read_text(encoding="utf-8")
        assert str(home) not in text and str(dist) not in text and "file://" not in text, path.name
    # Blank nodes (the shapes' property shapes) carry canonical labels only.
    shapes = (dist / "shapes.ttl").read_text(encoding="utf-8")
    assert "_:N" not in shapes
