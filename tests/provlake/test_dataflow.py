"""``provlake.dataflow``: DLProv's API on provml's pipeline gives what DLProv's own client gives."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

import provlake as pl
import provlake.dataflow as dfa
from provlake.dataflow import (
    Attribute,
    AttributeType,
    Dataflow,
    DataSet,
    Element,
    Set,
    SetType,
    Task,
    Transformation,
)
from provlake.dataflow._ids import run_id
from queryengine import ask
from services.ingest import Ingestor
from services.store import open_store
from tests.dlprov import mnist_script, reference, replay

TIMES = {
    "http://www.w3.org/ns/prov#startedAtTime",
    "http://www.w3.org/ns/prov#endedAtTime",
    "http://www.w3.org/ns/prov#generatedAtTime",
}
# what each client learns of the machine and the program: compared elsewhere
MACHINE = ("/environment/", "/software/", "/in/hardware.", "/attribute/hardware.")


@pytest.fixture
def client() -> Iterator[pl.Client]:
    with pl.Client("memory:", capture_environment=False) as memory:
        yield memory


def test_exports_exactly_dlprovs_names() -> None:
    names = (
        "Attribute AttributeType DataSet Dataflow Dependency Element Set SetType Task TaskStatus"
    )
    assert sorted(dfa.__all__) == sorted([*names.split(), "Transformation"])


def test_the_predefined_lifecycle_is_dlprovs(client: pl.Client) -> None:
    """The specification the reference script's ``Dataflow`` gives is the body DLProv sent."""
    sent: list[Dataflow] = []

    class Recording(Dataflow):
        def save(self) -> None:
            sent.append(self)

    with pytest.raises(_Stop):  # the script's first task ends it: the dataflow is saved by then
        mnist_script(_api(Dataflow=Recording, Task=_NoTask), client=client)
    assert sent[0].get_specification() == reference()[0]["body"]
    assert client.transport.records == []


def test_a_set_is_snapshot_when_a_transformation_takes_it() -> None:
    out = Set("oLoadData", SetType.OUTPUT, [Attribute("DATASET_DIR", AttributeType.FILE)])
    load, clean = Transformation("LoadData"), Transformation("ApplyFilter")
    load.set_sets([out])
    out.set_type(SetType.INPUT)
    out.dependency = "LoadData"
    clean.add_set(out)
    assert load.output[0] == {
        "tag": "oloaddata",
        "attributes": [{"name": "DATASET_DIR", "type": "FILE"}],
        "type": "OUTPUT",
    }
    assert clean.input[0]["dependency"] == "loaddata"
    assert Element([1, 0.5, "a"]).values == ["1", "0.5", "a"]
    with pytest.raises(TypeError, match="type must be valid"):
        Set("s", "INPUT", [])


def test_same_script_same_graph_as_the_wire(client: pl.Client) -> None:
    """The reference script through provlake.dataflow and DLProv's own traffic through the wire
    route give the same triples, but for times and what each client learns of the machine."""
    # task 1 makes its execution the active run of the context: keep that in this test's context
    contextvars.copy_context().run(mnist_script, dfa, client=client)
    assert client.flush(10)
    assert client.stats()["sent_records"] == len(client.transport.records)
    with open_store("memory:") as face, open_store("memory:") as wire:
        ingestor = Ingestor(face)
        for batch in client.transport.batches:
            ingestor.ingest_batch(batch)
        replay(Ingestor(wire))
        face_quads, wire_quads = _comparable(face), _comparable(wire)
    assert len(wire_quads) > 1000
    assert face_quads == wire_quads


def test_task_messages_carry_real_times_and_start_the_run_at_task_1(client: pl.Client) -> None:
    before = pl.active_run()
    contextvars.copy_context().run(_one_task, client)
    assert pl.active_run() is before


