"""The ProvLake 0.2.982 endpoints in process: prospective provenance and the data-store catalogue.

The retrospective wire samples are replayed over real HTTP in tests/integration.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.batches import BASE

PROSPECTIVE = {
    "dataflow_name": "train_wf",
    "data_transformations": [
        {"data_transformation_name": "load_data", "input": ["path"], "output": [{"name": "rows"}]},
        {"name": "train_batch"},
    ],
}
S3 = {
    "id": "ds_1",
    "name": "lake",
    "type": "AWSS3",
    "url": "https://s3.example.org/",
    "bucket": "raw",
}
PG = {"id": "ds_2", "name": "warehouse", "type": "PostgreSQL", "host_address": "db.example.org"}


def test_prospective_by_post_and_put_on_both_prefixes(client: TestClient) -> None:
    for method, path in [
        ("POST", "/provenance/api/prospective-provenance"),
        ("PUT", "/provenance/api/prospective-provenance"),
        ("POST", "/prospective-provenance"),
    ]:
        r = client.request(method, path, params={"overwrite": True}, json=PROSPECTIVE)
        assert r.status_code == 200, r.text
        assert r.json()["graphs"] == [BASE + "graph/catalog"]
    ask = f"ASK {{ <{BASE}experiment/train_wf/stage/load_data> ?p ?o }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"]
    r = client.post("/prospective-provenance", json={"data_transformations": []})
    assert (r.status_code, r.json()["details"][0]["field"]) == (400, "body.dataflow_name")


def test_data_store_catalogue(client: TestClient) -> None:
    r = client.post("/provenance/api/data-stores", json=S3)
    assert r.status_code == 201, r.text
    assert r.json() == {
        "iri": BASE + "datastore/lake",
        "name": "lake",
        "id": "ds_1",
        "type": "AWSS3",
        "location": "https://s3.example.org/raw",
    }
    r = client.post("/provenance/api/data-stores", json=[PG, S3])
    assert r.status_code == 201
    assert [d["id"] for d in r.json()] == ["ds_1", "ds_2"]
    listed = client.get("/provenance/api/data-stores").json()
    assert [d["name"] for d in listed] == ["lake", "warehouse"]
    assert client.get("/provenance/api/data-stores/ds_2").json()["location"] == "db.example.org"
    assert client.get("/provenance/api/data-stores/lake").json()["id"] == "ds_1"
    missing = client.get("/provenance/api/data-stores/ds_9")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    bad = client.post("/provenance/api/data-stores", json={"id": "ds_3", "type": "AWSS3"})
    assert (bad.status_code, bad.json()["details"][0]["field"]) == (400, "body.name")
    assert len(client.get("/provenance/api/data-stores").json()) == 2


def test_retrospective_answers_an_empty_error_list(client: TestClient) -> None:
    body = [
        {
            "prov_obj": {"wf_execution": 1795341827.5, "startTime": 1795341827.5},
            "dataflow_name": "wf",
            "act_type": "workflow",
        }
    ]
    r = client.post(
        "/provenance/api/retrospective-provenance",
        params={"with_validation": "True", "db_name": "mydb"},
        json=body,
    )
    assert r.status_code == 200, r.text
    assert r.json()["error"] == []
    assert r.json()["graphs"] == [BASE + "graph/catalog", BASE + "graph/run/1795341827.5"]
    r = client.post("/retrospective-provenance", json=[{"act_type": "spaceship"}])
    assert r.status_code == 400
    assert r.json()["details"][0]["field"].startswith("body[0]")
