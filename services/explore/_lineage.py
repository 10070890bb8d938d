"""The lineage neighbourhood of any node: upstream (what it comes from) and downstream (what
comes from it) along PROV relations, a step at a time up to a depth.

It knows nothing of the kinds of nodes: any system's nodes linked by PROV relations (and the
PROV-ML ones that refine them) show. A big graph stays usable: past ``fanout`` neighbours of one
node by one relation, the rest become one group node (``kind: "group"``) the UI pages through with
``neighbours``; past ``max_nodes`` the walk stops and says ``truncated``. The start may be given by
the name of a run, model or dataset.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from queryengine import ParameterError, find_by_name, run_view

from ._errors import BadParameter, UnknownNode
from ._labels import label_nodes

__all__ = ["DIRECTIONS", "neighbourhood", "neighbours", "node_exists"]

DIRECTIONS = ("up", "down", "both")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def check_iri(value: str, field: str) -> str:
    """An absolute IRI, or ``BadParameter`` naming ``field``."""
    try:
        iri = ox.NamedNode(value).value
    except ValueError as exc:
        raise BadParameter(
            f"{field} must be an absolute IRI: {value[:200]!r}", field=field
        ) from exc
    if ":" not in iri:
        raise BadParameter(f"{field} must be an absolute IRI: {value[:200]!r}", field=field)
    return iri


def resolve_node(store: Any, value: str, field: str, *, timeout: float | None = None) -> str:
    """An absolute IRI, or the run, model or dataset with this name (``queryengine``'s
    ``find_by_name``): an unknown name is ``UnknownNode``, one several nodes have the query
    engine's ``ParameterError`` listing them."""
    if _SCHEME.match(value):
        return check_iri(value, field)
    try:
        node = find_by_name(
            store, value, ("run", "model", "dataset"), parameter=field, timeout=timeout
        )
    except ParameterError as exc:
        if exc.code == "unknown_name":
            raise UnknownNode(exc.message, field=field) from exc
        raise
    return node.value


def node_exists(store: Any, iri: str, *, timeout: float | None = None) -> bool:
    """True when the store holds a triple with ``iri`` as subject or object."""
    node = str(ox.NamedNode(iri))
    result = store.query(f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} }}", timeout=timeout)
    return bool(result.value)


def _steps(
    store: Any, frontier: set[str], direction: str, timeout: float | None
) -> dict[tuple[str, str], list[str]]:
    """(node, relation) → the neighbours one step away, sorted."""
    view = "lineage-up" if direction == "up" else "lineage-down"
    found: dict[tuple[str, str], list[str]] = {}
    for row in run_view(view, store=store, nodes=frontier, timeout=timeout):
        found.setdefault((row["node"], row["relation"]), []).append(row["other"])
    return {k: sorted(set(v)) for k, v in found.items()}


def _edge(node: str, relation: str, other: str, direction: str) -> dict[str, str]:
    source, target = (node, other) if direction == "up" else (other, node)
    return {"source": source, "target": target, "relation": _local(relation)}


def neighbourhood(
    store: Any,
    node: str,
    *,
    depth: int = 2,
    direction: str = "both",
    fanout: int = 12,
    max_nodes: int = 300,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Nodes and edges within ``depth`` steps of ``node``, named, with group nodes for the
    neighbours past ``fanout``."""
    iri = resolve_node(store, node, "node", timeout=timeout)
    if direction not in DIRECTIONS:
        raise BadParameter(f"direction must be one of {', '.join(DIRECTIONS)}", field="direction")
    if not node_exists(store, iri, timeout=timeout):
        raise UnknownNode(f"nothing is known about {iri}", field="node")
    distance = {iri: 0}
    edges: dict[tuple[str, str, str], dict[str, str]] = {}
    groups: list[dict[str, Any]] = []
    truncated = False
    for way in ("up", "down") if direction == "both" else (direction,):
        frontier = {iri}
        for step in range(1, depth + 1):
            if not frontier or truncated:
                break
            nxt: set[str] = set()
            for (source, relation), others in sorted(_steps(store, frontier, way, timeout).items()):
                shown = others[:fanout]
                if len(others) > fanout:
                    groups.append(
                        {
                            "id": f"group:{way}:{relation}:{source}",
                            "parent": source,
                            "relation": _local(relation),
                            "relation_iri": relation,
                            "direction": way,
                            "count": len(others) - fanout,
                            "offset": fanout,
                        }
                    )
                for other in shown:
                    if other not in distance:
                        if len(distance) >= max_nodes:
                            truncated = True
                            break
                        distance[other] = step
                        nxt.add(other)
                    edge = _edge(source, relation, other, way)
                    edges[(edge["source"], edge["relation"], edge["target"])] = edge
            frontier = nxt
    names = label_nodes(store, distance, timeout=timeout)
    nodes = [
        {"id": n, **names[n], "distance": d, "focus": n == iri}
        for n, d in sorted(distance.items(), key=lambda item: (item[1], item[0]))
    ]
    return {
        "focus": iri,
        "depth": depth,
        "direction": direction,
        "nodes": nodes,
        "edges": sorted(edges.values(), key=lambda e: (e["source"], e["relation"], e["target"])),
        "groups": groups,
        "truncated": truncated,
    }


def neighbours(
    store: Any,
    node: str,
    relation: str,
    direction: str,
    *,
    offset: int = 0,
    limit: int = 50,
    timeout: float | None = None,
) -> dict[str, Any]:
    """One page of the neighbours of ``node`` by ``relation`` (an IRI) in ``direction`` (``up`` or
    ``down``): what a group node stands for."""
    iri = check_iri(node, "node")
    relation = check_iri(relation, "relation")
    if direction not in ("up", "down"):
        raise BadParameter("direction must be up or down", field="direction")
    if not node_exists(store, iri, timeout=timeout):
        raise UnknownNode(f"nothing is known about {iri}", field="node")
    others = _steps(store, {iri}, direction, timeout).get((iri, relation), [])
    page = others[offset : offset + limit]
    names = label_nodes(store, page, timeout=timeout)
    return {
        "node": iri,
        "relation": _local(relation),
        "direction": direction,
        "total": len(others),
        "offset": offset,
        "nodes": [{"id": n, **names[n]} for n in page],
        "edges": [_edge(iri, relation, n, direction) for n in page],
        "remaining": max(0, len(others) - offset - len(page)),
    }
