"""``GET /``: a JSON index of the manager's API, links to its docs, OpenAPI, SPARQL, questions and
health as paths on this server. JSON whatever the Accept header says, for now: a web UI will later
answer browsers here (``Accept: text/html``), and ``application/json`` keeps this index."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["index"])

LINKS = {
    "docs": "/docs",
    "openapi": "/openapi.json",
    "health": "/health/ready",
    "live": "/health/live",
    "sparql": "/sparql",
    "sparql_update": "/sparql/update",
    "graph_store": "/store",
    "questions": "/api/v1/questions",
    "capture": "/api/v1/capture",
    "import": "/api/v1/import/prov",
    "quarantine": "/api/v1/quarantine",
}


@router.get("/", summary="Index of the API: links to its parts")
def index(request: Request) -> dict[str, Any]:
    app = request.app
    return {
        "name": "provml manager",
        "description": app.summary,
        "version": app.version,
        "base_iri": app.state.settings.base_iri,
        "links": LINKS,
    }
