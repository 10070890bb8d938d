"""The SHACL shapes: valid SHACL, aimed at ontology classes, and right on every example."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH

import ontology

PROVML = rdflib.Namespace(ontology.NAMESPACE)
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
XSD_STRING = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#string")
SHAPES_NS = "https://w3id.org/provml/shapes#"
SHACL_SHACL = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"

# PROV-O classes whose PROV-ML subclasses describe what happened (retrospective), not plans.
RETROSPECTIVE_ROOTS = {PROV.Activity, PROV.Entity, PROV.Agent, PROV.Person, PROV.SoftwareAgent}


def _ancestors(graph: rdflib.Graph, cls: rdflib.URIRef) -> set[rdflib.URIRef]:
    return set(graph.transitive_objects(cls, RDFS.subClassOf)) - {cls}


def test_shapes_are_valid_shacl(shapes_graph):
    conforms, _, text = pyshacl.validate(
        shapes_graph, shacl_graph=rdflib.Graph().parse(SHACL_SHACL, format="turtle")
    )
    assert conforms, text


def test_meta_shacl_rejects_a_broken_shape(shapes_graph):
    broken = rdflib.Graph()
    for triple in shapes_graph:
        broken.add(triple)
    broken.set((rdflib.URIRef(SHAPES_NS + "Index-value"), SH.minInclusive, rdflib.Literal(0)))
    broken.add((rdflib.URIRef(SHAPES_NS + "Index-value"), SH.maxCount, rdflib.Literal("one")))
    conforms, _, _ = pyshacl.validate(
        broken, shacl_graph=rdflib.Graph().parse(SHACL_SHACL, format="turtle")
    )
    assert not conforms


def test_every_target_class_is_an_ontology_class(shapes_graph, ontology_graph):
    targets = set(shapes_graph.objects(None, SH.targetClass))
    classes = set(ontology_graph.subjects(RDF.type, OWL.Class))
    assert targets, "the shapes target no class"
    assert targets - classes == set()


def test_every_retrospective_class_is_targeted(shapes_graph, ontology_graph):
    retrospective = {
        cls
        for cls in ontology_graph.subjects(RDF.type, OWL.Class)
        if _ancestors(ontology_graph, cls) & RETROSPECTIVE_ROOTS
    }
    targets = set(shapes_graph.objects(None, SH.targetClass))
    assert PROVML.TrainingExecution in retrospective
    assert PROVML.Study not in retrospective
    assert retrospective - targets == set()


def test_every_rule_has_a_message_and_an_iri(shapes_graph):
    rules = set(shapes_graph.subjects(RDF.type, SH.PropertyShape)) | set(
        shapes_graph.subjects(RDF.type, SH.SPARQLConstraint)
    )
    assert len(rules) > 40
    for rule in rules:
        assert str(rule).startswith(SHAPES_NS), rule
        assert shapes_graph.value(rule, SH.message), f"{rule} has no sh:message"


def test_valid_examples_exist():
    names = {p.name for p in ontology.examples("valid")}
    assert {"training.ttl", "stage-end-batch.ttl", "metric-batch.ttl", "workflow.ttl"} <= names


@pytest.mark.parametrize("example", ontology.examples("valid"), ids=lambda p: p.stem)
def test_valid_example_conforms(example, validate):
    data = rdflib.Graph().parse(example, format="turtle")
    assert validate(data) == set()


@pytest.mark.parametrize("example", ontology.examples("invalid"), ids=lambda p: p.stem)
def test_invalid_example_breaks_exactly_its_rule(example, validate, expectations):
    expected = expectations(example)
    assert expected, f"{example.name} states no '# expect:' line"
    data = rdflib.Graph().parse(example, format="turtle")
    assert validate(data) == expected


def test_every_sparql_constraint_has_an_invalid_example(shapes_graph, expectations):
    constraints = {str(c) for c in shapes_graph.subjects(RDF.type, SH.SPARQLConstraint)}
    covered = {
        rule for example in ontology.examples("invalid") for _, rule in expectations(example)
    }
    assert constraints, "the shapes hold no SPARQL constraint"
    assert constraints - covered == set()


def test_typed_strings_are_accepted_like_plain_ones(validate):
    """The manager may pass "finished"^^xsd:string (pyoxigraph) where Turtle has "finished"."""
    plain = rdflib.Graph().parse(ontology.path("examples/valid/training.ttl"), format="turtle")
    typed = rdflib.Graph()
    for s, p, o in plain:
        if isinstance(o, rdflib.Literal) and o.datatype is None and o.language is None:
            o = rdflib.Literal(str(o), datatype=XSD_STRING)
        typed.add((s, p, o))
    assert validate(typed) == set()


def test_epoch_inside_the_planned_range_passes_and_outside_fails(validate):
    data = rdflib.Graph().parse(ontology.path("examples/valid/metric-batch.ttl"), format="turtle")
    evaluation = rdflib.URIRef("http://provml.localhost/id/evaluation/loss-2")
    training = "http://provml.localhost/id/execution/train-01"
    assert validate(data) == set()
    data.set((evaluation, PROVML.epoch, rdflib.Literal(3)))
    assert validate(data) == {(training, SHAPES_NS + "EpochWithinTraining")}
    data.set((evaluation, PROVML.epoch, rdflib.Literal(2)))
    adaptation = rdflib.URIRef("http://provml.localhost/id/hyperparameter-value/lr-9")
    data.add((adaptation, PROVML.epoch, rdflib.Literal(7)))
    data.add((adaptation, PROV.wasGeneratedBy, rdflib.URIRef(training)))
    assert validate(data) == {(training, SHAPES_NS + "EpochWithinTraining")}


def test_end_equal_to_start_is_allowed(validate):
    data = rdflib.Graph().parse(
        ontology.path("examples/valid/stage-end-batch.ttl"), format="turtle"
    )
    execution = rdflib.URIRef("http://provml.localhost/id/execution/train-01")
    data.set((execution, PROV.endedAtTime, data.value(execution, PROV.startedAtTime)))
    assert validate(data) == set()