def _one_task(client: pl.Client) -> None:
    df = Dataflow("demo", client=client)
    step = Transformation("Train")
    step.set_sets([Set("oTrain", SetType.OUTPUT, [Attribute("LOSS", AttributeType.NUMERIC)])])
    df.add_transformation(step)
    df.save()
    task = Task(1, df, "demo 1", "Train", workspace="/tmp/w")
    task.begin()
    task.add_dataset(DataSet("oTrain", [Element([0.5])]))
    task.save()
    task.end()
    assert pl.active_run().name == "demo"  # the execution, for provml calls in the script
    client.flush(10)
    records = client.transport.records
    assert [r["type"] for r in records] == ["dataflow", "run.start", "task", "task", "task"]
    run, begin, save, end = records[1:]
    assert run["id"] == run_id("demo 1") == begin["run"] and run["name"] == "demo"
    assert run["attributes"]["hardware.architecture"]
    assert begin["status"] == "running" and begin["start"] == run["time"] and "end" not in begin
    assert save["sets"] == [{"tag": "otrain", "elements": [["0.5"]]}]
    assert end["sets"] == [] and end["status"] == "finished" and end["end"] >= end["start"]
    assert end["attributes"] == {"workspace": "/tmp/w"}
    assert task.start_time and task.end_time


def test_the_explicit_client_emits_dataflow_and_task_records(client: pl.Client) -> None:
    """``Client.emit`` takes a dataflow's definition (no run, its tag as id) and task messages
    (time optional), as the capture format defines them; the manager answers for them."""
    otrain = [{"name": "LOSS", "type": "NUMERIC"}, {"name": "EPOCH", "type": "NUMERIC"}]
    client.emit(
        {
            "type": "dataflow",
            "id": "toy flow",
            "transformations": [
                {
                    "tag": "train",
                    "sets": [{"tag": "otrain", "type": "OUTPUT", "attributes": otrain}],
                }
            ],
        }
    )
    client.emit(
        {"type": "run.start", "id": "toy-1", "run": "toy-1", "time": 1e9, "name": "toy flow"}
    )
    client.emit(
        {
            "type": "task",
            "id": "toy-1~1",
            "run": "toy-1",
            "execution": "toy-1",
            "dataflow": "toy flow",
            "transformation": "train",
            "task": "1",
            "status": "running",
            "sets": [{"tag": "otrain", "elements": [["0.7", "0"], ["0.4", "1"]]}],
        }
    )
    assert client.flush(10)
    assert [r["type"] for r in client.transport.records] == ["dataflow", "run.start", "task"]
    with open_store("memory:") as store:
        for batch in client.transport.batches:
            Ingestor(store).ingest_batch(batch)
        rows = ask("dataflow-set", store=store, dataflow="toy flow", set="otrain")
    assert [dict(r) for r in rows] == [
        {"execution": "toy-1", "task": "1", "LOSS": 0.7, "EPOCH": 0},
        {"execution": "toy-1", "task": "1", "LOSS": 0.4, "EPOCH": 1},
    ]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"type": "dataflow", "id": "", "transformations": []}, "id must be a non-empty string"),
        ({"type": "dataflow", "id": "f", "run": "r", "transformations": []}, "belongs to no run"),
        ({"type": "dataflow", "id": "f", "time": "now", "transformations": []}, "Unix seconds"),
        ({"type": "task", "id": "r~1", "time": 1.0}, "run must be"),
        ({"type": "task", "id": "r 1", "run": "r"}, "id must be"),
        ({"type": "metric", "id": "m", "run": "r"}, "Unix seconds"),  # a metric needs a time
        ({"type": "dataflows", "id": "f"}, "unknown type"),
    ],
)
def test_emit_checks_the_common_fields_of_each_type(
    client: pl.Client, record: dict, message: str
) -> None:
    with pytest.raises(pl.CaptureUsageError, match=message):
        client.emit(record)
    assert client.flush(5) and client.transport.records == []


def test_dfa_url_names_the_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    from provlake.dataflow._dataflow import capture_client

    for name in ("PROVML_MANAGER", "PROVML_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DFA_URL", "http://127.0.0.1:9/")
    assert capture_client().transport.url == "http://127.0.0.1:9"
    monkeypatch.setenv("PROVML_MANAGER", "http://127.0.0.1:8")
    assert capture_client().transport.url == "http://127.0.0.1:8"


def _comparable(store: object) -> set[ox.Quad]:
    quads = ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    return {
        q
        for q in quads
        if q.predicate.value not in TIMES
        and not any(part in str(q.subject) + str(q.object) for part in MACHINE)
    }


class _NoTask:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise _Stop


class _Stop(Exception):
    pass


def _api(**replace: object) -> object:
    from types import SimpleNamespace

    names = {name: getattr(dfa, name) for name in dfa.__all__}
    return SimpleNamespace(**{**names, **replace})
