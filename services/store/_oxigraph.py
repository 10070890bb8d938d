"""Embedded pyoxigraph stores: ``oxigraph:PATH`` (on disk, RocksDB) and ``memory:``.

Writes are pyoxigraph transactions (``Store.extend``, ``Store.update``): all or nothing. RocksDB
writes its write-ahead log before a transaction returns, so a committed batch survives the crash of
the process without ``flush()``; see docs/stores.md for what that does and does not cover.

A failed write (a full disk, an I/O error) leaves RocksDB refusing every later write, even once the
cause is gone, while reads still work. The store remembers the failure and reopens the database
before the next write, so writing resumes by itself when space is back; ``ready()`` tests that a
write goes through (a probe quad inserted and dropped in one transaction, which leaves nothing
behind) and reopens too, so the readiness probe answers "not ready" exactly while writes fail.

RocksDB holds written quads in per-index write buffers (memtables) and flushes them to disk on its
own schedule; pyoxigraph opens it with 128 MiB buffers, up to 6 per index and no global cap, so a
long ingest can keep gigabytes in memory. After every ``flush_every`` written quads (the manager's
``PROVML_FLUSH_EVERY_QUADS``, default 250,000) the store flushes them, which bounds that memory.

pyoxigraph 0.5 has no query timeout in its Python API, so a query with a timeout runs in a worker
thread (pyoxigraph releases the GIL while it evaluates). After the timeout the caller gets
``TimeoutError`` at once; the worker stops at the next solution it reads, but a query still
computing its first solution (a big aggregate, a sort) keeps running in the background until that
solution is ready.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import traceback
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from ._base import QueryResult, Store
from ._errors import (
    InvalidDataError,
    QuerySyntaxError,
    StoreClosedError,
    StoreError,
    StoreLockedError,
    StoreTimeoutError,
    StoreUnavailableError,
    UpdateConflictError,
)
from ._quads import checked_quads, graph_load_update, named_graph, sparql_iri
from ._results import materialize

__all__ = ["OxigraphStore"]

_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH %s { ?s ?p ?o } }"
# One transaction that writes a quad and drops it again: it goes through the write-ahead log (so it
# fails when writes fail) and leaves the store as it was.
_PROBE = (
    'INSERT DATA { GRAPH <urn:provml:ready> { <urn:provml:ready> <urn:provml:probe> "write" } } ; '
    "DROP SILENT GRAPH <urn:provml:ready>"
)
#: Quads written between two flushes of the write buffers, unless ``flush_every`` says otherwise.
DEFAULT_FLUSH_EVERY = 250_000

# Below this much free space a reopen is not tried (it would fail, and leave no database to read).
_MIN_FREE_BYTES = 4 * 1024 * 1024

logger = logging.getLogger("provml.store")
T = TypeVar("T")


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


def _free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


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

    def __init__(self, uri: str, *, flush_every: int = DEFAULT_FLUSH_EVERY) -> None:
        self.uri = uri
        self.path = _parse_uri(uri)
        self.flush_every = flush_every
        self._store: ox.Store | None = _open(self.path)
        self._closed = False
        self._failed: str | None = None  # the last write failure, until a reopen
        self._unflushed = 0
        self._write_lock = threading.RLock()  # writes, flushes, the write probe and reopening
        self._instance = uuid.uuid4().hex
        self._writes = 0  # completed writes (counted after each commit, failed ones too)

    def _live(self) -> ox.Store:
        if self._closed:
            raise StoreClosedError(f"the store {self.uri} is closed")
        if self._store is None:  # a reopen after a failed write did not succeed yet
            with self._write_lock:
                return self._reopen()
        return self._store

    def _reopen(self) -> ox.Store:
        """Close and reopen the on-disk database (call with the write lock held)."""
        if self._store is not None and (self.path is None or self._failed is None):
            return self._store  # a memory store cannot be reopened without losing its data
        if self._store is not None and _free_bytes(self.path) < _MIN_FREE_BYTES:
            # reopening would fail too: keep the database open for reads until space is back
            raise StoreUnavailableError(
                f"the disk holding {self.path} is full; writes resume once space is freed "
                f"({self._failed})"
            )
        self._store = None  # RocksDB closes when the last reference goes (queries may hold one)
        self._store = _open(self.path)
        logger.warning("reopened %s after a failed write: %s", self.uri, self._failed)
        self._failed = None
        self._unflushed = 0
        return self._store

    def _write(
        self, action: str, work: Callable[[ox.Store], T], quads: int = 0, *, changes: bool = True
    ) -> T:
        with self._write_lock:
            store = self._reopen() if self._failed is not None else self._live()
            failure = None
            try:
                result = work(store)
            except SyntaxError as exc:
                raise QuerySyntaxError(str(exc)) from exc
            except OSError as exc:
                failure = str(exc)  # not the exception: its frames would keep the database open
            finally:
                # after the commit: a reader that sees the count sees the data
                self._writes += changes
            del store  # a reopen needs the last reference to the failed database gone
            if failure is not None:
                self._failed = failure
                raise StoreUnavailableError(f"{action} {self.uri} failed: {failure}")
            self._unflushed += quads
            if self.path is not None and self.flush_every and self._unflushed >= self.flush_every:
                self.flush()
            return result

    @property
    def generation(self) -> tuple[str, int]:
        """Every write goes through this object (the database's lock keeps other processes out)."""
        return (self._instance, self._writes)

    def flush(self) -> None:
        """Write the buffered quads to disk files, freeing the memory of the write buffers. A
        failure is remembered (the next write reopens the store), not raised: the quads are safe in
        the write-ahead log already."""
        with self._write_lock:
            self._unflushed = 0
            try:
                self._live().flush()
            except OSError as exc:
                self._failed = str(exc)
                logger.warning("flushing %s failed: %s", self.uri, self._failed)

    def add(self, quads: Sequence[ox.Quad]) -> None:
        checked = list(checked_quads(quads))
        self._write("writing to", lambda store: store.extend(checked), len(checked))

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
        def work(store: ox.Store) -> None:
            try:
                store.update(sparql, base_iri=base_iri)
            except RuntimeError as exc:
                # pyoxigraph's evaluation errors: "The graph <g> already exists / does not exist"
                raise UpdateConflictError(str(exc)) from exc

        self._write("updating", work)

    def load(self, data: bytes, format: ox.RdfFormat, graph: str) -> int:
        self._live()
        update, count = graph_load_update(data, format, graph)
        self._write("loading into", lambda store: store.update(update), count)
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
        """True when the store answers a query and takes a write (a probe that leaves nothing
        behind); reopens the database when a write failed before. While another write holds the
        store, its outcome so far decides."""
        if self._closed:
            return False
        if not self._write_lock.acquire(blocking=False):
            return self._failed is None and self._store is not None
        try:
            for _attempt in range(2):  # the probe itself may find the failure, then reopen once
                try:
                    self._write("probing", lambda store: store.update(_PROBE), changes=False)
                    return bool(self._live().query("ASK {}"))
                except StoreError:
                    if self._failed is None:
                        return False
            return False
        finally:
            self._write_lock.release()

    def close(self) -> None:
        # pyoxigraph closes RocksDB (and releases its lock) when the last reference goes away.
        self._closed = True
        self._store = None

    def __repr__(self) -> str:
        return f"OxigraphStore({self.uri!r})"
