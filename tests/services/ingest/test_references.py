"""Records that name a run, an execution or an entity that exists neither in their batch nor in the
store are quarantined (UnknownReference), never committed as orphans."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from services.app import Settings, create_app
from services.ingest import Ingestor, ShapeViolation, UnknownReference
from services.ingest._records import parse_batch
from services.ingest._references import references
from tests.services.ingest.samples import RUN, T0, batch, record

B = "http://provml.localhost/id/"


@pytest.fixture
def ingestor(store) -> Ingestor:
    return Ingestor(store)


def started(ingestor: Ingestor) -> None:
    """Run RUN with a training stage ``tr1``, an epoch ``ep0``, a dataset and a hyperparameter."""
    ingestor.ingest_batch(
        batch(
            record("run.start", RUN, name="digits-mlp"),
            record("entity", "ds", kind="dataset", name="digits"),
            record("stage.start", "tr1", time=T0 + 1, name="training", kind="training"),
            record("section.start", "ep0", time=T0 + 2, stage="tr1", name="epoch", index=0),
            record("hyperparameter", "lr0", execution="tr1", name="lr", value=0.1),
        )
    )


def test_a_metric_of_a_run_that_never_started_is_quarantined_naming_the_run(
    store, ingestor: Ingestor
) -> None:
    body = json.dumps(
        batch(
            record("metric", "m1", run="ghost", execution="ghost", name="loss", value=0.5),
            record("metric", "m2", run="ghost", execution="ghost", name="loss", value=0.4),
        )
    ).encode()
    with pytest.raises(UnknownReference) as err:
        ingestor.ingest_batch(body)
    assert isinstance(err.value, ShapeViolation)  # quarantined like a violation
    assert "'ghost'" in str(err.value) and err.value.quarantine_id in str(err.value)
    assert err.value.report == [  # one entry per missing node, from the first record naming it
        {
            "focus_node": f"{B}evaluation/m1",
            "path": "records[0].run",
            "value": f"{B}run/ghost",
            "message": "metric record 0 refers to run 'ghost', which was never started "
            "(no run.start in this batch or in the store)",
            "severity": "Violation",
            "source_shape": None,
            "component": "UnknownReference",
        }
    ]
    assert store.count() == 0 and store.graphs() == []  # no orphan run graph
    (entry,) = ingestor.quarantine.list()
    assert entry["id"] == err.value.quarantine_id and entry["records"] == 2
    # The run starts later (its batch was late): the kept batch then goes in as it was.
    ingestor.ingest_batch(batch(record("run.start", "ghost", run="ghost", name="digits-mlp")))
    result = ingestor.resubmit(err.value.quarantine_id)
    assert result.records == 2 and ingestor.quarantine.list() == []


MISSING = [
    (record("stage.end", "nope", status="finished"), "records[0].id", "execution/nope"),
    (
        record("metric", "m", execution="nope", name="loss", value=1.0),
        "records[0].execution",
        "execution/nope",
    ),
    (
        record("metric", "m", execution="tr1", name="loss", value=1.0, model="nope"),
        "records[0].model",
        "entity/nope",
    ),
    (
        record("metric", "m", execution="tr1", name="acc", value=1.0, data="nope"),
        "records[0].data",
        "entity/nope",
    ),
    (
        record("hyperparameter", "h", execution="tr1", name="lr", value=0.01, previous="nope"),
        "records[0].previous",
        "hyperparameter-value/nope",
    ),
    (
        record("entity", "m1", kind="model", generated_by="nope"),
        "records[0].generated_by",
        "execution/nope",
    ),
    (
        record("entity", "e1", kind="data", derived_from=["ds", "nope"]),
        "records[0].derived_from[1]",
        "entity/nope",
    ),
    (
        record("entity", "e1", kind="data", revision_of="nope"),
        "records[0].revision_of",
        "entity/nope",
    ),
    (
        record("used", "u", execution="tr1", entity="nope"),
        "records[0].entity",
        "entity/nope",
    ),
    (
        record("used", "u", execution="nope", entity="ds"),
        "records[0].execution",
        "execution/nope",
    ),
    (
        record("stage.start", "t2", name="eval", kind="evaluation", parent="nope"),
        "records[0].parent",
        "execution/nope",
    ),
    (
        record("stage.start", "t2", name="eval", kind="evaluation", used=["ds", "nope"]),
        "records[0].used[1]",
        "entity/nope",
    ),
    (
        record("section.start", "s9", stage="nope", name="epoch", index=9),
        "records[0].stage",
        "execution/nope",
    ),
]


@pytest.mark.parametrize(("bad", "path", "target"), MISSING, ids=lambda v: str(v)[:40])
def test_every_kind_of_reference_is_checked(
    store, ingestor: Ingestor, bad: dict, path: str, target: str
) -> None:
    started(ingestor)
    before = store.count()
    with pytest.raises(UnknownReference) as err:
        ingestor.ingest_batch(batch(bad))
    assert [(v["path"], v["value"]) for v in err.value.report] == [(path, B + target)]
    assert "'nope'" in err.value.report[0]["message"]
    assert store.count() == before


def test_references_to_the_store_and_to_the_batch_itself_are_fine(
    store, ingestor: Ingestor
) -> None:
    """The client splits a run across batches: later batches name what earlier ones started."""
    started(ingestor)
    result = ingestor.ingest_batch(
        batch(
            record("metric", "m1", execution="ep0", name="loss", value=0.5, epoch=0, data="ds"),
            record(
                "hyperparameter",
                "lr1",
                execution="tr1",
                name="lr",
                value=0.01,
                previous="lr0",
                epoch=1,
            ),
            record("stage.start", "ev", time=T0 + 3, name="eval", kind="evaluation", used=["ds"]),
            record("entity", "model", kind="model", generated_by="tr1", derived_from=["ds"]),
            record("metric", "m2", execution="ev", name="acc", value=0.9, model="model"),
            record("used", "u1", execution=RUN, entity="model"),
            record("section.end", "ep0", time=T0 + 4, status="finished"),
            record("stage.end", "tr1", time=T0 + 5, status="finished"),
            record("run.end", RUN, time=T0 + 6, status="finished"),
        )
    )
    assert result.records == 9


def test_an_execution_of_another_run_is_not_this_runs(store, ingestor: Ingestor) -> None:
    """Executions are looked up in the record's own run; entities may come from any run."""
    started(ingestor)
    ingestor.ingest_batch(batch(record("run.start", "r2", run="r2", name="digits-mlp")))
    with pytest.raises(UnknownReference) as err:
        ingestor.ingest_batch(
            batch(record("metric", "m", run="r2", execution="tr1", name="loss", value=1.0))
        )
    assert [(v["path"], v["value"]) for v in err.value.report] == [
        ("records[0].execution", f"{B}execution/tr1")
    ]
    assert "which run 'r2' holds neither" in err.value.report[0]["message"]
    ingestor.ingest_batch(  # the dataset of run RUN, used by a stage of r2
        batch(record("stage.start", "t", run="r2", name="fit", kind="training", used=["ds"]))
    )


def test_the_references_a_batch_resolves_itself_are_not_asked() -> None:
    parsed = parse_batch(
        batch(
            record("run.start", RUN, name="x"),
            record("stage.start", "tr", name="training", kind="training", used=["ds"]),
            record("metric", "m", execution="tr", name="loss", value=1.0),
            record("metric", "m2", execution=RUN, name="loss", value=1.0, model="ds"),
        )
    )
    assert [(r.field, r.kind, r.target) for r in references(parsed.records)] == [
        ("used[0]", "entity", "ds")
    ]


def test_over_http_the_answer_is_422_unknown_reference(store) -> None:
    app = create_app(Settings(store="memory:", _env_file=None), store=store)
    with TestClient(app) as client:
        body = batch(record("metric", "m1", run="ghost", execution="ghost", name="loss", value=1))
        answer = client.post("/api/v1/capture", json=body)
        assert answer.status_code == 422
        error = answer.json()
        assert error["error"] == "unknown_reference" and "'ghost'" in error["message"]
        assert error["details"]["violations"][0]["path"] == "records[0].run"
        quarantined = client.get(f"/api/v1/quarantine/{error['details']['quarantine_id']}")
        assert quarantined.status_code == 200
