"""The home page, the index page of each kind of entity, and search.

Index pages (/partners, /organisations, /bodies, /activities, /events,
/instruments, /countries, /people) are tables sorted and filtered on the
server from query parameters, so that they work without script:
``?q=words`` keeps the rows holding every word (accents and case ignored;
at most 200 characters, else 400),
``?sort=COLUMN`` (``&order=desc``) sorts, and ``?f.COLUMN=IRI`` keeps the
rows whose column names that entity (the facet selects of the filter form).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from coedp import release
from coedp.namespaces import COEDP
from coedp.server.deps import services
from coedp.web import catalogue, charts, data, dates, deref, downloads, i18n, releases, render
from coedp.web.catalogue import ORG, SKOS, TIME, Catalogue
from coedp.web.data import DataError
from coedp.web.entity import Value
from coedp.web.iris import IriMap
from coedp.web.search import TYPO, SearchIndex, fold
from coedp.web.state import site

router = APIRouter(include_in_schema=False)
D = str(COEDP)


# -- index pages ----------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A column of an index table: the query variable it shows and how."""

    key: str
    title: str  # message id
    kind: str = "link"  # link | text | date | number | kind | name
    facet: bool = False


@dataclass(frozen=True)
class Index:
    """An index page: which entities, which columns, and the query that fills them."""

    slug: str
    nav: str
    title: str  # message id
    classes: tuple[str, ...]
    columns: tuple[Column, ...]
    query: str = ""
    exclude: tuple[str, ...] = ()
    default_sort: str = "name"


NAME = Column("name", "name", "name")
KIND = Column("kind", "kind", "kind", facet=True)
P = f"""PREFIX coedp: <{D}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
"""

