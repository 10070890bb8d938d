"""Spool segments on disk: locked files of JSON lines, one capture batch a line.

A writer holds an exclusive ``flock`` on the segment it appends to (and a process on its spool
folder's ``owner.lock``), so readers can tell a file still written from one left by a dead process.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

__all__ = ["LOCK", "SEGMENT_BYTES", "Line", "Writer", "lock", "read_lines"]

SEGMENT_BYTES = 8 * 1024 * 1024  # a segment is sealed past this size
LOCK = "owner.lock"


def lock(path: Path, create: bool = False) -> int | None:
    """An open descriptor of ``path`` holding an exclusive flock; None when another holds it (or
    the file is gone)."""
    try:
        fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o644)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class Writer:
    """One segment being written, locked until closed."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.size = 0

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
        self.size += len(data)

    def gone(self) -> bool:
        """Whether the file was deleted under the writer (what it writes would be lost)."""
        return os.fstat(self.fd).st_nlink == 0

    def close(self) -> None:
        os.close(self.fd)


class Line:
    """One spooled batch, parsed: its header (schema, client) and records, and where it is."""

    __slots__ = ("body", "count", "header", "index", "path", "records")

    def __init__(self, path: Path, index: int, body: bytes) -> None:
        batch = json.loads(body)
        if not isinstance(batch, dict) or not isinstance(batch.get("records"), list):
            raise ValueError("not a capture batch")
        self.path, self.index, self.body = path, index, body
        self.records: list[Any] = batch.pop("records")
        self.header: dict[str, Any] = batch
        self.count = len(self.records)


def read_lines(path: Path) -> list[bytes] | None:
    """The non-empty lines of a segment, or None while a writer holds it ([] once it is gone)."""
    fd = lock(path)
    if fd is None:
        return None if path.exists() else []
    try:
        with os.fdopen(os.dup(fd), "rb") as f:
            return [line for line in f.read().split(b"\n") if line.strip()]
    finally:
        os.close(fd)
