"""The ProvLake 0.2.982 wire format → native capture records, so that both go through one mapper.

ProvLake sends three kinds of requests: retrospective provenance (a JSON list of workflow, task and
cycle messages, converted here), prospective provenance (a workflow description) and the data-store
catalogue (both in ``_legacy_catalog``). The conversion is a pure function of the request: it reads
nothing from the store, so replaying a request (or a whole offline log, in any order) maps it to the
same records.

- workflow → ``run.start`` / ``run.end`` of kind ``workflow`` (experiment name = ``dataflow_name``,
  id = the execution id as a string: ``repr`` of a float id);
- task → a ``stage.start`` of kind ``transformation`` named ``dt`` (its ``Input`` message, sent when
  the task begins, with its start time; the ``Output`` message repeats it), the input values its
  ``Generate`` message declares (sent when the task is created), and a ``stage.end`` (its
  ``Output`` message, with the output values);
  a task in a cycle is part of the iteration it names, or — ProvLake's usual case, the library
  sends no iteration — of the iteration of that cycle whose interval holds its start time, linked
  by ``_cycles`` once both are known (``provml:withinSection`` names the cycle until then);
- cycle iteration → ``section.start`` / ``section.end`` directly in the run (index =
  ``iteration_id``); its scalar inputs are hyperparameter values the iteration used (epoch = the
  index);
- numeric outputs of tasks and cycle iterations are model evaluations too (measure = the output's
  name, epoch = the iteration), besides the attribute values they always were;
- typed values of ``provlake.utils.args_handler`` → ``entity`` records (``_legacy_values``).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ._exceptions import InvalidBatch
from ._legacy_records import CycleStart, StageInputs, TaskStart
from ._legacy_values import Values, child_id, digest
from ._records import (
    MAX_TIME,
    HyperparameterRecord,
    MetricRecord,
    RunEnd,
    RunStart,
    SectionEnd,
    StageEnd,
    UsedRecord,
    errors_to_invalid,
)

__all__ = ["convert_retrospective", "cycle_section_id", "parse_wire"]

_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")
_STATUS = {"FINISHED": "finished", "ERRORED": "failed"}
_Time = Annotated[float, Field(strict=True, ge=0, le=MAX_TIME, allow_inf_nan=False)]
_WireId = Annotated[str | int | float, Field(union_mode="left_to_right")]


class _Obj(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Times(_Obj):
    wf_execution: _WireId | None = None
    startTime: _Time | None = None
    endTime: _Time | None = None
    generatedTime: _Time | None = None
    status: str | None = None
    stdout: str | None = None
    stderr: str | None = None


class _Task(_Times):
    id: _WireId | None = None
    parent_cycle_name: str | None = None
    parent_cycle_iteration: Any = None
    attribute_associations: dict | None = None


class _Cycle(_Times):
    iteration_id: Any = None


class _TaskObj(_Obj):
    task: _Task
    dt: str
    type: Literal["Generate", "Input", "Output"]
    values: dict | None = None
    person: str | None = None


class _CycleObj(_Obj):
    cycle: _Cycle
    cycle_name: str
    type: Literal["Input", "Output"]
    values: dict | None = None


class _WorkflowObj(_Times):
    values: dict | None = None


class _Message(_Obj):
    dataflow_name: str | None = None
    custom_metadata: dict | None = None
    context: str | None = None


class _WorkflowMessage(_Message):
    act_type: Literal["workflow"]
    prov_obj: _WorkflowObj


class _TaskMessage(_Message):
    act_type: Literal["task"]
    prov_obj: _TaskObj


class _CycleMessage(_Message):
    act_type: Literal["cycle"]
    prov_obj: _CycleObj


_Messages = TypeAdapter(
    list[
        Annotated[_WorkflowMessage | _TaskMessage | _CycleMessage, Field(discriminator="act_type")]
    ]
)


def parse_wire(body: bytes | str | list | dict, adapter: TypeAdapter | type[BaseModel]) -> Any:
    """Validate with ``adapter``; a model class validates one object or a list of them."""
    if isinstance(adapter, type):
        if isinstance(body, bytes | str):
            try:
                body = json.loads(body)
            except ValueError as exc:
                raise InvalidBatch("body", f"malformed JSON: {exc}") from exc
        adapter = TypeAdapter(list[adapter] if isinstance(body, list) else adapter)
    try:
        if isinstance(body, bytes | str):
            return adapter.validate_json(body)
        return adapter.validate_python(body)
    except ValidationError as exc:
        raise errors_to_invalid(
            exc, prefix="body", tags={"workflow", "task", "cycle"}, discriminator="act_type"
        ) from exc


def _wire_id(value: Any, field: str) -> str:
    if value is None:
        raise InvalidBatch(field, "required")
    text = repr(value) if isinstance(value, float) else str(value)
    if not _ID.match(text):
        raise InvalidBatch(field, "must be 1-128 characters of [A-Za-z0-9._~-]")
    return text


def cycle_section_id(run: str, cycle: str, index: int) -> str:
    """The id of the section execution of one cycle iteration (deterministic)."""
    name = cycle if _ID.match(cycle) else "cycle-" + digest(cycle)
    section = f"{run}.{name}.{index}"
    return section if len(section) <= 128 else f"{run}.cycle-{digest(cycle)}.{index}"[-128:]


def _index(value: Any) -> int | None:
    """An iteration index as ProvLake sends it: an integer >= 0, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _numeric(attributes: dict[str, Any]) -> dict[str, int | float]:
    """The numeric outputs (booleans excepted): what becomes a model evaluation."""
    numbers = (int, float)
    return {k: v for k, v in attributes.items() if isinstance(v, numbers) and type(v) is not bool}


