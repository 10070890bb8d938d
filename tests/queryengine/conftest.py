"""Fixtures: the hand-built capture (capture.trig) loaded into each store backend, with the example domain graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from queryengine import attach_domain_graph, example_domain_graph
from services.store import Store, open_store

CAPTURE = Path(__file__).with_name("capture.trig")
BASE = "http://provml.localhost/id/"


def capture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(CAPTURE), format=ox.RdfFormat.TRIG))


def load_capture(store: Store) -> Store:
    store.add(capture_quads())
    attach_domain_graph(store, "cores", example_domain_graph(), base_iri=BASE)
    return store


@pytest.fixture(scope="module", params=["embedded", "server"])
def capture_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The capture on the embedded on-disk store and on a real ``oxigraph serve`` (sparql+http)."""
    if request.param == "embedded":
        store = open_store(f"oxigraph:{tmp_path_factory.mktemp('embedded')}")
    else:
        store = open_store("sparql+" + request.getfixturevalue("oxigraph_server"))
        store.update("DROP ALL")
    with store:
        yield load_capture(store)


@pytest.fixture
def memory_store() -> Iterator[Store]:
    """A fresh in-memory store holding the capture."""
    with open_store("memory:") as store:
        yield load_capture(store)
