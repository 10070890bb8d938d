"""The question catalogue over HTTP: list the named questions and run one with parameters (JSON
rows).

``GET /api/v1/questions`` lists them; ``GET /api/v1/questions/{name}?param=value`` and ``POST`` with
a JSON object of parameters run one. An unknown question, or a missing, unknown or ill-typed
parameter, is a 400 with the body ``{"error": code, "message": ..., "details": {...}}`` naming it
(the manager's error table, ``services.app._errors``, turns the exceptions into responses); so is a
number that is not finite (``NaN``, ``Infinity``, ``1e999``) or a body nested too deeply. An
``endpoint`` parameter must name an allowed endpoint (403 ``endpoint_not_allowed``), and an
endpoint that fails is a 502 ``endpoint_unavailable``, both naming the parameter.

Every route is a plain ``def``: FastAPI runs it in the threadpool, so a slow question never holds
the event loop (``/health/live`` keeps answering, and a question whose ``SERVICE`` is this manager
itself can be answered). The store, base IRI and query timeout come from the app's dependencies.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from queryengine import ParameterError, catalogue, get_question, run_question
from services._egress import EgressError

from .._errors import BadRequest, json_safe
from ..deps import Body, SettingsDep, StoreDep, read_access

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/questions", tags=["questions"], dependencies=[Depends(read_access)]
)


class _NotFinite(str):
    """A JSON number token with no finite value (``NaN``, ``Infinity``, ``1e999``)."""


def _number(text: str) -> float | _NotFinite:
    value = float(text)
    return value if math.isfinite(value) else _NotFinite(text)


def _parameters(raw: bytes) -> dict[str, Any]:
    """The JSON object of parameters; non-finite numbers are refused naming their parameter."""
    if not raw.strip():
        return {}
    try:  # a RecursionError (nesting too deep) is a 400 of the error table
        params = json.loads(raw, parse_constant=_NotFinite, parse_float=_number)
    except ValueError as e:
        raise BadRequest(f"the body is not JSON: {e}", field="body") from e
    if not isinstance(params, dict):
        raise BadRequest("the body must be a JSON object of parameters", field="body")
    for key, value in params.items():
        if isinstance(value, _NotFinite):
            raise ParameterError(
                f"parameter {key!r} must be a finite number, not {value}",
                parameter=key,
                value=str(value),
            )
    return params


@router.get("", summary="List the named questions")
def list_questions() -> dict[str, Any]:
    return {"questions": [q.describe() for q in catalogue().values()]}


@router.get("/{name}", summary="Run a question with parameters from the query string")
def run_get(name: str, request: Request, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    params: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key in params:
            raise ParameterError(f"parameter {key!r} is given more than once", parameter=key)
        params[key] = value
    return _run(name, params, store, settings)


@router.post("/{name}", summary="Run a question with a JSON object of parameters")
def run_post(name: str, body: Body, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    return _run(name, _parameters(body), store, settings)


def _run(name: str, params: dict[str, Any], store: StoreDep, settings: SettingsDep) -> JSONResponse:
    question = get_question(name)
    try:
        rows = run_question(
            question,
            store=store,
            params=params,
            base_iri=settings.base_iri,
            timeout=settings.query_timeout,
        )
    except EgressError as e:
        # the SERVICE target came from the question's endpoint parameter: name it
        e.field = next((p.name for p in question.parameters if p.base == "endpoint"), e.field)
        raise
    body = {"question": name, "columns": rows.columns, "rows": json_safe(list(rows))}
    return JSONResponse(body)
