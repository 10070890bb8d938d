"""Dataflow definitions, and the tasks of a batch resolved against them.

A task message names its dataflow, its transformation and, per set, elements whose values are
untyped and in order: what they mean comes from the dataflow's definition (the attributes' names
and types, whether the set is read or written, which transformation wrote it). The definitions come
from the batch itself and, for dataflows saved earlier, from the store (one query per batch). A set
is defined once (the shapes quarantine a dataflow that changes a stored set), so a task maps to the
same triples whenever it is replayed.

``resolve`` checks each task against its definition (unknown transformation or set, wrong number of
values, a NUMERIC value that is no number: ``InvalidBatch`` naming the field) and replaces it with a
``ResolvedTask`` holding typed values, which the mapper turns into triples without reading the
store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from provlake.dataflow._ids import digest

from ._exceptions import InvalidBatch
from ._records import DataflowRecord, TaskRecord

__all__ = [
    "DefinitionLookup",
    "Definitions",
    "ResolvedElement",
    "ResolvedTask",
    "SetDef",
    "TransformationDef",
    "node_id",
    "resolve",
    "set_iri",
    "stage_kind",
]

# (dataflow, transformation) pairs → their definitions, as stored.
DefinitionLookup = Callable[
    [Collection[tuple[str, str]]],
    tuple[dict[tuple[str, str], "TransformationDef"], dict[tuple[str, str], "SetDef"]],
]
_KINDS = (
    ("train", "training"),
    ("test", "testing"),
    ("valid", "validation"),
    ("eval", "evaluation"),
)
_INTEGER = re.compile(r"[+-]?\d+")
_PART = re.compile(r"[A-Za-z0-9._-]{1,64}")


def node_id(base: str, *parts: str) -> str:
    """The client id of a node of a task (its dataset of a set, an element, a value): the id
    ``base`` and parts joined by dots (a part that is not id-safe becomes a digest); past 128
    characters, a digest of the whole and the end of it.

    >>> node_id("run~4", "otrain", "loss"), node_id("run~4", "a b")
    ('run~4.otrain.loss', 'run~4.x7dbde93504122a70')
    """
    text = ".".join([base, *(p if _PART.fullmatch(p) else "x" + digest(p, 16) for p in parts)])
    return text if len(text) <= 128 else f"{digest(text, 24)}.{text[-100:]}"


def stage_kind(transformation: str) -> str:
    """The stage kind of a transformation, from its tag (DLProv's lifecycle: Train, Test).

    >>> [stage_kind(t) for t in ("train", "TrainModel", "test", "loaddata")]
    ['training', 'training', 'testing', 'transformation']
    """
    tag = transformation.lower()
    return next((kind for prefix, kind in _KINDS if tag.startswith(prefix)), "transformation")


def set_iri(experiment: ox.NamedNode, tag: str) -> ox.NamedNode:
    """``{experiment}/set/{tag}``: a set of the dataflow ``experiment``."""
    return ox.NamedNode(f"{experiment.value}/set/{quote(tag, safe='')}")


@dataclass(frozen=True)
class SetDef:
    tag: str
    attributes: tuple[tuple[str, str], ...]  # (name, type) in order


@dataclass
class TransformationDef:
    tag: str
    inputs: dict[str, str | None] = field(
        default_factory=dict
    )  # set → transformation it comes from
    outputs: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class ResolvedElement:
    set: str
    output: bool  # written by the task (else read)
    source: str | None  # for a set read from another step, that step's transformation
    raw: tuple[str, ...]  # the values as sent: the element's identity
    values: tuple[tuple[str, str, str | int | float], ...]  # (name, type, typed value)


@dataclass(frozen=True)
class ResolvedTask:
    """A ``task`` record with its elements typed by the dataflow's definition."""

    record: TaskRecord
    kind: str
    elements: tuple[ResolvedElement, ...]
    reads: tuple[tuple[str, str], ...]  # (task id, set) of the sets it reads from other tasks


class Definitions:
    """The definitions a batch needs: its own dataflow records first, then the store's."""

    def __init__(
        self,
        records: Sequence[object],
        lookup: DefinitionLookup | None,
        where: Callable[[int], str] = "records[{}]".format,
    ) -> None:
        self.transformations: dict[tuple[str, str], TransformationDef] = {}
        self.sets: dict[tuple[str, str], SetDef] = {}
        self.dataflows: set[str] = set()
        self.lookup = lookup
        for i, record in enumerate(records):
            if isinstance(record, DataflowRecord):
                self._add(record, where(i))
        needed = {
            (r.dataflow, r.transformation)
            for r in records
            if isinstance(r, TaskRecord)
            and (r.dataflow, r.transformation) not in self.transformations
        }
        if needed and lookup is not None:
            found_transformations, found_sets = lookup(needed)
            for key, value in found_transformations.items():
                self.transformations.setdefault(key, value)
                self.dataflows.add(key[0])
            for key, value in found_sets.items():
                self.sets.setdefault(key, value)

    def known(self, dataflow: str) -> bool:
        """Whether the batch or the store defines ``dataflow`` (asked only to word an error)."""
        if dataflow in self.dataflows:
            return True
        known = getattr(self.lookup, "known_dataflows", None)
        return known is not None and dataflow in known([dataflow])

    def _add(self, record: DataflowRecord, where: str) -> None:
        df = record.id
        self.dataflows.add(df)
        defined: dict[str, tuple[tuple[str, str], ...]] = {}
        for i, t in enumerate(record.transformations):
            definition = self.transformations.setdefault((df, t.tag), TransformationDef(t.tag))
            for j, s in enumerate(t.sets):
                here = f"{where}.transformations[{i}].sets[{j}]"
                attributes = tuple((a.name, a.type) for a in s.attributes)
                names = [name for name, _ in attributes]
                if len(set(names)) != len(names):
                    raise InvalidBatch(
                        f"{here}.attributes", f"set {s.tag!r} names an attribute twice"
                    )
                if defined.setdefault(s.tag, attributes) != attributes:
                    raise InvalidBatch(
                        f"{here}.attributes",
                        f"set {s.tag!r} is declared elsewhere with other attributes",
                    )
                self.sets[(df, s.tag)] = SetDef(s.tag, attributes)
                if s.type == "OUTPUT":
                    definition.outputs.add(s.tag)
                else:
                    definition.inputs[s.tag] = s.dependency
                    if s.dependency is not None:  # the set's elements are written by that step
                        source = (df, s.dependency)
                        self.transformations.setdefault(source, TransformationDef(s.dependency))
                        self.transformations[source].outputs.add(s.tag)


def resolve(
    records: Sequence[object], lookup: DefinitionLookup | None, where: Callable[[int], str]
) -> list[object]:
    """The records with every ``task`` replaced by a ``ResolvedTask``; ``where(i)`` names record
    ``i`` in error messages (``records[3]``, or ``body`` for a wire message)."""
    if not any(isinstance(r, TaskRecord | DataflowRecord) for r in records):
        return list(records)
    definitions = Definitions(records, lookup, where)
    return [
        _resolve_task(r, definitions, where(i)) if isinstance(r, TaskRecord) else r
        for i, r in enumerate(records)
    ]


def _resolve_task(r: TaskRecord, definitions: Definitions, where: str) -> ResolvedTask:
    t = definitions.transformations.get((r.dataflow, r.transformation))
    if t is None:
        if not definitions.known(r.dataflow):
            raise InvalidBatch(
                f"{where}.dataflow",
                f"no dataflow {r.dataflow!r} is defined: save the dataflow before its tasks",
            )
        raise InvalidBatch(
            f"{where}.transformation",
            f"dataflow {r.dataflow!r} has no transformation {r.transformation!r}",
        )
    elements = []
    for j, s in enumerate(r.sets):
        here = f"{where}.sets[{j}]"
        if s.tag not in t.outputs and s.tag not in t.inputs:
            raise InvalidBatch(
                f"{here}.tag", f"transformation {t.tag!r} neither reads nor writes a set {s.tag!r}"
            )
        definition = definitions.sets[(r.dataflow, s.tag)]
        output = s.tag in t.outputs
        source = None if output else t.inputs[s.tag]
        for k, element in enumerate(s.elements):
            where_k = f"{here}.elements[{k}]"
            elements.append(_element(definition, output, source, element, where_k))
    reads = tuple(
        (dependency.id, tag)
        for tag, source in t.inputs.items()
        if source is not None
        for dependency in r.dependencies
        if dependency.transformation == source
    )
    return ResolvedTask(r, stage_kind(r.transformation), tuple(dict.fromkeys(elements)), reads)


def _element(
    definition: SetDef, output: bool, source: str | None, element: list, where: str
) -> ResolvedElement:
    attributes = definition.attributes
    if len(element) != len(attributes):
        names = ", ".join(name for name, _ in attributes)
        raise InvalidBatch(
            where,
            f"{len(element)} values, but set {definition.tag!r} has {len(attributes)} "
            f"attributes ({names})",
        )
    raw = tuple(
        v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v) for v in element
    )
    values = []
    for position, ((name, kind), text) in enumerate(zip(attributes, raw, strict=True)):
        values.append(
            (name, kind, _number(text, f"{where}[{position}]", name) if kind == "NUMERIC" else text)
        )
    return ResolvedElement(definition.tag, output, source, raw, tuple(values))


def _number(text: str, where: str, name: str) -> int | float:
    stripped = text.strip()
    if _INTEGER.fullmatch(stripped):
        return int(stripped)
    try:
        number = float(stripped)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidBatch(where, f"attribute {name} is NUMERIC: {text!r} is not a finite number")
    return number
