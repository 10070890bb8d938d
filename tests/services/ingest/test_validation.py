"""SHACL validation: pyshacl (the reference) and the fast validator give the same report on every
ontology example and on mapped batches, valid or broken."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

import ontology
from provlake.vocab import MLS, PROV, PROVML, RDF, XSD
from services.ingest import Iris, parse_batch
from services.ingest._fastshacl import FastValidator
from services.ingest._legacy import convert_retrospective
from services.ingest._mapping import Mapper
from services.ingest._validation import PyshaclValidator
from tests.services.ingest.samples import full_batch, wire_requests

B = "http://provml.localhost/id/"
EXPECT = re.compile(r"^# expect: <([^>]+)> <([^>]+)>$", re.M)


@pytest.fixture(scope="module")
def validators() -> tuple[PyshaclValidator, FastValidator]:
    return PyshaclValidator(), FastValidator()


def both(validators, triples) -> list[dict]:
    reference, fast = (v.validate(triples) for v in validators)
    assert fast == reference
    return reference


@pytest.mark.parametrize("path", ontology.examples("valid"), ids=lambda p: p.name)
def test_valid_examples(validators, path) -> None:
    assert both(validators, list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == []


@pytest.mark.parametrize("path", ontology.examples("invalid"), ids=lambda p: p.name)
def test_invalid_examples(validators, path) -> None:
    report = both(validators, list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))
    expected = set(EXPECT.findall(path.read_text()))
    assert expected and {(r["source_shape"], r["focus_node"]) for r in report} == expected
    assert all(r["severity"] == "Violation" and r["message"] for r in report)


def mapped() -> list[ox.Quad]:
    return Mapper(Iris()).map(parse_batch(full_batch()).records)


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri if "://" in iri else B + iri)


def without(quads: list[ox.Quad], s: str, p: str) -> list[ox.Quad]:
    return [q for q in quads if not (q.subject == n(s) and q.predicate.value == p)]


def plus(quads: list[ox.Quad], s: str, p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode) -> list:
    return [*quads, ox.Quad(n(s), ox.NamedNode(p), o, ox.NamedNode(f"{B}graph/run/x"))]


def dt(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD.dateTime))


BROKEN = {
    "no start": lambda q: without(q, "execution/tr1", PROV.startedAtTime),
    "no plan": lambda q: without(q, "execution/ep0", PROVML.executionOf),
    "two starts": lambda q: plus(
        q, "execution/tr1", PROV.startedAtTime, dt("2030-01-01T00:00:00Z")
    ),
    "end before start": lambda q: plus(
        without(q, "execution/ep0", PROV.endedAtTime),
        "execution/ep0",
        PROV.endedAtTime,
        dt("2000-01-01T00:00:00Z"),
    ),
    "metric as string": lambda q: plus(
        without(q, "evaluation/m1", MLS.hasValue), "evaluation/m1", MLS.hasValue, ox.Literal("low")
    ),
    "epoch beyond plan": lambda q: plus(
        without(q, "evaluation/m1", PROVML.epoch),
        "evaluation/m1",
        PROVML.epoch,
        ox.Literal("7", datatype=ox.NamedNode(XSD.integer)),
    ),
    "bad status": lambda q: plus(q, "run/6f1c0a", PROVML.status, ox.Literal("done")),
    "bad digest": lambda q: plus(
        without(q, "entity/ds-train", PROVML.digest),
        "entity/ds-train",
        PROVML.digest,
        ox.Literal("md5 xyz"),
    ),
    "ill-formed integer": lambda q: plus(
        q, "execution/ep9", PROVML.index, ox.Literal("one", datatype=ox.NamedNode(XSD.integer))
    ),
    "model from a metric": lambda q: plus(
        without(q, "entity/model-1", PROV.wasGeneratedBy),
        "entity/model-1",
        PROV.wasGeneratedBy,
        n("evaluation/m1"),
    ),
    "untyped entity": lambda q: [
        x
        for x in q
        if not (x.subject == n("entity/kg-1") and x.object == ox.NamedNode(PROV.Entity))
    ],
    "blank plan": lambda q: plus(q, "execution/tr1", PROVML.executionOf, ox.BlankNode("p1")),
    "blank focus": lambda q: [
        *q,
        ox.Quad(
            ox.BlankNode("e1"),
            ox.NamedNode(PROV.endedAtTime),
            dt("2000-01-01T00:00:00Z"),
            ox.NamedNode(f"{B}graph/run/x"),
        ),
        ox.Quad(
            ox.BlankNode("e1"),
            ox.NamedNode(PROV.startedAtTime),
            dt("2001-01-01T00:00:00Z"),
            ox.NamedNode(f"{B}graph/run/x"),
        ),
    ],
    "wrong plan class": lambda q: plus(
        [x for x in q if x.object != ox.NamedNode(PROVML.TrainingStage)],
        "experiment/digits-mlp/stage/training",
        RDF.type,
        ox.NamedNode(PROVML.EvaluationStage),
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_batches(validators, name: str) -> None:
    report = both(validators, BROKEN[name](mapped()))
    assert report, f"{name} should violate the shapes"


def test_mapped_batches_conform(validators) -> None:
    assert both(validators, mapped()) == []
    # The same start time again, as the store writes it back (canonical form): one value.
    again = plus(mapped(), "execution/tr1", PROV.startedAtTime, dt("2026-11-22T10:03:48.25Z"))
    assert both(validators, again) == []
    messages = [m for req in wire_requests() for m in req["body"]]
    assert both(validators, Mapper(Iris()).map(convert_retrospective(messages))) == []


def test_report_fields(validators) -> None:
    (entry,) = both(validators, BROKEN["metric as string"](mapped()))
    assert entry == {
        "focus_node": f"{B}evaluation/m1",
        "path": MLS.hasValue,
        "value": "low",
        "message": "The value of a model evaluation (mls:hasValue) must be a number: xsd:integer, "
        "xsd:double, xsd:decimal or xsd:float.",
        "severity": "Violation",
        "source_shape": "https://w3id.org/provml/shapes#ModelEvaluation-value",
        "component": "OrConstraintComponent",
    }


def test_unsupported_shapes_are_refused(tmp_path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        "    sh:property [ sh:path ex:p ; sh:in ( 1 2 ) ] .\n"
    )
    with pytest.raises(NotImplementedError, match="shacl#in"):
        FastValidator(shapes=shapes)


def test_sparql_constraints_run_only_for_nodes_that_can_match(validators) -> None:
    """What each SPARQL constraint needs of (or forbids on) its focus node, read from its query."""
    checks = {c.name.rsplit("#", 1)[-1]: c for s in validators[1].node_shapes for c in s.sparql}
    assert (checks["EndNotBeforeStart"].needs, checks["EndNotBeforeStart"].forbids) == (
        {PROV.endedAtTime, PROV.startedAtTime},
        set(),
    )
    training = checks["EpochWithinTraining"]
    assert (training.needs, training.types) == (
        {RDF.type, PROVML.plannedEpochs},
        {PROVML.TrainingExecution},
    )
    whole = checks["PartOfAWhole"]
    assert (whole.needs, whole.forbids) == (set(), {PROVML.isPartOf, PROVML.withinSection})
    assert checks["NoRevisionCycle"].needs == {PROV.wasRevisionOf}  # the path is not needed


def test_what_a_query_needs_of_this() -> None:
    from services.ingest._fastshacl import _what_this_needs

    def needs(where: str) -> tuple[set[str], set[str]]:
        found = _what_this_needs(f"SELECT ?this WHERE {{ VALUES ?this {{ UNDEF }} {where} }}")
        return set(found["needs"]), set(found["forbids"])

    p, q = "http://example.org/p", "http://example.org/q"
    assert needs(f"?this <{p}> ?x . OPTIONAL {{ ?this <{q}> ?y }}") == ({p}, set())
    assert needs(f"{{ ?this <{p}> ?x }} UNION {{ ?this <{q}> ?x }}") == (set(), set())
    assert needs(f"FILTER NOT EXISTS {{ ?this <{p}> ?x }}") == (set(), {p})
    # correlated with the outer pattern: only some values are excluded, so nothing is forbidden
    assert needs(f"?this <{q}> ?x FILTER NOT EXISTS {{ ?this <{p}> ?x }}") == ({q}, set())
    assert needs(f"FILTER (NOT EXISTS {{ ?this <{p}> ?x }} || ?this = ?this)") == (set(), set())


def test_the_projects_constraints_are_not_parsed_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Their needs come from the generated table (kept current by ``provml vocab generate
    --check``), equal to what the analysis finds; a query not in it is analysed."""
    from services.ingest import _fastshacl

    fresh = _fastshacl.needs_table()
    assert len(fresh) == 8 and fresh == {
        digest: {key: sorted(values) for key, values in found.items()}
        for digest, found in _fastshacl.NEEDS.items()
    }

    def parse(query: str) -> None:
        raise AssertionError(f"parsed at start: {query[:80]}")

    monkeypatch.setattr(_fastshacl, "analyse_needs", parse)
    validator = _fastshacl.FastValidator()
    assert sum(len(shape.sparql) for shape in validator.node_shapes) == 8
    with pytest.raises(AssertionError, match="parsed at start"):
        _fastshacl._what_this_needs("SELECT ?this WHERE { VALUES ?this { UNDEF } ?this ?p ?o }")


