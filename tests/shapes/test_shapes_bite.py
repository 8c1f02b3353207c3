"""Every SHACL constraint of shapes/ bites: break real data in the smallest way
that goes against one constraint, validate as `coedp validate` does, and find
the result naming that constraint, the focus node, the path and the severity;
the unbroken data has no such result, and no Violation at all.

To stay fast, each broken copy is the neighbourhood of its focus node (the
nodes two links away, both ways) plus the ontology; every rule of the shapes
looks no further than that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from coedp.namespaces import COEDP, ORG, SCHEMA, SH, TIME

from .conftest import Finding, curie, describe_references, neighbourhood, path_text, shacl

ID = Namespace("https://coedp.org/id/")
# rdflib's closed XSD namespace warns when pytest probes module attributes.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SHAPE = Namespace("https://coedp.org/def/shapes/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")

Break = Callable[[Graph, URIRef], Node | None]


# -----------------------------------------------------------------------------
# Small ways to break a node (each returns the focus node the result names, or
# None for the node broken)
# -----------------------------------------------------------------------------


def drop(*preds: URIRef, value: Node | None = None) -> Break:
    """Remove the node's values of ``preds`` (only ``value`` if given)."""

    def run(g: Graph, focus: URIRef) -> None:
        for pred in preds:
            g.remove((focus, pred, value))

    return run


def add(pred: URIRef, *values: Node) -> Break:
    """Give the node more values of ``pred``."""

    def run(g: Graph, focus: URIRef) -> None:
        for value in values:
            g.add((focus, pred, value))

    return run


def drop_lang(pred: URIRef, lang: str) -> Break:
    """Remove the node's values of ``pred`` in language ``lang``."""

    def run(g: Graph, focus: URIRef) -> None:
        for value in list(g.objects(focus, pred)):
            if isinstance(value, Literal) and value.language == lang:
                g.remove((focus, pred, value))

    return run


def put(pred: URIRef, *values: Node) -> Break:
    """Replace the node's values of ``pred``."""

    def run(g: Graph, focus: URIRef) -> None:
        g.remove((focus, pred, None))
        for value in values:
            g.add((focus, pred, value))

    return run


def rename(iri: str) -> Break:
    """Give the node another IRI everywhere."""

    def run(g: Graph, focus: URIRef) -> Node:
        new = URIRef(iri)
        for s, p, o in list(g.triples((focus, None, None))):
            g.remove((s, p, o))
            g.add((new, p, o))
        for s, p, o in list(g.triples((None, None, focus))):
            g.remove((s, p, o))
            g.add((s, p, new))
        return new

    return run


def on(node: URIRef, change: Break) -> Break:
    """Break another node than the focus (its period, its instant...)."""

    def run(g: Graph, focus: URIRef) -> None:
        change(g, node)

    return run


def both(*changes: Break) -> Break:
    def run(g: Graph, focus: URIRef) -> Node | None:
        found = None
        for change in changes:
            found = change(g, focus) or found
        return found

    return run


def blank_seat(g: Graph, focus: URIRef) -> Node:
    seat = BNode()
    g.remove((focus, COEDP.seat, None))
    g.add((focus, COEDP.seat, seat))
    g.add((seat, RDF.type, COEDP.Place))
    g.add((seat, RDFS.label, Literal("Cupertino", lang="en")))
    return seat


def misspelt_class(g: Graph, focus: URIRef) -> Node:
    g.remove((focus, RDF.type, COEDP.Company))
    g.add((focus, RDF.type, COEDP.Compnay))
    return COEDP.Compnay


def orphan_scheme(g: Graph, focus: URIRef) -> None:
    for concept in list(g.subjects(SKOS.inScheme, focus)):
        g.remove((concept, SKOS.inScheme, focus))


def sberbank_ends_before_it_begins(g: Graph, focus: URIRef) -> None:
    end = ID["membership/sberbank-end"]
    for pred in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
        g.remove((end, pred, None))
    g.add((end, TIME.inXSDDate, Literal("2000-01-01", datatype=XSD.date)))


