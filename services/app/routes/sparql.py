"""The SPARQL 1.1 Protocol: queries at ``/sparql`` (GET, POST form, POST
``application/sparql-query``), results
negotiated by Accept; updates only at ``/sparql/update`` and only with the admin token.

The default graph of every query is the union of all graphs; ``default-graph-uri`` /
``named-graph-uri`` are
refused (400) rather than silently ignored.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import QueryParams

from services.store import GRAPH_MEDIA_TYPES, SOLUTIONS_MEDIA_TYPES, GraphResult, serialize_result

from .._errors import BadRequest, NotAcceptable, UnsupportedMediaType
from .._negotiation import choose
from ..deps import Body, SettingsDep, StoreDep, admin_access, media_type, read_access

router = APIRouter(tags=["sparql"])

_QUERY_DOC = {
    "description": "SPARQL results, in the format chosen by Accept",
    "content": {m: {} for m in (*SOLUTIONS_MEDIA_TYPES, *GRAPH_MEDIA_TYPES)},
}


def _refuse_dataset(params: dict[str, list[str]]) -> None:
    for unsupported in (
        "default-graph-uri",
        "named-graph-uri",
        "using-graph-uri",
        "using-named-graph-uri",
    ):
        if params.get(unsupported):
            raise BadRequest(
                f"{unsupported} is not supported: the default graph is the union of all graphs",
                field=unsupported,
            )


def _one(params: dict[str, list[str]], name: str) -> str:
    _refuse_dataset(params)
    values = params.get(name, [])
    if len(values) != 1 or not values[0].strip():
        raise BadRequest(f"exactly one non-empty '{name}' parameter is required", field=name)
    return values[0]


def _query_params(params: QueryParams) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _text(body: bytes, field: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the {field} is not valid UTF-8: {exc}", field=field) from exc


def _form_or_direct(request: Request, body: bytes, name: str, direct_type: str) -> str:
    ctype = media_type(request)
    if ctype == "application/x-www-form-urlencoded":
        params = parse_qs(_text(body, "body"), keep_blank_values=True)
        for key, values in _query_params(request.query_params).items():
            params.setdefault(key, []).extend(values)
        return _one(params, name)
    if ctype == direct_type:
        _refuse_dataset(_query_params(request.query_params))
        text = _text(body, name)
        if not text.strip():
            raise BadRequest(f"the {name} is empty", field=name)
        return text
    raise UnsupportedMediaType(
        f"expected Content-Type {direct_type} or application/x-www-form-urlencoded, "
        f"got {ctype or 'none'}",
        field="Content-Type",
    )


def _answer(request: Request, store: StoreDep, settings: SettingsDep, sparql: str) -> Response:
    result = store.query(sparql, timeout=settings.query_timeout)
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
    "/sparql",
    dependencies=[Depends(read_access)],
    responses={200: _QUERY_DOC},
    summary="SPARQL query",
)
def query_get(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    return _answer(request, store, settings, _one(_query_params(request.query_params), "query"))


@router.post(
    "/sparql",
    dependencies=[Depends(read_access)],
    responses={200: _QUERY_DOC},
    summary="SPARQL query",
)
def query_post(request: Request, body: Body, store: StoreDep, settings: SettingsDep) -> Response:
    sparql = _form_or_direct(request, body, "query", "application/sparql-query")
    return _answer(request, store, settings, sparql)


@router.post(
    "/sparql/update",
    dependencies=[Depends(admin_access)],
    status_code=204,
    summary="SPARQL update (admin token only)",
)
def update(request: Request, body: Body, store: StoreDep) -> Response:
    sparql = _form_or_direct(request, body, "update", "application/sparql-update")
    with request.app.state.write_lock:
        store.update(sparql)
    return Response(status_code=204)
