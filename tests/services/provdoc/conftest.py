"""Fixtures: a store holding the hand-built PROV-ML run of ``data/run.trig``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from services.store._base import GraphResult, SelectResult, Store

DATA = Path(__file__).parent / "data"
BASE = "http://provml.localhost/id/"


class _OxStore(Store):
    """In-memory pyoxigraph store implementing the contract (until the real backends land)."""

    uri = "memory:"

    def __init__(self) -> None:
        self._store = ox.Store()

    def add(self, quads):
        self._store.bulk_extend(quads)

    def query(self, sparql, *, timeout=None):
        result = self._store.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return GraphResult(list(result))
        variables = [v.value for v in result.variables]
        return SelectResult(variables, [tuple(s[v] for v in variables) for s in result])

    def update(self, sparql):
        self._store.update(sparql)

    def load(self, data, format, graph):
        raise NotImplementedError

    def dump(self, format, graph=None):
        if graph is None:
            return self._store.dump(format=format)
        return self._store.dump(format=format, from_graph=ox.NamedNode(graph))

    def graphs(self):
        return sorted(g.value for g in self._store.named_graphs() if self.count(g.value))

    def remove_graph(self, graph):
        self._store.remove_graph(ox.NamedNode(graph))

    def count(self, graph=None):
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def ready(self):
        return True

    def close(self):
        pass


@pytest.fixture
def store() -> Iterator[Store]:
    s = _OxStore()
    s.add(list(ox.parse((DATA / "run.trig").read_bytes(), format=ox.RdfFormat.TRIG)))
    yield s
    s.close()
