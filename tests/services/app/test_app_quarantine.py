"""Quarantine endpoints in process: a violating batch is kept, listed, fixed and re-submitted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.integration.batches import BASE, T0, batch, record

ASK_RUN = "ASK {{ GRAPH <" + BASE + "graph/run/{run}> {{ ?s ?p ?o }} }}"


def _ends_before_start(run: str, end: float) -> dict:
    return batch(
        record("run.start", run, run, name="exp"),
        record("run.end", run, run, time=end, status="finished"),
    )


def _stored(client: TestClient, run: str) -> bool:
    return client.get("/sparql", params={"query": ASK_RUN.format(run=run)}).json()["boolean"]


def test_violation_is_quarantined_listed_fixed_and_resubmitted(client: TestClient) -> None:
    r = client.post("/api/v1/capture", json=_ends_before_start("q1", T0 - 60))
    assert r.status_code == 422
    answer = r.json()
    assert answer["error"] == "shape_violation"
    entry_id = answer["details"]["quarantine_id"]
    [violation] = answer["details"]["violations"]
    assert violation["focus_node"] == BASE + "run/q1"
    assert "end time" in violation["message"]
    assert "path" in violation
    assert not _stored(client, "q1")

    listed = client.get("/api/v1/quarantine").json()
    assert listed["count"] == 1
    assert listed["entries"][0]["id"] == entry_id
    assert (listed["entries"][0]["source"], listed["entries"][0]["records"]) == ("capture", 2)

    entry = client.get(f"/api/v1/quarantine/{entry_id}").json()
    assert entry["batch"] == _ends_before_start("q1", T0 - 60)
    assert entry["report"] == answer["details"]["violations"]

    # re-submitting unchanged fails again and keeps the entry
    again = client.post(f"/api/v1/quarantine/{entry_id}/resubmit")
    assert again.status_code == 422
    assert client.get("/api/v1/quarantine").json()["count"] == 1

    fixed = client.post(
        f"/api/v1/quarantine/{entry_id}/resubmit", json=_ends_before_start("q1", T0 + 60)
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["resubmitted"] == entry_id
    assert fixed.json()["accepted"] == 2
    assert _stored(client, "q1")
    assert client.get("/api/v1/quarantine").json() == {"entries": [], "count": 0}
    assert client.get(f"/api/v1/quarantine/{entry_id}").status_code == 404


def test_delete_needs_the_admin_token(make_client: Callable[..., TestClient]) -> None:
    client = make_client(admin_token="adm", token="w")
    auth = {"Authorization": "Bearer w"}
    r = client.post("/api/v1/capture", json=_ends_before_start("q2", T0 - 1), headers=auth)
    entry_id = r.json()["details"]["quarantine_id"]
    assert client.delete(f"/api/v1/quarantine/{entry_id}", headers=auth).status_code == 401
    admin = {"Authorization": "Bearer adm"}
    assert client.delete(f"/api/v1/quarantine/{entry_id}", headers=admin).status_code == 204
    gone = client.delete(f"/api/v1/quarantine/{entry_id}", headers=admin)
    assert (gone.status_code, gone.json()["error"]) == (404, "not_found")
    assert gone.json()["details"][0]["field"] == "id"


def test_unknown_entry_and_bad_fix(client: TestClient) -> None:
    assert client.get("/api/v1/quarantine/nope").status_code == 404
    assert client.post("/api/v1/quarantine/nope/resubmit").status_code == 404
    r = client.post("/api/v1/capture", json=_ends_before_start("q3", T0 - 1))
    entry_id = r.json()["details"]["quarantine_id"]
    wrong_type = client.post(
        f"/api/v1/quarantine/{entry_id}/resubmit",
        content=b"x=1",
        headers={"Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415
    malformed = client.post(
        f"/api/v1/quarantine/{entry_id}/resubmit",
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert (malformed.status_code, malformed.json()["error"]) == (400, "invalid_batch")
    assert client.get("/api/v1/quarantine").json()["count"] == 1


@pytest.mark.parametrize("validator", ["fast", "pyshacl"])
def test_each_validator_refuses_the_same_batch(
    make_client: Callable[..., TestClient], validator: str
) -> None:
    client = make_client(validator=validator)
    r = client.post("/api/v1/capture", json=_ends_before_start(f"q-{validator}", T0 - 1))
    assert r.status_code == 422
    [violation] = r.json()["details"]["violations"]
    assert violation["focus_node"] == BASE + f"run/q-{validator}"
    ok = client.post("/api/v1/capture", json=_ends_before_start(f"ok-{validator}", T0 + 1))
    assert ok.status_code == 200


def test_validation_can_be_switched_off(make_client: Callable[..., TestClient]) -> None:
    client = make_client(validate_shapes=False)
    r = client.post("/api/v1/capture", json=_ends_before_start("unchecked", T0 - 1))
    assert r.status_code == 200
    assert _stored(client, "unchecked")
