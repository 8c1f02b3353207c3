"""The guard's two layers on their own: the lexer and the parse-tree walk.

The server tests show that SERVICE never reaches the network; these show that
each layer refuses it by itself, so neither depends on the other.
"""

from __future__ import annotations

import pytest

from coedp.server.guard import GuardError, lex_check, parse_check

from .test_refusals import SERVICE_DISGUISES

GRAPHS = frozenset({"https://coedp.org/graph/asserted"})


@pytest.mark.parametrize("template", SERVICE_DISGUISES)
def test_parser_layer_finds_service(template):
    with pytest.raises(GuardError) as err:
        parse_check(template.replace("{url}", "http://127.0.0.1:9/"), GRAPHS)
    assert err.value.status == 403 and "SERVICE" in err.value.message


@pytest.mark.parametrize("template", SERVICE_DISGUISES)
def test_lexer_layer_finds_service(template):
    with pytest.raises(GuardError) as err:
        lex_check(template.replace("{url}", "http://127.0.0.1:9/"), 100_000, 40)
    assert err.value.status == 403


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { {{{{" }',
        "SELECT * WHERE { ?s ?p '''}}}} SERVICE''' }",
        "SELECT * WHERE { ?s <http://x/SERVICE#x> ?o } # SERVICE {{{{\n",
        "PREFIX service: <http://x/> SELECT ?service WHERE { ?service service:service ?o }",
    ],
)
def test_strings_iris_comments_and_names_are_not_keywords_or_brackets(query):
    info = lex_check(query, 100_000, 2)
    assert info.form == "SELECT" and info.depth == 1
    assert parse_check(query, GRAPHS).form == "SELECT"


def test_forms_and_updates():
    assert lex_check("PREFIX a: <x:> BASE <y:> ASK {}", 100, 5).form == "ASK"
    assert lex_check("describe <x:y>", 100, 5).form == "DESCRIBE"
    for update in ("INSERT DATA { <a:b> <a:c> <a:d> }", "PREFIX a: <x:> DROP ALL", "LOAD <x:y>"):
        with pytest.raises(GuardError) as err:
            lex_check(update, 1000, 5)
        assert err.value.status == 403 and "coedp validate" in err.value.message
        with pytest.raises(GuardError) as err:
            parse_check(update, GRAPHS)
        assert err.value.status == 403


def test_dataset_clauses_checked_against_the_store():
    assert parse_check(
        "SELECT * FROM <https://coedp.org/graph/asserted> { ?s ?p ?o }", GRAPHS
    ).has_dataset
    assert not parse_check("SELECT * { ?s ?p ?o }", GRAPHS).has_dataset
    with pytest.raises(GuardError) as err:
        parse_check("SELECT * FROM NAMED <http://elsewhere/> { ?s ?p ?o }", GRAPHS)
    assert err.value.status == 400 and "http://elsewhere/" in err.value.message


def test_length_counts_utf8_bytes():
    with pytest.raises(GuardError) as err:
        lex_check("ASK { ?s ?p 'é' }", 17, 5)
    assert err.value.status == 413
    assert lex_check("ASK { ?s ?p 'e' }", 17, 5).form == "ASK"
