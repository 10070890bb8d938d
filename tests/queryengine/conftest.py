"""Fixtures: the hand-built capture loaded into each store backend, with the example domain
graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.store import Store, open_store
from tests.queryengine.capture import load_capture


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
