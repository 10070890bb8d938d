"""The quarantine: batches that violated the shapes, kept with the report until fixed or dropped."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from .._errors import UnsupportedMediaType
from .._ingesting import ingest_response
from ..deps import Body, IngestorDep, admin_access, media_type, read_access, write_access

router = APIRouter(prefix="/api/v1/quarantine", tags=["quarantine"])


def _batch(raw: bytes) -> Any:
    """The kept batch as JSON when it is JSON (capture, ProvLake), else as text (N-Quads)."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


@router.get("", dependencies=[Depends(read_access)], summary="List quarantined batches")
def list_entries(ingestor: IngestorDep) -> dict[str, Any]:
    """Summaries, oldest first: id, received, source, records, triples, violations."""
    entries = ingestor.quarantine.list()
    return {"entries": entries, "count": len(entries)}


@router.get(
    "/{id_}",
    dependencies=[Depends(read_access)],
    summary="One quarantined batch with its SHACL report",
    responses={404: {"description": "no such entry"}},
)
def get_entry(id_: str, ingestor: IngestorDep) -> dict[str, Any]:
    entry = ingestor.quarantine.get(id_)
    return {**entry.summary(), "report": entry.report, "batch": _batch(entry.batch)}


@router.post(
    "/{id_}/resubmit",
    dependencies=[Depends(write_access)],
    summary="Re-submit a quarantined batch, optionally with a fixed body",
    responses={422: {"description": "still violates the shapes (the entry is updated)"}},
)
def resubmit(id_: str, request: Request, body: Body, ingestor: IngestorDep) -> JSONResponse:
    """Without a body the kept batch is validated again as it is (after the store or the shapes
    changed); with a body (the fixed batch, JSON) that body replaces it. On success the entry
    goes."""
    fixed: bytes | None = None
    if body.strip():
        ctype = media_type(request)
        if ctype != "application/json" and not ctype.endswith("+json"):
            raise UnsupportedMediaType(
                f"a fixed batch must be JSON, got {ctype or 'none'}", field="Content-Type"
            )
        fixed = body
    result = ingestor.resubmit(id_, body=fixed)
    return ingest_response(result, resubmitted=id_)


@router.delete(
    "/{id_}",
    dependencies=[Depends(admin_access)],
    status_code=204,
    summary="Drop a quarantined batch (admin token)",
)
def delete_entry(id_: str, ingestor: IngestorDep) -> Response:
    ingestor.quarantine.delete(id_)
    return Response(status_code=204)
