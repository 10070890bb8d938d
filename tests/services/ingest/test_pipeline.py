"""The ingest pipeline against a real memory store: commit, idempotency, context, bad input,
quarantine."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from provlake.vocab import PROVML
from services.ingest import (
    BatchTooLarge,
    Ingestor,
    InvalidBatch,
    ShapeViolation,
    UnknownReference,
)
from services.ingest._cycles import cycle_links
from services.ingest._iris import Iris
from services.ingest._legacy import convert_retrospective
from services.ingest._mapping import Mapper
from tests.services.ingest.samples import RUN, T0, batch, full_batch, record, wire_requests

B = "http://provml.localhost/id/"
WF = "1795341827.2121422"
PREFIXES = f"""PREFIX provml: <https://w3id.org/provml#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX mls: <http://www.w3.org/ns/mls#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> BASE <{B}>
"""


def ask(store, pattern: str) -> bool:
    return store.query(f"{PREFIXES} ASK {{ {pattern} }}").value


@pytest.fixture
def ingestor(store) -> Ingestor:
    return Ingestor(store)


def test_wire_requests_round_trip(store, ingestor: Ingestor) -> None:
    """Each real request in turn, as ProvLake sends them: the nested task's cycle iteration comes
    from the store."""
    results = [ingestor.ingest_legacy(req["body"]) for req in wire_requests()]
    assert [r.records for r in results] == [3, 4, 3, 4, 5]
    run_graph = f"{B}graph/run/{WF}"
    assert all(r.graphs == [f"{B}graph/catalog", run_graph] for r in results)
    g = f"GRAPH <{run_graph}>"
    assert ask(
        store,
        f"{g} {{ <run/{WF}> a provml:WorkflowExecution, prov:Activity ; "
        "provml:executionOf <experiment/train_wf> ; prov:wasAssociatedWith <persona/alice> ; "
        'prov:endedAtTime "2026-11-22T10:03:47.226537Z"^^xsd:dateTime }',
    )
    load = "<execution/1795341827.2121618>"
    assert ask(
        store,
        f"{g} {{ {load} a provml:DataTransformationExecution ; provml:isPartOf <run/{WF}> ; "
        "provml:executionOf <experiment/train_wf/stage/load_data> ; "
        'prov:startedAtTime "2026-11-22T10:03:47.218379Z"^^xsd:dateTime ; '
        'prov:endedAtTime "2026-11-22T10:03:47.218391Z"^^xsd:dateTime ; provml:status "finished" ; '
        f"prov:used <attribute-value/1795341827.2121618/in/n> }} "
        f"{g} {{ <attribute-value/1795341827.2121618/in/n> mls:hasValue 10 ; "
        "mls:specifiedBy <attribute/n> }"
        f"{g} {{ <attribute-value/1795341827.2121618/out/rows> mls:hasValue 10 ; "
        f"prov:wasGeneratedBy {load} }}",
    )
    assert ask(
        store,
        f"{g} {{ {load} prov:used ?ref . ?ref a provml:DataReference ; "
        'provml:location "/data/x.csv" }',
    )
    section = f"<execution/{WF}.epochs.0>"
    assert ask(
        store,
        f"{g} {{ {section} a provml:LearningStageSectionExecution ; provml:index 0 ; "
        f"provml:isPartOf <run/{WF}> ; "
        "provml:executionOf <experiment/train_wf/stage/epochs/section/epochs> ; "
        f"prov:used <hyperparameter-value/{WF}.epochs.0.hp.lr> }} "
        f"{g} {{ <hyperparameter-value/{WF}.epochs.0.hp.lr> a provml:LearningHyperparameterValue ;"
        " mls:hasValue 0.01e0 ; mls:specifiedBy <hyperparameter/lr> ; provml:epoch 0 }"
        f"{g} {{ <attribute-value/{WF}.epochs.0/out/acc> mls:hasValue 0.9e0 }}"
        f"{g} {{ <evaluation/{WF}.epochs.0.metric.acc> a provml:ModelEvaluation ; "
        f"mls:hasValue 0.9e0 ; mls:specifiedBy <measure/acc> ; prov:wasGeneratedBy {section} ; "
        "provml:epoch 0 }",
    )
    # The task names its cycle, not the iteration: it was linked to the one whose interval holds
    # its start when the iteration's end arrived (the last request), with its metric's epoch.
    assert ask(
        store,
        f"{g} {{ <execution/1795341827.2228577> provml:isPartOf {section} ; "
        'provml:withinSection "epochs" ; '
        'prov:startedAtTime "2026-11-22T10:03:47.224776Z"^^xsd:dateTime }'
        f"{g} {{ <attribute-value/1795341827.2228577/out/loss> mls:hasValue 0.5e0 }}"
        f"{g} {{ <evaluation/1795341827.2228577.metric.loss> mls:hasValue 0.5e0 ; "
        "provml:epoch 0 }",
    )
    # Sent one request at a time or all at once, the provenance is the same.
    records = convert_retrospective([m for req in wire_requests() for m in req["body"]])
    everything = Mapper(Iris()).map(records) + cycle_links(records, Iris(), None)
    assert store.count() == len(everything)
    assert set(
        store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{run_graph}> {{ ?s ?p ?o }} }}"
        ).triples
    ) == {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in everything
        if q.graph_name.value == run_graph
    }


def test_native_batch_commits(store, ingestor: Ingestor) -> None:
    body = json.dumps(full_batch()).encode()
    result = ingestor.ingest_batch(body)
    assert result.records == 13
    assert result.graphs == [f"{B}graph/catalog", f"{B}graph/run/{RUN}"]
    assert store.count() == result.triples == 172  # with the summary of the training's loss
    assert set(result.timings) == {"parse", "convert", "validate", "commit"}
    assert ask(
        store,
        f"GRAPH <graph/run/{RUN}> {{ <evaluation/m1> mls:hasValue 0.25e0 ; "
        "prov:wasGeneratedBy <execution/ep0> }",
    )


def test_same_batch_twice_adds_nothing(store, ingestor: Ingestor) -> None:
    ingestor.ingest_batch(full_batch())
    count = store.count()
    again = ingestor.ingest_batch(full_batch())
    assert again.triples == count and store.count() == count
    for req in wire_requests():
        ingestor.ingest_legacy(req["body"])
    count = store.count()
    for req in wire_requests():
        ingestor.ingest_legacy(json.dumps(req["body"]).encode())
    assert store.count() == count


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_split_batches_validate_with_store_context(store, validator: str) -> None:
    ingestor = Ingestor(store, validator=validator)
    ingestor.ingest_batch(
        batch(
            record("run.start", RUN, name="digits-mlp"),
            record(
                "stage.start",
                "tr1",
                time=T0 + 1,
                name="training",
                kind="training",
                planned_epochs=2,
            ),
        )
    )
    # A section of a stored stage: its plan comes from the store.
    ingestor.ingest_batch(
        batch(record("section.start", "ep1", time=T0 + 2, stage="tr1", name="epoch", index=1))
    )
    assert ask(
        store,
        "<execution/ep1> provml:executionOf <experiment/digits-mlp/stage/training/section/epoch>",
    )
    # The end alone is checked against the stored start...
    with pytest.raises(ShapeViolation) as err:
        ingestor.ingest_batch(batch(record("stage.end", "tr1", time=T0, status="finished")))
    assert [(r["source_shape"], r["focus_node"]) for r in err.value.report] == [
        ("https://w3id.org/provml/shapes#EndNotBeforeStart", f"{B}execution/tr1")
    ]
    # ... and an epoch against the planned epochs of the training the section is part of (one hop).
    with pytest.raises(ShapeViolation) as err:
        ingestor.ingest_batch(
            batch(record("metric", "m5", execution="ep1", name="loss", value=0.1, epoch=2))
        )
    assert (
        err.value.report[0]["source_shape"] == "https://w3id.org/provml/shapes#EpochWithinTraining"
    )
    count = store.count()
    result = ingestor.ingest_batch(
        batch(
            record("metric", "m1", time=T0 + 3, execution="ep1", name="loss", value=0.1, epoch=1),
            record("stage.end", "tr1", time=T0 + 9, status="finished"),
        )
    )
    assert store.count() == count + result.triples
    assert ask(
        store,
        '<execution/tr1> provml:status "finished" ; prov:startedAtTime ?s ; prov:endedAtTime ?e',
    )


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_violation_is_quarantined_then_fixed(store, validator: str) -> None:
    ingestor = Ingestor(store, validator=validator)
    bad = batch(
        record("run.start", RUN, name="digits-mlp"),
        record("stage.start", "tr1", time=T0 + 1, name="training", kind="training"),
        record("entity", "model-1", time=T0 + 2, kind="model", name="mlp"),  # no generated_by
    )
    body = json.dumps(bad).encode()
    with pytest.raises(ShapeViolation) as err:
        ingestor.ingest_batch(body)
    assert store.count() == 0
    report = err.value.report
    assert [(r["focus_node"], r["path"], r["source_shape"], r["severity"]) for r in report] == [
        (
            f"{B}entity/model-1",
            "http://www.w3.org/ns/prov#wasGeneratedBy",
            "https://w3id.org/provml/shapes#Model-generatedBy",
            "Violation",
        )
    ]
    assert "generated by the training execution" in report[0]["message"]
    entry_id = err.value.quarantine_id
    (summary,) = ingestor.quarantine.list()
    assert summary["id"] == entry_id and summary["source"] == "capture"
    assert (summary["records"], summary["violations"]) == (3, 1)
    entry = ingestor.quarantine.get(entry_id)
    assert entry.batch == body and entry.report == report
    assert len(list(ox.parse(entry.nquads.encode(), format=ox.RdfFormat.N_QUADS))) == entry.triples

    # Resubmitting as is fails again and keeps the one entry.
    with pytest.raises(ShapeViolation) as again:
        ingestor.resubmit(entry_id)
    assert again.value.quarantine_id == entry_id and len(ingestor.quarantine.list()) == 1
    bad["records"][2]["generated_by"] = "tr1"
    result = ingestor.resubmit(entry_id, json.dumps(bad).encode())
    assert result.records == 3 and store.count() == result.triples
    assert ingestor.quarantine.list() == []
    assert ask(store, "<entity/model-1> prov:wasGeneratedBy <execution/tr1>")


def test_unknown_plan_waits_in_quarantine(store, ingestor: Ingestor) -> None:
    """A stage of a run not seen yet cannot name its plan: kept until the run starts."""
    with pytest.raises(UnknownReference) as err:
        ingestor.ingest_batch(
            batch(record("stage.start", "tr1", time=T0 + 1, name="training", kind="training"))
        )
    assert [(v["path"], v["value"]) for v in err.value.report] == [
        ("records[0].run", f"{B}run/{RUN}")
    ]
    ingestor.ingest_batch(batch(record("run.start", RUN, name="digits-mlp")))
    ingestor.resubmit(err.value.quarantine_id)
    assert ask(store, "<execution/tr1> provml:executionOf <experiment/digits-mlp/stage/training>")


BAD_INPUTS = [
    (b'{"schema": "provml/capture/1", "records": [', "body"),
    (b"[1, 2]", "body"),
    (batch(record("metric", "m1", execution="e", name="loss", value="high")), "records[0].value"),
    (batch(record("metric", "m1", execution="e", name="loss", value=True)), "records[0].value"),
    (batch(record("section.start", "s", stage="e", name="epoch", index=1.5)), "records[0].index"),
    (batch(record("run.start", RUN, name="x", time="yesterday")), "records[0].time"),
    (batch(record("run.start", RUN, name="x", time=1e12)), "records[0].time"),
    (batch(record("run.start", RUN, name="x", time=-1)), "records[0].time"),
    (
        batch(record("stage.start", "s", name="x", kind="training", attributes={"a": [1]})),
        "records[0].attributes.a",
    ),
    (batch(record("run.pause", RUN)), "records[0].type"),
    (batch(record("stage.end", "s", colour="red")), "records[0].colour"),
    (batch(record("stage.end", "s/../x")), "records[0].id"),
    (batch(record("stage.end", "s", run="")), "records[0].run"),
    (
        batch(record("entity", "k", kind="kg_reference", refers_to="sample 1")),
        "records[0].refers_to",
    ),
    (
        batch(record("entity", "k", kind="data", refers_to="http://example.org/x")),
        "records[0].refers_to",
    ),
    (batch(record("run.start", "a", run="b", name="x")), "records[0].id"),
    ({"schema": "provml/capture/2", "records": [record("stage.end", "s")]}, "schema"),
    ({"schema": "provml/capture/1", "records": []}, "records"),
    ({"schema": "provml/capture/1", "records": [record("stage.end", "s")], "extra": 1}, "extra"),
]


@pytest.mark.parametrize(("body", "field"), BAD_INPUTS)
def test_bad_input_names_the_field_and_writes_nothing(
    store, ingestor: Ingestor, body, field: str
) -> None:
    with pytest.raises(InvalidBatch) as err:
        ingestor.ingest_batch(json.dumps(body).encode() if isinstance(body, dict) else body)
    assert err.value.field == field
    assert err.value.details[0]["field"] == field and err.value.message
    assert store.count() == 0 and ingestor.quarantine.list() == []


def test_too_many_records(store) -> None:
    ingestor = Ingestor(store, max_records=2)
    body = batch(*(record("stage.end", f"s{i}") for i in range(3)))
    with pytest.raises(BatchTooLarge) as err:
        ingestor.ingest_batch(body)
    assert err.value.field == "records" and "limit of 2" in err.value.message
    with pytest.raises(BatchTooLarge):
        ingestor.ingest_legacy([m for req in wire_requests() for m in req["body"]])
    assert store.count() == 0


def test_bad_legacy_input(store, ingestor: Ingestor) -> None:
    with pytest.raises(InvalidBatch) as err:
        ingestor.ingest_legacy(b'[{"act_type": "task", "prov_obj": {"dt": "x"}}]')
    assert err.value.field == "body[0].prov_obj.task"
    with pytest.raises(InvalidBatch) as err:
        ingestor.ingest_legacy([], kind="lineage")
    assert err.value.field == "kind"
    assert store.count() == 0


def test_prospective_and_data_store_requests(store, ingestor: Ingestor) -> None:
    ingestor.ingest_legacy(
        {
            "dataflow_name": "train_wf",
            "data_transformations": [{"name": "load_data", "output": ["rows"]}],
        },
        kind="prospective",
    )
    ingestor.ingest_legacy(
        b'{"id": "ds_1", "name": "lake", "type": "PostgreSQL", "host_address": "db:5432"}',
        kind="data-store",
    )
    g = "GRAPH <graph/catalog>"
    assert ask(
        store,
        f"{g} {{ <experiment/train_wf/stage/load_data> a provml:DataTransformation, prov:Plan ; "
        "provml:isPartOf <experiment/train_wf> . <attribute/rows> a provml:Attribute }",
    )
    assert ask(
        store,
        f"{g} {{ <datastore/lake> a provml:DataStore, prov:Entity ; "
        'provml:dataStoreType "PostgreSQL" ; provml:location "db:5432" ; '
        'provml:identifier "ds_1" }',
    )


def test_ingest_quads(store, ingestor: Ingestor) -> None:
    g = ox.NamedNode(f"{B}graph/import/doc1")
    run = ox.NamedNode(f"{B}run/imported")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = [
        ox.Quad(run, rdf_type, ox.NamedNode(PROVML.WorkflowExecution), g),
        ox.Quad(run, rdf_type, ox.NamedNode("http://www.w3.org/ns/prov#Activity"), g),
    ]
    with pytest.raises(ShapeViolation) as err:  # no plan, no start
        ingestor.ingest_quads(quads, source="prov-json")
    assert {r["source_shape"].rsplit("#")[-1] for r in err.value.report} == {
        "Execution-plan",
        "Execution-start",
    }
    entry = ingestor.quarantine.get(err.value.quarantine_id)
    assert entry.source == "quads:prov-json" and store.count() == 0
    fixed = (
        entry.batch
        + (
            f"<{run.value}> <{PROVML.executionOf}> <{B}experiment/imported> <{g.value}> .\n"
            f'<{run.value}> <http://www.w3.org/ns/prov#startedAtTime> "2026-01-01T00:00:00Z"'
            f"^^<http://www.w3.org/2001/XMLSchema#dateTime> <{g.value}> .\n"
        ).encode()
    )
    result = ingestor.resubmit(entry.id, fixed)
    assert (result.triples, result.graphs, store.count()) == (4, [g.value], 4)
    with pytest.raises(InvalidBatch) as bad:
        ingestor.ingest_quads([ox.Quad(run, rdf_type, run)], source="x")
    assert bad.value.field == "quads[0].graph_name"


def test_ingest_quads_refuses_blank_nodes(store, ingestor: Ingestor) -> None:
    g = ox.NamedNode(f"{B}graph/import/doc2")
    p_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [
        ox.Quad(ox.NamedNode(f"{B}entity/e"), p_label, ox.Literal("e"), g),
        ox.Quad(ox.BlankNode("a1"), p_label, ox.Literal("a"), g),
    ]
    with pytest.raises(InvalidBatch) as err:
        ingestor.ingest_quads(quads, source="prov-n")
    assert err.value.field == "quads[1].subject" and store.count() == 0
