"""Pydantic models of the native capture batch (``provml/capture/1``, docs/capture-format.md).

Every record type is a model with ``extra="forbid"``; the batch's ``records`` is a union
discriminated on ``type``. ``parse_batch`` turns validation errors into ``InvalidBatch`` naming the
field path (``records[3].value``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import pyoxigraph as ox
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._braid_records import (
    BRAID_RECORD_TYPES,
    BraidActionRecord,
    BraidActionRunRecord,
    BraidActionSetRecord,
    BraidDerivationRecord,
    BraidInvalidationRecord,
    BraidRecordRecord,
    BraidTagRecord,
    BraidUpdateRecord,
    BraidUriRecord,
)
from ._exceptions import BatchTooLarge, InvalidBatch
from ._pipeline_records import (
    PIPELINE_RECORD_TYPES,
    PipelineOperationRecord,
    PipelineSampleRecord,
    PipelineSchemaRecord,
    PipelineUpdateRecord,
)

__all__ = [
    "MAX_TIME",
    "RECORD_TYPES",
    "SCHEMA",
    "BraidActionRecord",
    "BraidActionRunRecord",
    "BraidActionSetRecord",
    "BraidDerivationRecord",
    "BraidInvalidationRecord",
    "BraidRecordRecord",
    "BraidTagRecord",
    "BraidUpdateRecord",
    "BraidUriRecord",
    "CaptureBatch",
    "Client",
    "DataflowRecord",
    "EntityRecord",
    "Environment",
    "HyperparameterRecord",
    "MetricRecord",
    "Record",
    "RunEnd",
    "RunStart",
    "SectionEnd",
    "SectionStart",
    "Software",
    "StageEnd",
    "StageStart",
    "TaskRecord",
    "UsedRecord",
    "VersionRecord",
    "format_loc",
    "parse_batch",
]

SCHEMA = "provml/capture/1"

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._~-]{1,128}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
# Unix seconds up to 9999-12-31T23:59:59Z, the last instant an xsd:dateTime has four year digits.
MAX_TIME = 253402300799
Time = Annotated[float, Field(strict=True, ge=0, le=MAX_TIME, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True, ge=0)]


def _scalar(value: Any) -> bool | int | float | str:
    if isinstance(value, bool | int | float | str):
        return value
    raise PydanticCustomError("scalar", "value must be a number, a string or a boolean")


def _number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("number", "value must be a number")


_ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _iri(value: Any) -> str:
    if not isinstance(value, str) or not _ABS_IRI.match(value):
        raise PydanticCustomError("iri", "value must be an absolute IRI")
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "iri", "value must be an absolute IRI: {error}", {"error": str(exc)}
        ) from exc
    return value


Scalar = Annotated[
    bool | int | float | str,
    PlainValidator(_scalar),
    WithJsonSchema({"type": ["number", "string", "boolean"]}),
]
Number = Annotated[int | float, PlainValidator(_number), WithJsonSchema({"type": "number"})]
Iri = Annotated[str, PlainValidator(_iri), WithJsonSchema({"type": "string", "format": "iri"})]
Attributes = dict[Name, Scalar]
Status = Literal["finished", "failed", "killed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Software(_Model):
    name: Name
    version: Name


class Environment(_Model):
    hostname: str | None = None
    os: str | None = None
    python: str | None = None
    processor: str | None = None
    accelerators: list[str] = []
    packages: dict[Name, str] = {}
    git_commit: str | None = None


class Client(_Model):
    name: Name
    version: str | None = None


class _Record(_Model):
    id: Id
    run: Id
    time: Time


class _RunRecord(_Record):
    @model_validator(mode="after")
    def _id_is_run(self) -> _RunRecord:
        if self.id != self.run:
            raise PydanticCustomError("run_id", "id must equal run for run.* records")
        return self


class RunStart(_RunRecord):
    type: Literal["run.start"]
    name: Name
    study: Name | None = None
    kind: Literal["learning", "workflow"] = "learning"
    user: Name | None = None
    software: Software | None = None
    environment: Environment | None = None
    attributes: Attributes = {}


class RunEnd(_RunRecord):
    type: Literal["run.end"]
    status: Status | None = None
    attributes: Attributes = {}


StageKind = Literal["training", "validation", "evaluation", "testing", "transformation"]


class StageStart(_Record):
    type: Literal["stage.start"]
    name: Name
    kind: StageKind
    parent: Id | None = None
    used: list[Id] = []
    planned_epochs: Count | None = None
    attributes: Attributes = {}


class StageEnd(_Record):
    type: Literal["stage.end"]
    status: Status | None = None
    attributes: Attributes = {}


class SectionStart(_Record):
    type: Literal["section.start"]
    stage: Id
    name: Name
    index: Count
    attributes: Attributes = {}


class SectionEnd(_Record):
    type: Literal["section.end"]
    status: Status | None = None
    attributes: Attributes = {}


class MetricRecord(_Record):
    type: Literal["metric"]
    execution: Id
    name: Name
    value: Number
    epoch: Count | None = None
    step: Count | None = None
    model: Id | None = None
    data: Id | None = None


class HyperparameterRecord(_Record):
    type: Literal["hyperparameter"]
    execution: Id
    name: Name
    value: Scalar
    epoch: Count | None = None
    previous: Id | None = None


EntityKind = Literal["dataset", "data", "feature_set", "model", "data_reference", "kg_reference"]


class EntityRecord(_Record):
    type: Literal["entity"]
    kind: EntityKind
    name: Name | None = None
    generated_by: Id | None = None
    derived_from: list[Id] = []
    revision_of: Id | None = None
    location: str | None = None
    digest: str | None = None
    record_count: Count | None = None
    version: str | None = None
    refers_to: Iri | None = None
    attributes: Attributes = {}

    @model_validator(mode="after")
    def _refers_to_kg_only(self) -> EntityRecord:
        if self.refers_to is not None and self.kind != "kg_reference":
            raise PydanticCustomError(
                "refers_to", "refers_to is allowed for kind kg_reference only"
            )
        return self


class UsedRecord(_Record):
    type: Literal["used"]
    execution: Id
    entity: Id


# -- dataflows and their tasks (DfAnalyzer / DLProv; docs/capture-format.md, "Dataflows") ---------
# A task's element values stay as sent (DfAnalyzer's are strings); the manager types them with the
# attribute types of the stored dataflow.

Tag = Annotated[str, StringConstraints(min_length=1, max_length=256)]


def _element_value(value: Any) -> str | int | float:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("element_value", "an element value must be a string or a number")


ElementValue = Annotated[
    str | int | float,
    PlainValidator(_element_value),
    WithJsonSchema({"type": ["string", "number"]}),
]


class DataflowAttribute(_Model):
    name: Name
    type: Literal["TEXT", "NUMERIC", "FILE", "RDFILE"]


class DataflowSet(_Model):
    tag: Tag
    type: Literal["INPUT", "OUTPUT"]
    dependency: Tag | None = None
    attributes: list[DataflowAttribute]


class DataflowTransformation(_Model):
    tag: Tag
    sets: list[DataflowSet] = []


class DataflowRecord(_Model):
    """A dataflow's definition (catalogue only: no ``run``; ``id`` is the dataflow tag)."""

    type: Literal["dataflow"]
    id: Tag
    time: Time | None = None
    user: Name | None = None
    transformations: list[DataflowTransformation]


