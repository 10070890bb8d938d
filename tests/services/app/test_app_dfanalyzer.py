"""The DfAnalyzer routes in process: both spellings of the paths, answers after the commit, and
errors as the manager's JSON error body. Real HTTP replays are in tests/integration."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from tests.dlprov import reference

# the client's DFA_URL ends with "/": as a URL, "//pde/..." alone would name a host "pde"
ROOT = "http://testserver"


def test_dataflow_and_tasks_on_both_paths(client: TestClient) -> None:
    first, second, third = reference()[:3]
    answer = client.post(ROOT + first["path"], json=first["body"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["graphs"] == ["http://provml.localhost/id/graph/catalog"]
    assert client.post("/pde/task/json", json=second["body"]).status_code == 200
    answer = client.post(ROOT + third["path"], json=third["body"])
    assert (answer.status_code, answer.json()["accepted"]) == (200, 2)  # task 1 ends: run.start
    ask = (
        "ASK { ?run <http://www.w3.org/2000/01/rdf-schema#label> "
        '"mnist-2026-12-02 05:09:49.361281" ; '
        "a <https://w3id.org/provml#LearningExperimentExecution> }"
    )
    assert client.get("/sparql", params={"query": ask}).json()["boolean"]


def test_bad_messages_are_4xx_naming_the_field(client: TestClient) -> None:
    client.post("/pde/dataflow/json", json=reference()[0]["body"])
    body = copy.deepcopy(reference()[11]["body"])
    del body["first"]
    answer = client.post(ROOT + "//pde/task/json", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_batch"
    assert answer.json()["details"][0]["field"] == "body.first"
    answer = client.post(
        "/pde/task/json", content=b"first=1", headers={"Content-Type": "text/plain"}
    )
    assert (answer.status_code, answer.json()["details"][0]["field"]) == (415, "Content-Type")
    answer = client.post(
        "/pde/dataflow/json", content=b"[1, 2]", headers={"Content-Type": "application/json"}
    )
    assert (answer.status_code, answer.json()["details"][0]["field"]) == (400, "body")


def test_one_operation_per_route_in_the_api_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert paths["/pde/task/json"]["post"]["operationId"] == "dfanalyzer_task_root"
    assert "//pde/task/json" not in paths
