"""Native PROV-ML capture batches from the client library (docs/capture-format.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from .._ingesting import ingest_response
from ..deps import IngestorDep, JsonBody, write_access

router = APIRouter(prefix="/api/v1", tags=["capture"])

_ERRORS = {
    400: {"description": "malformed batch (names the field); nothing written"},
    401: {"description": "missing or invalid bearer token"},
    413: {"description": "body or batch too large"},
    415: {"description": "not JSON"},
    422: {"description": "SHACL violation: the batch is quarantined, the report is in details"},
}


@router.post(
    "/capture",
    dependencies=[Depends(write_access)],
    summary="Ingest a batch of capture records",
    responses=_ERRORS,
)
def capture(body: JsonBody, ingestor: IngestorDep) -> JSONResponse:
    """Map the batch to PROV-ML, validate it and commit it atomically; answers after the commit."""
    return ingest_response(ingestor.ingest_batch(body))
