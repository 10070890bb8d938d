"""One run's page: its row of the table, hyperparameters and their adaptations, environment,
agents and attributes, datasets used and models produced, stages and sections as a timeline, and
every metric as a series."""

from __future__ import annotations

from typing import Any

from queryengine import ParameterError, run_view

from ._errors import UnknownNode
from ._labels import label_nodes
from ._runs import run_rows, seconds_between

__all__ = ["metric_series", "resolve_run", "run_detail"]


def resolve_run(
    store: Any, run: str, *, base_iri: str | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """The table row of ``run`` (client id, IRI or a name one run has); ``UnknownNode`` when there
    is no such run (a name several runs have is the query engine's ``ParameterError``)."""
    try:
        rows = run_rows(store, run=run, base_iri=base_iri, timeout=timeout)
    except ParameterError as e:
        if e.code != "unknown_name":
            raise
        rows = []
    if not rows:
        raise UnknownNode(f"no run {run!r} in the store", field="run")
    return rows[0]


def _timeline(rows: list[dict[str, Any]], run: dict[str, Any]) -> list[dict[str, Any]]:
    """Executions, parents first, with their depth below the run and times relative to its
    start."""
    depth = {run["iri"]: 0}
    pending = {r["execution"]: r for r in rows}
    ordered: list[dict[str, Any]] = []
    while pending:
        ready = [r for r in pending.values() if r["parent"] in depth]
        if not ready:  # a cycle or a missing parent: show the rest at depth 1
            ready = list(pending.values())
            for r in ready:
                depth.setdefault(r["parent"], 0)
        for r in ready:
            depth[r["execution"]] = depth[r["parent"]] + 1
            ordered.append(
                {
                    "iri": r["execution"],
                    "id": r["identifier"],
                    "type": r["type"],
                    "plan": r["plan"],
                    "index": r["index"],
                    "parent": r["parent"],
                    "depth": depth[r["execution"]],
                    "status": r["status"],
                    "started": r["started"],
                    "ended": r["ended"],
                    "offset": seconds_between(run["started"], r["started"]),
                    "duration": seconds_between(r["started"], r["ended"]),
                }
            )
            del pending[r["execution"]]
    return ordered


def run_detail(
    store: Any, run: str, *, base_iri: str | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Everything the run page shows, names resolved."""
    row = resolve_run(store, run, base_iri=base_iri, timeout=timeout)
    ask = {"store": store, "params": {"run": row["iri"]}, "base_iri": base_iri, "timeout": timeout}
    executions = list(run_view("run-executions", **ask))
    settings = list(run_view("run-hyperparameter-values", **ask))
    entities = list(run_view("run-entities", **ask))
    context = list(run_view("run-context", **ask))
    names = label_nodes(
        store,
        [e["entity"] for e in entities]
        + [e["execution"] for e in executions]
        + [s["execution"] for s in settings],
        timeout=timeout,
    )
    timeline = _timeline(executions, row)
    for step in timeline:
        step["label"] = names[step["iri"]]["label"]
    used, generated = [], []
    for e in entities:
        item = {
            "iri": e["entity"],
            **names[e["entity"]],
            "execution": e["execution"],
            "execution_label": names.get(e["execution"], {}).get("label", row["label"]),
        }
        (used if e["role"] == "used" else generated).append(item)
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in context:
        groups.setdefault(c["group"], []).append({"name": c["name"], "value": c["value"]})
    return {
        **row,
        "hyperparameters": [
            {
                "name": s["name"],
                "value": s["value"],
                "epoch": s["epoch"],
                "adapted": s["adapted"],
                "iri": s["setting"],
                "previous": s["previous"],
                "time": s["time"],
                "execution_label": names.get(s["execution"], {}).get("label", row["label"]),
            }
            for s in settings
        ],
        "environment": groups.get("environment", []),
        "agents": groups.get("agent", []),
        "attributes": groups.get("attribute", []),
        "results": groups.get("result", []),
        "used": used,
        "generated": generated,
        "timeline": timeline,
    }


def metric_series(
    store: Any,
    run: str,
    *,
    measure: str | None = None,
    base_iri: str | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Every value of every measure (or of ``measure``) of the run, one series per measure and
    stage, in epoch / step order; ``time`` is seconds since the run started."""
    row = resolve_run(store, run, base_iri=base_iri, timeout=timeout)
    params = {"run": row["iri"], **({"measure": measure} if measure else {})}
    series: dict[tuple[str, str], dict[str, Any]] = {}
    for p in run_view(
        "run-metric-series", store=store, params=params, base_iri=base_iri, timeout=timeout
    ):
        key = (p["name"], p["stage"])
        found = series.setdefault(key, {"name": p["name"], "stage": p["stage"], "points": []})
        found["points"].append(
            {
                "epoch": p["epoch"],
                "step": p["step"],
                "time": seconds_between(row["started"], p["time"]) if p["time"] else None,
                "value": p["value"],
                "evaluation": p["evaluation"],
            }
        )
    return {
        "run": row["run"],
        "iri": row["iri"],
        "label": row["label"],
        "status": row["status"],
        "series": list(series.values()),
    }
