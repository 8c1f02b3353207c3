"""The release version and date are stated once, and everything that shows them agrees."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

import coedp
from coedp import release
from coedp.build.pipeline import BuildError, stamp_release, version_iri
from coedp.namespaces import ONTOLOGY, ONTOLOGY_IRI

ROOT = Path(__file__).resolve().parents[1]


def test_the_package_reads_pyprojects_version() -> None:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        stated = tomllib.load(fh)["project"]["version"]
    assert release.VERSION == stated, "reinstall (pip install -e .) after changing the version"
    assert coedp.__version__ == stated


def test_the_release_date_is_a_date() -> None:
    assert dt.date.fromisoformat(release.DATE).isoformat() == release.DATE


def test_the_changelog_heads_with_this_release() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)
    assert releases, "CHANGELOG.md has no '## [VERSION] - YYYY-MM-DD' heading"
    assert releases[0] == (release.VERSION, release.DATE)


def test_the_command_line_prints_the_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "coedp.cli", "--version"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.stdout.strip() == f"coedp {release.VERSION}"


def test_the_ontology_sources_leave_the_version_to_the_build() -> None:
    ontology = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path, format="turtle")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) is None


def test_stamping_states_the_release_once() -> None:
    ontology = Graph()
    ontology.add((ONTOLOGY_IRI, RDF.type, OWL.Ontology))
    stamp_release(ontology, "2.3.4")
    stamp_release(ontology, "2.3.4")  # a source stating the same version is fine
    assert set(ontology.objects(ONTOLOGY_IRI, OWL.versionInfo)) == {Literal("2.3.4")}
    assert set(ontology.objects(ONTOLOGY_IRI, OWL.versionIRI)) == {
        URIRef("https://coedp.org/def/2.3.4")}


def test_a_source_stating_another_version_is_refused_with_both_versions() -> None:
    ontology = Graph()
    ontology.add((ONTOLOGY_IRI, OWL.versionInfo, Literal("0.9")))
    with pytest.raises(BuildError, match=r"states version 0\.9 .* release is 2\.0\.0"):
        stamp_release(ontology, "2.0.0")


def test_the_built_ontology_carries_the_release(built_dist: Path) -> None:
    dataset = Dataset()
    dataset.parse(built_dist / "coedp.nq", format="nquads")
    graph = dataset.graph(ONTOLOGY)
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal(release.VERSION)
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == version_iri()
    assert str(version_iri()) == f"https://coedp.org/def/{release.VERSION}"
