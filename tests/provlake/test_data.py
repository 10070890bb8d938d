"""provlake.data: the Dataset's semantics and the records it sends while it is iterated."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import provlake as pl
from provlake import data


def _run(name: str = "pipeline") -> pl.Run:
    return pl.start_run(name, transport="memory:", capture_environment=False)


def _records(run: pl.Run, kind: str) -> list[dict]:
    run.client.flush(5)
    return [r for r in run.client.transport.records if r["type"] == kind]


def _last_updates(run: pl.Run) -> dict[str, dict]:
    last: dict[str, dict] = {}
    for record in _records(run, "pipeline.update"):
        last[record["operation"]] = record
    return last


# -- semantics ----------


def test_shuffle_is_the_buffer_shuffle_and_deterministic_for_a_seed():
    def order(seed: int) -> list[int]:
        with _run():
            ds = data.from_iterable(range(10)).shuffle(np.random.default_rng(seed), 4)
            return list(ds)

    # the same by hand: a buffer of 4, draws from blocks of uniform numbers, the rest permuted
    rng = np.random.default_rng(123)
    block = rng.random(4096).tolist()
    buffer, expected = [0, 1, 2, 3], []
    for used, item in enumerate(range(4, 10)):
        slot = int(block[used] * 4)
        expected.append(buffer[slot])
        buffer[slot] = item
    expected += [buffer[i] for i in rng.permutation(4).tolist()]
    assert order(123) == expected
    assert order(123) == order(123)
    assert sorted(order(7)) == list(range(10))
    assert order(7) != order(123)


def test_shuffle_with_a_buffer_larger_than_the_data_permutes_it():
    with _run():
        got = list(data.from_iterable(range(5)).shuffle(np.random.default_rng(0), 100))
    assert got == [range(5)[i] for i in np.random.default_rng(0).permutation(5).tolist()]


def test_batch_stacks_arrays_dicts_and_tuples():
    items = [{"image": np.full((2, 2), i, "float32"), "label": i} for i in range(5)]
    with _run():
        batches = list(data.from_iterable(items).batch(2))
        dropped = list(data.from_iterable(items).batch(2, drop_remainder=True))
        pairs = list(data.from_iterable([(np.arange(3) + i, i) for i in range(3)]).batch(3))
    assert [b["image"].shape for b in batches] == [(2, 2, 2), (2, 2, 2), (1, 2, 2)]
    assert batches[1]["image"].dtype == np.float32
    assert batches[1]["image"][:, 0, 0].tolist() == [2.0, 3.0]
    assert [b["label"].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert len(dropped) == 2
    assert pairs[0][0].tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    assert pairs[0][1].tolist() == [0, 1, 2]


def test_take_concatenate_interleave_reduce_and_numpy_sources():
    with _run():
        a = data.from_iterable([1, 2, 3], identifier="a")
        b = data.from_iterable([10, 20], identifier="b")
        assert list(a.concatenate(b)) == [1, 2, 3, 10, 20]
        assert list(a.interleave(b)) == [1, 10, 2, 20, 3]
        assert list(data.from_generator(lambda: iter(range(100))).take(3)) == [0, 1, 2]
        assert a.reduce(0, lambda s, x: s + x) == 6
        xs = np.arange(6).reshape(3, 2)
        assert [x.tolist() for x in data.from_numpy(xs)] == [[0, 1], [2, 3], [4, 5]]
        pairs = list(data.from_numpy((xs, np.array([7, 8, 9]))))
        assert [(x.tolist(), int(y)) for x, y in pairs] == [([0, 1], 7), ([2, 3], 8), ([4, 5], 9)]
        rows = list(data.from_numpy({"x": xs, "y": np.array([7, 8, 9])}))
        assert [int(r["y"]) for r in rows] == [7, 8, 9]


def test_a_dataset_is_reiterable_and_counts_accumulate():
    with _run() as run:
        ds = data.from_iterable([1, 2, 3], identifier="src").map(lambda x: x + 1, "inc")
        assert list(ds) == [2, 3, 4]
        assert list(ds) == [2, 3, 4]
    last = _last_updates(run)
    assert sorted((r["items"], r["iterations"]) for r in last.values()) == [(6, 2), (6, 2)]


# -- records ----------


def test_the_records_of_a_known_pipeline():
    with _run() as run:
        ds = data.from_iterable(range(100), identifier="numbers")
        squares = ds.map(lambda x: {"x": np.full(3, x, "int64"), "label": x % 2}, "to dict")
        kept = squares.filter(lambda d: d["label"] == 0, "even only")
        out = list(kept.batch(10, identifier="tens").track(run, sample_rate=1))
    assert len(out) == 5
    operations = _records(run, "pipeline.operation")
    ids = [r["id"] for r in operations]
    assert ids == [f"{run.id}.op{step}" for step in (1, 2, 3, 4)]  # the same script, the same ids
    assert [(r["step"], r["operation"], r["label"]) for r in operations] == [
        (1, "from_iterable", "numbers"),
        (2, "map", "to dict"),
        (3, "filter", "even only"),
        (4, "batch", "tens"),
    ]
    assert [r["inputs"] for r in operations] == [[], *([f"{i}.out"] for i in ids[:3])]
    assert [r["stream"] for r in operations] == [f"{i}.out" for i in ids]
    assert operations[3]["parameters"] == {"batch_size": 10, "drop_remainder": False}
    schemas = {r["stream"]: r["schema"] for r in _records(run, "pipeline.schema")}
    assert schemas == {
        f"{ids[0]}.out": '"int"',
        f"{ids[1]}.out": '{"label":"int","x":[[3],"int64"]}',
        f"{ids[2]}.out": '{"label":"int","x":[[3],"int64"]}',
        f"{ids[3]}.out": '{"label":[[10],"int64"],"x":[[10,3],"int64"]}',
    }
    last = _last_updates(run)
    assert [last[i]["items"] for i in ids] == [100, 100, 50, 5]
    assert all(last[i]["exhausted"] is True for i in ids)
    assert [last[i]["failures"] for i in ids] == [0, 0, 0, 0]
    samples = _records(run, "pipeline.sample")
    first = [(s["position"], s["value"]) for s in samples if s["stream"] == f"{ids[1]}.out"]
    assert first[:3] == [
        (0, "{'x': array(shape=[3], dtype=int64, values=[0, 0, 0]), 'label': 0}"),
        (1, "{'x': array(shape=[3], dtype=int64, values=[1, 1, 1]), 'label': 1}"),
        (2, "{'x': array(shape=[3], dtype=int64, values=[2, 2, 2]), 'label': 0}"),
    ]
    kinds = [s["kind"] for s in samples if s["stream"] == f"{ids[1]}.out"]
    assert kinds == ["first"] * 3 + ["reservoir"] * 5
    reservoir = [s["position"] for s in samples if s["kind"] == "reservoir"][:5]
    assert reservoir == sorted(set(reservoir)) and reservoir[0] >= 3
    timing = last[ids[1]]["timing"]  # the map, every item inspected and timed
    assert (timing["sampled"], timing["rate"]) == (100, 1.0)
    assert 0 < timing["p50_us"] <= timing["p99_us"]
    assert "timing" not in last[ids[0]]  # a source's own work is not timed


def test_a_failing_map_raises_unchanged_and_is_recorded():
    error = ValueError("bad item 5")

    def fail_on_5(x: int) -> int:
        if x == 5:
            raise error
        return x

    with _run() as run:
        ds = data.from_iterable(range(10), identifier="src").map(fail_on_5, "check")
        seen = []
        with pytest.raises(ValueError) as caught:
            for item in ds:
                seen.append(item)
    assert caught.value is error
    assert seen == [0, 1, 2, 3, 4]
    updates = _records(run, "pipeline.update")
    failed = [r for r in updates if r.get("error")]
    assert len(failed) == 1
    assert failed[0]["error"] == "ValueError: bad item 5"
    assert failed[0]["error_item"] == "5"
    assert (failed[0]["items"], failed[0]["position"], failed[0]["failures"]) == (5, 5, 1)
    last = _last_updates(run)
    assert sorted(r["items"] for r in last.values()) == [5, 6]  # nothing lost, not exhausted
    assert not any(r.get("exhausted") for r in last.values())


def test_inconsistent_types_record_a_schema_change():
    values = [1, 2, 3, "four", 5, 6.0]
    with _run() as run:
        out = list(data.from_iterable(values, identifier="mixed").map(lambda v: v, "same"))
    assert out == values
    schemas = [r for r in _records(run, "pipeline.schema") if r["stream"].endswith(".out")]
    per_stream: dict[str, list] = {}
    for r in schemas:
        per_stream.setdefault(r["stream"], []).append((r["position"], r["schema"], "previous" in r))
    assert (
        list(per_stream.values())
        == [[(0, '"int"', False), (3, '"str"', True), (5, '"float"', True)]] * 2  # int at 4: known
    )
    changed = [r for r in schemas if r["position"] == 3]
    assert changed[0]["previous"] == changed[0]["stream"] + ".schema.0"
    assert {r["schema_changes"] for r in _last_updates(run).values()} == {3}


def test_a_stage_that_uses_the_dataset_names_its_stream():
    with _run() as run:
        ds = data.from_iterable([1, 2]).map(lambda x: x, "identity")
        with run.stage("training", "training", used=[ds]) as stage:
            assert list(ds) == [1, 2]
    (start,) = _records(run, "stage.start")
    assert start["used"] == [ds.id]
    operations = _records(run, "pipeline.operation")
    assert operations[-1]["stream"] == ds.id
    assert run.client.transport.records.index(operations[-1]) < run.client.transport.records.index(
        start
    )
    assert stage.id == start["id"]


def test_a_pipeline_without_a_run_starts_and_ends_its_own(tmp_path):
    client = pl.Client("memory:", capture_environment=False)
    ds = data.from_iterable([1, 2, 3], identifier="numbers").track(client=client)
    with _run():  # the active run is another client's: not this pipeline's
        assert list(ds) == [1, 2, 3]
    client.flush(5)
    types = [r["type"] for r in client.transport.records]
    assert types[0] == "run.start" and types[-1] == "run.end"
    assert client.transport.records[0]["name"] == "numbers"
    assert client.transport.records[0]["kind"] == "workflow"
    client.close()


def test_files_and_the_dvc_md5_of_their_folder(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    np.save(folder / "a.npy", np.zeros((2, 2), "uint8"))
    np.save(folder / "b.npy", np.ones((2, 2), "uint8"))
    (folder / "notes.txt").write_text("not an image")
    # what `dvc add images` writes next to the folder
    (tmp_path / "images.dvc").write_text(
        "outs:\n- md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir\n  size: 256\n  nfiles: 2\n"
        "  hash: md5\n  path: images\n"
    )
    with _run() as run:
        ds = data.load_from_dir(folder, pattern="*.npy", identifier="load images")
        arrays = list(ds)
    assert [a.tolist() for a in arrays] == [[[0, 0], [0, 0]], [[1, 1], [1, 1]]]
    entities = _records(run, "entity")
    folder_entity = entities[0]
    assert folder_entity["kind"] == "dataset"
    assert folder_entity["location"] == str(folder.resolve())
    assert folder_entity["digest"] == "md5:3863d0e317dee0a55c4e59d2ec0eef33"
    assert folder_entity["attributes"] == {
        "dvc_md5": "3863d0e317dee0a55c4e59d2ec0eef33.dir",
        "dvc_file": "images.dvc",
    }
    (operation,) = _records(run, "pipeline.operation")
    assert operation["used"] == [folder_entity["id"]]
    assert operation["parameters"] == {"pattern": "*.npy"}
    files = entities[1:]
    assert [(f["name"], f["attributes"]["size"]) for f in files] == [
        ("a.npy", (folder / "a.npy").stat().st_size),
        ("b.npy", (folder / "b.npy").stat().st_size),
    ]
    assert (
        files[0]["digest"]
        == "sha256:" + hashlib.sha256((folder / "a.npy").read_bytes()).hexdigest()
    )
    used = _records(run, "used")
    assert [(u["execution"], u["entity"]) for u in used] == [
        (operation["id"], files[0]["id"]),
        (operation["id"], files[1]["id"]),
    ]


def test_the_dvc_md5_of_a_stage_output_in_dvc_lock(tmp_path):
    (tmp_path / "features").mkdir()
    (tmp_path / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n    deps:\n"
        "    - path: raw\n      md5: 11111111111111111111111111111111.dir\n    outs:\n"
        "    - path: other\n      md5: 22222222222222222222222222222222\n"
        "    - path: features\n      md5: 33333333333333333333333333333333.dir\n      size: 10\n"
    )
    assert data.dvc_md5(tmp_path / "features") == (
        "33333333333333333333333333333333.dir",
        "dvc.lock",
    )
    assert data.dvc_md5(tmp_path / "raw") is None  # a dependency, not an output
    assert data.dvc_md5(tmp_path / "untracked") is None


def test_netpbm_images_load_as_arrays(tmp_path):
    image = np.arange(12, dtype="uint8").reshape(2, 2, 3)
    (tmp_path / "x.ppm").write_bytes(b"P6\n# a comment\n2 2\n255\n" + image.tobytes())
    with _run():
        (loaded,) = list(data.from_files([tmp_path / "x.ppm"]))
    assert loaded.tolist() == image.tolist()


def test_operations_of_a_run_with_a_long_id_get_short_ids():
    long_id = "r" * 100
    client = pl.Client("memory:", capture_environment=False)
    with client.start_run("long", run_id=long_id):
        assert list(data.from_iterable([1]).map(lambda x: x, "same")) == [1]
    client.close()
    operations = [r for r in client.transport.records if r["type"] == "pipeline.operation"]
    prefix = hashlib.sha256(long_id.encode()).hexdigest()[:32]
    assert [r["id"] for r in operations] == [f"{prefix}.op1", f"{prefix}.op2"]
    assert [r["type"] for r in client.transport.records][-1] == "run.end"


def test_options_are_those_of_the_dataset_even_in_a_run_recording_another_pipeline():
    with _run() as run:
        assert list(data.from_iterable(range(200), identifier="first")) == list(range(200))
        second = data.from_iterable(range(200), identifier="second").map(lambda x: x, "same")
        assert len(list(second.track(run, sample_rate=1))) == 200
    last = _last_updates(run)
    timed = {r["operation"]: r.get("timing", {}).get("sampled") for r in last.values()}
    assert timed[f"{run.id}.op3"] == 200  # the map of the second pipeline: every item