def test_a_stored_training_is_checked_against_the_batch_evaluations(validators) -> None:
    """The focus node of a SPARQL constraint may be a context node (a stored training), broken
    by what the batch adds (an evaluation past its planned epochs)."""
    g = ox.NamedNode(B + "graph/run/r")
    training, section, evaluation = n("execution/t"), n("execution/s"), n("evaluation/e")
    context = [
        ox.Triple(training, n(RDF.type), n(PROVML.TrainingExecution)),
        ox.Triple(training, n(PROVML.plannedEpochs), ox.Literal("2", datatype=n(XSD.integer))),
    ]
    batch = [
        ox.Quad(section, n(PROVML.isPartOf), training, g),
        ox.Quad(evaluation, n(PROV.wasGeneratedBy), section, g),
        ox.Quad(evaluation, n(PROVML.epoch), ox.Literal("3", datatype=n(XSD.integer)), g),
    ]
    rule = "https://w3id.org/provml/shapes#EpochWithinTraining"

    def epochs(triples: list) -> list[tuple[str, str | None]]:
        return [
            (r["focus_node"], r["value"])
            for r in both(validators, triples)
            if r["source_shape"] == rule
        ]

    assert epochs([*batch, *context]) == [(training.value, evaluation.value)]
    assert epochs([*batch[:2], *context]) == []  # no epoch, nothing past the plan
