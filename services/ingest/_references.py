"""Every node a batch refers to must exist: in the batch itself or in the store.

A record about a run, a stage or an entity that nobody started would create an orphan: a metric of
a run that never began gets a run graph of its own, holding a dangling evaluation. So before a
batch is committed, each reference it makes — the ``run`` of every record, the node an ``*.end``
record ends, ``execution``, ``parent``, ``stage``, ``previous``, ``generated_by``, ``used``,
``model``, ``data``, ``derived_from``, ``revision_of`` — must name a node the batch defines (a
``run.start``, ``stage.start``, ``section.start``, ``entity``, ``hyperparameter`` record, or the
inputs of a legacy task) or one the store already holds: an execution in the same run's graph, an
entity in any graph. This is validation against the store (one query per batch, for the references
the batch does not resolve itself), not mapping.

A batch that fails is quarantined like a SHACL violation (kept, resubmittable once the records it
depends on are in), rather than refused outright: the client's batches may legitimately arrive out
of order (a spool replayed after a later batch, a forked worker), and the data is meaningful.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..store._base import SelectResult, Store
from ._iris import Iris
from ._legacy_records import StageInputs
from ._pipeline_records import (
    PipelineOperationRecord,
    PipelineSampleRecord,
    PipelineSchemaRecord,
    PipelineUpdateRecord,
)
from ._records import (
    EntityRecord,
    HyperparameterRecord,
    MetricRecord,
    RunEnd,
    RunStart,
    SectionEnd,
    SectionStart,
    StageEnd,
    StageStart,
    UsedRecord,
)
from ._validation import Report

__all__ = ["Reference", "references", "unknown_references"]

_NAMES = {
    "run": "run",
    "execution": "execution",
    "entity": "entity",
    "value": "hyperparameter value",
}


@dataclass(frozen=True)
class Reference:
    """Record ``index`` (its node ``node``) names ``target`` in ``field``: a ``kind`` (run,
    execution, entity or hyperparameter value) of run ``run`` (entities: of any run)."""

    index: int
    type: str
    node: str  # e.g. "evaluation/m1": the kind and client id of the record's own node
    field: str
    kind: str
    target: str
    run: str

    def iri(self, iris: Iris) -> ox.NamedNode:
        if self.kind == "entity":
            return iris.entity(self.target)
        if self.kind == "value":
            return iris.hyperparameter_value(self.target)
        return iris.activity(self.target, self.run) if self.kind != "run" else iris.run(self.run)


def _defines(record: Any) -> list[tuple[str, str, str]]:
    """The (kind, id, run) of the nodes a record starts (entities: run "")."""
    if isinstance(record, RunStart):
        return [("run", record.run, record.run)]
    if isinstance(record, StageStart | SectionStart | StageInputs):
        return [("execution", record.id, record.run)]
    if isinstance(record, EntityRecord):
        return [("entity", record.id, "")]
    if isinstance(record, HyperparameterRecord):
        return [("value", record.id, record.run)]
    if isinstance(record, PipelineOperationRecord):
        return [("execution", record.id, record.run), ("entity", record.stream, "")]
    return []


def _activity(target: str, run: str) -> str:
    return "run" if target == run else "execution"


def _refers(record: Any) -> list[tuple[str, str, str]]:
    """The (field, kind, id) of the nodes a record names without starting them."""
    run = getattr(record, "run", None)
    if run is None:  # catalogue records (data stores, workflow plans) refer to no run
        return []
    found: list[tuple[str, str, str]] = []
    if not isinstance(record, RunStart):
        found.append(("run", "run", run))
    if isinstance(record, StageEnd | SectionEnd):
        found.append(("id", "execution", record.id))
    elif isinstance(record, StageStart):
        if record.parent is not None:
            found.append(("parent", _activity(record.parent, run), record.parent))
        found += [(f"used[{i}]", "entity", e) for i, e in enumerate(record.used)]
    elif isinstance(record, SectionStart):
        found.append(("stage", _activity(record.stage, run), record.stage))
    elif isinstance(record, MetricRecord):
        found.append(("execution", _activity(record.execution, run), record.execution))
        for field, entity in (("model", record.model), ("data", record.data)):
            if entity is not None:
                found.append((field, "entity", entity))
    elif isinstance(record, HyperparameterRecord):
        found.append(("execution", _activity(record.execution, run), record.execution))
        if record.previous is not None:
            found.append(("previous", "value", record.previous))
    elif isinstance(record, EntityRecord):
        if record.generated_by is not None:
            found.append(("generated_by", _activity(record.generated_by, run), record.generated_by))
        found += [(f"derived_from[{i}]", "entity", e) for i, e in enumerate(record.derived_from)]
        if record.revision_of is not None:
            found.append(("revision_of", "entity", record.revision_of))
    elif isinstance(record, UsedRecord):
        found.append(("execution", _activity(record.execution, run), record.execution))
        found.append(("entity", "entity", record.entity))
    elif isinstance(record, StageInputs):
        found += [(f"used[{i}]", "entity", e) for i, e in enumerate(record.used)]
    elif isinstance(record, PipelineOperationRecord):
        found += [(f"inputs[{i}]", "entity", e) for i, e in enumerate(record.inputs)]
        found += [(f"used[{i}]", "entity", e) for i, e in enumerate(record.used)]
    elif isinstance(record, PipelineSchemaRecord | PipelineSampleRecord):
        found.append(("stream", "entity", record.stream))
    elif isinstance(record, PipelineUpdateRecord):
        found.append(("operation", "execution", record.operation))
    return found


def references(records: Sequence[Any]) -> list[Reference]:
    """The references of a batch that the batch does not resolve itself, in record order."""
    defined = {(kind, id_, run) for record in records for kind, id_, run in _defines(record)}
    out: list[Reference] = []
    seen: set[tuple[str, str, str]] = set()
    for index, record in enumerate(records):
        run = getattr(record, "run", "")
        for field, kind, target in _refers(record):
            key = (kind, target, "" if kind == "entity" else run)
            if key in defined or key in seen:
                continue
            seen.add(key)  # one entry per missing node: the first record naming it
            out.append(Reference(index, record.type, _node(record), field, kind, target, run))
    return out


def _node(record: Any) -> str:
    """The kind and id of the node a record is about, to find it in a report."""
    if isinstance(record, MetricRecord):
        return f"evaluation/{record.id}"
    if isinstance(record, HyperparameterRecord):
        return f"hyperparameter-value/{record.id}"
    if isinstance(record, EntityRecord):
        return f"entity/{record.id}"
    if isinstance(record, UsedRecord):
        return f"execution/{record.execution}"
    if isinstance(record, RunStart | RunEnd):
        return f"run/{record.run}"
    if isinstance(record, PipelineSchemaRecord):
        return f"schema/{record.id}"
    if isinstance(record, PipelineSampleRecord):
        return f"sample/{record.id}"
    if isinstance(record, PipelineUpdateRecord):
        return f"statistics/{record.id}"
    return f"execution/{record.id}"


def _existing(store: Store, iris: Iris, refs: Iterable[Reference]) -> set[tuple[str, str]]:
    """The (graph or "", IRI) pairs of ``refs`` that the store holds as subjects."""
    rows = {
        ("" if r.kind == "entity" else iris.run_graph(r.run).value, r.iri(iris).value) for r in refs
    }
    if not rows:
        return set()
    # Pairs with a graph, and IRIs in any graph, in two groups: no ``UNDEF`` in VALUES, which
    # Virtuoso 7.2 reads as matching nothing inside the EXISTS.
    in_graph = " ".join(f"(<{g}> <{n}>)" for g, n in sorted(rows) if g)
    anywhere = " ".join(f"<{n}>" for g, n in sorted(rows) if not g)
    result = store.query(
        f"SELECT ?g ?n WHERE {{ {{ VALUES (?g ?n) {{ {in_graph} }} "
        "FILTER EXISTS { GRAPH ?g { ?n ?p ?o } } } UNION "
        f"{{ VALUES ?n {{ {anywhere} }} FILTER EXISTS {{ GRAPH ?any {{ ?n ?p ?o }} }} }} }}"
    )
    assert isinstance(result, SelectResult)
    return {("" if g is None else g.value, n.value) for g, n in result.rows}


def unknown_references(records: Sequence[Any], store: Store, iris: Iris) -> Report:
    """A report entry for every reference that neither the batch nor the store resolves."""
    refs = references(records)
    existing = _existing(store, iris, refs)
    report: Report = []
    for ref in refs:
        graph = "" if ref.kind == "entity" else iris.run_graph(ref.run).value
        target = ref.iri(iris)
        if (graph, target.value) in existing:
            continue
        if ref.kind == "run":
            missing = "which was never started (no run.start in this batch or in the store)"
        elif ref.kind == "entity":
            missing = "which is recorded neither in this batch nor in the store"
        else:
            missing = f"which run {ref.run!r} holds neither in this batch nor in the store"
        report.append(
            {
                "focus_node": iris.base + ref.node,
                "path": f"records[{ref.index}].{ref.field}",
                "value": target.value,
                "message": f"{ref.type} record {ref.index} refers to {_NAMES[ref.kind]} "
                f"{ref.target!r}, {missing}",
                "severity": "Violation",
                "source_shape": None,
                "component": "UnknownReference",
            }
        )
    return report
