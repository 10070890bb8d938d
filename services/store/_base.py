"""The store contract every backend implements (embedded Oxigraph, memory, SPARQL 1.1 server).

The query engine depends only on ``query``; the manager uses the whole contract. All backends share
one conformance suite (``tests/services/store/test_conformance.py``).

Errors are ``StoreError`` subclasses that are also the natural builtin: ``SyntaxError`` (bad
SPARQL), ``TimeoutError``, ``ValueError`` (bad input, nothing written), ``OSError`` (storage or
network failure, store locked by another process).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

__all__ = ["AskResult", "GraphResult", "QueryResult", "SelectResult", "Store"]


@dataclass(frozen=True)
class SelectResult:
    """Solutions of a SELECT query: the projected variable names, one tuple of terms per row.

    A row holds ``None`` where a variable is unbound.
    """

    variables: list[str]
    rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...]] = field(
        default_factory=list
    )


@dataclass(frozen=True)
class AskResult:
    """The answer of an ASK query."""

    value: bool


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: list[ox.Triple]


QueryResult = SelectResult | AskResult | GraphResult


class Store(ABC):
    """A quad store holding the provenance graph.

    The SPARQL default graph is the union of all named graphs. Each triple is written to exactly
    one named graph: a run's own graph, the shared catalogue graph or a domain graph. The store's
    own default graph is not used.
    """

    uri: str

    @abstractmethod
    def add(self, quads: Sequence[ox.Quad]) -> None:
        """Add the quads atomically (all or nothing); when it returns they are durable.

        Every quad must be ground (IRIs and literals, no blank nodes, no triple terms) and in a
        named graph; otherwise ``ValueError`` names the first bad quad and nothing is written.
        Adding quads already present changes nothing.
        """

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        timeout: float | None = None,
        base_iri: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query over the union of all graphs.

        ``base_iri`` resolves the relative IRIs of the query. ``default_graphs`` / ``named_graphs``
        give the dataset of the SPARQL protocol (``default-graph-uri``, ``named-graph-uri``): when
        either is given, the default graph is the merge of ``default_graphs`` (empty when None)
        and only ``named_graphs`` (none when None) are named, whatever the query's ``FROM`` says.

        Raises ``SyntaxError`` for an invalid query and ``TimeoutError`` when ``timeout`` seconds
        pass.
        """

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL 1.1 Update atomically; ``base_iri`` resolves its relative IRIs.

        Raises ``SyntaxError`` for an invalid update and ``UpdateConflictError`` (a ``ValueError``)
        for a valid one the store refuses as it is (``CREATE GRAPH`` of an existing graph, ``DROP``
        or ``CLEAR`` of a missing one without ``SILENT``); nothing is written then.
        """

    @abstractmethod
    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        """Replace the content of ``graph`` with the parsed data; returns the number of triples.

        Raises ``ValueError`` for unparsable data, leaving the graph as it was.
        """

    @abstractmethod
    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        """Serialise one named graph or, with ``graph=None``, every graph (a quad format)."""

    @abstractmethod
    def graphs(self) -> list[str]:
        """IRIs of the named graphs that hold at least one triple, sorted."""

    @abstractmethod
    def remove_graph(self, graph: str) -> None:
        """Delete a named graph and all its triples; removing an absent graph is not an error."""

    @abstractmethod
    def count(self, graph: str | None = None) -> int:
        """Number of quads in ``graph``, or in all named graphs with ``graph=None``."""

    @property
    def generation(self) -> tuple[str, int] | None:
        """Where the store's content stands, for answers cached per state: ``(instance, count)``,
        the count growing with every write this object makes, the instance naming this object
        (another one opened on the same files starts its own). ``None`` when others may write to
        the store unseen (a remote store): nothing read from it may be reused then."""
        return None

    @abstractmethod
    def ready(self) -> bool:
        """True when the store answers (used by the readiness probe); never raises. A store that
        can test it cheaply also checks that it takes writes (the embedded store does)."""

    @abstractmethod
    def close(self) -> None:
        """Release the store (files, locks, connections). Idempotent."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
