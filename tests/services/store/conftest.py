"""A fresh, empty store of each backend for the conformance suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.store import Store, open_store


@pytest.fixture(params=["oxigraph", "memory", "sparql+http"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store: on disk in ``tmp_path``, in memory, or the session's ``oxigraph serve``."""
    if request.param == "oxigraph":
        uri = f"oxigraph:{tmp_path / 'store'}"
    elif request.param == "memory":
        uri = "memory:"
    else:
        uri = "sparql+" + request.getfixturevalue("oxigraph_server")
    opened = open_store(uri)
    if request.param == "sparql+http":
        opened.update("DROP ALL")
    yield opened
    opened.close()
