"""ontology/ is OWL 2 DL, and coedp's own axioms stay in the OWL 2 RL datatypes.

A focused checker for the violations an OWL 2 DL profile check reports on an
ontology that reuses other vocabularies: a reused term used without an OWL
declaration, a property that is both an annotation property and a data or
object property (directly, or through rdfs:subPropertyOf), a data property
given an IRI or an object property given a literal, and ranges outside the
OWL 2 datatype map (xsd:date, rdf:langString are not in it).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from tests.semantics.conftest import ROOT, turtle

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
COEDP = "https://coedp.org/def/"
BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
KINDS = {
    OWL.ObjectProperty: "object",
    OWL.DatatypeProperty: "data",
    OWL.AnnotationProperty: "annotation",
}
# OWL 2 built-in annotation properties.
BUILTIN_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy,
                       OWL.versionInfo, OWL.deprecated}
# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), less
# owl:real and owl:rational, which OWL 2 RL leaves out.
OWL2_DATATYPES = {RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral} | {
    XSD[name] for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger "
        "negativeInteger long int short byte unsignedLong unsignedInt unsignedShort "
        "unsignedByte double float string normalizedString token language Name NCName "
        "NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()
}


def _reused(term: object) -> bool:
    return isinstance(term, URIRef) and not str(term).startswith(BUILTIN + (COEDP,))


def _kinds(ontology: Graph) -> dict[URIRef, set[str]]:
    kinds: dict[URIRef, set[str]] = {}
    for declaration, kind in KINDS.items():
        for term in ontology.subjects(RDF.type, declaration):
            kinds.setdefault(term, set()).add(kind)
    for term in BUILTIN_ANNOTATIONS:
        kinds.setdefault(term, set()).add("annotation")
    return kinds


def profile_violations(ontology: Graph, data: Graph) -> list[str]:
    """What keeps ``ontology`` (used by ``data``) out of OWL 2 DL and RL's datatypes."""
    kinds = _kinds(ontology)
    return [
        *_undeclared(ontology, data, kinds),
        *_punned(ontology, kinds),
        *_misused(data, kinds),
        *_ranges_outside_the_datatype_map(ontology, kinds),
    ]


def _undeclared(ontology: Graph, data: Graph, kinds: dict[URIRef, set[str]]) -> list[str]:
    """Reused terms, as the ontology and the data use them, are declared."""
    found: list[str] = []
    classes = set(ontology.subjects(RDF.type, OWL.Class)) | set(
        ontology.subjects(RDF.type, RDFS.Datatype)
    )
    used_classes: set[object] = set(data.objects(None, RDF.type))
    for p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
        for s, o in ontology.subject_objects(p):
            used_classes |= {s, o}
    used_classes |= set(ontology.objects(None, RDFS.domain))
    used_classes |= {o for s, o in ontology.subject_objects(RDFS.range)
                     if "object" in kinds.get(s, set())}
    for term in sorted(t for t in used_classes if _reused(t) and t not in classes):
        found.append(f"class {term} is used but not declared owl:Class")
    used_properties: set[object] = {p for g in (ontology, data) for p in g.predicates()}
    for p in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
        for s, o in ontology.subject_objects(p):
            used_properties |= {s, o}
    for term in sorted(t for t in used_properties if _reused(t) and t not in kinds):
        found.append(f"property {term} is used but not declared with its OWL property type")
    return found


def _punned(ontology: Graph, kinds: dict[URIRef, set[str]]) -> list[str]:
    """No property of two kinds, directly or through sub-property axioms."""
    found = [f"property {term} is punned: {sorted(kind)}"
             for term, kind in sorted(kinds.items()) if len(kind) > 1]
    for p in (RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf):
        for s, o in ontology.subject_objects(p):
            if isinstance(o, BNode):
                continue
            ks, ko = kinds.get(s, set()), kinds.get(o, set())
            if ks and ko and ks != ko:
                found.append(f"{s} ({'/'.join(sorted(ks))}) {p} {o} ({'/'.join(sorted(ko))})")
    return found


