"""The ProvLake 0.2.982 wire format, for scripts using the original ``provlake`` library.

The library posts to ``urljoin(service_url, "retrospective-provenance")`` (so to
``/provenance/api/...`` and, for a ``service_url`` without a path, to ``/...``), to
``prospective-provenance`` (POST, then PUT after a 500) and, through ``DataStoreCatalog``, to
``/provenance/api/data-stores``. Every batch is SHACL-validated whatever ``with_validation`` says;
``db_name`` is accepted and ignored (one store). A successful retrospective answer carries
``"error": []``, which is what the library reads when ``with_validation`` is on.
"""

from __future__ import annotations

import json
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from provlake.vocab import PROVML, RDFS

from .._errors import NotFound
from .._ingesting import ingest_response
from ..deps import IngestorDep, JsonBody, SettingsDep, StoreDep, read_access, write_access

router = APIRouter(tags=["provlake"])

_WRITE = [Depends(write_access)]


def retrospective(
    body: JsonBody,
    ingestor: IngestorDep,
    with_validation: bool = False,
    db_name: Annotated[str | None, Query(max_length=256)] = None,
) -> JSONResponse:
    """A JSON array of ProvLake workflow, task and cycle messages."""
    result = ingestor.ingest_legacy(body, kind="retrospective")
    return ingest_response(result, error=[])


def prospective(body: JsonBody, ingestor: IngestorDep, overwrite: bool = False) -> JSONResponse:
    """A ProvLake workflow description (its data transformations and attributes) into the
    catalogue."""
    return ingest_response(ingestor.ingest_legacy(body, kind="prospective"))


# The library posts to "<service_url>retrospective-provenance"; service URLs with and without the
# ProvLake path prefix both work. Each route and method gets its own OpenAPI operation id.
for _prefix, _where in (("/provenance/api", "api"), ("", "root")):
    router.add_api_route(
        f"{_prefix}/retrospective-provenance",
        retrospective,
        methods=["POST"],
        dependencies=_WRITE,
        summary="ProvLake retrospective provenance",
        operation_id=f"provlake_retrospective_{_where}",
    )
    for _method in ("POST", "PUT"):
        router.add_api_route(
            f"{_prefix}/prospective-provenance",
            prospective,
            methods=[_method],
            dependencies=_WRITE,
            summary="ProvLake prospective provenance",
            operation_id=f"provlake_prospective_{_method.lower()}_{_where}",
        )


@router.post(
    "/provenance/api/data-stores", dependencies=_WRITE, status_code=201, summary="Add data stores"
)
def create_data_store(
    body: JsonBody, ingestor: IngestorDep, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    """A ProvLake ``DataStoreObj`` (or a list of them) into the catalogue graph; answers what the
    catalogue now holds for it (or them)."""
    ingestor.ingest_legacy(body, kind="data-store")
    parsed = json.loads(body)  # valid: the ingest just read it
    names = [d["name"] for d in parsed] if isinstance(parsed, list) else [parsed["name"]]
    stored = [d for d in _data_stores(store, settings.query_timeout) if d["name"] in names]
    return JSONResponse(stored if isinstance(parsed, list) else stored[0], status_code=201)


@router.get(
    "/provenance/api/data-stores", dependencies=[Depends(read_access)], summary="List data stores"
)
def list_data_stores(store: StoreDep, settings: SettingsDep) -> list[dict[str, str]]:
    return _data_stores(store, settings.query_timeout)


@router.get(
    "/provenance/api/data-stores/{id_}",
    dependencies=[Depends(read_access)],
    summary="One data store",
)
def get_data_store(id_: str, store: StoreDep, settings: SettingsDep) -> dict[str, str]:
    for data_store in _data_stores(store, settings.query_timeout):
        if id_ in (data_store.get("id"), data_store["name"]):
            return data_store
    raise NotFound(f"no data store with id {id_!r}", field="id")


def _data_stores(store: object, timeout: float) -> list[dict[str, str]]:
    ds, label = ox.NamedNode(PROVML.DataStore), ox.NamedNode(RDFS.label)
    ident, kind, loc = (
        ox.NamedNode(p) for p in (PROVML.identifier, PROVML.dataStoreType, PROVML.location)
    )
    result = store.query(
        f"SELECT ?iri ?name ?id ?type ?location WHERE {{ ?iri a {ds} ; {label} ?name . "
        f"OPTIONAL {{ ?iri {ident} ?id }} OPTIONAL {{ ?iri {kind} ?type }} "
        f"OPTIONAL {{ ?iri {loc} ?location }} }} ORDER BY ?name",
        timeout=timeout,
    )
    out = []
    for row in result.rows:
        values = dict(zip(result.variables, row, strict=True))
        out.append({k: v.value for k, v in values.items() if v is not None})
    return out
