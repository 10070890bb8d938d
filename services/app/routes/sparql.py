"""The SPARQL 1.1 Protocol: queries at ``/sparql`` and ``/query`` (GET, POST form, POST
``application/sparql-query``), results negotiated by Accept; updates at ``/sparql/update`` and
``/update``, only with the admin token. ``/query`` and ``/update`` are the paths of ``oxigraph
serve``, so a ``sparql+http://HOST:PORT`` store URI reaches a manager as it is.

The default graph of a query is the union of all graphs unless the request gives a dataset
(``default-graph-uri``, ``named-graph-uri``); an update's ``WHERE`` reads the dataset of its
``using-graph-uri`` / ``using-named-graph-uri``. Relative IRIs resolve against the base of minted
IRIs (``base_iri``). ``LOAD`` is refused (403): the manager does not fetch URLs or read files on a
client's behalf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Depends, Request, Response

from services.store import (
    GRAPH_MEDIA_TYPES,
    SOLUTIONS_MEDIA_TYPES,
    GraphResult,
    UpdateConflictError,
    serialize_result,
)

from .._errors import Conflict, Forbidden, InvalidSparql, NotAcceptable
from .._negotiation import choose
from .._sparql_protocol import Operation, read_operation
from .._update_text import has_load, with_using
from ..deps import Body, SettingsDep, StoreDep, admin_access, read_access

router = APIRouter(tags=["sparql"])

_QUERY_DOC = {
    "description": "SPARQL results, in the format chosen by Accept",
    "content": {m: {} for m in (*SOLUTIONS_MEDIA_TYPES, *GRAPH_MEDIA_TYPES)},
}
_T = TypeVar("_T")


def _evaluate(call: Callable[[], _T], field: str) -> _T:
    """Run a store call, naming the request field in the errors the SPARQL text causes."""
    try:
        return call()
    except SyntaxError as exc:
        raise InvalidSparql(f"invalid SPARQL {field}: {exc}", field=field) from exc
    except UpdateConflictError as exc:
        raise Conflict(
            f"the update cannot apply to the store as it is: {exc}", field=field
        ) from exc


def _answer(request: Request, store: StoreDep, settings: SettingsDep, op: Operation) -> Response:
    result = _evaluate(
        lambda: store.query(
            op.text,
            timeout=settings.query_timeout,
            base_iri=settings.base_iri,
            default_graphs=op.default_graphs,
            named_graphs=op.named_graphs,
        ),
        "query",
    )
    offers = GRAPH_MEDIA_TYPES if isinstance(result, GraphResult) else SOLUTIONS_MEDIA_TYPES
    chosen = choose(request.headers.get("accept"), offers)
    if chosen is None:
        raise NotAcceptable(
            f"cannot answer this query as {request.headers.get('accept')}; "
            f"available: {', '.join(offers)}",
            field="Accept",
        )
    return Response(serialize_result(result, chosen), media_type=chosen, headers={"Vary": "Accept"})


@router.get(
    "/query",
    dependencies=[Depends(read_access)],
    responses={200: _QUERY_DOC},
    summary="SPARQL query (the oxigraph serve path)",
)
@router.get(
    "/sparql",
    dependencies=[Depends(read_access)],
    responses={200: _QUERY_DOC},
    summary="SPARQL query",
)
def query_get(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return _answer(request, store, settings, read_operation(request, None, "query"))


@router.post(
    "/query",
    dependencies=[Depends(read_access)],
    responses={200: _QUERY_DOC},
    summary="SPARQL query (the oxigraph serve path)",
)
@router.post(
    "/sparql",
    dependencies=[Depends(read_access)],
    responses={200: _QUERY_DOC},
    summary="SPARQL query",
)
def query_post(request: Request, body: Body, store: StoreDep, settings: SettingsDep) -> Response:
    return _answer(request, store, settings, read_operation(request, body, "query"))


@router.post(
    "/update",
    dependencies=[Depends(admin_access)],
    status_code=204,
    summary="SPARQL update, admin token only (the oxigraph serve path)",
)
@router.post(
    "/sparql/update",
    dependencies=[Depends(admin_access)],
    status_code=204,
    summary="SPARQL update (admin token only)",
)
def update(request: Request, body: Body, store: StoreDep, settings: SettingsDep) -> Response:
    op = read_operation(request, body, "update")
    if has_load(op.text):
        raise Forbidden(
            "LOAD is refused: the manager does not fetch URLs or read files for a client; send "
            "the data itself (POST /api/v1/import/prov, or INSERT DATA)",
            field="update",
        )
    text = op.text
    if op.has_dataset:
        text = with_using(text, op.default_graphs or (), op.named_graphs or ())
    with request.app.state.write_lock:
        _evaluate(lambda: store.update(text, base_iri=settings.base_iri), "update")
    return Response(status_code=204)
