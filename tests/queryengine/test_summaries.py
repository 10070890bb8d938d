"""Measure summaries: the manager writes one per ended stage and measure; the inter-training
questions read them when present and the evaluations otherwise, with the same rows either way."""

from __future__ import annotations

import math

import pytest

from queryengine import ask
from services.explore._runs import run_rows
from services.ingest import Ingestor
from services.store import open_store
from tests.queryengine.capture import BASE
from tests.queryengine.test_ingested import T0, prep_records, training_records

P = "PREFIX provml: <https://w3id.org/provml#> PREFIX mls: <http://www.w3.org/ns/mls#> "
DROP_SUMMARIES = (
    P + "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s a provml:MeasureSummary ; ?p ?o } }"
)
COUNT_SUMMARIES = P + "SELECT (COUNT(*) AS ?n) WHERE { ?s a provml:MeasureSummary }"


def metric(r: str, id_: str, execution: str, name: str, value: float, **extra) -> dict:
    return {"type": "metric", "id": id_, "run": r, "time": T0 + 9000, "execution": execution,
            "name": name, "value": value, **extra}  # fmt: skip


def nested_stage(r: str, time: float, loss: float, epoch: int) -> list[dict]:
    """A stage "check" nested in the run's training, logging one loss, started and ended."""
    return [
        {"type": "stage.start", "id": f"{r}-check", "run": r, "time": time, "name": "check",
         "kind": "validation", "parent": f"{r}-train"},
        metric(r, f"{r}-check-loss", f"{r}-check", "loss", loss, epoch=epoch),
        {"type": "stage.end", "id": f"{r}-check", "run": r, "time": time + 1},
    ]  # fmt: skip


def capture() -> list[list[dict]]:
    """Batches: trainings ended in one batch or over several, with NaN and infinite values, ties,
    a value without an epoch, a measure logged on the stage itself, and a run still training."""
    r1 = training_records("r1", T0 + 3600, 0.1, [0.9, 0.5, 0.4], 0.83)
    r2 = training_records("r2", T0 + 7200, 0.01, [1.0, 0.3, 0.35], 0.87)
    r3 = training_records("r3", T0 + 10800, 0.1, [0.7, math.nan, 0.2], 0.91)
    r4 = training_records("r4", T0 + 14400, 0.01, [math.inf, 0.6, 0.6], 0.80)
    r5 = training_records("r5", T0 + 18000, 0.001, [0.8, 0.7], 0.5)
    extra = [
        metric("r3", "r3-acc-0", "r3-e0", "accuracy", math.nan, epoch=0),
        metric("r3", "r3-acc-1", "r3-e1", "accuracy", math.nan, epoch=1),
        metric("r4", "r4-acc-1", "r4-e1", "accuracy", 0.75, epoch=1),
        metric("r4", "r4-acc-2", "r4-e2", "accuracy", 0.75, epoch=2),
        metric("r4", "r4-acc", "r4-train", "accuracy", 0.7),  # no epoch: after every epoch
        metric("r2", "r2-acc-1", "r2-e1", "accuracy", 1.0, epoch=1),
        metric("r2", "r2-acc-2", "r2-e2", "accuracy", 1, epoch=2),
        metric("r1", "r1-acc", "r1", "accuracy", 0.5),  # logged on the run itself
    ]
    # a stage nested in r2's training, with its own summary: its value is also in the training's
    nested = nested_stage("r2", T0 + 9000, 0.9, epoch=2)
    end = next(i for i, rec in enumerate(r4) if rec["type"] == "stage.end")
    running = [rec for rec in r5 if rec["type"] not in ("stage.end", "run.end")]
    by_run = {rec["run"]: [] for rec in extra}
    for rec in extra:
        by_run[rec["run"]].append(rec)
    return [
        [*prep_records(), *r1[:-6], *by_run["r1"], *r1[-6:]],
        [*r2[:-6], *by_run["r2"], *nested],
        r2[-6:],
        [*r3[:5], *by_run["r3"][:1]],  # the stage ends in a later batch than its first epochs
        [*r3[5:-6], *by_run["r3"][1:], *r3[-6:]],
        [*r4[:end], *by_run["r4"]],
        r4[end:],  # the end of the stage alone
        running,
    ]


