"""Quarantine: batches that violate the shapes are kept, not merged, until fixed and resubmitted.

One entry per batch (a batch sent again replaces its entry): its id, the time it was received, the
original batch (as sent), its quads as N-Quads and the SHACL report. On disk an entry is a folder
``{path}/{id}/`` with ``meta.json``, ``batch`` (the original bytes), ``quads.nq`` and
``report.json``, written to a temporary folder and renamed so an entry is never half written. With
``path=None`` entries are kept in memory (for ``memory:`` stores).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._exceptions import NotInQuarantine

__all__ = ["Quarantine", "QuarantineEntry"]

_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$")


@dataclass(frozen=True)
class QuarantineEntry:
    """A quarantined batch.

    ``source`` says how to re-read ``batch``: ``capture``, ``legacy:<kind>`` or ``quads:<source>``
    (then ``batch`` is N-Quads).
    """

    id: str
    received: str
    source: str
    records: int
    triples: int
    violations: int
    digest: str
    batch: bytes = field(repr=False)
    nquads: str = field(repr=False)
    report: list[dict[str, Any]] = field(repr=False)

    def summary(self) -> dict[str, Any]:
        """The entry without its batch, quads and report (what ``Quarantine.list`` returns)."""
        data = asdict(self)
        for key in ("batch", "nquads", "report"):
            del data[key]
        return data


class Quarantine:
    """Quarantined batches, in a folder (``path``) or in memory (``path=None``)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._memory: dict[str, QuarantineEntry] = {}
        self._lock = threading.Lock()
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)

    def put(
        self,
        *,
        source: str,
        batch: bytes,
        nquads: str,
        report: list[dict[str, Any]],
        records: int,
        triples: int,
        id: str | None = None,
    ) -> str:
        """Keep a batch (replacing entry ``id`` when given); returns the entry id.

        The same batch quarantined again (a client retrying) replaces its earlier entry instead of
        adding one.
        """
        now = datetime.now(UTC)
        digest = hashlib.sha256(source.encode() + b"\x00" + batch).hexdigest()
        if id is None:
            id = next((e["id"] for e in self.list() if e.get("digest") == digest), None)
        entry = QuarantineEntry(
            id=id or f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:12]}",
            received=now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            source=source,
            records=records,
            triples=triples,
            violations=len(report),
            digest=digest,
            batch=batch,
            nquads=nquads,
            report=report,
        )
        if self.path is None:
            with self._lock:
                self._memory[entry.id] = entry
            return entry.id
        tmp = self.path / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        (tmp / "meta.json").write_text(json.dumps(entry.summary(), indent=1))
        (tmp / "batch").write_bytes(batch)
        (tmp / "quads.nq").write_text(nquads)
        (tmp / "report.json").write_text(json.dumps(report, indent=1))
        target = self.path / entry.id
        with self._lock:
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
        return entry.id

    def list(self) -> list[dict[str, Any]]:
        """Summaries of the entries, oldest first."""
        if self.path is None:
            with self._lock:
                return [e.summary() for e in sorted(self._memory.values(), key=lambda e: e.id)]
        summaries = []
        for folder in sorted(self.path.iterdir()):
            if _ID.match(folder.name) and (folder / "meta.json").exists():
                summaries.append(json.loads((folder / "meta.json").read_text()))
        return summaries

    def get(self, id: str) -> QuarantineEntry:
        """The entry ``id``; raises ``NotInQuarantine`` (a ``KeyError``) when there is none."""
        if self.path is None:
            with self._lock:
                if id in self._memory:
                    return self._memory[id]
            raise NotInQuarantine(id)
        folder = self._folder(id)
        meta = json.loads((folder / "meta.json").read_text())
        meta.setdefault("digest", "")  # entries kept before digests were recorded
        return QuarantineEntry(
            **meta,
            batch=(folder / "batch").read_bytes(),
            nquads=(folder / "quads.nq").read_text(),
            report=json.loads((folder / "report.json").read_text()),
        )

    def delete(self, id: str) -> None:
        """Remove entry ``id``; raises ``NotInQuarantine`` when there is none."""
        if self.path is None:
            with self._lock:
                if self._memory.pop(id, None) is None:
                    raise NotInQuarantine(id)
            return
        folder = self._folder(id)
        with self._lock:
            shutil.rmtree(folder)

    def _folder(self, id: str) -> Path:
        assert self.path is not None
        folder = self.path / id
        if not _ID.match(id) or not (folder / "meta.json").exists():
            raise NotInQuarantine(id)
        return folder
