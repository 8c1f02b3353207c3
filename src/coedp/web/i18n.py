"""French and English: the UI strings, the choice of language, and label choice.

The language of a page is, in order: ``?lang=fr`` / ``?lang=en`` (remembered
in the ``lang`` cookie), the cookie, the best of fr/en in Accept-Language
(q-values honoured), English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fastapi import Request

LANGS = ("en", "fr")
DEFAULT = "en"
COOKIE = "lang"

STRINGS: dict[str, tuple[str, str]] = {
    # key: (English, French)
    "site": (
        "Council of Europe Digital Partnership",
        "Partenariat numérique du Conseil de l'Europe",
    ),
    "site.short": ("coedp", "coedp"),
    "skip": ("Skip to the content", "Aller au contenu"),
    "nav.home": ("Home", "Accueil"),
    "nav.partners": ("Partners", "Partenaires"),
    "nav.organisations": ("Other organisations", "Autres organisations"),
    "nav.bodies": ("CoE bodies", "Organes du CdE"),
    "nav.activities": ("Activities", "Activités"),
    "nav.events": ("Events", "Événements"),
    "nav.instruments": ("Instruments", "Instruments"),
    "nav.countries": ("Countries", "Pays"),
    "nav.people": ("People", "Personnes"),
    "nav.query": ("Query", "Requête"),
    "nav.ontology": ("Ontology", "Ontologie"),
    "nav.downloads": ("Downloads", "Téléchargements"),
    "nav.main": ("Main navigation", "Navigation principale"),
    "nav.menu": ("Menu", "Menu"),
    "search.label": ("Search", "Rechercher"),
    "search.placeholder": ("a name, in French or English", "un nom, en français ou en anglais"),
    "search.button": ("Search", "Rechercher"),
    "search.title": ("Search", "Recherche"),
    "search.results": (
        "{first}–{last} of {n} result(s) for “{q}”",
        "{first}–{last} sur {n} résultat(s) pour « {q} »",
    ),
    "search.type": ("Kind", "Type"),
    "search.type.all": ("everything", "tout"),
    "search.near": ("close to", "proche de"),
    "search.pages": ("Result pages", "Pages de résultats"),
    "search.prev": ("← previous 100", "← 100 précédents"),
    "search.next": ("next 100 →", "100 suivants →"),
    "search.none": ("Nothing matches “{q}”.", "Rien ne correspond à « {q} »."),
    "search.empty": (
        "Type a name above: accents and case do not matter.",
        "Saisissez un nom ci-dessus : accents et majuscules sont indifférents.",
    ),
    "search.matched": ("matched", "trouvé par"),
    "lang.switch": ("Français", "English"),
    "lang.switch.label": ("Lire en français", "Read in English"),
    "footer.licence": ("Data: CC BY 4.0. Code: MIT.", "Données : CC BY 4.0. Code : MIT."),
    "footer.sparql": ("SPARQL endpoint", "Point d'accès SPARQL"),
    "footer.sources": (
        "Every fact links to the source document and section it comes from.",
        "Chaque fait renvoie au document source et à la section dont il provient.",
    ),
    "kind": ("Kind", "Type"),
    "name": ("Name", "Nom"),
    "count": ("Count", "Nombre"),
    "iri": ("IRI", "IRI"),
    "other.language": ("In French", "En anglais"),
    "entity.forms": ("This description as data", "Cette description en données"),
    "entity.incoming": ("Linked from", "Liens entrants"),
    "entity.incoming.more": ("More links: next page", "Autres liens : page suivante"),
    "entity.incoming.prev": ("Previous page", "Page précédente"),
    "entity.incoming.page": ("page {n}", "page {n}"),
    "entity.timeline": ("Timeline", "Chronologie"),
    "entity.provenance": ("Provenance", "Provenance"),
    "entity.sources": ("Sources of each statement", "Sources de chaque énoncé"),
    "entity.source.line": ("line {n}", "ligne {n}"),
    "entity.source.note": ("source {n}", "source {n}"),
    "entity.identifiers": ("Identifiers", "Identifiants"),
    "identifier.treaty-office": (
        "Council of Europe Treaty Office, No. {n}",
        "Bureau des traités du Conseil de l'Europe, n° {n}",
    ),
    "entity.participations": (
        "Activities this organisation or person took part in",
        "Activités auxquelles cette organisation ou personne a pris part",
    ),
    "entity.participants": ("Who took part", "Participants"),
    "entity.lines": ("lines {a}–{b}", "lignes {a} à {b}"),
    "entity.line": ("source line {n}", "ligne {n} de la source"),
    "entity.section": ("Section", "Section"),
    "entity.document": ("Document", "Document"),
    "entity.curated": ("Curation rule", "Règle de curation"),
    "entity.derived": ("Derived from", "Dérivé de"),
    "entity.ontology": (
        "See the term in the ontology documentation",
        "Voir le terme dans la documentation de l'ontologie",
    ),
    "entity.graph.dump": ("Download this graph", "Télécharger ce graphe"),
    "entity.inferred": ("inferred", "inféré"),
    "entity.inferred.title": (
        "Inferred by OWL 2 RL reasoning (graph/inferred), not stated in the sources",
        "Inféré par raisonnement OWL 2 RL (graph/inferred), non énoncé par les sources",
    ),
    "col.date": ("Date", "Date"),
    "col.activity": ("Activity", "Activité"),
    "col.organiser": ("Organised by", "Organisée par"),
    "col.role": ("Role", "Rôle"),
    "col.status": ("Status", "Statut"),
    "col.participant": ("Participant", "Participant"),
    "col.capacity": ("Capacity", "Qualité"),
    "col.organisation": ("Of", "De"),
    "col.joined": ("Joined", "Arrivée"),
    "col.joined.how": ("How", "Comment"),
    "col.left": ("Left", "Départ"),
    "col.left.why": ("How and why", "Comment et pourquoi"),
    "col.details": ("Details", "Détails"),
    "col.participants": ("Who took part", "Participants"),
    "entity.memberships": ("Membership", "Adhésion"),
    "entity.holders": ("Holders and their terms", "Titulaires et leurs mandats"),
    "col.holder": ("Holder", "Titulaire"),
    "col.post": ("Post", "Poste"),
    "col.from": ("From", "Du"),
    "col.to": ("To", "Au"),
    "entity.organised.participants": (
        "Who took part in the activities it ran",
        "Participants aux activités qu'il a organisées",
    ),
    "timeline.joined": ("joins the Digital Partnership", "rejoint le partenariat numérique"),
    "timeline.left": ("membership ends", "fin de l'adhésion"),
    "timeline.date": ("date", "date"),
    "timeline.start": ("starts", "début"),
    "timeline.end": ("ends", "fin"),
    "group.identity": ("Identity", "Identité"),
    "group.names": ("Names", "Noms"),
    "group.description": ("Description", "Description"),
    "group.organisation": ("Organisation and places", "Organisation et lieux"),
    "group.dates": ("Dates", "Dates"),
    "group.participation": ("Activity and participation", "Activité et participation"),
    "group.membership": ("Membership", "Adhésion"),
    "group.instrument": ("Instrument", "Instrument"),
    "group.figures": ("Lists and figures", "Listes et chiffres"),
    "group.vocabulary": ("Vocabulary", "Vocabulaire"),
    "group.provenance": ("Provenance", "Provenance"),
    "group.other": ("Other facts", "Autres faits"),
    "index.count": ("{n} of {total} shown", "{n} sur {total} affichés"),
    "index.filter": ("Filter", "Filtrer"),
    "index.filter.placeholder": ("words in any column", "mots de n'importe quelle colonne"),
    "index.apply": ("Apply", "Appliquer"),
    "index.clear": ("Clear", "Effacer"),
    "index.sort": ("Sort by {col}", "Trier par {col}"),
    "index.all": ("all", "tous"),
    "index.facet": ("Only", "Seulement"),
    "index.none": ("Nothing to show.", "Rien à afficher."),
    "home.title": (
        "The Council of Europe Digital Partnership, at a glance",
        "Le partenariat numérique du Conseil de l'Europe en un coup d'œil",
    ),
    "home.lead": (
        "Since 2017 the Council of Europe has exchanged letters with internet and "
        "telecommunications companies and their associations, which then take part in its "
        "work: committees, studies, conferences. This site publishes what the sources say "
        "about it as linked data.",
        "Depuis 2017, le Conseil de l'Europe échange des lettres avec des entreprises "
        "de l'internet et des télécommunications et leurs associations, qui prennent "
        "ensuite part à ses travaux : comités, études, conférences. Ce site publie ce "
        "qu'en disent les sources, en données liées.",
    ),
    "home.counts": ("In numbers", "En chiffres"),
    "home.explore": ("Explore", "Explorer"),
    "home.charts": ("Charts", "Graphiques"),
    "chart.table": ("The figures", "Les chiffres"),
    "chart.rule": ("How it is counted", "Règle de comptage"),
    "chart.query": ("Query", "Requête"),
    "chart.unavailable": (
        "This chart cannot be drawn: {msg}",
        "Ce graphique ne peut être tracé : {msg}",
    ),
    "chart.empty": ("No data for this chart yet.", "Pas encore de données pour ce graphique."),
    "chart.stated": ("stated", "annoncé"),
    "chart.counted": ("counted", "compté"),
    "chart.confirmed": ("confirmed", "confirmée"),
    "chart.expected": ("expected", "attendue"),
    "chart.joined": ("joined", "arrivées"),
    "chart.left": ("left", "départs"),
    "chart.others": ("others", "autres"),
    "chart.unknown": ("not stated", "non indiqué"),
    "chart.span": (
        "known only to the month or year: the span it can be",
        "connue au mois ou à l'année seulement : la période possible",
    ),
    "chart.activities": ("activities", "activités"),
    "chart.partners": ("partners", "partenaires"),
    "chart.year": ("year", "année"),
    "query.title": ("Query the graph", "Interroger le graphe"),
    "query.lead": (
        "Write a SPARQL query, or start from an example. The project's prefixes (coedp:, "
        "orgs:, body:, activity:, country:, rdfs:, skos: ...) are predeclared: no PREFIX "
        "lines are needed.",
        "Écrivez une requête SPARQL ou partez d'un exemple. Les préfixes du projet (coedp:, "
        "orgs:, body:, activity:, country:, rdfs:, skos: ...) sont prédéclarés : inutile "
        "d'écrire des lignes PREFIX.",
    ),
    "query.editor": ("SPARQL query", "Requête SPARQL"),
    "query.run": ("Run", "Exécuter"),
    "query.examples": ("Examples", "Exemples"),
    "query.permalink": ("Permalink to this query", "Lien permanent vers cette requête"),
    "query.download": ("Download the results", "Télécharger les résultats"),
    "query.rows": ("{n} row(s)", "{n} ligne(s)"),
    "query.triples": ("{n} triple(s)", "{n} triplet(s)"),
    "query.error": ("The query was not run", "La requête n'a pas été exécutée"),
    "query.position": ("at line {line}, column {col}", "ligne {line}, colonne {col}"),
    "query.ask.true": ("Yes (true)", "Oui (true)"),
    "query.ask.false": ("No (false)", "Non (false)"),
    "query.unknown": ("No example is called “{name}”.", "Aucun exemple ne s'appelle « {name} »."),
    "ontology.title": ("The coedp ontology", "L'ontologie coedp"),
    "ontology.classes": ("Classes", "Classes"),
    "ontology.properties": ("Properties", "Propriétés"),
    "ontology.toc": ("Contents", "Sommaire"),
    "ontology.definition": ("Definition", "Définition"),
    "ontology.domain": ("Domain", "Domaine"),
    "ontology.range": ("Range", "Co-domaine"),
    "ontology.super": ("Super-terms", "Termes parents"),
    "ontology.sub": ("Sub-terms", "Sous-termes"),
    "ontology.inverse": ("Inverse of", "Inverse de"),
    "ontology.usage": ("Used in the data", "Usage dans les données"),
    "ontology.instances": ("{n} instance(s)", "{n} instance(s)"),
    "ontology.uses": ("{n} triple(s)", "{n} triplet(s)"),
    "ontology.characteristics": ("Characteristics", "Caractéristiques"),
    "ontology.disjoint": ("Disjoint with", "Disjointe de"),
    "ontology.chain": ("Property chain", "Chaîne de propriétés"),
    "ontology.in_domain_of": ("In the domain of", "Dans le domaine de"),
    "ontology.in_range_of": ("In the range of", "Dans le co-domaine de"),
    "ontology.version": ("version", "version"),
    "ontology.metadata": ("About the ontology", "À propos de l'ontologie"),
    "ontology.download": ("The ontology as data", "L'ontologie en données"),
    "downloads.title": ("Downloads", "Téléchargements"),
    "downloads.lead": (
        "The whole dataset, in every format, with SHA-256 checksums.",
        "Le jeu de données complet, dans tous les formats, avec les sommes SHA-256.",
    ),
    "downloads.file": ("File", "Fichier"),
    "downloads.format": ("Format", "Format"),
    "downloads.size": ("Size", "Taille"),
    "downloads.sha": ("SHA-256", "SHA-256"),
    "downloads.void": ("Dataset description (VoID, DCAT)", "Description du jeu (VoID, DCAT)"),
    "downloads.licence": ("Licence", "Licence"),
    "downloads.licence.text": (
        "The data is published under the Creative Commons Attribution 4.0 International licence "
        "(CC BY 4.0): reuse it freely, citing coedp and the Council of Europe sources.",
        "Les données sont publiées sous licence Creative Commons Attribution 4.0 International "
        "(CC BY 4.0) : réutilisez-les librement en citant coedp et les sources du "
        "Conseil de l'Europe.",
    ),
    "downloads.cite": ("How to cite", "Comment citer"),
    "release.line": ("Release {version} of {date}", "Version {version} du {date}"),
    "downloads.none": (
        "No dump is published beside the served dataset.",
        "Aucun fichier n'est publié à côté du jeu servi.",
    ),
    "downloads.graphs": ("Named graphs", "Graphes nommés"),
    "downloads.triples": ("Triples", "Triplets"),
    "downloads.checksums": ("All checksums", "Toutes les sommes"),
    "notfound.title": ("Not found", "Introuvable"),
    "notfound.text": ("Nothing is published at {path}.", "Rien n'est publié à l'adresse {path}."),
    "notfound.help": (
        "Search for it by name, or start from one of these pages:",
        "Cherchez-le par son nom, ou partez de l'une de ces pages :",
    ),
    "error.title": ("This page cannot be shown", "Cette page ne peut être affichée"),
    "bool.true": ("yes", "oui"),
    "bool.false": ("no", "non"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The UI string ``key`` in ``lang``, with ``{name}`` fields filled in."""
    pair = STRINGS.get(key)
    text = key if pair is None else pair[1 if lang == "fr" else 0]
    return text.format(**values) if values else text


