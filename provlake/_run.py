"""A run: one experiment execution (or workflow execution) and the entry point of the fluent API."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any

from provlake._entities import CaptureClient, Entity, entity_record
from provlake._handles import Ending, status_for
from provlake._handles import current_run as _active_run
from provlake._stages import Section, Stage, start_section
from provlake._stages import start_stage as _start_stage
from provlake._transform import transformation as _transformation

__all__ = ["Run", "active_run"]


def active_run() -> Run | None:
    """The run started last by ``start_run`` in this context and not ended yet."""
    run = _active_run.get()
    return run if isinstance(run, Run) else None


class Run(Ending):
    """Handle of a started run; as a context manager it ends (and flushes) the run on exit."""

    _end_type = "run.end"

    def __init__(self, client: CaptureClient, id: str, name: str) -> None:
        self.client, self.id, self.run_id, self.name = client, id, id, name
        self._end_attributes: dict[str, Any] = {}
        self._ended = False
        self._token: contextvars.Token[Ending | None] | None = _active_run.set(self)

    # -- structure
    # -----------------------------------------------------------------------------------
    def stage(self, name: str, kind: str, **options: Any) -> Stage:
        """Start a stage execution: ``kind`` is training, validation, evaluation, testing or
        transformation.

        Options: ``hyperparameters`` (mapping), ``used`` (entities), ``planned_epochs``,
        ``attributes``, ``parent`` (id of an enclosing stage or section), ``id``, ``start_time``.
        """
        return _start_stage(self.client, self.id, name, kind, **options)

    def section(self, name: str, index: int, **options: Any) -> Section:
        """Start a section directly under the run (a loop of a workflow)."""
        return start_section(self.client, self.id, self.id, name, index, **options)

    # -- entities
    # --------------------------------------------------------------------------------------
    def entity(self, kind: str, name: str | None = None, **fields: Any) -> Entity:
        """Record an entity: ``kind`` is dataset, data, feature_set, model, data_reference or
        kg_reference.

        Fields: ``generated_by``, ``derived_from``, ``revision_of``, ``location``, ``digest``,
        ``record_count``, ``version``, ``refers_to`` (kg_reference), ``attributes``, ``id``,
        ``time``.
        """
        return entity_record(self.client, self.id, kind, name, **fields)

    def dataset(self, name: str, *, source: str | None = None, **fields: Any) -> Entity:
        """Record a data set (``source``: where it came from, e.g. a loader name or a URI)."""
        return self.entity("dataset", name, location=source, **fields)

    def data(self, name: str, *, source: str | None = None, **fields: Any) -> Entity:
        return self.entity("data", name, location=source, **fields)

    def feature_set(self, name: str, **fields: Any) -> Entity:
        return self.entity("feature_set", name, **fields)

    def model(self, name: str, *, uri: str | None = None, **fields: Any) -> Entity:
        return self.entity("model", name, location=uri, **fields)

    def reference(self, iri: str, name: str | None = None, **fields: Any) -> Entity:
        """Record a reference to an entity of a domain knowledge graph (an absolute IRI)."""
        return self.entity("kg_reference", name, refers_to=iri, **fields)

    def data_reference(self, location: str, name: str | None = None, **fields: Any) -> Entity:
        """Record a reference to data kept elsewhere (a path, a URI, a table)."""
        return self.entity("data_reference", name, location=location, **fields)

    def transformation(self, func: Any = None, *, name: str | None = None) -> Any:
        """Decorator: each call of the function becomes a data transformation of this run."""
        return _transformation(func, name=name, target=lambda: self)

    # -- attributes, end, flush
    # -------------------------------------------------------------------------
    def end(
        self,
        status: str = "finished",
        attributes: Mapping[str, Any] | None = None,
        *,
        end_time: float | None = None,
    ) -> None:
        """Record the end of the run (once)."""
        record = self._end_record(status, attributes, end_time)
        if record is None:
            return
        self.client.pipeline.put(record)
        if _active_run.get() is self:
            try:
                _active_run.reset(self._token)  # type: ignore[arg-type]
            except (TypeError, ValueError):  # ended in another context
                _active_run.set(None)
            previous = _active_run.get()
            if previous is not None and previous._ended:
                _active_run.set(None)
        self._token = None

    def flush(self, timeout: float | None = None, *, acknowledged: bool = False) -> bool:
        """Block until everything captured so far is delivered or spooled, at most ``timeout``
        seconds (None: ``flush_timeout``, 30 s; False on timeout, with a warning saying what is
        pending); ``acknowledged=True``: until the manager committed it all."""
        return self.client.flush(timeout, acknowledged=acknowledged)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self.end(status_for(exc_type))
        self.client.flush(self.client.settings.exit_timeout)

    def __repr__(self) -> str:
        return f"<Run {self.name!r} {self.id}>"
