"""The knowledge graph for the web UI: lineage neighbourhoods of any node (with paging of big
fan-outs), the named description of any IRI (JSON, or its triples as Turtle, JSON-LD, N-Triples),
and names for a list of IRIs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from services.explore import describe_node, label_nodes, neighbourhood, neighbours, node_triples
from services.store import GraphResult, serialize_result

from .._cached import json_with_etag
from .._errors import BadRequest
from ..deps import JsonBody, SettingsDep, StoreDep, read_access

router = APIRouter(prefix="/api/v1", tags=["explore"], dependencies=[Depends(read_access)])

RDF_FORMATS = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "ntriples": "application/n-triples",
}
MAX_LABELS = 2000


@router.get(
    "/lineage",
    summary="Upstream and downstream of a node along PROV relations, up to a depth",
    responses={404: {"description": "nothing is known about the node"}},
)
def lineage(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    node: Annotated[str, Query(description="the node's IRI")],
    depth: Annotated[int, Query(ge=1, le=10, description="steps followed each way")] = 2,
    direction: Annotated[str, Query(pattern="^(up|down|both)$")] = "both",
    fanout: Annotated[
        int, Query(ge=1, le=200, description="neighbours shown per node and relation")
    ] = 12,
    max_nodes: Annotated[int, Query(ge=1, le=2000, description="nodes at most")] = 300,
) -> Response:
    answer = neighbourhood(
        store,
        node,
        depth=depth,
        direction=direction,
        fanout=fanout,
        max_nodes=max_nodes,
        timeout=settings.query_timeout,
    )
    return json_with_etag(request, answer)


@router.get(
    "/lineage/neighbours",
    summary="One page of a node's neighbours by one relation (what a group node stands for)",
    responses={404: {"description": "nothing is known about the node"}},
)
def lineage_neighbours(
    store: StoreDep,
    settings: SettingsDep,
    node: Annotated[str, Query(description="the node's IRI")],
    relation: Annotated[str, Query(description="the relation's IRI")],
    direction: Annotated[str, Query(pattern="^(up|down)$")],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    return neighbours(
        store,
        node,
        relation,
        direction,
        offset=offset,
        limit=limit,
        timeout=settings.query_timeout,
    )


@router.get(
    "/node",
    summary="Any IRI described: types, properties, incoming links, every IRI named",
    responses={
        200: {"content": {"application/json": {}, **{m: {} for m in RDF_FORMATS.values()}}},
        404: {"description": "nothing is known about the IRI"},
    },
)
def node(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    iri: Annotated[str, Query(description="the IRI")],
    format: Annotated[str, Query(pattern="^(json|turtle|jsonld|ntriples)$")] = "json",
) -> Response:
    if format == "json":
        return json_with_etag(request, describe_node(store, iri, timeout=settings.query_timeout))
    triples = node_triples(store, iri, timeout=settings.query_timeout)
    media = RDF_FORMATS[format]
    return Response(serialize_result(GraphResult(triples), media), media_type=media)


@router.post("/labels", summary="Names of IRIs: label, display type and kind of each")
def labels(body: JsonBody, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    import json

    try:
        value = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"the body is not JSON: {exc}", field="body") from exc
    iris = value.get("iris") if isinstance(value, dict) else None
    if not isinstance(iris, list) or not all(isinstance(i, str) for i in iris):
        raise BadRequest('the body must be {"iris": [IRI, ...]}', field="iris")
    if len(iris) > MAX_LABELS:
        raise BadRequest(f"at most {MAX_LABELS} IRIs at once, not {len(iris)}", field="iris")
    return {"labels": label_nodes(store, iris, timeout=settings.query_timeout)}
