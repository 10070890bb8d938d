"""Braid-DB (provlake.braid): blocks of integer ids, unique in the store, for records, tags and
model versions; and, for the web UI, the invalidation state of records (the invalid records cascade
by cascade, one record's validity). The ``braid.*`` records themselves go through
``POST /api/v1/capture``; the named questions answer the rest."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from services.explore import braid_record, invalidations
from services.ingest import BraidIds

from .._cached import json_with_etag
from .._errors import BadRequest
from .._ingesting import locked
from ..deps import JsonBody, SettingsDep, StoreDep, read_access, write_access

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/braid", tags=["braid"])


@router.post(
    "/ids",
    dependencies=[Depends(write_access)],
    summary="Reserve a block of Braid ids",
    responses={400: {"description": "count missing or out of range"}},
)
def allocate_ids(request: Request, body: JsonBody) -> dict[str, Any]:
    """``{"count": n}`` → ``{"first", "last", "count"}``: ids no other call gets, before or after a
    restart, whichever manager of the store answers."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"malformed JSON: {exc}", field="body") from exc
    count = payload.get("count") if isinstance(payload, dict) else None
    if isinstance(payload, dict) and set(payload) - {"count"}:
        field = sorted(set(payload) - {"count"})[0]
        raise BadRequest("unknown field", field=field)
    ids = getattr(request.app.state, "braid_ids", None)
    if ids is None:
        ingestor = request.app.state.ingestor
        ids = request.app.state.braid_ids = BraidIds(ingestor.store, ingestor.iris)
    try:
        first = locked(request, lambda: ids.allocate(count))
    except ValueError as exc:
        raise BadRequest(str(exc), field="count") from exc
    return {"first": first, "last": first + count - 1, "count": count}


@router.get(
    "/invalidated",
    dependencies=[Depends(read_access)],
    summary="The invalid Braid records, cascade by cascade, each cascade as the tree it followed",
    responses={304: {"description": "not modified"}},
)
def list_invalidated(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    cascade: Annotated[
        str | None,
        Query(description="only the cascade started at this record: its IRI or Braid record id"),
    ] = None,
) -> Response:
    answer = invalidations(
        store, cascade=cascade, base_iri=settings.base_iri, timeout=settings.query_timeout
    )
    return json_with_etag(request, answer)


@router.get(
    "/record",
    dependencies=[Depends(read_access)],
    summary="One Braid record's validity: cause, root invalidation, cascade, actions run",
    responses={404: {"description": "no such Braid record"}, 304: {"description": "not modified"}},
)
def record_state(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    record: Annotated[str, Query(description="the record: its IRI or Braid record id")],
) -> Response:
    answer = braid_record(store, record, base_iri=settings.base_iri, timeout=settings.query_timeout)
    return json_with_etag(request, answer)
