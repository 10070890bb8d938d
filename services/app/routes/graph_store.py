"""The SPARQL 1.1 Graph Store Protocol, reading: ``GET /store?graph=IRI`` (one named graph),
``GET /store?default`` (the default graph: the union of the named graphs, as for queries) and
``GET /store`` (every graph, as N-Quads or TriG, as ``oxigraph serve`` answers). ``HEAD`` answers
the same headers. A graph that holds no triple is a 404, never an empty answer. Writes go through
capture, import and SPARQL Update, not through this endpoint.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from services.store import GRAPH_MEDIA_TYPES, GraphResult, serialize_result

from .._errors import BadRequest, NotAcceptable, NotFound
from .._negotiation import choose
from ..deps import SettingsDep, StoreDep, read_access

router = APIRouter(tags=["sparql"])

DATASET_MEDIA_TYPES = ("application/n-quads", "application/trig")
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _graph(request: Request) -> str | None:
    values = request.query_params.getlist("graph")
    if "default" in request.query_params and values:
        raise BadRequest("give graph=IRI or default, not both", field="graph")
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest("give one graph=IRI", field="graph")
    try:
        return ox.NamedNode(values[0]).value
    except ValueError as exc:
        raise BadRequest(f"graph {values[0]!r} is not an IRI: {exc}", field="graph") from exc


def _media_type(request: Request, offers: tuple[str, ...]) -> str:
    chosen = choose(request.headers.get("accept"), offers)
    if chosen is None:
        raise NotAcceptable(
            f"cannot send this as {request.headers.get('accept')}; available: {', '.join(offers)}",
            field="Accept",
        )
    return chosen


_DOC = {
    "responses": {
        200: {"content": {m: {} for m in (*GRAPH_MEDIA_TYPES, *DATASET_MEDIA_TYPES)}},
        404: {"description": "the graph holds no triple"},
    },
    "dependencies": [Depends(read_access)],
}


@router.head("/store", summary="Graph Store Protocol: the headers of a read", **_DOC)
@router.get("/store", summary="Graph Store Protocol: a graph, the default graph or all", **_DOC)
def read_graph(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    graph = _graph(request)
    if graph is None and "default" not in request.query_params:
        chosen = _media_type(request, DATASET_MEDIA_TYPES)
        data = store.dump(ox.RdfFormat.from_media_type(chosen))
    elif graph is None:
        chosen = _media_type(request, GRAPH_MEDIA_TYPES)
        union = store.query(_UNION, timeout=settings.query_timeout)
        data = serialize_result(
            union if isinstance(union, GraphResult) else GraphResult([]), chosen
        )
    else:
        chosen = _media_type(request, GRAPH_MEDIA_TYPES)
        if store.count(graph) == 0:
            raise NotFound(f"no graph <{graph}> in the store", field="graph")
        data = store.dump(ox.RdfFormat.from_media_type(chosen), graph)
    return Response(data, media_type=chosen, headers={"Vary": "Accept"})
