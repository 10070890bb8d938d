"""What the pipeline reads from the store: plans of earlier executions, the latest iteration of a
legacy cycle, and the validation context of a batch. Each is one SPARQL query per batch (VALUES,
never one query per node).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pyoxigraph as ox

from provlake.vocab import PROVML, RDF

from ..store._base import GraphResult, SelectResult, Store
from ._iris import Iris

__all__ = ["StoreContext", "mentioned_iris"]

_TYPE = ox.NamedNode(RDF.type)


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


def mentioned_iris(quads: Iterable[ox.Quad | ox.Triple]) -> set[str]:
    """IRIs the batch mentions as subject or object (classes, the objects of rdf:type, excepted)."""
    found: set[str] = set()
    for q in quads:
        if isinstance(q.subject, ox.NamedNode):
            found.add(q.subject.value)
        if isinstance(q.object, ox.NamedNode) and q.predicate != _TYPE:
            found.add(q.object.value)
    return found


class StoreContext:
    """Reads the store for one ingestor (one base IRI)."""

    def __init__(self, store: Store, iris: Iris) -> None:
        self.store = store
        self.iris = iris

    def plans(self, activities: Collection[str]) -> dict[str, ox.NamedNode]:
        """The plan each run / execution IRI is an execution of, for those the store holds."""
        if not activities:
            return {}
        result = self.store.query(
            f"SELECT ?a ?plan WHERE {{ VALUES ?a {{ {_values(sorted(activities))} }} "
            f"?a <{PROVML.executionOf}> ?plan }}"
        )
        assert isinstance(result, SelectResult)
        found: dict[str, ox.NamedNode] = {}
        for activity, plan in result.rows:
            if isinstance(activity, ox.NamedNode) and isinstance(plan, ox.NamedNode):
                # Deterministic if a node has several plans (it should not): the smallest IRI.
                previous = found.get(activity.value)
                if previous is None or plan.value < previous.value:
                    found[activity.value] = plan
        return found

    def latest_iteration(self, run: str, workflow: str, cycle: str) -> int | None:
        """The highest index of the sections of legacy cycle ``cycle`` in the run's graph."""
        stage = Iris.stage_plan(self.iris.experiment(workflow), cycle)
        plan = Iris.section_plan(stage, cycle)
        result = self.store.query(
            f"SELECT (MAX(?i) AS ?latest) WHERE {{ GRAPH <{self.iris.run_graph(run).value}> {{ "
            f"?s <{PROVML.executionOf}> <{plan.value}> ; <{PROVML.index}> ?i }} }}"
        )
        assert isinstance(result, SelectResult)
        if not result.rows or result.rows[0][0] is None:
            return None
        return int(result.rows[0][0].value)

    def validation_context(self, quads: Iterable[ox.Quad | ox.Triple]) -> list[ox.Triple]:
        """Store triples whose subject the batch mentions, one more hop along provml:isPartOf."""
        mentioned = mentioned_iris(quads)
        if not mentioned:
            return []
        result = self.store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { "
            f"VALUES ?m {{ {_values(sorted(mentioned))} }} "
            "{ ?m ?p ?o BIND(?m AS ?s) } UNION "
            f"{{ ?m <{PROVML.isPartOf}> ?s . ?s ?p ?o }} }}"
        )
        assert isinstance(result, GraphResult)
        return result.triples
