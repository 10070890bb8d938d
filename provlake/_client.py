"""The explicit client: settings, one transport, one pipeline. The fluent API
(``provlake.start_run``) and the legacy ProvLake API are thin layers over it.
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import os
import sys
import time
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from provlake._config import Settings
from provlake._environment import capture_environment, git_commit
from provlake._exceptions import CaptureUsageError, TransportError
from provlake._pipeline import Pipeline
from provlake._records import VERSION, check_attributes, check_id, check_name, new_id
from provlake._registry import make_transport
from provlake._run import Run
from provlake._transports import Transport

__all__ = ["Client"]

# Every record type of the capture format. A record names its run and its time, except a
# dataflow's definition (DLProv), a catalogue record whose id is the dataflow's tag, without a run;
# a dataflow's definition and a task message may leave out their time (DfAnalyzer's carry none).
_RECORD_TYPES = {
    "run.start",
    "run.end",
    "stage.start",
    "stage.end",
    "section.start",
    "section.end",
    "metric",
    "hyperparameter",
    "entity",
    "used",
    "version",
    "dataflow",
    "task",
    "pipeline.operation",
    "pipeline.update",
    "pipeline.schema",
    "pipeline.sample",
}
_WITHOUT_RUN = {"dataflow"}
_TIME_OPTIONAL = {"dataflow", "task"}
_OPEN_CLIENTS: weakref.WeakSet[Client] = weakref.WeakSet()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def _software() -> dict[str, str]:
    script = (
        Path(sys.argv[0]).name if sys.argv and sys.argv[0] not in {"", "-c", "-m"} else "python"
    )
    try:
        commit = git_commit()
    except OSError:
        commit = None
    return {"name": script, "version": commit[:12] if commit else "unversioned"}


class Client:
    """Captures records for any number of runs and sends them in the background.

    ``transport`` is a :class:`Transport`, a URI (``http://host:port``, ``file:PATH``, ``memory:``,
    ``noop:``) or a mapping ``{"type": ..., ...}``; other keyword arguments override ``PROVML_*``
    settings (see :class:`provlake.Settings`).
    """

    def __init__(
        self, transport: Transport | str | Mapping[str, Any] | None = None, **settings: Any
    ):
        self.settings = Settings.resolve(settings)
        if transport is None and settings.get("manager") is not None:
            transport = {"type": "http"}  # an explicit manager beats PROVML_TRANSPORT
        self.transport = make_transport(transport, self.settings)
        self.pipeline = Pipeline(
            self.transport, self.settings, {"name": "provlake", "version": VERSION}
        )
        self.closed = False
        _OPEN_CLIENTS.add(self)

    # -- explicit API ------------------------------------------------------------------------------
    def emit(self, record: Mapping[str, Any]) -> None:
        """Queue one record as is, of any type of ``docs/capture-format.md``; checks the common
        fields only: ``id``, ``run`` and ``time`` (a ``dataflow`` has no run and its ``id`` is its
        tag; a ``dataflow`` or ``task`` may leave out its time)."""
        kind = record.get("type") if isinstance(record, Mapping) else None
        if kind not in _RECORD_TYPES:
            raise CaptureUsageError(f"not a capture record (unknown type): {record!r}")
        if kind in _WITHOUT_RUN:
            check_name(record.get("id"), "id")
            if "run" in record:
                raise CaptureUsageError(f"a {kind} record belongs to no run: {record!r}")
        else:
            check_id(record.get("id"), "id")
            check_id(record.get("run"), "run")
        stamp = record.get("time")
        if not isinstance(stamp, int | float) and not (stamp is None and kind in _TIME_OPTIONAL):
            raise CaptureUsageError(f"record time must be Unix seconds, got {stamp!r}")
        self.pipeline.put(dict(record))

    def start_run(
        self,
        name: str,
        *,
        study: str | None = None,
        kind: str = "learning",
        user: str | None = None,
        software: Mapping[str, str] | None = None,
        attributes: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        start_time: float | None = None,
    ) -> Run:
        """Start an experiment execution (``kind="learning"``) or a workflow execution
        (``"workflow"``).
        """
        check_name(name, "name")
        if kind not in {"learning", "workflow"}:
            raise CaptureUsageError(f'run kind must be "learning" or "workflow", got {kind!r}')
        record: dict[str, Any] = {
            "type": "run.start",
            "id": check_id(run_id, "run_id") if run_id is not None else new_id(),
            "time": time.time() if start_time is None else float(start_time),
            "name": name,
            "kind": kind,
            "user": check_name(user, "user") if user is not None else _user(),
        }
        if software is not None:
            record["software"] = dict(software)
        record["run"] = record["id"]
        if study is not None:
            record["study"] = check_name(study, "study")
        if attributes:
            record["attributes"] = check_attributes(attributes)
        if software is not None and not (
            isinstance(software.get("name"), str) and isinstance(software.get("version"), str)
        ):
            raise CaptureUsageError(
                f"software must be {{'name': str, 'version': str}}, got {software!r}"
            )
        environment = self.settings.capture_environment

        def complete() -> dict[str, Any]:
            """On the flusher thread: the file reads of git and package metadata."""
            if software is None:
                record["software"] = _software()
            if environment:
                with contextlib.suppress(Exception):  # environment capture is best effort
                    record["environment"] = capture_environment()
            return record

        self.pipeline.put(complete if software is None or environment else record)
        return Run(self, record["id"], name)

    def flush(self, timeout: float | None = None, *, acknowledged: bool = False) -> bool:
        """Wait until everything captured so far is delivered or spooled on disk; False when
        ``timeout`` (None: the ``flush_timeout`` setting, 30 s) runs out, with a warning that says
        what is pending and where. Never waits longer: a training is not held by a manager that
        is down.

        ``acknowledged=True`` waits until the manager committed it all (this process's spool
        drained too, a reconnection tried at once), e.g. before querying it; it is False as well
        when a batch was refused or records were dropped since the previous acknowledged flush.
        In strict mode a False raises :class:`TransportError` instead.
        """
        done = self.pipeline.flush(timeout, acknowledged)
        if not done and self.settings.strict:
            raise TransportError(f"capture not flushed: {self.pipeline.pending()}")
        return done

    def close(self, timeout: float | None = None) -> bool:
        """Flush with a bounded wait (default ``exit_timeout``) and stop the flusher; True when
        everything was acknowledged. What is left stays in the spool, and a warning says how to
        replay it.
        """
        if self.closed:
            return True
        self.closed = True
        _OPEN_CLIENTS.discard(self)
        return self.pipeline.close(self.settings.exit_timeout if timeout is None else timeout)

    def stats(self) -> dict[str, int]:
        """Delivery counters: sent, spooled, rejected, dropped records, and what still waits."""
        return self.pipeline.stats()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Client {self.transport!r}>"


@atexit.register
def _close_all() -> None:
    """At interpreter exit: close every open client within one ``exit_timeout`` in all."""
    clients = list(_OPEN_CLIENTS)
    if not clients:
        return
    deadline = time.monotonic() + max(c.settings.exit_timeout for c in clients)
    for client in clients:
        client.close(max(0.0, deadline - time.monotonic()))
