"""Stop the manager and start it again on the same on-disk store: everything is still there."""

from __future__ import annotations

from pathlib import Path

import pytest

from .batches import BASE, T0, batch, losses_query, record, training_run
from .conftest import run_manager

pytestmark = pytest.mark.integration


def test_restart_keeps_the_graph_and_the_quarantine(tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'kg'}"
    bad = batch(record("run.start", "q", "q", name="x"), record("run.end", "q", "q", time=T0 - 1))
    with run_manager(store, tmp_path) as first, first.client() as client:
        client.post("/api/v1/capture", json=training_run("kept", epochs=2)).raise_for_status()
        entry_id = client.post("/api/v1/capture", json=bad).json()["details"]["quarantine_id"]
        count = first.count()
        losses = client.get("/sparql", params={"query": losses_query("kept")}).json()
    assert (tmp_path / "kg-quarantine" / entry_id).is_dir()

    with run_manager(store, tmp_path) as second, second.client() as client:
        assert second.count() == count > 0
        assert client.get("/sparql", params={"query": losses_query("kept")}).json() == losses
        assert client.get("/id/run/kept").status_code == 200
        graphs = client.get(
            "/sparql",
            params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"},
        ).json()["results"]["bindings"]
        assert [g["g"]["value"] for g in graphs] == [
            BASE + "graph/catalog",
            BASE + "graph/run/kept",
        ]
        assert [e["id"] for e in client.get("/api/v1/quarantine").json()["entries"]] == [entry_id]
