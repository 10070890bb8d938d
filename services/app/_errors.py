"""Errors of the HTTP layer, and the one table mapping every exception type to an HTTP status and an
error code.

The app's own exceptions, one root::

    AppError                      a request the service refuses
    ├── BadRequest                malformed parameters or body (names the field)            → 400
    ├── InvalidSparql             SPARQL that does not parse (names the field)               → 400
    ├── Unauthorized              no or wrong bearer token                                   → 401
    ├── Forbidden                 the token is valid but not allowed to do this              → 403
    ├── NotFound                  unknown resource (IRI, quarantine entry)                   → 404
    ├── NotAcceptable             no representation matches the Accept header                → 406
    ├── Conflict                  an update the store refuses as it is (names the field)     → 409
    ├── PayloadTooLarge           the body exceeds ``max_body_bytes``                        → 413
    ├── UnsupportedMediaType      wrong Content-Type                                         → 415
    └── ServiceUnavailable        the store does not answer                                  → 503

Exceptions of the other layers (ingest, store, provdoc, queryengine, explore, egress, FastAPI's own)
are mapped by ``ERROR_TABLE`` too; so is ``RecursionError``, which only input nested deeper than a
parser's recursion limit raises here (400 ``too_deeply_nested``, naming the body). Every body is
``{"error": code, "message": text, "details": ...}``; for bad input ``details`` lists
``{"field", "message"}`` pairs, for a SHACL violation it holds the quarantine id and the
violations (focus node, path, message).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from queryengine import QueryEngineError, UnsupportedQuestionError
from services._egress import EgressError, EndpointNotAllowed, EndpointUnavailable
from services.explore import ExploreError, UnknownNode
from services.ingest import (
    BatchTooLarge,
    IngestError,
    InvalidBatch,
    NotInQuarantine,
    ShapeViolation,
    UnknownReference,
    VersionConflict,
)
from services.provdoc import ProvDocumentError, UnsupportedFormatError
from services.store import (
    QueryRefusedError,
    ResultTruncatedError,
    StoreError,
    UpdateConflictError,
)

__all__ = [
    "ERROR_TABLE",
    "AppError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "InvalidSparql",
    "NotAcceptable",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "Unauthorized",
    "UnsupportedMediaType",
    "error_body",
    "error_response",
    "json_safe",
    "status_for",
]

logger = logging.getLogger("provml.app")


class AppError(Exception):
    """Root of the errors raised by the HTTP layer; ``field`` names the offending input when there
    is one."""

    def __init__(self, message: str, *, field: str | None = None, details: Any = None) -> None:
        self.message = message
        self.field = field
        self.details = details
        super().__init__(message)


class BadRequest(AppError):
    """A parameter or the body is malformed."""


class InvalidSparql(AppError):
    """A SPARQL query or update that does not parse."""


class Conflict(AppError):
    """A valid request the store refuses in its present state (``CREATE GRAPH`` of an existing
    graph, ``DROP GRAPH`` of a missing one)."""


class Unauthorized(AppError):
    """The request carries no valid bearer token."""


class Forbidden(AppError):
    """The token is valid but not allowed to do this."""


class NotFound(AppError):
    """The resource does not exist."""


class NotAcceptable(AppError):
    """No representation of the resource matches the Accept header."""


class PayloadTooLarge(AppError):
    """The request body is larger than the configured limit."""


class UnsupportedMediaType(AppError):
    """The request's Content-Type is not one the endpoint reads."""


class ServiceUnavailable(AppError):
    """The store does not answer."""


