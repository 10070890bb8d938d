"""The learning values of a DLProv task's elements → PROV-ML quads (part of the pure mapping of
``_mapping_dlprov``): what a learning step's sets mean to provml's questions.

- the numbers of a learning step's output element are model evaluations of the measure its
  attribute names (``LOSS`` → ``loss``; ``test_`` before a test's, ``val_``/``eval_`` likewise), at
  the element's ``EPOCH``;
- the values entered for a training (its input sets not read from another step) are its
  hyperparameter values;
- an adaptation step's ``NEW_<NAME>`` values are hyperparameter adaptations at their epoch, each
  revising the training's value (the first) or the previous adaptation (by ``ADAPTATION_ID``);
- an element a training writes to a set that says model is also the trained ``Model``.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from provlake.dataflow._ids import digest

from ._dataflows import ResolvedElement, ResolvedTask, node_id, stage_kind
from ._iris import ML, V
from ._literals import literal

__all__ = ["learning_values", "measure_name"]

_MEASURE_PREFIX = {"testing": "test_", "validation": "val_", "evaluation": "eval_"}
_HYPERPARAMETER_ALIASES = {"lrate": "learning_rate", "lr": "learning_rate"}


def measure_name(attribute: str, kind: str) -> str:
    """The measure an attribute of a learning stage's output set gives (``test_`` for a test).

    >>> measure_name("VAL_LOSS", "training"), measure_name("ACCURACY", "testing")
    ('val_loss', 'test_accuracy')
    """
    name = attribute.lower()
    prefix = _MEASURE_PREFIX.get(kind, "")
    return name if name.startswith(prefix) else prefix + name


def learning_values(m: Any, out: Any, r: ResolvedTask, e: ResolvedElement, element_id: str) -> None:
    """What element ``e`` of task ``r`` (its id ``element_id``) is to a learning: a model, model
    evaluations, hyperparameter values or adaptations."""
    t, iris = r.record, m.iris
    if e.output and r.kind == "training" and _is_model(e):
        _model(out, iris.run_graph(t.run), iris.entity(element_id), e)
    numbers = {name.upper(): value for name, kind, value in e.values if kind == "NUMERIC"}
    if e.output and r.kind != "transformation":
        _evaluations(m, out, r, e, element_id, numbers)
    elif not e.output and r.kind == "training" and e.source is None:
        _hyperparameters(m, out, r, e)
    if e.output and t.transformation.lower().startswith("adapt"):
        _adaptations(m, out, r, e, numbers)


def _is_model(e: ResolvedElement) -> bool:
    """Whether an element a training step wrote is a trained model: its set's tag, or the name of
    one of its FILE or RDFILE attributes, says model (DLProv's oTrainedModel: MODEL_DIR).

    >>> from services.ingest._dataflows import ResolvedElement as E
    >>> model = E("otrainedmodel", True, None, ("m", "/m.keras"),
    ...           (("MODEL_NAME", "TEXT", "m"), ("MODEL_DIR", "FILE", "/m.keras")))
    >>> weights = E("oweights", True, None, ("/w.h5",), (("WEIGHTS_PATH", "FILE", "/w.h5"),))
    >>> _is_model(model), _is_model(weights)
    (True, False)
    """
    files = [name for name, kind, _ in e.values if kind in ("FILE", "RDFILE")]
    return any("model" in text.lower() for text in (e.set, *files))


def _model(out: Any, g: ox.NamedNode, element: ox.NamedNode, e: ResolvedElement) -> None:
    """The element is also the ``Model`` the training generated: named by its first TEXT value
    whose attribute says name (else its set's tag), at its first file (a model file first)."""
    out.typed(element, g, ML.Model)
    names = [v for name, kind, v in e.values if kind == "TEXT" and "name" in name.lower()]
    out.add(element, V.label, ox.Literal(str(names[0]) if names else e.set), g)
    files = [(name, v) for name, kind, v in e.values if kind in ("FILE", "RDFILE")]
    files.sort(key=lambda file: "model" not in file[0].lower())
    if files:
        out.add(element, ML.location, ox.Literal(str(files[0][1])), g)


def _epoch(value: object) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None


def _evaluations(m: Any, out: Any, r: ResolvedTask, e: ResolvedElement, eid: str, numbers: dict):
    t, iris = r.record, m.iris
    g, node = iris.run_graph(t.run), iris.execution(t.id)
    epoch = _epoch(numbers.get("EPOCH"))
    for name, kind, value in e.values:
        if kind != "NUMERIC" or name.upper() == "EPOCH" or name.upper().endswith("_ID"):
            continue
        measure = measure_name(name, r.kind)
        measure_node = iris.measure(measure)
        m._plan(out, measure_node, measure, ML.EvaluationMeasure)
        evaluation_id = node_id(eid, measure)
        evaluation = iris.evaluation(evaluation_id)
        out.typed(evaluation, g, ML.ModelEvaluation, V.Entity)
        out.add(evaluation, ML.identifier, ox.Literal(evaluation_id), g)
        out.add(evaluation, V.specifiedBy, measure_node, g)
        out.add(evaluation, V.hasValue, literal(value), g)
        out.add(evaluation, V.wasGeneratedBy, node, g)
        if epoch is not None:
            out.add(evaluation, ML.epoch, literal(epoch), g)


def _setting(
    m: Any, out: Any, r: ResolvedTask, hyperparameter: str, value_id: str, value: object
) -> ox.NamedNode:
    """A hyperparameter value (its plan in the catalogue), in the task's run graph."""
    iris = m.iris
    g, parameter = iris.run_graph(r.record.run), iris.hyperparameter(hyperparameter)
    m._plan(out, parameter, hyperparameter, ML.LearningHyperparameter)
    setting = iris.hyperparameter_value(value_id)
    out.add(setting, ML.identifier, ox.Literal(value_id), g)
    out.add(setting, V.specifiedBy, parameter, g)
    out.add(setting, V.hasValue, literal(value), g)
    return setting


def _hyperparameters(m: Any, out: Any, r: ResolvedTask, e: ResolvedElement) -> None:
    """The values entered for a training (its input sets not read from another step)."""
    t, iris = r.record, m.iris
    g, node = iris.run_graph(t.run), iris.execution(t.id)
    for name, kind, value in e.values:
        if kind not in ("NUMERIC", "TEXT"):
            continue
        hyperparameter = name.lower()
        setting = _setting(m, out, r, hyperparameter, node_id(t.id, hyperparameter), value)
        out.typed(setting, g, ML.LearningHyperparameterValue, V.Entity)
        out.add(node, V.used, setting, g)


def _adaptations(m: Any, out: Any, r: ResolvedTask, e: ResolvedElement, numbers: dict) -> None:
    """``NEW_<NAME>`` values of an adaptation step: each replaces the value the training used (the
    first adaptation) or the previous adaptation (by ``ADAPTATION_ID``), from its epoch."""
    t, iris = r.record, m.iris
    g, node = iris.run_graph(t.run), iris.execution(t.id)
    epoch = _epoch(numbers.get("EPOCH_ID", numbers.get("EPOCH")))
    training = next(
        (d.id for d in t.dependencies if stage_kind(d.transformation) == "training"), None
    )
    if epoch is None or training is None:
        return
    number = numbers.get("ADAPTATION_ID")
    number = number if isinstance(number, int) and number >= 1 else None
    for name, kind, value in e.values:
        if kind != "NUMERIC" or not name.upper().startswith("NEW_"):
            continue
        hyperparameter = _HYPERPARAMETER_ALIASES.get(name[4:].lower(), name[4:].lower())
        key = str(number) if number is not None else digest("\x00".join(e.raw), 16)
        adaptation = _setting(m, out, r, hyperparameter, node_id(t.id, hyperparameter, key), value)
        previous = iris.hyperparameter_value(
            node_id(t.id, hyperparameter, str(number - 1))
            if number is not None and number > 1
            else node_id(training, hyperparameter)
        )
        out.typed(adaptation, g, ML.HyperparameterAdaptation, V.Entity)
        out.add(adaptation, ML.epoch, literal(epoch), g)
        out.add(adaptation, V.wasGeneratedBy, node, g)
        out.add(adaptation, V.wasRevisionOf, previous, g)
