"""The data-pipeline questions (provlake.data) on a pipeline captured by the real client and
written by the real ingest pipeline; exact answers. ``provml pipeline show`` on the same store."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

import provlake as pl
from provlake import data
from queryengine import ParameterError, ask
from services.cli import main
from services.ingest import Ingestor
from services.store import Store, open_store

BASE = "http://provml.localhost/id/"


def _flag(value):
    if value == "bad":
        raise ValueError("bad value")
    return value


@pytest.fixture(scope="module")
def capture() -> list[dict]:
    """Two sources interleaved, one item of another type, a map, batches of 2; every item
    inspected (sample_rate=1) so samples and timings are exact."""
    client = pl.Client("memory:", capture_environment=False)
    with client.start_run("mix", run_id="mix1") as run:
        a = data.from_iterable([1, 2, 3, "four", 5], identifier="odd source")
        b = data.from_iterable([10, 20], identifier="even source")
        mixed = a.interleave(b, identifier="mix").map(_flag, "check")
        batches = mixed.batch(2, identifier="pairs").track(run, sample_rate=1)
        with run.stage("training", "training", used=[batches], id="train"):
            assert len(list(batches)) == 4
    client.close()
    return json.loads(json.dumps(client.transport.records))


@pytest.fixture(scope="module")
def store(capture: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("pipeline") / "store"
    with open_store(f"oxigraph:{path}") as s:
        Ingestor(s).ingest_batch({"schema": "provml/capture/1", "records": capture})
        yield s


def _stream(capture: list[dict], label: str) -> str:
    return next(
        r["stream"] for r in capture if r["type"] == "pipeline.operation" and r["label"] == label
    )


def test_pipeline_dag(store: Store, capture: list[dict]) -> None:
    rows = ask("pipeline-dag", store=store, run="mix1")
    assert [
        (r["step"], r["operation"], r["identifier"], r["inputs"], r["items"], r["failures"])
        for r in rows
    ] == [
        (1, "from_iterable", "odd source", None, 5, 0),
        (2, "from_iterable", "even source", None, 2, 0),
        (3, "interleave", "mix", rows[2]["inputs"], 7, 0),
        (4, "map", "check", "3", 7, 0),
        (5, "batch", "pairs", "4", 4, 0),
    ]
    assert sorted(rows[2]["inputs"].split(", ")) == ["1", "2"]
    assert [r["schema"] for r in rows] == ['"int"', '"int"', '"int"', '"int"', '[[2],"int64"]']
    assert [r["schema_changes"] for r in rows] == [2, 0, 2, 2, 2]
    assert [r["stream"] for r in rows][-1] == _stream(capture, "pairs")
    # every map item and every batch timed; sources and the interleave do no timed work
    assert [r["sampling_rate"] for r in rows] == [None, None, None, 1.0, 1.0]
    for row in rows[3:]:
        assert 0 < row["p50_us"] <= row["p99_us"] and row["per_item_us"] > 0


def test_pipeline_samples(store: Store, capture: list[dict]) -> None:
    rows = ask("pipeline-samples", store=store, stream=_stream(capture, "check"))
    first = [(r["position"], r["kind"], r["sample"], r["schema"]) for r in rows[:3]]
    assert first == [
        (0, "first", "1", '"int"'),
        (1, "first", "10", '"int"'),
        (2, "first", "2", '"int"'),
    ]
    reservoir = [r for r in rows if r["kind"] == "reservoir"]
    assert len(reservoir) == 4  # every item after the first 3 (fewer than the reservoir's 5)
    assert [(r["position"], r["sample"], r["schema"]) for r in reservoir] == [
        (3, "20", '"int"'),
        (4, "3", '"int"'),
        (5, "'four'", '"str"'),
        (6, "5", '"int"'),
    ]


def test_pipeline_schema_changes(store: Store, capture: list[dict]) -> None:
    rows = ask("pipeline-schema-changes", store=store, run="mix1")
    changes = [(r["step"], r["identifier"], r["position"], r["before"], r["after"]) for r in rows]
    assert changes == [
        (1, "odd source", 3, '"int"', '"str"'),  # back to int at 4: a schema seen before
        (3, "mix", 5, '"int"', '"str"'),
        (4, "check", 5, '"int"', '"str"'),
        (5, "pairs", 2, '[[2],"int64"]', '[[2],"<U21"]'),
        (5, "pairs", 3, '[[2],"<U21"]', '[[1],"int64"]'),
    ]
    assert all(r["run"] == f"{BASE}run/mix1" for r in rows)
    with pytest.raises(ParameterError, match="no run has the id or name 'other'"):
        ask("pipeline-schema-changes", store=store, run="other")


def test_the_model_trained_from_the_pipeline_reaches_its_sources(store: Store) -> None:
    rows = ask("training-data", store=store, run="mix1")
    assert sorted((r["name"], r["kind"], r["transformation"]) for r in rows) == [
        ("check", "LearningData", "map"),
        ("even source", "LearningData", "from_iterable"),
        ("mix", "LearningData", "interleave"),
        ("odd source", "LearningData", "from_iterable"),
        ("pairs", "LearningData", "batch"),
    ]


def test_a_failing_map_is_in_the_dag(tmp_path) -> None:
    client = pl.Client("memory:", capture_environment=False)
    with client.start_run("fail", run_id="fail1"):
        ds = data.from_iterable([1, "bad", 3], identifier="values").map(_flag, "check")
        with pytest.raises(ValueError, match="bad value"):
            list(ds)
    client.close()
    with open_store("memory:") as s:
        records = json.loads(json.dumps(client.transport.records))
        Ingestor(s).ingest_batch({"schema": "provml/capture/1", "records": records})
        rows = ask("pipeline-dag", store=s, run="fail1")
        assert [(r["identifier"], r["items"], r["failures"]) for r in rows] == [
            ("values", 2, 0),
            ("check", 1, 1),
        ]
        error = s.query(
            "SELECT ?m ?i ?p WHERE { ?s <https://w3id.org/provml#errorMessage> ?m ; "
            "<https://w3id.org/provml#errorItem> ?i ; <https://w3id.org/provml#itemPosition> ?p }"
        ).rows
        assert [tuple(t.value for t in row) for row in error] == [
            ("ValueError: bad value", "'bad'", "1")
        ]


def test_provml_pipeline_show_prints_the_table_and_draws_it(
    store: Store, capture: list[dict], tmp_path, capsys
) -> None:
    dumped = tmp_path / "copy"
    with open_store(f"oxigraph:{dumped}") as copy:
        Ingestor(copy).ingest_batch({"schema": "provml/capture/1", "records": capture})
    dot, svg = tmp_path / "dag.dot", tmp_path / "dag.svg"
    code = main(
        ["pipeline", "show", "mix1", "--store", f"oxigraph:{dumped}", "--dot", str(dot),
         "--svg", str(svg)]
    )  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "step", "operation", "identifier", "inputs", "items", "per_item_us", "failures"
    ]  # fmt: skip
    assert lines[4].split()[:4] == ["4", "map", "check", "3"]
    assert len(lines) == 6
    text = dot.read_text()
    assert '"op3" -> "op4";' in text and '"op4" -> "op5";' in text
    assert svg.read_bytes().startswith(b"<?xml")
    check = subprocess.run(["dot", "-Tplain"], input=dot.read_bytes(), capture_output=True)
    assert check.returncode == 0
    assert main(["pipeline", "show", "nobody", "--store", f"oxigraph:{dumped}"]) == 2
    assert "no run has the id or name 'nobody'" in capsys.readouterr().err
