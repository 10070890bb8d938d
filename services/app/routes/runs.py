"""Runs for the web UI: the table (paged, sorted, filtered, searched), one run, its metric series,
its W3C PROV export and a comparison of runs. Answers carry an ETag for polling clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.explore import (
    RunsQuery,
    compare_runs,
    metric_series,
    resolve_run,
    run_detail,
    run_rows,
    runs_table,
)

from .._cached import json_with_etag
from ..deps import SettingsDep, StoreDep, read_access

router = APIRouter(prefix="/api/v1", tags=["runs"], dependencies=[Depends(read_access)])

_NOT_FOUND = {404: {"description": "no such run"}, 304: {"description": "not modified"}}


@router.get("/runs", summary="The runs table: one page, sorted, filtered and searched")
def list_runs(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0, description="rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="rows in the page")] = 50,
    sort: Annotated[
        str,
        Query(
            description="column: name, run, study, status, started, duration, "
            "hp.NAME, metric.NAME (final value), best.NAME"
        ),
    ] = "started",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    q: Annotated[
        str | None, Query(max_length=200, description="words every row must contain")
    ] = None,
    status: Annotated[
        list[str] | None, Query(description="only runs with these statuses (running, finished...)")
    ] = None,
    experiment: Annotated[str | None, Query(description="only runs of this experiment")] = None,
    filter: Annotated[
        list[str] | None, Query(description="COLUMN OP VALUE, OP one of = != < <= > >= ~")
    ] = None,
) -> Response:
    rows = run_rows(store, base_iri=settings.base_iri, timeout=settings.query_timeout)
    query = RunsQuery(
        offset=offset,
        limit=limit,
        sort=sort,
        order=order,
        q=q,
        status=tuple(status or ()),
        experiment=experiment,
        filters=tuple(filter or ()),
    )
    return json_with_etag(request, runs_table(rows, query))


@router.get(
    "/runs/{run}",
    summary="One run: settings, environment, data, models, timeline",
    responses=_NOT_FOUND,
)
def get_run(run: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    detail = run_detail(store, run, base_iri=settings.base_iri, timeout=settings.query_timeout)
    return json_with_etag(request, detail)


@router.get(
    "/runs/{run}/metrics",
    summary="Every value of the run's measures, as series",
    responses=_NOT_FOUND,
)
def get_metrics(
    run: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    measure: Annotated[str | None, Query(description="one measure (name or IRI)")] = None,
) -> Response:
    series = metric_series(
        store, run, measure=measure, base_iri=settings.base_iri, timeout=settings.query_timeout
    )
    return json_with_etag(request, series)


@router.get(
    "/runs/{run}/prov",
    summary="The run as a W3C PROV document (PROV-N, PROV-JSON, PROV-XML, RDF, a picture)",
    responses={404: {"description": "no such run"}},
)
def export_prov(
    run: str,
    store: StoreDep,
    settings: SettingsDep,
    format: Annotated[
        str, Query(description="provn, provjson, provxml, turtle, jsonld, svg...")
    ] = "provn",
) -> Response:
    from services.provdoc import export_run, get_format

    row = resolve_run(store, run, base_iri=settings.base_iri, timeout=settings.query_timeout)
    fmt = get_format(format)
    body = export_run(store, row["iri"], fmt.name, base_iri=settings.base_iri)
    return Response(body, media_type=fmt.media_type)


@router.get(
    "/compare",
    summary="Runs side by side: hyperparameters (differences marked), metrics",
    responses={404: {"description": "a run is unknown"}},
)
def compare(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    runs: Annotated[str, Query(description="2 to 20 run ids or IRIs, comma-separated")],
) -> Response:
    answer = compare_runs(
        store, runs.split(","), base_iri=settings.base_iri, timeout=settings.query_timeout
    )
    return json_with_etag(request, answer)
