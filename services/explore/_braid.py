"""Braid records' invalidation state for the web UI: the invalid records, cascade by cascade, each
cascade as the tree the invalidation followed; and one record's validity, with the cause, the root
of its cascade, the record whose invalidation caused its own, the whole cascade and the actions its
invalidation ran. Validity is read from the graph (``braid-validity``), never stored."""

from __future__ import annotations

from typing import Any

from queryengine import get_question, run_question, run_view

from ._errors import UnknownNode
from ._labels import label_nodes

__all__ = ["braid_record", "invalidations"]


def _named(iri: str | None, names: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    return None if iri is None else {"iri": iri, **names[iri]}


def _entry(row: dict[str, Any], names: dict[str, dict[str, str]]) -> dict[str, Any]:
    return {
        **_named(row["record"], names),
        "record_id": row["record_id"],
        "kind": row["kind"],
        "valid": row["valid"],
        "cause": row["cause"],
        "invalidated_at": row["invalidated_at"],
        "caused_by": _named(row["caused_by"], names),
    }


def _tree(root: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of one cascade in the order the invalidation reached them (depth first from the
    root, children by id), each with its depth; a record whose cause is not in the cascade (not
    written by provlake.braid, but a graph may say so) comes last, at depth 1."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        parent = row["caused_by"]["iri"] if row["caused_by"] else None
        children.setdefault(None if row["iri"] == root else parent, []).append(row)
    ordered: list[dict[str, Any]] = []
    seen: set[str] = set()

    def visit(row: dict[str, Any], depth: int) -> None:
        if row["iri"] in seen:
            return
        seen.add(row["iri"])
        ordered.append({**row, "depth": depth})
        for child in sorted(children.get(row["iri"], []), key=lambda r: r["record_id"]):
            visit(child, depth + 1)

    for top in (r for r in rows if r["iri"] == root):
        visit(top, 0)
    for row in sorted(rows, key=lambda r: r["record_id"]):
        visit(row, 1)
    return ordered


def invalidations(
    store: Any,
    *,
    cascade: str | None = None,
    base_iri: str | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """``{"cascades": [{"root", "root_cause", "invalidated_at", "records"}], "total"}``: every
    invalid Braid record (or only those of the cascade started at the record ``cascade``, an IRI
    or a Braid id), grouped by the record whose invalidation started their cascade, oldest cascade
    first."""
    params: dict[str, Any] = {"invalid": True}
    if cascade is not None:
        params["cascade"] = cascade
    rows = list(
        run_view("braid-validity", store=store, params=params, base_iri=base_iri, timeout=timeout)
    )
    names = label_nodes(
        store,
        [r["record"] for r in rows] + [r["caused_by"] for r in rows if r["caused_by"]],
        timeout=timeout,
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    causes: dict[str, str] = {}
    for row in rows:
        groups.setdefault(row["root"], []).append(_entry(row, names))
        causes[row["root"]] = row["root_cause"]
    cascades = []
    for root, members in groups.items():
        records = _tree(root, members)
        cascades.append(
            {
                "root": _named(root, names),
                "root_cause": causes[root],
                "invalidated_at": min(r["invalidated_at"] for r in members),
                "records": records,
            }
        )
    return {"cascades": cascades, "total": len(rows)}


def braid_record(
    store: Any, record: str, *, base_iri: str | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """One Braid record (an IRI or a Braid id): its name, kind and validity; when invalid, its
    cause and time, the record whose invalidation caused it, the root of its cascade with the
    root's cause, the whole cascade, and the runs of the actions its invalidation triggered.
    ``UnknownNode`` when no Braid record has this IRI or id."""
    ask = {"store": store, "base_iri": base_iri, "timeout": timeout}
    rows = list(run_view("braid-validity", params={"record": record}, **ask))
    if not rows:
        raise UnknownNode(f"no Braid record {record!r} in the store", field="record")
    row = rows[0]
    names = label_nodes(
        store, [i for i in (row["record"], row["root"], row["caused_by"]) if i], timeout=timeout
    )
    state = _entry(row, names)
    state["root"] = _named(row["root"], names)
    state["root_cause"] = row["root_cause"]
    state["cascade"] = []
    state["actions"] = []
    if row["valid"]:
        return state
    (cascade,) = invalidations(store, cascade=row["root"], base_iri=base_iri, timeout=timeout)[
        "cascades"
    ]
    state["cascade"] = cascade["records"]
    # a record is invalidated once: every run of an action on it was triggered by this invalidation
    actions = run_question(get_question("braid-actions"), params={"record": row["record"]}, **ask)
    named = {a["action_id"]: a for a in actions}
    runs = run_question(get_question("braid-action-runs"), params={"record": row["record"]}, **ask)
    state["actions"] = [
        {
            "action_id": run["action_id"],
            "name": named[run["action_id"]]["name"] if run["action_id"] in named else None,
            "type": named[run["action_id"]]["action_type"] if run["action_id"] in named else None,
            **{k: run[k] for k in ("status", "exit_status", "http_status", "output", "started")},
        }
        for run in runs
    ]
    return state
