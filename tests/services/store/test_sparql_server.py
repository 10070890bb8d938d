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


def test_a_graph_store_404_is_emptiness_only_for_a_graph_without_triples(
    oxigraph_server: str,
) -> None:
    g = ox.NamedNode("http://example.org/graph-store-404")
    quad = ox.Quad(g, g, ox.Literal("kept"), g)
    with open_store("sparql+" + oxigraph_server) as store:
        store.add([quad])
        absent = store.dump(ox.RdfFormat.N_TRIPLES, "http://example.org/no-such-graph")
        assert absent == b""  # oxigraph serve's 404, confirmed by the query endpoint
    # The same server with a Graph Store path it does not serve: every GET there is a 404.
    with open_store(f"sparql+{oxigraph_server}?store=no-such-endpoint") as wrong:
        with pytest.raises(
            OSError, match=r"404 for the graph <http://example\.org/graph-store-404>"
        ):
            wrong.dump(ox.RdfFormat.N_TRIPLES, g.value)
        with pytest.raises(OSError, match="answered 404"):
            wrong.dump(ox.RdfFormat.N_QUADS)
        assert wrong.dump(ox.RdfFormat.N_TRIPLES, "http://example.org/no-such-graph") == b""
        wrong.remove_graph(g.value)