INDEXES: tuple[Index, ...] = (
    Index(
        "partners",
        "nav.partners",
        "index.partners",
        (D + "DigitalPartner",),
        (
            NAME,
            KIND,
            Column("country", "index.partners.country", facet=True),
            Column("cohort", "index.partners.cohort", facet=True),
            Column("status", "index.partners.status", facet=True),
            Column("joined", "index.partners.joined", "date"),
            Column("activities", "index.partners.activities", "number"),
        ),
        P
        + """SELECT ?item ?country ?cohort ?status ?joined ?activities WHERE {
  ?item a coedp:DigitalPartner .
  OPTIONAL { ?item coedp:seatCountry ?country }
  OPTIONAL { ?m a coedp:PartnershipMembership ; org:member ?item .
             OPTIONAL { ?m coedp:cohort ?cohort } OPTIONAL { ?m coedp:membershipStatus ?status }
             OPTIONAL { ?m org:memberDuring/time:hasBeginning
                          /(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?joined } }
  OPTIONAL { SELECT ?item (COUNT(DISTINCT ?a) AS ?activities) WHERE {
             ?p coedp:participant ?item ; coedp:activity ?a . ?a a coedp:WorkPlanActivity }
             GROUP BY ?item }
}""",
    ),
    Index(
        "organisations",
        "nav.organisations",
        "index.organisations",
        (ORG + "Organization",),
        (
            NAME,
            KIND,
            Column("country", "index.organisations.country", facet=True),
            Column("activities", "index.organisations.activities", "number"),
        ),
        P
        + """SELECT ?item ?country ?activities WHERE {
  ?item a org:Organization .
  OPTIONAL { ?item coedp:seatCountry ?country }
  OPTIONAL { SELECT ?item (COUNT(DISTINCT ?a) AS ?activities) WHERE {
             ?p coedp:participant ?item ; coedp:activity ?a } GROUP BY ?item }
}""",
        exclude=(D + "DigitalPartner", D + "CoEBody"),
    ),
    Index(
        "bodies",
        "nav.bodies",
        "index.bodies",
        (D + "CoEBody",),
        (
            NAME,
            KIND,
            Column("parent", "index.bodies.parent", facet=True),
            Column("activities", "index.bodies.activities", "number"),
        ),
        P
        + """SELECT ?item ?parent ?activities WHERE {
  ?item a coedp:CoEBody .
  OPTIONAL { ?item org:subOrganizationOf ?parent }
  OPTIONAL { SELECT ?item (COUNT(DISTINCT ?a) AS ?activities) WHERE {
             ?a coedp:organisedBy ?item } GROUP BY ?item }
}""",
    ),
    Index(
        "activities",
        "nav.activities",
        "index.activities",
        (D + "WorkPlanActivity",),
        (
            Column("date", "index.activities.date", "date"),
            NAME,
            Column("body", "index.activities.body", facet=True),
            Column("domain", "index.activities.domain", facet=True),
            Column("category", "index.activities.category", facet=True),
            Column("participants", "index.activities.participants", "number"),
        ),
        P
        + """SELECT ?item ?date ?dateEnd ?precision ?dateText ?body ?domain ?category ?participants
WHERE {
  ?item a coedp:WorkPlanActivity .
  OPTIONAL { ?item coedp:startDate ?date } OPTIONAL { ?item coedp:dateText ?dateText }
  OPTIONAL { ?item coedp:endDate ?dateEnd } OPTIONAL { ?item coedp:datePrecision ?precision }
  OPTIONAL { ?item coedp:organisedBy ?body } OPTIONAL { ?item coedp:domain ?domain }
  OPTIONAL { ?item coedp:category ?category }
  OPTIONAL { SELECT ?item (COUNT(DISTINCT ?who) AS ?participants) WHERE {
             ?p coedp:activity ?item ; coedp:participant ?who } GROUP BY ?item }
}""",
        default_sort="date",
    ),
    Index(
        "events",
        "nav.events",
        "index.events",
        (D + "Event", D + "EventSeries"),
        (
            Column("date", "index.events.date", "date"),
            NAME,
            KIND,
            Column("location", "index.events.location", facet=True),
        ),
        P
        + """SELECT ?item ?date ?dateEnd ?precision ?dateText ?location WHERE {
  { ?item a coedp:Event } UNION { ?item a coedp:EventSeries }
  OPTIONAL { ?item coedp:startDate ?date } OPTIONAL { ?item coedp:dateText ?dateText }
  OPTIONAL { ?item coedp:endDate ?dateEnd } OPTIONAL { ?item coedp:datePrecision ?precision }
  OPTIONAL { ?item coedp:location ?location }
}""",
        default_sort="date",
    ),
    Index(
        "instruments",
        "nav.instruments",
        "index.instruments",
        (D + "Instrument",),
        (
            NAME,
            KIND,
            Column("reference", "index.instruments.reference", "text"),
            Column("adopted", "index.instruments.adopted", "date"),
        ),
        P
        + """SELECT ?item ?reference ?adopted WHERE {
  ?item a coedp:Instrument .
  OPTIONAL { ?item coedp:reference ?reference } OPTIONAL { ?item coedp:adoptedOn ?adopted }
}""",
    ),
    Index(
        "countries",
        "nav.countries",
        "index.countries",
        (D + "Country",),
        (
            NAME,
            Column("code", "index.countries.code", "text"),
            Column("partners", "index.countries.partners", "number"),
        ),
        P
        + """SELECT ?item ?code ?partners WHERE {
  ?item a coedp:Country .
  OPTIONAL { ?item coedp:iso3166Alpha2 ?code }
  OPTIONAL { SELECT ?item (COUNT(DISTINCT ?p) AS ?partners) WHERE {
             ?p a coedp:DigitalPartner ; coedp:seatCountry ?item } GROUP BY ?item }
}""",
    ),
    Index(
        "people",
        "nav.people",
        "index.people",
        (D + "Person",),
        (
            NAME,
            Column("post", "index.people.post"),
            Column("activities", "index.people.activities", "number"),
        ),
        P
        + """PREFIX schema: <https://schema.org/>
SELECT ?item ?post ?activities ?sortName WHERE {
  ?item a coedp:Person .
  OPTIONAL { ?item schema:familyName ?sortName }
  OPTIONAL { ?item org:holds ?post }
  OPTIONAL { SELECT ?item (COUNT(DISTINCT ?a) AS ?activities) WHERE {
             ?p coedp:participant ?item ; coedp:activity ?a } GROUP BY ?item }
}""",
    ),
)
INDEX_BY_SLUG = {ix.slug: ix for ix in INDEXES}


@dataclass
class Cell:
    """A table cell: what it shows and the key it sorts by."""

    values: list[Value]
    sort: SortKey


