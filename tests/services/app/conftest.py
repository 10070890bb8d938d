"""Fixtures for the manager app: an in-process app (TestClient) over a real store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from services.app import Settings, create_app
from services.store import Store, open_store

BASE = "http://provml.localhost/id/"
GRAPH = ox.NamedNode(BASE + "graph/run/r1")
RUN = ox.NamedNode(BASE + "run/r1")
MEASURE = ox.NamedNode(BASE + "measure/val%20loss")
NAME = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ACTIVITY = ox.NamedNode("http://www.w3.org/ns/prov#Activity")
USED = ox.NamedNode("http://www.w3.org/ns/prov#used")

SAMPLE = [
    ox.Quad(RUN, TYPE, ACTIVITY, GRAPH),
    ox.Quad(RUN, NAME, ox.Literal("digits <run> & co"), GRAPH),
    ox.Quad(RUN, USED, MEASURE, GRAPH),
    ox.Quad(MEASURE, NAME, ox.Literal("val loss"), GRAPH),
]


def settings(**kwargs: object) -> Settings:
    """Settings from the arguments only (the test process's PROVML_* variables are ignored)."""
    return Settings(**{"store": "memory:", **kwargs})


@pytest.fixture(autouse=True)
def _no_provml_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PROVML_"):
            monkeypatch.delenv(name)


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("memory:") as s:
        s.add(SAMPLE)
        yield s


@pytest.fixture
def make_client(store: Store) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a started app over the sample store."""
    with ExitStack() as stack:

        def make(**kwargs: object) -> TestClient:
            app = create_app(settings(**kwargs), store=store)
            return stack.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def runs_page(client: TestClient, **params: object) -> dict:
    """One page of ``GET /api/v1/runs`` (asserting a 200)."""
    answer = client.get("/api/v1/runs", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()
