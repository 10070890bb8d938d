"""The SPARQL 1.1 Protocol at /sparql and /sparql/update, in process: every format parsed back."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from .conftest import MEASURE, RUN

SELECT = (
    f"SELECT ?name WHERE {{ <{RUN.value}> <http://www.w3.org/2000/01/rdf-schema#label> ?name }}"
)
CONSTRUCT = f"CONSTRUCT {{ <{RUN.value}> ?p ?o }} WHERE {{ <{RUN.value}> ?p ?o }}"
RES = "{http://www.w3.org/2005/sparql-results#}"


def _names_json(text: str) -> list[str]:
    return [b["name"]["value"] for b in json.loads(text)["results"]["bindings"]]


def _names_xml(text: str) -> list[str]:
    root = ET.fromstring(text)
    return [lit.text for lit in root.iter(f"{RES}literal")]


def _names_csv(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name"]
    return [r[0] for r in rows[1:]]


def _names_tsv(text: str) -> list[str]:
    lines = text.splitlines()
    assert lines[0] == "?name"
    return [json.loads(line) for line in lines[1:]]  # N-Triples string literals are JSON strings


@pytest.mark.parametrize(
    ("accept", "media", "parse"),
    [
        (None, "application/sparql-results+json", _names_json),
        ("application/sparql-results+json", "application/sparql-results+json", _names_json),
        ("application/json", "application/sparql-results+json", _names_json),
        ("application/sparql-results+xml", "application/sparql-results+xml", _names_xml),
        ("text/csv", "text/csv", _names_csv),
        ("text/tab-separated-values", "text/tab-separated-values", _names_tsv),
        (
            "text/csv;q=0.2, text/tab-separated-values;q=0.9",
            "text/tab-separated-values",
            _names_tsv,
        ),
    ],
)
def test_select_negotiated(
    client: TestClient, accept: str | None, media: str, parse: Callable
) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert parse(r.text) == ["digits <run> & co"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("*/*", ox.RdfFormat.TURTLE),
    ],
)
def test_construct_negotiated(client: TestClient, accept: str, fmt: ox.RdfFormat) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    triples = {q.triple for q in ox.parse(r.content, format=fmt)}
    assert len(triples) == 3
    assert ox.Triple(RUN, ox.NamedNode("http://www.w3.org/ns/prov#used"), MEASURE) in triples


def test_ask_in_json_and_xml(client: TestClient) -> None:
    ask = f"ASK {{ <{RUN.value}> ?p ?o }}"
    assert client.get("/sparql", params={"query": ask}).json() == {"head": {}, "boolean": True}
    r = client.get(
        "/sparql",
        params={"query": "ASK { <http://x> ?p ?o }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert ET.fromstring(r.text).find(f"{RES}boolean").text == "false"


def test_post_form_and_direct(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": SELECT})
    assert _names_json(form.text) == ["digits <run> & co"]
    direct = client.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert _names_json(direct.text) == ["digits <run> & co"]


def test_default_graph_is_the_union(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert json.loads(r.text)["results"]["bindings"][0]["n"]["value"] == "4"


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "field"),
    [
        ({"params": {}}, 400, "bad_request", "query"),
        ({"params": {"query": "SELEKT * {}"}}, 400, "query_syntax", "query"),
        (
            {"params": {"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}},
            400,
            "query_syntax",
            "query",
        ),
        (
            {"params": {"query": SELECT, "default-graph-uri": "not an IRI"}},
            400,
            "bad_request",
            "default-graph-uri",
        ),
        (
            {"params": {"query": SELECT}, "headers": {"Accept": "image/png"}},
            406,
            "not_acceptable",
            "Accept",
        ),
        (
            {"params": {"query": CONSTRUCT}, "headers": {"Accept": "text/csv"}},
            406,
            "not_acceptable",
            "Accept",
        ),
    ],
)
def test_get_errors(
    client: TestClient, kwargs: dict, status: int, code: str, field: str | None
) -> None:
    r = client.get("/sparql", **kwargs)
    assert r.status_code == status
    body = r.json()
    assert body["error"] == code
    assert body["message"]
    if field:
        assert body["details"][0]["field"] == field


def test_post_errors(client: TestClient) -> None:
    r = client.post("/sparql", content=b"SELECT * {}", headers={"Content-Type": "text/plain"})
    assert (r.status_code, r.json()["details"][0]["field"]) == (415, "Content-Type")
    r = client.post(
        "/sparql", content=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"}
    )
    assert (r.status_code, r.json()["error"]) == (400, "bad_request")
    r = client.post("/sparql", data={"query": [SELECT, SELECT]})
    assert (r.status_code, r.json()["details"][0]["field"]) == (400, "query")


def test_query_timeout_is_503(make_client: Callable[..., TestClient]) -> None:
    client = make_client(query_timeout=0.05)
    heavy = (
        "SELECT (COUNT(*) AS ?n) WHERE { "
        + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12))
        + " }"
    )
    r = client.get("/sparql", params={"query": heavy})
    assert r.status_code == 503
    assert r.json()["error"] == "query_timeout"


def test_update_needs_the_admin_token(make_client: Callable[..., TestClient]) -> None:
    insert = "INSERT DATA { GRAPH <http://g> { <http://a> <http://b> <http://c> } }"
    headers = {"Content-Type": "application/sparql-update"}
    disabled = make_client()
    r = disabled.post("/sparql/update", content=insert, headers=headers)
    assert (r.status_code, r.json()["error"]) == (403, "forbidden")

    client = make_client(admin_token="adm", token="w")
    assert client.post("/sparql/update", content=insert, headers=headers).status_code == 401
    wrong = {**headers, "Authorization": "Bearer w"}
    assert client.post("/sparql/update", content=insert, headers=wrong).status_code == 401
    admin = {**headers, "Authorization": "Bearer adm"}
    assert client.post("/sparql/update", content=insert, headers=admin).status_code == 204
    assert client.get(
        "/sparql", params={"query": "ASK { <http://a> <http://b> <http://c> }"}
    ).json()["boolean"]
    r = client.post(
        "/sparql/update",
        data={"update": "DELETE WHERE { GRAPH ?g { <http://a> ?p ?o } }"},
        headers={"Authorization": "Bearer adm"},
    )
    assert r.status_code == 204
    assert not client.get("/sparql", params={"query": "ASK { <http://a> ?p ?o }"}).json()["boolean"]
    bad = client.post("/sparql/update", content="INSERT NOTHING", headers=admin)
    assert (bad.status_code, bad.json()["error"]) == (400, "query_syntax")
