"""The version graphs of the web UI's Versions page: the objects that have versions, and one
object's graph (its versions as nodes, named; its revisions as edges with their weights)."""

from __future__ import annotations

from typing import Any

from queryengine import ask, run_view
from queryengine._store import QueryableStore
from services.explore._errors import UnknownNode


def versioned_objects(store: QueryableStore, *, timeout: float | None = None) -> list[dict]:
    """Every object with versions: ``object``, ``kind``, ``name``, ``versions``, ``revisions``."""
    return [dict(row) for row in run_view("versioned-objects", store=store, timeout=timeout)]


def version_graph(
    store: QueryableStore, kind: str, name: str, *, timeout: float | None = None
) -> dict[str, Any]:
    """One object's version graph: ``nodes`` (``id``, ``label``) and ``edges`` (``source`` the older
    version, ``target`` the newer, ``weight``, ``inferred``). Raises ``UnknownNode`` when no
    object of that kind and name has versions."""
    known = [
        o
        for o in versioned_objects(store, timeout=timeout)
        if (o["kind"], o["name"]) == (kind, name)
    ]
    if not known:
        raise UnknownNode(f"no {kind} called {name!r} has versions", field="name")
    rows = ask("version-graph", store=store, kind=kind, name=name, timeout=timeout)
    nodes: dict[str, str] = {}
    edges = []
    for row in rows:
        nodes.setdefault(row["from"], row["from_name"])
        nodes.setdefault(row["to"], row["to_name"])
        edges.append(
            {
                "source": row["from"],
                "target": row["to"],
                "weight": row["weight"],
                "inferred": bool(row["inferred"]),
            }
        )
    return {
        **known[0],
        "nodes": [{"id": iri, "label": label} for iri, label in sorted(nodes.items())],
        "edges": edges,
    }
