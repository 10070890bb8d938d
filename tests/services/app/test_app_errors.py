"""The error table, the JSON error body, body limits, readiness and the package's public face."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

import services.app
from services.app import ERROR_TABLE, create_app
from services.app._errors import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    error_body,
    status_for,
)
from services.ingest import BatchTooLarge, IngestError, InvalidBatch, ShapeViolation
from services.store import StoreError, open_store

from .conftest import settings


class _Syntax(StoreError, SyntaxError):
    pass


class _Timeout(StoreError, TimeoutError):
    pass


class _Down(StoreError, OSError):
    pass


class _BadData(StoreError, ValueError):
    pass


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (BadRequest("x"), 400, "bad_request"),
        (Unauthorized("x"), 401, "unauthorized"),
        (Forbidden("x"), 403, "forbidden"),
        (NotFound("x"), 404, "not_found"),
        (NotAcceptable("x"), 406, "not_acceptable"),
        (PayloadTooLarge("x"), 413, "body_too_large"),
        (UnsupportedMediaType("x"), 415, "unsupported_media_type"),
        (ServiceUnavailable("x"), 503, "store_unavailable"),
        (RequestValidationError([]), 400, "invalid_request"),
        (InvalidBatch("records[0].type", "unknown record type"), 400, "invalid_batch"),
        (BatchTooLarge("records", "too many"), 413, "batch_too_large"),
        (ShapeViolation([{"message": "m"}], "q1"), 422, "shape_violation"),
        (IngestError("x"), 400, "ingest_error"),
        (_Syntax("x"), 400, "query_syntax"),
        (_Timeout("x"), 503, "query_timeout"),
        (_Down("x"), 503, "store_unavailable"),
        (_BadData("x"), 400, "invalid_data"),
        (StoreError("x"), 500, "store_error"),
        (KeyError("x"), 500, "internal"),
        (ValueError("x"), 500, "internal"),
    ],
)
def test_table(exc: BaseException, status: int, code: str) -> None:
    assert status_for(exc) == (status, code)


def test_every_row_has_a_4xx_or_5xx_status() -> None:
    assert all(400 <= status < 600 for _, status, _ in ERROR_TABLE)


def test_bodies_carry_the_details() -> None:
    status, body = error_body(InvalidBatch("records[2].value", "must be a scalar"))
    assert status == 400
    assert body["error"] == "invalid_batch"
    assert "records[2].value" in body["message"]
    assert body["details"] == [{"field": "records[2].value", "message": "must be a scalar"}]
    report = [{"focus": "http://x", "path": "http://p", "message": "needs a value"}]
    status, body = error_body(ShapeViolation(report, "q-7"))
    assert (status, body["details"]) == (422, {"quarantine_id": "q-7", "violations": report})
    status, body = error_body(_Down("connection refused"))
    assert (status, body["message"]) == (503, "the store is unavailable: connection refused")
    status, body = error_body(RuntimeError("secret internals"))
    assert (status, body["error"]) == (500, "internal")
    assert "secret" not in body["message"]


def test_request_validation_names_the_field(client: TestClient) -> None:
    r = client.post(
        "/retrospective-provenance",
        params={"with_validation": "perhaps"},
        content=b"[]",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_request"
    assert body["details"][0]["field"] == "query.with_validation"


def test_unknown_route_and_method(client: TestClient) -> None:
    r = client.get("/nowhere")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    r = client.delete("/sparql")
    assert (r.status_code, r.json()["error"]) == (405, "method_not_allowed")


def test_declared_body_over_the_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=64)
    r = client.post(
        "/sparql", content=b"A" * 65, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413
    assert r.json()["error"] == "body_too_large"
    assert r.json()["details"][0]["field"] == "body"
    ok = client.post(
        "/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert ok.status_code == 200


def test_streamed_body_over_the_limit_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_body_bytes=64)

    def chunks():
        for _ in range(10):
            yield b"A" * 16

    r = client.post(
        "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json()["error"] == "body_too_large"


def test_ready_follows_the_store() -> None:
    store = open_store("memory:")
    with TestClient(create_app(settings(), store=store)) as client:
        assert client.get("/health/live").json() == {"status": "live"}
        assert client.get("/health/ready").json() == {"status": "ready", "store": "memory:"}
        store.close()
        r = client.get("/health/ready")
        assert r.status_code == 503
        assert r.json()["error"] == "store_unavailable"
        assert client.get("/health/live").status_code == 200
        r = client.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 503


def test_openapi_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/capture", "/sparql", "/sparql/update", "/id/{path}", "/health/ready"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_public_api() -> None:
    assert services.app.__all__ == ["ERROR_TABLE", "AppError", "Settings", "create_app"]
    for name in services.app.__all__:
        assert hasattr(services.app, name)


def test_the_flush_setting_reaches_an_embedded_store(tmp_path) -> None:
    from services.store._oxigraph import DEFAULT_FLUSH_EVERY

    with open_store(f"oxigraph:{tmp_path / 'store'}") as store:
        assert store.flush_every == DEFAULT_FLUSH_EVERY
        with TestClient(create_app(settings(flush_every_quads=1234), store=store)):
            assert store.flush_every == 1234