def fr(text: str) -> Literal:
    return Literal(text, lang="fr")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def date(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


def plain(text: str) -> Literal:
    return Literal(text)


# -----------------------------------------------------------------------------
# The cases: one (at least) per constraint
# -----------------------------------------------------------------------------

DEFAULT = object()


@dataclass(frozen=True)
class Case:
    """Break ``focus`` with ``change``; expect a result of ``constraint``.

    ``constraint`` is the local name of a property shape or SPARQL constraint
    under shape:, or ``NodeShape/Component`` for a constraint written on a node
    shape itself. ``path`` defaults to the sh:path of the property shape.
    ``hops`` is how far from the focus the data is copied: a rule that reads a
    membership's instants needs two links.
    """

    name: str
    constraint: str
    focus: str
    change: Break
    severity: str = "Violation"
    path: object = DEFAULT
    hops: int = 1

    @property
    def focus_iri(self) -> URIRef:
        return ID[self.focus]

    @property
    def id(self) -> str:
        return f"{self.name}[{curie(self.focus_iri)}]"


APPLE = "org/apple"
DT = "org/deutsche-telekom"
ROW = "activity/cahai-plenary-1"
PARTICIPATION = "participation/cahai-plenary-1.etno"
SPEAKER = "participation/alliance-meeting-2019.heiko-maas"
MEETING = "event/alliance-meeting-2019"
M_APPLE = "membership/apple"
M_SBERBANK = "membership/sberbank"
M_COE_FR = "membership/coe-fr"
PERIOD = "membership/apple-period"
START = "membership/apple-start"
TREATY = "instrument/ets-185"
REC = "instrument/cm-rec-2008-6"
CITATION = "citation/igf-contribution-2008.fn9"
STATUS = "treaty-status/ets-185.ca-2008"
LIST = "list/partners-2017"
FIGURE = "figure/partners-in-united-states"
NAMEUSE = "name-use/meta.facebook"
CONCEPT = "concept/role/speaker"
SCHEME = "scheme/cohorts"
SOURCE = "source/factsheet"
SECTION = "section/factsheet-areas"
RULE = "rule/translation"

CASES = [
    # --- every entity ---------------------------------------------------------
    Case(
        "iri-upper-case-slug",
        "Entity/Pattern",
        APPLE,
        rename("https://coedp.org/id/org/Apple_Inc"),
        path=None,
    ),
    Case(
        "iri-unknown-kind",
        "Entity/Pattern",
        "org/google",
        rename("https://coedp.org/id/company/apple"),
        path=None,
    ),
    Case("label-en-missing", "entity-labels", APPLE, drop(RDFS.label, value=en("Apple"))),
    Case("label-fr-twice", "entity-labels", "org/ibm", add(RDFS.label, fr("Apple Inc."))),
    Case(
        "label-other-language",
        "entity-labels",
        APPLE,
        both(drop(RDFS.label, value=en("Apple")), add(RDFS.label, Literal("Apple", lang="de"))),
    ),
    Case("label-untagged", "entity-labels", CONCEPT, add(RDFS.label, plain("Speaker"))),
    Case("blank-node-seat", "NoBlankNode/NodeKind", "org/att", blank_seat, path=None),
    Case("misspelt-class", "DeclaredType/Or", "org/intel", misspelt_class, path=None),
    Case(
        "provenance-missing",
        "provenance-required",
        "org/sony",
        drop(COEDP.statedIn, DCTERMS.source, COEDP.curatedBy, PROV.wasAttributedTo),
    ),
    Case("alt-label-untagged", "names-alt-label", DT, add(SKOS.altLabel, plain("DT"))),
    Case(
        "hidden-label-untagged",
        "names-hidden-label",
        "org/thales",
        add(SKOS.hiddenLabel, plain("Deutche Telekom")),
    ),
    Case(
        "description-untagged",
        "described-language",
        "activity/mobile-world-congress-2019",
        add(DCTERMS.description, plain("A plenary meeting")),
    ),
    Case(
        "description-no-english",
        "described-english",
        MEETING,
        drop_lang(DCTERMS.description, "en"),
        severity="Warning",
    ),
    Case(
        "as-stated-untagged",
        "quoted-as-stated",
        "participation/cahai-plenary-1.gsma",
        put(COEDP.asStated, plain("ETNO")),
    ),
    Case(
        "profile-untagged",
        "quoted-profile",
        "org/icc",
        put(COEDP.profile, plain("Deutsche Telekom AG est une société...")),
    ),
    Case(
        "stated-in-a-document",
        "provenance-stated-in",
        "org/cloudflare",
        add(COEDP.statedIn, ID[SOURCE]),
    ),
    Case(
        "source-line-string",
        "provenance-source-line",
        "org/telefonica",
        put(COEDP.sourceLine, plain("83")),
    ),
    Case(
        "source-line-zero",
        "provenance-source-line",
        "org/orange",
        put(COEDP.sourceLine, Literal(0)),
    ),
    Case(
        "curated-by-a-section", "provenance-curated-by", "org/bt", add(COEDP.curatedBy, ID[SECTION])
    ),
    Case(
        "outside-source-string",
        "provenance-outside-source",
        "org/kaspersky",
        add(DCTERMS.source, plain("https://www.apple.com/")),
    ),
    Case(
        "derived-from-used",
        "provenance-no-derived-from",
        "country/fr",
        add(PROV.wasDerivedFrom, ID["org/apple"]),
    ),
    # --- dates ----------------------------------------------------------------
    Case(
        "date-text-untagged",
        "dated-text",
        "activity/cahai-plenary-2",
        put(COEDP.dateText, plain("18-20/11/2019")),
    ),
    Case(
        "start-date-string",
        "dated-start",
        "activity/cahai-plenary-3",
        put(COEDP.startDate, plain("2019-11-18")),
    ),
    Case(
        "end-date-french",
        "dated-end",
        "activity/cahai-plenary-4",
        put(COEDP.endDate, plain("20/11/2019")),
    ),
    Case(
        "two-precisions",
        "dated-precision",
        "activity/cahai-plenary-5",
        add(COEDP.datePrecision, ID["concept/precision/month"]),
    ),
    Case(
        "stated-date-string",
        "dated-stated",
        "activity/cahai-plenary-2-side-event",
        add(COEDP.statedDate, plain("2020-12-15")),
    ),
    Case(
        "stated-year-outside-bounds",
        "stated-date-within-bounds",
        "event/acquisition-element-ai-2020",
        put(COEDP.statedDate, Literal("2019", datatype=XSD.gYear)),
        path="coedp:statedDate",
    ),
    Case(
        "end-before-start",
        "dated-end-not-before-start",
        "activity/cdct-thematic-session-2018",
        put(COEDP.endDate, date("1999-01-01")),
    ),
    Case(
        "date-without-text",
        "DatedActivity/Or",
        "activity/conference-ai-regulation-2021",
        drop(COEDP.dateText),
        path=None,
    ),
    Case(
        "date-without-bounds",
        "DatedActivity/Or",
        MEETING,
        drop(COEDP.startDate, COEDP.endDate),
        path=None,
    ),
    # --- inferred properties asserted ------------------------------------------
    Case(
        "has-participant-asserted",
        "inferred-has-participant",
        "activity/conference-hate-speech-media-2018",
        add(COEDP.hasParticipant, ID["org/etno"]),
    ),
    Case(
        "participated-in-asserted",
        "inferred-participated-in",
        "org/etno",
        add(COEDP.participatedIn, ID[ROW]),
    ),
    Case(
        "has-participation-asserted",
        "inferred-has-participation",
        "activity/conference-human-rights-ai-era-2021",
        add(COEDP.hasParticipation, ID[PARTICIPATION]),
    ),
    Case(
        "cites-asserted",
        "inferred-cites",
        "source/igf-contribution-2008",
        add(COEDP.cites, ID[TREATY]),
    ),
    Case(
        "has-citation-asserted",
        "inferred-has-citation",
        "source/igf-contribution-2008",
        add(COEDP.hasCitation, ID[CITATION]),
    ),
    # --- concepts and controlled values ----------------------------------------
    Case(
        "scheme-two-english-labels",
        "scheme-pref-label",
        SCHEME,
        add(SKOS.prefLabel, en("Partner cohorts")),
    ),
    # --- reused properties -----------------------------------------------------
    Case(
        "dct-creator-wrong-kind",
        "dct-creator",
        "instrument/terms-of-collaboration",
        put(DCTERMS.creator, plain("the Secretariat")),
    ),
    Case(
        "dct-issued-wrong-kind",
        "dct-issued",
        "source/digital-partnership-2022",
        put(DCTERMS.issued, plain("juin 2022")),
    ),
    Case(
        "dct-language-wrong-kind",
        "dct-language",
        "source/coe-web-page-2018",
        put(DCTERMS.language, plain("French")),
    ),
    Case(
        "dct-publisher-wrong-kind",
        "dct-publisher",
        "source/coe-web-page-2018",
        put(DCTERMS.publisher, plain("Council of Europe")),
    ),
    Case(
        "dct-references-wrong-kind",
        "dct-references",
        "instrument/terms-of-collaboration",
        put(DCTERMS.references, ID["org/apple"]),
    ),
    Case(
        "dct-title-wrong-kind",
        "dct-title",
        "source/factsheet",
        put(DCTERMS.title, plain("Factsheet")),
    ),
    Case(
        "skos-broad-match-wrong-kind",
        "skos-broad-match",
        "concept/domain/cybercrime",
        put(SKOS.broadMatch, ID["country/fr"]),
    ),
    Case(
        "skos-close-match-wrong-kind",
        "skos-close-match",
        "concept/domain/data-protection",
        put(SKOS.closeMatch, ID["country/fr"]),
    ),
    Case(
        "skos-exact-match-wrong-kind",
        "skos-exact-match",
        "concept/domain/artificial-intelligence",
        put(SKOS.exactMatch, ID["country/fr"]),
    ),
    Case(
        "skos-notation-wrong-kind",
        "skos-notation",
        "concept/area/bioethics",
        put(SKOS.notation, ID["org/apple"]),
    ),
    Case(
        "skos-related-wrong-kind",
        "skos-related",
        "concept/domain/equality",
        put(SKOS.related, ID["org/apple"]),
    ),
    Case(
        "skos-scope-note-wrong-kind",
        "skos-scope-note",
        "concept/category/binding-standard-setting",
        put(SKOS.scopeNote, plain("note")),
    ),
    Case(
        "org-linked-to-wrong-kind",
        "org-linked-to",
        "org/digital-partnership",
        put(ORG.linkedTo, ID["country/fr"]),
    ),
    Case(
        "org-member-of-wrong-kind",
        "org-member-of",
        "org/bt",
        put(ORG.memberOf, ID["country/fr"]),
    ),
    Case(
        "prov-was-associated-with-wrong-kind",
        "prov-was-associated-with",
        "event/termination-sberbank-2022-03-04",
        put(PROV.wasAssociatedWith, plain("Sberbank")),
    ),
    Case(
        "prov-was-attributed-to-wrong-kind",
        "prov-was-attributed-to",
        "scheme/participation-roles",
        put(PROV.wasAttributedTo, plain("coedp")),
    ),
    Case(
        "schema-alumni-of-wrong-kind",
        "schema-alumni-of",
        "person/mark-zuckerberg",
        put(SCHEMA.alumniOf, plain("Harvard")),
    ),
    Case(
        "schema-award-wrong-kind",
        "schema-award",
        "person/yoshua-bengio",
        put(SCHEMA.award, ID["org/apple"]),
    ),
    Case(
        "schema-brand-wrong-kind",
        "schema-brand",
        "org/deutsche-telekom",
        put(SCHEMA.brand, plain("T-Mobile")),
    ),
    Case(
        "schema-email-wrong-kind",
        "schema-email",
        "org/digital-partnership",
        put(SCHEMA.email, plain("mailto:partnership")),
    ),
    Case(
        "schema-founder-wrong-kind",
        "schema-founder",
        "org/meta",
        put(SCHEMA.founder, plain("Mark Zuckerberg")),
    ),
    Case(
        "schema-founding-date-wrong-kind",
        "schema-founding-date",
        "org/digital-sme-alliance",
        put(SCHEMA.foundingDate, plain("2007")),
    ),
    Case(
        "schema-founding-location-wrong-kind",
        "schema-founding-location",
        "org/lego-group",
        put(SCHEMA.foundingLocation, plain("Billund")),
    ),
    Case(
        "schema-job-title-wrong-kind",
        "schema-job-title",
        "person/eugene-kaspersky",
        put(SCHEMA.jobTitle, ID["org/apple"]),
    ),
    Case(
        "schema-number-of-employees-wrong-kind",
        "schema-number-of-employees",
        "org/thales",
        put(SCHEMA.numberOfEmployees, plain("81000")),
    ),
    Case(
        "schema-parent-organization-wrong-kind",
        "schema-parent-organization",
        "org/google",
        put(SCHEMA.parentOrganization, plain("Alphabet")),
    ),
    Case(
        "schema-sub-organization-wrong-kind",
        "schema-sub-organization",
        "org/deutsche-telekom",
        put(SCHEMA.subOrganization, plain("T-Systems")),
    ),
    Case(
        "schema-works-for-wrong-kind",
        "schema-works-for",
        "person/eugene-kaspersky",
        put(SCHEMA.worksFor, plain("Kaspersky")),
    ),
    Case("scheme-empty", "scheme-has-concepts", SCHEME, orphan_scheme, severity="Warning"),
    Case("concept-without-scheme", "concept-in-scheme", CONCEPT, drop(SKOS.inScheme)),
    Case(
        "top-concept-of-a-concept",
        "concept-top-concept-of",
        CONCEPT,
        put(SKOS.topConceptOf, ID["concept/role/participant"]),
    ),
    Case(
        "concept-two-french-labels",
        "concept-pref-label",
        CONCEPT,
        add(SKOS.prefLabel, fr("Orateur")),
    ),
    Case(
        "definition-untagged", "concept-definition", CONCEPT, put(SKOS.definition, plain("Spoke."))
    ),
    Case(
        "category-from-domains",
        "controlled-category",
        "activity/convention-108-presentation-2019",
        put(COEDP.category, ID["concept/domain/artificial-intelligence"]),
    ),
    Case(
        "domain-from-areas",
        "controlled-domain",
        "activity/criminal-justice-cyberspace-conference-2019",
        put(COEDP.domain, ID["concept/area/artificial-intelligence"]),
    ),
    Case(
        "role-from-statuses",
        "controlled-role",
        "participation/cahai-plenary-1.ieee",
        put(COEDP.role, ID["concept/status/confirmed"]),
    ),
    Case(
        "status-from-roles",
        "controlled-status",
        "participation/cahai-plenary-1.microsoft",
        put(COEDP.status, ID["concept/role/participant"]),
    ),
    Case(
        "precision-from-statuses",
        "controlled-date-precision",
        "activity/csw-side-event-2021",
        put(COEDP.datePrecision, ID["concept/status/expected"]),
    ),
    Case(
        "cohort-from-categories",
        "controlled-cohort",
        M_APPLE,
        put(COEDP.cohort, ID["concept/category/studies"]),
    ),
    Case(
        "membership-status-from-statuses",
        "controlled-membership-status",
        M_APPLE,
        put(COEDP.membershipStatus, ID["concept/status/confirmed"]),
    ),
    Case(
        "coe-role-from-roles",
        "controlled-coe-role",
        M_COE_FR,
        put(ORG.role, ID["concept/role/participant"]),
    ),
    Case(
        "treaty-action-from-statuses",
        "controlled-treaty-action",
        STATUS,
        put(COEDP.treatyAction, ID["concept/membership-status/active"]),
    ),
    # --- organisations ----------------------------------------------------------
    Case(
        "organisation-named-as-place",
        "Organisation/Pattern",
        "org/gsma",
        rename("https://coedp.org/id/place/apple"),
        path=None,
    ),
    Case("seat-is-a-country", "organisation-seat", "org/ccia", put(COEDP.seat, ID["country/us"])),
    Case(
        "seat-country-is-a-place",
        "organisation-seat-country",
        "org/digitaleurope",
        put(COEDP.seatCountry, ID["place/cupertino"]),
    ),
    Case(
        "origin-is-a-place",
        "organisation-country-of-origin",
        "org/element-ai",
        put(COEDP.countryOfOrigin, ID["place/cupertino"]),
    ),
    Case(
        "office-is-an-organisation",
        "organisation-office",
        "org/isoc",
        add(COEDP.office, ID["org/coe"]),
    ),
    Case(
        "member-count-words",
        "organisation-member-count",
        "org/gni",
        add(COEDP.memberCount, fr("plus de 750")),
    ),
    Case(
        "associate-member-count-words",
        "organisation-associate-member-count",
        "org/gsma",
        put(COEDP.associateMemberCount, fr("400 autres entreprises")),
    ),
    Case(
        "country-count-string",
        "organisation-country-count",
        "org/icco",
        add(COEDP.countryCount, plain("160")),
    ),
    Case(
        "figure-qualifier-untagged",
        "organisation-figure-qualifier",
        "org/ieee",
        add(COEDP.figureQualifier, plain("plus de")),
    ),
    Case(
        "former-name-untagged",
        "organisation-former-name",
        "org/meta",
        add(COEDP.formerName, plain("Facebook")),
    ),
    Case(
        "url-string",
        "organisation-url",
        "org/ripe-ncc",
        put(SCHEMA.url, plain("https://www.apple.com/")),
    ),
    Case(
        "part-of-a-country",
        "organisation-sub-organisation-of",
        "body/cahai",
        put(ORG.subOrganizationOf, ID["country/fr"]),
    ),
    Case(
        "seat-country-disagrees",
        "organisation-seat-country-consistent",
        "org/euroispa",
        put(COEDP.seatCountry, ID["country/fr"]),
    ),
    Case(
        "partner-of-no-kind",
        "DigitalPartner/Or",
        "org/microsoft",
        drop(RDF.type, value=COEDP.Company),
        path=None,
    ),
    Case(
        "partner-without-membership", "partner-membership", APPLE, on(ID[M_APPLE], drop(ORG.member))
    ),
    Case(
        "gap-with-a-value",
        "source-gap-is-a-gap",
        "org/gsma",
        add(COEDP.seat, ID["place/london"]),
        path="coedp:sourceGap",
    ),
    Case(
        "partner-without-seat",
        "partner-seat",
        "org/servicenow",
        drop(COEDP.seat),
        severity="Warning",
    ),
    Case(
        "partner-kind-not-curated",
        "partner-kind-rule",
        "org/lego-group",
        drop(COEDP.curatedBy, value=ID["rule/partner-kind"]),
        severity="Warning",
    ),
    Case(
        "body-named-as-org",
        "CoEBody/Pattern",
        "body/cahai",
        rename("https://coedp.org/id/org/cahai"),
        path=None,
    ),
    Case(
        "body-outside-coe",
        "body-part-of-coe",
        "body/cahai",
        drop(ORG.subOrganizationOf),
        severity="Warning",
    ),
    # --- posts and their holdings ----------------------------------------------
    Case("post-without-role", "post-role", "post/secretary-general", drop(ORG.role)),
    Case(
        "post-held-by-a-place",
        "post-held-by",
        "post/chair-committee-of-ministers",
        put(ORG.heldBy, ID["place/strasbourg"]),
    ),
    Case(
        "holding-by-a-company",
        "post-holding-member",
        "membership/secretary-general-jagland",
        put(ORG.member, ID["org/microsoft"]),
    ),
    Case(
        "holding-of-no-post",
        "post-holding-post",
        "membership/cm-chair-finland-2018-2019",
        drop(COEDP.post),
    ),
    Case(
        "holding-without-role",
        "post-holding-role",
        "membership/cm-chair-hungary-2021",
        drop(ORG.role),
    ),
    Case(
        "holding-without-term",
        "post-holding-period",
        "membership/secretary-general-pejcinovic-buric",
        drop(ORG.memberDuring),
    ),
    Case(
        "chair-with-the-secretary-general-role",
        "post-holding-matches-post",
        "membership/cm-chair-germany-2020-2021",
        put(ORG.role, ID["concept/coe-role/secretary-general"]),
        path="org:role",
        hops=2,
    ),
    Case(
        "chairmanship-is-a-body",
        "activity-chairmanship",
        "activity/governing-the-game-changer-2019",
        put(COEDP.chairmanship, ID["body/committee-of-ministers"]),
    ),
    Case(
        "chairmanship-is-a-term-of-office",
        "activity-chairmanship",
        "activity/governing-the-game-changer-2019",
        put(COEDP.chairmanship, ID["membership/secretary-general-jagland"]),
        hops=2,
    ),
    Case("name-of-a-country", "name-use-of", NAMEUSE, put(COEDP.nameOf, ID["country/us"])),
    Case("name-use-without-name", "name-use-name", NAMEUSE, drop(COEDP.name)),
    # --- memberships ------------------------------------------------------------
    Case("membership-without-member", "membership-member", M_APPLE, drop(ORG.member)),
    Case(
        "membership-of-a-country",
        "membership-organisation",
        M_APPLE,
        put(ORG.organization, ID["country/fr"]),
    ),
    Case("membership-without-status", "membership-status", M_APPLE, drop(COEDP.membershipStatus)),
    Case("period-is-an-instant", "membership-period", M_APPLE, put(ORG.memberDuring, ID[START])),
    Case(
        "joined-by-an-organisation",
        "membership-joined-by",
        M_APPLE,
        put(COEDP.joinedBy, ID["org/coe"]),
    ),
    Case(
        "ended-by-an-organisation",
        "membership-ended-by",
        M_SBERBANK,
        put(COEDP.endedBy, ID["org/coe"]),
    ),
    Case(
        "ended-because-of-a-country",
        "membership-ended-because-of",
        M_SBERBANK,
        put(COEDP.endedBecauseOf, ID["country/ru"]),
    ),
    Case(
        "suspended-by-an-organisation",
        "membership-suspended-by",
        "membership/coe-ru",
        put(COEDP.suspendedBy, ID["org/coe"]),
    ),
    Case(
        "end-reason-untagged",
        "membership-end-reason",
        M_SBERBANK,
        put(COEDP.endReason, plain("Russia was suspended.")),
    ),
    Case(
        "continues-an-organisation",
        "membership-continues",
        M_APPLE,
        add(COEDP.continues, ID[APPLE]),
    ),
    Case(
        "ended-without-reason",
        "membership-ended-with-reason",
        M_SBERBANK,
        drop(COEDP.endReason, COEDP.endedBecauseOf, COEDP.endedBy),
        path=None,
        hops=2,
    ),
    Case(
        "ends-before-it-begins",
        "membership-end-not-before-start",
        M_SBERBANK,
        sberbank_ends_before_it_begins,
        path="org:memberDuring",
        hops=2,
    ),
    Case(
        "ended-but-active",
        "membership-end-means-ended",
        M_SBERBANK,
        put(COEDP.membershipStatus, ID["concept/membership-status/active"]),
        path="coedp:membershipStatus",
        hops=2,
    ),
    Case(
        "partner-member-is-a-person",
        "partnership-membership-member",
        M_APPLE,
        put(ORG.member, ID["person/thorbjorn-jagland"]),
    ),
    Case(
        "partnership-is-the-coe",
        "partnership-membership-partnership",
        M_APPLE,
        put(ORG.organization, ID["org/coe"]),
    ),
    Case(
        "two-cohorts",
        "partnership-membership-cohort",
        M_APPLE,
        add(COEDP.cohort, ID["concept/cohort/2018"]),
    ),
    Case(
        "no-exchange-of-letters",
        "partnership-membership-joined-by",
        M_APPLE,
        drop(COEDP.joinedBy),
        severity="Warning",
    ),
    Case(
        "tc-inf-introduction-is-an-organisation",
        "partnership-membership-tc-inf",
        "membership/thales",
        put(COEDP.tcInfIntroduction, ID["org/coe"]),
    ),
    Case(
        "partnership-without-period",
        "partnership-membership-period",
        M_APPLE,
        drop(ORG.memberDuring),
        severity="Warning",
    ),
    Case("coe-member-is-a-company", "coe-membership-member", M_COE_FR, put(ORG.member, ID[APPLE])),
    Case("coe-membership-without-role", "coe-membership-role", M_COE_FR, drop(ORG.role)),
    Case(
        "beginning-is-a-membership",
        "interval-beginning",
        PERIOD,
        put(TIME.hasBeginning, ID[M_APPLE]),
    ),
    Case("end-is-an-organisation", "interval-end", PERIOD, add(TIME.hasEnd, ID[APPLE])),
    Case(
        "period-without-beginning",
        "interval-has-beginning",
        PERIOD,
        drop(TIME.hasBeginning),
        severity="Warning",
    ),
    Case(
        "instant-day-and-year",
        "Instant/Xone",
        START,
        add(TIME.inXSDgYear, Literal("2017", datatype=XSD.gYear)),
        path=None,
    ),
    Case("instant-without-date", "Instant/Xone", START, drop(TIME.inXSDDate), path=None),
    Case("instant-day-string", "instant-date", START, put(TIME.inXSDDate, plain("2017-11-08"))),
    Case(
        "instant-month-string",
        "instant-year-month",
        START,
        both(drop(TIME.inXSDDate), add(TIME.inXSDgYearMonth, plain("2017-11"))),
    ),
    Case(
        "instant-year-integer",
        "instant-year",
        START,
        both(drop(TIME.inXSDDate), add(TIME.inXSDgYear, Literal(2017))),
    ),
    # --- activities, events, participations --------------------------------------
    Case(
        "activity-named-as-instrument",
        "Activity/Pattern",
        MEETING,
        rename("https://coedp.org/id/instrument/alliance-meeting-2019"),
        path=None,
    ),
    Case(
        "organised-by-a-country",
        "activity-organised-by",
        "activity/education-bilateral-meetings-2021",
        put(COEDP.organisedBy, ID["country/fr"]),
    ),
    Case(
        "two-categories",
        "activity-category-count",
        MEETING,
        add(COEDP.category, ID["concept/category/studies"], ID["concept/category/conferences"]),
    ),
    Case(
        "series-is-an-organisation",
        "activity-part-of-series",
        "activity/education-online-briefing-2018-12-18",
        add(COEDP.partOfSeries, ID["org/coe"]),
    ),
    Case(
        "part-of-a-place",
        "activity-part-of",
        "activity/education-round-table-2018-01-18",
        add(COEDP.partOf, ID["place/strasbourg"]),
    ),
    Case(
        "location-is-a-country",
        "activity-location",
        "activity/education-stakeholder-consultation-2021-04-22",
        put(COEDP.location, ID["country/fr"]),
    ),
    Case("venue-untagged", "activity-venue", MEETING, add(COEDP.venue, plain("Grande Halle"))),
    Case("online-yes", "activity-online", MEETING, add(COEDP.online, plain("yes"))),
    Case(
        "key-point-untagged",
        "activity-key-point",
        MEETING,
        add(COEDP.keyPoint, plain("Trust matters.")),
    ),
    Case("theme-is-an-organisation", "activity-theme", MEETING, add(COEDP.theme, ID[APPLE])),
    Case(
        "concerns-a-string",
        "activity-concerns",
        "activity/eurodig-2021",
        add(COEDP.concerns, plain("AI")),
    ),
    Case(
        "row-named-as-event",
        "WorkPlanActivity/Pattern",
        ROW,
        rename("https://coedp.org/id/event/cahai-plenary-1"),
        path=None,
    ),
    Case(
        "row-without-category",
        "work-plan-category",
        "activity/governing-the-game-changer-2019",
        drop(COEDP.category),
    ),
    Case(
        "row-without-domain",
        "work-plan-domain",
        "activity/greta-study-online-trafficking-consultation",
        drop(COEDP.domain),
    ),
    Case(
        "row-without-body",
        "work-plan-organised-by",
        "activity/grevio-general-recommendation-digital-consultation",
        drop(COEDP.organisedBy),
    ),
    Case(
        "row-without-line",
        "work-plan-source-line",
        "activity/hate-speech-recommendation-consultation",
        drop(COEDP.sourceLine),
    ),
    Case(
        "row-without-section",
        "work-plan-stated-in",
        "activity/iapp-global-privacy-summit-2021",
        drop(COEDP.statedIn),
    ),
    Case(
        "row-without-words",
        "work-plan-as-stated",
        "activity/international-meeting-foreign-service-providers-2020",
        drop(COEDP.asStated),
        severity="Warning",
    ),
    Case(
        "row-domain-not-curated",
        "work-plan-domain-rule",
        "activity/microsoft-dinner-cpdp-2020",
        drop(COEDP.curatedBy, value=ID["rule/activity-domain"]),
        severity="Warning",
    ),
    Case(
        "event-named-as-row",
        "Event/Pattern",
        MEETING,
        rename("https://coedp.org/id/activity/alliance-meeting-2019"),
        path=None,
    ),
    Case(
        "event-undated",
        "event-dated",
        MEETING,
        drop(COEDP.dateText, COEDP.startDate, COEDP.endDate, COEDP.datePrecision),
        severity="Warning",
    ),
    Case(
        "series-named-as-event",
        "EventSeries/Pattern",
        "series/eurodig",
        rename("https://coedp.org/id/event/eurodig"),
        path=None,
    ),
    Case(
        "signatory-is-a-country",
        "exchange-signatory",
        "event/exchange-of-letters-2017-11-08",
        add(COEDP.signatory, ID["country/fr"]),
    ),
    Case(
        "change-of-nobody",
        "change-original",
        "event/acquisition-element-ai-2020",
        drop(ORG.originalOrganization),
    ),
    Case(
        "change-results-in-a-country",
        "change-resulting",
        "event/acquisition-element-ai-2020",
        put(ORG.resultingOrganization, ID["country/us"]),
    ),
    Case(
        "acquirer-is-a-country",
        "change-acquirer",
        "event/acquisition-element-ai-2020",
        put(COEDP.acquirer, ID["country/us"]),
    ),
    Case(
        "participation-in-an-organisation",
        "participation-activity",
        "participation/cahai-plenary-2.gsma",
        put(COEDP.activity, ID["org/coe"]),
    ),
    Case(
        "participant-is-a-country",
        "participation-participant",
        SPEAKER,
        put(COEDP.participant, ID["country/de"]),
    ),
    Case(
        "participation-without-role",
        "participation-role",
        "participation/cahai-plenary-2.ieee",
        drop(COEDP.role),
    ),
    Case(
        "participation-two-statuses",
        "participation-status",
        "participation/cahai-plenary-2.microsoft",
        add(COEDP.status, ID["concept/status/expected"]),
    ),
    Case(
        "capacity-untagged",
        "participation-capacity",
        SPEAKER,
        put(COEDP.capacity, plain("ministre")),
    ),
    Case(
        "on-behalf-of-a-place",
        "participation-on-behalf-of",
        SPEAKER,
        put(COEDP.onBehalfOf, ID["place/paris"]),
    ),
    Case(
        "participation-without-words",
        "participation-as-stated",
        "participation/cahai-plenary-3.ieee",
        drop(COEDP.asStated),
        severity="Warning",
    ),
    Case(
        "participation-named-after-another",
        "participation-iri",
        PARTICIPATION,
        rename("https://coedp.org/id/participation/cahai-plenary-3.etno"),
        path=None,
    ),
    # --- countries, places, people, instruments -----------------------------------
    Case(
        "country-named-by-alpha3",
        "Country/Pattern",
        "country/fr",
        rename("https://coedp.org/id/country/fra"),
        path=None,
    ),
    Case(
        "alpha2-lower-case", "country-alpha2", "country/fr", put(COEDP.iso3166Alpha2, plain("fr"))
    ),
    Case(
        "alpha3-two-letters", "country-alpha3", "country/fr", put(COEDP.iso3166Alpha3, plain("FR"))
    ),
    Case(
        "authority-as-string",
        "country-authority",
        "country/fr",
        put(COEDP.countryAuthority, plain("http://publications.europa.eu/resource/authority/country/FRA")),
    ),
    Case(
        "authority-elsewhere",
        "country-authority",
        "country/de",
        put(COEDP.countryAuthority, URIRef("https://www.wikidata.org/entity/Q183")),
    ),
    Case(
        "family-name-tagged",
        "family-name-value",
        "person/jimmy-wales",
        put(SCHEMA.familyName, Literal("Wales", lang="en")),
    ),
    Case(
        "family-name-not-in-name",
        "family-name-in-name",
        "person/mark-zuckerberg",
        put(SCHEMA.familyName, plain("Smith")),
    ),
    Case(
        "family-name-on-an-organisation",
        "family-name-of-a-person",
        "org/microsoft",
        add(SCHEMA.familyName, plain("Microsoft")),
    ),
    Case(
        "same-as-string",
        "same-as",
        "country/fr",
        put(SCHEMA.sameAs, plain("http://www.wikidata.org/entity/Q142")),
    ),
    Case(
        "same-as-wiki-page",
        "same-as",
        "country/de",
        put(SCHEMA.sameAs, URIRef("https://www.wikidata.org/wiki/Q183")),
    ),
    Case(
        "latitude-out-of-range",
        "latitude",
        "place/strasbourg",
        put(GEO.lat, Literal("148.5844", datatype=XSD.decimal)),
    ),
    Case("latitude-missing", "latitude", "place/madrid", drop(GEO.lat)),
    Case(
        "longitude-as-text",
        "longitude",
        "place/bonn",
        put(GEO.long, plain("7.09972")),
    ),
    Case(
        "longitude-twice",
        "longitude",
        "place/cupertino",
        add(GEO.long, Literal("-122", datatype=XSD.decimal)),
    ),
    Case(
        "code-of-another-country",
        "country-code-matches-iri",
        "country/fr",
        put(COEDP.iso3166Alpha2, plain("DE")),
        path="coedp:iso3166Alpha2",
    ),
    Case(
        "place-named-as-org",
        "Place/Pattern",
        "place/bonn",
        rename("https://coedp.org/id/org/bonn"),
        path=None,
    ),
    Case("place-in-no-country", "place-in-country", "place/bonn", drop(COEDP.inCountry)),
    Case(
        "place-within-a-country",
        "place-contained-in",
        "place/bonn",
        add(SCHEMA.containedInPlace, ID["country/de"]),
    ),
    Case(
        "person-named-as-org",
        "Person/Pattern",
        "person/thorbjorn-jagland",
        rename("https://coedp.org/id/org/thorbjorn-jagland"),
        path=None,
    ),
    Case(
        "holds-an-organisation",
        "person-holds",
        "person/thorbjorn-jagland",
        put(ORG.holds, ID["org/coe"]),
    ),
    Case(
        "post-named-as-person",
        "Post/Pattern",
        "post/secretary-general",
        rename("https://coedp.org/id/person/secretary-general"),
        path=None,
    ),
    Case(
        "post-in-a-place",
        "post-in",
        "post/secretary-general",
        put(ORG.postIn, ID["place/strasbourg"]),
    ),
    Case(
        "instrument-named-as-event",
        "Instrument/Pattern",
        REC,
        rename("https://coedp.org/id/event/cm-rec-2008-6"),
        path=None,
    ),
    Case(
        "reference-tagged", "instrument-reference", REC, put(COEDP.reference, en("CM/Rec(2008)6"))
    ),
    Case(
        "adopted-by-a-country", "instrument-adopted-by", REC, put(COEDP.adoptedBy, ID["country/fr"])
    ),
    Case(
        "adopted-on-words", "instrument-adopted-on", REC, put(COEDP.adoptedOn, fr("9 avril 2008"))
    ),
    Case("made-with-a-place", "instrument-made-with", REC, add(COEDP.madeWith, ID["place/paris"])),
    Case(
        "supplements-an-organisation",
        "instrument-supplements",
        "instrument/cets-224",
        put(COEDP.supplements, ID["org/coe"]),
    ),
    Case(
        "supersedes-an-organisation",
        "instrument-supersedes",
        REC,
        add(COEDP.supersedes, ID["org/coe"]),
    ),
    Case("period-untagged", "instrument-period", REC, add(COEDP.period, plain("2016-2019"))),
    Case(
        "see-also-string",
        "instrument-see-also",
        TREATY,
        put(RDFS.seeAlso, plain("https://www.coe.int/")),
    ),
    Case("treaty-number-string", "treaty-number", TREATY, put(COEDP.treatyNumber, plain("185"))),
    Case(
        "treaty-number-of-another",
        "treaty-number-matches-iri",
        TREATY,
        put(COEDP.treatyNumber, Literal(186)),
        path="coedp:treatyNumber",
    ),
    Case(
        "cited-in-a-section",
        "citation-cited-in",
        CITATION,
        put(COEDP.citedIn, ID["section/igf-contribution-2008-cybercrime"]),
    ),
    Case(
        "cites-an-organisation",
        "citation-instrument",
        CITATION,
        put(COEDP.citedInstrument, ID["org/coe"]),
    ),
    Case("footnote-string", "citation-footnote", CITATION, put(COEDP.footnote, plain("9"))),
    Case(
        "cited-url-string",
        "citation-url",
        CITATION,
        put(COEDP.citedUrl, plain("http://www.coe.int/cybercrime")),
    ),
    Case(
        "status-of-an-organisation", "treaty-status-state", STATUS, put(COEDP.state, ID["org/coe"])
    ),
    Case(
        "status-towards-a-recommendation",
        "treaty-status-treaty",
        STATUS,
        put(COEDP.treaty, ID[REC]),
    ),
    Case("status-without-action", "treaty-status-action", STATUS, drop(COEDP.treatyAction)),
    # --- sources, rules, statements ------------------------------------------------
    Case(
        "source-named-as-section",
        "SourceDocument/Pattern",
        SOURCE,
        rename("https://coedp.org/id/section/factsheet"),
        path=None,
    ),
    Case(
        "file-name-not-a-copy",
        "source-file-name",
        SOURCE,
        put(COEDP.fileName, plain("factsheet.pdf")),
    ),
    Case("first-line-string", "source-first-line", SOURCE, put(COEDP.firstLine, plain("19"))),
    Case("last-line-missing", "source-last-line", SECTION, drop(COEDP.lastLine)),
    Case("lines-reversed", "lines-in-order", SECTION, put(COEDP.lastLine, Literal(10))),
    Case(
        "section-named-as-source",
        "SourceSection/Pattern",
        SECTION,
        rename("https://coedp.org/id/source/factsheet-areas"),
        path=None,
    ),
    Case(
        "section-of-an-organisation",
        "section-part-of",
        SECTION,
        put(DCTERMS.isPartOf, ID["org/coe"]),
    ),
    Case(
        "rule-named-as-section",
        "CurationRule/Pattern",
        RULE,
        rename("https://coedp.org/id/section/translation"),
        path=None,
    ),
    Case("rule-without-text", "rule-text", RULE, drop(RDFS.comment)),
    Case(
        "list-named-as-figure",
        "StatedList/Pattern",
        LIST,
        rename("https://coedp.org/id/figure/partners-2017"),
        path=None,
    ),
    Case("list-without-items", "list-items", LIST, drop(COEDP.listItem)),
    Case("list-count-string", "list-count", LIST, put(COEDP.statedCount, plain("14"))),
    Case("list-without-line", "list-line", LIST, drop(COEDP.sourceLine), severity="Warning"),
    Case(
        "figure-named-as-list",
        "StatedFigure/Pattern",
        FIGURE,
        rename("https://coedp.org/id/list/partners-in-united-states"),
        path=None,
    ),
    Case("figure-without-count", "figure-count", FIGURE, drop(COEDP.statedCount)),
    Case("figure-total-string", "figure-total", FIGURE, put(COEDP.statedTotal, plain("25"))),
    Case(
        "figure-counts-a-string", "figure-counts", FIGURE, put(COEDP.counts, plain("United States"))
    ),
    Case(
        "figure-without-words", "figure-as-stated", FIGURE, drop(COEDP.asStated), severity="Warning"
    ),
    Case("figure-without-line", "figure-line", FIGURE, drop(COEDP.sourceLine), severity="Warning"),
]

# Constraints written on a node shape itself, by the parameter that names them.
NODE_LEVEL = {SH.pattern: "Pattern", SH.nodeKind: "NodeKind", SH["or"]: "Or", SH.xone: "Xone"}


def constraint_keys(shapes: Graph) -> set[str]:
    """Every constraint of the shapes graph, keyed as ``Case.constraint``."""
    keys = set()
    for shape in set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes.objects(None, SH.property)
    ):
        if isinstance(shape, URIRef):
            keys.add(shape.removeprefix(str(SHAPE)))
    for constraint in shapes.objects(None, SH.sparql):
        keys.add(str(constraint).removeprefix(str(SHAPE)))
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef):
            for param, name in NODE_LEVEL.items():
                if (shape, param, None) in shapes:
                    keys.add(f"{shape.removeprefix(str(SHAPE))}/{name}")
    return keys


