"""``GET /``: the web UI for browsers (``Accept`` preferring ``text/html``), else a JSON index of
the manager's API: links to its docs, OpenAPI, SPARQL, questions and health as paths on this
server. JSON stays the answer to clients that ask for JSON, for anything (``*/*``) or for
nothing."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from .._negotiation import choose
from .._static import ui_page

router = APIRouter(tags=["index"])

LINKS = {
    "ui": "/",
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
    "runs": "/api/v1/runs",
    "lineage": "/api/v1/lineage",
    "node": "/api/v1/node",
}


@router.get(
    "/",
    summary="The web UI (Accept: text/html), else an index of the API: links to its parts",
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
def index(request: Request) -> Response:
    headers = {"Vary": "Accept"}
    if choose(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html":
        return HTMLResponse(ui_page(), headers=headers)
    app = request.app
    return JSONResponse(
        {
            "name": "provml manager",
            "description": app.summary,
            "version": app.version,
            "base_iri": app.state.settings.base_iri,
            "links": LINKS,
        },
        headers=headers,
    )
