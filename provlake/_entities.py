"""Entities of a run: data sets, data, feature sets, models, data and knowledge-graph references.

Handles (runs, stages, sections, entities) hold the client that created them as a
:class:`CaptureClient`: what they need of it, so that they do not depend on the client module
(which depends on them).
"""

from __future__ import annotations

import time as _clock
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from provlake._config import Settings
from provlake._exceptions import CaptureUsageError
from provlake._pipeline import Pipeline
from provlake._records import (
    ENTITY_KINDS,
    check_attributes,
    check_id,
    check_int,
    check_iri,
    check_name,
    entity_ids,
    new_id,
)
from provlake.identity import data_id

__all__ = ["CaptureClient", "Entity", "build_entity_record", "entity_record"]


class CaptureClient(Protocol):
    """What handles use of their client (:class:`provlake.Client` is one)."""

    settings: Settings
    pipeline: Pipeline

    def flush(self, timeout: float | None = None, *, acknowledged: bool = False) -> bool: ...


class Entity:
    """A data set, data, feature set, model, data or knowledge-graph reference of a run."""

    __slots__ = ("id", "kind", "name", "run_id")

    def __init__(self, id: str, kind: str, name: str | None, run_id: str) -> None:
        self.id, self.kind, self.name, self.run_id = id, kind, name, run_id

    def __repr__(self) -> str:
        return f"<Entity {self.kind} {self.name!r} {self.id}>"


def entity_record(
    client: CaptureClient, run_id: str, kind: str, name: str | None = None, **fields: Any
) -> Entity:
    """Record an entity of run ``run_id`` (the fields of :func:`build_entity_record`); its
    handle."""
    record = build_entity_record(run_id, kind, name, **fields)
    client.pipeline.put(record)
    return Entity(record["id"], kind, name, run_id)


def build_entity_record(
    run_id: str,
    kind: str,
    name: str | None = None,
    *,
    generated_by: str | None = None,
    derived_from: Iterable[Any] | None = None,
    revision_of: Any = None,
    location: str | None = None,
    digest: str | None = None,
    record_count: int | None = None,
    version: str | None = None,
    refers_to: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    id: str | None = None,
    time: float | None = None,
) -> dict[str, Any]:
    """The entity record, checked; without ``id``, one derived from its content when it names it
    (:mod:`provlake.identity`), else a fresh one."""
    if kind not in ENTITY_KINDS:
        raise CaptureUsageError(
            f"entity kind must be one of {', '.join(ENTITY_KINDS)}; got {kind!r}"
        )
    record: dict[str, Any] = {
        "type": "entity",
        "id": "" if id is None else check_id(id),
        "run": run_id,
        "time": _clock.time() if time is None else float(time),
        "kind": kind,
    }
    if name is not None:
        record["name"] = check_name(name)
    if generated_by is not None:
        record["generated_by"] = generated_by
    if derived_from is not None:
        record["derived_from"] = entity_ids(derived_from, "derived_from")
    if revision_of is not None:
        record["revision_of"] = entity_ids(revision_of, "revision_of")[0]
    for field, value in (("location", location), ("digest", digest), ("version", version)):
        if value is not None:
            record[field] = check_name(str(value) if field == "version" else value, field)
    if record_count is not None:
        record["record_count"] = check_int(record_count, "record_count")
    if refers_to is not None:
        if kind != "kg_reference":
            raise CaptureUsageError("refers_to is only for kind 'kg_reference'")
        record["refers_to"] = check_iri(refers_to, "refers_to")
    if attributes:
        record["attributes"] = check_attributes(attributes)
    if id is None:  # data named by its content is the same node in every run (provlake.identity)
        record["id"] = data_id(record) or new_id()
    return record
