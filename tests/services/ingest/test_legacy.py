"""ProvLake 0.2.982 wire format → native records (the conversion alone; through the pipeline in
test_pipeline.py)."""

from __future__ import annotations

import pytest

from services.ingest import InvalidBatch
from services.ingest._cycles import cycle_links
from services.ingest._iris import Iris
from services.ingest._legacy import convert_retrospective, cycle_section_id
from services.ingest._legacy_catalog import convert_data_store, convert_prospective
from services.ingest._legacy_records import (
    CycleStart,
    DataStoreRecord,
    StageInputs,
    TaskStart,
    WorkflowPlanRecord,
)
from services.ingest._records import (
    EntityRecord,
    HyperparameterRecord,
    MetricRecord,
    RunEnd,
    RunStart,
    SectionEnd,
    SectionStart,
    StageEnd,
    UsedRecord,
)
from tests.services.ingest.samples import wire_requests

WF = 1795341827.2121422
RUN = "1795341827.2121422"


def task(dt: str, type_: str, values=None, **task_fields) -> dict:
    prov_obj = {
        "task": {"id": 1795341830.5, "wf_execution": WF, **task_fields},
        "dt": dt,
        "type": type_,
    }
    if values is not None:
        prov_obj["values"] = values
    return {"prov_obj": prov_obj, "dataflow_name": "train_wf", "act_type": "task", "context": "c"}


def test_wire_samples_convert() -> None:
    """All five requests in one; the conversion reads nothing but the request."""
    records = convert_retrospective([m for req in wire_requests() for m in req["body"]])
    assert [type(r) for r in records] == [
        RunStart,
        EntityRecord,
        StageInputs,
        TaskStart,
        TaskStart,  # the Output message repeats the start
        StageEnd,
        MetricRecord,
        CycleStart,
        HyperparameterRecord,
        StageInputs,
        TaskStart,
        TaskStart,
        StageEnd,
        MetricRecord,
        CycleStart,
        SectionEnd,
        MetricRecord,
        RunStart,
        RunEnd,
    ]
    run_start, reference, load_inputs, load = records[:4]
    assert (run_start.id, run_start.name, run_start.kind, run_start.user) == (
        RUN,
        "train_wf",
        "workflow",
        "alice",
    )
    assert (reference.kind, reference.location, reference.name) == (
        "data_reference",
        "/data/x.csv",
        "path",
    )
    assert (load_inputs.id, load_inputs.attributes, load_inputs.used) == (
        "1795341827.2121618",
        {"n": 10},
        (reference.id,),
    )
    assert (load.id, load.name, load.kind, load.parent, load.cycle, load.experiment) == (
        "1795341827.2121618",
        "load_data",
        "transformation",
        None,
        None,
        "train_wf",
    )
    assert load.time == 1795341827.2183793 and records[4] == load
    rows = records[6]  # a numeric output is a model evaluation too (no cycle: no epoch)
    assert (rows.id, rows.execution, rows.name, rows.value, rows.epoch) == (
        "1795341827.2121618.metric.rows",
        load.id,
        "rows",
        10,
        None,
    )
    section, lr = records[7:9]
    assert (section.id, section.stage, section.name, section.index, section.attributes) == (
        f"{RUN}.epochs.0",
        RUN,
        "epochs",
        0,
        {},
    )
    assert (lr.id, lr.execution, lr.name, lr.value, lr.epoch) == (
        f"{RUN}.epochs.0.hp.lr",
        section.id,
        "lr",
        0.01,
        0,
    )
    nested, _, nested_end, loss = records[10:14]
    # ProvLake names the cycle, not the iteration: found from times later (_cycles).
    assert (nested.name, nested.parent, nested.cycle) == ("train_batch", None, "epochs")
    assert nested_end.attributes == {"loss": 0.5} and nested_end.status == "finished"
    assert (loss.execution, loss.value, loss.epoch) == (nested.id, 0.5, None)
    assert records[15].attributes == {"acc": 0.9} and records[15].time == 1795341827.226524
    acc = records[16]
    assert (acc.execution, acc.name, acc.value, acc.epoch) == (section.id, "acc", 0.9, 0)
    assert records[18].attributes == {"model": "m.pt"} and records[18].status == "finished"