def _misused(data: Graph, kinds: dict[URIRef, set[str]]) -> list[str]:
    """The data uses each property as its kind says."""
    found: list[str] = []
    for s, p, o in data:
        kind = kinds.get(p, set())
        if kind == {"data"} and not isinstance(o, Literal):
            found.append(f"data property {p} has the IRI {o} (on {s})")
        elif kind == {"object"} and isinstance(o, Literal):
            found.append(f"object property {p} has the literal {o!r} (on {s})")
    return found


def _ranges_outside_the_datatype_map(ontology: Graph, kinds: dict[URIRef, set[str]]) -> list[str]:
    """coedp's own datatype properties: ranges from the OWL 2 (RL) datatype map."""
    return [
        f"{s} has the range {o}, outside the OWL 2 datatype map"
        for s, o in ontology.subject_objects(RDFS.range)
        if str(s).startswith(COEDP) and "data" in kinds.get(s, set()) and o not in OWL2_DATATYPES
    ]


def _checked(ontology_text: str, data_text: str = "") -> list[str]:
    prefixes = (
        "@prefix owl: <http://www.w3.org/2002/07/owl#> . "
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . "
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> . "
        "@prefix ex: <https://example.org/> . @prefix coedp: <https://coedp.org/def/> . "
    )
    ontology = Graph().parse(data=prefixes + ontology_text, format="turtle")
    data = Graph().parse(data=prefixes + data_text, format="turtle")
    return profile_violations(ontology, data)


def test_ontology_is_owl2_dl_with_rl_datatypes(ontology):
    """No profile violation in ontology/ as graph/ uses it (the checker first shown to bite)."""
    assert any("not declared owl:Class" in v for v in _checked(
        "coedp:A a owl:Class ; rdfs:subClassOf ex:Undeclared ."))
    assert any("not declared with its OWL" in v for v in _checked(
        "", "ex:x ex:undeclaredProperty ex:y ."))
    assert any("punned" in v for v in _checked(
        "ex:p a owl:DatatypeProperty , owl:AnnotationProperty ."))
    assert any("rdfs:subPropertyOf" in v or "subPropertyOf" in v for v in _checked(
        "skos:altLabel a owl:AnnotationProperty . "
        "coedp:formerName a owl:DatatypeProperty ; rdfs:subPropertyOf skos:altLabel ."))
    assert any("outside the OWL 2 datatype map" in v for v in _checked(
        "coedp:startDate a owl:DatatypeProperty ; rdfs:range xsd:date ."))
    assert any("has the IRI" in v for v in _checked(
        "coedp:name a owl:DatatypeProperty .", "ex:x coedp:name ex:y ."))
    assert _checked("coedp:startDate a owl:DatatypeProperty ; rdfs:range rdfs:Literal .") == []

    data = turtle(ROOT / "graph")
    violations = profile_violations(ontology, data)
    assert not violations, f"{len(violations)} profile violations:\n" + "\n".join(violations)


def test_reused_axioms_restate_the_published_vocabularies(vocabularies: Path):
    """ontology/reused-axioms.ttl is exactly what the published files state (regenerate it)."""
    from rdflib.compare import to_isomorphic

    from coedp.build.reused import restated

    stored = Graph().parse(ROOT / "ontology" / "reused-axioms.ttl", format="turtle")
    expected = restated(vocabularies)
    assert to_isomorphic(stored) == to_isomorphic(expected), (
        "ontology/reused-axioms.ttl differs from the published vocabularies: run "
        "python -m coedp.build.reused ../shared/vocabularies > ontology/reused-axioms.ttl"
    )
    published = Graph().parse(vocabularies / "prov-o.ttl", format="turtle")
    prov = "http://www.w3.org/ns/prov#"
    from coedp.build.reused import dl_repairs

    assert {str(s) for s, _, _ in dl_repairs(published)} == {
        prov + "specializationOf", prov + "wasRevisionOf"
    }, "the only change to the published axioms is PROV-O's two punned declarations"
    for triple in (
        (URIRef(prov + "Activity"), OWL.disjointWith, URIRef(prov + "Entity")),
        (URIRef(prov + "wasDerivedFrom"), RDFS.domain, URIRef(prov + "Entity")),
        (URIRef(prov + "wasDerivedFrom"), RDFS.range, URIRef(prov + "Entity")),
    ):
        assert triple in published and triple in stored
