"""Every question against the hand-built capture (capture.trig), exact rows, on the embedded store
and on a real ``oxigraph serve``. The right answers follow from the capture's comment header, worked
out by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from queryengine import ask, catalogue
from tests.queryengine.capture import BASE, CORES


@pytest.fixture(params=[True, False], ids=["lateral", "values"])
def answer(request: pytest.FixtureRequest, capture_store) -> Callable[..., list[dict[str, Any]]]:
    """``ask`` on the capture, binding parameters with VALUES + LATERAL, then with plain VALUES."""
    return partial(ask, store=capture_store, lateral=request.param)


def short(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the base IRI cut from IRIs, for readable expectations."""
    return [
        {k: v.removeprefix(BASE) if isinstance(v, str) else v for k, v in r.items()} for r in rows
    ]


def tuples(rows: list[dict[str, Any]], *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(r[c] for c in columns) for r in short(rows)]


def test_every_question_has_a_test() -> None:
    from tests.queryengine import test_data_pipeline, test_dataflow, test_version_questions

    # DLProv's questions are tested on DLProv's reference run, in test_dataflow.py; the data
    # pipeline questions on a captured pipeline, in test_data_pipeline.py
    tested = {
        name.removeprefix("test_").replace("_", "-")
        for name in [
            *globals(),
            *vars(test_version_questions),
            *vars(test_dataflow),
            *vars(test_data_pipeline),
        ]
        if name.startswith("test_")
    }
    remote = {
        "models-by-domain-property-remote"
    }  # needs a second server: tests/queryengine/test_polystore.py
    assert set(catalogue()) - remote - tested == set()


def test_training_curve(answer) -> None:
    rows = answer("training-curve", run="r1", measure="loss")
    assert rows.columns == [
        "stage",
        "epoch",
        "step",
        "metric",
        "value",
        "evaluation",
        "evaluation_name",
    ]
    assert [r["evaluation_name"] for r in rows] == [
        "loss = 0.9 (epoch 0)",
        "loss = 0.5 (epoch 1)",
        "loss = 0.4 (epoch 2)",
    ]
    assert tuples(rows, "stage", "epoch", "metric", "value", "evaluation") == [
        ("train", 0, "loss", 0.9, "evaluation/r1-loss-0"),
        ("train", 1, "loss", 0.5, "evaluation/r1-loss-1"),
        ("train", 2, "loss", 0.4, "evaluation/r1-loss-2"),
    ]
    # metrics written on the training stage itself (no sections) and every measure at once
    rows = answer("training-curve", run=BASE + "run/r2")
    assert tuples(rows, "stage", "epoch", "metric", "value") == [
        ("evaluate", None, "test_accuracy", 0.87),
        ("train", 0, "accuracy", 0.5),
        ("train", 1, "accuracy", 0.9),
        ("train", 2, "accuracy", 0.88),
        ("train", 0, "loss", 1.0),
        ("train", 1, "loss", 0.3),
        ("train", 2, "loss", 0.35),
    ]


def test_best_epoch(answer) -> None:
    assert tuples(answer("best-epoch", run="r2", measure="loss"), "epoch", "value") == [(1, 0.3)]
    best = answer("best-epoch", run="r1", measure="accuracy", goal="max")
    assert short(best) == [{"stage": "train", "epoch": 2, "metric": "accuracy", "value": 0.85}]


def test_hyperparameters_by_epoch(answer) -> None:
    rows = answer("hyperparameters-by-epoch", run="r1")
    assert tuples(rows, "epoch", "hyperparameter", "value", "adapted", "since_epoch") == [
        (0, "batch_size", 32, False, None),
        (0, "hidden", 64, False, None),
        (0, "lr", 0.1, False, None),
        (1, "batch_size", 32, False, None),
        (1, "hidden", 64, False, None),
        (1, "lr", 0.1, False, None),
        (2, "batch_size", 32, False, None),
        (2, "hidden", 64, False, None),
        (2, "lr", 0.01, True, 2),
    ]
    # r2 has no epoch sections: its epochs come from the per-epoch metrics
    rows = answer("hyperparameters-by-epoch", run="r2")
    assert {
        (r["epoch"], r["hyperparameter"], r["value"]) for r in rows if r["hyperparameter"] == "lr"
    } == {
        (0, "lr", 0.01),
        (1, "lr", 0.01),
        (2, "lr", 0.01),
    }