def test_typed_values_become_entities_and_attributes() -> None:
    values = {
        "raw": {
            "values": "s3://bucket/raw.csv",
            "prov_attr_type": "data_reference",
            "data_store_id": "ds_1",
        },
        "sample": {"values": "http://example.org/sample/7", "prov_attr_type": "kg_reference"},
        "rows": {"prov_attr_type": "dataset", "values": [{"a": 1}, {"a": 2}, {"a": 3}]},
        "item": {
            "prov_attr_type": "dataset_item",
            "order": 0,
            "values": {
                "prov_attr_type": "dict",
                "values": {
                    "x": 1.5,
                    "y": "b",
                    "city": {
                        "values": "http://example.org/city/9",
                        "prov_attr_type": "kg_reference",
                    },
                },
            },
        },
        "cfg": {"prov_attr_type": "dict", "values": {"depth": 3, "inner": {"k": True}}},
        "plain": {"a": 1, "b": None},
        "tags": ["x", "y"],
        "refs": {
            "prov_attr_type": "list",
            "values": [{"values": "/f1", "prov_attr_type": "data_reference"}],
        },
        "annotated": {
            "prov_attr_type": "attribute_value",
            "values": 5,
            "custom_metadata": {"unit": "s"},
        },
    }
    records = convert_retrospective([task("prep", "Generate", values, generatedTime=1795341830.5)])
    entities = {r.name: r for r in records if isinstance(r, EntityRecord)}
    stage = next(r for r in records if isinstance(r, StageInputs))
    assert (
        entities["raw"].kind == "data_reference"
        and entities["raw"].location == "s3://bucket/raw.csv"
    )
    assert entities["sample"].kind == "kg_reference"
    assert entities["sample"].refers_to == "http://example.org/sample/7"
    assert entities["rows"].kind == "dataset" and entities["rows"].record_count == 3
    assert entities["item"].kind == "data" and entities["item"].attributes == {"x": 1.5, "y": "b"}
    city = entities.pop("item.city")  # the reference inside the item: the item derives from it
    assert city.refers_to == "http://example.org/city/9" and entities["item"].derived_from == [
        city.id
    ]
    assert entities["refs.0"].location == "/f1"
    assert sorted(stage.used) == sorted(e.id for e in entities.values())
    assert stage.attributes == {
        "cfg.depth": 3,
        "cfg.inner.k": True,
        "plain.a": 1,
        "tags": '["x", "y"]',
        "annotated": 5,
        "annotated.custom_metadata.unit": "s",
    }
    assert all(e.run == RUN and e.id.startswith(f"{RUN}.") for e in entities.values())


def test_output_entities_are_generated_by_the_task() -> None:
    out = {"model": {"values": "/m.pt", "prov_attr_type": "data_reference"}, "acc": 0.9}
    message = task(
        "fit", "Output", out, startTime=1795341830.6, endTime=1795341831.0, status="ERRORED"
    )
    start, entity, end, acc = convert_retrospective([message])
    assert isinstance(start, TaskStart) and start.time == 1795341830.6
    assert isinstance(end, StageEnd) and end.status == "failed" and end.attributes == {"acc": 0.9}
    assert entity.generated_by == "1795341830.5" and entity.location == "/m.pt"
    assert isinstance(acc, MetricRecord) and (acc.name, acc.value) == ("acc", 0.9)


def test_same_reference_in_two_messages_is_one_entity() -> None:
    ref = {"path": {"values": "/data/x.csv", "prov_attr_type": "data_reference"}}
    a = convert_retrospective([task("load", "Generate", ref, generatedTime=1.0)])
    b = convert_retrospective([task("load", "Generate", ref, generatedTime=1.0)])
    assert a == b


