"""The legacy ``ProvLake.get_persister(...)`` entry point, on top of a :class:`Client`.

``service_url`` selects the http transport (the provml manager at that URL; a ProvLake-style
``.../provenance/api/`` path is dropped); otherwise, unless ``PROVML_TRANSPORT`` or
``PROVML_MANAGER`` says more, records go to ``log_file_path`` as a JSONL file of batches (the file
transport) that ``provml replay`` sends later.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import TYPE_CHECKING, Any

from provlake._client import Client
from provlake._exceptions import ConfigurationError

if TYPE_CHECKING:
    from provlake._run import Run
    from provlake._stages import Section

__all__ = ["Persister", "ProvLake"]


class Persister:
    """What ``get_persister`` returns: the client plus the open workflows and cycles of the legacy
    API.
    """

    def __init__(
        self, transport: Any, log_file_path: str, context: str | None, **settings: Any
    ) -> None:
        self._transport_spec = transport
        self._settings = settings
        self.log_file_path = log_file_path
        self.context = context
        self._client: Client | None = None
        self.workflows: list[Any] = []  # begun and not ended ProvWorkflow objects
        self.cycles: dict[tuple[str, str], list[tuple[Any, Section]]] = {}
        self._global_run: Run | None = None

    @property
    def client(self) -> Client:
        if self._client is None or self._client.closed:
            self._client = Client(self._transport_spec, **self._settings)
        return self._client

    def get_file_path(self) -> str:
        return self.log_file_path

    def current_run(self) -> Run:
        """The run of the last begun workflow, or a ``global_workflow`` run started on first use."""
        for workflow in reversed(self.workflows):
            if workflow.run is not None:
                return workflow.run
        if self._global_run is None or self._global_run._ended:
            self._global_run = self.client.start_run("global_workflow", kind="workflow")
        return self._global_run

    def open_cycle(self, run_id: str, name: str, iteration: Any = None) -> Section | None:
        """The open cycle iteration called ``name`` (the given ``iteration``, else the latest)."""
        entries = self.cycles.get((run_id, name))
        if not entries:
            return None
        if iteration is None:
            return entries[-1][1]
        for it, section in reversed(entries):
            if it == iteration:
                return section
        return None

    def flush(self, timeout: float | None = None) -> bool:
        return self.client.flush(timeout)

    def close(self) -> None:
        """Flush (bounded wait) and forget the singleton, as the legacy library does at workflow
        end.
        """
        if self._global_run is not None:
            self._global_run.end()
            self._global_run = None
        if self._client is not None:
            self._client.close()
        if ProvLake._persister_singleton_instance is self:
            ProvLake._persister_singleton_instance = None


class ProvLake:
    """Legacy entry point: ``ProvLake.get_persister(...)`` returns the process-wide persister."""

    _persister_singleton_instance: Persister | None = None

    @staticmethod
    def get_persister(
        log_file_path: str | None = None,
        managed_persistence: bool = True,
        context: str | None = None,
        with_validation: bool = False,
        log_level: str = "error",
        should_send_to_file: bool = True,
        log_dir: str = ".",
        service_url: str | None = None,
        bag_size: int | None = None,
        db_name: str | None = None,
        transport: Any = None,
    ) -> Persister:
        """Same keyword arguments as ``provlake==0.2.982`` (``with_validation`` and ``db_name`` are
        accepted and ignored: the manager always validates); ``transport`` may force any provml
        transport.
        """
        if ProvLake._persister_singleton_instance is not None:
            return ProvLake._persister_singleton_instance
        if log_file_path is None:
            log_file_path = os.path.join(log_dir, f"prov-{uuid.uuid4()}.log")
        level = log_level.upper()
        logging.getLogger("provlake").setLevel(
            getattr(logging, "ERROR" if level == "NONE" else level)
        )
        if transport is None:
            if service_url is not None:
                transport = {"type": "http", "url": _manager_url(service_url)}
            elif os.environ.get("PROVML_TRANSPORT") or os.environ.get("PROVML_MANAGER"):
                transport = None  # the environment decides
            elif should_send_to_file or not managed_persistence:
                transport = {"type": "file", "path": log_file_path}
            else:
                raise ConfigurationError(
                    "If you are using ProvLake in offline mode, you need to log prov data to file. "
                    "Check your 'should_send_to_file' and 'service_url' parameters."
                )
        settings = {"batch_size": int(bag_size)} if bag_size else {}
        persister = Persister(transport, log_file_path, context, **settings)
        ProvLake._persister_singleton_instance = persister
        return persister


def _manager_url(service_url: str) -> str:
    """The manager's base URL from a ProvLake ``service_url`` (``.../provenance/api/`` dropped)."""
    base = service_url.rstrip("/")
    return base[: -len("/provenance/api")] if base.endswith("/provenance/api") else base
