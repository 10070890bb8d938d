"""The DfAnalyzer wire format (DLProv's ``dfa_lib_python``) → native capture records.

``dfa_lib_python`` posts two kinds of JSON messages, every value a string:

- ``POST /pde/dataflow/json`` — a dataflow: its transformations, each with its sets (``INPUT`` or
  ``OUTPUT``, an input naming the transformation it depends on) and their typed attributes → one
  ``dataflow`` record;
- ``POST /pde/task/json`` — a task's ``begin()`` (status ``RUNNING``; task 1 adds ``first="1"``
  and the hardware), ``save()`` (the pending sets again) or ``end()`` (``FINISHED`` and its
  ``performances``: start and end time) → one ``task`` record, the elements untyped (they are
  typed with the stored dataflow, ``_dataflows``). DfAnalyzer creates the execution with task 1;
  its start time is task 1's, known when task 1 ends: that message also gives a ``run.start``.

A task's times come only from its performances (local wall-clock times without a zone, read as
UTC); nothing else in the messages says when anything happened, and the manager adds no time of
its own, so replaying a message maps to the same triples.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from provlake.dataflow._ids import run_id, task_id

from ._exceptions import InvalidBatch
from ._records import (
    MAX_TIME,
    DataflowRecord,
    Environment,
    RunStart,
    TaskRecord,
    errors_to_invalid,
)

__all__ = ["DFANALYZER_KINDS", "convert_dfanalyzer"]

DFANALYZER_KINDS = ("dataflow", "task")
_STATUS = {"READY": "ready", "RUNNING": "running", "FINISHED": "finished"}
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
)
_Text = str | int | float


class _Obj(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Attribute(_Obj):
    name: str
    type: Literal["TEXT", "NUMERIC", "FILE", "RDFILE"]


class _Set(_Obj):
    tag: str
    type: Literal["INPUT", "OUTPUT"]
    attributes: list[_Attribute] = []
    dependency: str | None = None
    extractors: list[dict] = []  # raw-data extraction of DfAnalyzer: accepted, not used


class _Transformation(_Obj):
    tag: str
    sets: list[_Set] = []


class _Dataflow(_Obj):
    tag: str
    transformations: list[_Transformation] = []
    email: str | None = None


class _Tag(_Obj):
    tag: str


class _Id(_Obj):
    id: _Text


class _Dependency(_Obj):
    tags: list[_Tag]
    ids: list[_Id]


class _TaskSet(_Obj):
    tag: str
    elements: list[list[_Text]] = []


class _Performance(_Obj):
    startTime: str
    endTime: str
    method: str | None = None
    description: str | None = None
    invocation: str | None = None


class _Task(_Obj):
    id: _Text
    tag: str
    first: Literal["0", "1"]
    dataflow: str
    exec: str
    transformation: str
    status: Literal["READY", "RUNNING", "FINISHED"]
    email: str | None = None
    hardware: str | None = None
    dependency: _Dependency | None = None
    sets: list[_TaskSet] = []
    performances: list[_Performance] = []
    sub: _Text | None = None
    workspace: str | None = None
    resource: str | None = None
    output: str | None = None
    error: str | None = None


def _parse(body: bytes | str | dict, model: type[_Obj]) -> Any:
    try:
        if isinstance(body, dict):
            return model.model_validate(body)
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise errors_to_invalid(exc, prefix="body", tags=frozenset()) from exc


def _time(text: str, field: str) -> float:
    for fmt in _TIME_FORMATS:
        try:
            seconds = datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
        if 0 <= seconds <= MAX_TIME:
            return seconds
    raise InvalidBatch(field, f"expected a time written YYYY-MM-DD HH:MM:SS, got {text!r}")


def _dataflow(body: bytes | str | dict) -> list[Any]:
    d = _parse(body, _Dataflow)
    record = {
        "type": "dataflow",
        "id": d.tag,
        "user": d.email or None,
        "transformations": [
            {
                "tag": t.tag,
                "sets": [
                    {
                        "tag": s.tag,
                        "type": s.type,
                        "dependency": s.dependency.lower() if s.dependency else None,
                        "attributes": [a.model_dump() for a in s.attributes],
                    }
                    for s in t.sets
                ],
            }
            for t in d.transformations
        ],
    }
    return [_native(DataflowRecord, record, "body")]


def _environment(hardware: str) -> tuple[Environment, dict[str, Any]]:
    """DLProv's hardware description → an execution environment and the rest as attributes."""
    try:
        info = json.loads(hardware)
    except ValueError as exc:
        raise InvalidBatch("body.hardware", f"malformed JSON: {exc}") from exc
    if not isinstance(info, dict):
        raise InvalidBatch("body.hardware", "expected a JSON object")
    text = {k: str(v) for k, v in info.items() if v is not None}
    gpus = text.get("gpus", "")
    environment = Environment(
        hostname=text.get("hostname"),
        os=text.get("platform") or " ".join(filter(None, [text.get("os"), text.get("os_version")])),
        processor=text.get("processor"),
        accelerators=[g.strip() for g in gpus.split(",") if g.strip()]
        if gpus and gpus != "Not available"
        else [],
    )
    used = {"hostname", "platform", "processor", "gpus"}
    attributes = {
        f"hardware.{k}": v if isinstance(v, bool | int | float | str) else json.dumps(v)
        for k, v in info.items()
        if k not in used and v is not None
    }
    return environment, attributes