def matches(finding: Finding, case: Case, focus: Node, shapes: Graph) -> bool:
    """Is ``finding`` the result ``case`` expects (constraint and focus node)?"""
    if finding.focus != focus:
        return False
    if "/" in case.constraint:
        shape, component = case.constraint.split("/")
        return (
            finding.shape == SHAPE[shape] and finding.component == f"{component}ConstraintComponent"
        )
    if finding.constraint == SHAPE[case.constraint]:
        return True
    return finding.shape == SHAPE[case.constraint]


def expected_path(case: Case, shapes: Graph) -> str | None:
    if case.path is not DEFAULT:
        return case.path  # type: ignore[return-value]
    return path_text(shapes, shapes.value(SHAPE[case.constraint], SH.path))


def same_path(expected: str | None, found: str | None) -> bool:
    """Equal paths; pyshacl leaves nested parts of a complex path out of its
    report ("[]"), which then stand for any part."""
    if expected is None or found is None:
        return expected == found
    pattern = ".+".join(re.escape(part) for part in found.split("[]"))
    return re.fullmatch(pattern, expected) is not None


@dataclass
class Prepared:
    """A case applied to a copy of its focus node's neighbourhood."""

    case: Case
    expected_focus: Node
    nodes: set[Node]  # the nodes whose descriptions the rules of the focus read
    changed: set[Node]  # the nodes whose descriptions the break changed
    base: Graph
    removed: Graph
    added: Graph


