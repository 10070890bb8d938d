"""The questions router in the real manager app, on a real store injected into it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from queryengine import catalogue
from services._settings import Settings
from services.app import create_app
from tests.queryengine.capture import BASE


def manager_app(store, **settings) -> FastAPI:
    """The real manager app, with the test's store injected (errors go through its table)."""
    return create_app(
        Settings(store="memory:", base_iri=BASE, _env_file=None, **settings), store=store
    )


@pytest.fixture
def client(memory_store) -> Iterator[TestClient]:
    with TestClient(manager_app(memory_store)) as c:  # runs the lifespan, which opens the store
        yield c


def test_reads_need_the_read_token_when_one_is_set(memory_store) -> None:
    with TestClient(manager_app(memory_store, read_token="s3cret")) as client:
        assert client.get("/api/v1/questions").status_code == 401
        ok = client.get("/api/v1/questions", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_list(client: TestClient) -> None:
    body = client.get("/api/v1/questions").json()
    assert [q["name"] for q in body["questions"]] == sorted(catalogue())
    curve = next(q for q in body["questions"] if q["name"] == "training-curve")
    assert curve["returns"] == ["stage", "epoch", "step", "metric", "value", "evaluation"]
    assert curve["parameters"][0] == {
        "name": "run",
        "type": "iri:run",
        "required": True,
        "default": None,
        "description": "the run (experiment execution): its IRI, client run id or name",
    }
    assert curve["parameters"][1]["required"] is False


def test_get_runs_with_query_parameters(client: TestClient) -> None:
    response = client.get("/api/v1/questions/best-epoch", params={"run": "r2", "measure": "loss"})
    assert response.status_code == 200
    assert response.json() == {
        "question": "best-epoch",
        "columns": ["stage", "epoch", "metric", "value"],
        "rows": [{"stage": "train", "epoch": 1, "metric": "loss", "value": 0.3}],
    }


def test_post_takes_typed_json(client: TestClient) -> None:
    response = client.post(
        "/api/v1/questions/rank-trainings",
        json={"measure": "loss", "goal": "min", "finished": True},
    )
    assert response.status_code == 200
    assert [(r["run"], r["value"]) for r in response.json()["rows"]] == [
        (BASE + "run/r2", 0.35),
        (BASE + "run/r1", 0.4),
    ]
    response = client.post("/api/v1/questions/upstream", json={"start": "m1", "hops": 1})
    assert [r["node"] for r in response.json()["rows"]] == [BASE + "execution/r1-train"]


@pytest.mark.parametrize(
    ("method", "path", "payload", "code", "names"),
    [
        ("get", "/api/v1/questions/nope", {}, "unknown_question", "nope"),
        ("get", "/api/v1/questions/best-epoch", {"run": "r1"}, "missing_parameter", "measure"),
        (
            "get",
            "/api/v1/questions/upstream",
            {"start": "m1", "hops": "two"},
            "invalid_parameter",
            "hops",
        ),
        (
            "post",
            "/api/v1/questions/upstream",
            {"start": "m1", "hops": 2.5},
            "invalid_parameter",
            "hops",
        ),
        (
            "post",
            "/api/v1/questions/rank-trainings",
            {"measure": "loss", "finished": "perhaps"},
            "invalid_parameter",
            "finished",
        ),
        (
            "post",
            "/api/v1/questions/training-curve",
            {"run": "r1", "colour": 1},
            "unknown_parameter",
            "colour",
        ),
        (
            "post",
            "/api/v1/questions/training-curve",
            {"run": "http://x/> } DROP ALL"},
            "invalid_parameter",
            "run",
        ),
    ],
)
def test_errors_are_400_json_naming_the_culprit(client, method, path, payload, code, names) -> None:
    if method == "get":
        response = client.get(path, params=payload)
    else:
        response = client.post(path, json=payload)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == code
    assert names in body["message"]
    assert set(body) == {"error", "message", "details"}


def test_bad_bodies(client: TestClient) -> None:
    response = client.post("/api/v1/questions/training-curve", content=b"{not json")
    assert (response.status_code, response.json()["error"]) == (400, "bad_request")
    response = client.post("/api/v1/questions/training-curve", json=["r1"])
    assert (response.status_code, response.json()["error"]) == (400, "bad_request")
    response = client.get("/api/v1/questions/training-curve?run=r1&run=r2")
    assert (response.status_code, response.json()["details"]) == (400, {"parameter": "run"})


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        (b'{"start": "m1", "hops": NaN}', "hops"),
        (b'{"start": "m1", "hops": Infinity}', "hops"),
        (b'{"start": "m1", "hops": -Infinity}', "hops"),
        (b'{"start": "m1", "hops": 1e999}', "hops"),
        (b'{"start": "m1", "hops": 123456789012345678901234567890}', "hops"),
        (b'{"start": NaN, "hops": 1}', "start"),
    ],
)
def test_numbers_must_be_finite(client: TestClient, body: bytes, parameter: str) -> None:
    response = client.post("/api/v1/questions/upstream", content=body)
    assert response.status_code == 400
    payload = response.json()
    assert payload["error"] == "invalid_parameter"
    assert payload["details"]["parameter"] == parameter
    assert parameter in payload["message"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"below": "NaN"}, "below"), ({"below": "1e999"}, "below"), ({"below": "-inf"}, "below")],
)
def test_query_string_numbers_must_be_finite(client: TestClient, params, parameter) -> None:
    base = {"property": "https://example.org/cores#porosity", "measure": "test_accuracy"}
    response = client.get("/api/v1/questions/models-by-domain-property", params={**base, **params})
    assert (response.status_code, response.json()["details"]["parameter"]) == (400, parameter)


