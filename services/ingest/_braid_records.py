"""Pydantic models of the ``braid.*`` capture records (provlake.braid; docs/capture-format.md).

Braid-DB calls name records by integer ids (allocated by the manager, see ``_braid_ids``), so
these records carry those ids instead of the ``id``/``run`` pair of the other records. Tag values
are checked against their tag type here, so a wrong type is a 400 naming ``records[i].value``.

Its field types are its own (strict, as ``_records``'s), so ``_records`` imports it without a
circle.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "BRAID_RECORD_TYPES",
    "BraidActionRecord",
    "BraidActionRunRecord",
    "BraidActionSetRecord",
    "BraidDerivationRecord",
    "BraidInvalidationRecord",
    "BraidRecordRecord",
    "BraidTagRecord",
    "BraidUpdateRecord",
    "BraidUriRecord",
]

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._~-]{1,128}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
# Unix seconds up to 9999-12-31T23:59:59Z (``_records.MAX_TIME``).
Time = Annotated[float, Field(strict=True, ge=0, le=253402300799, allow_inf_nan=False)]
Scalar = Annotated[
    StrictBool | StrictInt | StrictFloat | StrictStr,
    PlainValidator(lambda v: v if isinstance(v, bool | int | float | str) else _not_scalar()),
    WithJsonSchema({"type": ["number", "string", "boolean"]}),
]


def _not_scalar() -> None:
    raise PydanticCustomError("scalar", "value must be a number, a string or a boolean")


BraidId = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
Text = Annotated[str, StringConstraints(max_length=65536)]
TagType = Literal["NONE", "STRING", "INTEGER", "FLOAT"]


class _Braid(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    time: Time


class BraidRecordRecord(_Braid):
    type: Literal["braid.record"]
    record: BraidId
    kind: Literal["record", "fact", "data", "model"]
    name: Annotated[str, StringConstraints(max_length=1024)] | None = None


class BraidDerivationRecord(_Braid):
    """``source.add_derivation(target)``: the target is derived from the source."""

    type: Literal["braid.derivation"]
    source: BraidId
    target: BraidId


class BraidUpdateRecord(_Braid):
    """``model.update(record)``: a new version of the model, revision of ``previous``."""

    type: Literal["braid.update"]
    model: BraidId
    record: BraidId
    version: BraidId
    previous: BraidId


class BraidUriRecord(_Braid):
    type: Literal["braid.uri"]
    record: BraidId
    uri: Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class BraidTagRecord(_Braid):
    type: Literal["braid.tag"]
    tag: BraidId
    record: BraidId
    key: Name
    value: Scalar
    tag_type: TagType

    @model_validator(mode="after")
    def _value_of_its_type(self) -> BraidTagRecord:
        value, kind = self.value, self.tag_type
        ok = (
            (kind == "INTEGER" and type(value) is int)
            or (kind == "FLOAT" and type(value) in (int, float))
            or (kind in ("STRING", "NONE") and isinstance(value, str))
        )
        if not ok:
            raise PydanticCustomError(
                "tag_value",
                "the value of a {kind} tag must be {expected}, not {got}",
                {
                    "kind": kind,
                    "expected": {"INTEGER": "an integer", "FLOAT": "a number"}.get(
                        kind, "a string"
                    ),
                    "got": type(value).__name__,
                },
            )
        return self


class BraidInvalidationRecord(_Braid):
    """One record made invalid; ``root`` is the root invalidation of its cascade (absent: itself),
    ``informed_by`` the invalidation of the upstream record that caused it."""

    type: Literal["braid.invalidation"]
    invalidation: Id
    record: BraidId
    cause: Annotated[str, StringConstraints(min_length=1, max_length=65536)]
    root: Id | None = None
    informed_by: Id | None = None


class BraidActionRecord(_Braid):
    type: Literal["braid.action"]
    action: Id
    record: BraidId
    action_type: Literal["shell", "webhook", "automate_event"]
    name: Name
    command: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    parameters: dict[str, Any] = Field(default_factory=dict)


class BraidActionSetRecord(_Braid):
    """``record.set_invalidation_action(action)``: an existing action also guards this record."""

    type: Literal["braid.action_set"]
    action: Id
    record: BraidId


class BraidActionRunRecord(_Braid):
    """One run of an invalidation action: ``started`` and ``time`` (its end), its outcome."""

    type: Literal["braid.action_run"]
    execution: Id
    action: Id
    invalidation: Id
    record: BraidId
    started: Time
    status: Literal["finished", "failed"]
    exit_status: Annotated[int, Field(strict=True)] | None = None
    http_status: Annotated[int, Field(strict=True, ge=100, le=599)] | None = None
    output: Text = ""


BRAID_RECORD_TYPES = frozenset(
    {
        "braid.record",
        "braid.derivation",
        "braid.update",
        "braid.uri",
        "braid.tag",
        "braid.invalidation",
        "braid.action",
        "braid.action_set",
        "braid.action_run",
    }
)
