"""Behaviour that needs a server of its own (the shared one runs without a time limit)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from services.store import StoreError, open_store
from tests.servers import start_oxigraph_server


def test_server_time_limit_is_a_timeout_error(tmp_path: Path) -> None:
    with (
        start_oxigraph_server(tmp_path, extra_args=["--timeout-s", "1"]) as base_url,
        open_store("sparql+" + base_url) as store,
    ):
        g, p = ox.NamedNode("http://example.org/g"), ox.NamedNode("http://example.org/p")
        store.add([ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, p, g) for i in range(60)])
        # An aggregate over 13 million solutions: the server gives up after 1 s; we would not.
        with pytest.raises(TimeoutError, match="server cancelled") as caught:
            store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
            )
        assert isinstance(caught.value, StoreError)
        assert store.count() == 60


def test_store_without_a_server_is_not_ready(tmp_path: Path) -> None:
    with start_oxigraph_server(tmp_path) as base_url:
        store = open_store("sparql+" + base_url)
        assert store.ready()
    assert not store.ready()  # the server is gone
    with pytest.raises(OSError, match="cannot reach"):
        store.count()
    store.close()
