"""Protocol hardening of the SPARQL endpoints, in process over a real memory store: datasets, base
IRI, one operation per request, update errors as 4xx (store unchanged), LOAD refused, 405 with
Allow, the oxigraph-serve paths, the Graph Store read and the index at /."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from services.store import Store

from .conftest import BASE, GRAPH, RUN, SAMPLE

ADMIN = {"Authorization": "Bearer adm"}
UPDATE = {**ADMIN, "Content-Type": "application/sparql-update"}
OTHER = "http://example.org/other"


@pytest.fixture
def admin(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(admin_token="adm")


def _rows(answer) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in b.items()} for b in answer.json()["results"]["bindings"]]


def _quads(store: Store) -> set[ox.Quad]:
    return set(ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))


# -- datasets and base IRI -------------------------------------------------------------------------


def test_default_graph_uri_restricts_the_default_graph(admin: TestClient, store: Store) -> None:
    store.add(
        [ox.Quad(ox.NamedNode(OTHER), ox.NamedNode(OTHER), ox.Literal("x"), ox.NamedNode(OTHER))]
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert _rows(admin.get("/sparql", params={"query": count})) == [{"n": "5"}]
    only_run = admin.get("/sparql", params={"query": count, "default-graph-uri": GRAPH.value})
    assert _rows(only_run) == [{"n": "4"}]
    both = admin.post(
        f"/sparql?default-graph-uri={GRAPH.value}&default-graph-uri={OTHER}",
        content=count,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _rows(both) == [{"n": "5"}]


def test_named_graph_uri_limits_the_named_graphs_and_empties_the_default(admin: TestClient) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    named = admin.post("/sparql", data={"query": query, "named-graph-uri": OTHER})
    assert _rows(named) == []
    named = admin.post("/sparql", data={"query": query, "named-graph-uri": GRAPH.value})
    assert _rows(named) == [{"g": GRAPH.value, "n": "4"}]
    default = admin.post(
        "/sparql", data={"query": "ASK { ?s ?p ?o }", "named-graph-uri": GRAPH.value}
    )
    assert default.json()["boolean"] is False


def test_relative_iris_resolve_against_the_base_of_minted_iris(admin: TestClient) -> None:
    answer = admin.post(
        "/sparql",
        content="CONSTRUCT { <run/r1> <p> 1 } WHERE { <run/r1> ?p ?o }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert answer.status_code == 200, answer.text
    triples = list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))
    assert [(t.subject.value, t.predicate.value) for t in triples] == [(RUN.value, BASE + "p")]
    inserted = admin.post(
        "/update", content="INSERT DATA { GRAPH <g> { <a> <b> <c> } }", headers=UPDATE
    )
    assert inserted.status_code == 204, inserted.text
    asked = admin.get(
        "/query", params={"query": f"ASK {{ GRAPH <{BASE}g> {{ <{BASE}a> ?p ?o }} }}"}
    )
    assert asked.json()["boolean"] is True


def test_using_graph_uri_gives_the_where_clause_its_dataset(
    admin: TestClient, store: Store
) -> None:
    copy = f"INSERT {{ GRAPH <{OTHER}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    nothing = admin.post("/sparql/update", content=copy, headers=UPDATE)
    assert nothing.status_code == 204 and store.count(OTHER) == 0  # the store's own default graph
    done = admin.post(f"/sparql/update?using-graph-uri={GRAPH.value}", content=copy, headers=UPDATE)
    assert done.status_code == 204 and store.count(OTHER) == 4
    deleted = admin.post(
        "/sparql/update",
        data={"update": "DELETE WHERE { ?s ?p ?o }", "using-graph-uri": OTHER},
        headers=ADMIN,
    )
    assert deleted.status_code == 204 and store.count(OTHER) == 4  # its template names no graph
    conflict = admin.post(
        f"/sparql/update?using-named-graph-uri={OTHER}",
        content=f"WITH <{OTHER}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        headers=UPDATE,
    )
    assert conflict.status_code == 400
    assert conflict.json()["details"][0]["field"] == "using-named-graph-uri"
    assert store.count(OTHER) == 4


# -- one operation per request ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/query", "/sparql/update", "/update"])
def test_a_query_and_an_update_together_are_refused(
    admin: TestClient, store: Store, path: str
) -> None:
    before = _quads(store)
    answer = admin.post(path, data={"query": "ASK {}", "update": "CLEAR ALL"}, headers=ADMIN)
    assert answer.status_code == 400
    assert "not both" in answer.json()["message"]
    assert answer.json()["details"][0]["field"] in ("query", "update")
    assert _quads(store) == before


def test_an_update_sent_to_the_query_endpoint_is_refused(admin: TestClient, store: Store) -> None:
    answer = admin.post("/sparql", data={"update": "CLEAR ALL"}, headers=ADMIN)
    assert (answer.status_code, answer.json()["details"][0]["field"]) == (400, "update")
    direct = admin.post("/sparql/update?query=ASK%7B%7D", content="CLEAR ALL", headers=UPDATE)
    assert (direct.status_code, direct.json()["details"][0]["field"]) == (400, "query")
    dataset = admin.post(
        "/sparql/update", data={"update": "CLEAR ALL", "default-graph-uri": OTHER}, headers=ADMIN
    )
    assert (dataset.status_code, dataset.json()["details"][0]["field"]) == (
        400,
        "default-graph-uri",
    )
    assert store.count() == 4


@pytest.mark.parametrize(
    ("field", "body", "content_type"),
    [
        ("query", "SELECT * WHERE { ?s ?p }", "application/sparql-query"),
        (
            "update",
            "INSERT DATA { GRAPH <http://g> { <http://a> <http://b> }",
            "application/sparql-update",
        ),
    ],
)
def test_syntax_errors_name_the_field(
    admin: TestClient, field: str, body: str, content_type: str
) -> None:
    path = "/sparql" if field == "query" else "/sparql/update"
    answer = admin.post(path, content=body, headers={**ADMIN, "Content-Type": content_type})
    assert answer.status_code == 400
    assert answer.json()["error"] == "query_syntax"
    assert answer.json()["details"] == [{"field": field, "message": answer.json()["message"]}]


def test_a_body_in_another_charset_is_refused(admin: TestClient) -> None:
    answer = admin.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert (answer.status_code, answer.json()["details"][0]["field"]) == (415, "Content-Type")


# -- updates the store cannot apply: 4xx, nothing written ------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        f"CREATE GRAPH <{GRAPH.value}>",
        "DROP GRAPH <http://example.org/missing>",
        "CLEAR GRAPH <http://example.org/missing>",
        "MOVE <http://example.org/missing> TO <http://example.org/x>",
        f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{OTHER}> <{OTHER}> 1 }} }} ;\n"
        f"CREATE GRAPH <{GRAPH.value}>",
    ],
)
def test_update_conflicts_are_409_and_write_nothing(
    admin: TestClient, store: Store, update: str
) -> None:
    before = _quads(store)
    answer = admin.post("/sparql/update", content=update, headers=UPDATE)
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["error"] == "update_conflict"
    assert body["details"][0]["field"] == "update"
    assert "graph" in body["message"]
    assert _quads(store) == before


def test_silent_forms_of_those_updates_succeed(admin: TestClient, store: Store) -> None:
    for update in (
        f"CREATE SILENT GRAPH <{GRAPH.value}>",
        "DROP SILENT GRAPH <http://example.org/missing>",
        "CLEAR SILENT GRAPH <http://example.org/missing>",
    ):
        assert admin.post("/sparql/update", content=update, headers=UPDATE).status_code == 204
    assert store.count() == 4


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <file:///etc/hostname>",
        "LOAD SILENT <file:///missing/file.ttl> INTO GRAPH <http://example.org/g>",
        "LOAD <{web}/data.ttl>",
        "PREFIX ex: <http://example.org/>\n"
        "INSERT DATA { GRAPH ex:g { ex:a ex:b 1 } } ;\nload <{web}/x>",
    ],
)
def test_load_is_refused_and_fetches_nothing(
    admin: TestClient, store: Store, web_server: str, template: str
) -> None:
    before = _quads(store)
    answer = admin.post(
        "/sparql/update", data={"update": template.replace("{web}", web_server)}, headers=ADMIN
    )
    assert answer.status_code == 403
    body = answer.json()
    assert body["error"] == "forbidden"
    assert body["details"][0]["field"] == "update"
    assert "LOAD" in body["message"]
    assert _quads(store) == before
    assert _Recorder.seen == []


# -- methods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/sparql", "GET, POST"),
        ("DELETE", "/query", "GET, POST"),
        ("GET", "/sparql/update", "POST"),
        ("GET", "/update", "POST"),
        ("POST", "/store", "GET, HEAD"),
        ("PUT", "/api/v1/capture", "POST"),
        ("POST", "/", "GET"),
    ],
)
def test_405_names_the_allowed_methods(
    admin: TestClient, method: str, path: str, allow: str
) -> None:
    answer = admin.request(method, path, params={"query": "ASK {}"})
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow
    assert answer.json()["error"] == "method_not_allowed"
    assert allow in answer.json()["message"]


# -- the Graph Store Protocol read -----------------------------------------------------------------


def test_graph_store_reads_one_graph_in_each_format(admin: TestClient) -> None:
    for media_type in (
        "application/n-triples",
        "text/turtle",
        "application/rdf+xml",
        "application/ld+json",
    ):
        answer = admin.get("/store", params={"graph": GRAPH.value}, headers={"Accept": media_type})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].split(";")[0] == media_type
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert {q.triple for q in ox.parse(answer.content, format=fmt)} == {
            q.triple for q in SAMPLE
        }


def test_graph_store_reads_the_union_and_every_graph(admin: TestClient, store: Store) -> None:
    extra = ox.Quad(RUN, ox.NamedNode(OTHER), ox.Literal("y"), ox.NamedNode(OTHER))
    store.add([extra])
    union = admin.get("/store?default", headers={"Accept": "application/n-triples"})
    triples = {q.triple for q in ox.parse(union.content, format=ox.RdfFormat.N_TRIPLES)}
    assert triples == {q.triple for q in [*SAMPLE, extra]}
    every = admin.get("/store", headers={"Accept": "application/n-quads"})
    assert set(ox.parse(every.content, format=ox.RdfFormat.N_QUADS)) == {*SAMPLE, extra}
    head = admin.head("/store", params={"graph": GRAPH.value}, headers={"Accept": "text/turtle"})
    assert (head.status_code, head.headers["content-type"].split(";")[0]) == (200, "text/turtle")


def test_reading_a_graph_twice_gives_the_same_bytes(admin: TestClient) -> None:
    first = admin.get(
        "/store", params={"graph": GRAPH.value}, headers={"Accept": "application/n-triples"}
    )
    second = admin.get(
        "/store", params={"graph": GRAPH.value}, headers={"Accept": "application/n-triples"}
    )
    assert first.status_code == 200 and first.content == second.content


@pytest.mark.parametrize(
    ("params", "headers", "status", "field"),
    [
        ({"graph": "http://example.org/missing"}, {}, 404, "graph"),
        ({"graph": "not an iri"}, {}, 400, "graph"),
        ({"graph": [GRAPH.value, OTHER]}, {}, 400, "graph"),
        ({"graph": GRAPH.value, "default": ""}, {}, 400, "graph"),
        ({"graph": GRAPH.value}, {"Accept": "application/sparql-results+json"}, 406, "Accept"),
        ({}, {"Accept": "text/turtle"}, 406, "Accept"),
    ],
)
def test_graph_store_errors_name_the_field(
    admin: TestClient, params: dict, headers: dict, status: int, field: str
) -> None:
    answer = admin.get("/store", params=params, headers=headers)
    assert answer.status_code == status
    assert answer.json()["details"][0]["field"] == field


def test_graph_store_needs_the_read_token_when_one_is_set(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(read_token="r")
    assert client.get("/store", params={"graph": GRAPH.value}).status_code == 401
    ok = client.get("/store", params={"graph": GRAPH.value}, headers={"Authorization": "Bearer r"})
    assert ok.status_code == 200


# -- the update endpoint at the oxigraph serve path, replayed --------------------------------------


def test_update_replayed_twice_adds_nothing_the_second_time(
    admin: TestClient, store: Store
) -> None:
    insert = f"INSERT DATA {{ GRAPH <{OTHER}> {{ <{OTHER}> <{OTHER}> 1, 2 }} }}"
    for _ in range(2):
        assert admin.post("/update", content=insert, headers=UPDATE).status_code == 204
        assert store.count() == 6
    assert admin.post("/update", content=insert).status_code == 401


# -- the index -------------------------------------------------------------------------------------


def test_index_links_to_every_part_of_the_api(admin: TestClient) -> None:
    for accept in ("application/json", "*/*", None):
        answer = admin.get("/", headers={"Accept": accept} if accept else {})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["name"] == "provml manager" and body["base_iri"] == BASE
    paths = set(admin.app.openapi()["paths"])
    for name, path in body["links"].items():
        assert path in paths or path in ("/docs", "/openapi.json"), name
        assert admin.get(path).status_code not in (404, 500), name  # a route answers
    assert json.loads(admin.get(body["links"]["openapi"]).text)["info"]["title"] == "provml manager"


@pytest.mark.parametrize(
    "path", ["/", f"/query?query=ASK%20%7B%3C{RUN.value}%3E%20%3Fp%20%3Fo%7D", "/store?default"]
)
def test_new_read_routes_answer_the_same_twice_and_write_nothing(
    admin: TestClient, store: Store, path: str
) -> None:
    before = _quads(store)
    first, second = admin.get(path), admin.get(path)
    assert first.status_code == 200, first.text
    assert (second.status_code, second.content) == (200, first.content)
    assert _quads(store) == before