# (0, value) for a cell with a value, (1, "") for an empty one.
SortKey = tuple[int, str | float]


def _sort_key(kind: str, texts: list[str]) -> SortKey:
    if not texts:
        return (1, "")
    if kind == "number":
        try:
            return (0, float(texts[0]))
        except ValueError:
            return (0, 0.0)
    return (0, fold(" ".join(texts)))


def _date_value(
    values: dict[str, list[data.Term]], key: str, start: str, lang: str
) -> Value:
    """A date cell: written in the page's language at its precision, the source's wording
    as its tooltip (the ``date`` column reads ?dateEnd, ?precision and ?dateText)."""
    if key != "date":
        return Value(dates.display_lexical(start, lang) or start)

    def first(name: str) -> str:
        found = values.get(name, [])
        return found[0].value if found else ""

    shown = dates.display(start, first("dateEnd"), first("precision"), lang)
    return Value(shown or start, title=first("dateText"))


async def index_rows(request: Request, ix: Index, cat: Catalogue,
                     lang: str) -> list[dict[str, Cell]]:
    """Every row of an index: column key -> Cell."""
    iris = IriMap(services(request.app).settings.base_iri)
    items = set()
    for cls in ix.classes:
        items.update(cat.instances(cls))
    items -= {i for cls in ix.exclude for i in cat.instances(cls)}
    extra: dict[str, dict[str, list[data.Term]]] = {}
    if ix.query:
        for answer in await data.select(request.app, ix.query):
            item = answer["item"].value
            for key, term in answer.items():
                if key != "item" and term not in extra.setdefault(item, {}).setdefault(key, []):
                    extra[item][key].append(term)

    def link(value: str) -> Value:
        return Value(cat.label(value, lang), iris.link(value), iri=value)

    rows = []
    for item in items:
        values = extra.get(item, {})
        row: dict[str, Cell] = {"_iri": Cell([], (0, item))}
        for col in ix.columns:
            if col.kind == "name":
                v = link(item)
                # People are filed under their family name (?sortName), then the full name.
                family = [t.value for t in values.get("sortName", [])[:1]]
                cell = Cell([v], _sort_key("name", [*family, v.text]))
            elif col.kind == "kind":
                kinds = cat.kinds(item, D)
                vs = [link(k) for k in kinds]
                cell = Cell(vs, _sort_key("text", [v.text for v in vs]))
            else:
                terms = values.get(col.key, [])
                if col.kind == "link":
                    vs = [link(term.value) for term in terms if term.is_iri]
                elif col.kind == "date":
                    vs = [_date_value(values, col.key, term.value, lang) for term in terms[:1]]
                    cell = Cell(vs, _sort_key("date", [x.value for x in terms]))
                    row[col.key] = cell
                    continue
                else:
                    vs = [Value(term.value) for term in terms]
                if col.kind == "number" and not vs:
                    vs = [Value("0")]
                cell = Cell(vs, _sort_key(col.kind, [v.text for v in vs]))
            row[col.key] = cell
        rows.append(row)
    return rows


MAX_FILTER_LENGTH = 200  # characters of ?q=: as /search reads; a filter longer than that is no
# person's filter, and each word costs a pass over every row


def filter_words(q: str) -> list[str]:
    """The distinct folded words of a filter, in order."""
    return list(dict.fromkeys(fold(q).split()))


def row_matches(haystack: str, words: list[str]) -> bool:
    """Whether every word occurs in the row's folded text (built once per row)."""
    return all(word in haystack for word in words)


def _filter_too_long(request: Request, lang: str, length: int) -> Response:
    message = i18n.t("index.filter.too-long", lang, length=length, most=MAX_FILTER_LENGTH)
    return _bad_request(request, message)


def _bad_request(request: Request, message: str) -> Response:
    """400 with ``message``: an error page for a browser, plain text for the rest."""
    if deref.wants_html(request):
        return render.page(request, "error.html", {"message": message}, status=400)
    return Response(message + "\n", status_code=400, media_type="text/plain; charset=utf-8")


