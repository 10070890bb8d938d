"""An in-process manager for synchronous capture: the ``embedded`` transport kind of
``provlake`` (entry point group ``provml.transports``), used by ``provlake.braid.BraidDB(path)``.

It runs the manager's own ingest pipeline (parse → map → SHACL check → commit) and query engine on a
store in this process, so a write is committed when ``send`` returns and a question sees it. The
target is

- a store URI (``oxigraph:PATH``, ``memory:``, ``sparql+http://...``): that store, quarantine as
  the manager's (next to an ``oxigraph:`` store);
- a plain path (or ``sqlite:///PATH``, for Braid-DB scripts): a **capture log**, a file of
  acknowledged batches, one JSON line each (the ``file`` transport's format, so ``provml replay
  PATH`` sends it to a manager). Opening replays it into an in-memory store; each write is
  validated, committed to that store, then appended and fsynced. Deleting the file deletes the
  database. One process at a time holds the file (``flock``); within a process, every user of the
  same file shares one manager.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provlake import BatchRejected, ConfigurationError, TransportError
from provlake._sync import SyncTransport

__all__ = ["EmbeddedManager", "transport"]

log = logging.getLogger("provml.embedded")
_STORE_SCHEMES = ("oxigraph:", "memory:", "sparql+http:", "sparql+https:")
_OPEN: dict[tuple[int, int], EmbeddedManager] = {}
_OPEN_LOCK = threading.Lock()


def transport(config: Mapping[str, Any], settings: Any = None) -> EmbeddedManager:
    """The ``provml.transports`` factory: ``{"type": "embedded", "target": PATH_OR_STORE_URI}``."""
    target = config.get("target")
    if not isinstance(target, str) or not target:
        raise ConfigurationError('the embedded transport needs a "target": a path or a store URI')
    base_iri = config.get("base_iri")
    if target.startswith("sqlite:///"):
        target = target.removeprefix("sqlite:///")
    if target.startswith(_STORE_SCHEMES):
        return EmbeddedManager(target, base_iri=base_iri)
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    stat = path.stat()
    with _OPEN_LOCK:
        manager = _OPEN.get((stat.st_dev, stat.st_ino))
        if manager is None or manager.closed:
            manager = EmbeddedManager("memory:", base_iri=base_iri, log_path=path)
            _OPEN[(stat.st_dev, stat.st_ino)] = manager
        manager.users += 1
        return manager


class EmbeddedManager(SyncTransport):
    """The ingest pipeline, the query engine and the Braid id sequence over one store, in this
    process."""

    kind = "embedded"

    def __init__(
        self, store_uri: str, *, base_iri: str | None = None, log_path: Path | None = None
    ) -> None:
        from services._settings import Settings
        from services.ingest import DEFAULT_BASE_IRI, BraidIds, Ingestor, Quarantine
        from services.store import open_store

        self.base_iri = base_iri or DEFAULT_BASE_IRI
        self.store = open_store(store_uri)
        self.log_path = log_path
        self.users = 0
        self.closed = False
        self._lock = threading.RLock()
        quarantine = None
        if log_path is None:
            quarantine = Settings(store=store_uri).quarantine_path()
        self.ingestor = Ingestor(
            self.store, base_iri=self.base_iri, quarantine=Quarantine(quarantine)
        )
        self.ids = BraidIds(self.store, self.ingestor.iris)
        self._log = None
        if log_path is not None:
            self._open_log(log_path)

    # -- the capture log --------------------------------------------------------------------------
    def _open_log(self, path: Path) -> None:
        from services.ingest import Ingestor

        handle = open(path, "r+b")  # noqa: SIM115 - held while the manager is open
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            raise ConfigurationError(
                f"{path} is open in another process; for several writers run a manager "
                "(provml serve) and open it by its URL"
            ) from exc
        replay = Ingestor(self.store, base_iri=self.base_iri, validate=False)
        good = 0
        for line in handle:
            if not line.endswith(b"\n"):
                break  # a write torn by a crash: never acknowledged
            replay.ingest_batch(line)
            good += len(line)
        if good != handle.tell():
            log.warning("provml: %s ends with a torn write; dropping it", path)
            handle.truncate(good)
        handle.seek(0, os.SEEK_END)
        self._log = handle

    # -- the transport -----------------------------------------------------------------------------
    def send(self, body: bytes, count: int) -> None:
        from services.store import StoreError

        with self._lock:
            self._check_open()
            try:
                self.ingestor.ingest_batch(body)
            except StoreError as exc:
                raise TransportError(f"the store failed: {exc}") from exc
            except Exception as exc:
                raise _rejected(exc) from exc
            if self._log is not None:
                try:
                    self._log.write(body.rstrip(b"\n") + b"\n")
                    self._log.flush()
                    os.fsync(self._log.fileno())
                except OSError as exc:
                    self.close()
                    raise TransportError(f"cannot append to {self.log_path}: {exc}") from exc

    def ask(self, question: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        from queryengine import get_question, run_question

        with self._lock:
            self._check_open()
            try:
                rows = run_question(
                    get_question(question),
                    store=self.store,
                    params=dict(params),
                    base_iri=self.base_iri,
                )
            except Exception as exc:
                raise _rejected(exc) from exc
            return [dict(row) for row in rows]

    def allocate(self, count: int) -> int:
        with self._lock:
            self._check_open()
            return self.ids.allocate(count)

    def _check_open(self) -> None:
        if self.closed:
            raise TransportError("the embedded manager is closed")

    def close(self) -> None:
        """Release the store and the file when its last user closes it."""
        with self._lock:
            self.users = max(0, self.users - 1)
            if self.users or self.closed:
                return
            self.closed = True
            self.store.close()
            if self._log is not None:
                with contextlib.suppress(OSError):
                    self._log.close()
                self._log = None

    def __repr__(self) -> str:
        return f"<EmbeddedManager {self.log_path or self.store.uri}>"


def _rejected(exc: Exception) -> Exception:
    """A refusal as the manager would answer it over HTTP (its one error table)."""
    from services.app._errors import error_body

    status, body = error_body(exc)
    if status >= 500:
        return TransportError(f"{body.get('error')}: {body.get('message')}")
    text = json.dumps(body)
    return BatchRejected(f"HTTP {status} {body.get('message')}", status, text)
