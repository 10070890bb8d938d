"""Pydantic models of the ``pipeline.*`` capture records (provlake.data; docs/capture-format.md).

A data pipeline declares each operation once (``pipeline.operation``: its kind, label, step, the
streams it uses and the one it generates) and, while items flow, reports new nodes only: a schema
of a stream when it is first seen or changes (``pipeline.schema``), a sample of an item
(``pipeline.sample``), the counters and sampled timing of an operation (``pipeline.update``).

Its field types are its own (strict, as ``_records``'s), so ``_records`` imports it without a
circle.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, StringConstraints

__all__ = [
    "PIPELINE_RECORD_TYPES",
    "PipelineOperationRecord",
    "PipelineSampleRecord",
    "PipelineSchemaRecord",
    "PipelineUpdateRecord",
]

PIPELINE_RECORD_TYPES = frozenset(
    {"pipeline.operation", "pipeline.update", "pipeline.schema", "pipeline.sample"}
)

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._~-]{1,128}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Time = Annotated[float, Field(strict=True, ge=0, le=253402300799, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True, ge=0)]
Micros = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
Scalar = StrictBool | int | float | StrictStr


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Record(_Model):
    id: Id
    run: Id
    time: Time


class PipelineOperationRecord(_Record):
    """One operation of a pipeline and the stream it generates (``stream``)."""

    type: Literal["pipeline.operation"]
    operation: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,64}$")]
    label: Name
    step: Annotated[int, Field(strict=True, ge=1)]
    inputs: list[Id] = []
    stream: Id
    used: list[Id] = []
    parameters: dict[Name, Scalar] = {}


class Timing(_Model):
    sampled: Annotated[int, Field(strict=True, ge=1)]
    rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    mean_us: Micros
    p50_us: Micros
    p99_us: Micros


class PipelineUpdateRecord(_Record):
    """The counters of an operation at ``time``: a new report, never a change of an old one."""

    type: Literal["pipeline.update"]
    operation: Id
    items: Count
    iterations: Count
    failures: Count = 0
    schema_changes: Count = 0
    exhausted: bool = False
    timing: Timing | None = None
    error: Text | None = None
    error_item: Text | None = None
    position: Count | None = None


class PipelineSchemaRecord(_Record):
    type: Literal["pipeline.schema"]
    stream: Id
    schema_: Text = Field(alias="schema")
    position: Count
    previous: Id | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PipelineSampleRecord(_Record):
    type: Literal["pipeline.sample"]
    stream: Id
    position: Count
    kind: Literal["first", "reservoir"]
    value: Text
    schema_: Text | None = Field(default=None, alias="schema")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
