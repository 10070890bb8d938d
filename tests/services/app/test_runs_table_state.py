"""The runs table of every run is read from the store once per state of the store: pages, sorts,
filters and polls reuse it, a write makes the next request read it again, and requests arriving
during a read share it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.explore import run_rows
from services.store._oxigraph import OxigraphStore
from tests.integration.batches import BASE, training_run
from tests.services.app.conftest import runs_page, settings

RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")


class CountingStore(OxigraphStore):
    """An in-memory store that counts the queries it answers."""

    def __init__(self) -> None:
        super().__init__("memory:")
        self.queries = 0

    def query(self, sparql: str, **kwargs: object):  # type: ignore[override]
        self.queries += 1
        return super().query(sparql, **kwargs)


@pytest.fixture
def store() -> Iterator[CountingStore]:
    with CountingStore() as s:
        yield s


@pytest.fixture
def client(store: CountingStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=store), raise_server_exceptions=False) as c:
        yield c


def test_the_table_is_read_again_only_after_a_write(
    store: CountingStore, client: TestClient
) -> None:
    for run in ("r1", "r2"):
        assert client.post("/api/v1/capture", json=training_run(run)).status_code == 200
    before = store.queries
    first = runs_page(client, sort="run")
    assert [r["run"] for r in first["runs"]] == ["r2", "r1"]
    read = store.queries - before
    assert read >= 3  # the run summaries, hyperparameters and metrics views
    # other pages, sorts, filters and polls of the same state: no query at all
    assert [r["run"] for r in runs_page(client, sort="run", order="asc")["runs"]] == ["r1", "r2"]
    assert runs_page(client, sort="run", limit=1, offset=1)["runs"][0]["run"] == "r1"
    assert runs_page(client, filter="hp.lr = 0.1")["total"] == 2
    assert store.queries - before == read
    # a write (here through the capture route) is seen by the next request
    assert client.post("/api/v1/capture", json=training_run("r3", epochs=4)).status_code == 200
    before = store.queries
    table = runs_page(client, sort="run")
    assert store.queries - before == read
    r3 = table["runs"][0]
    assert (r3["run"], r3["metrics"]["val loss"]["count"]) == ("r3", 4)
    assert r3["metrics"]["val loss"]["final"] == pytest.approx(1 / 5)


def test_a_running_runs_duration_counts_to_now_on_every_read(client: TestClient) -> None:
    batch = training_run("r1")
    batch["records"] = [r for r in batch["records"] if r["type"] != "run.end"]
    assert client.post("/api/v1/capture", json=batch).status_code == 200
    first = runs_page(client)["runs"][0]
    time.sleep(0.01)
    second = runs_page(client)["runs"][0]
    assert first["status"] == second["status"] == "running"
    assert second["duration"] > first["duration"] > 0


def test_requests_during_a_read_share_it(store: CountingStore, client: TestClient) -> None:
    assert client.post("/api/v1/capture", json=training_run("r1")).status_code == 200
    before = store.queries
    one = run_rows(store, base_iri=BASE)
    read = store.queries - before
    note = ox.Literal("a note")
    store.add([ox.Quad(ox.NamedNode(BASE + "n"), RDFS_COMMENT, note, ox.NamedNode(BASE + "g"))])
    # the eight readers after the write, arriving together, read the table once
    start = threading.Barrier(8)
    tables: list[list[dict]] = []

    def reader() -> None:
        start.wait()
        tables.append(run_rows(store, base_iri=BASE))

    before = store.queries
    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert store.queries - before == read
    assert len(tables) == 8 and all(t == one for t in tables)
