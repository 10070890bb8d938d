"""Transports: where batches go (the kinds are chosen by config or URI in ``_registry``).

A transport is a small class with a ``kind`` and a ``send(body, count)`` that returns once the batch
is acknowledged, or raises :class:`TransportError` (retry later) / :class:`BatchRejected` (never
accepted). ``send`` is only ever called from the flusher thread (or :func:`provlake.replay`).
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import IO, Any, ClassVar

from provlake._exceptions import TransportError

__all__ = ["FileTransport", "MemoryTransport", "NoopTransport", "Transport"]


class Transport:
    """Base class of transports."""

    kind: ClassVar[str] = ""

    def send(self, body: bytes, count: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release connections or files; the transport may be used again afterwards."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class NoopTransport(Transport):
    """Discards everything (``PROVML_DISABLED=1``)."""

    kind = "noop"

    def send(self, body: bytes, count: int) -> None:
        return None


class MemoryTransport(Transport):
    """Keeps decoded batches in memory, for tests; ``available = False`` simulates an outage."""

    kind = "memory"

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []
        self.available = True
        self._lock = threading.Lock()

    def send(self, body: bytes, count: int) -> None:
        if not self.available:
            raise TransportError("memory transport marked unavailable")
        batch = json.loads(body)
        with self._lock:
            self.batches.append(batch)

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record received, in order."""
        with self._lock:
            return [r for b in self.batches for r in b["records"]]


class FileTransport(Transport):
    """Appends each batch as one JSON line to a file (offline capture; ``provml replay`` sends it
    later).
    """

    kind = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None

    def send(self, body: bytes, count: int) -> None:
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = open(self.path, "ab")  # noqa: SIM115 - kept open between batches
            self._file.write(body + b"\n")
            self._file.flush()
        except OSError as exc:
            self.close()
            raise TransportError(f"cannot append to {self.path}: {exc}") from exc

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def __repr__(self) -> str:
        return f"<FileTransport {self.path}>"