def test_execution_times(answer) -> None:
    rows = answer("execution-times", run="r1")
    assert tuples(rows, "stage", "epoch", "started", "seconds", "status") == [
        ("evaluate", None, "2026-01-01T10:03:10Z", 10.0, "finished"),
        ("train", None, "2026-01-01T10:00:10Z", 180.0, "finished"),
        ("train", 0, "2026-01-01T10:00:10Z", 60.0, "finished"),
        ("train", 1, "2026-01-01T10:01:10Z", 50.0, "finished"),
        ("train", 2, "2026-01-01T10:02:00Z", 70.0, "finished"),
    ]
    # a running stage has no end and no duration yet
    rows = answer("execution-times", run="r3")
    assert tuples(rows, "stage", "epoch", "ended", "seconds") == [
        ("train", None, None, None),
        ("train", 0, "2026-01-01T11:01:30Z", 90.0),
        ("train", 1, "2026-01-01T11:02:40Z", 70.0),
    ]


def test_training_data(answer) -> None:
    rows = answer("training-data", run="r1")
    assert tuples(rows, "data", "kind", "generated_by", "transformation") == [
        ("entity/kg-a", "KnowledgeGraphReference", None, None),
        ("entity/loaded-a", "LearningData", "execution/load", "load"),
        ("entity/raw-a", "Dataset", None, None),
        ("entity/test-a-raw", "Dataset", "execution/split", "split"),
        ("entity/train-a", "Dataset", "execution/scale", "scale"),
        ("entity/train-a-raw", "Dataset", "execution/split", "split"),
    ]


def test_training_status(answer) -> None:
    before = datetime.now(UTC)
    rows = answer("training-status", run="r3")
    after = datetime.now(UTC)
    started = datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
    assert tuples(
        rows, "status", "started", "ended", "last_epoch", "planned_epochs", "metric", "value"
    ) == [
        ("running", "2026-01-01T11:00:00Z", None, 1, 3, "accuracy", 0.75),
        ("running", "2026-01-01T11:00:00Z", None, 1, 3, "loss", 0.6),
    ]
    for row in rows:  # a running run's elapsed time runs to the query's NOW()
        assert (
            (before - started).total_seconds() - 1
            <= row["elapsed_seconds"]
            <= (after - started).total_seconds() + 1
        )
    rows = answer("training-status", run="r1")
    assert tuples(rows, "status", "elapsed_seconds", "last_epoch", "metric", "value") == [
        ("finished", 300.0, 2, "accuracy", 0.85),
        ("finished", 300.0, 2, "loss", 0.4),
    ]


def test_rank_trainings(answer) -> None:
    rows = answer("rank-trainings", measure="loss", goal="min", experiment="digits-mlp")
    assert tuples(rows, "run", "experiment_name", "value", "final", "best") == [
        ("run/r2", "digits-mlp", 0.35, 0.35, 0.3),
        ("run/r1", "digits-mlp", 0.4, 0.4, 0.4),
        ("run/r3", "digits-mlp", 0.6, 0.6, 0.6),
    ]
    assert [set(r["hyperparameters"].split(", ")) for r in rows] == [
        {"batch_size=32", "hidden=64", "lr=0.01"},
        {"batch_size=32", "hidden=64", "lr=0.1"},
        {"batch_size=64", "hidden=64", "lr=0.1"},
    ]
    finished = answer("rank-trainings", measure="loss", goal="min", finished=True)
    assert tuples(finished, "run") == [("run/r2",), ("run/r1",)]
    best = answer("rank-trainings", measure="loss", goal="min", pick="best")
    assert tuples(best, "run", "value") == [("run/r2", 0.3), ("run/r1", 0.4), ("run/r3", 0.6)]
    test = answer("rank-trainings", measure="test_accuracy")
    assert tuples(test, "run", "value") == [("run/r2", 0.87), ("run/r1", 0.83)]
    assert answer("rank-trainings", measure="loss", experiment="digits-prep") == []


