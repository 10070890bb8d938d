"""The JSON-LD context: PROV-ML JSON written with it reads as the RDF of the Turtle examples."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_isomorphic

import ontology

BASE = "http://provml.localhost/id/"
DOCUMENT = Path(__file__).parent / "data" / "metric-batch.json"


def _with_context(document: dict) -> str:
    """Inline the shipped context (parsers here do not fetch remote contexts)."""
    context = json.loads(ontology.path(ontology.CONTEXT).read_text(encoding="utf-8"))
    return json.dumps({**context, **document})


def _by_value(triples) -> set[tuple]:
    """Triples with xsd:double literals compared by value (JSON-LD writes 0.154 as 1.54E-1)."""
    double = "http://www.w3.org/2001/XMLSchema#double"
    out = set()
    for t in triples:
        obj = t.object
        if isinstance(obj, ox.Literal) and obj.datatype.value == double:
            obj = ("double", float(obj.value))
        out.add((t.subject, t.predicate, obj))
    return out


def _turtle_example() -> set[tuple]:
    path = ontology.path("examples/valid/metric-batch.ttl")
    return _by_value(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def test_context_names_every_provml_term_once():
    context = json.loads(ontology.path(ontology.CONTEXT).read_text(encoding="utf-8"))["@context"]
    from provlake.vocab import PROVML

    terms = {name for name in vars(PROVML) if not name.startswith("_") and name != "NS"}
    for name in terms:
        definition = context[name]
        iri = definition["@id"] if isinstance(definition, dict) else definition
        assert iri == f"provml:{name}"
    assert context["executionOf"] == {"@id": "provml:executionOf", "@type": "@id"}
    assert context["epoch"] == {"@id": "provml:epoch", "@type": "xsd:integer"}
    assert context["startedAtTime"] == {"@id": "prov:startedAtTime", "@type": "xsd:dateTime"}


def test_pyoxigraph_reads_json_ld_as_the_turtle_example():
    document = _with_context(json.loads(DOCUMENT.read_text(encoding="utf-8")))
    quads = list(ox.parse(document, format=ox.RdfFormat.JSON_LD, base_iri=BASE))
    triples = {q.triple for q in quads}
    assert len(triples) == len(quads) == 21
    assert _by_value(triples) == _turtle_example()


def test_json_scalars_become_the_capture_format_datatypes():
    document = _with_context(
        {"id": "attribute-value/x/in/flags", "hasValue": [3, 0.5, True, "relu"]}
    )
    values = {q.object for q in ox.parse(document, format=ox.RdfFormat.JSON_LD, base_iri=BASE)}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {(v.value, v.datatype.value) for v in values} == {
        ("3", xsd + "integer"),
        ("5.0E-1", xsd + "double"),
        ("true", xsd + "boolean"),
        ("relu", xsd + "string"),
    }


def test_rdflib_reads_the_same_graph():
    document = _with_context(json.loads(DOCUMENT.read_text(encoding="utf-8")))
    from_json = rdflib.Graph().parse(data=document, format="json-ld", base=BASE)
    example = ontology.path("examples/valid/metric-batch.ttl")
    from_turtle = rdflib.Graph().parse(example, format="turtle")
    assert to_isomorphic(from_json) == to_isomorphic(from_turtle)
