"""Concurrent ingest: batches of different runs are mapped and validated side by side, and the
batches waiting to be written share one store transaction (group commit).

- ``RunLocks`` orders the batches of one run: a batch holds the locks of its runs from mapping to
  commit, so it maps against the committed facts of every earlier batch of the same run (the plans
  of its executions, the iterations of its cycles), as when every batch went through alone. Runs
  hash to a fixed set of locks, taken in order, so the memory is bounded and no two batches wait
  for each other.
- ``GroupCommit`` writes batches: the first caller to find no write in progress writes every
  batch queued so far in one transaction, the others wait for it; whoever is waiting when it ends
  leads the next write with what queued up meanwhile. Each caller returns only once its own batch is
  committed (or raises its own error), so an answer sent after ``commit`` still means "stored".
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

__all__ = ["GroupCommit", "Pending", "RunLocks"]


class RunLocks:
    """A fixed set of locks; a run id always maps to the same one."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    @contextmanager
    def holding(self, runs: Iterable[str]) -> Iterator[None]:
        """Hold the locks of ``runs`` (taken in a fixed order, so no deadlock between batches)."""
        indexes = sorted({zlib.crc32(run.encode()) % len(self._locks) for run in runs})
        taken: list[threading.Lock] = []
        try:
            for i in indexes:
                self._locks[i].acquire()
                taken.append(self._locks[i])
            yield
        finally:
            for lock in reversed(taken):
                lock.release()


@dataclass(eq=False)
class Pending:
    """One batch waiting to be written: its records (``None`` for bare quads) and quads."""

    records: Sequence[Any] | None
    quads: list[ox.Quad]
    error: BaseException | None = None
    committed: bool = False
    done: bool = field(default=False, repr=False)


class GroupCommit:
    """Writes the batches of concurrent callers together: ``write`` gets every batch queued since
    the last write and commits them in one transaction, setting ``error`` on a batch it refuses."""

    def __init__(self, write: Callable[[list[Pending]], None]) -> None:
        self._write = write
        self._queue: list[Pending] = []
        self._writing = False
        self._changed = threading.Condition()

    def commit(self, records: Sequence[Any] | None, quads: list[ox.Quad]) -> None:
        """Return once the batch is committed; raise its error when it was not."""
        mine = Pending(records, quads)
        with self._changed:
            self._queue.append(mine)
            while self._writing and not mine.done:
                self._changed.wait()
            if not mine.done:
                self._writing = True
                group, self._queue = self._queue, []
        if not mine.done:
            try:
                self._write(group)
            except BaseException as exc:
                for pending in group:
                    if not pending.committed:
                        pending.error = pending.error or exc
            finally:
                with self._changed:
                    for pending in group:
                        pending.done = True
                    self._writing = False
                    self._changed.notify_all()
        if mine.error is not None:
            raise mine.error
