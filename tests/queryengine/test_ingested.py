"""Questions over provenance written by the real ingest pipeline from native capture records, so the
mapper and the questions cannot drift apart."""

from __future__ import annotations

import pytest

from queryengine import ask, attach_domain_graph, example_domain_graph
from services.ingest import Ingestor
from services.store import open_store
from tests.queryengine.capture import BASE, CORES

T0 = 1_767_258_000.0  # 2026-01-01T09:00:00Z


def prep_records() -> list[dict]:
    r, t = "prep", T0
    return [
        {
            "type": "run.start",
            "id": r,
            "run": r,
            "time": t,
            "name": "digits-prep",
            "kind": "workflow",
        },
        {
            "type": "entity",
            "id": "kg-a",
            "run": r,
            "time": t,
            "kind": "kg_reference",
            "refers_to": CORES + "S1",
        },
        {
            "type": "entity",
            "id": "raw-a",
            "run": r,
            "time": t,
            "kind": "dataset",
            "name": "raw-a",
            "derived_from": ["kg-a"],
        },
        {
            "type": "stage.start",
            "id": "load",
            "run": r,
            "time": t + 1,
            "name": "load",
            "kind": "transformation",
            "used": ["raw-a"],
        },
        {
            "type": "entity",
            "id": "loaded-a",
            "run": r,
            "time": t + 2,
            "kind": "data",
            "generated_by": "load",
        },
        {"type": "stage.end", "id": "load", "run": r, "time": t + 3, "status": "finished"},
        {
            "type": "stage.start",
            "id": "split",
            "run": r,
            "time": t + 4,
            "name": "split",
            "kind": "transformation",
            "used": ["loaded-a"],
        },
        {
            "type": "entity",
            "id": "train-a",
            "run": r,
            "time": t + 5,
            "kind": "dataset",
            "generated_by": "split",
            "derived_from": ["loaded-a"],
        },
        {
            "type": "entity",
            "id": "test-a",
            "run": r,
            "time": t + 5,
            "kind": "dataset",
            "generated_by": "split",
        },
        {"type": "stage.end", "id": "split", "run": r, "time": t + 6, "status": "finished"},
        {"type": "run.end", "id": r, "run": r, "time": t + 7, "status": "finished"},
    ]


def training_records(
    r: str, start: float, lr: float, losses: list[float], test: float
) -> list[dict]:
    tr = f"{r}-train"
    out = [
        {"type": "run.start", "id": r, "run": r, "time": start, "name": "digits-mlp"},
        {
            "type": "stage.start",
            "id": tr,
            "run": r,
            "time": start,
            "name": "train",
            "kind": "training",
            "used": ["train-a"],
            "planned_epochs": len(losses),
        },
        {
            "type": "hyperparameter",
            "id": f"{r}-lr",
            "run": r,
            "time": start,
            "execution": tr,
            "name": "lr",
            "value": lr,
        },
        {
            "type": "hyperparameter",
            "id": f"{r}-bs",
            "run": r,
            "time": start,
            "execution": tr,
            "name": "batch_size",
            "value": 32,
        },
    ]
    for epoch, loss in enumerate(losses):
        sec, t = f"{r}-e{epoch}", start + 60 * epoch
        out += [
            {
                "type": "section.start",
                "id": sec,
                "run": r,
                "time": t,
                "stage": tr,
                "name": "epoch",
                "index": epoch,
            },
            {
                "type": "metric",
                "id": f"{r}-loss-{epoch}",
                "run": r,
                "time": t + 59,
                "execution": sec,
                "name": "loss",
                "value": loss,
                "epoch": epoch,
            },
            {"type": "section.end", "id": sec, "run": r, "time": t + 60, "status": "finished"},
        ]
        if epoch == 1:
            out.append(
                {
                    "type": "hyperparameter",
                    "id": f"{r}-lr-1",
                    "run": r,
                    "time": t,
                    "execution": tr,
                    "name": "lr",
                    "value": lr / 10,
                    "epoch": 1,
                    "previous": f"{r}-lr",
                }
            )
    end = start + 60 * len(losses)
    out += [
        {
            "type": "entity",
            "id": f"{r}-model",
            "run": r,
            "time": end,
            "kind": "model",
            "name": f"mlp-{r}",
            "generated_by": tr,
        },
        {"type": "stage.end", "id": tr, "run": r, "time": end, "status": "finished"},
        {
            "type": "stage.start",
            "id": f"{r}-eval",
            "run": r,
            "time": end,
            "name": "evaluate",
            "kind": "evaluation",
            "used": [f"{r}-model", "test-a"],
        },
        {
            "type": "metric",
            "id": f"{r}-test",
            "run": r,
            "time": end + 5,
            "execution": f"{r}-eval",
            "name": "test_accuracy",
            "value": test,
            "model": f"{r}-model",
            "data": "test-a",
        },
        {"type": "stage.end", "id": f"{r}-eval", "run": r, "time": end + 10, "status": "finished"},
        {"type": "run.end", "id": r, "run": r, "time": end + 10, "status": "finished"},
    ]
    return out


