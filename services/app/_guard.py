"""The store as the routes see it: every query and update a request sends is checked before it runs.

``GuardedStore`` wraps the app's store (``deps.get_store`` hands it to the routes) and, for each
SPARQL text:

- refuses nesting deeper than ``MAX_NESTING`` levels of ``{``, ``(`` or ``[`` (400 ``bad_request``
  naming ``query``): the SPARQL parser recurses per level and a few thousand levels overflow its
  stack, which kills the whole process;
- refuses any ``SERVICE`` or ``LOAD`` target the egress policy does not allow (403
  ``endpoint_not_allowed``, see ``services._egress``);
- when a query that reaches remote endpoints fails with a storage or network error while the store
  itself still answers, reports the remote endpoint (502 ``endpoint_unavailable``), not the store.

Everything else is passed through unchanged; ingest writes go to the store directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from services._egress import EgressPolicy, EndpointUnavailable
from services._sparqlscan import scan_sparql
from services.store import QueryResult, Store

from ._errors import BadRequest

__all__ = ["MAX_NESTING", "GuardedStore"]

#: Deepest accepted nesting of groups, parentheses and brackets in a query or update.
MAX_NESTING = 256


class GuardedStore(Store):
    """``store`` behind the checks of the module docstring."""

    def __init__(self, store: Store, policy: EgressPolicy) -> None:
        self.inner = store
        self.policy = policy
        self.uri = store.uri

    def _remote(self, sparql: str, field: str) -> list[str]:
        lowered = sparql.lower()
        if "service" not in lowered and "load" not in lowered:
            brackets = sum(sparql.count(c) for c in "{([")
            if brackets <= MAX_NESTING:  # nothing to fetch, and cannot nest deeper: no scan
                return []
        scan = scan_sparql(sparql)
        if scan.depth > MAX_NESTING:
            raise BadRequest(
                f"the SPARQL text nests {scan.depth} levels deep; the limit is {MAX_NESTING}",
                field=field,
            )
        for target in scan.targets:
            self.policy.check(target.iri, self.inner, field=field)
        return [t.iri for t in scan.targets if t.iri and not t.silent]

    def _blame(self, remote: list[str], exc: OSError, field: str) -> None:
        if remote and self.inner.ready():
            names = ", ".join(dict.fromkeys(remote))
            raise EndpointUnavailable(
                f"the remote endpoint {names} failed: {exc}", url=remote[0], field=field
            ) from exc

    def query(
        self,
        sparql: str,
        *,
        timeout: float | None = None,
        base_iri: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        remote = self._remote(sparql, "query")
        try:
            return self.inner.query(
                sparql,
                timeout=timeout,
                base_iri=base_iri,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
            )
        except TimeoutError:
            raise
        except OSError as exc:
            self._blame(remote, exc, "query")
            raise

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        remote = self._remote(sparql, "update")
        try:
            self.inner.update(sparql, base_iri=base_iri)
        except TimeoutError:
            raise
        except OSError as exc:
            self._blame(remote, exc, "update")
            raise

    def add(self, quads: Sequence[ox.Quad]) -> None:
        self.inner.add(quads)

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        return self.inner.load(data, format, graph)

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        return self.inner.dump(format, graph)

    def graphs(self) -> list[str]:
        return self.inner.graphs()

    def remove_graph(self, graph: str) -> None:
        self.inner.remove_graph(graph)

    def count(self, graph: str | None = None) -> int:
        return self.inner.count(graph)

    @property
    def generation(self) -> tuple[str, int] | None:
        return self.inner.generation

    def ready(self) -> bool:
        return self.inner.ready()

    def close(self) -> None:
        """Nothing to release: the app owns the wrapped store."""

    def __getattr__(self, name: str) -> Any:
        # other methods a backend offers (an extension of the contract) pass through
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"GuardedStore({self.inner!r})"