def prepare(case: Case, data: Graph) -> Prepared:
    base = neighbourhood(data, case.focus_iri, case.hops)
    broken = Graph()
    broken += base
    expected_focus = case.change(broken, case.focus_iri) or case.focus_iri
    removed, added = base - broken, broken - base
    changed = {s for s, _p, _o in removed} | {s for s, _p, _o in added} | {expected_focus}
    nodes = set(base.subjects()) | {case.focus_iri}
    return Prepared(case, expected_focus, nodes, changed, base, removed, added)


def independent(a: Prepared, b: Prepared) -> bool:
    """Neither break changes a node the other's rules read."""
    return not (a.changed & b.nodes) and not (b.changed & a.nodes)


class Batches:
    """Cases validated together: one validation of the unbroken copies and one
    of the broken copies per batch, instead of one per case. Cases go into the
    same batch only when independent, so each finds exactly what it would find
    alone (every rule reads no further than the neighbourhood of its focus)."""

    def __init__(self, data: Graph, ontology: Graph, shapes: Graph) -> None:
        self.data, self.ontology, self.shapes = data, ontology, shapes
        self.batches: list[list[Prepared]] = []
        self.of: dict[str, int] = {}
        self.done: dict[int, tuple[list[Finding], list[Finding]]] = {}
        for case in CASES:
            prepared = prepare(case, data)
            for number, batch in enumerate(self.batches):
                if all(independent(prepared, other) for other in batch):
                    batch.append(prepared)
                    self.of[case.id] = number
                    break
            else:
                self.of[case.id] = len(self.batches)
                self.batches.append([prepared])

    def findings(self, number: int) -> tuple[list[Finding], list[Finding]]:
        """The findings of batch ``number``, unbroken and broken (computed once)."""
        if number in self.done:
            return self.done[number]
        unbroken, broken = Graph(), Graph()
        for prepared in self.batches[number]:
            unbroken += prepared.base
        broken += unbroken
        for prepared in self.batches[number]:
            broken -= prepared.removed
            broken += prepared.added
        describe_references(broken, self.data)
        self.done[number] = (
            shacl(unbroken, self.ontology, self.shapes),
            shacl(broken, self.ontology, self.shapes),
        )
        return self.done[number]

    def run(self, case: Case) -> tuple[Prepared, list[Finding], list[Finding]]:
        number = self.of[case.id]
        prepared = next(p for p in self.batches[number] if p.case is case)
        return (prepared, *self.findings(number))


