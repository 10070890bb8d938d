"""Capture records → PROV-ML quads (docs/capture-format.md), with pyoxigraph terms only.

Run nodes go to the run's graph, shared plan nodes (experiments, stages, measures, agents, ...) to
the catalogue graph, and data identified by its content (an entity whose id is the
``provlake.identity.data_id`` of its description) to the data graph, where the runs that use it
find one node. Every typed node also gets its PROV-O base type. The mapping is deterministic
and mints no blank node, so the same batch always gives the same quads.

Mapping is a pure function of the records and of immutable facts: a record may refer to nodes sent
in an earlier batch (a ``stage.end``, a ``metric`` of a stage started before): its graph comes from
its ``run`` field; the plan IRI of a stage or section started in a later batch than its run needs
the plan of the run (or of the enclosing execution), which ``Mapper.plans_needed`` names and the
caller gives (``provml:executionOf`` is written once, when the node starts, and never changes). A
ProvLake task or cycle carries its workflow's name, so its plans need nothing from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pyoxigraph as ox

from provlake.identity import DESCRIPTIVE_FIELDS, data_id
from provlake.vocab import MLS, XSD

from ._iris import ML, Iris, V, term
from ._legacy_records import (
    CycleStart,
    DataStoreRecord,
    StageInputs,
    TaskStart,
    WorkflowPlanRecord,
)
from ._literals import integer, literal, time_literal
from ._mapping_braid import BraidMapping
from ._mapping_versions import version_quads
from ._plans import PlanFinder, Plans
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
    VersionRecord,
)

__all__ = ["Mapper", "literal", "time_literal"]

# (mapper, record, out): maps one record of another system's kind.
Handler = Callable[["Mapper", object, "_Out"], None]

_STAGE = {
    "training": (ML.TrainingExecution, ML.TrainingStage),
    "validation": (ML.ValidationExecution, ML.ValidationStage),
    "evaluation": (ML.EvaluationExecution, ML.EvaluationStage),
    "testing": (ML.TestingExecution, ML.TestingStage),
    "transformation": (ML.DataTransformationExecution, ML.DataTransformation),
}
_ENTITY = {
    "dataset": ML.Dataset,
    "data": ML.LearningData,
    "feature_set": ML.FeatureSet,
    "model": ML.Model,
    "data_reference": ML.DataReference,
    "kg_reference": ML.KnowledgeGraphReference,
}
_XSD_DOUBLE = term(XSD.double)
_HAS_QUALITY = term(MLS.hasQuality)


class _Out:
    """Collects quads in order, without duplicates."""

    def __init__(self) -> None:
        self.quads: dict[ox.Quad, None] = {}
        self.plans: set[tuple] = set()  # catalogue nodes already described in this batch

    def add(
        self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal, g: ox.NamedNode
    ) -> None:
        self.quads[ox.Quad(s, p, o, g)] = None

    def typed(self, s: ox.NamedNode, g: ox.NamedNode, *classes: ox.NamedNode) -> None:
        for cls in classes:
            self.quads[ox.Quad(s, V.type, cls, g)] = None


class Mapper(BraidMapping):
    """Maps validated records to quads under one base IRI (``braid.*``: ``BraidMapping``)."""

    def __init__(self, iris: Iris, handlers: Mapping[str, Handler] | None = None) -> None:
        self.iris = iris
        # Records of other systems (DfAnalyzer dataflows, ...), by class name: each a pure function
        # of (mapper, record, out) in its own module.
        self.handlers = dict(handlers or {})

    def plans_needed(self, records: Sequence[object]) -> set[str]:
        """The run and execution IRIs whose plans mapping ``records`` needs and they do not give."""
        return PlanFinder.needed(self.iris, records)

    def map(self, records: Sequence[object], plans: Plans | None = None) -> list[ox.Quad]:
        """The quads of ``records``; ``plans`` gives the plans of the nodes ``plans_needed``
        names (those the store holds)."""
        out = _Out()
        plans = PlanFinder(self.iris, records, plans or {})
        for record in records:
            name = type(record).__name__
            handler = getattr(self, "_" + name, None)
            if handler is not None:
                handler(record, out, plans)
            else:
                self.handlers[name](self, record, out)
        return list(out.quads)

    # -- helpers -----------------------------------------------------------------------------------

    def _plan(self, out: _Out, node: ox.NamedNode, name: str, *classes: ox.NamedNode) -> None:
        key = (node, name, classes)
        if key in out.plans:
            return
        out.plans.add(key)
        c = self.iris.catalog_graph
        out.typed(node, c, *classes, V.Plan)
        out.add(node, V.label, ox.Literal(name), c)

    def _attributes(
        self,
        out: _Out,
        owner: ox.NamedNode,
        owner_id: str,
        attributes: dict,
        direction: str,
        g: ox.NamedNode,
    ) -> None:
        for name, value in attributes.items():
            av = self.iris.attribute_value(owner_id, direction, name)
            attribute = self.iris.attribute(name)
            self._plan(out, attribute, name, ML.Attribute)
            out.typed(av, g, ML.AttributeValue, V.Entity)
            out.add(av, V.specifiedBy, attribute, g)
            out.add(av, V.hasValue, literal(value), g)
            if direction == "in":
                out.add(owner, V.used, av, g)
            elif direction == "out":
                out.add(av, V.wasGeneratedBy, owner, g)
            else:
                out.add(owner, _HAS_QUALITY, av, g)

    def _end(
        self, out: _Out, node: ox.NamedNode, node_id: str, record: object, g: ox.NamedNode
    ) -> None:
        out.add(node, V.endedAtTime, time_literal(record.time), g)
        if record.status is not None:
            out.add(node, ML.status, ox.Literal(record.status), g)
        self._attributes(out, node, node_id, record.attributes, "out", g)

    # -- one method per record type ----------------------------------------------------------------

    def _RunStart(self, r: RunStart, out: _Out, plans: PlanFinder) -> None:
        iris, g, c = self.iris, self.iris.run_graph(r.run), self.iris.catalog_graph
        run = iris.run(r.run)
        learning = r.kind == "learning"
        out.typed(
            run, g, ML.LearningExperimentExecution if learning else ML.WorkflowExecution, V.Activity
        )
        out.add(run, ML.identifier, ox.Literal(r.run), g)
        out.add(run, V.startedAtTime, time_literal(r.time), g)
        experiment = iris.experiment(r.name)
        out.add(run, ML.executionOf, experiment, g)
        self._plan(out, experiment, r.name, ML.LearningExperiment if learning else ML.Workflow)
        if r.study is not None:
            study = iris.study(r.study)
            self._plan(out, study, r.study, ML.Study)
            out.add(run, ML.isPartOf, study, g)
        if r.user is not None:
            persona = iris.persona(r.user)
            out.typed(persona, c, ML.Persona, V.Person, V.Agent)
            out.add(persona, V.label, ox.Literal(r.user), c)
            out.add(run, V.wasAssociatedWith, persona, g)
        if r.software is not None:
            software = iris.software(r.software.name, r.software.version)
            out.typed(software, c, ML.Software, V.SoftwareAgent, V.Agent)
            out.add(software, V.label, ox.Literal(r.software.name), c)
            out.add(software, ML.version, ox.Literal(r.software.version), c)
            out.add(run, V.wasAssociatedWith, software, g)
        if r.environment is not None:
            self._environment(out, run, r, g)
        self._attributes(out, run, r.run, r.attributes, "in", g)

    def _environment(self, out: _Out, run: ox.NamedNode, r: RunStart, g: ox.NamedNode) -> None:
        env, e = self.iris.environment(r.run), r.environment
        out.add(run, ML.environment, env, g)
        out.typed(env, g, ML.ExecutionEnvironment, V.Entity)
        for prop, value in (
            (ML.hostname, e.hostname),
            (ML.operatingSystem, e.os),
            (ML.pythonVersion, e.python),
            (ML.processor, e.processor),
            (ML.sourceRevision, e.git_commit),
        ):
            if value is not None:
                out.add(env, prop, ox.Literal(value), g)
        for accelerator in e.accelerators:
            out.add(env, ML.accelerator, ox.Literal(accelerator), g)
        for package, version in e.packages.items():
            out.add(env, ML.packageVersion, ox.Literal(f"{package}=={version}"), g)

    def _RunEnd(self, r: RunEnd, out: _Out, plans: PlanFinder) -> None:
        self._end(out, self.iris.run(r.run), r.run, r, self.iris.run_graph(r.run))

    def _StageStart(
        self, r: StageStart, out: _Out, plans: PlanFinder, *, whole: bool = True
    ) -> None:
        iris, g = self.iris, self.iris.run_graph(r.run)
        node = iris.execution(r.id)
        execution_class, _ = _STAGE[r.kind]
        out.typed(node, g, execution_class, V.Activity)
        out.add(node, ML.identifier, ox.Literal(r.id), g)
        out.add(node, V.startedAtTime, time_literal(r.time), g)
        if whole:
            out.add(node, ML.isPartOf, iris.activity(r.parent or r.run, r.run), g)
        plan = plans.of(r.id, r.run)
        if plan is not None:
            out.add(node, ML.executionOf, plan, g)
            self._plan(out, plan, r.name, _STAGE[r.kind][1])
            out.add(plan, ML.isPartOf, plans.of(r.run, r.run), iris.catalog_graph)
        if r.planned_epochs is not None:
            out.add(node, ML.plannedEpochs, integer(r.planned_epochs), g)
        for entity in r.used:
            out.add(node, V.used, iris.entity(entity), g)
        self._attributes(out, node, r.id, r.attributes, "in", g)

    def _StageEnd(self, r: StageEnd, out: _Out, plans: PlanFinder) -> None:
        self._end(out, self.iris.execution(r.id), r.id, r, self.iris.run_graph(r.run))

    def _SectionStart(self, r: SectionStart, out: _Out, plans: PlanFinder) -> None:
        iris, g = self.iris, self.iris.run_graph(r.run)
        node = iris.execution(r.id)
        out.typed(node, g, ML.LearningStageSectionExecution, V.Activity)
        out.add(node, ML.identifier, ox.Literal(r.id), g)
        out.add(node, V.startedAtTime, time_literal(r.time), g)
        out.add(node, ML.index, integer(r.index), g)
        out.add(node, ML.isPartOf, iris.activity(r.stage, r.run), g)
        plan = plans.of(r.id, r.run)
        if plan is not None:
            out.add(node, ML.executionOf, plan, g)
            self._plan(out, plan, r.name, ML.LearningStageSection)
            out.add(plan, ML.isPartOf, plans.of(r.stage, r.run), iris.catalog_graph)
        self._attributes(out, node, r.id, r.attributes, "in", g)

    def _SectionEnd(self, r: SectionEnd, out: _Out, plans: PlanFinder) -> None:
        self._end(out, self.iris.execution(r.id), r.id, r, self.iris.run_graph(r.run))

    def _MetricRecord(self, r: MetricRecord, out: _Out, plans: PlanFinder) -> None:
        iris, g = self.iris, self.iris.run_graph(r.run)
        node, measure = iris.evaluation(r.id), iris.measure(r.name)
        self._plan(out, measure, r.name, ML.EvaluationMeasure)
        out.typed(node, g, ML.ModelEvaluation, V.Entity)
        out.add(node, ML.identifier, ox.Literal(r.id), g)
        out.add(node, V.specifiedBy, measure, g)
        out.add(node, V.hasValue, literal(r.value), g)
        out.add(node, V.wasGeneratedBy, iris.activity(r.execution, r.run), g)
        out.add(node, V.generatedAtTime, time_literal(r.time), g)
        if r.epoch is not None:
            out.add(node, ML.epoch, integer(r.epoch), g)
        if r.step is not None:
            out.add(node, ML.step, integer(r.step), g)
        if r.model is not None:
            out.add(node, ML.evaluatedModel, iris.entity(r.model), g)
        if r.data is not None:
            out.add(node, ML.evaluatedOn, iris.entity(r.data), g)

    def _HyperparameterRecord(self, r: HyperparameterRecord, out: _Out, plans: PlanFinder) -> None:
        iris, g = self.iris, self.iris.run_graph(r.run)
        node, hyperparameter = iris.hyperparameter_value(r.id), iris.hyperparameter(r.name)
        execution = iris.activity(r.execution, r.run)
        self._plan(out, hyperparameter, r.name, ML.LearningHyperparameter)
        if r.previous is None:
            out.typed(node, g, ML.LearningHyperparameterValue, V.Entity)
            out.add(execution, V.used, node, g)
        else:
            out.typed(node, g, ML.HyperparameterAdaptation, V.Entity)
            out.add(node, V.wasGeneratedBy, execution, g)
            out.add(node, V.wasRevisionOf, iris.hyperparameter_value(r.previous), g)
            out.add(node, V.generatedAtTime, time_literal(r.time), g)
        out.add(node, ML.identifier, ox.Literal(r.id), g)
        out.add(node, V.specifiedBy, hyperparameter, g)
        out.add(node, V.hasValue, literal(r.value), g)
        if r.epoch is not None:
            out.add(node, ML.epoch, integer(r.epoch), g)

    def _EntityRecord(self, r: EntityRecord, out: _Out, plans: PlanFinder) -> None:
        iris = self.iris
        # data identified by content: one description for every run (its uses stay in the runs);
        # such a record has no generated_by, so all its triples are the description
        g = iris.data_graph if _content_identified(r) else iris.run_graph(r.run)
        node = iris.entity(r.id)
        out.typed(node, g, _ENTITY[r.kind], V.Entity)
        out.add(node, ML.identifier, ox.Literal(r.id), g)
        if r.name is not None:
            out.add(node, V.label, ox.Literal(r.name), g)
        if r.generated_by is not None:
            out.add(node, V.wasGeneratedBy, iris.activity(r.generated_by, r.run), g)
        for source in r.derived_from:
            out.add(node, V.wasDerivedFrom, iris.entity(source), g)
        if r.revision_of is not None:
            out.add(node, V.wasRevisionOf, iris.entity(r.revision_of), g)
        for prop, value in (
            (ML.location, r.location),
            (ML.digest, r.digest),
            (ML.version, r.version),
        ):
            if value is not None:
                out.add(node, prop, ox.Literal(value), g)
        if r.record_count is not None:
            out.add(node, ML.recordCount, integer(r.record_count), g)
        if r.refers_to is not None:
            out.add(node, ML.refersTo, ox.NamedNode(r.refers_to), g)
        self._attributes(out, node, r.id, r.attributes, "of", g)

    def _UsedRecord(self, r: UsedRecord, out: _Out, plans: PlanFinder) -> None:
        g = self.iris.run_graph(r.run)
        out.add(self.iris.activity(r.execution, r.run), V.used, self.iris.entity(r.entity), g)

    def _VersionRecord(self, r: VersionRecord, out: _Out, plans: PlanFinder) -> None:
        revises = [(link.id, link.weight) for link in r.revises]
        for quad in version_quads(
            self.iris,
            r.kind,
            r.name,
            r.id,
            r.version,
            revises,
            measure=r.measure,
            digest=r.digest,
            location=r.location,
        ):
            out.quads[quad] = None

    # -- records of the legacy ProvLake conversion only --------------------------------------------

    def _TaskStart(self, r: TaskStart, out: _Out, plans: PlanFinder) -> None:
        if r.cycle is None:
            self._StageStart(r, out, plans)
            return
        # Part of the iteration of its cycle whose interval holds its start time: the link is
        # found from times (_cycles) once both are known; until then it names its cycle.
        self._StageStart(r, out, plans, whole=False)
        node, g = self.iris.execution(r.id), self.iris.run_graph(r.run)
        out.add(node, ML.withinSection, ox.Literal(r.cycle), g)

    def _CycleStart(self, r: CycleStart, out: _Out, plans: PlanFinder) -> None:
        self._SectionStart(r, out, plans)

    def _StageInputs(self, r: StageInputs, out: _Out, plans: PlanFinder) -> None:
        g, node = self.iris.run_graph(r.run), self.iris.execution(r.id)
        for entity in r.used:
            out.add(node, V.used, self.iris.entity(entity), g)
        self._attributes(out, node, r.id, r.attributes, "in", g)

    # -- catalogue records (from the legacy ProvLake catalogue messages) ---------------------------

    def _DataStoreRecord(self, r: DataStoreRecord, out: _Out, plans: PlanFinder) -> None:
        c, node = self.iris.catalog_graph, self.iris.datastore(r.name)
        out.typed(node, c, ML.DataStore, V.Entity)
        out.add(node, V.label, ox.Literal(r.name), c)
        if r.identifier is not None:
            out.add(node, ML.identifier, ox.Literal(r.identifier), c)
        if r.store_type is not None:
            out.add(node, ML.dataStoreType, ox.Literal(r.store_type), c)
        if r.location is not None:
            out.add(node, ML.location, ox.Literal(r.location), c)

    def _WorkflowPlanRecord(self, r: WorkflowPlanRecord, out: _Out, plans: PlanFinder) -> None:
        c, workflow = self.iris.catalog_graph, self.iris.experiment(r.name)
        self._plan(out, workflow, r.name, ML.Workflow)
        for transformation in r.transformations:
            node = Iris.stage_plan(workflow, transformation)
            self._plan(out, node, transformation, ML.DataTransformation)
            out.add(node, ML.isPartOf, workflow, c)
        for attribute in r.attributes:
            self._plan(out, self.iris.attribute(attribute), attribute, ML.Attribute)


def _content_identified(r: EntityRecord) -> bool:
    """Whether the record's id is the content-derived id of its description."""
    fields = {name: getattr(r, name) for name in (*DESCRIPTIVE_FIELDS, "generated_by")}
    return r.id == data_id(fields)
