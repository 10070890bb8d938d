"""The legacy ProvLake API: unmodified scripts run, and produce the mapped capture records."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

import provlake as pl
from provlake import ProvLake
from provlake.capture import ProvCycle, ProvTask, ProvWorkflow
from provlake.utils import args_handler as ah

from .conftest import HERE, RecordingServer, subprocess_env

SCRIPT = HERE / "legacy_scripts" / "train_wf.py"


def test_args_handler_returns_what_provlake_0_2_982_returns() -> None:
    assert ah.get_dict({"a": 1}) == {"prov_attr_type": "dict", "values": {"a": 1}}
    assert (ah.get_dict(None), ah.get_dict({}), ah.get_list([]), ah.get_dataset([])) == (
        None,
        {},
        [],
        [],
    )
    assert ah.get_list([1]) == {"prov_attr_type": "list", "values": [1]}
    assert ah.get_dataset([1], "s") == {
        "prov_attr_type": "dataset",
        "values": [1],
        "dataset_schema_id": "s",
    }
    assert ah.get_recursive_dicts({"a": {"b": 1}}) == {
        "prov_attr_type": "dict",
        "values": {"a": {"prov_attr_type": "dict", "values": {"b": 1}}},
    }
    assert ah.add_custom_metadata(5) == 5
    assert ah.add_custom_metadata(5, {"u": "m"}) == {
        "prov_attr_type": "attribute_value",
        "values": 5,
        "custom_metadata": {"u": "m"},
    }
    assert ah.get_data_reference("/x", 0) == {
        "values": "/x",
        "prov_attr_type": "data_reference",
        "data_store_id": 0,
    }
    assert ah.get_kg_reference("kg:1") == {"values": "kg:1", "prov_attr_type": "kg_reference"}
    assert ah.get_dataset_item({"a": 1}, 0, "d") == {
        "values": {"a": 1},
        "prov_attr_type": "dataset_item",
        "order": 0,
        "dataset_id": "d",
    }
    assert [ah.get_attribute_value_type(v) for v in (None, 1, [1], {"a": 1}, ah.get_list([1]))] == [
        "simple_attribute_value",
        "simple_attribute_value",
        "simple_list",
        "simple_dict",
        "list",
    ]


def test_the_reference_wire_scenario_maps_to_capture_records() -> None:
    """The workflow of the reference ProvLake 0.2.982 wire sample, through the legacy API."""
    transport = pl.MemoryTransport()
    prov = ProvLake.get_persister(context="my_ctx", db_name="mydb", transport=transport)
    assert ProvLake.get_persister() is prov  # a singleton until the workflow ends
    wf = ProvWorkflow(prov, "train_wf", custom_metadata={"user": "alice"})
    wf.begin()
    task = ProvTask(
        prov, "load_data", wf, input_args={"path": ah.get_data_reference("/data/x.csv"), "n": 10}
    )
    task.begin()
    task.end({"rows": 10})
    with ProvCycle(prov, "epochs", 0, wf, input_args={"lr": 0.01}) as cycle:
        with ProvTask(
            prov, "train_batch", wf, input_args={"batch": 1}, parent_cycle_name="epochs"
        ) as t:
            t.end({"loss": 0.5})
        cycle.end({"acc": 0.9})
    wf.end({"model": "m.pt"})
    assert ProvLake._persister_singleton_instance is None  # closed (and flushed) at workflow end
    got = transport.records
    assert [r["type"] for r in got] == [
        "run.start",
        "entity",
        "stage.start",
        "metric",
        "stage.end",
        "section.start",
        "hyperparameter",
        "stage.start",
        "metric",
        "stage.end",
        "metric",
        "section.end",
        "run.end",
    ]
    run, ref, load, rows, load_end, sec, lr, batch, loss, batch_end, acc, sec_end, end = got
    assert (run["kind"], run["name"], run["attributes"]) == (
        "workflow",
        "train_wf",
        {"user": "alice", "context": "my_ctx"},
    )
    assert wf.get_workflow_execution_id() == run["id"]
    assert (ref["kind"], ref["name"], ref["location"]) == ("data_reference", "path", "/data/x.csv")
    assert (load["name"], load["kind"], load["used"], load["attributes"]) == (
        "load_data",
        "transformation",
        [ref["id"]],
        {"n": 10},
    )
    assert "parent" not in load
    assert (load_end["attributes"], load_end["status"]) == ({"rows": 10}, "finished")
    assert task.get_data_transformation_execution_id() == load["id"]
    assert (sec["stage"], sec["name"], sec["index"]) == (run["id"], "epochs", 0)
    assert (lr["execution"], lr["name"], lr["value"]) == (sec["id"], "lr", 0.01)
    assert (batch["parent"], batch["attributes"]) == (sec["id"], {"batch": 1})
    assert batch_end["attributes"] == {"loss": 0.5}
    assert (sec_end["id"], sec_end["attributes"]) == (sec["id"], {"acc": 0.9})
    assert (end["status"], end["attributes"]) == ("finished", {"model": "m.pt"})
    # numeric outputs are metrics too, in the epoch of the iteration they belong to
    metrics = [(m["execution"], m["name"], m["value"], m.get("epoch")) for m in (rows, loss, acc)]
    assert metrics == [
        (load["id"], "rows", 10, None),
        (batch["id"], "loss", 0.5, 0),
        (sec["id"], "acc", 0.9, 0),
    ]


def test_an_unmodified_script_against_a_manager(server: RecordingServer, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=subprocess_env(
            SERVICE_URL=server.url + "/provenance/api/",
            LOG_DIR=str(tmp_path),
            PROVML_SPOOL_DIR=str(tmp_path / "s"),
        ),
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    run_id = out.stdout.strip()
    got = server.records()  # the script's exit flushed everything: the receiver accepted all of it
    assert {r["run"] for r in got} == {run_id}
    assert {len(e["batch"]["records"]) for e in server.entries()} <= {1, 2}  # bag_size=2
    entities = {r["name"]: r for r in got if r["type"] == "entity"}
    assert entities["path"] == {
        **entities["path"],
        "kind": "data_reference",
        "location": "/data/x.csv",
        "attributes": {"data_store_id": "fs1"},
    }
    assert entities["well"]["refers_to"] == "https://w3id.org/petro#Well_7"
    assert (entities["split"]["kind"], entities["split"]["record_count"]) == ("dataset", 2)
    assert entities["split"]["attributes"] == {"dataset_schema_id": "xy"}
    assert entities["model"]["location"] == "m.pt" and "generated_by" not in entities["model"]
    stages = {r["id"]: r for r in got if r["type"] == "stage.start"}
    ends = {r["id"]: r for r in got if r["type"] == "stage.end"}
    load = next(s for s in stages.values() if s["name"] == "load_data")
    assert sorted(load["used"]) == sorted(entities[n]["id"] for n in ("path", "well", "split"))
    assert ends[load["id"]]["attributes"] == {
        "rows": 10,
        "options.shuffle": True,
        "options.seed": 3,
        "cols[0]": "a",
        "cols[1]": "b",
    }
    sections = [r for r in got if r["type"] == "section.start"]
    assert [(s["name"], s["index"], s["stage"]) for s in sections] == [
        ("epochs", 0, run_id),
        ("epochs", 1, run_id),
    ]
    batches = [s for s in stages.values() if s["name"] == "train_batch"]
    assert [b["parent"] for b in batches] == [s["id"] for s in sections]
    assert [ends[b["id"]]["attributes"] for b in batches] == [
        {"loss": 0.5, "loss.custom_metadata.unit": "nats"},
        {"loss": 0.25, "loss.custom_metadata.unit": "nats"},
    ]
    export = next(s for s in stages.values() if s["name"] == "export")
    assert ends[export["id"]]["status"] == "failed"
    assert ends[export["id"]]["attributes"] == {"error": "disk full", "stderr": "Traceback ..."}
    assert list(tmp_path.glob("prov-*.log")) == []  # online: no offline log


def test_the_same_script_offline_then_replayed(server: RecordingServer, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=subprocess_env(LOG_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    (log,) = tmp_path.glob("prov-*.log")
    assert server.records() == []
    replay = subprocess.run(
        [sys.executable, "-m", "services.cli", "replay", str(log), "--manager", server.url],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert replay.returncode == 0, replay.stderr
    got = server.records()
    assert f"({len(got)} records)" in replay.stdout
    cycle = [
        "section.start",
        "hyperparameter",
        "stage.start",
        "metric",  # loss
        "stage.end",
        "metric",  # acc
        "section.end",
    ]
    assert [r["type"] for r in got] == [
        "run.start",
        "entity",
        "entity",
        "entity",
        "stage.start",
        "metric",  # rows
        "metric",  # options.seed
        "stage.end",
        *cycle,
        *cycle,
        "stage.start",
        "stage.end",
        "entity",
        "run.end",
    ]
    assert [r.get("name") for r in got if r["type"] == "entity"] == [
        "path",
        "well",
        "split",
        "model",
    ]


def test_capture_is_off_without_a_persister_and_offline_needs_a_file() -> None:
    wf = ProvWorkflow(None, "wf")
    assert wf.begin() is None and wf.end() is None
    task = ProvTask(None, "t")
    assert task.begin() is None and task.end({"x": 1}) is None
    with ProvCycle(None, "c", 0):
        pass
    with pytest.raises(pl.ConfigurationError, match="offline mode"):
        ProvLake.get_persister(should_send_to_file=False)


def test_tasks_without_a_workflow_go_to_a_global_run() -> None:
    transport = pl.MemoryTransport()
    prov = ProvLake.get_persister(transport=transport)
    with ProvTask(prov, "standalone", input_args={"k": "v"}, task_id="task-1"):
        pass
    prov.close()
    run, stage, stage_end, run_end = transport.records
    assert (run["name"], run["kind"]) == ("global_workflow", "workflow")
    assert (stage["id"], stage["run"], stage["attributes"]) == ("task-1", run["id"], {"k": "v"})
    assert stage_end["status"] == "finished" and run_end["type"] == "run.end"


def test_custom_metadata_of_tasks_and_cycles() -> None:
    transport = pl.MemoryTransport()
    prov = ProvLake.get_persister(transport=transport)
    wf = ProvWorkflow(prov, "wf", custom_metadata={"team": "geo", "tags": ah.get_list(["a"])})
    wf.begin()
    with ProvCycle(prov, "folds", "fold-a", wf, input_args={"k": 5}, custom_metadata={"note": "x"}):
        pass
    with ProvTask(prov, "t", wf, person_id="ana", custom_metadata={"gpu": True}) as t:
        t.end({"ok": True})
    wf.end()
    got = transport.records
    run = got[0]
    assert run["attributes"] == {"team": "geo", "tags[0]": "a"}
    section = next(r for r in got if r["type"] == "section.start")
    assert section["index"] == 0  # a non-integer iteration id: numbered in order, kept as attribute
    (hp,) = [r for r in got if r["type"] == "hyperparameter"]
    assert (hp["name"], hp["value"], hp["execution"]) == ("k", 5, section["id"])
    section_end = next(r for r in got if r["type"] == "section.end")
    assert section_end["attributes"] == {"custom_metadata.note": "x", "iteration_id": "fold-a"}
    stage = next(r for r in got if r["type"] == "stage.start")
    assert stage["attributes"] == {"person_id": "ana", "custom_metadata.gpu": True}


def test_non_finite_values_of_a_legacy_script_are_sent() -> None:
    transport = pl.MemoryTransport()
    prov = ProvLake.get_persister(transport=transport)
    wf = ProvWorkflow(prov, "wf")
    wf.begin()
    with ProvCycle(prov, "epochs", 0, wf, input_args={"lr": float("inf")}) as cycle:
        with ProvTask(prov, "train", wf, parent_cycle_name="epochs") as task:
            task.end({"loss": float("nan")})
        cycle.end({"accuracy": float("-inf")})
    wf.end()
    got = transport.records
    (hp,) = [r for r in got if r["type"] == "hyperparameter"]
    assert hp["value"] == math.inf
    stage_end = next(r for r in got if r["type"] == "stage.end")
    assert math.isnan(stage_end["attributes"]["loss"])
    section_end = next(r for r in got if r["type"] == "section.end")
    assert section_end["attributes"] == {"accuracy": -math.inf}
    assert prov.client.stats()["dropped_records"] == 0