def test_compare_trainings(answer) -> None:
    rows = answer("compare-trainings", hyperparameter="lr", measure="loss")
    assert short(rows) == [
        {
            "run_a": "run/r1",
            "run_a_name": "digits-mlp 2026-01-01 10:00:00",
            "setting_a": 0.1,
            "final_a": 0.4,
            "run_b": "run/r2",
            "run_b_name": "digits-mlp 2026-01-01 10:10:00",
            "setting_b": 0.01,
            "final_b": 0.35,
        }
    ]
    rows = answer("compare-trainings", hyperparameter="batch_size", measure="accuracy")
    assert tuples(rows, "run_a", "setting_a", "final_a", "run_b", "setting_b", "final_b") == [
        ("run/r1", 32, 0.85, "run/r3", 64, 0.75)
    ]
    assert answer("compare-trainings", hyperparameter="hidden", measure="loss") == []


def test_trainings_using_data(answer) -> None:
    rows = answer("trainings-using-data", data="raw-a")
    assert tuples(rows, "run", "training", "input", "experiment_name") == [
        ("run/r1", "execution/r1-train", "entity/train-a", "digits-mlp"),
        ("run/r2", "execution/r2-train", "entity/train-a", "digits-mlp"),
    ]
    assert tuples(answer("trainings-using-data", data="kg-b"), "run") == [("run/r3",)]
    assert answer("trainings-using-data", data="test-a") == []


def test_models_from_data(answer) -> None:
    rows = answer("models-from-data", data="raw-a")
    assert short(rows) == [
        {
            "model": "entity/m1",
            "model_name": "mlp-r1",
            "name": "mlp-r1",
            "run": "run/r1",
            "run_name": "digits-mlp 2026-01-01 10:00:00",
            "training": "execution/r1-train",
            "training_name": "train",
        },
        {
            "model": "entity/m2",
            "model_name": "mlp-r2",
            "name": "mlp-r2",
            "run": "run/r2",
            "run_name": "digits-mlp 2026-01-01 10:10:00",
            "training": "execution/r2-train",
            "training_name": "train",
        },
    ]
    assert answer("models-from-data", data="raw-b") == []  # r3 is still training


def test_metric_by_hyperparameter(answer) -> None:
    rows = answer("metric-by-hyperparameter", hyperparameter="lr", measure="loss")
    assert [
        (r["setting"], r["runs"], round(r["mean"], 9), r["minimum"], r["maximum"]) for r in rows
    ] == [
        (0.01, 1, 0.35, 0.35, 0.35),
        (0.1, 2, 0.5, 0.4, 0.6),
    ]


LINEAGE_OF_R1_TEST = [
    ("entity/kg-a", "refersTo", CORES + "S1"),
    ("entity/loaded-a", "wasGeneratedBy", "execution/load"),
    ("entity/m1", "wasGeneratedBy", "execution/r1-train"),
    ("entity/raw-a", "wasDerivedFrom", "entity/kg-a"),
    ("entity/test-a", "wasGeneratedBy", "execution/scale"),
    ("entity/test-a-raw", "wasGeneratedBy", "execution/split"),
    ("entity/train-a", "wasGeneratedBy", "execution/scale"),
    ("entity/train-a-raw", "wasDerivedFrom", "entity/loaded-a"),
    ("entity/train-a-raw", "wasGeneratedBy", "execution/split"),
    ("evaluation/r1-test", "evaluatedModel", "entity/m1"),
    ("evaluation/r1-test", "evaluatedOn", "entity/test-a"),
    ("evaluation/r1-test", "wasGeneratedBy", "execution/r1-eval"),
    ("execution/load", "isPartOf", "run/prep"),
    ("execution/load", "used", "entity/raw-a"),
    ("execution/r1-eval", "isPartOf", "run/r1"),
    ("execution/r1-eval", "used", "entity/m1"),
    ("execution/r1-eval", "used", "entity/test-a"),
    ("execution/r1-train", "isPartOf", "run/r1"),
    ("execution/r1-train", "used", "entity/train-a"),
    ("execution/r1-train", "used", "hyperparameter-value/r1-batch"),
    ("execution/r1-train", "used", "hyperparameter-value/r1-hidden"),
    ("execution/r1-train", "used", "hyperparameter-value/r1-lr"),
    ("execution/scale", "isPartOf", "run/prep"),
    ("execution/scale", "used", "entity/test-a-raw"),
    ("execution/scale", "used", "entity/train-a-raw"),
    ("execution/split", "isPartOf", "run/prep"),
    ("execution/split", "used", "entity/loaded-a"),
]


def test_lineage(answer) -> None:
    rows = answer("lineage", start="r1-test")
    assert tuples(rows, "source", "relation", "target") == LINEAGE_OF_R1_TEST
    assert short(rows)[0]["source_type"] == "KnowledgeGraphReference"