@pytest.fixture(scope="module")
def batches(data: Graph, ontology: Graph, shapes: Graph) -> Batches:
    return Batches(data, ontology, shapes)


# -----------------------------------------------------------------------------
# Tests
# -----------------------------------------------------------------------------


def test_real_data_has_no_violation(real_findings: list[Finding]) -> None:
    violations = [f for f in real_findings if f.severity == "Violation"]
    assert violations == [], "\n".join(
        f"{curie(f.focus)} {f.path or ''}: {f.message}" for f in violations
    )


def test_real_data_has_no_warning(real_findings: list[Finding]) -> None:
    """What the sources do not give is recorded as an accepted gap (graph/gaps.ttl), so a
    warning of `coedp validate` is always something new."""
    warnings = [f for f in real_findings if f.severity == "Warning"]
    assert warnings == [], "\n".join(
        f"{curie(f.focus)} {f.path or ''}: {f.message}" for f in warnings
    )


def test_every_constraint_has_a_case(shapes: Graph) -> None:
    keys = constraint_keys(shapes)
    covered = {case.constraint for case in CASES}
    assert keys - covered == set(), "constraints no case breaks"
    assert covered - keys == set(), "cases for constraints that do not exist"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_constraint_bites(
    case: Case,
    data: Graph,
    shapes: Graph,
    real_findings: list[Finding],
    batches: Batches,
) -> None:
    focus = case.focus_iri
    assert (focus, RDF.type, None) in data, f"{curie(focus)} is not in the real data"
    assert not [f for f in real_findings if matches(f, case, focus, shapes)], (
        "the unbroken data already fails"
    )
    prepared, unbroken, broken = batches.run(case)
    assert not [f for f in unbroken if matches(f, case, focus, shapes)], "unbroken copy fails"

    expected_focus = prepared.expected_focus
    findings = [f for f in broken if matches(f, case, expected_focus, shapes)]
    assert findings, f"no result of {case.constraint} for {curie(expected_focus)}"
    assert {f.severity for f in findings} == {case.severity}
    assert any(same_path(expected_path(case, shapes), f.path) for f in findings)
    assert all(f.message for f in findings)


