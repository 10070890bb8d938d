"""Version graphs for the web UI: the objects that have versions and one object's graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from services.explore import version_graph, versioned_objects

from .._cached import json_with_etag
from ..deps import SettingsDep, StoreDep, read_access

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["versions"], dependencies=[Depends(read_access)])


@router.get("/versions", summary="Every object with versions: kind, name, versions, revisions")
def list_objects(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    objects = versioned_objects(store, timeout=settings.query_timeout)
    return json_with_etag(request, {"objects": objects})


@router.get(
    "/versions/{kind}/{name}",
    summary="One object's version graph: its versions and the weighted revisions between them",
    responses={404: {"description": "no object of that kind and name has versions"}},
)
def get_graph(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    kind: Annotated[str, Path(description="dataset, algorithm, model, ...")],
    name: Annotated[str, Path(description="the object's name")],
) -> Response:
    graph = version_graph(store, kind, name, timeout=settings.query_timeout)
    return json_with_etag(request, graph)
