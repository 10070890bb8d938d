"""POST /api/v1/import/prov in process: PROV-JSON and PROV-O documents land in an import graph."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.integration.batches import BASE

PROV_JSON = {
    "prefix": {"ex": "http://example.org/"},
    "entity": {"ex:data": {"prov:label": "data"}},
    "activity": {"ex:train": {}},
    "used": {"_:u1": {"prov:activity": "ex:train", "prov:entity": "ex:data"}},
}
TURTLE = b"""@prefix prov: <http://www.w3.org/ns/prov#> .
<http://example.org/a> a prov:Activity ; prov:used <http://example.org/e> .
<http://example.org/e> a prov:Entity ."""
USED = (
    "ASK { <http://example.org/train> <http://www.w3.org/ns/prov#used> <http://example.org/data> }"
)


def test_prov_json_by_content_type_and_idempotent(client: TestClient) -> None:
    r = client.post("/api/v1/import/prov", json=PROV_JSON)
    assert r.status_code == 200, r.text
    [graph] = r.json()["graphs"]
    assert graph.startswith(BASE + "graph/import/")
    assert client.get("/sparql", params={"query": USED}).json()["boolean"]
    again = client.post("/api/v1/import/prov", params={"format": "provjson"}, json=PROV_JSON)
    assert again.json() == r.json()


def test_named_turtle_import(client: TestClient) -> None:
    r = client.post(
        "/api/v1/import/prov",
        params={"name": "lab-notes"},
        content=TURTLE,
        headers={"Content-Type": "text/turtle"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["graphs"] == [BASE + "graph/import/lab-notes"]
    assert r.json()["triples"] == 3


def test_bad_documents_name_the_field(client: TestClient) -> None:
    r = client.post(
        "/api/v1/import/prov", content=b"garbage", headers={"Content-Type": "text/turtle"}
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_document")
    assert r.json()["details"][0]["field"] == "body"
    r = client.post(
        "/api/v1/import/prov",
        params={"format": "docx"},
        content=TURTLE,
        headers={"Content-Type": "text/turtle"},
    )
    assert (r.status_code, r.json()["error"]) == (400, "unsupported_format")
    assert r.json()["details"][0]["field"] == "format"
    # application/ld+json is both PROV-JSONLD and PROV-O JSON-LD: the format must be given
    r = client.post(
        "/api/v1/import/prov",
        content=json.dumps({}).encode(),
        headers={"Content-Type": "application/ld+json"},
    )
    assert (r.status_code, r.json()["details"][0]["field"]) == (400, "format")
    r = client.post("/api/v1/import/prov", params={"name": "a b"}, json=PROV_JSON)
    assert r.status_code == 400
