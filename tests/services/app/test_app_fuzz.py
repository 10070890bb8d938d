"""Every route that reads a body, fed hostile JSON (deep nesting, non-finite number tokens, huge
numbers, wrong types): never a 5xx, always the JSON error body, and nothing written when refused.

The routes come from the app's own OpenAPI description, so a new route is fuzzed without editing
this file.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from services.app import create_app
from services.store import open_store

from .conftest import SAMPLE, settings

ADMIN = "adm"
PATH_VALUES = {"name": "upstream", "id_": "q-1"}

BODIES = {
    "deep-array": b"[" * 1500 + b"]" * 1500,
    "deep-object": b'{"a": ' * 1500 + b"1" + b"}" * 1500,
    "deep-records": b'{"schema": "provml/1", "records": ' + b"[" * 1500 + b"]" * 1500 + b"}",
    "nan": b'{"records": [NaN], "start": NaN, "hops": NaN, "name": NaN}',
    "infinity": b'[{"name": Infinity, "value": -Infinity}]',
    "huge-float": b'{"start": 1e999, "records": 1e999, "name": 1e999}',
    "huge-int": b'{"hops": ' + b"9" * 5000 + b"}",
    "string": b'"just a string"',
    "number": b"42",
    "null": b"null",
    "list-of-numbers": b"[1, 2, 3]",
    "wrong-types": b'{"schema": 7, "records": {"a": 1}, "start": [1], "hops": {"x": 1}}',
    "truncated": b'{"records": [',
    "not-utf8": b'{"name": "\xff\xfe"}',
}


def body_routes() -> list[tuple[str, str]]:
    app = create_app(settings())
    routes = []
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            if method in ("post", "put"):
                concrete = re.sub(r"{(\w+)}", lambda m: PATH_VALUES[m[1]], path)
                routes.append((method.upper(), concrete))
    return sorted(routes)


ROUTES = body_routes()


def test_the_routes_are_found() -> None:
    paths = {path for _, path in ROUTES}
    assert {"/api/v1/capture", "/api/v1/questions/upstream", "/sparql/update"} <= paths
    assert len(ROUTES) >= 10


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_hostile_json_is_never_a_5xx(method: str, path: str) -> None:
    with open_store("memory:") as store:
        store.add(SAMPLE)
        before = store.count()
        app = create_app(settings(admin_token=ADMIN), store=store)
        headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"}
        with TestClient(app, raise_server_exceptions=False) as client:
            for name, body in BODIES.items():
                response = client.request(method, path, content=body, headers=headers)
                assert response.status_code < 500, (name, response.text[:300])
                if response.status_code >= 400:
                    payload = response.json()
                    assert set(payload) == {"error", "message", "details"}, name
                    assert store.count() == before, name
            deep = client.request(method, path, content=BODIES["deep-array"], headers=headers)
            assert 400 <= deep.status_code < 500
