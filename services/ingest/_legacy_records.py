"""Records only the legacy ProvLake conversion produces.

They are not part of the native capture format (a native batch holding one is rejected); the legacy
converter produces them so that ProvLake messages go through the same mapper, validation and commit
as native records: the inputs a task declares before it starts, prospective workflow plans, and data
stores; and the native start records of tasks and cycle iterations with what every ProvLake message
carries besides — the workflow's name (so the plan IRIs need no lookup) and, for a task that names
its cycle but not the iteration, the cycle (its iteration is found from times, see ``_cycles``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ._records import Name, SectionStart, StageStart

__all__ = [
    "CycleStart",
    "DataStoreRecord",
    "StageInputs",
    "TaskStart",
    "WorkflowPlanRecord",
]


class TaskStart(StageStart):
    """A ProvLake task begins (its ``Input`` message): a ``stage.start`` with the name of its
    workflow (``experiment``), and ``cycle`` when it ran in a cycle whose iteration it does not
    give (then ``parent`` is None: the iteration is the one whose interval holds ``time``)."""

    experiment: Name | None = None
    cycle: Name | None = None


class CycleStart(SectionStart):
    """An iteration of a ProvLake cycle: a ``section.start`` in the run, with its workflow."""

    experiment: Name | None = None


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
