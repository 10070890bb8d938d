"""The PROV-ML native API with the memory transport: what each call records."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import provlake as pl
from provlake._environment import capture_environment, git_commit

UUID_HEX = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def client() -> Iterator[pl.Client]:
    with pl.Client(pl.MemoryTransport()) as c:
        yield c


def records(client: pl.Client) -> list[dict]:
    assert client.flush(10)
    return client.transport.records


def test_the_training_sketch_records_a_consistent_graph(client: pl.Client) -> None:
    with pl.start_run("digits-mlp", study="digits", client=client, user="ana") as run:
        data = run.dataset("digits", source="sklearn.datasets.load_digits", digest="sha256:ab")
        hp = {"lr": 0.01, "hidden": 64}
        with run.stage("training", kind="training", hyperparameters=hp, used=[data]) as train:
            for epoch in range(3):
                with train.section("epoch", epoch) as ep:
                    ep.log_metrics(loss=1.0 / (epoch + 1), accuracy=0.5 + epoch / 10, step=epoch)
                train.adapt_hyperparameter("lr", 0.01 / (epoch + 2), epoch=epoch + 1)
            model = train.model("mlp", uri="file:model.pkl")
        with run.stage("evaluation", kind="evaluation", used=[model]) as ev:
            ev.log_metrics(accuracy=0.97)
    got = records(client)
    by_type: dict[str, list[dict]] = {}
    for r in got:
        by_type.setdefault(r["type"], []).append(r)
        assert r["run"] == run.id and UUID_HEX.fullmatch(r["id"]) and isinstance(r["time"], float)
    start = by_type["run.start"][0]
    assert (start["name"], start["study"], start["kind"], start["user"]) == (
        "digits-mlp",
        "digits",
        "learning",
        "ana",
    )
    assert start["software"]["name"]
    assert by_type["entity"][0] == {
        **by_type["entity"][0],
        "kind": "dataset",
        "name": "digits",
        "location": "sklearn.datasets.load_digits",
        "digest": "sha256:ab",
    }
    train_start, eval_start = by_type["stage.start"]
    assert (train_start["kind"], train_start["used"]) == ("training", [data.id])
    assert eval_start["used"] == [model.id]
    # hyperparameters: two initial values, then three adaptations chained by `previous`
    hps = by_type["hyperparameter"]
    assert [(h["name"], h["value"]) for h in hps[:2]] == [("lr", 0.01), ("hidden", 64)]
    chain = [h for h in hps if h["name"] == "lr"]
    assert [h.get("previous") for h in chain] == [None] + [h["id"] for h in chain[:-1]]
    assert [h.get("epoch") for h in chain] == [None, 1, 2, 3]
    # metrics of a section named "epoch" carry the epoch; the execution is the section
    sections = by_type["section.start"]
    assert [(s["name"], s["index"], s["stage"]) for s in sections] == [
        ("epoch", i, train.id) for i in range(3)
    ]
    metrics = by_type["metric"]
    assert [(m["name"], m["epoch"], m["execution"]) for m in metrics[:2]] == [
        ("loss", 0, sections[0]["id"]),
        ("accuracy", 0, sections[0]["id"]),
    ]
    assert metrics[2]["value"] == 0.5 and metrics[2]["step"] == 1
    assert metrics[-1] == {**metrics[-1], "name": "accuracy", "value": 0.97, "execution": ev.id}
    assert "epoch" not in metrics[-1]
    generated = next(e for e in by_type["entity"] if e["kind"] == "model")
    assert generated["generated_by"] == train.id and generated["location"] == "file:model.pkl"
    assert [e["status"] for e in by_type["section.end"]] == ["finished"] * 3
    assert by_type["run.end"][0]["status"] == "finished"
    assert got[-1]["type"] == "run.end" and got[0]["type"] == "run.start"
    assert len({r["id"] for r in got if not r["type"].endswith(".end")}) == len(got) - 6


def test_failure_inside_a_stage_marks_it_failed_and_is_reraised(client: pl.Client) -> None:
    run = client.start_run("exp")
    with pytest.raises(ZeroDivisionError), run, run.stage("training", kind="training"):
        raise ZeroDivisionError
    ends = {r["type"]: r["status"] for r in records(client) if r["type"].endswith(".end")}
    assert ends == {"stage.end": "failed", "run.end": "failed"}


def test_transformation_decorator_captures_inputs_outputs_and_nesting(client: pl.Client) -> None:
    class Frame:
        shape = (100, 4)
        dtype = "float64"

    @pl.transformation
    def normalise(frame: object, scale: float = 2.0, source: pl.Entity | None = None) -> dict:
        return {"rows": 100, "mean": 0.5, "frame": frame}

    raw: pl.Entity | None = None

    @pl.transformation(name="split")
    def split(ratio: float) -> tuple:
        inner = normalise(Frame(), source=raw)
        return inner["rows"], ratio

    assert split(0.2) == (100, 0.2)  # outside a run: runs, records nothing
    run = client.start_run("prep")
    raw = run.data_reference("/data/raw.csv", name="raw")
    assert split(0.2) == (100, 0.2)
    run.end()
    got = [r for r in records(client) if r["type"].startswith("stage")]
    outer, inner, inner_end, outer_end = got
    assert (outer["name"], outer["kind"], outer["attributes"]) == (
        "split",
        "transformation",
        {"ratio": 0.2},
    )
    assert "parent" not in outer
    assert inner["parent"] == outer["id"] and inner["used"] == [raw.id]
    assert inner["attributes"] == {"frame": "Frame(shape=(100, 4), dtype=float64)", "scale": 2.0}
    assert inner_end["attributes"] == {
        "return.rows": 100,
        "return.mean": 0.5,
        "return.frame": "Frame(shape=(100, 4), dtype=float64)",
    }
    assert outer_end["attributes"] == {"return[0]": 100, "return[1]": 0.2}


def test_transformation_failure_is_recorded_and_raised(client: pl.Client) -> None:
    run = client.start_run("prep")

    @run.transformation
    def broken(x: int) -> int:
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        broken(1)
    end = next(r for r in records(client) if r["type"] == "stage.end")
    assert end["status"] == "failed"


def test_entities_references_agents_and_attributes(client: pl.Client) -> None:
    run = client.start_run(
        "exp", user="ana", software={"name": "train.py", "version": "1.2"}, attributes={"seed": 42}
    )
    ref = run.reference("https://w3id.org/petro#Well_7", name="well")
    features = run.feature_set("fs", derived_from=[ref], record_count=10, version=3)
    run.set_attributes(best_epoch=7, note="ok")
    run.end("killed")
    got = records(client)
    start, ref_rec, fs_rec, end = got
    assert start["software"] == {"name": "train.py", "version": "1.2"}
    assert start["attributes"] == {"seed": 42}
    assert (ref_rec["kind"], ref_rec["refers_to"]) == (
        "kg_reference",
        "https://w3id.org/petro#Well_7",
    )
    assert (fs_rec["derived_from"], fs_rec["record_count"], fs_rec["version"]) == (
        [ref.id],
        10,
        "3",
    )
    assert features.kind == "feature_set"
    assert end["attributes"] == {"best_epoch": 7, "note": "ok"} and end["status"] == "killed"


def test_numeric_scalars_are_accepted_and_non_finite_values_are_sent(client: pl.Client) -> None:
    """A diverging loss is data: NaN and infinities travel as JSON's NaN / Infinity tokens, for
    metrics, hyperparameters and attributes alike, and are counted."""

    class Scalar:  # a 0-d tensor-like value
        def __float__(self) -> float:
            return 0.25

    run = client.start_run("exp", attributes={"score": float("-inf")})
    stage = run.stage("t", kind="training", hyperparameters={"momentum": float("nan")})
    stage.log_metric("loss", Scalar())
    stage.log_metric("loss", float("nan"))
    stage.log_metric("loss", float("inf"))
    stage.log_metric("loss", float("-inf"))
    stage.log_metric("loss", 3)
    sent = records(client)
    values = [r["value"] for r in sent if r["type"] == "metric"]
    assert values[0] == 0.25 and math.isnan(values[1]) and values[2:] == [math.inf, -math.inf, 3]
    (hp,) = [r for r in sent if r["type"] == "hyperparameter"]
    assert math.isnan(hp["value"])
    assert sent[0]["attributes"] == {"score": -math.inf}
    assert client.stats()["non_finite_metrics"] == 3
    assert client.stats()["dropped_records"] == 0


def test_non_finite_numbers_are_json_tokens_on_the_wire() -> None:
    class Recording(pl.Transport):
        kind = "recording"

        def __init__(self) -> None:
            self.bodies: list[bytes] = []

        def send(self, body: bytes, count: int) -> None:
            self.bodies.append(body)

    transport = Recording()
    with pl.Client(transport) as client:
        run = client.start_run("exp", attributes={"score": float("-inf")})
        run.stage("t", kind="training").log_metrics(loss=float("nan"), grad=float("inf"))
        assert client.flush(10)
    wire = b"".join(transport.bodies)
    assert b'"score":-Infinity' in wire
    assert b'"name":"loss","value":NaN' in wire and b'"name":"grad","value":Infinity' in wire


def test_environment_capture(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git" / "refs" / "heads").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / ".git" / "refs" / "heads" / "main").write_text("a" * 40 + "\n")
    (repo / "src").mkdir()
    assert git_commit(repo / "src") == "a" * 40
    (repo / ".git" / "refs" / "heads" / "main").unlink()
    (repo / ".git" / "packed-refs").write_text(f"# pack\n{'b' * 40} refs/heads/main\n")
    assert git_commit(repo) == "b" * 40
    assert git_commit(tmp_path) is None
    env = capture_environment()
    assert env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert env["hostname"] and env["os"] and isinstance(env["accelerators"], list)
    assert env["packages"]["pytest"] == pytest.__version__


def test_run_start_carries_the_environment_when_enabled() -> None:
    with pl.Client("memory:", capture_environment=True) as client:
        client.start_run("exp")
        (start,) = records(client)
    assert set(start["environment"]) >= {"hostname", "os", "python", "processor", "packages"}


def test_active_run_and_module_level_flush() -> None:
    transport = pl.MemoryTransport()
    before = pl.active_run()
    with pl.start_run("exp", transport=transport) as run:
        assert pl.active_run() is run
        with run.stage("t", kind="testing") as stage:
            assert pl.current_execution() is stage
        assert pl.current_execution() is None
        assert pl.flush(10)
        assert [r["type"] for r in transport.records] == ["run.start", "stage.start", "stage.end"]
    assert pl.active_run() is before
