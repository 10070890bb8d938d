"""Stop the manager and start it again on the same on-disk store: everything is still there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .batches import BASE, T0, batch, losses_query, record, training_run
from .conftest import clean_env, run_manager

pytestmark = pytest.mark.integration


def test_restart_keeps_the_graph_and_the_quarantine(tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'kg'}"
    bad = batch(record("run.start", "q", "q", name="x"), record("run.end", "q", "q", time=T0 - 1))
    with run_manager(store, tmp_path) as first, first.client() as client:
        client.post("/api/v1/capture", json=training_run("kept", epochs=2)).raise_for_status()
        entry_id = client.post("/api/v1/capture", json=bad).json()["details"]["quarantine_id"]
        count = first.count()
        losses = client.get("/sparql", params={"query": losses_query("kept")}).json()
        # only one process may open the embedded store: a second manager says so and exits
        second = subprocess.run(
            [sys.executable, "-m", "services.cli", "serve", "--store", store, "--port", "0"],
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 1
        assert f"cannot open the store {store}" in second.stderr
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


def test_serve_refuses_invalid_settings(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "--store", "memory:", "--base-iri", "x:/"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "base_iri" in done.stderr
