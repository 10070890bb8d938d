"""ProvLake 0.2.982 catalogue requests → catalogue records: prospective provenance (a workflow with
its data transformations and attributes) and data stores (``DataStoreCatalog.create_data_store``).

The library forwards the caller's prospective description as it is, so it is read leniently: a
name under ``dataflow_name``, ``workflow_name`` or ``name``, and ``data_transformations`` whose
``input`` / ``output`` attributes are names or objects with a ``name``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ._exceptions import InvalidBatch
from ._legacy import parse_wire
from ._legacy_records import DataStoreRecord, WorkflowPlanRecord

__all__ = ["convert_data_store", "convert_prospective"]


class _Attribute(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str | None = None
    attribute_name: str | None = None


class _Transformation(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str | None = None
    data_transformation_name: str | None = None
    input: list[str | _Attribute] = []
    output: list[str | _Attribute] = []


class _Prospective(BaseModel):
    """ProvLake's prospective description (the library forwards the caller's dict as is: read
    leniently)."""

    model_config = ConfigDict(extra="allow")
    dataflow_name: str | None = None
    workflow_name: str | None = None
    name: str | None = None
    data_transformations: list[_Transformation] = []


def convert_prospective(body: bytes | str | dict | list) -> list[WorkflowPlanRecord]:
    """A prospective-provenance description → workflow plan records (catalogue graph)."""
    parsed = parse_wire(body, _Prospective)
    records = []
    for i, p in enumerate(parsed if isinstance(parsed, list) else [parsed]):
        field = f"body[{i}]" if isinstance(parsed, list) else "body"
        name = p.dataflow_name or p.workflow_name or p.name
        if not name:
            raise InvalidBatch(f"{field}.dataflow_name", "required")
        transformations, attributes = [], []
        for j, dt in enumerate(p.data_transformations):
            dt_name = dt.data_transformation_name or dt.name
            if not dt_name:
                raise InvalidBatch(f"{field}.data_transformations[{j}].name", "required")
            transformations.append(dt_name)
            for attribute in (*dt.input, *dt.output):
                label = (
                    attribute
                    if isinstance(attribute, str)
                    else attribute.name or attribute.attribute_name
                )
                if label:
                    attributes.append(label)
        records.append(
            WorkflowPlanRecord(
                name=name,
                transformations=tuple(dict.fromkeys(transformations)),
                attributes=tuple(dict.fromkeys(attributes)),
            )
        )
    return records


class _DataStore(BaseModel):
    """``provlake.model.data_store_prov_obj.DataStoreObj.as_dict()``."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    name: str = Field(min_length=1)
    type: str
    custom_metadata: dict | None = None
    url: str | None = None
    bucket: str | None = None
    host_address: str | None = None


def convert_data_store(body: bytes | str | dict | list) -> list[DataStoreRecord]:
    """A data-store catalogue message → data store records (catalogue graph)."""
    parsed = parse_wire(body, _DataStore)
    records = []
    for d in parsed if isinstance(parsed, list) else [parsed]:
        location = d.host_address
        if d.url is not None:
            location = f"{d.url.rstrip('/')}/{d.bucket}" if d.bucket else d.url
        records.append(
            DataStoreRecord(name=d.name, identifier=d.id, store_type=d.type, location=location)
        )
    return records
