"""The quarantine: batches that violated the shapes, kept with their report until fixed or
deleted."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from .._errors import NotFound, UnsupportedMediaType
from .._ingesting import ingest_response, locked
from ..deps import Body, IngestorDep, admin_access, media_type, read_access, write_access

router = APIRouter(prefix="/api/v1/quarantine", tags=["quarantine"])


def _quarantine(request: Request) -> Any:
    return request.app.state.ingestor.quarantine


def _jsonable(entry: Any) -> Any:
    if dataclasses.is_dataclass(entry):
        return dataclasses.asdict(entry)
    if hasattr(entry, "model_dump"):
        return entry.model_dump(mode="json")
    return entry


def _entry(request: Request, id_: str) -> Any:
    try:
        entry = _quarantine(request).get(id_)
    except KeyError:
        entry = None
    if entry is None:
        raise NotFound(f"no quarantined batch {id_!r}", field="id")
    return entry


@router.get("", dependencies=[Depends(read_access)], summary="List quarantined batches")
def list_entries(request: Request, ingestor: IngestorDep) -> dict[str, Any]:
    entries = [_jsonable(e) for e in _quarantine(request).list()]
    return {"entries": entries, "count": len(entries)}


@router.get(
    "/{id_}", dependencies=[Depends(read_access)], summary="One quarantined batch with its report"
)
def get_entry(id_: str, request: Request, ingestor: IngestorDep) -> Any:
    return _jsonable(_entry(request, id_))


@router.post(
    "/{id_}/resubmit",
    dependencies=[Depends(write_access)],
    summary="Re-submit a quarantined batch, optionally with a fixed body",
    responses={422: {"description": "still violates the shapes (stays quarantined)"}},
)
def resubmit(id_: str, request: Request, body: Body, ingestor: IngestorDep) -> JSONResponse:
    """Without a body the kept batch is re-validated as it is (useful after the shapes or the store
    changed)."""
    fixed: bytes | None = None
    if body.strip():
        ctype = media_type(request)
        if ctype != "application/json" and not ctype.endswith("+json"):
            raise UnsupportedMediaType(
                f"a fixed body must be JSON, got {ctype or 'none'}", field="Content-Type"
            )
        fixed = body
    _entry(request, id_)
    quarantine = _quarantine(request)
    result = locked(request, lambda: quarantine.resubmit(id_, ingestor, body=fixed))
    return ingest_response(result, resubmitted=id_)


@router.delete(
    "/{id_}",
    dependencies=[Depends(admin_access)],
    status_code=204,
    summary="Drop a quarantined batch",
)
def delete_entry(id_: str, request: Request, ingestor: IngestorDep) -> Response:
    _entry(request, id_)
    _quarantine(request).delete(id_)
    return Response(status_code=204)
