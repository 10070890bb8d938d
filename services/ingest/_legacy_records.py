"""Records only the legacy ProvLake conversion produces.

They are not part of the native capture format (a native batch holding one is rejected); the legacy
converter produces them so that ProvLake messages go through the same mapper, validation and commit
as native records: the inputs a task declares before it starts, prospective workflow plans, and data
stores.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["DataStoreRecord", "StageInputs", "WorkflowPlanRecord"]


class StageInputs(BaseModel):
    """The input values of a ProvLake task (its ``Generate`` message): attribute values and entities
    the execution used. The execution itself starts with the task's ``Input`` message (a
    ``stage.start``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["stage.inputs"] = "stage.inputs"
    id: str
    run: str
    used: tuple[str, ...] = ()
    attributes: dict[str, Any] = {}


class DataStoreRecord(BaseModel):
    """A data store (file system, object store, database) in the catalogue graph."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["datastore"] = "datastore"
    name: str
    identifier: str | None = None
    store_type: str | None = None
    location: str | None = None


class WorkflowPlanRecord(BaseModel):
    """A workflow plan with its data transformations and attributes, in the catalogue graph."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["plan.workflow"] = "plan.workflow"
    name: str
    transformations: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