class TaskDependency(_Model):
    transformation: Tag
    id: Id


class TaskSet(_Model):
    tag: Tag
    elements: list[list[ElementValue]]


class TaskRecord(_Record):
    """One DfAnalyzer task message: begin, save or end of a task of a dataflow execution."""

    type: Literal["task"]
    time: Time | None = None
    execution: Name
    dataflow: Tag
    transformation: Tag
    task: Name
    status: Literal["ready", "running", "finished"]
    start: Time | None = None
    end: Time | None = None
    user: Name | None = None
    dependencies: list[TaskDependency] = []
    sets: list[TaskSet] = []
    attributes: Attributes = {}


# -- versions of input objects (OMProv, docs/versions.md) ------------------------------------------

Weight = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]


class Revises(_Model):
    id: Id
    weight: Weight


class VersionRecord(_Record):
    type: Literal["version"]
    kind: Name
    name: Name
    version: Name
    revises: list[Revises] = []
    measure: Literal["text", "binary", "folder", "declared"] | None = None
    digest: str | None = None
    location: str | None = None

    @model_validator(mode="after")
    def _revises_others_once(self) -> VersionRecord:
        ids = [link.id for link in self.revises]
        if self.id in ids or len(set(ids)) != len(ids):
            raise PydanticCustomError(
                "revises", "revises names each earlier version once, never the version itself"
            )
        return self