def test_upstream(answer) -> None:
    rows = answer("upstream", start="r1-test", hops=2)
    assert tuples(rows, "node", "distance") == [
        ("entity/m1", 1),
        ("entity/test-a", 1),
        ("execution/r1-eval", 1),
        ("execution/r1-train", 2),
        ("execution/scale", 2),
        ("run/r1", 2),
    ]
    # the default limit (5 hops) stops at the load step; with more, the raw data and its domain
    # sample
    near = tuples(answer("upstream", start="r1-test"), "node", "distance")
    assert near[-1] == ("execution/load", 5)
    assert ("entity/loaded-a", 4) in near
    assert "entity/raw-a" not in {node for node, _ in near}
    far = tuples(answer("upstream", start="r1-test", hops=10), "node", "distance")
    assert far[-3:] == [("entity/raw-a", 6), ("entity/kg-a", 7), (CORES + "S1", 8)]


def test_downstream(answer) -> None:
    rows = answer("downstream", start="raw-b")
    assert tuples(rows, "node", "distance") == [
        ("execution/split-b", 1),
        ("entity/test-b", 2),
        ("entity/train-b", 2),
        ("execution/r3-train", 3),
        ("execution/r3-e0", 4),
        ("execution/r3-e1", 4),
        ("evaluation/r3-acc-0", 5),
        ("evaluation/r3-acc-1", 5),
        ("evaluation/r3-loss-0", 5),
        ("evaluation/r3-loss-1", 5),
    ]
    assert tuples(answer("downstream", start="raw-b", hops=1), "node") == [("execution/split-b",)]


def test_shortest_path(answer) -> None:
    # from a test metric back to the raw data, as in the DLProv path queries
    rows = answer("shortest-path", source="r1-test", target="raw-a")
    assert tuples(rows, "hop", "node", "length") == [
        (0, "evaluation/r1-test", 6),
        (1, "entity/test-a", 6),
        (2, "execution/scale", 6),
        (3, "entity/train-a-raw", 6),
        (4, "entity/loaded-a", 6),
        (5, "execution/load", 6),
        (6, "entity/raw-a", 6),
    ]
    # the other way round, the path is still listed from source to target
    back = answer("shortest-path", source="raw-a", target="r1-test")
    assert tuples(back, "node") == [
        (n,) for _, n, _ in reversed(tuples(rows, "hop", "node", "length"))
    ]
    assert tuples(answer("shortest-path", source="m1", target="kg-a"), "length")[0] == (8,)
    assert answer("shortest-path", source="r1-test", target="raw-a", max_hops=5) == []
    assert answer("shortest-path", source="m1", target="m2") == []  # siblings: no lineage path


def test_models_by_domain_property(answer) -> None:
    rows = answer(
        "models-by-domain-property",
        property=CORES + "porosity",
        below=0.2,
        measure="test_accuracy",
    )
    assert short(rows) == [
        {
            "model": "entity/m1",
            "model_name": "mlp-r1",
            "entity": CORES + "S1",
            "entity_name": "core S1",
            "property_value": 0.12,
            "value": 0.83,
            "run": "run/r1",
            "run_name": "digits-mlp 2026-01-01 10:00:00",
        },
        {
            "model": "entity/m2",
            "model_name": "mlp-r2",
            "entity": CORES + "S1",
            "entity_name": "core S1",
            "property_value": 0.12,
            "value": 0.87,
            "run": "run/r2",
            "run_name": "digits-mlp 2026-01-01 10:10:00",
        },
    ]
    assert (
        answer(
            "models-by-domain-property",
            property=CORES + "porosity",
            below=0.1,
            measure="test_accuracy",
        )
        == []
    )


def test_domain_entities_of_run(answer) -> None:
    rows = answer("domain-entities-of-run", run="r3")
    assert tuples(rows, "entity", "property", "value", "reference") == [
        (CORES + "S2", "http://www.w3.org/2000/01/rdf-schema#label", "core S2", "entity/kg-b"),
        (CORES + "S2", CORES + "depth", 2402.0, "entity/kg-b"),
        (CORES + "S2", CORES + "permeability", 820.0, "entity/kg-b"),
        (CORES + "S2", CORES + "porosity", 0.25, "entity/kg-b"),
    ]


