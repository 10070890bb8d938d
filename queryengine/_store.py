"""What the query engine needs from a store: the part of ``services.store.Store`` it calls.

Any object with these methods works (the manager's backends, or a thin adapter over
``pyoxigraph.Store``); results follow the store contract: an object with ``variables`` and ``rows``
(SELECT), ``value`` (ASK) or ``triples`` (CONSTRUCT / DESCRIBE).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

__all__ = ["DomainStore", "QueryableStore"]


@runtime_checkable
class QueryableStore(Protocol):
    """A store that evaluates SPARQL 1.1 queries over the union of its named graphs."""

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        """Evaluate a query; raise ``SyntaxError`` when it is invalid."""
        ...


@runtime_checkable
class DomainStore(QueryableStore, Protocol):
    """A store that can also replace the content of one named graph (to attach domain graphs)."""

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        """Replace ``graph`` with the parsed data; raise ``ValueError`` for unparsable data."""
        ...
