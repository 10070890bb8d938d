"""Legacy ProvLake values (plain or typed by ``args_handler``) → attributes and entity records.

Scalars become attributes; data references, KG references, data sets and data-set items become
entities; typed dicts and lists are flattened (``name.key``, ``name[i]``); other containers become
JSON strings.

A legacy task's ``begin()`` and ``end()`` append raw tuples (:func:`task_start_records`,
:func:`task_end_records` first) to the capture buffer; the flusher thread calls these functions to
convert the values and encode the records, so the caller's thread pays for a tuple only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

from provlake._entities import build_entity_record
from provlake._records import (
    METRIC,
    NON_FINITE,
    MetricEncoder,
    check_attributes,
    encode_record,
)
from provlake.utils.constants import Vocabulary as V

__all__ = ["EntitySpec", "convert_values", "task_end_records", "task_start_records", "with_extras"]

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


def with_extras(
    values: Any, stdout: Any = None, stderr: Any = None, **extra: Any
) -> dict[str, Any]:
    """The legacy values with ``stdout``, ``stderr`` and other extras that are not None."""
    merged = dict(values) if isinstance(values, dict) else ({"values": values} if values else {})
    for key, value in (("stdout", stdout), ("stderr", stderr), *extra.items()):
        if value is not None:
            merged[key] = value
    return merged


_KEYS: dict[str, str] = {}  # attribute name -> its JSON text, for names seen before


def _plain(values: Any) -> tuple[str, list[tuple[str, int | float]]] | None:
    """For None or a dict of plain scalars (str, int, float, bool, None; names already valid):
    the JSON text of the attributes they become (``""`` for none) and their numbers (name, value),
    exactly as :func:`convert_values` then ``encode_record`` would give them; else None."""
    if values is None:
        return "", []
    if values.__class__ is not dict:
        return None
    parts = []
    numbers = []
    for key, value in values.items():
        quoted = _KEYS.get(key)
        if quoted is None:
            if key.__class__ is not str or not key.strip():
                return None
            quoted = _quote(key)
            if len(_KEYS) < 4096:
                _KEYS[key] = quoted
        cls = value.__class__
        if cls is float:
            numbers.append((key, value))
            text = float.__repr__(value)
            if not math.isfinite(value):
                text = NON_FINITE[text]
        elif cls is int:
            numbers.append((key, value))
            text = int.__repr__(value)
        elif cls is str:
            text = _quote(value)
        elif cls is bool:
            text = "true" if value else "false"
        elif value is None:
            continue
        else:
            return None
        parts.append(f"{quoted}:{text}")
    return (f',"attributes":{{{",".join(parts)}}}' if parts else ""), numbers


def task_start_records(item: tuple, encode_metric: MetricEncoder) -> list[str]:
    """The ``entity`` records of a task's typed inputs, then its ``stage.start`` (flusher thread).

    ``item``: (this function, run id, stage id, name, parent or None, input values, person id,
    custom metadata, start time).
    """
    _, run_id, stage_id, name, parent, values, person_id, custom, start_time = item
    plain = None if person_id is not None or custom else _plain(values)
    if plain is None:
        return _task_start_records(item)
    parent_text = "" if parent is None else f',"parent":"{parent}"'
    return [
        f'{{"type":"stage.start","id":"{stage_id}","run":"{run_id}",'
        f'"time":{float.__repr__(start_time)},"name":{_quote(name)},"kind":"transformation"'
        f"{parent_text}{plain[0]}}}"
    ]


def _task_start_records(item: tuple) -> list[str]:
    _, run_id, stage_id, name, parent, values, person_id, custom, start_time = item
    attrs, specs = convert_values(with_extras(values, person_id=person_id))
    if custom:
        custom_attrs, custom_specs = convert_values(custom, "custom_metadata.")
        attrs.update(custom_attrs)
        specs += custom_specs
    texts = []
    record: dict[str, Any] = {
        "type": "stage.start",
        "id": stage_id,
        "run": run_id,
        "time": start_time,
        "name": name,
        "kind": "transformation",
    }
    if parent is not None:
        record["parent"] = parent
    if specs:
        used = []
        for spec in specs:
            entity = build_entity_record(run_id, spec.pop("kind"), time=start_time, **spec)
            texts.append(encode_record(entity))
            used.append(entity["id"])
        record["used"] = used
    if attrs:
        record["attributes"] = check_attributes(attrs)
    texts.append(encode_record(record))
    return texts


def task_end_records(item: tuple, encode_metric: MetricEncoder) -> list[str]:
    """The ``entity`` records of a task's typed outputs, a ``metric`` for each numeric output (in
    the epoch of its cycle iteration), then its ``stage.end`` (flusher thread).

    ``item``: (this function, run id, stage id, output values, stdout, stderr, time of the call,
    end time, status, epoch or None).
    """
    _, run_id, stage_id, values, stdout, stderr, now, end_time, status, epoch = item
    plain = None if stdout is not None or stderr is not None else _plain(values)
    if plain is None:
        return _task_end_records(item, encode_metric)
    attributes, numbers = plain
    texts = [
        encode_metric((METRIC, run_id, stage_id, name, value, now, epoch, None, None, None))
        for name, value in numbers
    ]
    texts.append(
        f'{{"type":"stage.end","id":"{stage_id}","run":"{run_id}",'
        f'"time":{float.__repr__(end_time)},"status":"{status}"{attributes}}}'
    )
    return texts


def _task_end_records(item: tuple, encode_metric: MetricEncoder) -> list[str]:
    _, run_id, stage_id, values, stdout, stderr, now, end_time, status, epoch = item
    attrs, specs = convert_values(with_extras(values, stdout, stderr))
    texts = [
        encode_record(
            build_entity_record(run_id, spec.pop("kind"), generated_by=stage_id, time=now, **spec)
        )
        for spec in specs
    ]
    for name, value in attrs.items():  # numeric outputs are model evaluations too
        if value.__class__ is not bool and isinstance(value, int | float):
            texts.append(
                encode_metric((METRIC, run_id, stage_id, name, value, now, epoch, None, None, None))
            )
    record: dict[str, Any] = {
        "type": "stage.end",
        "id": stage_id,
        "run": run_id,
        "time": end_time,
        "status": status,
    }
    if attrs:
        record["attributes"] = check_attributes(attrs)
    texts.append(encode_record(record))
    return texts


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
