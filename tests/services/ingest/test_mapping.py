"""Native records → quads: every record type, typed literals, graphs, determinism."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from provlake.vocab import MLS, PROV, PROVML, RDF, RDFS, XSD
from services.ingest import Iris, parse_batch
from services.ingest._mapping import Mapper, literal, time_literal
from tests.services.ingest.samples import RUN, T0, batch, full_batch, record

B = "http://provml.localhost/id/"
RUN_G = ox.NamedNode(f"{B}graph/run/{RUN}")
CAT = ox.NamedNode(f"{B}graph/catalog")


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri if "://" in iri else B + iri)


def lit(value: str, datatype: str = XSD.string) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def dt(seconds: float) -> ox.Literal:
    return time_literal(seconds)


def q(s: str, p: str, o: ox.NamedNode | ox.Literal | str, g: ox.NamedNode = RUN_G) -> ox.Quad:
    return ox.Quad(n(s), ox.NamedNode(p), n(o) if isinstance(o, str) else o, g)


@pytest.fixture(scope="module")
def quads() -> set[ox.Quad]:
    return set(Mapper(Iris()).map(parse_batch(full_batch()).records))


def test_run_start(quads: set[ox.Quad]) -> None:
    run = f"run/{RUN}"
    expected = {
        q(run, RDF.type, PROVML.LearningExperimentExecution),
        q(run, RDF.type, PROV.Activity),
        q(run, PROVML.identifier, lit(RUN)),
        q(run, PROV.startedAtTime, lit("2026-11-22T10:03:47.250000Z", XSD.dateTime)),
        q(run, PROVML.executionOf, "experiment/digits-mlp"),
        q("experiment/digits-mlp", RDF.type, PROVML.LearningExperiment, CAT),
        q("experiment/digits-mlp", RDF.type, PROV.Plan, CAT),
        q("experiment/digits-mlp", RDFS.label, lit("digits-mlp"), CAT),
        q(run, PROVML.isPartOf, "study/digits"),
        q("study/digits", RDF.type, PROVML.Study, CAT),
        q(run, PROV.wasAssociatedWith, "persona/alice"),
        q("persona/alice", RDF.type, PROVML.Persona, CAT),
        q("persona/alice", RDF.type, PROV.Person, CAT),
        q(run, PROV.wasAssociatedWith, "software/train.py/1.2"),
        q("software/train.py/1.2", RDF.type, PROV.SoftwareAgent, CAT),
        q("software/train.py/1.2", PROVML.version, lit("1.2"), CAT),
        q(run, PROVML.environment, f"environment/{RUN}"),
        q(f"environment/{RUN}", RDF.type, PROVML.ExecutionEnvironment),
        q(f"environment/{RUN}", PROVML.hostname, lit("node1")),
        q(f"environment/{RUN}", PROVML.accelerator, lit("gpu0")),
        q(f"environment/{RUN}", PROVML.packageVersion, lit("numpy==2.0.1")),
        q(f"environment/{RUN}", PROVML.sourceRevision, lit("abc123")),
        q(run, PROV.used, f"attribute-value/{RUN}/in/seed"),
        q(f"attribute-value/{RUN}/in/seed", MLS.hasValue, lit("42", XSD.integer)),
        q(f"attribute-value/{RUN}/in/seed", MLS.specifiedBy, "attribute/seed"),
        q("attribute/seed", RDF.type, PROVML.Attribute, CAT),
    }
    assert expected <= quads, expected - quads


def test_run_end(quads: set[ox.Quad]) -> None:
    run = f"run/{RUN}"
    expected = {
        q(run, PROV.endedAtTime, dt(T0 + 8)),
        q(run, PROVML.status, lit("finished")),
        q(f"attribute-value/{RUN}/out/ok", PROV.wasGeneratedBy, run),
        q(f"attribute-value/{RUN}/out/ok", MLS.hasValue, lit("true", XSD.boolean)),
    }
    assert expected <= quads, expected - quads


def test_stage_and_section(quads: set[ox.Quad]) -> None:
    stage_plan = "experiment/digits-mlp/stage/training"
    section_plan = f"{stage_plan}/section/epoch"
    expected = {
        q("execution/tr1", RDF.type, PROVML.TrainingExecution),
        q("execution/tr1", RDF.type, PROV.Activity),
        q("execution/tr1", PROV.startedAtTime, dt(T0 + 1)),
        q("execution/tr1", PROVML.isPartOf, f"run/{RUN}"),
        q("execution/tr1", PROVML.executionOf, stage_plan),
        q("execution/tr1", PROVML.plannedEpochs, lit("2", XSD.integer)),
        q("execution/tr1", PROV.used, "entity/ds-train"),
        q("execution/tr1", PROV.used, "attribute-value/tr1/in/optimizer"),
        q("execution/tr1", PROV.endedAtTime, dt(T0 + 7)),
        q("attribute-value/tr1/out/final%20loss", MLS.hasValue, lit("0.2", XSD.double)),
        q(stage_plan, RDF.type, PROVML.TrainingStage, CAT),
        q(stage_plan, RDF.type, PROV.Plan, CAT),
        q(stage_plan, PROVML.isPartOf, "experiment/digits-mlp", CAT),
        q("execution/ep0", RDF.type, PROVML.LearningStageSectionExecution),
        q("execution/ep0", PROVML.index, lit("0", XSD.integer)),
        q("execution/ep0", PROVML.isPartOf, "execution/tr1"),
        q("execution/ep0", PROVML.executionOf, section_plan),
        q("execution/ep0", PROV.endedAtTime, dt(T0 + 4)),
        q("execution/ep0", PROVML.status, lit("finished")),
        q(section_plan, RDF.type, PROVML.LearningStageSection, CAT),
        q(section_plan, PROVML.isPartOf, stage_plan, CAT),
    }
    assert expected <= quads, expected - quads


def test_metric_hyperparameters_entities(quads: set[ox.Quad]) -> None:
    expected = {
        q("evaluation/m1", RDF.type, PROVML.ModelEvaluation),
        q("evaluation/m1", RDF.type, PROV.Entity),
        q("evaluation/m1", MLS.specifiedBy, "measure/val%20loss"),
        q("evaluation/m1", MLS.hasValue, lit("0.25", XSD.double)),
        q("evaluation/m1", PROV.wasGeneratedBy, "execution/ep0"),
        q("evaluation/m1", PROVML.epoch, lit("0", XSD.integer)),
        q("evaluation/m1", PROVML.step, lit("10", XSD.integer)),
        q("evaluation/m1", PROVML.evaluatedModel, "entity/model-1"),
        q("evaluation/m1", PROVML.evaluatedOn, "entity/ds-train"),
        q("measure/val%20loss", RDF.type, PROVML.EvaluationMeasure, CAT),
        q("measure/val%20loss", RDFS.label, lit("val loss"), CAT),
        q("hyperparameter-value/hp-lr", RDF.type, PROVML.LearningHyperparameterValue),
        q("execution/tr1", PROV.used, "hyperparameter-value/hp-lr"),
        q("hyperparameter-value/hp-lr", MLS.specifiedBy, "hyperparameter/learning%20rate"),
        q("hyperparameter/learning%20rate", RDF.type, PROVML.LearningHyperparameter, CAT),
        q("hyperparameter-value/hp-lr2", RDF.type, PROVML.HyperparameterAdaptation),
        q("hyperparameter-value/hp-lr2", PROV.wasGeneratedBy, "execution/tr1"),
        q("hyperparameter-value/hp-lr2", PROV.wasRevisionOf, "hyperparameter-value/hp-lr"),
        q("hyperparameter-value/hp-lr2", PROVML.epoch, lit("1", XSD.integer)),
        q("hyperparameter-value/hp-lr2", MLS.hasValue, lit("0.05", XSD.double)),
        q("entity/ds-train", RDF.type, PROVML.Dataset),
        q("entity/ds-train", PROVML.location, lit("/data/train.csv")),
        q("entity/ds-train", PROVML.recordCount, lit("1000", XSD.integer)),
        q("entity/ds-train", PROVML.digest, lit("sha256:00ff")),
        q("entity/kg-1", RDF.type, PROVML.KnowledgeGraphReference),
        q("entity/kg-1", PROVML.refersTo, "http://example.org/sample/1"),
        q("entity/model-1", RDF.type, PROVML.Model),
        q("entity/model-1", PROV.wasGeneratedBy, "execution/tr1"),
        q("entity/model-1", PROV.wasDerivedFrom, "entity/ds-train"),
        q(f"run/{RUN}", PROV.used, "entity/model-1"),
    }
    assert expected <= quads, expected - quads


def test_graphs_and_no_blank_nodes(quads: set[ox.Quad]) -> None:
    assert {x.graph_name for x in quads} == {RUN_G, CAT}
    catalogue_subjects = {
        x.subject.value.removeprefix(B).split("/")[0] for x in quads if x.graph_name == CAT
    }
    assert catalogue_subjects == {
        "experiment",
        "study",
        "persona",
        "software",
        "attribute",
        "measure",
        "hyperparameter",
    }
    assert not any(isinstance(t, ox.BlankNode) for x in quads for t in (x.subject, x.object))


def test_deterministic() -> None:
    mapper = Mapper(Iris())
    first = mapper.map(parse_batch(full_batch()).records)
    assert first == Mapper(Iris()).map(parse_batch(full_batch()).records)
    assert len(first) == len(set(first))


def test_base_iri_is_configurable() -> None:
    records = parse_batch(batch(record("run.start", "r1", run="r1", name="x y"))).records
    quads = Mapper(Iris("https://kg.example.org/prov/")).map(records)
    assert (
        ox.Quad(
            ox.NamedNode("https://kg.example.org/prov/run/r1"),
            ox.NamedNode(PROVML.executionOf),
            ox.NamedNode("https://kg.example.org/prov/experiment/x%20y"),
            ox.NamedNode("https://kg.example.org/prov/graph/run/r1"),
        )
        in quads
    )


def test_records_of_earlier_batches_map_alone() -> None:
    """stage.end and metric of a stage started in an earlier batch: the graph comes from ``run``; a
    section of that stage gets its plan from the plans given (the stored, immutable facts)."""
    records = parse_batch(
        batch(
            record("section.start", "ep1", stage="tr1", name="epoch", index=1),
            record("metric", "m9", execution="tr1", name="loss", value=1),
            record("stage.end", "tr1", status="failed"),
        )
    ).records
    mapper = Mapper(Iris())
    assert mapper.plans_needed(records) == {f"{B}execution/tr1"}
    plans = {f"{B}execution/tr1": n("experiment/e/stage/training")}
    quads = set(mapper.map(records, plans))
    assert mapper.map(records, plans) == mapper.map(records, plans)  # a function of its inputs
    assert {
        q("execution/ep1", PROVML.executionOf, "experiment/e/stage/training/section/epoch"),
        q(
            "experiment/e/stage/training/section/epoch",
            PROVML.isPartOf,
            "experiment/e/stage/training",
            CAT,
        ),
        q("evaluation/m9", MLS.hasValue, lit("1", XSD.integer)),
        q("execution/tr1", PROVML.status, lit("failed")),
    } <= quads


def test_literals() -> None:
    assert literal(True) == ox.Literal("true", datatype=ox.NamedNode(XSD.boolean))
    assert literal(7) == ox.Literal("7", datatype=ox.NamedNode(XSD.integer))
    assert literal(1e300) == ox.Literal("1e+300", datatype=ox.NamedNode(XSD.double))
    assert literal(float("nan")).value == "NaN"
    assert literal(float("-inf")).value == "-INF"
    assert literal("x") == ox.Literal("x")
    assert time_literal(0).value == "1970-01-01T00:00:00.000000Z"