def _index_route(ix: Index) -> Callable[[Request], Awaitable[Response]]:
    async def index_page(request: Request) -> Response:
        lang, _ = i18n.choose(request)
        q = request.query_params.get("q", "")
        if len(q) > MAX_FILTER_LENGTH:
            return _filter_too_long(request, lang, len(q))
        try:
            cat = await catalogue.get(request.app)
            rows = await index_rows(request, ix, cat, lang)
        except DataError as exc:
            return deref.unavailable(request, str(exc))
        total = len(rows)
        params = request.query_params
        facets = []
        for col in ix.columns:
            if not col.facet:
                continue
            options = sorted(
                {(v.iri, v.text) for r in rows for v in r[col.key].values if v.iri},
                key=lambda o: fold(o[1]),
            )
            chosen = params.get(f"f.{col.key}", "")
            facets.append((col, options, chosen))
            if chosen:
                rows = [r for r in rows if any(v.iri == chosen for v in r[col.key].values)]
        words = filter_words(q)
        if words:
            rows = [
                r for r in rows
                if row_matches(
                    fold(" ".join(v.text for c in ix.columns for v in r[c.key].values)), words
                )
            ]
        keys = [c.key for c in ix.columns]
        sort = params.get("sort", ix.default_sort)
        if sort not in keys:
            sort = ix.default_sort
        descending = params.get("order") == "desc"
        filled = [r for r in rows if r[sort].sort[0] == 0]
        empty = [r for r in rows if r[sort].sort[0] != 0]  # empty cells last, either way
        filled.sort(key=lambda r: (r[sort].sort[1], r["name"].sort[1]), reverse=descending)
        empty.sort(key=lambda r: r["name"].sort[1])
        rows = filled + empty
        return render.page(
            request,
            "index.html",
            {
                "ix": ix,
                "title": i18n.t(ix.title, lang),
                "rows": rows,
                "total": total,
                "sort": sort,
                "descending": descending,
                "facets": facets,
                "q": q,
                "col_title": lambda col: i18n.t(col.title, lang),
            },
        )

    index_page.__name__ = f"index_{ix.slug}"
    index_page.__doc__ = f"The index of {i18n.t(ix.title, 'en').lower()}."
    return index_page


for _ix in INDEXES:
    router.add_api_route(f"/{_ix.slug}", _index_route(_ix), methods=["GET", "HEAD"])


# -- search ------------------------------------------------------------------------
SEARCH_PAGE_SIZE = 100
# Reference data a reader seldom searches for by name, then nodes that only hold a
# statement together (a participation, a membership, an instant): ranked after the rest.
REFERENCE_CLASSES = frozenset(
    {D + "Country", D + "Place", SKOS + "Concept", SKOS + "ConceptScheme", D + "SourceSection",
     D + "SourceDocument"}
)
AUXILIARY_CLASSES = frozenset(
    {D + "Participation", D + "CoEMembership", D + "PartnershipMembership",
     ORG + "Membership", TIME + "Instant", TIME + "ProperInterval", TIME + "Interval",
     D + "StatedFigure", D + "StatedList", D + "Citation", D + "NameUse", D + "CurationRule",
     D + "TreatyStatus"}
)


def search_tiers(cat: Catalogue) -> dict[str, int]:
    """0 for the entities readers look for, 1 for reference data and the ontology's own
    terms, 2 for auxiliary nodes."""
    tiers: dict[str, int] = {}
    for iri, types in cat.types.items():
        if types & AUXILIARY_CLASSES:
            tiers[iri] = 2
        elif types & REFERENCE_CLASSES or iri.startswith(D):
            tiers[iri] = 1
    return tiers


async def search_index(request: Request) -> SearchIndex:
    """The app's search index, built once from the catalogue."""
    app = request.app
    state = site(app)
    index = state.search
    if index is None:
        cat = await catalogue.get(app)
        index = state.search = SearchIndex(cat.names, search_tiers(cat))
    return index


def _page_number(raw: str) -> int | None:
    """``?page=``, 1 or more; None when it is not a plain number."""
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        return None
    return int(raw)


