"""The patches to rdflib's and owlrl's internals: applied on the verified versions only."""

from __future__ import annotations

import sys
import tomllib
import warnings
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.plugins.sparql import processor

from coedp.build import patches
from coedp.build.reason import infer
from coedp.build.validate import validate

ROOT = Path(__file__).resolve().parents[2]
EX = "https://coedp.org/id/test/"
UNKNOWN = {"rdflib": "99.0.0", "owlrl": "99.0.0", "pyshacl": "9.0"}


def _requirements() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        deps = tomllib.load(fh)["project"]["dependencies"]
    split = (dep.split(">", 1) for dep in deps)
    return {name.strip(): ">" + rest for name, rest in split}


def test_pyproject_bounds_are_the_verified_ranges() -> None:
    requirements = _requirements()
    for library, verified in patches.VERIFIED.items():
        assert requirements[library] == verified.specifier, library


def test_the_installed_versions_are_verified() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for library in patches.VERIFIED:
            assert patches.verified(library), library


@pytest.mark.parametrize(("version", "covered"), [
    ("7.6.2", True), ("7.1", True), ("7.0.9", False), ("8.0.0", False), ("8.0.0rc1", False),
    ("not-a-version", False),
])
def test_owlrl_range(version: str, covered: bool) -> None:
    assert patches.VERIFIED["owlrl"].covers(version) is covered


def test_an_unknown_version_is_refused_with_a_warning_naming_it() -> None:
    with pytest.warns(patches.UnverifiedVersion, match=r"owlrl 99\.0\.0 .*owlrl>=7\.1,<8"):
        assert not patches.verified("owlrl", UNKNOWN)


def test_prepared_queries_wrap_rdflib_on_the_installed_version_only() -> None:
    original = processor.SPARQLProcessor.query
    with patches.prepared_queries() as applied:
        assert applied
        assert processor.SPARQLProcessor.query is not original
    assert processor.SPARQLProcessor.query is original
    with pytest.warns(patches.UnverifiedVersion, match="rdflib 99.0.0"):
        with patches.prepared_queries(UNKNOWN) as applied:
            assert not applied
            assert processor.SPARQLProcessor.query is original


def _owlrl_namespaces() -> dict[tuple[str, str], object]:
    return {
        (name, attr): value
        for name, module in list(sys.modules.items()) if name.split(".")[0] == "owlrl"
        for attr, value in vars(module).items() if value is OWL or value is RDF
    }


def test_the_fast_vocabulary_is_swapped_in_and_back() -> None:
    import owlrl  # noqa: F401  (its modules must be loaded to be swapped)

    before = _owlrl_namespaces()
    assert before
    with patches.owlrl_fast_vocabulary() as applied:
        assert applied
        assert not _owlrl_namespaces()
    assert _owlrl_namespaces() == before
    with pytest.warns(patches.UnverifiedVersion):
        with patches.owlrl_fast_vocabulary(UNKNOWN) as applied:
            assert not applied
            assert _owlrl_namespaces() == before


def test_owlrl_rules_are_owlrls_own_on_an_unknown_version() -> None:
    import owlrl

    graph = Graph()
    assert patches.owlrl_semantics(graph) is not owlrl.OWLRL_Semantics
    with pytest.warns(patches.UnverifiedVersion):
        assert patches.owlrl_semantics(graph, UNKNOWN) is owlrl.OWLRL_Semantics


def _small() -> tuple[Graph, Graph]:
    ontology, data = Graph(), Graph()
    ontology.add((URIRef(EX + "Partner"), RDFS.subClassOf, URIRef(EX + "Organisation")))
    ontology.add((URIRef(EX + "Organisation"), RDF.type, OWL.Class))
    data.add((URIRef(EX + "acme"), RDF.type, URIRef(EX + "Partner")))
    data.add((URIRef(EX + "acme"), RDFS.label, Literal("Acme")))
    return ontology, data


def test_reasoning_gives_the_same_inferences_without_the_patches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ontology, data = _small()
    patched = set(infer(ontology, data))
    assert (URIRef(EX + "acme"), RDF.type, URIRef(EX + "Organisation")) in patched
    monkeypatch.setattr(patches, "installed_version", lambda library: "99.0.0")
    with pytest.warns(patches.UnverifiedVersion):
        plain = set(infer(ontology, data))
    assert plain == patched


def test_validation_gives_the_same_report_without_the_patch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shapes = Graph().parse(data=f'''
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <{EX}shape> a sh:NodeShape ; sh:targetClass <{EX}Partner> ;
            sh:sparql [ sh:select """
                SELECT $this WHERE {{ FILTER NOT EXISTS {{ $this <{EX}seat> ?s }} }}""" ] .
    ''', format="turtle")
    ontology, data = _small()
    data += ontology
    patched = validate(data, shapes)
    monkeypatch.setattr(patches, "installed_version", lambda library: "99.0.0")
    with pytest.warns(patches.UnverifiedVersion):
        plain = validate(data, shapes)
    assert not patched.conforms
    assert [r.as_json() for r in plain.results] == [r.as_json() for r in patched.results]
