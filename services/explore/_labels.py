"""Names for the views: every node with its name (the query engine's naming rule,
``queryengine.node_name``), its display type and the kind the views colour and shape it by.

>>> category(["https://w3id.org/provml#Model", "http://www.w3.org/ns/prov#Entity"])
'model'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from queryengine import describe_nodes, display_type

__all__ = ["category", "describe_types", "label_nodes"]

PROV = "http://www.w3.org/ns/prov#"
PROVML = "https://w3id.org/provml#"
# Kinds the views colour and shape by; the PROV base types catch what other systems add.
_CATEGORIES = [
    ("run", {PROVML + "LearningExperimentExecution", PROVML + "WorkflowExecution"}),
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


def category(types: Iterable[str]) -> str:
    """The kind the views draw a node as (run, model, dataset, ..., entity, other)."""
    present = set(types)
    for name, members in _CATEGORIES:
        if present & members:
            return name
    return "other"


def describe_types(types: Iterable[str]) -> dict[str, str]:
    """The display type and category of a node with these types."""
    types = list(types)
    return {"type": display_type(types) if types else "Resource", "category": category(types)}


def label_nodes(
    store: Any, iris: Iterable[str], *, timeout: float | None = None
) -> dict[str, dict[str, str]]:
    """``{iri: {"label", "type", "category"}}`` for every IRI (unknown ones named by the end of
    their IRI); strings that are not IRIs are left out."""
    return {
        iri: {"label": name, **describe_types(types)}
        for iri, (name, types) in describe_nodes(store, iris, timeout=timeout).items()
    }
