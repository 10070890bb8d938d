"""The web UI's read API on DLProv runs, in process: a dataflow execution (which DfAnalyzer never
ends) ends with its last task, and the `runs` question says the same; the reference run's page names
its steps by transformation and task, lists its datasets and trained model (not each element), and
elements are named by their set and epoch or first value."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from provlake.dataflow._ids import run_id
from queryengine import ask
from services.app import create_app
from services.ingest import Ingestor
from services.store import Store, open_store
from tests.dlprov import EXEC, replay
from tests.services.app.conftest import settings

RUN = run_id(EXEC)
T0 = 1_795_341_800.0


@pytest.fixture(scope="module")
def dlprov() -> Iterator[Store]:
    with open_store("memory:") as store:
        replay(Ingestor(store))
        yield store


def _client(store: Store) -> TestClient:
    return TestClient(create_app(settings(), store=store), raise_server_exceptions=False)


def _get(client: TestClient, path: str) -> dict:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _task(number: int, transformation: str, **times: float) -> dict:
    return {
        "type": "task",
        "id": f"flow-1~{number}",
        "run": "flow-1",
        "execution": "flow-1",
        "dataflow": "flow",
        "transformation": transformation,
        "task": str(number),
        "status": "finished" if "end" in times else "running",
        **times,
    }


def _batch(*records: dict) -> dict:
    return {"schema": "provml/capture/1", "records": list(records)}


def test_a_dataflow_execution_ends_with_its_last_task() -> None:
    out = [{"name": "PATH", "type": "FILE"}]
    steps = [
        {"tag": tag, "sets": [{"tag": f"o{tag}", "type": "OUTPUT", "attributes": out}]}
        for tag in ("load", "train")
    ]
    with open_store("memory:") as store, _client(store) as client:
        ingestor = Ingestor(store)
        ingestor.ingest_batch(
            _batch(
                {"type": "dataflow", "id": "flow", "transformations": steps},
                {"type": "run.start", "id": "flow-1", "run": "flow-1", "time": T0, "name": "flow"},
                _task(1, "load", start=T0, end=T0 + 10),
                _task(2, "train", start=T0 + 10, end=T0 + 30),
            )
        )
        (row,) = _get(client, "/api/v1/runs")["runs"]
        assert (row["status"], row["ended"], row["duration"]) == (
            "ended",
            "2026-11-22T10:03:50Z",
            30.0,
        )
        (asked,) = ask("runs", store=store)
        assert (asked["status"], asked["duration_seconds"]) == ("ended", 30.0)

        ingestor.ingest_batch(_batch(_task(3, "train", start=T0 + 40)))  # begun, not ended
        (row,) = _get(client, "/api/v1/runs")["runs"]
        assert (row["status"], row["ended"]) == ("running", None)
        assert ask("runs", store=store, status="running")[0]["run"].endswith("/run/flow-1")


def test_run_page_names_steps_and_lists_datasets_and_the_model(dlprov: Store) -> None:
    with _client(dlprov) as client:
        run = _get(client, f"/api/v1/runs/{RUN}")
    assert run["status"] == "ended"
    assert [s["label"] for s in run["timeline"]] == [
        "loaddata 1", "applyfilter 2", "splitdata 3", "train 4", "adaptation 5", "test 6",
    ]  # fmt: skip
    assert [(e["label"], e["type"], e["execution_label"]) for e in run["generated"]] == [
        ("oloaddata", "Dataset", "loaddata 1"),
        ("ofilter", "Dataset", "applyfilter 2"),
        ("otestset", "Dataset", "splitdata 3"),
        ("otrainset", "Dataset", "splitdata 3"),
        ("ovalset", "Dataset", "splitdata 3"),
        ("otrain", "Dataset", "train 4"),
        ("otrainedmodel", "Dataset", "train 4"),
        ("trained_model", "Model", "train 4"),
        ("oweights", "Dataset", "train 4"),
        ("oadaptation", "Dataset", "adaptation 5"),
        ("otest", "Dataset", "test 6"),
    ]
    assert [(e["label"], e["execution_label"]) for e in run["used"]][:3] == [
        ("iinputdataset", "loaddata 1"),
        ("oloaddata", "applyfilter 2"),
        ("ifilter", "applyfilter 2"),
    ]
    assert {e["type"] for e in run["used"]} == {"Dataset"}
    adapted = [(h["value"], h["epoch"], h["execution_label"]) for h in run["hyperparameters"]]
    assert [a for a in adapted if a[1] is not None] == [
        (0.001, 1, "adaptation 5"),
        (0.0005, 3, "adaptation 5"),
    ]


def test_elements_are_named_by_their_set(dlprov: Store) -> None:
    tail = {  # (task, set) -> the elements' labels
        (1, "iinputdataset"): ["iinputdataset: MNIST"],
        (1, "oloaddata"): ["oloaddata: …50949361281/data/raw_images.npy"],
        (2, "ifilter"): ["ifilter: Normalize"],
        (4, "otrain"): [f"otrain (epoch {epoch})" for epoch in range(1, 6)],
        (6, "otest"): ["otest: 0.1873"],
    }
    base = "http://provml.localhost/id/entity/"
    elements = {
        (task, tag): sorted(
            row[0].value
            for row in dlprov.query(
                f"SELECT ?e WHERE {{ <{base}{RUN}~{task}.{tag}> "
                "<http://www.w3.org/ns/prov#hadMember> ?e }"
            ).rows
        )
        for task, tag in tail
    }
    with _client(dlprov) as client:
        answer = client.post(
            "/api/v1/labels", json={"iris": [e for found in elements.values() for e in found]}
        )
    assert answer.status_code == 200, answer.text
    names = answer.json()["labels"]
    for key, labels in tail.items():
        assert sorted(names[e]["label"] for e in elements[key]) == sorted(labels), key
        assert {names[e]["type"] for e in elements[key]} == {"DataElement"}