# (exception types, HTTP status, error code): the one place where errors become HTTP. A row matches
# an exception that is an instance of every type of the row; the first matching row wins, so
# specific rows come first. Store errors are matched by the builtin they also derive from (see
# services.store).
ERROR_TABLE: list[tuple[tuple[type[BaseException], ...], int, str | None]] = [
    ((BadRequest,), 400, "bad_request"),
    ((InvalidSparql,), 400, "query_syntax"),
    ((Conflict,), 409, "update_conflict"),
    ((Unauthorized,), 401, "unauthorized"),
    ((Forbidden,), 403, "forbidden"),
    ((NotFound,), 404, "not_found"),
    ((NotAcceptable,), 406, "not_acceptable"),
    ((PayloadTooLarge,), 413, "body_too_large"),
    ((UnsupportedMediaType,), 415, "unsupported_media_type"),
    ((ServiceUnavailable,), 503, "store_unavailable"),
    ((RequestValidationError,), 400, "invalid_request"),
    ((EndpointNotAllowed,), 403, "endpoint_not_allowed"),
    ((EndpointUnavailable,), 502, "endpoint_unavailable"),
    ((RecursionError,), 400, "too_deeply_nested"),
    ((BatchTooLarge,), 413, "batch_too_large"),
    ((VersionConflict,), 409, "version_conflict"),
    ((InvalidBatch,), 400, "invalid_batch"),
    ((UnknownReference,), 422, "unknown_reference"),
    ((ShapeViolation,), 422, "shape_violation"),
    ((NotInQuarantine,), 404, "not_found"),
    ((UnknownNode,), 404, "not_found"),
    ((ExploreError,), 400, "bad_request"),
    ((IngestError,), 400, "ingest_error"),
    ((UnsupportedFormatError,), 400, "unsupported_format"),
    ((ProvDocumentError,), 400, "invalid_document"),
    # unknown question, missing or ill-typed parameter: the code of the exception itself
    ((UnsupportedQuestionError,), 422, "question_unsupported"),
    ((QueryEngineError,), 400, None),
    ((QueryRefusedError,), 422, "query_refused"),
    ((ResultTruncatedError,), 502, "result_truncated"),
    ((StoreError, SyntaxError), 400, "query_syntax"),
    ((UpdateConflictError,), 409, "update_conflict"),
    ((StoreError, TimeoutError), 503, "query_timeout"),
    ((StoreError, ValueError), 400, "invalid_data"),
    ((StoreError, OSError), 503, "store_unavailable"),
    ((StoreError, RuntimeError), 503, "store_unavailable"),
    ((StoreError,), 500, "store_error"),
]

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def status_for(exc: BaseException) -> tuple[int, str]:
    """The (status, code) of the first table row the exception matches; (500, "internal") when
    none."""
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error")
    for types, status, code in ERROR_TABLE:
        if all(isinstance(exc, t) for t in types):
            return status, code or getattr(exc, "code", "bad_request")
    return 500, "internal"


def _validation_details(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        details.append({"field": ".".join(loc), "message": err.get("msg", "invalid")})
    first = details[0] if details else {"field": "", "message": "invalid request"}
    return f"{first['field']}: {first['message']}", details


def error_body(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and JSON body for an exception."""
    status, code = status_for(exc)
    details: Any = None
    if isinstance(exc, RequestValidationError):
        message, details = _validation_details(exc)
    elif isinstance(exc, StarletteHTTPException):
        message = str(exc.detail)
    elif isinstance(exc, ShapeViolation):
        message = str(exc)
        details = {"quarantine_id": exc.quarantine_id, "violations": exc.report}
    elif isinstance(exc, InvalidBatch):
        message = str(exc)
        details = exc.details
    elif isinstance(exc, NotInQuarantine):
        message = (
            f"no quarantined batch {exc.args[0]!r}" if exc.args else "no such quarantined batch"
        )
        details = [{"field": "id", "message": message}]
    elif isinstance(exc, ProvDocumentError):
        message = str(exc)
        field = "format" if isinstance(exc, UnsupportedFormatError) else "body"
        details = [{"field": field, "message": message}]
    elif isinstance(exc, ExploreError):
        message = exc.message
        details = [{"field": exc.field, "message": exc.message}]
    elif isinstance(exc, QueryEngineError):
        message = exc.message
        details = exc.details
    elif isinstance(exc, EgressError):
        message = exc.message
        details = [{"field": exc.field, "message": message, "url": exc.url}]
    elif isinstance(exc, RecursionError):
        message = "the body is nested too deeply to be read"
        details = [{"field": "body", "message": message}]
    elif isinstance(exc, AppError):
        message = exc.message
        details = exc.details
        if exc.field is not None:
            details = [{"field": exc.field, "message": exc.message}]
    elif status == 500:
        message = "internal error (see the server log)"
    else:
        message = str(exc) or type(exc).__name__
    if status == 503 and not isinstance(exc, AppError):
        message = f"the store is unavailable: {message}" if code == "store_unavailable" else message
    return status, {"error": code, "message": message, "details": details}


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by its XSD spelling (``NaN``, ``INF``,
    ``-INF``), which JSON cannot carry as a number.

    >>> json_safe({"rows": [{"value": float("nan")}, {"value": float("-inf")}], "n": 1.5})
    {'rows': [{'value': 'NaN'}, {'value': '-INF'}], 'n': 1.5}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF")
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def error_response(exc: BaseException) -> JSONResponse:
    """The JSON response for an exception (logs unexpected ones with their traceback)."""
    status, body = error_body(exc)
    if status == 500:
        logger.error("unhandled error", exc_info=exc)
    elif isinstance(exc, RecursionError | EndpointUnavailable):
        logger.warning("%s: %s", type(exc).__name__, exc)
    body = json_safe(body)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        headers = {**(headers or {}), **exc.headers}
    return JSONResponse(body, status_code=status, headers=headers)
