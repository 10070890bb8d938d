"""POST /api/v1/capture in process: commit, idempotency, every bad-input class, write access."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.integration.batches import BAD_INPUTS, BASE, batch, losses_query, record, training_run

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _count(client: TestClient) -> int:
    r = client.get("/sparql", params={"query": COUNT})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_batch_is_committed_before_the_answer(client: TestClient) -> None:
    before = _count(client)
    r = client.post("/api/v1/capture", json=training_run("r7", epochs=3))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["accepted"] == 15
    assert body["graphs"] == [BASE + "graph/catalog", BASE + "graph/run/r7"]
    assert _count(client) == before + body["triples"]
    stages = [part.split(";")[0] for part in r.headers["server-timing"].split(", ")]
    assert stages == ["parse", "convert", "validate", "commit"]
    rows = client.get("/sparql", params={"query": losses_query("r7")}).json()["results"]["bindings"]
    assert [float(row["value"]["value"]) for row in rows] == [0.5, 1 / 3, 0.25]


def test_same_batch_twice_adds_nothing(client: TestClient) -> None:
    first = client.post("/api/v1/capture", json=training_run("r8"))
    after_first = _count(client)
    second = client.post("/api/v1/capture", json=training_run("r8"))
    assert second.status_code == 200
    assert second.json() == first.json()
    assert _count(client) == after_first


@pytest.mark.parametrize(
    ("label", "body", "ctype", "status", "code", "field"),
    BAD_INPUTS,
    ids=[b[0] for b in BAD_INPUTS],
)
def test_bad_input_is_refused_naming_the_field(
    client: TestClient, label: str, body: bytes, ctype: str, status: int, code: str, field: str
) -> None:
    before = _count(client)
    r = client.post("/api/v1/capture", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status
    answer = r.json()
    assert answer["error"] == code
    assert answer["details"][0]["field"] == field
    assert field in answer["message"] or field in ("Content-Type", "body")
    assert _count(client) == before


def test_one_bad_record_writes_nothing_of_the_batch(client: TestClient) -> None:
    good = training_run("r9")["records"]
    bad = record("metric", "m-bad", "r9", execution="r9-ep0", name="loss", value="high")
    before = _count(client)
    r = client.post("/api/v1/capture", json=batch(*good, bad))
    assert r.status_code == 400
    assert r.json()["details"][0]["field"] == f"records[{len(good)}].value"
    assert _count(client) == before


def test_oversized_body_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=1000)
    body = json.dumps(training_run("r10")).encode()
    assert len(body) > 1000
    r = client.post("/api/v1/capture", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]) == (413, "body_too_large")
    small = make_client(max_body_bytes=100_000, max_records=5)
    r = small.post("/api/v1/capture", content=body, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]) == (413, "batch_too_large")


def test_write_token(make_client: Callable[..., TestClient]) -> None:
    client = make_client(token="w1,w2", admin_token="adm")
    run = training_run("r11")
    r = client.post("/api/v1/capture", json=run)
    assert (r.status_code, r.json()["error"]) == (401, "unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"
    assert (
        client.post("/api/v1/capture", json=run, headers={"Authorization": "Bearer w3"}).status_code
        == 401
    )
    assert (
        client.post("/api/v1/capture", json=run, headers={"Authorization": "Basic w1"}).status_code
        == 401
    )
    for token in ("w2", "adm"):
        ok = client.post("/api/v1/capture", json=run, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
    # reads stay open without a read token
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_non_loopback_bind_refuses_token_less_writes(
    make_client: Callable[..., TestClient],
) -> None:
    exposed = make_client(host="0.0.0.0")
    r = exposed.post("/api/v1/capture", json=training_run("r12"))
    assert (r.status_code, r.json()["error"]) == (403, "forbidden")
    assert "PROVML_TOKEN" in r.json()["message"]
    assert exposed.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    opted_in = make_client(host="0.0.0.0", allow_anonymous_writes=True)
    assert opted_in.post("/api/v1/capture", json=training_run("r12")).status_code == 200


def test_read_token_guards_queries(make_client: Callable[..., TestClient]) -> None:
    client = make_client(read_token="r", token="w")
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 401
    ok = client.get("/sparql", params={"query": "ASK {}"}, headers={"Authorization": "Bearer r"})
    assert ok.status_code == 200
    # the read token does not write
    denied = client.post(
        "/api/v1/capture", json=training_run("r13"), headers={"Authorization": "Bearer r"}
    )
    assert denied.status_code == 401
