"""The runs table: one row per run with its hyperparameters and final/best metrics as columns;
filtered, searched, sorted and paged here, so a browser gets one page of thousands of runs.

Columns: ``name`` (the experiment), ``run`` (client id), ``label``, ``kind``, ``study``, ``status``,
``started``, ``ended``, ``duration`` (seconds; a running run's runs to now), ``hp.NAME`` (initial
setting), ``metric.NAME`` (final value) and ``best.NAME`` (the lowest value of a measure whose name
says loss or error, else the highest).

A filter is ``COLUMN OP VALUE`` with OP one of ``= != < <= > >= ~`` (``~``: contains, any case);
numbers compare as numbers.

>>> rows = [{"name": "a", "hp": {"lr": 0.1}, "metrics": {}}, {"name": "b", "hp": {"lr": 0.01},
...         "metrics": {}}]
>>> [r["name"] for r in _filtered(rows, [_filter("hp.lr < 0.05", {"hp.lr"})], None)]
['b']
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from queryengine import node_name, run_view

from ._errors import BadParameter

__all__ = ["RunsQuery", "best_of", "run_rows", "runs_table", "seconds_between"]

_BASE_COLUMNS = ("name", "run", "label", "kind", "study", "status", "started", "ended", "duration")
_FILTER = re.compile(r"^\s*([A-Za-z0-9_.:~-]+?)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*$")
_LOWER_IS_BETTER = re.compile(r"loss|error|err\b|mse|mae|rmse|perplexity", re.IGNORECASE)


@dataclass(frozen=True)
class RunsQuery:
    """What part of the runs table to answer."""

    offset: int = 0
    limit: int = 50
    sort: str = "started"
    order: str = "desc"
    q: str | None = None
    status: tuple[str, ...] = ()
    experiment: str | None = None
    filters: tuple[str, ...] = field(default_factory=tuple)


def seconds_between(
    started: str | None, ended: str | None, now: datetime | None = None
) -> float | None:
    """Seconds from ``started`` to ``ended`` (xsd:dateTime texts), to ``now`` (the clock when not
    given) when ``ended`` is None."""
    if not started:
        return None
    start = datetime.fromisoformat(started.replace("Z", "+00:00"))
    if ended:
        end = datetime.fromisoformat(ended.replace("Z", "+00:00"))
    else:
        end = now or datetime.now(UTC)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    return round((end - start).total_seconds(), 3)


def best_of(name: str, lowest: float, highest: float) -> float:
    """The best value of a measure: the lowest for a loss or an error, else the highest."""
    return lowest if _LOWER_IS_BETTER.search(name) else highest


def run_rows(
    store: Any, *, run: str | None = None, base_iri: str | None = None, timeout: float | None = None
) -> list[dict[str, Any]]:
    """Every run (or the one run ``run``) as a row of the table, newest first (rows to read, not
    to change: the table of every run is shared by the requests that read the same state).

    Reading the table of every run reads each run's summaries and settings (seconds for thousands
    of runs), and every page, sort, filter and poll of the UI asks for it; so it is kept for the
    state of the store it was read from (``Store.generation``) and read again after a write. A
    store that others may write unseen (a remote one) is read every time. The duration of a run
    still running is counted to now on every call.
    """
    if run is not None:
        return _read_rows(store, run, base_iri, timeout)
    generation = getattr(store, "generation", None)
    if generation is None:
        return _read_rows(store, None, base_iri, timeout)
    instance, asked_at = generation
    key = (instance, base_iri)
    # One read at a time: a request that waited for another's read takes its rows when they
    # are of the state it arrived at or newer.
    with _TABLES_LOCK:
        kept = _TABLES.get(key)
        if kept is None or kept[0] < asked_at:
            state = store.generation[1]  # the rows read next are of this state or newer
            kept = _TABLES[key] = (state, _read_rows(store, None, base_iri, timeout))
        _TABLES.move_to_end(key)
        while len(_TABLES) > _TABLES_KEPT:
            _TABLES.popitem(last=False)
    now = datetime.now(UTC)
    return [
        {**r, "duration": seconds_between(r["started"], None, now)}
        if r["started"] and not r["ended"]
        else r
        for r in kept[1]
    ]


#: The table of every run, per store and base IRI: ``(state read, rows)``, the latest few.
_TABLES: OrderedDict[tuple[str, str | None], tuple[int, list[dict[str, Any]]]] = OrderedDict()
_TABLES_KEPT = 4
_TABLES_LOCK = threading.Lock()


def _read_rows(
    store: Any, run: str | None, base_iri: str | None, timeout: float | None
) -> list[dict[str, Any]]:
    params = {"run": run} if run else {}
    ask = {"store": store, "params": params, "base_iri": base_iri, "timeout": timeout}
    rows: dict[str, dict[str, Any]] = {}
    for s in run_view("run-summaries", **ask):
        label = node_name(
            {"plan": s["experiment"], "started": s["started"], "types": _RUN_TYPE}, s["run"]
        )
        rows.setdefault(
            s["run"],
            {
                "iri": s["run"],
                "run": s["identifier"] or s["run"].rsplit("/", 1)[-1],
                "name": s["experiment"],
                "label": label,
                "kind": s["kind"],
                "study": s["study"],
                "status": s["status"],
                "started": s["started"],
                "ended": s["ended"],
                "duration": seconds_between(s["started"], s["ended"]),
                "hp": {},
                "metrics": {},
            },
        )
    for h in run_view("run-hyperparameters", **ask):
        if h["run"] in rows:
            rows[h["run"]]["hp"][h["name"]] = h["value"]
    for m in run_view("run-metrics", **ask):
        if m["run"] in rows:
            final = float(str(m["last"]).split(" ", 1)[1])
            rows[m["run"]]["metrics"][m["name"]] = {
                "final": final,
                "best": best_of(m["name"], m["lowest"], m["highest"]),
                "min": m["lowest"],
                "max": m["highest"],
                "count": m["count"],
            }
    for row in rows.values():  # the two views answer in no order
        row["hp"] = dict(sorted(row["hp"].items()))
        row["metrics"] = dict(sorted(row["metrics"].items()))
    return list(rows.values())


_RUN_TYPE = "https://w3id.org/provml#LearningExperimentExecution"


def _value(row: dict[str, Any], column: str) -> Any:
    kind, _, name = column.partition(".")
    if kind == "hp" and name:
        return row["hp"].get(name)
    if kind in ("metric", "best") and name:
        found = row["metrics"].get(name)
        return None if found is None else found["final" if kind == "metric" else "best"]
    return row.get(column)


def _columns(rows: list[dict[str, Any]]) -> set[str]:
    names = set(_BASE_COLUMNS)
    for row in rows:
        names |= {f"hp.{n}" for n in row["hp"]}
        names |= {f"{k}.{n}" for n in row["metrics"] for k in ("metric", "best")}
    return names


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _filter(text: str, columns: set[str]) -> Callable[[dict[str, Any]], bool]:
    match = _FILTER.match(text)
    if not match:
        raise BadParameter(
            f"a filter is 'COLUMN OP VALUE' with OP one of = != < <= > >= ~: {text!r}",
            field="filter",
        )
    column, op, wanted = match.groups()
    if column not in columns:
        raise BadParameter(
            f"unknown column {column!r} in filter {text!r}; columns: {', '.join(sorted(columns))}",
            field="filter",
        )

    def keep(row: dict[str, Any]) -> bool:
        value = _value(row, column)
        if op == "~":
            return value is not None and wanted.lower() in str(value).lower()
        a, b = _number(value), _number(wanted)
        left, right = (a, b) if a is not None and b is not None else (str(value), wanted)
        if value is None:
            return op == "!="
        return {
            "=": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]

    return keep


def _text(row: dict[str, Any]) -> str:
    parts = [str(row.get(c) or "") for c in ("name", "run", "label", "study", "status", "kind")]
    parts += [f"{k}={v}" for k, v in row["hp"].items()]
    return " ".join(parts).lower()


def _filtered(
    rows: list[dict[str, Any]], keeps: list[Callable[[dict[str, Any]], bool]], q: str | None
) -> list[dict[str, Any]]:
    words = (q or "").lower().split()
    return [r for r in rows if all(keep(r) for keep in keeps) and all(w in _text(r) for w in words)]


def _sort_key(column: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = _value(row, column)
        number = _number(value) if not isinstance(value, str) else None
        if value is None:
            return (2, 0)
        return (0, number) if number is not None else (1, str(value).lower())

    return key


def runs_table(rows: list[dict[str, Any]], query: RunsQuery) -> dict[str, Any]:
    """One page of the table: the matching runs sorted, with the column names of every run."""
    columns = _columns(rows)
    if query.sort not in columns:
        raise BadParameter(
            f"unknown sort column {query.sort!r}; columns: {', '.join(sorted(columns))}",
            field="sort",
        )
    if query.order not in ("asc", "desc"):
        raise BadParameter(f"order must be asc or desc, not {query.order!r}", field="order")
    keeps = [_filter(f, columns) for f in query.filters]
    if query.status:
        keeps.append(lambda r: r["status"] in query.status)
    if query.experiment:
        keeps.append(lambda r: r["name"] == query.experiment)
    matching = _filtered(rows, keeps, query.q)
    present = [r for r in matching if _value(r, query.sort) is not None]
    missing = [r for r in matching if _value(r, query.sort) is None]
    present.sort(key=lambda r: r["run"])
    present.sort(key=_sort_key(query.sort), reverse=query.order == "desc")
    ordered = present + sorted(missing, key=lambda r: r["run"])
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {
        "total": len(matching),
        "offset": query.offset,
        "limit": query.limit,
        "sort": query.sort,
        "order": query.order,
        "columns": {
            "hyperparameters": sorted(c[3:] for c in columns if c.startswith("hp.")),
            "metrics": sorted(c[7:] for c in columns if c.startswith("metric.")),
        },
        "statuses": dict(sorted(statuses.items())),
        "experiments": sorted({r["name"] for r in rows if r["name"]}),
        "runs": ordered[query.offset : query.offset + query.limit],
    }
