"""Links to other knowledge bases stand on evidence a reviewer can check.

graph/links/ holds the links (schema:sameAs to a Wikidata item or a GeoNames
entry) and the coordinates of places (geo:lat, geo:long); graph/links/evidence.csv
holds, for each link or pair of coordinates, the address of the public page that
shows it next to the entity's name and what it shows, and lists every entity for
which none could be verified. These tests read the files as a curator writes
them: no build needed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from coedp.namespaces import COEDP, SCHEMA

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "graph"
LINKS = GRAPH / "links"
EVIDENCE = LINKS / "evidence.csv"
HEADER = ["entity", "hub", "target", "evidence", "shows"]
ID = "https://coedp.org/id/"
PATTERNS = {
    "wikidata": re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$"),
    "geonames": re.compile(r"^https://sws\.geonames\.org/[1-9][0-9]*/$"),
    # "latitude longitude", decimal degrees as the page gives them
    "coordinates": re.compile(r"^-?[0-9]{1,3}(\.[0-9]+)? -?[0-9]{1,3}(\.[0-9]+)?$"),
}
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEO_LAT, GEO_LONG = URIRef(GEO + "lat"), URIRef(GEO + "long")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
PLACE = COEDP.Place
SAME_AS = URIRef(str(SCHEMA) + "sameAs")


def _rows() -> list[dict[str, str]]:
    with EVIDENCE.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == HEADER, f"{EVIDENCE.name}: header must be {HEADER}"
        rows = []
        for number, row in enumerate(reader, start=2):
            row["_where"] = f"{EVIDENCE.name}:{number}"
            rows.append(row)
    return rows


ROWS = _rows()
LINKED = [r for r in ROWS if r["target"]]


@pytest.fixture(scope="module")
def curated() -> Graph:
    """graph/ without the links: the entities the links must point from."""
    graph = Graph()
    for path in sorted(GRAPH.rglob("*.ttl")):
        if LINKS not in path.parents:
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def links() -> Graph:
    graph = Graph()
    for path in sorted(LINKS.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_there_are_links_and_a_list_of_the_rest() -> None:
    assert len(LINKED) >= 50, f"only {len(LINKED)} verified links"
    assert len(ROWS) > len(LINKED), "the entities left unverified must be listed"


@pytest.mark.parametrize("row", ROWS, ids=[r["_where"] for r in ROWS])
def test_row_is_well_formed(row: dict[str, str]) -> None:
    where = row["_where"]
    assert row["entity"].startswith(ID), f"{where}: entity must be a coedp IRI"
    assert row["hub"] in PATTERNS, f"{where}: hub must be one of {sorted(PATTERNS)}"
    assert row["shows"].strip(), f"{where}: say what the page shows (or why none was found)"
    if row["target"]:
        assert PATTERNS[row["hub"]].match(row["target"]), f"{where}: ill-formed {row['hub']} IRI"
        assert re.match(r"^https?://\S+$", row["evidence"]), f"{where}: evidence needs an address"
    else:
        assert not row["evidence"], f"{where}: evidence without a target"


def test_each_entity_and_hub_is_listed_once_as_unverified_or_linked() -> None:
    seen: dict[tuple[str, str], set[bool]] = defaultdict(set)
    unverified: set[tuple[str, str]] = set()
    for row in ROWS:
        key = (row["entity"], row["hub"])
        if not row["target"]:
            assert key not in unverified, f"{row['_where']}: listed twice as unverified"
            unverified.add(key)
        seen[key].add(bool(row["target"]))
    mixed = [key for key, kinds in seen.items() if kinds == {True, False}]
    assert mixed == [], f"both linked and listed as unverified: {mixed}"


def test_every_listed_entity_exists(curated: Graph) -> None:
    missing = sorted(
        {r["entity"] for r in ROWS if (URIRef(r["entity"]), RDF.type, None) not in curated}
    )
    assert missing == [], f"entities in {EVIDENCE.name} that graph/ does not describe"


def test_every_link_subject_exists(curated: Graph, links: Graph) -> None:
    subjects = set(links.subjects())
    missing = sorted(str(s) for s in subjects if (s, RDF.type, None) not in curated)
    assert missing == [], "links from entities graph/ does not describe"


def test_links_files_hold_only_links(links: Graph) -> None:
    allowed = {SAME_AS, GEO_LAT, GEO_LONG}
    others = sorted({str(p) for p in links.predicates()} - {str(p) for p in allowed})
    assert others == [], "graph/links/ holds links and coordinates only"


def test_every_link_in_graph_has_evidence(curated: Graph, links: Graph) -> None:
    """Every schema:sameAs in graph/ (links or elsewhere) has its evidence row, and back."""
    in_graph = {(str(s), str(o)) for s, o in (curated + links).subject_objects(SAME_AS)}
    in_evidence = {(r["entity"], r["target"]) for r in LINKED if r["hub"] != "coordinates"}
    assert in_graph - in_evidence == set(), "links without an evidence row"
    assert in_evidence - in_graph == set(), "evidence rows whose link is not in graph/links/"


def test_sameas_is_only_in_the_links_folder(curated: Graph) -> None:
    assert list(curated.subject_objects(SAME_AS)) == [], "put links in graph/links/"


def test_no_entity_has_two_wikidata_items_without_a_comment() -> None:
    items: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in LINKED:
        if row["hub"] == "wikidata":
            items[row["entity"]].append(row)
    for entity, rows in items.items():
        if len({r["target"] for r in rows}) > 1:
            for row in rows:
                others = [r["target"].rsplit("/", 1)[1] for r in rows if r is not row]
                assert all(q in row["shows"] for q in others), (
                    f"{row['_where']}: {entity} has two Wikidata items; "
                    "say in 'shows' why (name the other item)"
                )


def _coordinates(links: Graph) -> dict[str, tuple[Literal, Literal]]:
    """Each place of graph/links/ with coordinates: (latitude, longitude)."""
    pairs: dict[str, tuple[Literal, Literal]] = {}
    for place in set(links.subjects(GEO_LAT)) | set(links.subjects(GEO_LONG)):
        lat, long = links.value(place, GEO_LAT), links.value(place, GEO_LONG)
        assert isinstance(lat, Literal) and isinstance(long, Literal), f"{place}: lat and long"
        pairs[str(place)] = (lat, long)
    return pairs


def test_coordinates_are_decimal_degrees_in_range(links: Graph) -> None:
    pairs = _coordinates(links)
    assert len(pairs) >= 13, "the seats of the partners and of the Council of Europe"
    for place, (lat, long) in pairs.items():
        for value, bound in ((lat, 90), (long, 180)):
            assert value.datatype == XSD_DECIMAL, f"{place}: {value!r} is not an xsd:decimal"
            assert -bound <= float(value) <= bound, f"{place}: {value} out of range"
        assert len(list(links.objects(URIRef(place), GEO_LAT))) == 1, f"{place}: two latitudes"
        assert len(list(links.objects(URIRef(place), GEO_LONG))) == 1, f"{place}: two longitudes"


def test_every_pair_of_coordinates_has_its_evidence_and_back(links: Graph) -> None:
    """The pair in coordinates.ttl is the pair evidence.csv records, digit for digit."""
    in_graph = {place: f"{lat} {long}" for place, (lat, long) in _coordinates(links).items()}
    in_evidence = {r["entity"]: r["target"] for r in LINKED if r["hub"] == "coordinates"}
    assert in_graph == in_evidence


def test_coordinates_are_on_places(curated: Graph, links: Graph) -> None:
    wrong = sorted(p for p in _coordinates(links) if (URIRef(p), RDF.type, PLACE) not in curated)
    assert wrong == [], "coordinates on something that is not a coedp:Place"


def test_every_seat_of_a_partner_has_coordinates(curated: Graph, links: Graph) -> None:
    """The map of the seats leaves no seated partner out."""
    seats = {
        str(seat)
        for partner in curated.subjects(RDF.type, COEDP.DigitalPartner)
        for seat in curated.objects(partner, COEDP.seat)
    }
    assert len(seats) >= 12
    assert sorted(seats - set(_coordinates(links))) == []


def test_at_least_twenty_partners_are_linked_to_wikidata(curated: Graph) -> None:
    partners = {str(p) for p in curated.subjects(RDF.type, COEDP.DigitalPartner)}
    linked = {r["entity"] for r in LINKED if r["hub"] == "wikidata"} & partners
    assert len(partners) == 30
    assert len(linked) >= 20, f"{len(linked)} partners linked"


def test_every_place_is_accounted_for_under_each_hub(curated: Graph) -> None:
    """Each place is linked to GeoNames or listed as not verified, and so for its
    coordinates."""
    places = {str(s) for s in curated.subjects(RDF.type, PLACE)}
    for hub in ("geonames", "coordinates"):
        listed = {r["entity"] for r in ROWS if r["hub"] == hub}
        assert sorted(places - listed) == [], f"places missing from {EVIDENCE.name} ({hub})"


@pytest.mark.parametrize(
    "kind",
    [COEDP.DigitalPartner, COEDP.Convention, COEDP.Person, COEDP.Country, COEDP.Place],
    ids=lambda k: str(k).rsplit("/", 1)[1],
)
def test_every_entity_of_the_linked_kinds_is_accounted_for(curated: Graph, kind: URIRef) -> None:
    listed = {r["entity"] for r in ROWS}
    absent = sorted(str(s) for s in curated.subjects(RDF.type, kind) if str(s) not in listed)
    assert absent == [], f"neither linked nor listed as unverified in {EVIDENCE.name}"
