"""Egress: a request makes the manager fetch only registered or configured endpoints (SERVICE in
questions and in /sparql, LOAD in updates); an allowed endpoint that fails is named (502), never
reported as the store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from queryengine import register_endpoint
from services.app import Settings, create_app
from services.store import Store, open_store
from tests.endpoint import Endpoint, sparql_endpoint
from tests.queryengine.capture import BASE, CORES, load_capture
from tests.servers import free_port

QUESTION = "/api/v1/questions/models-by-domain-property-remote"
EXPECTED = [("entity/m1", CORES + "S1", 0.12, 0.83), ("entity/m2", CORES + "S1", 0.12, 0.87)]


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("memory:") as s:
        yield load_capture(s)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with sparql_endpoint() as running:
        yield running


def client_for(store: Store, **settings: object) -> TestClient:
    app = create_app(
        Settings(store="memory:", base_iri=BASE, _env_file=None, **settings), store=store
    )
    return TestClient(app, raise_server_exceptions=False)


def ask_remote(client: TestClient, endpoint: str) -> object:
    params = {"endpoint": endpoint, "property": CORES + "porosity", "below": 0.2}
    return client.post(QUESTION, json={**params, "measure": "test_accuracy"})


def rows(response) -> list[tuple]:
    return [
        (r["model"].removeprefix(BASE), r["entity"], r["property_value"], r["value"])
        for r in response.json()["rows"]
    ]


def test_an_unregistered_endpoint_is_refused_before_anything_is_fetched(store, endpoint) -> None:
    before = store.count()
    with client_for(store) as client:
        response = ask_remote(client, endpoint.url)
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "endpoint_not_allowed"
    assert body["details"] == [
        {"field": "endpoint", "message": body["message"], "url": endpoint.url}
    ]
    assert endpoint.requests == []
    assert store.count() == before


def test_a_registered_endpoint_is_reached_by_url_and_by_name(store, endpoint) -> None:
    register_endpoint(store, "cores", endpoint.url, base_iri=BASE)
    with client_for(store) as client:
        by_url = ask_remote(client, endpoint.url)
        by_name = ask_remote(client, "cores")
    assert (by_url.status_code, by_name.status_code) == (200, 200)
    assert rows(by_url) == rows(by_name) == EXPECTED
    assert len(endpoint.requests) == 2


def test_a_registration_outside_its_domain_graph_registers_nothing(store, endpoint) -> None:
    # the triple register_endpoint writes, but in another graph (an imported document could do it)
    store.update(
        f"INSERT DATA {{ GRAPH <{BASE}graph/import/x> {{ <{BASE}domain/cores> "
        f"<http://www.w3.org/ns/sparql-service-description#endpoint> <{endpoint.url}> }} }}"
    )
    with client_for(store) as client:
        assert ask_remote(client, endpoint.url).status_code == 403
        assert ask_remote(client, "cores").status_code == 403
    assert endpoint.requests == []


@pytest.mark.parametrize("entry", ["{url}", "{root}/", "*"])
def test_configured_endpoints_are_allowed(store, endpoint, entry) -> None:
    allowed = entry.format(url=endpoint.url, root=endpoint.url.rsplit("/", 1)[0])
    with client_for(store, allowed_endpoints=f"http://192.0.2.1/q, {allowed}") as client:
        response = ask_remote(client, endpoint.url)
    assert response.status_code == 200
    assert rows(response) == EXPECTED


def test_a_prefix_entry_does_not_allow_a_longer_host(store, endpoint) -> None:
    host = endpoint.url.split("/")[2]
    with client_for(store, allowed_endpoints=f"http://{host.split(':')[0]}.evil:1/") as client:
        assert ask_remote(client, endpoint.url).status_code == 403


def test_an_unreachable_allowed_endpoint_is_a_502_naming_it(store) -> None:
    dead = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with client_for(store, allowed_endpoints=dead) as client:
        response = ask_remote(client, dead)
        ready = client.get("/health/ready")
    assert response.status_code == 502
    body = response.json()
    assert body["error"] == "endpoint_unavailable"
    assert "store" not in body["message"]
    assert body["details"][0]["field"] == "endpoint"
    assert body["details"][0]["url"] == dead
    assert ready.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
        "select * where { service silent <{url}> { ?s ?p ?o } }",
        "PREFIX e: <{root}/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
        "BASE <{root}/x/> SELECT * WHERE { SERVICE <../sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE # a comment\n <{url}> { ?s ?p ?o } }",
    ],
)
def test_sparql_service_is_checked_however_it_is_written(store, endpoint, query) -> None:
    text = query.replace("{url}", endpoint.url).replace("{root}", endpoint.url.rsplit("/", 1)[0])
    with client_for(store) as client:
        response = client.get("/sparql", params={"query": text})
    assert response.status_code == 403
    assert response.json()["details"][0]["field"] == "query"
    assert endpoint.requests == []


def test_service_words_in_strings_and_comments_are_not_targets(store) -> None:
    query = (
        'SELECT ?s WHERE { ?s ?p ?o FILTER(?o != "SERVICE <http://192.0.2.1/>") } '
        "# SERVICE <http://192.0.2.1/>\nLIMIT 1"
    )
    with client_for(store) as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.text.count("\n") == 2  # the header and one row


def test_sparql_service_to_an_allowed_endpoint_answers(store, endpoint) -> None:
    query = f"SELECT ?entity WHERE {{ SERVICE <{endpoint.url}> {{ ?entity ?p ?v }} }}"
    with client_for(store, allowed_endpoints=endpoint.url) as client:
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    bindings = response.json()["results"]["bindings"]
    assert [b["entity"]["value"] for b in bindings] == [CORES + "S1"]


def test_update_load_and_service_are_checked(store, endpoint) -> None:
    before = store.count()
    admin = {"Authorization": "Bearer adm", "Content-Type": "application/sparql-update"}
    with client_for(store, admin_token="adm") as client:
        load = client.post("/sparql/update", content=f"LOAD <{endpoint.url}>", headers=admin)
        service = client.post(
            "/sparql/update",
            content=f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{endpoint.url}> "
            "{ ?s ?p ?o } }",
            headers=admin,
        )
    # LOAD is refused whatever its target (docs/manager.md); SERVICE by the egress policy
    assert (load.status_code, load.json()["error"]) == (403, "forbidden")
    assert (service.status_code, service.json()["error"]) == (403, "endpoint_not_allowed")
    assert endpoint.requests == []
    assert store.count() == before


def test_a_down_store_is_still_the_store_even_when_the_query_has_a_service() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with open_store(f"sparql+{dead}") as down, client_for(down, allowed_endpoints="*") as client:
        query = f"SELECT * WHERE {{ SERVICE <{dead}/elsewhere> {{ ?s ?p ?o }} }}"
        response = client.get("/sparql", params={"query": query})
    assert (response.status_code, response.json()["error"]) == (503, "store_unavailable")