@pytest.fixture(scope="module")
def stores():
    """The capture with its summaries, and the same capture without them."""
    with_summaries, without = open_store("memory:"), open_store("memory:")
    for store in (with_summaries, without):
        ingestor = Ingestor(store, base_iri=BASE)
        for records in capture():
            ingestor.ingest_batch({"schema": "provml/capture/1", "records": records})
    without.update(DROP_SUMMARIES)
    yield with_summaries, without
    with_summaries.close()
    without.close()


CASES = [
    ("rank-trainings", {"measure": "loss"}),
    ("rank-trainings", {"measure": "loss", "pick": "best", "goal": "min"}),
    ("rank-trainings", {"measure": "accuracy", "pick": "best", "goal": "max"}),
    ("rank-trainings", {"measure": "accuracy", "pick": "final", "goal": "min"}),
    ("rank-trainings", {"measure": "test_accuracy", "finished": True}),
    ("compare-trainings", {"hyperparameter": "lr", "measure": "loss"}),
    ("compare-trainings", {"hyperparameter": "lr", "measure": "accuracy"}),
    ("metric-by-hyperparameter", {"hyperparameter": "lr", "measure": "loss"}),
    ("metric-by-hyperparameter", {"hyperparameter": "lr", "measure": "accuracy"}),
    ("metric-by-hyperparameter", {"hyperparameter": "batch_size", "measure": "test_accuracy"}),
    ("runs", {}),
    ("runs", {"status": "running"}),
]


def comparable(rows: list[dict]) -> list[list]:
    """Rows with NaN made comparable (NaN != NaN), and without the duration of a running run
    (it runs to the time of asking)."""
    return [
        [
            (k, "NaN" if isinstance(v, float) and math.isnan(v) else v)
            for k, v in sorted(r.items())
            if not (k == "duration_seconds" and r.get("status") == "running")
        ]
        for r in rows
    ]


@pytest.mark.parametrize(("question", "params"), CASES)
def test_summaries_and_evaluations_give_the_same_rows(stores, question, params) -> None:
    with_summaries, without = stores
    rows = ask(question, store=with_summaries, base_iri=BASE, **params)
    assert rows
    assert comparable(rows) == comparable(ask(question, store=without, base_iri=BASE, **params))


def test_each_ended_stage_has_one_summary_per_measure(stores) -> None:
    with_summaries, without = stores
    # r1, r2, r3, r4: training (loss; accuracy in r2, r3, r4) and evaluation (test_accuracy);
    # r2's nested stage (loss); r5 is still training: no summary
    assert with_summaries.query(COUNT_SUMMARIES).rows[0][0].value == str(4 + 3 + 4 + 1)
    assert without.query(COUNT_SUMMARIES).rows[0][0].value == "0"


def summary(store, stage: str, measure: str) -> dict[str, str]:
    rows = store.query(
        P + f"SELECT ?p ?o WHERE {{ ?s provml:summarizes <{BASE}execution/{stage}> ; "
        f"mls:specifiedBy <{BASE}measure/{measure}> ; ?p ?o "
        "FILTER(STRSTARTS(STR(?p), STR(provml:))) }"
    ).rows
    return {
        p.value.rsplit("#", 1)[-1]: o.value for p, o in rows if p.value.endswith(("Value", "Epoch"))
    }


def test_summary_values_and_epochs(stores) -> None:
    store = stores[0]
    assert summary(store, "r1-train", "loss") == {
        "finalValue": "0.4", "finalEpoch": "2", "lowestValue": "0.4", "lowestEpoch": "2",
        "highestValue": "0.9", "highestEpoch": "0",
    }  # fmt: skip
    # the value without an epoch is the final one; the highest was reached first at epoch 1
    assert summary(store, "r4-train", "accuracy") == {
        "finalValue": "0.7", "lowestValue": "0.7", "highestValue": "0.75", "highestEpoch": "1",
    }  # fmt: skip
    # NaN is never the lowest or highest; INF is a number
    assert summary(store, "r3-train", "accuracy") == {"finalValue": "NaN", "finalEpoch": "1"}
    assert summary(store, "r4-train", "loss") == {
        "finalValue": "0.6", "finalEpoch": "2", "lowestValue": "0.6", "lowestEpoch": "1",
        "highestValue": "INF", "highestEpoch": "0",
    }  # fmt: skip