def cycle(i: int, start: float, end: float | None = None, values=None) -> dict:
    times = {"startTime": start} | ({"endTime": end, "status": "FINISHED"} if end else {})
    return {
        "prov_obj": {
            "cycle": {"iteration_id": i, "wf_execution": WF, **times},
            "cycle_name": "ep",
            "type": "Output" if end else "Input",
            "values": values or {},
        },
        "dataflow_name": "train_wf",
        "act_type": "cycle",
    }


def test_a_task_in_a_cycle_keeps_the_cycle_until_its_iteration_is_known() -> None:
    """The conversion asks nothing of the store: a task that names its cycle and no iteration
    names the cycle; one that names its iteration is part of it."""
    pending = task("step", "Input", None, startTime=2.0, parent_cycle_name="epochs")
    (start,) = convert_retrospective([pending])
    assert isinstance(start, TaskStart)
    assert (start.parent, start.cycle, start.experiment) == (None, "epochs", "train_wf")
    named = task(
        "step", "Input", None, startTime=2.0, parent_cycle_name="epochs", parent_cycle_iteration=4
    )
    (start,) = convert_retrospective([named])
    assert start.parent == cycle_section_id(RUN, "epochs", 4) == f"{RUN}.epochs.4"
    assert start.cycle is None
    output = named | {"prov_obj": named["prov_obj"] | {"type": "Output", "values": {"loss": 1}}}
    output["prov_obj"]["task"] = named["prov_obj"]["task"] | {"endTime": 3.0}
    again, end, loss = convert_retrospective([output])
    assert again == start and isinstance(end, StageEnd) and loss.epoch == 4


def test_the_iteration_of_a_task_is_the_one_whose_interval_holds_its_start() -> None:
    """Not the latest iteration: the one whose start and end times hold the task's start."""
    inside = [
        task("step", "Input", None, startTime=3.5, parent_cycle_name="ep", generatedTime=3.4),
        task("late", "Input", None, startTime=5.5, parent_cycle_name="ep", generatedTime=5.4),
        task("open", "Input", None, startTime=9.0, parent_cycle_name="ep", generatedTime=8.0),
    ]
    for i, message in enumerate(inside):  # distinct task ids
        message["prov_obj"]["task"]["id"] = 10.5 + i
    iterations = [cycle(0, 3.0, 4.0), cycle(1, 5.0, 6.0), cycle(2, 8.5)]  # the last one is open
    records = convert_retrospective([*inside, *iterations])
    links = {
        (q.subject.value.rsplit("/", 1)[-1], q.object.value.rsplit("/", 1)[-1])
        for q in cycle_links(records, Iris(), None)
    }
    assert links == {("10.5", f"{RUN}.ep.0"), ("11.5", f"{RUN}.ep.1")}  # 12.5 waits for the end
    shuffled = convert_retrospective([iterations[1], inside[0], iterations[0], inside[1]])
    assert {
        (q.subject.value.rsplit("/", 1)[-1], q.object.value.rsplit("/", 1)[-1])
        for q in cycle_links(shuffled, Iris(), None)
    } == links


def test_workflow_inputs_are_used() -> None:
    message = {
        "prov_obj": {
            "wf_execution": "exp-7",
            "startTime": 5.0,
            "values": {"data": {"values": "/in.csv", "prov_attr_type": "data_reference"}, "k": 1},
        },
        "dataflow_name": "wf",
        "act_type": "workflow",
        "custom_metadata": {"user": "bob", "team": "ml"},
    }
    entity, start, used = convert_retrospective([message])
    assert isinstance(start, RunStart) and start.run == "exp-7" and start.user == "bob"
    assert start.attributes == {"k": 1, "team": "ml"}
    assert isinstance(used, UsedRecord) and (used.execution, used.entity) == ("exp-7", entity.id)


