"""The plan (``provml:executionOf``) of each execution a batch starts.

A stage's plan is ``{experiment}/stage/{name}`` and a section's is the plan of the execution it is
part of plus ``/section/{name}``, so naming a plan needs the experiment of the run and the plans of
enclosing executions. The batch gives them when it starts the run (``run.start``) or the enclosing
execution, or when its records carry their workflow's name (ProvLake tasks and cycles); otherwise
they are facts the store holds — ``provml:executionOf``, written once when a node starts, never
changed — which the caller reads for the IRIs ``PlanFinder.needed`` names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from ._iris import Iris
from ._records import RunStart, SectionStart, StageStart

__all__ = ["PlanFinder", "Plans"]

# Run / execution IRIs → the plan IRI each is an execution of (for those the store knows).
Plans = Mapping[str, ox.NamedNode]


class PlanFinder:
    """Plan IRIs of the executions a batch starts, from the batch itself and, for earlier nodes,
    the plans given (read from the store)."""

    def __init__(self, iris: Iris, records: Iterable[object], found: Plans) -> None:
        self.iris = iris
        self.runs, self.defs = self._scan(iris, records)
        self.cache: dict[str, ox.NamedNode | None] = {}
        self.found = found

    @staticmethod
    def _scan(
        iris: Iris, records: Iterable[object]
    ) -> tuple[dict[str, ox.NamedNode], dict[str, StageStart | SectionStart]]:
        runs: dict[str, ox.NamedNode] = {}
        defs: dict[str, StageStart | SectionStart] = {}
        for record in records:
            if isinstance(record, RunStart):
                runs[record.run] = iris.experiment(record.name)
            elif isinstance(record, StageStart | SectionStart):
                defs[record.id] = record
            experiment = getattr(record, "experiment", None)  # a ProvLake task or cycle
            if experiment is not None:
                runs.setdefault(record.run, iris.experiment(experiment))
        return runs, defs

    @classmethod
    def needed(cls, iris: Iris, records: Iterable[object]) -> set[str]:
        runs, defs = cls._scan(iris, records)
        needed: set[str] = set()
        for record in defs.values():
            parent = record.run if isinstance(record, StageStart) else record.stage
            if parent == record.run:
                if parent not in runs:
                    needed.add(iris.run(parent).value)
            elif parent not in defs:
                needed.add(iris.execution(parent).value)
        return needed

    def of(self, id_: str, run: str, _seen: frozenset[str] = frozenset()) -> ox.NamedNode | None:
        """The plan of execution ``id_`` (the experiment for the run), or None when unknown."""
        key = f"{run}\x00{id_}"
        if key in self.cache:
            return self.cache[key]
        plan: ox.NamedNode | None
        record = self.defs.get(id_)
        if id_ == run:
            plan = self.runs.get(run) or self.found.get(self.iris.run(run).value)
        elif record is None:
            plan = self.found.get(self.iris.execution(id_).value)
        elif id_ in _seen:
            plan = None  # a section claiming to be inside itself
        elif isinstance(record, StageStart):
            experiment = self.of(run, run, _seen | {id_})
            plan = None if experiment is None else Iris.stage_plan(experiment, record.name)
        elif record.stage == run:
            # A loop directly in the run (a legacy ProvLake cycle) is its own stage.
            experiment = self.of(run, run, _seen | {id_})
            stage = None if experiment is None else Iris.stage_plan(experiment, record.name)
            plan = None if stage is None else Iris.section_plan(stage, record.name)
        else:
            parent = self.of(record.stage, run, _seen | {id_})
            plan = None if parent is None else Iris.section_plan(parent, record.name)
        self.cache[key] = plan
        return plan
