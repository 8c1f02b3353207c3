"""One translation catalogue: src/coedp/web/messages.toml holds every word of the pages.

Every message is in English and in French with the same ``{fields}``; every message id
the templates and modules name exists; no module of coedp.web but the catalogue's
loader holds French text; a malformed catalogue is refused with a message naming the
entry.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from coedp.web import i18n

WEB = Path(i18n.__file__).parent
LOADER = WEB / "i18n.py"
# Letters French writes and English does not, and the French guillemets.
FRENCH_LETTERS = re.compile("[àâçéèêëîïôûùüÿœæ«»]", re.IGNORECASE)
# Short French words that are not English ones, as whole words.
FRENCH_WORDS = re.compile(
    r"\b(le|la|les|des|du|une|est|et|pour|dans|avec|qui|aux|sur|pas|ne|sont|ce|cette)\b"
    r"(?=\s)",
)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_message_is_in_english_and_french_with_the_same_fields() -> None:
    messages = i18n.load()
    tables = {
        "messages": messages.messages,
        "terms": messages.terms,
        "incoming": messages.incoming,
        "characteristics": messages.characteristics,
    }
    assert len(messages.messages) > 250  # the pages' words, not an empty file
    for table, entries in tables.items():
        assert entries, table
        for key, text in entries.items():
            assert set(text) == {"en", "fr"}, (table, key)
            assert text["en"].strip() and text["fr"].strip(), (table, key)
            assert _fields(text["en"]) == _fields(text["fr"]), (table, key)


def test_a_message_without_french_is_refused_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "messages.toml"
    original = i18n.CATALOGUE.read_text(encoding="utf-8")
    broken.write_text(
        original.replace('"nav.home" = { en = "Home", fr = "Accueil" }', '"nav.home".en = "Home"'),
        encoding="utf-8",
    )
    with pytest.raises(i18n.CatalogueError, match=r"\[messages\] 'nav.home': no text in fr"):
        i18n.load(broken)


def test_a_term_with_an_unknown_prefix_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "messages.toml"
    original = i18n.CATALOGUE.read_text(encoding="utf-8")
    broken.write_text(original.replace('"rdf:type"', '"nope:type"'), encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=r"\[terms\] 'nope:type': not a prefixed"):
        i18n.load(broken)


def test_the_pages_read_the_catalogue() -> None:
    assert i18n.t("nav.home", "fr") == "Accueil"
    assert i18n.t("query.rows", "en", n=3) == "3 row(s)"
    assert i18n.term_name("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "fr") == "type"
    assert i18n.incoming_heading("https://coedp.org/def/seat", "en") == (
        "Organisations seated here"
    )
    assert i18n.messages_under("editor.", "fr")["next"] == "Suivant"


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """The string constants of a module, docstrings left out (they may quote French data)."""
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.add(id(value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _french(text: str) -> bool:
    return bool(FRENCH_LETTERS.search(text) or FRENCH_WORDS.search(text))


def test_the_detector_finds_french() -> None:
    assert _french("Partenaires par pays du siège")
    assert _french("Liés par « {label} »")
    assert _french("les partenaires et les organes")
    assert not _french("Partners by country of seat")
    assert not _french("SELECT ?s WHERE { ?s a coedp:Country }")


def test_no_module_of_the_site_holds_french_text() -> None:
    found = []
    for path in sorted(WEB.glob("*.py")):
        if path == LOADER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [
            f"{path.name}:{line}: {text!r}" for line, text in _strings(tree) if _french(text)
        ]
    assert not found, "French text outside messages.toml:\n" + "\n".join(found)


def test_every_message_id_named_in_templates_and_code_exists() -> None:
    known = i18n.load().messages
    named: set[tuple[str, str]] = set()
    for path in sorted((WEB / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        named |= {(path.name, key) for key in re.findall(r"""_\(\s*['"]([\w.-]+)['"]""", text)}
    for path in sorted(WEB.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        named |= {(path.name, key) for key in re.findall(r"""\bt\(\s*['"]([\w.-]+)['"]""", text)}
        named |= {
            (path.name, key)
            for key in re.findall(r"""['"]((?:index|chart\.title|home\.count)\.[\w.-]+)['"]""",
                                  text)
        }
    # (a prefix the code completes, "group." + key, and template names are not ids)
    named = {(where, key) for where, key in named if not key.endswith((".", ".html"))}
    assert len(named) > 100
    missing = sorted(f"{where}: {key}" for where, key in named if key not in known)
    assert not missing, "message ids missing from messages.toml:\n" + "\n".join(missing)
