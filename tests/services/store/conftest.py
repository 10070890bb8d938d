"""A fresh, empty store of each backend for the conformance suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.store import Store, open_store
from tests.conftest import remote_store_params, remote_store_uri


@pytest.fixture(params=["oxigraph", "memory", *remote_store_params()])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store: on disk in ``tmp_path``, in memory, the session's ``oxigraph serve``, its
    Virtuoso, or the server of ``PROVML_TEST_STORE`` (its provml graphs dropped first)."""
    if request.param == "oxigraph":
        uri = f"oxigraph:{tmp_path / 'store'}"
    elif request.param == "memory":
        uri = "memory:"
    else:
        uri = remote_store_uri(request, request.param)
    opened = open_store(uri)
    if request.param not in ("oxigraph", "memory"):
        opened.update("DROP ALL")
    yield opened
    opened.close()