@router.api_route("/search", methods=["GET", "HEAD"])
async def search(request: Request) -> Response:
    """Entities whose names match ``q`` (accents, case and small typos aside), best first.

    ``type`` keeps one kind of entity (an index page's slug: partners, bodies...);
    results come 100 a page (``page``).
    """
    query = request.query_params.get("q", "")[:MAX_FILTER_LENGTH]
    wanted_type = request.query_params.get("type", "")
    number = _page_number(request.query_params.get("page", ""))
    lang, _ = i18n.choose(request)
    if wanted_type and wanted_type not in INDEX_BY_SLUG:
        kinds = ", ".join(INDEX_BY_SLUG)
        return _bad_request(
            request, f"unknown type {wanted_type[:40]!r}: use one of {kinds}"
        )
    if number is None:
        return _bad_request(request, "page must be a whole number from 1")
    try:
        index = await search_index(request)
        cat = await catalogue.get(request.app)
    except DataError as exc:
        return deref.unavailable(request, str(exc))
    found = index.search(query)
    if wanted_type:
        ix = INDEX_BY_SLUG[wanted_type]
        keep = {i for cls in ix.classes for i in cat.instances(cls)}
        keep -= {i for cls in ix.exclude for i in cat.instances(cls)}
        found = [h for h in found if h.iri in keep]
    total = len(found)
    first = (number - 1) * SEARCH_PAGE_SIZE
    iris = IriMap(services(request.app).settings.base_iri)
    hits = []
    for hit in found[first : first + SEARCH_PAGE_SIZE]:
        label = cat.label(hit.iri, lang)
        hits.append(
            {
                "label": label,
                "href": iris.link(hit.iri) or hit.iri,
                "iri": hit.iri,
                "kind": cat.kind_label(hit.iri, D, lang),
                "matched": hit.name if fold(hit.name) != fold(label) else "",
                "typo": hit.rank == TYPO,
                "hidden": any(
                    v == hit.name and p == catalogue.HIDDEN
                    for v, _, p in cat.names.get(hit.iri, ())
                ),
            }
        )
    context = {
        "search_query": query,
        "search_type": wanted_type,
        "search_types": [(ix.slug, i18n.t(ix.nav, lang)) for ix in INDEXES],
        "hits": hits,
        "total": total,
        "first": first + 1,
        "last": first + len(hits),
        "prev_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if first + len(hits) < total else None,
    }
    return render.page(request, "search.html", context)


# -- home ---------------------------------------------------------------------------
# The home page's counts: (the index, the class counted); each named by "home.count.<index>".
COUNTS: tuple[tuple[str, str], ...] = (
    ("/partners", D + "DigitalPartner"),
    ("/activities", D + "WorkPlanActivity"),
    ("/bodies", D + "CoEBody"),
    ("/instruments", D + "Instrument"),
    ("/events", D + "Event"),
    ("/people", D + "Person"),
    ("/countries", D + "Country"),
)


@router.api_route("/", methods=["GET", "HEAD"])
async def home(request: Request) -> Response:
    """The story of the partnership at a glance: counts, charts, ways in."""
    lang, _ = i18n.choose(request)
    try:
        cat = await catalogue.get(request.app)
    except DataError as exc:
        return deref.unavailable(request, str(exc))
    counts = [
        (href, len(cat.instances(cls)), i18n.t("home.count." + href.strip("/"), lang))
        for href, cls in COUNTS
    ]
    iris = IriMap(services(request.app).settings.base_iri)
    # The dataset never changes while it is served: draw each language's charts once.
    cache = site(request.app).home_charts
    if lang not in cache:
        drawn = [
            await charts.compute(request.app, spec, cat, lang, iris.link)
            for spec in charts.HOME_CHARTS
        ]
        if all(not chart.error for chart in drawn):
            cache[lang] = drawn
    else:
        drawn = cache[lang]
    partners = sorted(
        ((cat.label(p, lang), iris.link(p)) for p in cat.instances(D + "DigitalPartner")),
        key=lambda lp: fold(lp[0]),
    )
    dataset = services(request.app).backend.info
    base = services(request.app).settings.base_iri
    # Hashing the files reads them whole (once): never on the event loop.
    files = await run_in_threadpool(downloads.dumps, dataset, downloads.dump_cache(request.app))
    return render.page(
        request,
        "home.html",
        {
            "dataset_schema": releases.dataset_schema(base, files, lang),
            "release": release,
            "citation": releases.citation(base),
            "bibtex": releases.bibtex(base),
            "counts": counts,
            "charts": drawn,
            "partners": partners,
            "triples": dataset.total_triples,
            "dataset_doc": iris.doc_path(services(request.app).settings.base_iri + "id/dataset"),
        },
    )
