"""A minimal in-memory store over ``pyoxigraph.Store`` with the query-engine protocol, for doctests
and examples.

The manager's backends (``services.store``) are the real thing; this adapter exists so that
``queryengine`` can show and test itself without importing the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

__all__ = ["PyoxigraphStore"]


@dataclass(frozen=True)
class _Select:
    variables: list[str]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class _Ask:
    value: bool


@dataclass(frozen=True)
class _Graph:
    triples: list[ox.Triple]


class PyoxigraphStore:
    """Queries over the union of the named graphs of an in-memory ``pyoxigraph.Store``."""

    def __init__(self) -> None:
        self.inner = ox.Store()

    def add_turtle(
        self, text: str, graph: str = "http://provml.localhost/id/graph/example"
    ) -> None:
        self.inner.load(text.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        result = self.inner.query(sparql, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return _Select(names, [tuple(s[n] for n in names) for s in result])
        if isinstance(result, ox.QueryBoolean):
            return _Ask(bool(result))
        return _Graph(list(result))

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        parsed = [
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))
            for q in ox.parse(data, format)
        ]
        self.inner.clear_graph(ox.NamedNode(graph))
        self.inner.extend(parsed)
        return len(parsed)
