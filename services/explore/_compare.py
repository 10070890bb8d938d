"""Runs side by side: their hyperparameters (marked where they differ) and final/best metrics."""

from __future__ import annotations

from typing import Any

from ._errors import BadParameter, UnknownNode
from ._run import resolve_run

__all__ = ["MAX_COMPARED", "compare_runs"]

MAX_COMPARED = 20


def compare_runs(
    store: Any, runs: list[str], *, base_iri: str | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """The runs ``runs`` (client ids or IRIs, 2 to 20, in that order) compared.

    A hyperparameter differs when its values are not all equal, a run without it counting as a
    value of its own.
    """
    wanted = list(dict.fromkeys(r.strip() for r in runs if r.strip()))
    if not 2 <= len(wanted) <= MAX_COMPARED:
        raise BadParameter(
            f"compare 2 to {MAX_COMPARED} different runs, not {len(wanted)}", field="runs"
        )
    rows = []
    for run in wanted:
        try:
            rows.append(resolve_run(store, run, base_iri=base_iri, timeout=timeout))
        except UnknownNode as exc:
            raise UnknownNode(f"no run {run!r} in the store", field="runs") from exc
    names = sorted({n for r in rows for n in r["hp"]})
    parameters = []
    for name in names:
        values = [r["hp"].get(name) for r in rows]
        missing = [name not in r["hp"] for r in rows]
        distinct = {(m, repr(v)) for m, v in zip(missing, values, strict=True)}
        parameters.append({"name": name, "values": values, "differs": len(distinct) > 1})
    measures = sorted({n for r in rows for n in r["metrics"]})
    metrics = [
        {
            "name": name,
            "final": [r["metrics"].get(name, {}).get("final") for r in rows],
            "best": [r["metrics"].get(name, {}).get("best") for r in rows],
        }
        for name in measures
    ]
    summary = [
        {k: r[k] for k in ("run", "iri", "label", "name", "status", "started", "duration")}
        for r in rows
    ]
    return {"runs": summary, "parameters": parameters, "metrics": metrics}