class _Converter:
    def __init__(self) -> None:
        self.records: list[Any] = []
        self.values = Values(self.records)

    def _metrics(
        self, outputs: dict[str, Any], run: str, time: float, owner: str, epoch: int | None
    ) -> None:
        for name, value in _numeric(outputs).items():
            self.records.append(
                MetricRecord(
                    type="metric",
                    id=child_id(owner, "metric", name),
                    run=run,
                    time=time,
                    execution=owner,
                    name=name,
                    value=value,
                    epoch=epoch,
                )
            )

    # -- messages -------------------------------------------------------------------------

    def workflow(self, m: _WorkflowMessage, field: str) -> None:
        o = m.prov_obj
        run = _wire_id(o.wf_execution, f"{field}.prov_obj.wf_execution")
        if not m.dataflow_name:
            raise InvalidBatch(f"{field}.dataflow_name", "required for a workflow message")
        start = o.startTime if o.startTime is not None else o.generatedTime
        if start is None and o.endTime is None:
            raise InvalidBatch(f"{field}.prov_obj.startTime", "a start or end time is required")
        direction = "out" if o.endTime is not None else "in"
        time = o.endTime if o.endTime is not None else start
        attributes, entities = self.values.convert(
            o.values, f"{field}.prov_obj.values", run, time, run, direction
        )
        if start is not None:
            metadata = dict(m.custom_metadata or {})
            user = metadata.pop("user", None)
            start_attributes, used = self.values.convert(
                metadata, f"{field}.custom_metadata", run, start, run, "in"
            )
            if direction == "in":
                start_attributes.update(attributes)
                used += entities
            self.records.append(
                RunStart(
                    type="run.start",
                    id=run,
                    run=run,
                    time=start,
                    name=m.dataflow_name,
                    kind="workflow",
                    user=user if isinstance(user, str) and user else None,
                    attributes=start_attributes,
                )
            )
            for entity in used:
                self.records.append(
                    UsedRecord(
                        type="used", id=entity, run=run, time=start, execution=run, entity=entity
                    )
                )
        if o.endTime is not None:
            self.records.append(
                RunEnd(
                    type="run.end",
                    id=run,
                    run=run,
                    time=o.endTime,
                    status=_STATUS.get(o.status or ""),
                    attributes=attributes,
                )
            )

    def task(self, m: _TaskMessage, field: str) -> None:
        o, t = m.prov_obj, m.prov_obj.task
        run = _wire_id(t.wf_execution, f"{field}.prov_obj.task.wf_execution")
        task = _wire_id(t.id, f"{field}.prov_obj.task.id")
        values_field = f"{field}.prov_obj.values"
        # The cycle it ran in: the iteration it names, else found from times (see _cycles).
        cycle = t.parent_cycle_name or None
        index = _index(t.parent_cycle_iteration) if cycle else None
        parent = cycle_section_id(run, cycle, index) if cycle and index is not None else None
        pending = cycle if cycle and index is None else None
        if o.type == "Generate":
            values = dict(o.values or {})
            if o.person:
                values["person"] = o.person
            for key, item in (m.custom_metadata or {}).items():
                values.setdefault(f"custom_metadata.{key}", item)
            time = next((x for x in (t.generatedTime, t.startTime) if x is not None), 0.0)
            attributes, used = self.values.convert(values, values_field, run, time, task, "in")
            if attributes or used:
                self.records.append(StageInputs(id=task, run=run, used=used, attributes=attributes))
            return
        if o.type == "Input" and t.startTime is None:
            raise InvalidBatch(f"{field}.prov_obj.task.startTime", "required for an Input message")
        if t.startTime is not None:  # the Output message repeats it: either one starts the task
            self.records.append(
                TaskStart(
                    type="stage.start",
                    id=task,
                    run=run,
                    time=t.startTime,
                    name=o.dt,
                    kind="transformation",
                    parent=parent,
                    experiment=m.dataflow_name or None,
                    cycle=pending,
                )
            )
        if o.type == "Output":
            if t.endTime is None:
                raise InvalidBatch(
                    f"{field}.prov_obj.task.endTime", "required for an Output message"
                )
            attributes, _ = self.values.convert(o.values, values_field, run, t.endTime, task, "out")
            self.records.append(
                StageEnd(
                    type="stage.end",
                    id=task,
                    run=run,
                    time=t.endTime,
                    status=_STATUS.get(t.status or ""),
                    attributes=attributes,
                )
            )
            self._metrics(attributes, run, t.endTime, task, index)

    def cycle(self, m: _CycleMessage, field: str) -> None:
        o, c = m.prov_obj, m.prov_obj.cycle
        run = _wire_id(c.wf_execution, f"{field}.prov_obj.cycle.wf_execution")
        index = _index(c.iteration_id)
        if index is None:
            raise InvalidBatch(f"{field}.prov_obj.cycle.iteration_id", "must be an integer >= 0")
        section = cycle_section_id(run, o.cycle_name, index)
        values_field = f"{field}.prov_obj.values"
        if c.startTime is not None:
            values = o.values if o.type == "Input" else None
            start = c.startTime
            inputs, used = self.values.convert(values, values_field, run, start, section, "in")
            self.records.append(
                CycleStart(
                    type="section.start",
                    id=section,
                    run=run,
                    time=c.startTime,
                    stage=run,
                    name=o.cycle_name,
                    index=index,
                    experiment=m.dataflow_name or None,
                )
            )
            for name, value in inputs.items():  # the settings of this iteration
                self.records.append(
                    HyperparameterRecord(
                        type="hyperparameter",
                        id=child_id(section, "hp", name),
                        run=run,
                        time=c.startTime,
                        execution=section,
                        name=name,
                        value=value,
                        epoch=index,
                    )
                )
            for entity in used:
                self.records.append(
                    UsedRecord(
                        type="used",
                        id=entity,
                        run=run,
                        time=c.startTime,
                        execution=section,
                        entity=entity,
                    )
                )
        elif o.type == "Input":
            raise InvalidBatch(f"{field}.prov_obj.cycle.startTime", "required for an Input message")
        if o.type == "Output":
            if c.endTime is None:
                raise InvalidBatch(
                    f"{field}.prov_obj.cycle.endTime", "required for an Output message"
                )
            outputs, _ = self.values.convert(o.values, values_field, run, c.endTime, section, "out")
            self.records.append(
                SectionEnd(
                    type="section.end",
                    id=section,
                    run=run,
                    time=c.endTime,
                    status=_STATUS.get(c.status or ""),
                    attributes=outputs,
                )
            )
            self._metrics(outputs, run, c.endTime, section, index)


def convert_retrospective(body: bytes | str | list) -> list[Any]:
    """Convert a retrospective-provenance request (a JSON list of messages) into native records."""
    messages = parse_wire(body, _Messages)
    if not messages:
        raise InvalidBatch("body", "the request holds no message")
    converter = _Converter()
    try:
        for i, message in enumerate(messages):
            getattr(converter, message.act_type)(message, f"body[{i}]")
    except ValidationError as exc:  # a converted record out of the native format's bounds
        raise errors_to_invalid(exc, prefix=f"body[{i}]") from exc
    return converter.records
