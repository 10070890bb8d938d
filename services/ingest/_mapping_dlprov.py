"""Dataflow records (DfAnalyzer / DLProv) → PROV-ML quads: a pure function of the record.

- ``dataflow``: the dataflow is a ``LearningExperiment`` plan; each transformation a
  ``DataTransformation`` (a ``TrainingStage`` or ``TestingStage`` for Train and Test steps) that is
  part of it, with the sets it reads (``inputSet``) and writes (``outputSet``) and the steps it
  depends on (``dependsOn``); each set a ``DataflowSet`` with its ``Attribute`` nodes (name,
  position, type), all in the catalogue graph.
- a resolved ``task``: the task is an execution of its transformation, part of the run (the
  execution tag), informed by the tasks it depends on; it is typed (``TrainingExecution``, ...)
  with its start and end times once they are known. The elements it sent are ``DataElement``
  entities with typed attribute values (FILE and RDFILE values are also data references), members
  of the task's ``Dataset`` of that set, which the task generated (output sets) or used (input
  sets); the task also used the datasets of the tasks it depends on, and a data-preparation step's
  datasets are derived from them. Numbers of a learning stage's outputs become model evaluations
  (at the element's ``EPOCH``), the inputs entered for a training its hyperparameter values, and an
  adaptation step's ``NEW_<NAME>`` values hyperparameter adaptations at their epoch. An element a
  training step writes to a set that says model (its tag, or a file attribute's name: DLProv's
  oTrainedModel) is also the trained ``Model``. Those learning values: ``_mapping_dlprov_learning``.

Every IRI is minted from the record: an element's id is a digest of its values within its task and
set, so an element sent twice (``save()`` then ``end()``) is one element.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from provlake.dataflow._ids import digest
from provlake.vocab import MLS, PROV

from ._dataflows import ResolvedElement, ResolvedTask, node_id, set_iri, stage_kind
from ._iris import ML, Iris, V, term
from ._literals import literal, time_literal
from ._mapping_dlprov_learning import learning_values
from ._records import DataflowRecord

__all__ = ["DATAFLOW_HANDLERS"]

_PLAN = {
    "training": ML.TrainingStage,
    "testing": ML.TestingStage,
    "validation": ML.ValidationStage,
    "evaluation": ML.EvaluationStage,
    "transformation": ML.DataTransformation,
}
_EXECUTION = {
    "training": ML.TrainingExecution,
    "testing": ML.TestingExecution,
    "validation": ML.ValidationExecution,
    "evaluation": ML.EvaluationExecution,
    "transformation": ML.DataTransformationExecution,
}
_HAS_QUALITY = term(MLS.hasQuality)
_HAD_MEMBER = term(PROV.hadMember)
_INFORMED_BY = term(PROV.wasInformedBy)
_ATTRIBUTED_TO = term(PROV.wasAttributedTo)
_COLLECTION = term(PROV.Collection)


def _plans(m: Any, out: Any, dataflow: str, transformation: str) -> ox.NamedNode:
    """The catalogue nodes of a step: the dataflow and the transformation that is part of it."""
    experiment = m.iris.experiment(dataflow)
    m._plan(out, experiment, dataflow, ML.LearningExperiment)
    plan = Iris.stage_plan(experiment, transformation)
    m._plan(out, plan, transformation, _PLAN[stage_kind(transformation)])
    out.add(plan, ML.isPartOf, experiment, m.iris.catalog_graph)
    return plan


def _persona(m: Any, out: Any, user: str) -> ox.NamedNode:
    persona, c = m.iris.persona(user), m.iris.catalog_graph
    out.typed(persona, c, ML.Persona, V.Person, V.Agent)
    out.add(persona, V.label, ox.Literal(user), c)
    return persona


def map_dataflow(m: Any, r: DataflowRecord, out: Any) -> None:
    """A dataflow's definition into the catalogue graph."""
    c = m.iris.catalog_graph
    experiment = m.iris.experiment(r.id)
    m._plan(out, experiment, r.id, ML.LearningExperiment)
    if r.user is not None:
        out.add(experiment, _ATTRIBUTED_TO, _persona(m, out, r.user), c)
    for t in r.transformations:
        plan = _plans(m, out, r.id, t.tag)
        for s in t.sets:
            node = set_iri(experiment, s.tag)
            m._plan(out, node, s.tag, ML.DataflowSet)
            out.add(node, ML.isPartOf, experiment, c)
            out.add(node, ML.attributeCount, literal(len(s.attributes)), c)
            for position, a in enumerate(s.attributes):
                attribute = ox.NamedNode(f"{node.value}/attribute/{position}")
                m._plan(out, attribute, a.name, ML.Attribute)
                out.add(attribute, ML.isPartOf, node, c)
                out.add(attribute, ML.position, literal(position), c)
                out.add(attribute, ML.attributeType, ox.Literal(a.type), c)
            if s.type == "OUTPUT":
                out.add(plan, ML.outputSet, node, c)
                continue
            out.add(plan, ML.inputSet, node, c)
            if s.dependency is not None:
                source = _plans(m, out, r.id, s.dependency)
                out.add(plan, ML.dependsOn, source, c)
                out.add(source, ML.outputSet, node, c)