def test_runs_give_the_final_value_of_each_measure(stores) -> None:
    expected = [
        ("r5", "loss=0.7, test_accuracy=0.5"),  # still training: read from its evaluations
        ("r4", "accuracy=0.7, loss=0.6, test_accuracy=0.8"),  # the value without an epoch is last
        ("r3", "accuracy=NaN, loss=0.2, test_accuracy=0.91"),
        # loss at epoch 2 in the training and in its nested stage: the greater text of the two
        ("r2", "accuracy=1, loss=0.9, test_accuracy=0.87"),
        ("r1", "accuracy=0.5, loss=0.4, test_accuracy=0.83"),  # accuracy logged on the run itself
        ("prep", None),
    ]
    for store in stores:
        rows = ask("runs", store=store, base_iri=BASE, names=False)
        assert [(r["run"].rsplit("/", 1)[-1], r["metrics"]) for r in rows] == expected


def test_a_nested_stage_ended_with_its_parent_has_its_own_summary() -> None:
    records = training_records("r6", T0, 0.1, [0.9, 0.5], 0.8)
    end = next(i for i, rec in enumerate(records) if rec["type"] == "stage.end")
    nested = nested_stage("r6", T0 + 100, 0.95, epoch=1)
    with open_store("memory:") as store:
        ingestor = Ingestor(store, base_iri=BASE)
        ingestor.ingest_batch(
            {"schema": "provml/capture/1", "records": [*prep_records(), *records[:end]]}
        )
        # the nested stage and its parent end in one batch
        batch = [*nested, *records[end:]]
        ingestor.ingest_batch({"schema": "provml/capture/1", "records": batch})
        assert summary(store, "r6-check", "loss") == {
            "finalValue": "0.95", "finalEpoch": "1", "lowestValue": "0.95", "lowestEpoch": "1",
            "highestValue": "0.95", "highestEpoch": "1",
        }  # fmt: skip
        # the parent's summary counts the nested stage's value too (one hop, as the questions do)
        assert summary(store, "r6-train", "loss")["highestValue"] == "0.95"


def value_count(store, stage: str, measure: str) -> int | None:
    rows = store.query(
        P + f"SELECT ?n WHERE {{ ?s provml:summarizes <{BASE}execution/{stage}> ; "
        f"mls:specifiedBy <{BASE}measure/{measure}> ; provml:valueCount ?n }}"
    ).rows
    return int(rows[0][0].value) if rows else None


def test_a_summary_counts_the_values_nan_included(stores) -> None:
    store = stores[0]
    assert value_count(store, "r1-train", "loss") == 3
    assert value_count(store, "r3-train", "accuracy") == 2  # both NaN
    assert value_count(store, "r4-train", "accuracy") == 3  # two epochs and one without
    # the training's loss at three epochs and its nested stage's loss (one hop)
    assert value_count(store, "r2-train", "loss") == 4
    assert value_count(store, "r2-check", "loss") == 1
    assert value_count(stores[1], "r1-train", "loss") is None


def table_metrics(store, run: str | None = None) -> dict[str, dict]:
    """The runs table's metrics of each run, NaN made comparable."""
    return {
        row["run"]: {
            name: {k: "NaN" if isinstance(v, float) and math.isnan(v) else v for k, v in m.items()}
            for name, m in row["metrics"].items()
        }
        for row in run_rows(store, run=run, base_iri=BASE)
    }


def test_the_runs_table_reads_summaries_and_evaluations_alike(stores) -> None:
    with_summaries, without = stores
    table = table_metrics(with_summaries)
    assert table == table_metrics(without)
    assert table["r2"]["loss"] == {"final": 0.9, "best": 0.3, "min": 0.3, "max": 1.0, "count": 4}
    # NaN is counted, never the lowest or highest: a measure with only NaN has neither
    assert table["r3"]["loss"] == {"final": 0.2, "best": 0.2, "min": 0.2, "max": 0.7, "count": 3}
    assert table["r3"]["accuracy"] == {
        "final": "NaN", "best": None, "min": None, "max": None, "count": 2,
    }  # fmt: skip
    assert table["r4"]["loss"]["max"] == math.inf
    assert table["r1"]["accuracy"] == {
        "final": 0.5,
        "best": 0.5,
        "min": 0.5,
        "max": 0.5,
        "count": 1,
    }
    assert table["r5"]["loss"]["count"] == 2  # still training: read from its evaluations
    # one run alone, as the run page asks it: the same metrics
    for store in stores:
        assert table_metrics(store, run="r2") == {"r2": table["r2"]}
