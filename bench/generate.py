"""Synthetic graphs with coedp's shape, deterministic from a seed.

``python -m bench.generate --size 100k --out bench/data/100k`` writes
``source.nq``: the asserted graph (synthetic partners, countries, places,
Council of Europe bodies, work-plan activities with participations, dates,
fr/en labels and provenance) and the ontology graph, in coedp's named-graph
layout. ``bench.build`` turns it into the served dataset (adding the inferred
and metadata graphs), as ``coedp build`` does for the real data.

The synthetic entities reuse the real concept schemes and source sections
(graph/concepts.ttl, graph/sources.ttl), so that they follow the same shapes.
The size is the approximate number of quads of the built dataset.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from coedp import paths
from coedp.namespaces import ASSERTED, BASE, ONTOLOGY

Term = ox.NamedNode | ox.BlankNode | ox.Literal
SIZES = {"2k": 2_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
# Quads of the built dataset per unit (an activity with its participations and
# its share of organisations), measured on generated data: used to size a graph.
QUADS_PER_ACTIVITY = 90
SCAFFOLD = ("graph/concepts.ttl", "graph/sources.ttl")

ID = BASE + "id/"
DEF = BASE + "def/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
DCT_DESCRIPTION = "http://purl.org/dc/terms/description"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"

CATEGORIES = ("binding-standard-setting", "non-binding-standard-setting", "conferences", "studies")
DOMAINS = (
    "artificial-intelligence", "counter-terrorism", "cybercrime", "data-protection",
    "economic-crime", "education", "equality", "freedom-of-expression", "human-trafficking",
)
ROLES = ("participant", "speaker", "contributor", "organiser", "attendee", "consulted")
STATUSES = ("confirmed", "expected")
SECTIONS = (
    "digital-partnership-2022-work-plan-binding", "digital-partnership-2022-work-plan-non-binding",
    "digital-partnership-2022-work-plan-conferences", "digital-partnership-2022-work-plan-studies",
)
COHORTS = ("2017", "2018", "2020-2021", "2022")
# (alpha-2, alpha-3, English name, French name)
COUNTRIES = (
    ("fr", "FRA", "France", "France"), ("de", "DEU", "Germany", "Allemagne"),
    ("us", "USA", "United States", "États-Unis"), ("gb", "GBR", "United Kingdom", "Royaume-Uni"),
    ("be", "BEL", "Belgium", "Belgique"), ("ch", "CHE", "Switzerland", "Suisse"),
    ("es", "ESP", "Spain", "Espagne"), ("it", "ITA", "Italy", "Italie"),
    ("nl", "NLD", "Netherlands", "Pays-Bas"), ("dk", "DNK", "Denmark", "Danemark"),
    ("fi", "FIN", "Finland", "Finlande"), ("se", "SWE", "Sweden", "Suède"),
    ("no", "NOR", "Norway", "Norvège"), ("pl", "POL", "Poland", "Pologne"),
    ("pt", "PRT", "Portugal", "Portugal"), ("at", "AUT", "Austria", "Autriche"),
    ("ie", "IRL", "Ireland", "Irlande"), ("gr", "GRC", "Greece", "Grèce"),
    ("hu", "HUN", "Hungary", "Hongrie"), ("ro", "ROU", "Romania", "Roumanie"),
    ("ca", "CAN", "Canada", "Canada"), ("jp", "JPN", "Japan", "Japon"),
    ("sg", "SGP", "Singapore", "Singapour"), ("ge", "GEO", "Georgia", "Géorgie"),
    ("hr", "HRV", "Croatia", "Croatie"), ("ee", "EST", "Estonia", "Estonie"),
    ("lu", "LUX", "Luxembourg", "Luxembourg"), ("mt", "MLT", "Malta", "Malte"),
    ("cz", "CZE", "Czechia", "Tchéquie"), ("sk", "SVK", "Slovakia", "Slovaquie"),
)
SYLLABLES = ("ka", "lo", "mi", "ren", "tor", "vex", "sol", "dra", "nu", "pel", "quo", "zin", "bar")


def iri(value: str) -> str:
    """An IRI in N-Quads syntax."""
    return f"<{value}>"


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Quads syntax (the generated text never needs more than these escapes)."""
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^<{datatype}>"
    return body