Record = Annotated[
    RunStart
    | RunEnd
    | StageStart
    | StageEnd
    | SectionStart
    | SectionEnd
    | MetricRecord
    | HyperparameterRecord
    | EntityRecord
    | UsedRecord
    | BraidRecordRecord
    | BraidDerivationRecord
    | BraidUpdateRecord
    | BraidUriRecord
    | BraidTagRecord
    | BraidInvalidationRecord
    | BraidActionRecord
    | BraidActionSetRecord
    | BraidActionRunRecord
    | DataflowRecord
    | TaskRecord
    | VersionRecord
    | PipelineOperationRecord
    | PipelineUpdateRecord
    | PipelineSchemaRecord
    | PipelineSampleRecord,
    Field(discriminator="type"),
]
RECORD_TYPES = frozenset(
    {"run.start", "run.end", "stage.start", "stage.end", "section.start", "section.end"}
    | {"metric", "hyperparameter", "entity", "used", "dataflow", "task", "version"}
    | BRAID_RECORD_TYPES
    | PIPELINE_RECORD_TYPES
)


class CaptureBatch(_Model):
    schema_: Literal["provml/capture/1"] = Field(alias="schema")
    client: Client | None = None
    records: list[Record]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("records", mode="before")
    @classmethod
    def _size(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, list):
            if not value:
                raise PydanticCustomError("empty", "records must hold at least one record")
            limit = (info.context or {}).get("max_records")
            if limit is not None and len(value) > limit:
                raise PydanticCustomError(
                    "too_many_records",
                    "the batch holds {count} records, more than the limit of {limit}",
                    {"count": len(value), "limit": limit},
                )
        return value


def format_loc(loc: tuple[str | int, ...], tags: frozenset[str] | set[str] = RECORD_TYPES) -> str:
    """``('records', 3, 'metric', 'value')`` → ``records[3].value`` (the union tag dropped)."""
    out = ""
    previous_was_index = False
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            previous_was_index = True
            continue
        if previous_was_index and part in tags:
            previous_was_index = False
            continue
        previous_was_index = False
        if part == "schema_":
            part = "schema"
        out += f".{part}" if out else str(part)
    return out


# Errors raised by model validators, reported on the field they are about.
_FIELD_OF_MODEL_ERROR = {
    "run_id": "id",
    "refers_to": "refers_to",
    "revises": "revises",
    "tag_value": "value",
}


def errors_to_invalid(
    exc: ValidationError,
    prefix: str = "",
    tags: frozenset[str] | set[str] = RECORD_TYPES,
    discriminator: str = "type",
) -> InvalidBatch:
    """An ``InvalidBatch`` (or ``BatchTooLarge``) naming the first field of a pydantic error."""
    details = []
    too_large = False
    for err in exc.errors(include_url=False, include_input=False):
        path = format_loc(tuple(err["loc"]), tags)
        if prefix:
            path = f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}".rstrip(".")
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path += f".{discriminator}"
            message = f"unknown or missing {discriminator}; expected one of {sorted(tags)}"
        elif err["type"] in _FIELD_OF_MODEL_ERROR:
            path += f".{_FIELD_OF_MODEL_ERROR[err['type']]}"
        elif err["type"] == "json_invalid":
            path = path or "body"
            message = f"malformed JSON: {err['ctx'].get('error', err['msg'])}"
        elif err["type"] == "too_many_records":
            too_large = True
        details.append({"field": path or "body", "message": message})
    first = details[0]
    cls = BatchTooLarge if too_large else InvalidBatch
    return cls(first["field"], first["message"], details)


def parse_batch(body: bytes | str | dict, *, max_records: int | None = None) -> CaptureBatch:
    """Validate a native capture batch (JSON bytes or an already-parsed dict)."""
    context = {"max_records": max_records}
    try:
        if isinstance(body, dict):
            return CaptureBatch.model_validate(body, context=context)
        if isinstance(body, bytes | str):
            return CaptureBatch.model_validate_json(body, context=context)
    except ValidationError as exc:
        raise errors_to_invalid(exc) from exc
    raise InvalidBatch("body", f"expected a JSON object, got {type(body).__name__}")
