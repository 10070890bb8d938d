"""Braid-DB ids (provlake.braid): blocks of integer ids, unique in the store, for records, tags and
model versions. The ``braid.*`` records themselves go through ``POST /api/v1/capture``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request

from services.ingest import BraidIds

from .._errors import BadRequest
from .._ingesting import locked
from ..deps import JsonBody, write_access

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
