"""ProvLake 0.2.982 wire format → native records (the conversion alone; through the pipeline in
test_pipeline.py)."""

from __future__ import annotations

import pytest

from services.ingest import InvalidBatch
from services.ingest._legacy import convert_retrospective, cycle_section_id
from services.ingest._legacy_catalog import convert_data_store, convert_prospective
from services.ingest._legacy_records import DataStoreRecord, StageInputs, WorkflowPlanRecord
from services.ingest._records import (
    EntityRecord,
    RunEnd,
    RunStart,
    SectionEnd,
    SectionStart,
    StageEnd,
    StageStart,
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
    """All five requests in one: the cycle iteration a nested task belongs to is tracked within the
    request."""
    records = convert_retrospective([m for req in wire_requests() for m in req["body"]])
    assert [type(r) for r in records] == [
        RunStart,
        EntityRecord,
        StageInputs,
        StageStart,
        StageEnd,
        SectionStart,
        StageInputs,
        StageStart,
        StageEnd,
        SectionStart,
        SectionEnd,
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
    assert (load.id, load.name, load.kind, load.parent, load.time) == (
        "1795341827.2121618",
        "load_data",
        "transformation",
        None,
        1795341827.2183793,
    )
    section = records[5]
    assert (section.id, section.stage, section.name, section.index, section.attributes) == (
        f"{RUN}.epochs.0",
        RUN,
        "epochs",
        0,
        {"lr": 0.01},
    )
    nested = records[7]
    assert (nested.name, nested.parent) == ("train_batch", f"{RUN}.epochs.0")
    assert records[8].attributes == {"loss": 0.5} and records[8].status == "finished"
    assert records[10].attributes == {"acc": 0.9} and records[10].time == 1795341827.226524
    assert records[12].attributes == {"model": "m.pt"} and records[12].status == "finished"


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
    entity, end = convert_retrospective([message])
    assert isinstance(end, StageEnd) and end.status == "failed" and end.attributes == {"acc": 0.9}
    assert entity.generated_by == "1795341830.5" and entity.location == "/m.pt"


def test_same_reference_in_two_messages_is_one_entity() -> None:
    ref = {"path": {"values": "/data/x.csv", "prov_attr_type": "data_reference"}}
    a = convert_retrospective([task("load", "Generate", ref, generatedTime=1.0)])
    b = convert_retrospective([task("load", "Generate", ref, generatedTime=1.0)])
    assert a == b


def test_task_in_a_cycle_of_an_earlier_request_asks_the_store() -> None:
    calls = []

    def latest(run: str, workflow: str, cycle: str) -> int | None:
        calls.append((run, workflow, cycle))
        return 4

    message = task("step", "Input", None, startTime=2.0, parent_cycle_name="epochs")
    stage, again = convert_retrospective([message, message], latest)
    assert calls == [(RUN, "train_wf", "epochs")]  # asked once per request
    assert again.parent == stage.parent
    assert stage.parent == cycle_section_id(RUN, "epochs", 4) == f"{RUN}.epochs.4"
    with pytest.raises(InvalidBatch) as err:
        convert_retrospective([message], lambda *a: None)
    assert err.value.field == "body[0].prov_obj.task.parent_cycle_name"


def test_latest_iteration_within_the_request() -> None:
    def cycle(i: int) -> dict:
        return {
            "prov_obj": {
                "cycle": {"iteration_id": i, "wf_execution": WF, "startTime": 3.0 + i},
                "cycle_name": "ep",
                "type": "Input",
                "values": {},
            },
            "dataflow_name": "train_wf",
            "act_type": "cycle",
        }

    message = task("step", "Input", None, startTime=9.0, parent_cycle_name="ep")
    records = convert_retrospective(
        [cycle(0), cycle(1), message], lambda *a: pytest.fail("no lookup")
    )
    assert records[-1].parent == f"{RUN}.ep.1"
    assert [r.index for r in records if isinstance(r, SectionStart)] == [0, 1]


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
    start, end = convert_retrospective([message])
    assert isinstance(start, SectionStart) and isinstance(end, SectionEnd)
    assert start.id == end.id and start.id.startswith(f"{RUN}.cycle-") and start.name == "my cycle"
    assert (start.index, start.attributes, end.attributes, end.status) == (
        2,
        {},
        {"acc": 1},
        "finished",
    )


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
