"""Import of W3C PROV documents (PROV-JSON, PROV-XML, PROV-N, PROV-JSONLD) and PROV-O RDF.

``POST /api/v1/import/prov?format=NAME[&name=NAME]``: the format comes from ``format`` or, when it
is unambiguous, from the Content-Type; the document lands in the named graph
``{base}graph/import/{name}`` (``name`` defaults to a digest of the content, so importing the same
document twice adds nothing).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from services.provdoc import IMPORT_FORMATS, get_format, import_document

from .._errors import BadRequest
from .._ingesting import ingest_response
from ..deps import Body, IngestorDep, SettingsDep, media_type, write_access

router = APIRouter(prefix="/api/v1/import", tags=["import"])


def _format_for(request: Request, given: str | None) -> str:
    if given:
        return given
    ctype = media_type(request)
    names = [n for n in IMPORT_FORMATS if get_format(n, for_import=True).media_type == ctype]
    if len(names) == 1:
        return names[0]
    hint = f"one of {', '.join(names)}" if names else f"one of {', '.join(IMPORT_FORMATS)}"
    raise BadRequest(
        f"cannot tell the document format from Content-Type {ctype or 'none'}: pass format={hint}",
        field="format",
    )


@router.post(
    "/prov",
    dependencies=[Depends(write_access)],
    summary="Import a PROV or PROV-O document",
    responses={400: {"description": "unknown format or unreadable document; nothing written"}},
)
def import_prov(
    request: Request,
    body: Body,
    ingestor: IngestorDep,
    settings: SettingsDep,
    format: Annotated[str | None, Query(description=f"one of {', '.join(IMPORT_FORMATS)}")] = None,
    name: Annotated[str | None, Query(description="name of the import graph")] = None,
) -> JSONResponse:
    fmt = _format_for(request, format)
    quads = import_document(body, fmt, base_iri=settings.base_iri, name=name)
    source = f"import:{fmt}"
    return ingest_response(ingestor.ingest_quads(quads, source=source))
