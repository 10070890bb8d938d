"""Import of PROV-JSON, PROV-XML, PROV-N, PROV-JSONLD and PROV-O documents into skolemised quads."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

import services.provdoc as provdoc
from provlake.vocab import PROV, RDF
from services.provdoc import ProvDocumentError, import_document, import_graph_iri
from services.provdoc._skolem import deskolemise

BASE = "http://provml.localhost/id/"
EX = "http://example.org/"

PROVJSON = json.dumps(
    {
        "prefix": {"ex": EX},
        "entity": {"ex:dataset": {"ex:rows": {"$": "1797", "type": "xsd:int"}}},
        "activity": {"ex:train": {}},
        "used": {"_:u1": {"prov:activity": "ex:train", "prov:entity": "ex:dataset"}},
        "wasGeneratedBy": {
            "_:g1": {"prov:entity": "ex:model", "prov:activity": "ex:train", "ex:note": "final"}
        },
    }
).encode()

PROVN = b"""document
  prefix ex <http://example.org/>
  entity(ex:dataset, [ex:rows=1797])
  activity(ex:train)
  used(ex:train, ex:dataset, -)
  wasGeneratedBy(ex:model, ex:train, -, [ex:note="final"])
endDocument
"""


def _triples(quads: list[ox.Quad]) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in quads}


def test_public_api_is_exact() -> None:
    public = {name for name in dir(provdoc) if not name.startswith("_")}
    assert public - {"annotations", "importlib", "TYPE_CHECKING", "Any"} == set(provdoc.__all__)
    for name in provdoc.__all__:
        assert getattr(provdoc, name) is not None
    with pytest.raises(AttributeError):
        provdoc.no_such_name  # noqa: B018


def test_provjson_lands_in_the_import_graph_with_its_statements() -> None:
    quads = import_document(PROVJSON, "provjson", base_iri=BASE, name="digits")
    graph = ox.NamedNode(import_graph_iri(BASE, "digits"))
    assert graph.value == f"{BASE}graph/import/digits"
    assert {q.graph_name for q in quads} == {graph}
    triples = _triples(quads)
    assert f"<{EX}train> <{PROV.used}> <{EX}dataset>" in triples
    # a generation with attributes is written qualified (PROV-O mapping): model → node → train
    (node,) = [q.object for q in quads if q.predicate == ox.NamedNode(PROV.qualifiedGeneration)]
    assert f"{node} <{PROV.activity}> <{EX}train>" in triples
    assert f'{node} <{EX}note> "final"' in triples
    assert f"<{EX}train> <{RDF.type}> <{PROV.Activity}>" in triples
    rows = [q.object for q in quads if q.predicate.value == f"{EX}rows"]
    assert [(r.value, r.datatype.value) for r in rows] == [
        ("1797", "http://www.w3.org/2001/XMLSchema#int")
    ]


def test_blank_nodes_are_skolemised_deterministically() -> None:
    first = import_document(PROVJSON, "provjson", base_iri=BASE)
    second = import_document(PROVJSON, "provjson", base_iri=BASE)
    terms = [t for q in first for t in (q.subject, q.object, q.graph_name)]
    assert not [t for t in terms if isinstance(t, ox.BlankNode)]
    # the qualified generation (it has ex:note) was a blank node: now a skolem IRI under the base
    generation = [q.subject for q in first if q.object == ox.NamedNode(PROV.Generation)]
    assert len(generation) == 1
    assert generation[0].value.startswith(f"{BASE}.well-known/genid/")
    assert set(map(str, first)) == set(map(str, second))
    # the default name comes from the content: the same document always goes to the same graph
    assert first[0].graph_name.value.startswith(f"{BASE}graph/import/")


def test_same_statements_in_other_formats_give_the_same_quads() -> None:
    from_json = import_document(PROVJSON, "provjson", base_iri=BASE, name="x")
    from_provn = import_document(PROVN, "provn", base_iri=BASE, name="x")
    assert set(map(str, from_provn)) == set(map(str, from_json))
    # the same graph as PROV-O with blank nodes: canonical labels and digest match, so do the IRIs
    with_blanks = [ox.Quad(q.subject, q.predicate, q.object) for q in deskolemise(from_json, BASE)]
    assert any(isinstance(q.subject, ox.BlankNode) for q in with_blanks)
    trig = ox.serialize(with_blanks, format=ox.RdfFormat.TRIG)
    from_trig = import_document(trig, "trig", base_iri=BASE, name="x")
    assert set(map(str, from_trig)) == set(map(str, from_json))


def test_provxml_and_provjsonld_import() -> None:
    import prov.model as pm

    document = pm.ProvDocument.deserialize(content=PROVJSON, format="json")
    for fmt, name in (("provxml", "xml"), ("provjsonld", "jsonld")):
        data = document.serialize(format=name).encode()
        quads = import_document(data, fmt, base_iri=BASE, name="x")
        assert f"<{EX}train> <{PROV.used}> <{EX}dataset>" in _triples(quads), fmt


def test_bundles_go_to_their_own_graphs() -> None:
    provn = b"""document
      prefix ex <http://example.org/>
      bundle ex:b1
        entity(ex:e1)
      endBundle
      entity(ex:top)
    endDocument
    """
    quads = import_document(provn, "provn", base_iri=BASE, name="bundled")
    graphs = {q.graph_name.value for q in quads}
    bundle_graph = f"{BASE}graph/import/bundled/bundle/http%3A%2F%2Fexample.org%2Fb1"
    assert graphs == {f"{BASE}graph/import/bundled", bundle_graph}
    assert provdoc.bundle_graph_iri(f"{BASE}graph/import/bundled", f"{EX}b1") == bundle_graph
    in_bundle = {str(q.subject) for q in quads if q.graph_name.value == bundle_graph}
    assert in_bundle == {f"<{EX}e1>"}


def test_rdf_formats_are_read_as_they_are() -> None:
    turtle = (
        b"@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        b"<http://example.org/a> a prov:Activity ; prov:used [ a prov:Entity ] ."
    )
    quads = import_document(turtle, "turtle", base_iri=BASE, name="t")
    assert len(quads) == 3
    # the same graph (blank node and all) in every other RDF format gives the very same quads
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in deskolemise(quads, BASE)]
    for fmt, rdf_format in (
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("nquads", ox.RdfFormat.N_QUADS),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdfxml", ox.RdfFormat.RDF_XML),
    ):
        data = ox.serialize(triples, format=rdf_format)
        again = import_document(data, fmt, base_iri=BASE, name="t")
        assert set(map(str, again)) == set(map(str, quads)), fmt


@pytest.mark.parametrize(
    ("data", "fmt", "fragment"),
    [
        (b"{not json", "provjson", "unparsable provjson document"),
        (b'{"entity": {"ex:e": {}}}', "provjson", "unparsable provjson document"),
        (b"<prov:document", "provxml", "unparsable provxml document"),
        (b"entity(ex:e)", "provn", "unparsable provn document: line 1, column 1"),
        (b"<http://e/a> <http://e/p> .", "turtle", "unparsable turtle document"),
        (b"<a> <b> <c> .", "ntriples", "unparsable ntriples document"),
        (b"[{", "jsonld", "unparsable jsonld document"),
        (b"", "trig", "holds no statements"),
        (b"document\nendDocument\n", "provn", "holds no statements"),
    ],
)
def test_unparsable_documents_raise_a_clear_error(data: bytes, fmt: str, fragment: str) -> None:
    with pytest.raises(ProvDocumentError, match=fragment) as info:
        import_document(data, fmt, base_iri=BASE)
    assert isinstance(info.value, ValueError)


def test_bad_format_and_name_are_refused() -> None:
    with pytest.raises(provdoc.UnsupportedFormatError, match="unknown import format 'png'"):
        import_document(PROVJSON, "png", base_iri=BASE)
    with pytest.raises(ProvDocumentError, match="invalid import name 'a/b'"):
        import_document(PROVJSON, "provjson", base_iri=BASE, name="a/b")
