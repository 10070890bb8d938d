"""Sends a pipeline's records through the capture client of the run it belongs to.

One ``Recorder`` per run: it numbers the operations in the order they are declared (sources
first) and names them after the run and their step (``{run}.op{step}``, their streams
``{run}.op{step}.out``), so the same script gives the same ids. It sends one
``pipeline.operation`` record per operation, the files a file source read (content-identified
``entity`` records and ``used`` records), and hands each operation its ``Monitor``.
"""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provlake._entities import entity_record
from provlake._exceptions import CaptureUsageError
from provlake._records import check_scalar
from provlake.data._files import dvc_md5
from provlake.data._monitor import Monitor, Options

if TYPE_CHECKING:
    from provlake import Client, Run

__all__ = ["Recorder", "recorder_for"]

_log = logging.getLogger("provlake")

MAX_FILES = 10_000  # files of one source recorded one by one; later ones are counted only
_RECORDERS: weakref.WeakKeyDictionary[Run, Recorder] = weakref.WeakKeyDictionary()


class Recorder:
    """The pipeline records of run ``run`` (its client's ``emit``)."""

    def __init__(self, run: Run, *, owned: bool = False) -> None:
        self.run, self.client = run, run.client
        self.owned = owned  # a run the pipeline started itself, ended when its sink is exhausted
        self.steps = 0
        # ids of operations start with the run id (a digest of a long one: ids stay <= 128 chars)
        self.prefix = (
            run.id if len(run.id) <= 64 else hashlib.sha256(run.id.encode()).hexdigest()[:32]
        )
        self.sink: Any = None  # the dataset whose exhaustion ends an owned run
        self._files: dict[str, set[str]] = {}
        self._warned = False

    def emit(self, record: dict[str, Any]) -> None:
        """Queue a record; recording never breaks the pipeline (a refusal is logged once)."""
        try:
            self.client.emit(record)
        except CaptureUsageError as exc:
            if not self._warned:
                self._warned = True
                _log.warning("provlake.data: a pipeline record was not captured: %s", exc)

    def operation(
        self,
        kind: str,
        label: str,
        inputs: list[str],
        parameters: dict[str, Any],
        used: list[str],
        options: Options,
    ) -> Monitor:
        self.steps += 1
        op = f"{self.prefix}.op{self.steps}"
        record: dict[str, Any] = {
            "type": "pipeline.operation",
            "id": op,
            "run": self.run.id,
            "time": time.time(),
            "operation": kind,
            "label": label,
            "step": self.steps,
            "inputs": inputs,
            "stream": f"{op}.out",
        }
        if parameters:
            record["parameters"] = {
                name: check_scalar(value, f"parameters[{name!r}]")
                for name, value in parameters.items()
            }
        if used:
            record["used"] = used
        self.emit(record)
        return Monitor(self.emit, self.run.id, op, options)

    def folder(self, folder: Path) -> str:
        """The data set entity of a source folder (with its DVC md5 when DVC tracks it)."""
        attributes: dict[str, Any] = {}
        digest = None
        tracked = dvc_md5(folder)
        if tracked is not None:
            md5, tracker = tracked
            attributes = {"dvc_md5": md5, "dvc_file": tracker}
            digest = "md5:" + md5.removesuffix(".dir")
        entity = entity_record(
            self.client,
            self.run.id,
            "dataset",
            folder.name or str(folder),
            location=str(folder.resolve()),
            digest=digest,
            attributes=attributes,
        )
        return entity.id

    def file(self, op: str, path: Path, data: bytes | None) -> None:
        """Record that operation ``op`` read the file ``path`` (its bytes ``data`` when read
        already), once per run and operation."""
        seen = self._files.setdefault(op, set())
        key = str(path)
        if key in seen or len(seen) >= MAX_FILES:
            return
        seen.add(key)
        if data is None:
            data = path.read_bytes()
        attributes: dict[str, Any] = {"size": len(data)}
        tracked = dvc_md5(path)
        if tracked is not None:
            attributes["dvc_md5"], attributes["dvc_file"] = tracked
        entity = entity_record(
            self.client,
            self.run.id,
            "data",
            path.name,
            location=str(path.resolve()),
            digest="sha256:" + hashlib.sha256(data).hexdigest(),
            attributes=attributes,
        )
        self.emit(
            {
                "type": "used",
                "id": f"{op}.used.{entity.id}",
                "run": self.run.id,
                "time": time.time(),
                "execution": op,
                "entity": entity.id,
            }
        )


def recorder_for(run: Run | None, client: Client | None, label: str) -> Recorder:
    """The recorder of ``run``, else of the active run (when it is ``client``'s, if one is given),
    else of a run of its own (a workflow named after the pipeline's last operation, with the
    environment, on ``client`` or the shared one)."""
    from provlake import active_run, get_client

    owned = False
    if run is None:
        active = active_run()
        if active is not None and (client is None or active.client is client):
            run = active
    if run is None:
        run = (client or get_client()).start_run(label, kind="workflow")
        owned = True
    recorder = _RECORDERS.get(run)
    if recorder is None:
        recorder = _RECORDERS[run] = Recorder(run, owned=owned)
    return recorder
