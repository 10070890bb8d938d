"""The web UI's read API for Braid invalidation state, in process, over the hand-built Braid capture
(tests/queryengine/braid_capture.py, ingested through the pipeline) plus an action that ran when
the surrogate was invalidated: exact cascades and record states, bad input named, unknown records
404, ETags, and reads that write nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.ingest import Ingestor
from services.store import Store, open_store
from tests.queryengine.braid_capture import T0, load_braid_capture
from tests.services.app.conftest import settings

BASE = "http://provml.localhost/id/"
ACTION = [
    {
        "type": "braid.action",
        "action": "retrain",
        "record": 5,
        "action_type": "shell",
        "name": "retrain the surrogate",
        "command": "/usr/local/bin/retrain",
        "time": T0 + 1200,
    },
    {
        "type": "braid.action_run",
        "execution": "retrain-1",
        "action": "retrain",
        "invalidation": "inv-cal-5",
        "record": 5,
        "started": T0 + 1800,
        "time": T0 + 1801,
        "status": "failed",
        "exit_status": 3,
        "output": "no GPU free",
    },
]


@pytest.fixture(scope="module")
def capture() -> Iterator[Store]:
    with open_store("memory:") as store:
        load_braid_capture(store)
        Ingestor(store).ingest_batch({"schema": "provml/capture/1", "records": ACTION})
        yield store


@pytest.fixture
def client(capture: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=capture), raise_server_exceptions=False) as c:
        yield c


def _get(client: TestClient, path: str, **params: object) -> dict:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _tree(records: list[dict]) -> list[tuple]:
    return [
        (r["record_id"], r["depth"], r["label"], r["caused_by"] and r["caused_by"]["label"])
        for r in records
    ]


CASCADE = [
    (1, 0, "detector calibration", None),
    (3, 1, "peak finder", "detector calibration"),
    (5, 2, "surrogate", "peak finder"),
    (10, 2, "peaks of scan 2", "peak finder"),
]


def test_invalidated_lists_each_cascade_as_the_tree_it_followed(client: TestClient) -> None:
    answer = _get(client, "/api/v1/braid/invalidated")
    assert answer["total"] == 4
    (cascade,) = answer["cascades"]
    assert cascade["root"] == {
        "iri": BASE + "braid/record/1",
        "label": "detector calibration",
        "type": "BraidFact",
        "category": "entity",
    }
    assert (cascade["root_cause"], cascade["invalidated_at"]) == (
        "calibration drifted",
        "2026-11-22T10:30:00Z",
    )
    assert _tree(cascade["records"]) == CASCADE
    assert [r["kind"] for r in cascade["records"]] == ["fact", "model", "model", "data"]
    assert {r["valid"] for r in cascade["records"]} == {False}
    # one cascade by its root, as an id or an IRI; a record that started no cascade has none
    for root in ("1", BASE + "braid/record/1"):
        only = _get(client, "/api/v1/braid/invalidated", cascade=root)
        assert _tree(only["cascades"][0]["records"]) == CASCADE
    assert _get(client, "/api/v1/braid/invalidated", cascade="3") == {"cascades": [], "total": 0}


def test_record_state_of_an_invalid_record(client: TestClient) -> None:
    state = _get(client, "/api/v1/braid/record", record="5")
    assert (state["iri"], state["label"], state["kind"], state["valid"]) == (
        BASE + "braid/record/5",
        "surrogate",
        "model",
        False,
    )
    assert (state["cause"], state["invalidated_at"]) == (
        "calibration drifted",
        "2026-11-22T10:30:00Z",
    )
    assert state["caused_by"]["iri"] == BASE + "braid/record/3"
    assert (state["root"]["label"], state["root_cause"]) == (
        "detector calibration",
        "calibration drifted",
    )
    assert _tree(state["cascade"]) == CASCADE
    assert state["actions"] == [
        {
            "action_id": "retrain",
            "name": "retrain the surrogate",
            "type": "shell",
            "status": "failed",
            "exit_status": 3,
            "http_status": None,
            "output": "no GPU free",
            "started": "2026-11-22T10:30:00Z",
        }
    ]
    root = _get(client, "/api/v1/braid/record", record=BASE + "braid/record/1")
    assert (root["caused_by"], root["root"]["iri"], root["actions"]) == (
        None,
        BASE + "braid/record/1",
        [],
    )


def test_record_state_of_a_valid_record(client: TestClient) -> None:
    state = _get(client, "/api/v1/braid/record", record="2")
    assert (state["label"], state["kind"], state["valid"]) == ("scan 1", "data", True)
    assert [state[k] for k in ("cause", "caused_by", "root", "cascade", "actions")] == [
        None,
        None,
        None,
        [],
        [],
    ]


@pytest.mark.parametrize(
    ("path", "params", "status", "error", "field"),
    [
        ("/api/v1/braid/record", {"record": "99"}, 404, "not_found", "record"),
        ("/api/v1/braid/record", {"record": "a b"}, 400, "invalid_parameter", "record"),
        ("/api/v1/braid/record", {}, 400, "invalid_request", "query.record"),
        ("/api/v1/braid/invalidated", {"cascade": "a b"}, 400, "invalid_parameter", "cascade"),
    ],
)
def test_bad_input_is_named(
    client: TestClient, path: str, params: dict, status: int, error: str, field: str
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status
    body = answer.json()
    assert body["error"] == error
    details = body["details"]
    named = details["parameter"] if isinstance(details, dict) else details[0]["field"]
    assert named == field


def test_reads_carry_an_etag_and_write_nothing(client: TestClient, capture: Store) -> None:
    before = capture.count()
    for path, params in (
        ("/api/v1/braid/invalidated", {}),
        ("/api/v1/braid/record", {"record": "5"}),
    ):
        first = client.get(path, params=params)
        tag = first.headers["etag"]
        again = client.get(path, params=params, headers={"If-None-Match": tag})
        assert (again.status_code, again.content) == (304, b"")
    assert capture.count() == before