def test_cycle_output_repeats_its_start() -> None:
    message = {
        "prov_obj": {
            "cycle": {
                "iteration_id": 2,
                "wf_execution": WF,
                "startTime": 3.0,
                "endTime": 4.0,
                "status": "FINISHED",
            },
            "cycle_name": "my cycle",
            "type": "Output",
            "values": {"acc": 1},
        },
        "dataflow_name": "train_wf",
        "act_type": "cycle",
    }
    start, end, acc = convert_retrospective([message])
    assert isinstance(start, SectionStart) and isinstance(end, SectionEnd)
    assert start.id == end.id and start.id.startswith(f"{RUN}.cycle-") and start.name == "my cycle"
    assert (start.index, start.attributes, end.attributes, end.status) == (
        2,
        {},
        {"acc": 1},
        "finished",
    )
    assert (acc.execution, acc.name, acc.value, acc.epoch) == (start.id, "acc", 1, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"[{", "body"),
        ([{"act_type": "job", "prov_obj": {}}], "body[0].act_type"),
        ([task("x", "Generate", None, generatedTime=1.0) | {"extra": 1}], "body[0].extra"),
        ([task("x", "Begin", None, generatedTime=1.0)], "body[0].prov_obj.type"),
        ([task("x", "Generate", None, generatedTime="now")], "body[0].prov_obj.task.generatedTime"),
        ([task("x", "Input", None, generatedTime=1.0)], "body[0].prov_obj.task.startTime"),
        ([task("x", "Output", None, generatedTime=1.0)], "body[0].prov_obj.task.endTime"),
        (
            [task("x", "Generate", None, generatedTime=1.0, wf_execution="a b")],
            "body[0].prov_obj.task.wf_execution",
        ),
        (
            [
                task(
                    "x",
                    "Generate",
                    {"r": {"values": "not an iri", "prov_attr_type": "kg_reference"}},
                    generatedTime=1.0,
                )
            ],
            "body[0].prov_obj.values.r.refers_to",
        ),
        (
            [
                task(
                    "x",
                    "Generate",
                    {"r": {"values": 1, "prov_attr_type": "blob"}},
                    generatedTime=1.0,
                )
            ],
            "body[0].prov_obj.values.r.prov_attr_type",
        ),
        (
            [
                {
                    "prov_obj": {
                        "cycle": {"iteration_id": "a", "wf_execution": WF, "startTime": 1.0},
                        "cycle_name": "c",
                        "type": "Input",
                    },
                    "dataflow_name": "w",
                    "act_type": "cycle",
                }
            ],
            "body[0].prov_obj.cycle.iteration_id",
        ),
        (
            [{"prov_obj": {"wf_execution": WF, "startTime": 1.0}, "act_type": "workflow"}],
            "body[0].dataflow_name",
        ),
        ([], "body"),
    ],
)
def test_bad_wire_messages_name_the_field(body, field: str) -> None:
    with pytest.raises(InvalidBatch) as err:
        convert_retrospective(body)
    assert err.value.field == field


def test_prospective_and_data_store_messages() -> None:
    (plan,) = convert_prospective(
        {
            "dataflow_name": "train_wf",
            "data_transformations": [
                {
                    "data_transformation_name": "load_data",
                    "input": ["path"],
                    "output": [{"name": "rows"}],
                },
                {"name": "train_batch"},
            ],
        }
    )
    assert plan == WorkflowPlanRecord(
        name="train_wf", transformations=("load_data", "train_batch"), attributes=("path", "rows")
    )
    with pytest.raises(InvalidBatch) as err:
        convert_prospective({"data_transformations": []})
    assert err.value.field == "body.dataflow_name"
    (store,) = convert_data_store(
        {
            "id": "ds_1",
            "name": "lake",
            "type": "AWSS3",
            "url": "https://s3.example.org/",
            "bucket": "raw",
        }
    )
    assert store == DataStoreRecord(
        name="lake", identifier="ds_1", store_type="AWSS3", location="https://s3.example.org/raw"
    )
    with pytest.raises(InvalidBatch) as err:
        convert_data_store({"id": "ds_1", "type": "AWSS3"})
    assert err.value.field == "body.name"
