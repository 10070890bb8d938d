"""Names for nodes, never bare ids: a label from the data, else one built from what the node is.

The order: a version of an object, its object's name and its version (``digits v2``; a model
version with no version name, its label and identifier: ``mlp (mlp-2)``); ``rdfs:label`` (a DLProv
task's, its task id, after its transformation: ``train 4``); the usual naming properties of other
vocabularies (SKOS, schema.org, Dublin Core, FOAF); a run: its experiment and start time; an
execution: its plan and index (``epoch 3``); an element of a DLProv set: the set and its epoch
(``otrain (epoch 2)``) or first value (``ifilter: Normalize``); a value (metric, hyperparameter,
attribute): ``name = value`` and its epoch; an environment: its host; else the node's type and the
end of its IRI, shortened.

Every answer of a question gets, next to each column holding IRIs, a column ``COLUMN_name`` with
their names (``with_names``): one batched look-up (the ``node-labels`` view) per answer.

>>> node_name({"plan": "epoch", "index": 3, "identifier": "ab12"}, "http://x/id/execution/ab12")
'epoch 3'
>>> node_name({"spec": "loss", "value": 0.123456, "epoch": 2}, "http://x/id/evaluation/e")
'loss = 0.1235 (epoch 2)'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from queryengine._results import Rows
from queryengine._store import QueryableStore
from queryengine._views import run_node_view

__all__ = [
    "PROV",
    "PROVML",
    "RUN_TYPES",
    "describe_nodes",
    "display_type",
    "local_name",
    "node_name",
    "short_value",
    "with_names",
]

PROV = "http://www.w3.org/ns/prov#"
PROVML = "https://w3id.org/provml#"
#: The types of a run (an experiment execution, a ProvLake or DLProv workflow execution).
RUN_TYPES = frozenset({PROVML + "LearningExperimentExecution", PROVML + "WorkflowExecution"})
_CHUNK = 400


def short_value(value: Any) -> str:
    """A value as a person reads it: floats to 4 significant digits.

    >>> short_value(0.912345), short_value(12)
    ('0.9123', '12')
    """
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def local_name(iri: str) -> str:
    """The end of an IRI, percent-decoded.

    >>> local_name("http://ex.org/measure/val%20loss")
    'val loss'
    """
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        tail = tail.rsplit(sep, 1)[-1]
    return unquote(tail) or iri


def display_type(types: Iterable[str]) -> str:
    """The most specific type's local name: PROV-ML's first (a model's class before the others a
    node has, e.g. an element of a DLProv set that is a model), then any but PROV's, then PROV's.

    >>> display_type([PROV + "Entity", PROVML + "Dataset"])
    'Dataset'
    """
    ordered = sorted(set(types), key=lambda t: (t != PROVML + "Model", t))
    for pick in (
        lambda t: t.startswith(PROVML),
        lambda t: not t.startswith(PROV),
        lambda t: True,
    ):
        found = [t for t in ordered if pick(t)]
        if found:
            return local_name(found[0])
    return "Resource"


def node_name(row: dict[str, Any], iri: str) -> str:
    """The name of a node from its ``node-labels`` row (absent keys count as unknown)."""
    types = (row.get("types") or "").split()
    plan, index = row.get("plan"), row.get("index")
    if row.get("version") is not None and (row.get("of") or row.get("label")):
        return f"{row.get('of') or row['label']} {row['version']}"
    if row.get("of") and row.get("identifier") and row.get("label") != row["identifier"]:
        return f"{row.get('label') or row['of']} ({row['identifier']})"
    if row.get("label"):
        label = str(row["label"])
        if plan and not set(types) & RUN_TYPES and plan != label:  # a task of a DLProv dataflow
            return f"{plan} {label}"
        return label
    if row.get("name"):
        return str(row["name"])
    if plan and set(types) & RUN_TYPES and row.get("started"):
        return f"{plan} {str(row['started'])[:19].replace('T', ' ')}"
    if plan:
        return f"{plan} {index}" if index is not None else str(plan)
    if row.get("set"):  # an element of a DLProv dataflow set
        if row.get("epoch") is not None:
            return f"{row['set']} (epoch {row['epoch']})"
        first = short_value(row["first"]) if row.get("first") is not None else ""
        return f"{row['set']}: {first if len(first) <= 32 else '…' + first[-31:]}"
    if row.get("spec") is not None and row.get("value") is not None:
        text = f"{row['spec']} = {short_value(row['value'])}"
        return f"{text} (epoch {row['epoch']})" if row.get("epoch") is not None else text
    if row.get("hostname"):
        return f"environment of {row['hostname']}"
    name = str(row.get("identifier") or local_name(iri))
    kind = display_type(types) if types else ""
    shown = name if len(name) <= 16 else name[:8] + "…"
    return f"{kind} {shown}".strip()


def is_iri(value: Any) -> bool:
    """Whether ``value`` is a string that is an absolute IRI."""
    try:
        return isinstance(value, str) and ":" in value and ox.NamedNode(value).value == value
    except ValueError:
        return False


def describe_nodes(
    store: QueryableStore, iris: Iterable[str], *, timeout: float | None = None
) -> dict[str, tuple[str, list[str]]]:
    """``{iri: (name, types)}`` for every IRI, in batches of 400 (one query for most answers);
    an IRI the store knows nothing of is named by the end of its IRI; strings that are not IRIs are
    left out.

    >>> from queryengine._testing import PyoxigraphStore
    >>> store = PyoxigraphStore()
    >>> store.add_turtle('<http://ex.org/m> <http://www.w3.org/2000/01/rdf-schema#label> "mlp" .')
    >>> describe_nodes(store, ["http://ex.org/m", "http://ex.org/other"])
    {'http://ex.org/m': ('mlp', []), 'http://ex.org/other': ('other', [])}
    """
    wanted = sorted({i for i in iris if is_iri(i)})
    found: dict[str, tuple[str, list[str]]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in run_node_view("node-labels", store=store, nodes=chunk, timeout=timeout):
            found[row["node"]] = (node_name(row, row["node"]), (row.get("types") or "").split())
    for iri in wanted:
        found.setdefault(iri, (local_name(iri), []))
    return {iri: found[iri] for iri in wanted}


def with_names(rows: Rows, store: QueryableStore, *, timeout: float | None = None) -> Rows:
    """The rows with a column ``COLUMN_name`` after each column holding IRIs (unless the answer
    already has a column of that name): the name of each IRI, ``None`` where the cell is empty.

    >>> from queryengine._testing import PyoxigraphStore
    >>> store = PyoxigraphStore()
    >>> store.add_turtle('<http://ex.org/m> <http://www.w3.org/2000/01/rdf-schema#label> "mlp" .')
    >>> rows = Rows(["model", "score"], [{"model": "http://ex.org/m", "score": 1}], iris={"model"})
    >>> named = with_names(rows, store)
    >>> named.columns, named[0]["model_name"]
    (['model', 'model_name', 'score'], 'mlp')
    """
    named = [c for c in rows.columns if c in rows.iris and f"{c}_name" not in rows.columns]
    if not named:
        return rows
    names = describe_nodes(store, (r[c] for r in rows for c in named), timeout=timeout)
    columns: list[str] = []
    for c in rows.columns:
        columns.append(c)
        if c in named:
            columns.append(f"{c}_name")

    def row_of(row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c in rows.columns:
            out[c] = row[c]
            if c in named:
                out[f"{c}_name"] = names[row[c]][0] if row[c] in names else None
        return out

    return Rows(columns, (row_of(r) for r in rows), iris=rows.iris)
