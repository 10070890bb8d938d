"""Legacy ProvLake values (plain or typed by ``args_handler``) → attributes and entity records.

Scalars become attributes; data references, KG references, data sets and data-set items become
entities; typed dicts and lists are flattened (``name.key``, ``name[i]``); other containers become
JSON strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from provlake.utils.constants import Vocabulary as V

__all__ = ["EntitySpec", "convert_values"]

_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
EntitySpec = dict[str, Any]  # keyword arguments of entity_record


def _json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def _scalar(value: Any) -> Any:
    if isinstance(value, str | bool | int | float):
        return value
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    return None


def convert_values(
    values: Mapping[str, Any] | None, prefix: str = ""
) -> tuple[dict[str, Any], list[EntitySpec]]:
    """Split legacy ``values`` into scalar attributes and entity specifications."""
    attrs: dict[str, Any] = {}
    entities: list[EntitySpec] = []
    if not values:
        return attrs, entities
    if not isinstance(values, Mapping):
        attrs[prefix or "values"] = _json(values)
        return attrs, entities
    for key, value in values.items():
        _convert(f"{prefix}{key}", value, attrs, entities)
    return attrs, entities


def _store(data_store_id: Any) -> dict[str, Any]:
    return (
        {"attributes": {"data_store_id": str(data_store_id)}} if data_store_id is not None else {}
    )


def _convert(name: str, value: Any, attrs: dict[str, Any], entities: list[EntitySpec]) -> None:
    if value is None:
        return
    scalar = _scalar(value)
    if scalar is not None:
        attrs[name] = scalar
        return
    if isinstance(value, list | tuple):
        attrs[name] = _json(value)
        return
    if not isinstance(value, Mapping):
        attrs[name] = str(value)
        return
    kind = value.get(V.PROV_ATTR_TYPE)
    inner = value.get(V.VALUES)
    if kind == V.DATA_REFERENCE_TYPE:
        entities.append(
            {
                "kind": "data_reference",
                "name": name,
                "location": str(inner),
                **_store(value.get(V.DATA_STORE_ID)),
            }
        )
    elif kind == V.KG_REFERENCE_TYPE:
        spec = {"kind": "kg_reference", "name": name, **_store(value.get(V.DATA_STORE_ID))}
        if isinstance(inner, str) and _ABSOLUTE_IRI.fullmatch(inner):
            spec["refers_to"] = inner
        else:
            spec["location"] = str(inner)
        entities.append(spec)
    elif kind == V.DATASET_TYPE:
        items = inner if isinstance(inner, list) else []
        spec = {"kind": "dataset", "name": name, "record_count": len(items)}
        if value.get(V.DATASET_SCHEMA_ID):
            spec["attributes"] = {"dataset_schema_id": str(value[V.DATASET_SCHEMA_ID])}
        entities.append(spec)
    elif kind == V.DATASET_ITEM:
        item_attrs: dict[str, Any] = {}
        if value.get(V.DATASET_ITEM_ORDER) is not None:
            item_attrs["order"] = value[V.DATASET_ITEM_ORDER]
        if value.get(V.DATASET_ID) is not None:
            item_attrs["dataset_id"] = str(value[V.DATASET_ID])
        item_attrs["values"] = _scalar(inner) if _scalar(inner) is not None else _json(inner)
        entities.append({"kind": "data", "name": name, "attributes": item_attrs})
    elif kind == V.DICT_TYPE and isinstance(inner, Mapping):
        for key, item in inner.items():
            _convert(f"{name}.{key}", item, attrs, entities)
    elif kind == V.LIST_TYPE and isinstance(inner, list | tuple):
        for i, item in enumerate(inner):
            _convert(f"{name}[{i}]", item, attrs, entities)
    elif kind == V.ATTRIBUTE_VALUE_WITH_CUSTOM_METADATA_TYPE:
        _convert(name, inner, attrs, entities)
        for key, item in (value.get(V.CUSTOM_METADATA) or {}).items():
            _convert(f"{name}.custom_metadata.{key}", item, attrs, entities)
    else:  # a plain dict: the legacy library stored it as a JSON string
        attrs[name] = _json(value)