@pytest.mark.parametrize(
    "body", [b"[" * 1500 + b"]" * 1500, b'{"start": ' * 1500 + b"1" + b"}" * 1500]
)
def test_deeply_nested_bodies_are_400(client: TestClient, body: bytes) -> None:
    response = client.post("/api/v1/questions/upstream", content=body)
    assert response.status_code == 400
    assert response.json()["details"] == [
        {"field": "body", "message": "the body is nested too deeply to be read"}
    ]


def test_non_finite_values_in_the_store_come_back_as_their_xsd_spelling(memory_store) -> None:
    evaluation = f"<{BASE}evaluation/r1-loss-1>"
    value = "<http://www.w3.org/ns/mls#hasValue>"
    nan = '"NaN"^^<http://www.w3.org/2001/XMLSchema#double>'
    memory_store.update(
        f"DELETE {{ GRAPH ?g {{ {evaluation} {value} ?v }} }} "
        f"INSERT {{ GRAPH ?g {{ {evaluation} {value} {nan} }} }} "
        f"WHERE {{ GRAPH ?g {{ {evaluation} {value} ?v }} }}"
    )
    with TestClient(manager_app(memory_store)) as client:
        response = client.get("/api/v1/questions/training-curve", params={"run": "r1"})
    assert response.status_code == 200
    values = [(r["epoch"], r["value"]) for r in response.json()["rows"] if r["metric"] == "loss"]
    assert values == [(0, 0.9), (1, "NaN"), (2, 0.4)]


# -- names for IRI parameters ----------------------------------------------------------------------

RUNS = [  # the three runs of digits-mlp, as the answers name them
    (f"{BASE}run/r1", "digits-mlp 2026-01-01 10:00:00"),
    (f"{BASE}run/r2", "digits-mlp 2026-01-01 10:10:00"),
    (f"{BASE}run/r3", "digits-mlp 2026-01-01 11:00:00"),
]


def _rows(client: TestClient, question: str, **params: object) -> list[dict]:
    answer = client.get(f"/api/v1/questions/{question}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["rows"]


def test_a_name_one_node_has_stands_for_it(client: TestClient) -> None:
    # a model by its label (m1 is called mlp-r1), a run by its experiment when it ran once, or
    # by the name answers give it; the answer is the one the id gives
    by_name = _rows(client, "upstream", start="mlp-r1", hops=1)
    assert by_name == _rows(client, "upstream", start="m1", hops=1)
    assert by_name == [{"node": f"{BASE}execution/r1-train", "node_name": "train", "distance": 1}]
    assert _rows(client, "lineage", start="mlp-r2") == _rows(client, "lineage", start="m2")
    prep = _rows(client, "execution-times", run="digits-prep")
    assert prep and prep == _rows(client, "execution-times", run="prep")
    best = _rows(client, "best-epoch", run=RUNS[1][1], measure="loss")
    assert best == [{"stage": "train", "epoch": 1, "metric": "loss", "value": 0.3}]
    # an entity parameter takes a dataset's name
    assert _rows(client, "models-from-data", data="raw-a")[0]["model_name"] == "mlp-r1"


def test_a_name_several_nodes_have_is_a_400_listing_them(client: TestClient) -> None:
    answer = client.get("/api/v1/questions/training-curve", params={"run": "digits-mlp"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "ambiguous_name"
    assert body["message"] == (
        "parameter 'run': 3 runs are called 'digits-mlp'; give the IRI (or id) of one of them:"
        + "".join(f"\n  {iri}  {name}" for iri, name in RUNS)
    )
    assert body["details"] == {
        "parameter": "run",
        "value": "digits-mlp",
        "count": 3,
        "candidates": [
            {"iri": iri, "name": name, "type": "LearningExperimentExecution"} for iri, name in RUNS
        ],
    }
    # the generic IRI parameter of the lineage questions too
    answer = client.post("/api/v1/questions/lineage", json={"start": "digits-mlp"})
    assert answer.status_code == 400 and answer.json()["details"]["count"] == 3


def test_an_unknown_name_is_a_400_with_the_closest_names(client: TestClient) -> None:
    answer = client.get("/api/v1/questions/lineage", params={"start": "mlp-r4"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "unknown_name",
        "message": "parameter 'start': no run, model or dataset has the id or name 'mlp-r4'; "
        "close names: mlp-r2, mlp-r1",  # the most alike first (equally alike: difflib's order)
        "details": {
            "parameter": "start",
            "value": "mlp-r4",
            "candidates": [{"name": "mlp-r2"}, {"name": "mlp-r1"}],
        },
    }
    # a run parameter: an id the store does not know is looked up as a name, and refused
    answer = client.get("/api/v1/questions/training-curve", params={"run": "r9"})
    assert answer.status_code == 400 and answer.json()["error"] == "unknown_name"
    assert (
        answer.json()["message"]
        == "parameter 'run': no run has the id or name 'r9'; give a full IRI"
    )
