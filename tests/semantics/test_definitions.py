"""Every term of the ontology is defined in French and in English, once each."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

COEDP = "https://coedp.org/def/"


def test_every_term_has_one_definition_in_french_and_one_in_english(ontology: Graph):
    terms = sorted(
        s for s in set(ontology.subjects())
        if isinstance(s, URIRef) and str(s).startswith(COEDP) and str(s) != COEDP
        and (s, RDFS.isDefinedBy, URIRef(COEDP)) in ontology
    )
    assert len(terms) > 100
    wrong = []
    for term in terms:
        languages = sorted(c.language or "" for c in ontology.objects(term, RDFS.comment))
        if languages != ["en", "fr"]:
            wrong.append(f"{term}: rdfs:comment in {languages or 'no language'}")
    assert not wrong, f"{len(wrong)} terms not defined once in each language:\n" + "\n".join(wrong)
