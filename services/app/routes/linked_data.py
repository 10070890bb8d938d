"""Linked data: ``GET /id/{path}`` describes the minted IRI ``{base}{path}`` (Turtle, JSON-LD,
N-Triples or HTML)."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request, Response

from services.store import GraphResult, serialize_result

from .._errors import BadRequest, NotAcceptable, NotFound
from .._html import describe_html
from .._negotiation import choose
from ..deps import SettingsDep, StoreDep, read_access

router = APIRouter(tags=["linked data"])

MEDIA_TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "text/html"]
INCOMING_LIMIT = 1000


def _minted_iri(request: Request, base: str) -> str:
    # the raw path keeps the percent-encoding the IRI was minted with (``val%20loss``)
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    path = raw.decode("latin-1").split("/id/", 1)[1]
    try:
        return ox.NamedNode(base + path).value
    except ValueError as exc:
        raise BadRequest(f"not a valid IRI: {base + path!r}: {exc}", field="path") from exc


def _triples(result: object) -> list[ox.Triple]:
    return result.triples if isinstance(result, GraphResult) else []


@router.get(
    "/id/{path:path}",
    dependencies=[Depends(read_access)],
    summary="Describe a minted IRI",
    responses={200: {"content": {m: {} for m in MEDIA_TYPES}}, 404: {"description": "unknown IRI"}},
)
def describe(path: str, request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    iri = _minted_iri(request, settings.base_iri)
    chosen = choose(request.headers.get("accept"), MEDIA_TYPES)
    if chosen is None:
        raise NotAcceptable(f"available: {', '.join(MEDIA_TYPES)}", field="Accept")
    node = str(ox.NamedNode(iri))
    outgoing = store.query(
        f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}", timeout=settings.query_timeout
    )
    incoming = store.query(
        f"CONSTRUCT {{ ?s ?p {node} }} WHERE {{ ?s ?p {node} }} LIMIT {INCOMING_LIMIT}",
        timeout=settings.query_timeout,
    )
    triples = _triples(outgoing) + _triples(incoming)
    if not triples:
        raise NotFound(f"nothing is known about {iri}", field="path")
    headers = {"Vary": "Accept"}
    if chosen == "text/html":
        from services.explore import label_nodes

        mentioned = {iri} | {
            term.value
            for t in triples
            for term in (t.subject, t.object)
            if isinstance(term, ox.NamedNode)
        }
        names = label_nodes(store, mentioned, timeout=settings.query_timeout)
        page = describe_html(iri, triples, settings.base_iri, names)
        return Response(page, media_type="text/html", headers=headers)
    return Response(
        serialize_result(GraphResult(triples), chosen), media_type=chosen, headers=headers
    )
