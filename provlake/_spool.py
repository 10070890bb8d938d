"""The on-disk spool: batches not acknowledged yet, kept in order across crashes, one folder per
process.

Layout (``PROVML_SPOOL_DIR``, default ``./provml-spool``)::

    pending/<ns>-<pid>/owner.lock       locked (flock) by the process that writes the folder
    pending/<ns>-<pid>/<n>.jsonl        its segments, one batch per line, in capture order
    rejected/<ns>-<pid>-<n>.jsonl       batches refused for good (or torn by a crash)
    rejected/<ns>-<pid>-<n>.error.json  why: {"status", "reason", "time"}

A process spools into a folder of its own (made on its first spooled batch) and is the only one to
send it while it lives: "its folder is drained" means "what it captured is acknowledged", however
many processes share the directory (torchrun ranks, jobs started from one folder). The folder of a
process that died — the system released its lock — is taken over (locked, sent oldest first,
deleted) by the next client that drains, or by ``provml replay``. The segment being written is
locked too, so no reader takes half-written lines. Segments written straight into ``pending/`` (an
older layout) are sent like the folder of a dead process.

Draining re-batches: consecutive lines (the small batches spooled during an outage) are sent merged,
up to ``batch_size`` records a request; a merged batch the receiver refuses is re-sent line by line
so that only the refused lines go to ``rejected/``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from provlake._exceptions import BatchRejected, TransportError
from provlake._segments import LOCK, SEGMENT_BYTES, Line, Writer, lock, read_lines

__all__ = ["DrainResult", "Spool"]

log = logging.getLogger("provlake")
Send = Callable[[bytes, int], None]


@dataclasses.dataclass
class DrainResult:
    """What one drain sent: requests, records, batches refused or unreadable (kept in
    ``rejected/``), folders of live processes left alone, whether this process's own folder
    (and every folder it could take over) is now empty, and records of this process that vanished
    from its folder (deleted by someone else) instead of being sent."""

    batches: int = 0
    records: int = 0
    rejected: int = 0
    busy: int = 0
    complete: bool = True
    lost: int = 0  # records this process spooled that vanished from its folder


class Spool:
    """Pending and rejected batches under ``root``; this process writes into its own folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.pending = self.root / "pending"
        self.rejected = self.root / "rejected"
        self._mutex = threading.Lock()  # the own folder, segment names and counters
        self.folder: Path | None = None  # pending/<ns>-<pid> of this process, once it spooled
        self._owner: int | None = None  # descriptor holding the folder's lock
        self._writer: Writer | None = None
        self._counter = 0
        self._lines: dict[Path, int] = {}  # lines of a segment being drained
        self._sent: dict[Path, int] = {}  # of which the first n are acknowledged
        self._taken: dict[Path, int] = {}  # folders of dead processes being sent -> lock
        self.pending_batches = 0  # of this process, not acknowledged yet
        self.pending_records = 0

    # -- writing (the flusher thread; ``spill`` from the closing one) ------------------------------
    def _segment(self) -> Writer:
        with self._mutex:
            if self.folder is not None and not self.folder.is_dir():  # removed under us: anew
                if self._owner is not None:
                    os.close(self._owner)
                self.folder, self._owner = None, None
            if self.folder is None:
                self.pending.mkdir(parents=True, exist_ok=True)
                name = f"{time.time_ns():020d}-{os.getpid()}"
                # made under a hidden name, locked, then renamed: never seen unlocked and empty
                draft = self.pending / f".{name}"
                draft.mkdir()
                self._owner = lock(draft / LOCK, create=True)
                os.rename(draft, self.pending / name)
                self.folder = self.pending / name
            self._counter += 1
            return Writer(self.folder / f"{self._counter:09d}.jsonl")

    def _count(self, batches: int, records: int) -> None:
        with self._mutex:
            self.pending_batches = max(0, self.pending_batches + batches)
            self.pending_records = max(0, self.pending_records + records)

    def append(self, body: bytes, count: int) -> None:
        """Append one batch to this process's open segment (raises OSError if the disk refuses)."""
        if self._writer is not None and self._writer.gone():  # deleted under us: a new one
            self.seal()
        if self._writer is None:
            self._writer = self._segment()
        self._writer.write(body + b"\n")
        self._count(1, count)
        if self._writer.size >= SEGMENT_BYTES:
            self.seal()

    def spill(self, batches: list[tuple[bytes, int]]) -> None:
        """Write batches to a segment of their own, after the open one (from another thread)."""
        writer = self._segment()
        try:
            for body, count in batches:
                writer.write(body + b"\n")
                self._count(1, count)
        finally:
            writer.close()

    def seal(self) -> None:
        """Close (and unlock) the segment being written, so it can be drained."""
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                self._writer = None

    def reject(self, body: bytes, reason: str, status: int | None = None) -> None:
        """Keep a refused batch (never retried automatically) with the reason next to it."""
        self.rejected.mkdir(parents=True, exist_ok=True)
        with self._mutex:
            self._counter += 1
            name = f"{time.time_ns():020d}-{os.getpid()}-{self._counter:06d}.jsonl"
        (self.rejected / name).write_bytes(body + b"\n")
        error = {"status": status, "reason": reason, "time": time.time()}
        (self.rejected / name).with_suffix(".error.json").write_text(json.dumps(error))

    def release(self, writer_alive: bool = False) -> None:
        """At close: unlock the folders taken over and this process's own; the own folder is
        deleted when empty, else it waits for the next client or a replay.

        ``writer_alive``: a flusher stuck in a send may still write; only the own folder's lock is
        given up then (the segment it writes stays locked, which keeps a taker off it).
        """
        if writer_alive:
            with self._mutex:
                if self._owner is not None:
                    os.close(self._owner)
                    self._owner = None
            return
        self.seal()
        self._give_back()
        with self._mutex:
            if self.folder is not None and not any(self.folder.glob("*.jsonl")):
                with contextlib.suppress(OSError):
                    (self.folder / LOCK).unlink()
                    self.folder.rmdir()
            if self._owner is not None:
                os.close(self._owner)
            self.folder, self._owner = None, None

    def after_fork(self) -> None:
        """In a forked child: the parent's folder, segment and taken folders stay the parent's;
        the inherited descriptors are closed (which leaves the parent's locks in place)."""
        fds = [*self._taken.values(), self._owner, self._writer.fd if self._writer else None]
        for fd in fds:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._mutex = threading.Lock()
        self.folder, self._owner, self._writer = None, None, None
        self._taken, self._lines, self._sent = {}, {}, {}
        self.pending_batches = self.pending_records = 0

    def _give_back(self) -> None:
        for fd in self._taken.values():
            os.close(fd)
        self._taken.clear()

    # -- reading ----------------------------------------------------------------------------------
    def segments(self) -> list[Path]:
        """Pending segments of every process, oldest first (including those being written)."""
        if not self.pending.is_dir():
            return []
        found = [*self.pending.glob("*.jsonl"), *self.pending.glob("[!.]*/*.jsonl")]
        return sorted(found, key=lambda p: p.relative_to(self.pending).parts)

    def drain(
        self, send: Send, deadline: float | None = None, batch_size: int = 500
    ) -> DrainResult:
        """Send pending batches in order: the folders of dead processes first (oldest first), then
        this process's own; each segment is deleted once all its lines are acknowledged.

        Raises the first :class:`TransportError` (progress is kept: the next drain resumes there).
        Stops once ``time.monotonic()`` passes ``deadline`` after at least one request.
        """
        self.seal()
        result = DrainResult()
        sources = sorted(p for p in self.pending.glob("[!.]*") if p != self.folder)
        try:
            for source in sources:
                if not self._drain_other(source, send, deadline, batch_size, result):
                    return result
            if self.folder is not None:
                segments = sorted(self.folder.glob("*.jsonl"))
                if not self._drain_segments(segments, send, deadline, batch_size, result, True):
                    result.complete = False
                elif self.pending_records or self.pending_batches:  # all sent, yet some missing
                    result.lost = self.pending_records
                    self._count(-self.pending_batches, -self.pending_records)
        except TransportError:
            self._give_back()  # another process (a replay) may take them meanwhile
            raise
        return result

    def _drain_other(
        self, source: Path, send: Send, deadline: float | None, size: int, result: DrainResult
    ) -> bool:
        """Take over a dead process's folder (or an old-layout segment) and send it; False when
        stopped by the deadline."""
        if source.suffix == ".jsonl":  # old layout: the segment's own lock says it is written
            if self._drain_segments([source], send, deadline, size, result, False):
                return True
            result.busy += 1 if result.complete else 0
            return result.complete
        if not source.is_dir():
            return True
        fd = self._taken.get(source)
        if fd is None:
            fd = lock(source / LOCK, create=True)
            if fd is None:
                result.busy += 1  # its process lives, or another one is sending it
                return True
            self._taken[source] = fd
        segments = sorted(source.glob("*.jsonl"))
        if not self._drain_segments(segments, send, deadline, size, result, False):
            if not result.complete:
                return False
            result.busy += 1  # a segment still locked: someone writes there
        elif not any(source.glob("*.jsonl")):
            with contextlib.suppress(OSError):
                (source / LOCK).unlink()
                source.rmdir()
        os.close(self._taken.pop(source))
        return True

    def _drain_segments(
        self,
        segments: list[Path],
        send: Send,
        deadline: float | None,
        size: int,
        result: DrainResult,
        own: bool,
    ) -> bool:
        """Send the lines of ``segments`` in order, merged up to ``size`` records; False when a
        segment is locked (still written) or the deadline stopped it (``result.complete`` False)."""
        merged: list[Line] = []
        for path in segments:
            lines = self._read(path)
            if lines is None:  # still written: what comes before it goes, nothing after it
                self._send(merged, send, result, own)
                return False
            start = self._sent.get(path, 0)
            for index in range(start, len(lines)):
                if deadline is not None and result.batches and time.monotonic() > deadline:
                    result.complete = False
                    return False
                try:
                    line = Line(path, index, lines[index])
                except ValueError as exc:  # a line torn by a crash in the middle of a write
                    self._send(merged, send, result, own)
                    merged = []
                    log.error("provlake: unreadable spool line kept in %s: %s", self.rejected, exc)
                    self.reject(lines[index], f"unreadable spool line: {exc}")
                    result.rejected += 1
                    self._done(path, index, 0, own)
                    continue
                fits = not merged or (
                    merged[0].header == line.header
                    and sum(m.count for m in merged) + line.count <= size
                )
                if not fits:
                    self._send(merged, send, result, own)
                    merged = []
                merged.append(line)
            if start >= len(lines):
                self._done(path, len(lines) - 1, None, own)
        self._send(merged, send, result, own)
        return True

    def _read(self, path: Path) -> list[bytes] | None:
        lines = read_lines(path)
        if lines is not None:
            self._lines[path] = len(lines)
        return lines

    def _send(self, merged: list[Line], send: Send, result: DrainResult, own: bool) -> None:
        if not merged:
            return
        count = sum(m.count for m in merged)
        if len(merged) == 1:
            body = merged[0].body
        else:
            records = [r for m in merged for r in m.records]
            body = json.dumps({**merged[0].header, "records": records}, separators=(",", ":"))
            body = body.encode()
        try:
            send(body, count)
        except BatchRejected as exc:
            if len(merged) > 1:  # find the refused lines: the others go through
                for line in merged:
                    self._send([line], send, result, own)
                return
            log.error("provlake: batch refused, kept in %s: %s", self.rejected, exc)
            self.reject(body, str(exc), exc.status)
            result.rejected += 1
        else:
            result.batches += 1
            result.records += count
        for line in merged:
            self._done(line.path, line.index, line.count, own)

    def _done(self, path: Path, index: int, count: int | None, own: bool) -> None:
        """Line ``index`` of ``path`` is acknowledged (or kept in rejected/); a segment whose lines
        all are is deleted."""
        self._sent[path] = index + 1
        if own and count is not None:
            self._count(-1, -count)
        if self._sent[path] >= self._lines.get(path, 0):
            path.unlink(missing_ok=True)
            self._sent.pop(path, None)
            self._lines.pop(path, None)