def test_runs(answer) -> None:
    rows = answer("runs")
    assert rows.columns == [
        "run",
        "run_name",
        "name",
        "study",
        "status",
        "started",
        "duration_seconds",
        "hyperparameters",
        "metrics",
    ]
    assert [r["run_name"] for r in rows] == [
        "digits-mlp 2026-01-01 11:00:00",
        "digits-mlp 2026-01-01 10:10:00",
        "digits-mlp 2026-01-01 10:00:00",
        "digits-prep 2026-01-01 09:00:00",
    ]
    assert tuples(rows, "run", "name", "status", "started", "hyperparameters", "metrics") == [
        (
            "run/r3",
            "digits-mlp",
            "running",
            "2026-01-01T11:00:00Z",
            "batch_size=64, hidden=64, lr=0.1",
            "accuracy=0.75, loss=0.6",
        ),
        (
            "run/r2",
            "digits-mlp",
            "finished",
            "2026-01-01T10:10:00Z",
            "batch_size=32, hidden=64, lr=0.01",
            "accuracy=0.88, loss=0.35, test_accuracy=0.87",
        ),
        (
            "run/r1",
            "digits-mlp",
            "finished",
            "2026-01-01T10:00:00Z",
            "batch_size=32, hidden=64, lr=0.1",
            "accuracy=0.85, loss=0.4, test_accuracy=0.83",
        ),
        ("run/prep", "digits-prep", "finished", "2026-01-01T09:00:00Z", None, None),
    ]
    # ended runs last as long as they ran; a running one runs to now (more than a day here)
    assert [r["duration_seconds"] for r in rows[1:]] == [240.0, 300.0, 60.0]
    assert rows[0]["duration_seconds"] > 86400
    assert tuples(answer("runs", status="running"), "run") == [("run/r3",)]
    assert tuples(answer("runs", experiment="digits-prep"), "run", "status") == [
        ("run/prep", "finished")
    ]
    assert answer("runs", experiment="digits-mlp", status="failed") == []


# -- Braid-DB questions, on the Braid capture (braid_capture.py: ingested through the pipeline) ----


def test_braid_record(answer) -> None:
    (row,) = short(answer("braid-record", record="3"))
    assert row == {
        "record_id": 3,
        "name": "peak finder",
        "kind": "model",
        "time": "2026-11-22T10:02:00Z",
        "invalidation": "braid/invalidation/inv-cal-3",
        "invalidation_name": "Invalidation inv-cal-3",
        "cause": "calibration drifted",
        "root": "braid/invalidation/inv-cal",
        "root_name": "Invalidation inv-cal",
        "invalidated_at": "2026-11-22T10:30:00Z",
    }
    assert short(answer("braid-record", record="2"))[0]["invalidation"] is None
    assert answer("braid-record", record="99") == []


def test_braid_derivations(answer) -> None:
    rows = answer("braid-derivations", record="3")
    assert tuples(rows, "record_id", "name", "via") == [
        (5, "surrogate", "update"),
        (10, "peaks of scan 2", "derivation"),
    ]
    assert tuples(answer("braid-derivations", record="1"), "record_id", "via") == [(3, "update")]


def test_braid_predecessors(answer) -> None:
    assert tuples(answer("braid-predecessors", record="3"), "record_id", "via") == [
        (1, "update"),
        (2, "update"),
        (4, "update"),
        (5, "update"),
    ]
    assert tuples(answer("braid-predecessors", record="10"), "record_id", "via") == [
        (3, "derivation")
    ]


def test_braid_tags(answer) -> None:
    assert tuples(answer("braid-tags", record="3"), "tag_id", "key", "value", "type") == [
        (14, "threshold", 0.25, "FLOAT")
    ]
    assert tuples(answer("braid-tags", record="2"), "key", "value", "type") == [
        ("frames", 1200, "INTEGER")
    ]


def test_braid_uris(answer) -> None:
    assert tuples(answer("braid-uris", record="2"), "uri") == [("globus://aps/scan-1.h5",)]
    assert answer("braid-uris", record="3") == []


def test_braid_records_by_tag(answer) -> None:
    rows = answer("braid-records-by-tag", key="frames", value="1200.0", numeric=True)
    assert tuples(rows, "record_id", "tag_id", "tag_value") == [(2, 12, 1200), (4, 15, 1200)]
    assert answer("braid-records-by-tag", key="frames", value="1200") == []  # not as text
    rows = answer("braid-records-by-tag", key="beamline", value="APS 1-ID")
    assert tuples(rows, "record_id", "name") == [(1, "detector calibration")]
    assert answer("braid-records-by-tag", key="beamline", value="APS 2-ID") == []


