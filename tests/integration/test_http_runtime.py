"""The manager under uvicorn keeps answering while questions run: a question held up by a slow
SERVICE endpoint does not stall ``/health/live``, a question whose SERVICE endpoint is the manager
itself completes, and a query nested deep enough to overflow the SPARQL parser is refused instead of
killing the process."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from queryengine import attach_domain_graph, example_domain_graph
from services.store import open_store
from tests.endpoint import sparql_endpoint
from tests.integration.conftest import Manager, run_manager
from tests.queryengine.capture import BASE, CORES, load_capture

pytestmark = pytest.mark.integration

ADMIN = "adm"
QUESTION = "/api/v1/questions/models-by-domain-property-remote"
PARAMS = {"property": CORES + "porosity", "below": 0.2, "measure": "test_accuracy"}
EXPECTED = [("entity/m1", CORES + "S1", 0.12, 0.83), ("entity/m2", CORES + "S1", 0.12, 0.87)]
SD = "http://www.w3.org/ns/sparql-service-description#"


def rows(response: httpx.Response) -> list[tuple]:
    return [
        (r["model"].removeprefix(BASE), r["entity"], r["property_value"], r["value"])
        for r in response.json()["rows"]
    ]


@pytest.fixture(scope="module")
def endpoint() -> Iterator:
    with sparql_endpoint() as running:
        yield running


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory, endpoint) -> Iterator[Manager]:
    """A manager over the test capture and the example domain graph, allowed to reach the test
    endpoint."""
    folder = tmp_path_factory.mktemp("runtime")
    path = folder / "store"
    with open_store(f"oxigraph:{path}") as store:
        load_capture(store)
        attach_domain_graph(store, "cores", example_domain_graph(), base_iri=BASE)
    settings = {"PROVML_ALLOWED_ENDPOINTS": endpoint.url, "PROVML_ADMIN_TOKEN": ADMIN}
    with run_manager(f"oxigraph:{path}", folder, **settings) as running:
        yield running


def test_live_answers_while_a_question_waits_for_its_endpoint(manager, endpoint) -> None:
    endpoint.hold()
    answers: list[httpx.Response] = []

    def ask() -> None:
        with manager.client() as client:
            answers.append(client.post(QUESTION, json={"endpoint": endpoint.url, **PARAMS}))

    asking = threading.Thread(target=ask)
    asking.start()
    try:
        assert endpoint.received.wait(60), "the question never reached the endpoint"
        live = httpx.get(manager.url + "/health/live", timeout=30)
        # the endpoint has not answered yet, so the question cannot have finished
        assert (live.status_code, answers) == (200, [])
    finally:
        endpoint.release()
        asking.join(60)
    assert answers[0].status_code == 200
    assert rows(answers[0]) == EXPECTED


def test_a_question_whose_endpoint_is_the_manager_itself_completes(manager) -> None:
    registration = (
        f"INSERT DATA {{ GRAPH <{BASE}graph/domain/self> {{ <{BASE}domain/self> "
        f"a <{SD}Service> ; <{SD}endpoint> <{manager.url}/sparql> }} }}"
    )
    with manager.client(ADMIN) as client:
        registered = client.post(
            "/sparql/update",
            content=registration,
            headers={"Content-Type": "application/sparql-update"},
        )
        assert registered.status_code == 204
        response = client.post(QUESTION, json={"endpoint": "self", **PARAMS})
    assert response.status_code == 200
    assert rows(response) == EXPECTED


def test_a_query_nested_too_deeply_is_refused_and_the_manager_lives(manager) -> None:
    before = manager.count()
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = httpx.post(
        manager.url + "/sparql",
        content=query,
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "query"
    assert httpx.get(manager.url + "/health/live", timeout=30).status_code == 200
    assert manager.count() == before
