"""The page of one entity: its facts grouped for a reader, links by label.

From a :class:`~coedp.web.describe.Description` and the catalogue this builds
what the template shows: the labels in both languages, the kind, the facts
grouped (identity, names, description, organisation, membership, dates,
participation, instrument, figures, vocabulary, provenance), the incoming
links grouped by property under human headings, the activities an
organisation or person took part in (or the participants of an activity), a
timeline where there are dates, the provenance of the facts (section,
document, lines) and schema.org JSON-LD. Hidden labels (misspellings kept for
search) are never shown, nor are inferred super-property triples that only
repeat a more specific one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coedp.namespaces import COEDP
from coedp.web import catalogue as c
from coedp.web import dates, i18n
from coedp.web.catalogue import Catalogue
from coedp.web.data import Term
from coedp.web.describe import Description
from coedp.web.i18n import t
from coedp.web.identifiers import identifiers
from coedp.web.iris import IriMap

D = str(COEDP)
# node -> property -> values: what a page knows of the entity's neighbours.
Hop = dict[str, dict[str, list[Term]]]


def _is_member(hop: Hop, membership: str, iri: str) -> bool:
    """Whether ``iri`` is the member of ``membership`` (true where the hop does not say)."""
    members = hop.get(membership, {}).get(c.ORG + "member")
    return not members or any(m.value == iri for m in members)


def _d(name: str) -> str:
    return D + name


GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "identity",
        (
            c.TYPE,
            _d("iso3166Alpha2"),
            _d("iso3166Alpha3"),
            _d("treatyNumber"),
            _d("reference"),
            c.SCHEMA + "url",
            c.RDFS + "seeAlso",
            c.OWL + "sameAs",
            c.SKOS + "notation",
            c.DCT + "identifier",
            c.SKOS + "exactMatch",
            c.SKOS + "closeMatch",
            c.SKOS + "broadMatch",
            c.FOAF + "homepage",
        ),
    ),
    (
        "names",
        (c.LABEL, c.PREF, c.ALT, _d("formerName"), c.DCT + "title", _d("name"), _d("nameOf")),
    ),
    (
        "description",
        (
            _d("profile"),
            c.DCT + "description",
            c.RDFS + "comment",
            c.SKOS + "definition",
            c.SKOS + "scopeNote",
            _d("keyPoint"),
            _d("asStated"),
            _d("endReason"),
        ),
    ),
    (
        "organisation",
        (
            _d("seat"),
            _d("seatCountry"),
            _d("countryOfOrigin"),
            _d("office"),
            _d("memberCount"),
            _d("countryCount"),
            _d("figureQualifier"),
            _d("inCountry"),
            c.ORG + "subOrganizationOf",
            c.ORG + "unitOf",
            c.ORG + "hasSubOrganization",
            c.ORG + "hasUnit",
            c.ORG + "holds",
            c.ORG + "memberOf",
            c.ORG + "hasMember",
            c.ORG + "postIn",
            c.ORG + "heldBy",
        ),
    ),
    (
        "membership",
        (
            c.ORG + "member",
            c.ORG + "organization",
            c.ORG + "role",
            _d("post"),
            c.ORG + "memberDuring",
            _d("cohort"),
            _d("membershipStatus"),
            _d("joinedBy"),
            _d("endedBy"),
            _d("endedBecauseOf"),
            _d("suspendedBy"),
            _d("continues"),
            _d("tcInfIntroduction"),
        ),
    ),
    (
        "dates",
        (
            _d("dateText"),
            _d("statedDate"),
            _d("startDate"),
            _d("endDate"),
            _d("datePrecision"),
            c.TIME + "hasBeginning",
            c.TIME + "hasEnd",
            c.TIME + "inXSDDate",
            c.TIME + "inXSDgYearMonth",
            c.TIME + "inXSDgYear",
            _d("adoptedOn"),
            _d("period"),
            c.DCT + "issued",
        ),
    ),
    (
        "participation",
        (
            _d("activity"),
            _d("participant"),
            _d("role"),
            _d("status"),
            _d("capacity"),
            _d("onBehalfOf"),
            _d("organisedBy"),
            _d("chairmanship"),
            _d("category"),
            _d("domain"),
            _d("concerns"),
            _d("location"),
            _d("venue"),
            _d("online"),
            _d("theme"),
            _d("signatory"),
            _d("partOf"),
            _d("partOfSeries"),
            _d("acquirer"),
            c.ORG + "originalOrganization",
            c.ORG + "resultingOrganization",
        ),
    ),
    (
        "instrument",
        (
            _d("adoptedBy"),
            _d("madeWith"),
            _d("supplements"),
            _d("supersedes"),
            _d("citedIn"),
            _d("citedInstrument"),
            _d("footnote"),
            _d("citedUrl"),
            _d("cites"),
            _d("hasCitation"),
            _d("state"),
            _d("treaty"),
            _d("treatyAction"),
        ),
    ),
    ("figures", (_d("listItem"), _d("statedCount"), _d("statedTotal"), _d("counts"))),
    (
        "vocabulary",
        (
            c.SKOS + "inScheme",
            c.SKOS + "topConceptOf",
            c.SKOS + "hasTopConcept",
            c.SKOS + "broader",
            c.SKOS + "narrower",
            c.SKOS + "related",
            c.RDFS + "subClassOf",
            c.RDFS + "subPropertyOf",
            c.RDFS + "domain",
            c.RDFS + "range",
            c.OWL + "inverseOf",
            c.RDFS + "isDefinedBy",
            c.OWL + "versionInfo",
            c.OWL + "versionIRI",
        ),
    ),
    (
        "provenance",
        (
            _d("statedIn"),
            _d("sourceLine"),
            _d("curatedBy"),
            c.PROV + "wasDerivedFrom",
            c.PROV + "wasAttributedTo",
            c.DCT + "source",
            c.DCT + "publisher",
            c.DCT + "creator",
            c.DCT + "license",
            _d("fileName"),
            _d("firstLine"),
            _d("lastLine"),
            c.DCT + "isPartOf",
            c.DCT + "language",
        ),
    ),
)
GROUP_OF: dict[str, str] = {p: g for g, props in GROUPS for p in props}
ORDER_OF: dict[str, int] = {p: n for n, p in enumerate(p for _, props in GROUPS for p in props)}

# Never shown as facts: misspellings, and what the special sections show.
HIDDEN_OUT = {
    c.HIDDEN,
    c.SCHEMA + "sameAs",  # shown under Identifiers
    _d("participatedIn"),
    _d("hasParticipant"),
    _d("hasParticipation"),
    _d("statedIn"),
    _d("sourceLine"),
    _d("curatedBy"),
    c.PROV + "wasDerivedFrom",
    c.PROV + "wasInfluencedBy",
}
HIDDEN_IN = {
    _d("participant"),
    _d("activity"),
    _d("hasParticipant"),
    _d("participatedIn"),
    # the statements about the entity: their sources are the page's footnotes
    c.RDF + "subject",
    c.RDF + "object",
}


@dataclass
class Value:
    """One value shown on a page: a link by label, or text."""

    text: str
    href: str | None = None
    lang: str = ""
    iri: str = ""
    external: bool = False
    title: str = ""  # a tooltip: the source's wording of a date
    notes: list[int] = field(default_factory=list)  # numbers of the footnotes citing it


@dataclass
class Footnote:
    """A place in the sources that states some of the page's facts."""

    number: int
    source: Value
    line: str = ""


