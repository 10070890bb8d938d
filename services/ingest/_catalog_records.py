"""Catalogue records: shared plan and data-store nodes that only the legacy ProvLake API sends.

They are not part of the native capture format (a native batch holding one is rejected); the legacy converter
produces them from ProvLake's prospective-provenance and data-store messages so that they go through the same
mapper, validation and commit as every other record.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["DataStoreRecord", "WorkflowPlanRecord"]


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