@pytest.fixture(scope="module")
def ingested():
    with open_store("memory:") as store:
        ingestor = Ingestor(store, base_iri=BASE, validate=False)
        records = [
            *prep_records(),
            *training_records("r1", T0 + 3600, 0.1, [0.9, 0.5, 0.4], 0.83),
            *training_records("r2", T0 + 7200, 0.01, [1.0, 0.3, 0.35], 0.87),
        ]
        ingestor.ingest_batch({"schema": "provml/capture/1", "records": records})
        attach_domain_graph(store, "cores", example_domain_graph(), base_iri=BASE)
        yield store


def test_curve_and_best_epoch(ingested) -> None:
    rows = ask("training-curve", store=ingested, run="r2", measure="loss", base_iri=BASE)
    assert [(r["stage"], r["epoch"], r["value"]) for r in rows] == [
        ("train", 0, 1.0),
        ("train", 1, 0.3),
        ("train", 2, 0.35),
    ]
    best = ask("best-epoch", store=ingested, run="r2", measure="loss", base_iri=BASE)
    assert [(r["epoch"], r["value"]) for r in best] == [(1, 0.3)]


def test_values_logged_in_an_epoch_section_are_in_force(ingested) -> None:
    """A hyperparameter value logged in the section of epoch 1: with that epoch, in force at epoch 1
    only; without one, as an initial value."""
    records = training_records("r9", T0, 0.1, [0.9, 0.5, 0.4], 0.8)
    at = next(k for k, r in enumerate(records) if r.get("id") == "r9-loss-1")
    logged = {"type": "hyperparameter", "run": "r9", "time": T0 + 61, "execution": "r9-e1"}
    records[at:at] = [
        {**logged, "id": "r9-dropout", "name": "dropout", "value": 0.5, "epoch": 1},
        {**logged, "id": "r9-seed", "name": "seed", "value": 7},
    ]
    with open_store("memory:") as store:
        Ingestor(store, base_iri=BASE).ingest_batch(
            {"schema": "provml/capture/1", "records": [*prep_records(), *records]}
        )
        rows = ask("hyperparameters-by-epoch", store=store, run="r9", base_iri=BASE)
    assert [(r["epoch"], r["value"]) for r in rows if r["hyperparameter"] == "dropout"] == [
        (1, 0.5)
    ]
    assert [(r["epoch"], r["value"]) for r in rows if r["hyperparameter"] == "seed"] == [
        (0, 7),
        (1, 7),
        (2, 7),
    ]


def test_adaptation_and_times(ingested) -> None:
    rows = ask("hyperparameters-by-epoch", store=ingested, run="r1", base_iri=BASE)
    assert [
        (r["epoch"], r["value"], r["adapted"]) for r in rows if r["hyperparameter"] == "lr"
    ] == [
        (0, 0.1, False),
        (1, 0.01, True),
        (2, 0.01, True),
    ]
    times = ask("execution-times", store=ingested, run="r1", base_iri=BASE)
    assert [(r["stage"], r["epoch"], r["seconds"]) for r in times] == [
        ("evaluate", None, 10.0),
        ("train", None, 180.0),
        ("train", 0, 60.0),
        ("train", 1, 60.0),
        ("train", 2, 60.0),
    ]


def test_inter_training_and_lineage(ingested) -> None:
    ranked = ask("rank-trainings", store=ingested, measure="test_accuracy", base_iri=BASE)
    assert [(r["run"].removeprefix(BASE), r["value"]) for r in ranked] == [
        ("run/r2", 0.87),
        ("run/r1", 0.83),
    ]
    models = ask("models-from-data", store=ingested, data="raw-a", base_iri=BASE)
    assert [r["name"] for r in models] == ["mlp-r1", "mlp-r2"]
    lineage = ask("lineage", store=ingested, start="r1-test", base_iri=BASE)
    edges = {
        (r["source"].removeprefix(BASE), r["relation"], r["target"].removeprefix(BASE))
        for r in lineage
    }
    assert ("entity/kg-a", "refersTo", CORES + "S1") in edges
    assert ("entity/train-a", "wasDerivedFrom", "entity/loaded-a") in edges
    joined = ask(
        "models-by-domain-property",
        store=ingested,
        property=CORES + "porosity",
        below=0.2,
        measure="test_accuracy",
        base_iri=BASE,
    )
    assert [(r["model_name"], r["value"]) for r in joined] == [("mlp-r1", 0.83), ("mlp-r2", 0.87)]
    status = ask("training-status", store=ingested, run="r1", base_iri=BASE)
    assert [(r["status"], r["last_epoch"], r["planned_epochs"], r["value"]) for r in status] == [
        ("finished", 2, 3, 0.4)
    ]
