"""NaN and infinite metrics end to end: the real client sends them, the real manager app stores them
as xsd:double NaN / INF / -INF, and the questions show them but never rank a NaN as best."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import provlake as pl
from queryengine import ask
from services.store import Store, open_store
from tests.queryengine.capture import BASE
from tests.queryengine.test_http import manager_app

T0 = 1_767_258_000.0
CURVES = {  # run -> (loss, accuracy) per epoch
    "steady": ([0.9, 0.5, 0.4], [0.5, 0.7, 0.8]),
    "diverged": ([0.8, math.inf, math.nan], [0.6, 0.65, math.nan]),
}


class ToManager(pl.Transport):
    """Posts each batch, as the client encoded it, to the manager app under test."""

    kind = "test-app"

    def __init__(self, http: TestClient) -> None:
        self.http = http
        self.bodies: list[bytes] = []

    def send(self, body: bytes, count: int) -> None:
        self.bodies.append(body)
        answer = self.http.post(
            "/api/v1/capture", content=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with open_store("memory:") as opened:
        yield opened


@pytest.fixture(scope="module")
def http(store: Store) -> Iterator[TestClient]:
    with TestClient(manager_app(store)) as client:
        yield client


@pytest.fixture(scope="module")
def wire(http: TestClient) -> bytes:
    transport = ToManager(http)
    with pl.Client(transport, capture_environment=False) as client:
        for run_id, (losses, accuracies) in CURVES.items():
            with client.start_run("digits-mlp", run_id=run_id, start_time=T0) as run:
                train = run.stage("training", kind="training", id=f"{run_id}-train")
                for epoch, (loss, accuracy) in enumerate(zip(losses, accuracies, strict=True)):
                    with train.section("epoch", epoch, id=f"{run_id}-e{epoch}") as section:
                        section.log_metrics(loss=loss, accuracy=accuracy)
                train.end()
        assert client.flush(30, acknowledged=True)
        assert client.stats()["non_finite_metrics"] == 3
    return b"".join(transport.bodies)


def test_the_client_sends_non_finite_values_as_json_tokens(wire: bytes) -> None:
    assert b'"name":"loss","value":Infinity' in wire
    assert b'"name":"loss","value":NaN' in wire and b'"name":"accuracy","value":NaN' in wire


def test_the_store_holds_them_as_xsd_double(store: Store, wire: bytes) -> None:
    result = store.query(
        "SELECT ?v WHERE { ?e <http://www.w3.org/ns/mls#hasValue> ?v ; "
        f"<http://www.w3.org/ns/prov#wasGeneratedBy> <{BASE}execution/diverged-e2> }} ORDER BY ?v"
    )
    assert (
        sorted(str(row[0]) for row in result.rows)
        == ['"NaN"^^<http://www.w3.org/2001/XMLSchema#double>'] * 2
    )


def test_training_curve_shows_them(store: Store, wire: bytes) -> None:
    rows = ask("training-curve", store=store, run="diverged", measure="loss", base_iri=BASE)
    values = [(r["epoch"], r["value"]) for r in rows]
    assert values[:2] == [(0, 0.8), (1, math.inf)]
    assert values[2][0] == 2 and math.isnan(values[2][1])


def test_best_epoch_never_picks_nan(store: Store, wire: bytes) -> None:
    best = ask("best-epoch", store=store, run="diverged", measure="accuracy", goal="max")
    assert [(r["epoch"], r["value"]) for r in best] == [(1, 0.65)]
    best = ask("best-epoch", store=store, run="diverged", measure="loss", goal="min")
    assert [(r["epoch"], r["value"]) for r in best] == [(0, 0.8)]
    worst = ask("best-epoch", store=store, run="diverged", measure="loss", goal="max")
    assert [(r["epoch"], r["value"]) for r in worst] == [(1, math.inf)]


def test_rank_trainings_ranks_nan_last_and_best_leaves_it_out(store: Store, wire: bytes) -> None:
    def ranked(**params: str) -> list[tuple]:
        rows = ask("rank-trainings", store=store, measure="accuracy", **params)
        return [(r["run"].rsplit("/", 1)[-1], r["value"], r["final"], r["best"]) for r in rows]

    (steady, diverged) = ranked(goal="max", pick="final")
    assert steady == ("steady", 0.8, 0.8, 0.8)
    assert diverged[0] == "diverged" and math.isnan(diverged[1]) and math.isnan(diverged[2])
    assert diverged[3] == 0.65  # its best accuracy, not NaN
    best = ranked(goal="max", pick="best")
    assert [(run, value, b) for run, value, _, b in best] == [
        ("steady", 0.8, 0.8),
        ("diverged", 0.65, 0.65),
    ]
    low = ranked(goal="min", pick="final")  # NaN comes last whatever the goal
    assert [run for run, *_ in low] == ["steady", "diverged"]


def test_questions_over_http_write_non_finite_values_as_xsd_strings(
    http: TestClient, wire: bytes
) -> None:
    answer = http.get("/api/v1/questions/training-curve?run=diverged&measure=loss")
    assert answer.status_code == 200
    # strict JSON (RFC 8259) for every consumer, browsers included: the XSD spelling as a string
    values = [row["value"] for row in json.loads(answer.text, parse_constant=_refuse)["rows"]]
    assert values[:3] == [0.8, "INF", "NaN"]


def _refuse(token: str) -> None:
    raise AssertionError(f"the answer holds the non-JSON token {token}")