def test_cases_are_batched(batches: Batches) -> None:
    """Batching keeps the suite fast; a case alone in its batch is fine, but
    the cases must share validations overall."""
    assert len(batches.batches) < len(CASES) / 2


def test_controlled_lists_are_the_schemes(data: Graph, shapes: Graph) -> None:
    """Each sh:in list of controlled values is exactly its scheme's concepts."""
    checked = 0
    for shape, scheme in shapes.subject_objects(RDFS.seeAlso):
        allowed = set(Collection(shapes, shapes.value(shape, SH["in"])))
        assert allowed == set(data.subjects(SKOS.inScheme, scheme)), curie(shape)
        checked += 1
    assert checked == 9


def test_every_entity_is_checked(data: Graph, ontology: Graph, shapes: Graph) -> None:
    """Every typed node of the data is reached by shape:Entity (labels, IRI)."""
    merged = data + ontology
    targets = set(shapes.objects(SHAPE.Entity, SH.targetClass))
    reached = set()
    for cls in targets:
        for sub in merged.transitive_subjects(RDFS.subClassOf, cls):
            reached |= set(merged.subjects(RDF.type, sub))
    typed = {s for s in data.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert typed - reached == set()


def test_shapes_are_documented(shapes: Graph) -> None:
    """Every named shape and constraint has French and English labels, a comment,
    and (if it can fail) a message."""
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef):
            langs = {label.language for label in shapes.objects(shape, RDFS.label)}
            assert langs == {"en", "fr"}, curie(shape)
            assert shapes.value(shape, RDFS.comment) is not None, curie(shape)
            if any((shape, param, None) in shapes for param in NODE_LEVEL):
                assert shapes.value(shape, SH.message) is not None, curie(shape)
    named = {s for s in shapes.objects(None, SH.property) if isinstance(s, URIRef)}
    named |= set(shapes.objects(None, SH.sparql))
    for constraint in named:
        langs = {label.language for label in shapes.objects(constraint, RDFS.label)}
        assert langs == {"en", "fr"}, curie(constraint)
        assert shapes.value(constraint, RDFS.comment) is not None, curie(constraint)
        assert shapes.value(constraint, SH.message) is not None, curie(constraint)
