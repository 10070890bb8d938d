"""The question catalogue over HTTP: list the named questions and run one with parameters (JSON
rows).

``GET /api/v1/questions`` lists them; ``GET /api/v1/questions/{name}?param=value`` and ``POST`` with
a JSON object of parameters run one. An unknown question, or a missing, unknown or ill-typed
parameter, is a 400 with the body ``{"error": code, "message": ..., "details": {...}}`` naming it
(the manager's error table, ``services.app._errors``, turns the exceptions into responses).
The store is ``request.app.state.store``; the base IRI and the query timeout come from
``request.app.state.settings`` when it has ``base_iri`` / ``query_timeout``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from queryengine import ParameterError, catalogue, get_question, run_question
from services.app._errors import BadRequest, ServiceUnavailable
from services.app.deps import read_access

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/questions", tags=["questions"], dependencies=[Depends(read_access)]
)


@router.get("", summary="List the named questions")
def list_questions() -> dict[str, Any]:
    return {"questions": [q.describe() for q in catalogue().values()]}


@router.get("/{name}", summary="Run a question with parameters from the query string")
def run_get(name: str, request: Request) -> JSONResponse:
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise ParameterError(f"parameter {key!r} is given more than once", parameter=key)
        params[key] = value
    return _run(request, name, params)


@router.post("/{name}", summary="Run a question with a JSON object of parameters")
async def run_post(name: str, request: Request) -> JSONResponse:
    raw = await request.body()
    try:
        params = json.loads(raw) if raw.strip() else {}
    except ValueError as e:
        raise BadRequest(f"the body is not JSON: {e}", field="body") from e
    if not isinstance(params, dict):
        raise BadRequest("the body must be a JSON object of parameters", field="body")
    return _run(request, name, params)


def _run(request: Request, name: str, params: dict[str, Any]) -> JSONResponse:
    settings = getattr(request.app.state, "settings", None)
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise ServiceUnavailable("the store is not open")
    rows = run_question(
        get_question(name),
        store=store,
        params=params,
        base_iri=getattr(settings, "base_iri", None),
        timeout=getattr(settings, "query_timeout", None),
    )
    return _RowsResponse({"question": name, "columns": rows.columns, "rows": list(rows)})


class _RowsResponse(JSONResponse):
    """JSON rows; a NaN or infinite double (a diverged metric) is written as the ``NaN`` /
    ``Infinity`` / ``-Infinity`` token, as in the capture format (docs/capture-format.md)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, allow_nan=True).encode()
