"""French and English: the pages' words, the choice of language, and label choice.

The words are in one catalogue, ``messages.toml`` beside this module (read once,
checked on reading: every message in every language of :data:`LANGS`).

The language of a page is, in order: ``?lang=fr`` / ``?lang=en`` (remembered
in the ``lang`` cookie), the cookie, the best of fr/en in Accept-Language
(q-values honoured), English.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

LANGS = ("en", "fr")
DEFAULT = "en"
COOKIE = "lang"
CATALOGUE = Path(__file__).with_name("messages.toml")
# The tables of the catalogue whose keys are prefixed names of IRIs.
IRI_TABLES = ("terms", "incoming", "characteristics")

Text = dict[str, str]  # language -> the message in that language


class CatalogueError(ValueError):
    """The message catalogue is malformed: the message says what and where."""


@dataclass(frozen=True)
class Messages:
    """The catalogue, read: each table's messages by id (or by full IRI)."""

    messages: dict[str, Text]
    terms: dict[str, Text]  # names of IRIs the ontology does not declare
    incoming: dict[str, Text]  # headings of incoming links, by property IRI
    characteristics: dict[str, Text]  # OWL property characteristics, by IRI


def load(path: Path = CATALOGUE) -> Messages:
    """Read and check the catalogue at ``path``; :class:`CatalogueError` says what is wrong."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from None
    prefixes = doc.get("prefixes", {})
    if not all(isinstance(ns, str) for ns in prefixes.values()):
        raise CatalogueError(f"{path}: [prefixes]: every prefix must name a namespace (a string)")
    tables: dict[str, dict[str, Text]] = {}
    for table in ("messages", *IRI_TABLES):
        entries = doc.get(table)
        if not isinstance(entries, dict):
            raise CatalogueError(f"{path}: the table [{table}] is missing")
        checked: dict[str, Text] = {}
        for key, value in entries.items():
            where = f"{path}: [{table}] {key!r}"
            if table != "messages":
                prefix, sep, local = key.partition(":")
                if not sep or prefix not in prefixes:
                    raise CatalogueError(f"{where}: not a prefixed name of [prefixes]")
                key = prefixes[prefix] + local
            checked[key] = _text(value, where)
        tables[table] = checked
    return Messages(**tables)


def _text(value: object, where: str) -> Text:
    """One message, checked: a string in each language of :data:`LANGS`, nothing else."""
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: expected a table of languages ({', '.join(LANGS)})")
    missing = [lang for lang in LANGS if not isinstance(value.get(lang), str)]
    if missing:
        raise CatalogueError(f"{where}: no text in {', '.join(missing)}")
    extra = sorted(set(value) - set(LANGS))
    if extra:
        raise CatalogueError(f"{where}: unknown language(s) {', '.join(extra)}")
    return {lang: value[lang] for lang in LANGS}


@functools.cache
def loaded() -> Messages:
    """The site's catalogue, read once."""
    return load()


def _in(text: Text, lang: str) -> str:
    return text.get(lang) or text[DEFAULT]


def t(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang``, with ``{name}`` fields filled in (the key when unknown)."""
    found = loaded().messages.get(key)
    text = key if found is None else _in(found, lang)
    return text.format(**values) if values else text


def messages_under(prefix: str, lang: str) -> dict[str, str]:
    """Every message whose id starts with ``prefix``, in ``lang``, keyed by the rest of its id."""
    return {
        key[len(prefix):]: _in(text, lang)
        for key, text in loaded().messages.items()
        if key.startswith(prefix)
    }


def term_name(iri: str, lang: str) -> str | None:
    """The name of a term the ontology does not declare (``rdf:type``...), or None."""
    found = loaded().terms.get(iri)
    return None if found is None else _in(found, lang)


def incoming_heading(prop: str, lang: str) -> str | None:
    """The heading of the links to an entity by ``prop`` on its page, or None."""
    found = loaded().incoming.get(prop)
    return None if found is None else _in(found, lang)


def characteristic(iri: str, lang: str) -> str | None:
    """The name of an OWL property characteristic (``owl:FunctionalProperty``...), or None."""
    found = loaded().characteristics.get(iri)
    return None if found is None else _in(found, lang)


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
