"""The app factory: ``create_app(settings)`` builds the FastAPI app; the lifespan opens and closes
the store.

State held on ``app.state`` while the app runs:

- ``settings``  the ``Settings``
- ``store``     the ``Store`` (opened from ``settings.store`` unless one is passed in)
- ``ingestor``  the ``Ingestor`` writing into the store, with its quarantine
- ``write_lock`` a ``threading.Lock`` serialising every write to the store (ingest, import, update)
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services._settings import Settings
from services.ingest import Ingestor, Quarantine

from ._errors import ERROR_TABLE, error_response
from ._static import mount_static
from .routes import (
    braid,
    capture,
    dfanalyzer,
    explore,
    graph_store,
    health,
    imports,
    index,
    linked_data,
    provlake,
    quarantine,
    questions,
    runs,
    sparql,
    versions,
)

if TYPE_CHECKING:
    from services.store import Store

__all__ = ["create_app"]


def _build_ingestor(store: Store, settings: Settings, write_lock: threading.Lock) -> Ingestor:
    return Ingestor(
        store,
        write_lock=write_lock,
        base_iri=settings.base_iri,
        quarantine=Quarantine(settings.quarantine_path()),
        validate=settings.validate_shapes,
        validator=settings.validator,
        max_records=settings.max_records,
    )


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """Build the manager app. ``store`` injects an open store (not closed by the app); otherwise the
    lifespan opens ``settings.store`` and closes it on shutdown."""
    settings = settings if settings is not None else Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from services.store import open_store

        opened = store if store is not None else open_store(settings.store)
        if hasattr(opened, "flush_every"):  # an embedded store: bound its write buffers
            opened.flush_every = settings.flush_every_quads
        app.state.store = opened
        app.state.write_lock = threading.Lock()
        try:
            app.state.ingestor = _build_ingestor(opened, settings, app.state.write_lock)
            yield
        finally:
            app.state.ingestor = None
            app.state.store = None
            if store is None:
                opened.close()

    app = FastAPI(
        title="provml manager",
        summary="PROV-ML provenance knowledge graph: capture, validation, SPARQL and linked data",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = None
    app.state.ingestor = None

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
            exc = _method_not_allowed(request, routes)
        return error_response(exc)

    for exc_type in {row[0][0] for row in ERROR_TABLE} | {StarletteHTTPException, Exception}:
        app.add_exception_handler(exc_type, handle)

    routers = (
        index,
        health,
        capture,
        provlake,
        dfanalyzer,
        imports,
        quarantine,
        questions,
        runs,
        explore,
        sparql,
        braid,
        versions,
    )
    routes = [*app.router.routes]
    for module in (*routers, graph_store, linked_data):
        app.include_router(module.router)
        routes += module.router.routes
    mount_static(app)
    return app


def _method_not_allowed(request: Request, routes: list) -> StarletteHTTPException:
    """A 405 whose ``Allow`` lists the methods of every route of the path (Starlette names only
    the first route's)."""
    allowed: set[str] = set()
    for route in routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            allowed |= getattr(route, "methods", None) or set()
    methods = ", ".join(sorted(allowed))
    return StarletteHTTPException(
        405,
        detail=f"{request.method} is not allowed on {request.url.path}; allowed: {methods}",
        headers={"Allow": methods},
    )
