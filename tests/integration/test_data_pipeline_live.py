"""A provlake.data pipeline observed live through a real manager: its DAG, counts, samples and
schema queried over HTTP while the iteration is suspended half-way, then at the end; a failing map
and the environment of the run."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import numpy as np
import pytest

import provlake as pl
from provlake import data
from tests.integration.conftest import Manager

pytestmark = pytest.mark.integration


def _dag(manager: Manager, run: str) -> list[dict]:
    with manager.client() as http:
        answer = http.get("/api/v1/questions/pipeline-dag", params={"run": run})
    assert answer.status_code == 200, answer.text
    return answer.json()["rows"]


def _items(manager: Manager, run: str) -> list[tuple[str, int]]:
    return [(row["identifier"], row["items"]) for row in _dag(manager, run)]


def test_counts_grow_while_the_pipeline_runs(manager: Manager, tmp_path) -> None:
    client = pl.Client(manager=manager.url, capture_environment=True, spool_dir=tmp_path)
    run = client.start_run("live", run_id="live1")
    images = data.from_generator(
        lambda: (
            {"image": np.full((3, 4, 4), i % 256, "uint8"), "label": i % 3} for i in range(1000)
        ),
        identifier="images",
    )
    scaled = images.map(lambda d: {**d, "image": d["image"] / 255.0}, "scale")
    batches = scaled.batch(50, identifier="batches").track(run, sample_rate=1, update_items=100)
    iterator: Iterator = iter(batches)
    assert len(list(islice(iterator, 5))) == 5  # 250 images so far
    assert client.flush(30, acknowledged=True)
    assert _items(manager, "live1") == [("images", 200), ("scale", 200), ("batches", None)]
    assert len(list(islice(iterator, 7))) == 7  # 600 images
    assert client.flush(30, acknowledged=True)
    assert _items(manager, "live1") == [("images", 600), ("scale", 600), ("batches", None)]
    assert len(list(iterator)) == 8
    run.end()
    assert client.flush(30, acknowledged=True)
    rows = _dag(manager, "live1")
    assert [(r["identifier"], r["items"], r["inputs"]) for r in rows] == [
        ("images", 1000, None),
        ("scale", 1000, "1"),
        ("batches", 20, "2"),
    ]
    assert rows[1]["schema"] == '{"image":[[3,4,4],"float64"],"label":"int"}'
    assert rows[2]["schema"] == '{"image":[[50,3,4,4],"float64"],"label":[[50],"int64"]}'
    with manager.client() as http:
        samples = http.get(
            "/api/v1/questions/pipeline-samples", params={"stream": rows[1]["stream"]}
        ).json()["rows"]
        environment = http.post(
            "/sparql",
            content="SELECT (COUNT(?p) AS ?n) WHERE { <http://provml.localhost/id/run/live1> "
            "<https://w3id.org/provml#environment>/<https://w3id.org/provml#packageVersion> ?p }",
            headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
        ).json()
    assert [s["position"] for s in samples if s["kind"] == "first"] == [0, 1, 2]
    assert samples[0]["sample"] == (
        "{'image': array(shape=[3, 4, 4], dtype=float64, values=[0, 0, 0, 0, 0, ...]), 'label': 0}"
    )
    assert len([s for s in samples if s["kind"] == "reservoir"]) == 5
    assert int(environment["results"]["bindings"][0]["n"]["value"]) > 0
    client.close()


def test_a_failing_map_reaches_the_manager_with_everything_before_it(
    manager: Manager, tmp_path
) -> None:
    client = pl.Client(manager=manager.url, capture_environment=False, spool_dir=tmp_path)
    run = client.start_run("failing", run_id="fail1")

    def parse(text: str) -> int:
        return int(text)

    ds = data.from_iterable(["1", "2", "x", "4"], identifier="texts").map(parse, "parse")
    ds.track(run)
    with pytest.raises(ValueError, match="invalid literal for int"):
        list(ds)
    run.end("failed")
    assert client.flush(30, acknowledged=True)
    rows = _dag(manager, "fail1")
    assert [(r["identifier"], r["items"], r["failures"]) for r in rows] == [
        ("texts", 3, 0),
        ("parse", 2, 1),
    ]
    with manager.client() as http:
        changes = http.get(
            "/api/v1/questions/pipeline-schema-changes", params={"run": "fail1"}
        ).json()["rows"]
    assert changes == []
    client.close()