def test_braid_cascade(answer) -> None:
    rows = answer("braid-cascade", record="1")
    assert tuples(rows, "source_id", "target_id", "target_invalid") == [
        (1, 3, True),
        (3, 5, True),
        (3, 10, True),
        (5, 3, True),
    ]
    assert answer("braid-cascade", record="10") == []


def test_braid_records(answer) -> None:
    rows = answer("braid-records")
    assert tuples(rows, "record_id", "kind", "valid") == [
        (1, "fact", False),
        (2, "data", True),
        (3, "model", False),
        (4, "data", True),
        (5, "model", False),
        (10, "data", False),
    ]


def test_braid_actions(answer) -> None:
    assert answer("braid-actions") == []


def test_braid_action_runs(answer) -> None:
    assert answer("braid-action-runs") == []


def test_braid_invalidation(answer) -> None:
    rows = answer("braid-invalidation", invalidation="inv-cal-5")
    assert tuples(rows, "record_id", "cause", "root", "root_id") == [
        (5, "calibration drifted", "inv-cal", 1)
    ]


def test_invalidated(answer) -> None:
    rows = answer("invalidated")
    assert tuples(rows, "record_id", "root_id", "caused_by_id", "cause") == [
        (1, 1, None, "calibration drifted"),
        (3, 1, 1, "calibration drifted"),
        (5, 1, 3, "calibration drifted"),
        (10, 1, 3, "calibration drifted"),
    ]
    assert len(answer("invalidated", root="1")) == 4
    assert answer("invalidated", root="3") == []  # 3 is not the root of a cascade


def test_model_history(answer) -> None:
    rows = answer("model-history", model="3")
    assert tuples(rows, "version", "version_id", "used_id", "used_valid") == [
        (0, 3, None, None),
        (1, 6, 1, False),
        (2, 7, 2, True),
        (3, 8, 4, True),
        (4, 11, 5, False),
    ]
    assert tuples(answer("model-history", model="5"), "version", "used_name") == [
        (0, None),
        (1, "peak finder"),
    ]


def test_upstream_and_downstream_reach_braid_records(answer) -> None:
    up = {r["node"]: r["distance"] for r in short(answer("upstream", start="10", hops=4))}
    assert up["braid/record/3"] == 1 and up["braid/version/8"] == 2
    assert up["braid/record/1"] == up["braid/record/4"] == 4
    down = {r["node"]: r["distance"] for r in short(answer("downstream", start="1", hops=4))}
    assert down["braid/update/6"] == 1 and down["braid/record/3"] == 3
    assert down["braid/record/10"] == 4


def test_rank_trainings_marks_or_excludes_runs_on_invalidated_data(memory_store) -> None:
    from services.ingest import Ingestor

    ranked = ask("rank-trainings", store=memory_store, measure="loss", goal="min")
    assert tuples(ranked, "run", "invalidated") == [
        ("run/r2", False),
        ("run/r1", False),
        ("run/r3", False),
    ]
    # r3's training also used a reference to the Braid peaks (10), invalidated with the calibration
    Ingestor(memory_store).ingest_batch(
        {
            "schema": "provml/capture/1",
            "records": [
                {
                    "type": "entity",
                    "id": "peaks-ref",
                    "run": "r3",
                    "time": 1.0,
                    "kind": "kg_reference",
                    "refers_to": BASE + "braid/record/10",
                },
                {
                    "type": "used",
                    "id": "u1",
                    "run": "r3",
                    "time": 2.0,
                    "execution": "r3-train",
                    "entity": "peaks-ref",
                },
            ],
        }
    )
    for lateral in (True, False):
        ranked = ask(
            "rank-trainings", store=memory_store, measure="loss", goal="min", lateral=lateral
        )
        assert tuples(ranked, "run", "invalidated") == [
            ("run/r2", False),
            ("run/r1", False),
            ("run/r3", True),
        ]
        kept = ask(
            "rank-trainings", store=memory_store, measure="loss", invalid="exclude", lateral=lateral
        )
        assert tuples(kept, "run") == [("run/r1",), ("run/r2",)]