def accept_language(header: str | None) -> str | None:
    """The best of fr/en in an Accept-Language header, or None."""
    if not header:
        return None
    best, best_q = None, 0.0
    for position, part in enumerate(header.split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.lower().split("-")[0]
        if primary in LANGS and q > best_q:
            best, best_q = primary, q - position * 1e-6
    return best


def choose(request: Request) -> tuple[str, bool]:
    """The page's language, and whether the cookie must be (re)set from ``?lang=``.

    A page at a language's own address (``/en/...``, ``/fr/...``) is in that
    language, whatever the request says (:mod:`coedp.web.langs`).
    """
    fixed = request.scope.get("coedp.lang")
    if fixed in LANGS:
        return fixed, False
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGS:
        return asked, request.cookies.get(COOKIE) != asked
    cookie = request.cookies.get(COOKIE, "")
    if cookie in LANGS:
        return cookie, False
    return accept_language(request.headers.get("accept-language")) or DEFAULT, False


def pick(labels: Mapping[str, str] | None, lang: str, fallback: str = "") -> str:
    """The label in ``lang``, else in the other language, else any, else ``fallback``."""
    if not labels:
        return fallback
    for choice in (lang, *(lg for lg in LANGS if lg != lang), ""):
        if labels.get(choice):
            return labels[choice]
    return next(iter(labels.values()), fallback)


def other(lang: str) -> str:
    """The other language."""
    return "fr" if lang == "en" else "en"


def first(values: Iterable[str]) -> str:
    """The first non-empty string."""
    return next((v for v in values if v), "")
