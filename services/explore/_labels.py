"""Names for nodes, never bare ids: a label from the data, else one built from what the node is.

The order: ``rdfs:label`` (a DLProv task's, its task id, after its transformation: ``train 4``);
the usual naming properties of other vocabularies (SKOS, schema.org, Dublin Core, FOAF); a run: its
experiment and start time; an execution: its plan and index (``epoch 3``); an element of a DLProv
set: the set and its epoch (``otrain (epoch 2)``) or first value (``ifilter: Normalize``); a value
(metric, hyperparameter, attribute): ``name = value`` and its epoch; an environment: its host; else
the node's type and the end of its IRI, shortened.

>>> _label({"label": None, "name": None, "plan": "epoch", "index": 3, "spec": None,
...         "value": None, "epoch": None, "identifier": "ab12", "started": None,
...         "hostname": None, "types": ""}, "http://x/id/execution/ab12")
'epoch 3'
>>> _label({"label": None, "name": None, "plan": None, "index": None, "spec": "loss",
...         "value": 0.123456, "epoch": 2, "identifier": None, "started": None,
...         "hostname": None, "types": ""}, "http://x/id/evaluation/e")
'loss = 0.1235 (epoch 2)'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from queryengine import run_view

__all__ = ["category", "describe_types", "display_type", "label_nodes", "short_value"]

PROV = "http://www.w3.org/ns/prov#"
PROVML = "https://w3id.org/provml#"
_RUNS = {PROVML + "LearningExperimentExecution", PROVML + "WorkflowExecution"}
# Kinds the views colour and shape by; the PROV base types catch what other systems add.
_CATEGORIES = [
    ("run", _RUNS),
    ("model", {PROVML + "Model"}),
    ("dataset", {PROVML + n for n in ("Dataset", "LearningData", "FeatureSet")}),
    ("reference", {PROVML + "KnowledgeGraphReference", PROVML + "DataReference"}),
    ("evaluation", {PROVML + "ModelEvaluation"}),
    (
        "setting",
        {
            PROVML + n
            for n in ("LearningHyperparameterValue", "HyperparameterAdaptation", "AttributeValue")
        },
    ),
    ("activity", {PROV + "Activity"}),
    ("agent", {PROV + "Agent", PROV + "Person", PROV + "SoftwareAgent", PROV + "Organization"}),
    ("plan", {PROV + "Plan"}),
    ("entity", {PROV + "Entity"}),
]
_CHUNK = 400


def short_value(value: Any) -> str:
    """A value as a person reads it: floats to 4 significant digits."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _local(iri: str) -> str:
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        tail = tail.rsplit(sep, 1)[-1]
    return unquote(tail) or iri


def display_type(types: Iterable[str]) -> str:
    """The most specific type's local name: PROV-ML's first (a model's class before the others a
    node has, e.g. an element of a DLProv set that is a model), then any but PROV's, then PROV's."""
    ordered = sorted(set(types), key=lambda t: (t != PROVML + "Model", t))
    for pick in (
        lambda t: t.startswith(PROVML),
        lambda t: not t.startswith(PROV),
        lambda t: True,
    ):
        found = [t for t in ordered if pick(t)]
        if found:
            return _local(found[0])
    return "Resource"


def category(types: Iterable[str]) -> str:
    """The kind the views draw a node as (run, model, dataset, ..., entity, other)."""
    present = set(types)
    for name, members in _CATEGORIES:
        if present & members:
            return name
    return "other"


def _label(row: dict[str, Any], iri: str) -> str:
    types = (row.get("types") or "").split()
    plan, index = row.get("plan"), row.get("index")
    if row.get("label"):
        label = str(row["label"])
        if plan and not set(types) & _RUNS and plan != label:  # a task of a DLProv dataflow
            return f"{plan} {label}"
        return label
    if row.get("name"):
        return str(row["name"])
    if plan and set(types) & _RUNS and row.get("started"):
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
    name = str(row.get("identifier") or _local(iri))
    kind = display_type(types) if types else ""
    shown = name if len(name) <= 16 else name[:8] + "…"
    return f"{kind} {shown}".strip()


def _is_iri(value: str) -> bool:
    try:
        return ":" in value and ox.NamedNode(value).value == value
    except ValueError:
        return False


def describe_types(types: Iterable[str]) -> dict[str, str]:
    """The display type and category of a node with these types."""
    types = list(types)
    return {"type": display_type(types), "category": category(types)}


def label_nodes(
    store: Any, iris: Iterable[str], *, timeout: float | None = None
) -> dict[str, dict[str, str]]:
    """``{iri: {"label", "type", "category"}}`` for every IRI (unknown ones named by the end of
    their IRI); strings that are not IRIs are left out."""
    wanted = sorted({i for i in iris if _is_iri(i)})
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in run_view("node-labels", store=store, nodes=chunk, timeout=timeout):
            types = (row.get("types") or "").split()
            found[row["node"]] = {"label": _label(row, row["node"]), **describe_types(types)}
    for iri in wanted:
        found.setdefault(iri, {"label": _local(iri), "type": "Resource", "category": "other"})
    return found