def map_task(m: Any, r: ResolvedTask, out: Any) -> None:
    """One task message: the task, its run, and the elements it sent."""
    t, iris = r.record, m.iris
    g = iris.run_graph(t.run)
    run, node = iris.run(t.run), iris.execution(t.id)
    out.add(run, ML.identifier, ox.Literal(t.run), g)
    out.add(run, V.label, ox.Literal(t.execution), g)
    out.add(run, ML.executionOf, iris.experiment(t.dataflow), g)
    if t.user is not None:
        out.add(run, V.wasAssociatedWith, _persona(m, out, t.user), g)
    out.add(node, ML.identifier, ox.Literal(t.id), g)
    out.add(node, V.label, ox.Literal(t.task), g)
    out.add(node, ML.isPartOf, run, g)
    out.add(node, ML.executionOf, _plans(m, out, t.dataflow, t.transformation), g)
    for dependency in t.dependencies:
        out.add(node, _INFORMED_BY, iris.execution(dependency.id), g)
    if t.start is not None:  # DfAnalyzer says when a task started only when it ends
        out.typed(node, g, _EXECUTION[r.kind], V.Activity)
        out.add(node, V.startedAtTime, time_literal(t.start), g)
    if t.end is not None:
        out.add(node, V.endedAtTime, time_literal(t.end), g)
        if t.status == "finished":
            out.add(node, ML.status, ox.Literal("finished"), g)
    m._attributes(out, node, t.id, t.attributes, "out", g)
    read = [iris.entity(node_id(task, tag)) for task, tag in r.reads]
    for dataset in read:
        out.add(node, V.used, dataset, g)
    for element in r.elements:
        _element(m, out, r, element, read)


def _element(m: Any, out: Any, r: ResolvedTask, e: ResolvedElement, read: list) -> None:
    t, iris = r.record, m.iris
    g, node = iris.run_graph(t.run), iris.execution(t.id)
    set_node = set_iri(iris.experiment(t.dataflow), e.set)
    dataset_id = node_id(t.id, e.set)
    dataset = iris.entity(dataset_id)
    out.typed(dataset, g, ML.Dataset, _COLLECTION, V.Entity)
    out.add(dataset, ML.identifier, ox.Literal(dataset_id), g)
    out.add(dataset, V.label, ox.Literal(e.set), g)
    out.add(dataset, ML.dataflowSet, set_node, g)
    element_id = node_id(t.id, e.set, digest("\x00".join(e.raw), 16))
    element = iris.entity(element_id)
    out.typed(element, g, ML.DataElement, V.Entity)
    out.add(element, ML.identifier, ox.Literal(element_id), g)
    out.add(element, ML.dataflowSet, set_node, g)
    out.add(dataset, _HAD_MEMBER, element, g)
    if e.output:
        out.add(dataset, V.wasGeneratedBy, node, g)
        out.add(element, V.wasGeneratedBy, node, g)
        if r.kind == "transformation":  # a prepared dataset derives from the data it read
            for source in read:
                out.add(dataset, V.wasDerivedFrom, source, g)
    else:
        out.add(node, V.used, dataset, g)
        out.add(node, V.used, element, g)
    for position, (name, kind, value) in enumerate(e.values):
        value_node = iris.attribute_value(element_id, "of", name)
        out.typed(value_node, g, ML.AttributeValue, V.Entity)
        if kind in ("FILE", "RDFILE"):
            out.typed(value_node, g, ML.DataReference)
            out.add(value_node, ML.location, ox.Literal(str(value)), g)
        out.add(
            value_node, V.specifiedBy, ox.NamedNode(f"{set_node.value}/attribute/{position}"), g
        )
        out.add(value_node, V.hasValue, literal(value), g)
        out.add(element, _HAS_QUALITY, value_node, g)
    learning_values(m, out, r, e, element_id)


DATAFLOW_HANDLERS: dict[str, Callable[[Any, Any, Any], None]] = {
    "DataflowRecord": map_dataflow,
    "ResolvedTask": map_task,
}
