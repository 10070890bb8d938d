"""A real manager (uvicorn in a subprocess, on-disk store): capture, bad input, quarantine, SPARQL
content negotiation and linked data over HTTP."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from .batches import BAD_INPUTS, BASE, T0, batch, losses_query, new_id, record, training_run
from .conftest import Manager, run_manager

pytestmark = pytest.mark.integration

WRITE, ADMIN = "write-secret", "admin-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    folder = tmp_path_factory.mktemp("manager")
    with run_manager(
        f"oxigraph:{folder / 'store'}", folder, PROVML_TOKEN=WRITE, PROVML_ADMIN_TOKEN=ADMIN
    ) as running:
        yield running


@pytest.fixture
def writer(server: Manager) -> Iterator[httpx.Client]:
    with server.client(WRITE) as client:
        yield client


def test_capture_commits_then_answers(server: Manager, writer: httpx.Client) -> None:
    run = new_id()
    before = server.count()
    r = writer.post("/api/v1/capture", json=training_run(run, epochs=3))
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 15
    assert r.json()["graphs"] == [BASE + "graph/catalog", BASE + f"graph/run/{run}"]
    assert server.count() > before
    rows = writer.get("/sparql", params={"query": losses_query(run)}).json()["results"]["bindings"]
    assert [(int(b["epoch"]["value"]), float(b["value"]["value"])) for b in rows] == [
        (0, 0.5),
        (1, 1 / 3),
        (2, 0.25),
    ]


def test_same_batch_twice_same_triple_count(server: Manager, writer: httpx.Client) -> None:
    body = training_run(new_id())
    assert writer.post("/api/v1/capture", json=body).status_code == 200
    once = server.count()
    assert writer.post("/api/v1/capture", json=body).status_code == 200
    assert server.count() == once


def test_serve_prints_the_url_and_the_store(server: Manager) -> None:
    first_line = server.log.read_text().splitlines()[0]
    assert first_line == f"provml manager on {server.url}/ (store {server.store})"


def test_writes_need_the_token(server: Manager) -> None:
    with server.client() as anonymous, server.client("guess") as wrong:
        for client in (anonymous, wrong):
            r = client.post("/api/v1/capture", json=training_run(new_id()))
            assert (r.status_code, r.json()["error"]) == (401, "unauthorized")
        assert anonymous.get("/health/ready").json()["status"] == "ready"


@pytest.mark.parametrize(
    ("label", "body", "ctype", "status", "code", "field"),
    BAD_INPUTS,
    ids=[b[0] for b in BAD_INPUTS],
)
def test_bad_input_over_http(
    server: Manager,
    writer: httpx.Client,
    label: str,
    body: bytes,
    ctype: str,
    status: int,
    code: str,
    field: str,
) -> None:
    before = server.count()
    r = writer.post("/api/v1/capture", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    answer = r.json()
    assert (answer["error"], answer["details"][0]["field"]) == (code, field)
    assert server.count() == before


def test_quarantine_over_http(server: Manager, writer: httpx.Client) -> None:
    run = new_id()

    def run_batch(end: float) -> dict:
        return batch(
            record("run.start", run, run, name="exp"),
            record("run.end", run, run, time=end, status="finished"),
        )

    before = server.count()
    r = writer.post("/api/v1/capture", json=run_batch(T0 - 5))
    assert r.status_code == 422
    entry_id = r.json()["details"]["quarantine_id"]
    [violation] = r.json()["details"]["violations"]
    assert violation["focus_node"] == BASE + f"run/{run}"
    assert {"focus_node", "path", "message"} <= violation.keys()
    assert server.count() == before
    ids = [e["id"] for e in writer.get("/api/v1/quarantine").json()["entries"]]
    assert entry_id in ids
    assert writer.get(f"/api/v1/quarantine/{entry_id}").json()["batch"] == run_batch(T0 - 5)

    fixed = writer.post(f"/api/v1/quarantine/{entry_id}/resubmit", json=run_batch(T0 + 5))
    assert fixed.status_code == 200, fixed.text
    assert server.count() > before
    assert writer.get(f"/api/v1/quarantine/{entry_id}").status_code == 404

    second = writer.post("/api/v1/capture", json=run_batch(T0 - 9)).json()["details"][
        "quarantine_id"
    ]
    assert writer.delete(f"/api/v1/quarantine/{second}").status_code == 401
    with server.client(ADMIN) as admin:
        assert admin.delete(f"/api/v1/quarantine/{second}").status_code == 204
    assert second not in [e["id"] for e in writer.get("/api/v1/quarantine").json()["entries"]]


def _select_names(r: httpx.Response) -> list[str]:
    media = r.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return [b["name"]["value"] for b in r.json()["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return [lit.text for lit in ET.fromstring(r.text).iter(f"{ns}literal")]
    if media == "text/csv":
        return [row[0] for row in list(csv.reader(io.StringIO(r.text)))[1:]]
    assert media == "text/tab-separated-values"
    return [json.loads(line) for line in r.text.splitlines()[1:]]


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_select_negotiated_over_http(server: Manager, writer: httpx.Client, accept: str) -> None:
    run = new_id()
    writer.post("/api/v1/capture", json=training_run(run, name=f"exp {run}")).raise_for_status()
    query = f"""SELECT ?name WHERE {{ <{BASE}experiment/exp%20{run}>
                <http://www.w3.org/2000/01/rdf-schema#label> ?name }}"""
    for r in (
        writer.get("/sparql", params={"query": query}, headers={"Accept": accept}),
        writer.post("/sparql", data={"query": query}, headers={"Accept": accept}),
        writer.post(
            "/sparql",
            content=query.encode(),
            headers={"Accept": accept, "Content-Type": "application/sparql-query"},
        ),
    ):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == accept
        assert _select_names(r) == [f"exp {run}"]


@pytest.mark.parametrize(
    "fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML]
)
def test_construct_negotiated_over_http(
    server: Manager, writer: httpx.Client, fmt: ox.RdfFormat
) -> None:
    run = new_id()
    writer.post("/api/v1/capture", json=training_run(run)).raise_for_status()
    graph = f"<{BASE}graph/run/{run}>"
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    r = writer.get("/sparql", params={"query": query}, headers={"Accept": fmt.media_type})
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    triples = {q.triple for q in ox.parse(r.content, format=fmt)}
    count = writer.get(
        "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert len(triples) == int(count) > 20


def test_update_only_with_admin_token_at_its_own_endpoint(
    server: Manager, writer: httpx.Client
) -> None:
    insert = "INSERT DATA { GRAPH <http://ex.org/g> { <http://ex.org/a> <http://ex.org/b> 1 } }"
    r = writer.get("/sparql", params={"query": insert})
    assert (r.status_code, r.json()["error"]) == (400, "query_syntax")
    headers = {"Content-Type": "application/sparql-update"}
    assert writer.post("/sparql/update", content=insert, headers=headers).status_code == 401
    with server.client(ADMIN) as admin:
        assert admin.post("/sparql/update", content=insert, headers=headers).status_code == 204
    ask = "ASK { <http://ex.org/a> <http://ex.org/b> 1 }"
    assert writer.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_linked_data_over_http(server: Manager, writer: httpx.Client) -> None:
    run = new_id()
    writer.post("/api/v1/capture", json=training_run(run)).raise_for_status()
    turtle = writer.get(f"/id/run/{run}")
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = {q.triple for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)}
    run_iri = ox.NamedNode(BASE + f"run/{run}")
    assert (
        ox.Triple(run_iri, ox.NamedNode("https://w3id.org/provml#status"), ox.Literal("finished"))
        in triples
    )
    html = writer.get(f"/id/run/{run}", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert f'href="/id/execution/{run}-train"' in html.text
    measure = writer.get("/id/measure/val%20loss", headers={"Accept": "application/ld+json"})
    assert measure.status_code == 200
    assert any(
        q.subject.value == BASE + "measure/val%20loss"
        for q in ox.parse(measure.content, format=ox.RdfFormat.JSON_LD)
    )
    missing = writer.get("/id/run/never-captured")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
