"""Embedded pyoxigraph stores: ``oxigraph:PATH`` (on disk, RocksDB) and ``memory:``.

Writes are pyoxigraph transactions (``Store.extend``, ``Store.update``): all or nothing. RocksDB
writes its write-ahead log before a transaction returns, so a committed batch survives the crash of
the process without ``flush()``; see docs/stores.md for what that does and does not cover.

pyoxigraph 0.5 has no query timeout in its Python API, so a query with a timeout runs in a worker
thread (pyoxigraph releases the GIL while it evaluates). After the timeout the caller gets
``TimeoutError`` at once; the worker stops at the next solution it reads, but a query still
computing its first solution (a big aggregate, a sort) keeps running in the background until that
solution is ready.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ._base import QueryResult, Store
from ._errors import (
    InvalidDataError,
    QuerySyntaxError,
    StoreClosedError,
    StoreLockedError,
    StoreTimeoutError,
    StoreUnavailableError,
    UpdateConflictError,
)
from ._quads import checked_quads, graph_load_update, named_graph, sparql_iri
from ._results import materialize

__all__ = ["OxigraphStore"]

_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH %s { ?s ?p ?o } }"


def _parse_uri(uri: str) -> Path | None:
    scheme, _, rest = uri.partition(":")
    scheme = scheme.lower()
    if scheme == "memory":
        if rest not in ("", "//"):
            raise InvalidDataError(f"a memory store URI takes no path: {uri!r} (use 'memory:')")
        return None
    if scheme != "oxigraph":
        raise InvalidDataError(f"not an embedded Oxigraph store URI: {uri!r}")
    if rest.startswith("//"):
        rest = rest[2:]
    if not rest:
        raise InvalidDataError(f"the store URI {uri!r} lacks a path, e.g. 'oxigraph:./provml-data'")
    return Path(rest).expanduser()


def _open(path: Path | None) -> ox.Store:
    if path is None:
        return ox.Store()
    try:
        return ox.Store(os.fspath(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            path = path.absolute()
            raise StoreLockedError(
                f"the Oxigraph store at {path} is already in use (opened by another process, or "
                "not yet closed in this one): only one process may open an on-disk store. To run "
                "several manager processes, serve the "
                f"data with `oxigraph serve --location {path} --union-default-graph` and give "
                "every manager a sparql+http:// store URI"
            ) from exc
        raise StoreUnavailableError(f"cannot open the Oxigraph store at {path}: {exc}") from exc


def _dataset(default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None) -> dict:
    """pyoxigraph's query options for a protocol dataset (the union of every graph without one)."""
    if default_graphs is None and named_graphs is None:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [named_graph(g) for g in default_graphs or ()],
        "named_graphs": [named_graph(g) for g in named_graphs or ()],
    }


def _clear_frames(exc: BaseException | None) -> None:
    while exc is not None:
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


class OxigraphStore(Store):
    """An embedded pyoxigraph store, on disk (``oxigraph:PATH``) or in memory (``memory:``).

    >>> store = OxigraphStore("memory:")
    >>> store.load(b"<http://example.org/a> <http://example.org/b> 1 .", ox.RdfFormat.TURTLE,
    ...            "http://example.org/g")
    1
    >>> store.query("SELECT ?o WHERE { ?s ?p ?o }").rows
    [(<Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>,)]
    >>> store.close()
    """

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.path = _parse_uri(uri)
        self._store: ox.Store | None = _open(self.path)

    def _live(self) -> ox.Store:
        if self._store is None:
            raise StoreClosedError(f"the store {self.uri} is closed")
        return self._store

    def add(self, quads: Sequence[ox.Quad]) -> None:
        store = self._live()
        try:
            store.extend(checked_quads(quads))
        except OSError as exc:
            raise StoreUnavailableError(f"writing to {self.uri} failed: {exc}") from exc

    def _run(
        self, store: ox.Store, sparql: str, options: dict, cancel: threading.Event | None
    ) -> QueryResult:
        try:
            answer = store.query(sparql, **options)
            return materialize(answer, cancel)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except OSError as exc:
            if isinstance(exc, StoreTimeoutError):
                raise
            raise StoreUnavailableError(f"reading {self.uri} failed: {exc}") from exc

    def query(
        self,
        sparql: str,
        *,
        timeout: float | None = None,
        base_iri: str | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        store = self._live()
        options = _dataset(default_graphs, named_graphs)
        options["base_iri"] = base_iri
        if timeout is None:
            return self._run(store, sparql, options, None)
        cancel = threading.Event()
        outcome: list[QueryResult | BaseException] = []

        def work() -> None:
            try:
                outcome.append(self._run(store, sparql, options, cancel))
            except BaseException as exc:  # handed over to the caller's thread
                # pyoxigraph answers must be dropped by the thread that made them: free the
                # frames that still reference one before another thread can see the exception.
                _clear_frames(exc)
                outcome.append(exc)

        worker = threading.Thread(target=work, name="provml-store-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if not outcome:
            cancel.set()
            raise StoreTimeoutError(f"the query did not finish within {timeout} s")
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        store = self._live()
        try:
            store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from exc
        except RuntimeError as exc:
            # pyoxigraph's evaluation errors: "The graph <g> already exists / does not exist"
            raise UpdateConflictError(str(exc)) from exc
        except OSError as exc:
            raise StoreUnavailableError(f"updating {self.uri} failed: {exc}") from exc

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        self._live()
        update, count = graph_load_update(data, format, graph)
        self.update(update)
        return count

    def dump(self, format: ox.RdfFormat, graph: str | None = None) -> bytes:
        store = self._live()
        if graph is None:
            if not format.supports_datasets:
                raise InvalidDataError(
                    f"dumping every graph needs a quad format, not {format.name}"
                )
            return store.dump(format=format)
        target = named_graph(graph)
        if format.supports_datasets:
            return ox.serialize(store.quads_for_pattern(None, None, None, target), format=format)
        return store.dump(format=format, from_graph=target)

    def graphs(self) -> list[str]:
        store = self._live()
        found = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(solution[0].value for solution in found)

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {sparql_iri(graph)}")

    def count(self, graph: str | None = None) -> int:
        store = self._live()
        target = "?g" if graph is None else sparql_iri(graph)
        return int(next(iter(store.query(_COUNT % target)))[0].value)

    def ready(self) -> bool:
        if self._store is None:
            return False
        try:
            return bool(self._store.query("ASK {}"))
        except Exception:
            return False

    def close(self) -> None:
        # pyoxigraph closes RocksDB (and releases its lock) when the last reference goes away.
        self._store = None

    def __repr__(self) -> str:
        return f"OxigraphStore({self.uri!r})"
