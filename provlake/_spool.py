"""The on-disk spool: batches that could not be delivered yet, kept in order across crashes.

Layout (``PROVML_SPOOL_DIR``, default ``./provml-spool``)::

    pending/<ns>-<pid>-<n>.jsonl       one batch per line; names sort by creation time
    rejected/<ns>-<pid>-<n>.jsonl      batches refused for good (or torn by a crash)
    rejected/<ns>-<pid>-<n>.error.json why: {"status", "reason", "time"}

The process writing a segment holds an exclusive ``flock`` on it, so a second process (or a replay)
never takes a segment that is still being written; segments left by a crashed process are unlocked
and replayed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from provlake._exceptions import BatchRejected

__all__ = ["Spool"]

log = logging.getLogger("provlake")
SEGMENT_BYTES = 8 * 1024 * 1024


class Spool:
    """Pending and rejected batches under ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.pending = self.root / "pending"
        self.rejected = self.root / "rejected"
        self._segment: IO[bytes] | None = None
        self._counter = 0
        self._sent_lines: dict[
            str, int
        ] = {}  # lines already acknowledged in a segment being drained

    def _name(self) -> str:
        self._counter += 1
        return f"{time.time_ns():020d}-{os.getpid()}-{self._counter:06d}.jsonl"

    # -- writing -------------------------------------------------------------------------------
    def append(self, body: bytes) -> None:
        """Append one batch to this process's open segment (raises OSError if the disk refuses)."""
        if self._segment is None:
            self.pending.mkdir(parents=True, exist_ok=True)
            f = open(self.pending / self._name(), "ab")  # noqa: SIM115 - held open and locked
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._segment = f
        self._segment.write(body + b"\n")
        self._segment.flush()
        if self._segment.tell() >= SEGMENT_BYTES:
            self.seal()

    def seal(self) -> None:
        """Close (and unlock) the segment being written, so it can be drained."""
        if self._segment is not None:
            try:
                self._segment.close()
            finally:
                self._segment = None

    def reject(self, body: bytes, reason: str, status: int | None = None) -> None:
        """Keep a refused batch (never retried automatically) with the reason next to it."""
        self.rejected.mkdir(parents=True, exist_ok=True)
        name = self._name()
        (self.rejected / name).write_bytes(body + b"\n")
        error = {"status": status, "reason": reason, "time": time.time()}
        (self.rejected / name).with_suffix(".error.json").write_text(json.dumps(error))

    # -- reading -------------------------------------------------------------------------------
    def segments(self) -> list[Path]:
        """Pending segments, oldest first (including ones locked by a live writer)."""
        if not self.pending.is_dir():
            return []
        return sorted(self.pending.glob("*.jsonl"))

    def has_pending(self) -> bool:
        return bool(self.segments())

    def drain(
        self, send: Callable[[bytes, int], None], deadline: float | None = None
    ) -> tuple[int, int, int, bool]:
        """Send pending batches in order, deleting each segment once every line is acknowledged.

        Segments locked by another live process are left alone. Stops at the first
        ``TransportError`` (raised to the caller), or once ``time.monotonic()`` passes ``deadline``
        after at least one batch (progress is kept: the next drain resumes there); a
        ``BatchRejected`` line moves to ``rejected/`` and draining goes on. Returns (batches sent,
        records sent, batches rejected, whether everything drainable was sent).
        """
        self.seal()
        batches = records = rejected = 0
        for path in self.segments():
            for lines_done, body in self._locked_lines(path):
                if deadline is not None and batches and time.monotonic() > deadline:
                    return batches, records, rejected, False
                try:
                    count = _record_count(body)
                    send(body, count)
                except BatchRejected as exc:
                    log.error("provlake: batch refused, kept in %s: %s", self.rejected, exc)
                    self.reject(body, str(exc), exc.status)
                    rejected += 1
                except ValueError as exc:  # a torn line from a crash in the middle of a write
                    log.error("provlake: unreadable spool line kept in %s: %s", self.rejected, exc)
                    self.reject(body, f"unreadable spool line: {exc}")
                    rejected += 1
                else:
                    batches += 1
                    records += count
                self._sent_lines[path.name] = lines_done
        return batches, records, rejected, True

    def _locked_lines(self, path: Path) -> Iterator[tuple[int, bytes]]:
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed in finally
        except FileNotFoundError:
            return
        try:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # still being written by a live process
            lines = [line for line in f.read().split(b"\n") if line.strip()]
            start = self._sent_lines.get(path.name, 0)
            for i in range(start, len(lines)):
                yield i + 1, lines[i]
            path.unlink(missing_ok=True)
            self._sent_lines.pop(path.name, None)
        finally:
            f.close()


def _record_count(body: bytes) -> int:
    batch = json.loads(body)
    if not isinstance(batch, dict) or not isinstance(batch.get("records"), list):
        raise ValueError("not a capture batch")
    return len(batch["records"])