@dataclass
class Fact:
    """A property and its values."""

    label: str
    prop: str
    href: str | None
    values: list[Value]


@dataclass
class Group:
    """A titled group of facts."""

    key: str
    title: str
    facts: list[Fact]


@dataclass
class Row:
    """A row of the participation table or the timeline."""

    date: str
    cells: list[list[Value]]


@dataclass
class EntityPage:
    """Everything the entity template shows."""

    iri: str
    title: str
    other_title: str
    labels: dict[str, str]
    kind: str
    kind_values: list[Value]
    groups: list[Group] = field(default_factory=list)
    incoming: list[Group] = field(default_factory=list)
    participations: list[Row] = field(default_factory=list)
    participants: list[Row] = field(default_factory=list)
    timeline: list[Row] = field(default_factory=list)
    membership_summary: list[Row] = field(default_factory=list)
    holders: list[Row] = field(default_factory=list)
    organised_participants: list[Row] = field(default_factory=list)
    provenance: list[list[Value]] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    identifiers: list[Value] = field(default_factory=list)
    schema: dict[str, object] = field(default_factory=dict)
    ontology_link: str | None = None
    graph_dump: str | None = None


class Builder:
    """Builds an :class:`EntityPage` in one language."""

    def __init__(self, cat: Catalogue, iris: IriMap, lang: str) -> None:
        self.cat = cat
        self.iris = iris
        self.lang = lang

    # -- values -----------------------------------------------------------
    def link(self, iri: str) -> Value:
        """An IRI as a link by label (to its page here, or to the web for other IRIs)."""
        href = self.iris.link(iri)
        if href is not None:
            return Value(self.cat.label(iri, self.lang), href, iri=iri)
        if iri in self.cat.labels or iri in self.cat.terms or iri in i18n.loaded().terms:
            return Value(self.cat.label(iri, self.lang), _web_href(iri), iri=iri, external=True)
        return Value(iri, _web_href(iri), iri=iri, external=True)

    def value(self, term: Term) -> Value:
        """A term as shown on a page."""
        if term.is_iri:
            return self.link(term.value)
        if term.kind == "bnode":
            return Value("_:" + term.value)
        if term.datatype == "http://www.w3.org/2001/XMLSchema#boolean":
            return Value(
                t("bool." + ("true" if term.value in ("true", "1") else "false"), self.lang)
            )
        if term.datatype == "http://www.w3.org/2001/XMLSchema#anyURI":
            return Value(term.value, _web_href(term.value), external=True)
        return Value(term.value, lang=term.lang)

    def prop(self, iri: str) -> tuple[str, str | None]:
        """A property's label and where its documentation is."""
        return self.cat.label(iri, self.lang), self.iris.link(iri) or _web_href(iri)

    # -- the page ---------------------------------------------------------
    def build(self, desc: Description) -> EntityPage:
        """The page of ``desc``'s IRI (described with ``detail``)."""
        hop, memberships = desc.hop, desc.memberships
        cat, lang, iri = self.cat, self.lang, desc.iri
        labels = {o.lang: o.value for p, o in desc.out if p.value == c.LABEL and o.lang}
        if not labels:
            labels = dict(cat.labels.get(iri, {}))
        title = cat.label(iri, lang)
        other = labels.get("fr" if lang == "en" else "en", "")
        types = [o.value for p, o in desc.out if p.value == c.TYPE and o.is_iri]
        specific = [ty for ty in types if not any(ty in cat.ancestors.get(o, ()) for o in types)]
        if any(ty.startswith(D) for ty in specific):
            specific = [ty for ty in specific if ty.startswith(D)]
        page = EntityPage(
            iri=iri,
            title=title,
            other_title=other if other != title else "",
            labels=labels,
            kind=", ".join(cat.label(ty, lang) for ty in specific),
            kind_values=[self.link(ty) for ty in specific],
        )
        page.groups = self._groups(desc, page.footnotes)
        page.incoming = self._incoming(desc)
        page.participations = self._participations(desc, hop)
        page.participants = self._participants(desc, hop)
        page.timeline = self._timeline(desc, hop, memberships, page.participations)
        page.membership_summary = self._membership_summary(desc, hop)
        page.holders = self._holders(desc, hop)
        page.organised_participants = self._organised_participants(desc, hop)
        page.provenance = self._provenance(desc, hop)
        page.identifiers = [
            Value(i.text, i.href, external=True) for i in identifiers(desc, self.lang)
        ]
        page.schema = self._schema(desc, types, labels)
        rel = iris_rel(self.iris, iri)
        if rel.startswith("def/"):
            page.ontology_link = self.iris.link(iri)
        if rel.startswith("graph/"):
            page.graph_dump = iri
        return page

    def _hidden_super(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """(property, value) pairs only repeating a more specific property with the same value."""
        by_value: dict[str, set[str]] = {}
        for p, v in pairs:
            by_value.setdefault(v, set()).add(p)
        hidden = set()
        for p, v in pairs:
            for q in by_value[v]:
                if q != p and p in self.cat.ancestors.get(q, ()):
                    hidden.add((p, v))
        return hidden

    def _notes(self, desc: Description, prop: str, value: str, notes: list[Footnote]) -> list[int]:
        """The footnote numbers of the places stating ``prop value``, numbered as first cited."""
        numbers = []
        for where, section, line in desc.sources.get((prop, value), []):
            found = next((n for n in notes if n.source.iri == (section or where)
                          and n.line == line), None)
            if found is None:
                found = Footnote(len(notes) + 1, self.link(section or where), line)
                notes.append(found)
            numbers.append(found.number)
        return sorted(set(numbers))

    def _groups(self, desc: Description, notes: list[Footnote] | None = None) -> list[Group]:
        pairs = [(p.value, o.value) for p, o in desc.out]
        hidden = self._hidden_super(pairs)
        facts: dict[str, list[Value]] = {}
        order: list[str] = []
        own_labels = desc.values(c.LABEL)
        for p, o in desc.out:
            prop = p.value
            if prop in HIDDEN_OUT or (prop, o.value) in hidden:
                continue
            if prop == c.TYPE:
                continue  # the kinds head the page
            if prop == c.LABEL and len(own_labels) <= 2:
                continue  # the labels are the page's title and subtitle
            if prop not in facts:
                facts[prop] = []
                order.append(prop)
            shown = self.value(o)
            if notes is not None:
                shown.notes = self._notes(desc, prop, o.value, notes)
            facts[prop].append(shown)
        for prop, values in facts.items():
            facts[prop] = _one_per_text(values, self.lang)
        groups: dict[str, list[Fact]] = {}
        order.sort(key=lambda prop: (ORDER_OF.get(prop, len(ORDER_OF)), prop))
        for prop in order:
            label, href = self.prop(prop)
            groups.setdefault(GROUP_OF.get(prop, "other"), []).append(
                Fact(label, prop, href, facts[prop])
            )
        if desc.values(_d("startDate")) and "dates" in groups:
            # The date as a reader reads it, first: the facts below are its wording and bounds.
            groups["dates"].insert(
                0, Fact(t("timeline.date", self.lang), "", None, [self._own_date(desc)])
            )
        keys = [g for g, _ in GROUPS] + ["other"]
        return [Group(k, t("group." + k, self.lang), groups[k]) for k in keys if k in groups]

    def _incoming(self, desc: Description) -> list[Group]:
        pairs = [(p.value, s.value) for s, p in desc.incoming]
        hidden = self._hidden_super(pairs)
        by_prop: dict[str, list[Value]] = {}
        for s, p in desc.incoming:
            if p.value in HIDDEN_IN or (p.value, s.value) in hidden or "#L" in s.value:
                continue  # (a section's lines are where statements cite it)
            by_prop.setdefault(p.value, []).append(self.value(s))
        groups = []
        for prop, values in by_prop.items():
            values.sort(key=lambda v: v.text.casefold())
            title = i18n.incoming_heading(prop, self.lang) or t(
                "entity.incoming.by", self.lang, label=self.cat.label(prop, self.lang)
            )
            groups.append(Group(prop, title, [Fact(title, prop, self.prop(prop)[1], values)]))
        groups.sort(key=lambda g: g.title.casefold())
        return groups

    def _first(self, hop: dict[str, dict[str, list[Term]]], node: str, prop: str) -> str:
        values = hop.get(node, {}).get(_d(prop) if ":" not in prop else prop, [])
        return values[0].value if values else ""

    def _links(self, hop: dict[str, dict[str, list[Term]]], node: str, prop: str) -> list[Value]:
        return [self.value(v) for v in hop.get(node, {}).get(_d(prop), [])]

    def _date_of(self, hop: dict[str, dict[str, list[Term]]], node: str) -> str:
        return self._first(hop, node, "startDate")

    def _participations(self, desc: Description, hop: Hop) -> list[Row]:
        """For an organisation or person: the activities it took part in."""
        parts: dict[str, list[str]] = {}
        for s, p in desc.incoming:
            if p.value == _d("participant"):
                for done in hop.get(s.value, {}).get(_d("activity"), []):
                    parts.setdefault(done.value, []).append(s.value)
        activities = set(parts) | {o.value for o in desc.values(_d("participatedIn")) if o.is_iri}
        rows = []
        for activity in activities:
            roles = [v for part in parts.get(activity, []) for v in self._links(hop, part, "role")]
            statuses = [
                v for part in parts.get(activity, []) for v in self._links(hop, part, "status")
            ]
            start = self._date_of(hop, activity)
            rows.append(
                Row(
                    start,
                    [
                        [self._stated_date(hop, activity)],
                        [self.link(activity)],
                        self._links(hop, activity, "organisedBy")
                        + self._links(hop, activity, "chairmanship"),
                        _unique(roles),
                        _unique(statuses),
                    ],
                )
            )
        rows.sort(key=lambda r: (r.date or "9999", r.cells[1][0].text.casefold()))
        return rows

    def _membership_summary(self, desc: Description, hop: Hop) -> list[Row]:
        """For a member: each membership's organisation, status, joining, leaving and why."""
        rows = []
        for membership, start, end in desc.memberships:
            if membership == desc.iri or not _is_member(hop, membership, desc.iri):
                continue
            node = hop.get(membership, {})
            reasons = node.get(_d("endReason"), [])
            reason = [r for r in reasons if r.lang == self.lang] or reasons[:1]
            rows.append(
                Row(
                    start,
                    [
                        [self.value(v) for v in node.get(c.ORG + "organization", [])],
                        self._links(hop, membership, "membershipStatus"),
                        [self._lexical_date(start)] if start else [],
                        self._links(hop, membership, "joinedBy"),
                        [self._lexical_date(end)] if end else [],
                        self._links(hop, membership, "endedBy")
                        + [Value(r.value, lang=r.lang) for r in reason],
                        [self.link(membership)],
                    ],
                )
            )
        return rows

    def _holders(self, desc: Description, hop: Hop) -> list[Row]:
        """For a post, or the organisation of posts: who held them, from when to when."""
        rows = []
        for holding, start, end in desc.memberships:
            node = hop.get(holding, {})
            if holding == desc.iri or _is_member(hop, holding, desc.iri) or not node.get(
                _d("post")
            ):
                continue
            rows.append(
                Row(
                    start,
                    [
                        [self.value(v) for v in node.get(c.ORG + "member", [])],
                        [self.value(v) for v in node.get(_d("post"), [])],
                        [self._lexical_date(start)] if start else [],
                        [self._lexical_date(end)] if end else [],
                        [self.link(holding)],
                    ],
                )
            )
        rows.sort(key=lambda r: r.date or "9999")
        return rows

    def _organised_participants(self, desc: Description, hop: Hop) -> list[Row]:
        """For an organiser: each of its activities with who took part in it."""
        by_activity: dict[str, list[Value]] = {}
        for activity, participant in desc.organised_participants:
            by_activity.setdefault(activity, []).append(self.link(participant))
        rows = []
        for activity, who in by_activity.items():
            start = self._first(hop, activity, "startDate")
            who.sort(key=lambda v: v.text.casefold())
            cells = [[self._stated_date(hop, activity)], [self.link(activity)], _unique(who)]
            rows.append(Row(start, cells))
        rows.sort(key=lambda r: (r.date or "9999", r.cells[1][0].text.casefold()))
        return rows

    def _stated_date(self, hop: Hop, node: str) -> Value:
        """``node``'s date in the page's language at its precision, the source's wording as
        the tooltip (the wording itself where the bounds are missing)."""
        texts = hop.get(node, {}).get(_d("dateText"), [])
        wording = texts[0].value if texts else ""
        shown = dates.display(
            self._first(hop, node, "startDate"),
            self._first(hop, node, "endDate"),
            self._first(hop, node, "datePrecision"),
            self.lang,
        )
        if not shown:
            return Value(wording, lang=texts[0].lang if texts else "")
        return Value(shown, title=wording)

    def _own_date(self, desc: Description) -> Value:
        """The described entity's own date, read from its triples as a neighbour's is."""
        own: dict[str, list[Term]] = {}
        for p, o in desc.out:
            own.setdefault(p.value, []).append(o)
        return self._stated_date({desc.iri: own}, desc.iri)

    def _lexical_date(self, text: str) -> Value:
        """An xsd:date, gYearMonth or gYear value at its own precision."""
        return Value(dates.display_lexical(text, self.lang) or text)

    def _participants(self, desc: Description, hop: Hop) -> list[Row]:
        """For an activity or event: who took part, in what role, with what status."""
        rows = []
        for s, p in desc.incoming:
            if p.value != _d("activity"):
                continue
            part = s.value
            who = self._links(hop, part, "participant")
            if not who:
                continue
            rows.append(
                Row(
                    "",
                    [
                        who,
                        self._links(hop, part, "role"),
                        self._links(hop, part, "status"),
                        [
                            Value(v.value, lang=v.lang)
                            for v in hop.get(part, {}).get(_d("capacity"), [])
                        ]
                        + self._links(hop, part, "onBehalfOf"),
                        [self.link(part)],
                    ],
                )
            )
        rows.sort(key=lambda r: r.cells[0][0].text.casefold())
        return rows

    def _timeline(self, desc: Description, hop: Hop, memberships: list[tuple[str, str, str]],
                  participations: list[Row]) -> list[Row]:
        lang = self.lang
        rows: list[Row] = []
        for membership, start, end in memberships:
            what = self.link(membership)
            # A term of office or a chairmanship starts and ends; a partner joins and leaves.
            held = bool(hop.get(membership, {}).get(_d("post")))
            began, ended = ("timeline.start", "timeline.end") if held else (
                "timeline.joined", "timeline.left")
            if start:
                rows.append(
                    Row(start, [[self._lexical_date(start)], [Value(t(began, lang))], [what]])
                )
            if end:
                rows.append(Row(end, [[self._lexical_date(end)], [Value(t(ended, lang))], [what]]))
        for row in participations:
            if row.date:
                rows.append(
                    Row(row.date, [row.cells[0], [Value(t("col.activity", lang))], row.cells[1]])
                )
        for s, p in desc.incoming:
            if p.value == _d("organisedBy"):
                date = self._date_of(hop, s.value)
                if date:
                    rows.append(
                        Row(
                            date,
                            [
                                [self._stated_date(hop, s.value)],
                                [Value(t("col.activity", lang))],
                                [self.link(s.value)],
                            ],
                        )
                    )
        # The entity's own date: one row at its precision, not its bounds as two days.
        for value in desc.values(_d("startDate"))[:1]:
            rows.append(
                Row(
                    value.value,
                    [
                        [self._own_date(desc)],
                        [Value(t("timeline.date", lang))],
                        [Value(self.cat.label(desc.iri, lang))],
                    ],
                )
            )
        rows.sort(key=lambda r: r.date)
        return rows if len(rows) >= 2 else []

    def _provenance(self, desc: Description, hop: Hop) -> list[list[Value]]:
        """The source sections the facts come from (with document and lines), rules, origins."""
        result = []
        sections = {o.value for o in desc.values(_d("statedIn"))}
        for node in sorted(sections):
            parents = [self.value(v) for v in hop.get(node, {}).get(c.DCT + "isPartOf", [])]
            first, last = self._first(hop, node, "firstLine"), self._first(hop, node, "lastLine")
            span = t("entity.lines", self.lang, a=first, b=last) if first and last else ""
            result.append([self.link(node), *parents, Value(span)])
        lines = [o.value for o in desc.values(_d("sourceLine"))]
        if lines:
            result.append([Value(", ".join(t("entity.line", self.lang, n=n) for n in lines))])
        for rule in desc.values(_d("curatedBy")):
            result.append([Value(t("entity.curated", self.lang)), self.value(rule)])
        for origin in desc.values(c.PROV + "wasDerivedFrom"):
            if origin.value not in sections:
                result.append([Value(t("entity.derived", self.lang)), self.value(origin)])
        return result

    def _schema(self, desc: Description, types: list[str],
                labels: dict[str, str]) -> dict[str, object]:
        """schema.org JSON-LD for search engines."""
        kind = "Thing"
        for cls, name in SCHEMA_TYPES:
            if cls in types:
                kind = name
                break
        doc: dict[str, object] = {
            "@context": "https://schema.org",
            "@id": desc.iri,
            "@type": kind,
            "name": [{"@value": v, "@language": lg} for lg, v in sorted(labels.items())],
        }
        alt = sorted({o.value for o in desc.values(c.ALT)})
        if alt:
            doc["alternateName"] = alt
        description = [
            o for o in desc.values(c.DCT + "description") + desc.values(_d("profile")) if o.lang
        ]
        if description:
            doc["description"] = [{"@value": o.value, "@language": o.lang} for o in description]
        urls = [o.value for o in desc.values(c.SCHEMA + "url")]
        if urls:
            doc["url"] = urls[0]
        # coedp:startDate and coedp:endDate are bounds: schema.org's start and end only
        # where the source gives days; otherwise the stated month or year, if one.
        exact = any(o.value.endswith("/precision/day") for o in desc.values(_d("datePrecision")))
        stated = desc.values(_d("statedDate"))
        for prop, key in (("startDate", "startDate"), ("endDate", "endDate")):
            values = desc.values(_d(prop)) if exact else stated
            if values:
                doc[key] = values[0].value
        for prop, key in (
            ("organisedBy", "organizer"),
            ("location", "location"),
            ("hasParticipant", "attendee"),
            ("seat", "location"),
        ):
            iris = [o.value for o in desc.values(_d(prop)) if o.is_iri]
            if iris and key not in doc:
                doc[key] = [{"@id": v, "name": self.cat.label(v, self.lang)} for v in iris]
        same = [
            o.value
            for prop in (c.OWL + "sameAs", c.SCHEMA + "sameAs", c.RDFS + "seeAlso")
            for o in desc.values(prop)
        ]
        if same:
            doc["sameAs"] = same
        return doc


SCHEMA_TYPES: tuple[tuple[str, str], ...] = (
    (D + "Person", "Person"),
    (D + "Company", "Corporation"),
    (D + "CoEBody", "GovernmentOrganization"),
    (D + "InternationalOrganisation", "GovernmentOrganization"),
    (D + "GovernmentBody", "GovernmentOrganization"),
    (D + "NonGovernmentalOrganisation", "NGO"),
    (c.ORG + "Organization", "Organization"),
    (D + "Country", "Country"),
    (D + "Place", "Place"),
    (D + "EventSeries", "EventSeries"),
    (D + "Activity", "Event"),
    (D + "Treaty", "Legislation"),
    (D + "Instrument", "CreativeWork"),
    (D + "SourceDocument", "CreativeWork"),
    (c.DCAT + "Dataset", "Dataset"),
    (c.SKOS + "Concept", "DefinedTerm"),
)


def iris_rel(iris: IriMap, iri: str) -> str:
    """The IRI relative to the base ('' for an IRI elsewhere)."""
    return iris.relative(iri) if iris.is_local(iri) else ""


def _web_href(iri: str) -> str | None:
    """A link to an IRI elsewhere, only for web IRIs (never javascript: or data:)."""
    return iri if iri.startswith(("http://", "https://")) else None


def _one_per_text(values: list[Value], lang: str) -> list[Value]:
    """The values sorted for reading, a text written alike in both languages shown once.

    "Telefónica SA"@fr and "Telefónica SA"@en are one name: it is shown once,
    without a language tag; texts that differ keep theirs.
    """
    langs: dict[str, set[str]] = {}
    for v in values:
        if v.lang:
            langs.setdefault(v.text, set()).add(v.lang)
    out: list[Value] = []
    seen: set[str] = set()
    notes: dict[str, set[int]] = {}
    for v in values:
        notes.setdefault(v.text, set()).update(v.notes)
    for v in values:
        if v.lang and len(langs.get(v.text, ())) > 1:
            if v.text in seen:
                continue
            seen.add(v.text)
            v = Value(v.text, v.href, iri=v.iri, external=v.external,
                      notes=sorted(notes[v.text]))
        out.append(v)
    out.sort(key=lambda v: (v.lang not in ("", lang), v.lang, v.text.casefold()))
    return out


def _unique(values: list[Value]) -> list[Value]:
    seen: set[str] = set()
    out = []
    for v in values:
        key = v.iri or v.text
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out