def _task(body: bytes | str | dict) -> list[Any]:
    t = _parse(body, _Task)
    if t.tag != t.transformation:
        raise InvalidBatch("body.tag", f"must be the transformation tag {t.transformation!r}")
    run = run_id(t.exec)
    task = str(t.id)
    sub = str(t.sub) if t.sub not in (None, "") else None
    dependencies = []
    if t.dependency is not None:
        if len(t.dependency.tags) != len(t.dependency.ids):
            raise InvalidBatch("body.dependency.ids", "one id for each tag of dependency.tags")
        for tag, id_ in zip(t.dependency.tags, t.dependency.ids, strict=True):
            dependencies.append({"transformation": tag.tag, "id": task_id(run, str(id_.id))})
    start = end = None
    if t.performances:
        start = _time(t.performances[0].startTime, "body.performances[0].startTime")
        last = len(t.performances) - 1
        end = _time(t.performances[-1].endTime, f"body.performances[{last}].endTime")
    attributes = {
        name: value
        for name in ("workspace", "resource", "output", "error")
        if (value := getattr(t, name))
    }
    record = {
        "type": "task",
        "id": task_id(run, task, sub),
        "run": run,
        "execution": t.exec,
        "dataflow": t.dataflow,
        "transformation": t.transformation,
        "task": f"{task}/{sub}" if sub else task,
        "status": _STATUS[t.status],
        "start": start,
        "end": end,
        "user": t.email or None,
        "dependencies": dependencies,
        "sets": [{"tag": s.tag, "elements": s.elements} for s in t.sets],
        "attributes": attributes,
    }
    records = [_native(TaskRecord, record, "body")]
    if task == "1" and sub is None and start is not None:  # the execution's first task has ended
        environment, extra = _environment(t.hardware) if t.hardware else (None, {})
        run_start = {
            "type": "run.start",
            "id": run,
            "run": run,
            "time": start,
            "name": t.dataflow,
            "user": t.email or None,
            "environment": environment,
            "attributes": extra,
        }
        records.insert(0, _native(RunStart, run_start, "body"))
    return records


def _native(model: type[BaseModel], fields: dict[str, Any], field: str) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as exc:  # a converted value out of the native format's bounds
        raise errors_to_invalid(exc, prefix=field, tags=frozenset()) from exc


def convert_dfanalyzer(body: bytes | str | dict, kind: str) -> list[Any]:
    """Convert one DfAnalyzer message (``kind`` ``dataflow`` or ``task``) into native records."""
    if kind == "dataflow":
        return _dataflow(body)
    if kind == "task":
        return _task(body)
    raise InvalidBatch("kind", f"must be one of {list(DFANALYZER_KINDS)}, not {kind!r}")