class Writer:
    """Collects quads of the asserted graph as N-Quads lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.graph = iri(str(ASSERTED))

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} {self.graph} .\n")

    def entity(self, s: str, types: tuple[str, ...], en: str, fr: str, section: str) -> None:
        """Type, one label per language, and the section that states it."""
        for t in types:
            self.add(s, iri(RDF_TYPE), iri(t))
        self.add(s, iri(RDFS_LABEL), lit(en, "en"))
        self.add(s, iri(RDFS_LABEL), lit(fr, "fr"))
        self.add(s, iri(DEF + "statedIn"), iri(ID + "section/" + section))


def _name(rng: random.Random, n: int) -> str:
    """A pronounceable, unique company name."""
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{word.capitalize()} {n}"


def synthetic(size: int, seed: int) -> Iterator[str]:
    """N-Quads lines of the synthetic asserted graph, about ``size`` quads once built."""
    rng = random.Random(seed)
    w = Writer()
    activities = max(8, size // QUADS_PER_ACTIVITY)
    companies = max(4, activities // 4)
    bodies = max(3, min(2000, activities // 30))
    places = max(3, min(5000, companies // 5))
    partners_section = "digital-partnership-2022-profiles"

    coe = iri(ID + "org/coe")
    w.entity(coe, (DEF + "InternationalOrganisation",), "Council of Europe", "Conseil de l'Europe",
             partners_section)
    dp = iri(ID + "org/digital-partnership")
    w.entity(dp, (DEF + "Partnership",), "Digital Partnership", "Partenariat numérique",
             partners_section)
    w.add(dp, iri(ORG + "subOrganizationOf"), coe)

    for alpha2, alpha3, en, fr in COUNTRIES:
        c = iri(ID + "country/" + alpha2)
        w.entity(c, (DEF + "Country",), en, fr, partners_section)
        w.add(c, iri(DEF + "iso3166Alpha2"), lit(alpha2.upper()))
        w.add(c, iri(DEF + "iso3166Alpha3"), lit(alpha3))

    place_country: list[tuple[str, str]] = []
    for n in range(places):
        p = iri(f"{ID}place/city-{n}")
        country = rng.choice(COUNTRIES)[0]
        w.entity(p, (DEF + "Place",), f"City {n}", f"Ville {n}", partners_section)
        w.add(p, iri(DEF + "inCountry"), iri(ID + "country/" + country))
        place_country.append((p, country))

    body_iris = []
    for n in range(bodies):
        b = iri(f"{ID}body/body-{n}")
        w.entity(b, (DEF + "Committee",), f"Committee {n}", f"Comité {n}", partners_section)
        # A few levels of hierarchy, all under the Council of Europe.
        parent = body_iris[rng.randrange(len(body_iris))] if body_iris and n % 3 else coe
        w.add(b, iri(ORG + "subOrganizationOf"), parent)
        body_iris.append(b)

    company_iris = []
    for n in range(companies):
        o = iri(f"{ID}org/company-{n}")
        name = _name(rng, n)
        partner = n % 4 == 0
        types = (DEF + "Company", DEF + "DigitalPartner") if partner else (DEF + "Company",)
        w.entity(o, types, name, name, partners_section)
        w.add(o, iri(SKOS_ALT), lit(name.upper(), "fr"))
        seat, country = place_country[rng.randrange(places)]
        w.add(o, iri(DEF + "seat"), seat)
        w.add(o, iri(DEF + "seatCountry"), iri(ID + "country/" + country))
        w.add(o, iri(DEF + "countryOfOrigin"), iri(ID + "country/" + country))
        w.add(o, iri(DEF + "curatedBy"), iri(ID + "rule/partner-kind"))
        w.add(o, iri(DEF + "sourceLine"), lit(str(n + 1), datatype=XSD + "positiveInteger"))
        if partner:
            m = iri(f"{ID}membership/company-{n}")
            w.entity(m, (DEF + "PartnershipMembership",), f"{name} in the Digital Partnership",
                     f"{name} dans le partenariat numérique", "digital-partnership-2022-list")
            w.add(m, iri(ORG + "member"), o)
            w.add(m, iri(ORG + "organization"), dp)
            w.add(m, iri(DEF + "membershipStatus"), iri(ID + "concept/membership-status/active"))
            w.add(m, iri(DEF + "cohort"), iri(ID + "concept/cohort/" + rng.choice(COHORTS)))
        company_iris.append(o)

    for n in range(activities):
        a = iri(f"{ID}activity/activity-{n}")
        section = rng.choice(SECTIONS)
        w.entity(a, (DEF + "WorkPlanActivity",), f"Activity {n}", f"Activité {n}", section)
        w.add(a, iri(DEF + "asStated"), lit(f"Activité {n} du plan de travail", "fr"))
        w.add(a, iri(DEF + "category"), iri(ID + "concept/category/" + rng.choice(CATEGORIES)))
        w.add(a, iri(DEF + "domain"), iri(ID + "concept/domain/" + rng.choice(DOMAINS)))
        w.add(a, iri(DEF + "organisedBy"), body_iris[rng.randrange(bodies)])
        year, month, day = rng.randint(2005, 2025), rng.randint(1, 12), rng.randint(1, 26)
        w.add(a, iri(DEF + "dateText"), lit(f"{day:02d}-{day + 2:02d}/{month:02d}/{year}", "fr"))
        start, end = f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day + 2:02d}"
        w.add(a, iri(DEF + "startDate"), lit(start, datatype=XSD + "date"))
        w.add(a, iri(DEF + "endDate"), lit(end, datatype=XSD + "date"))
        w.add(a, iri(DEF + "datePrecision"), iri(ID + "concept/precision/day"))
        w.add(a, iri(DCT_DESCRIPTION), lit(f"Description de l'activité {n}", "fr"))
        w.add(a, iri(DCT_DESCRIPTION), lit(f"Description of activity {n}", "en"))
        w.add(a, iri(DEF + "curatedBy"), iri(ID + "rule/translation"))
        w.add(a, iri(DEF + "curatedBy"), iri(ID + "rule/activity-domain"))
        w.add(a, iri(DEF + "sourceLine"), lit(str(n + 1), datatype=XSD + "positiveInteger"))
        for k in sorted(rng.sample(range(companies), min(3, companies))):
            part = iri(f"{ID}participation/activity-{n}.company-{k}")
            w.entity(part, (DEF + "Participation",), f"Company {k} at activity {n}",
                     f"Société {k} à l'activité {n}", section)
            w.add(part, iri(DEF + "activity"), a)
            w.add(part, iri(DEF + "participant"), company_iris[k])
            w.add(part, iri(DEF + "role"), iri(ID + "concept/role/" + rng.choice(ROLES)))
            w.add(part, iri(DEF + "status"), iri(ID + "concept/status/" + rng.choice(STATUSES)))
            w.add(part, iri(DEF + "asStated"), lit(f"Société {k}", "fr"))
            w.add(part, iri(DEF + "sourceLine"), lit(str(n + 1), datatype=XSD + "positiveInteger"))
        if len(w.lines) >= 100_000:
            yield from w.lines
            w.lines.clear()
    yield from w.lines


def scaffold_quads(root: Path) -> list[ox.Quad]:
    """The real concept schemes and source sections (asserted) and the ontology."""
    asserted, ontology = ox.NamedNode(str(ASSERTED)), ox.NamedNode(str(ONTOLOGY))
    files = [(root / name, asserted) for name in SCAFFOLD if (root / name).is_file()]
    files += [(path, ontology) for path in sorted((root / "ontology").glob("*.ttl"))]
    quads: list[ox.Quad] = []
    blanks: dict[str, ox.BlankNode] = {}

    def stable(term: Term) -> Term:
        # The parser names blank nodes at random: rename them in order of appearance.
        if isinstance(term, ox.BlankNode):
            return blanks.setdefault(term.value, ox.BlankNode(f"b{len(blanks)}"))
        return term

    for path, graph in files:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE):
            quads.append(ox.Quad(stable(t.subject), t.predicate, stable(t.object), graph))
    return quads


def generate(size: int, seed: int, out: Path, root: Path | None = None) -> Path:
    """Write ``out/source.nq`` for a dataset of about ``size`` quads; return its path."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / "source.nq"
    tmp = target.with_suffix(".part")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(ox.serialize(scaffold_quads(root or paths.project_root()),
                              format=ox.RdfFormat.N_QUADS).decode("utf-8"))
        for line in synthetic(size, seed):
            fh.write(line)
    tmp.replace(target)
    return target


def parse_size(text: str) -> int:
    """``100k`` -> 100000; also accepts a plain number."""
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    multiplier = {"k": 1_000, "m": 1_000_000}.get(key[-1:], 1)
    number = key[:-1] if multiplier > 1 else key
    if not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"size {text!r}: expected e.g. 2k, 100k, 1m or 10m")
    return int(number) * multiplier


def main(argv: list[str] | None = None) -> int:
    """Command line: write one synthetic graph."""
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=parse_size, default="100k", help="2k, 100k, 1m, 10m...")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    path = generate(args.size, args.seed, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
