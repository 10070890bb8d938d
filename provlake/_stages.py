"""Stages (training, validation, evaluation, testing, transformation) and their sections (epochs,
folds, legacy cycles): starting one records it and returns its handle."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from provlake._entities import CaptureClient, Entity
from provlake._exceptions import CaptureUsageError
from provlake._handles import Execution, Progress
from provlake._records import (
    STAGE_KINDS,
    check_attributes,
    check_id,
    check_int,
    check_name,
    entity_ids,
    new_id,
)

__all__ = ["Section", "Stage", "start_section", "start_stage"]

_time = time.time


class Stage(Execution):
    """A learning stage execution (training, validation, evaluation, testing) or a data
    transformation.
    """

    _end_type = "stage.end"

    def __init__(self, client: CaptureClient, run_id: str, id: str, name: str, kind: str) -> None:
        super().__init__(client, run_id, id, name, Progress())
        self.kind = kind

    def section(self, name: str, index: int, *, id: str | None = None) -> Section:
        """Start a section of this stage (e.g. ``section("epoch", 3)``); metrics logged in it get
        epoch 3.
        """
        return start_section(
            self.client, self.run_id, self.id, name, index, progress=self._progress, id=id
        )

    def stage(self, name: str, kind: str, **options: Any) -> Stage:
        """Start a stage nested in this one."""
        return start_stage(self.client, self.run_id, name, kind, parent=self.id, **options)


class Section(Execution):
    """One iteration of a stage (an epoch, a fold) or of a loop of a run (a legacy cycle)."""

    _end_type = "section.end"

    def __init__(
        self, client: CaptureClient, run_id: str, id: str, name: str, index: int, progress: Progress
    ) -> None:
        super().__init__(client, run_id, id, name, progress)
        self.index = index
        if name in {"epoch", "epochs"}:
            self._epoch = index
            progress.open_epoch = index

    def _ended_now(self) -> None:
        """The end of an epoch section moves its stage to the next epoch."""
        progress = self._progress
        if self._epoch is not None and progress.open_epoch == self._epoch:
            progress.open_epoch = None
            progress.next_epoch = max(progress.next_epoch, self._epoch + 1)

    def stage(self, name: str, kind: str, **options: Any) -> Stage:
        """Start a stage inside this section (e.g. a transformation run once per iteration)."""
        return start_stage(self.client, self.run_id, name, kind, parent=self.id, **options)


def start_stage(
    client: CaptureClient,
    run_id: str,
    name: str,
    kind: str,
    *,
    parent: str | None = None,
    hyperparameters: Mapping[str, Any] | None = None,
    used: Iterable[Entity | str] | None = None,
    planned_epochs: int | None = None,
    attributes: Mapping[str, Any] | None = None,
    id: str | None = None,
    start_time: float | None = None,
) -> Stage:
    check_name(name, "stage name")
    if kind not in STAGE_KINDS:
        raise CaptureUsageError(f"stage kind must be one of {', '.join(STAGE_KINDS)}; got {kind!r}")
    record: dict[str, Any] = {
        "type": "stage.start",
        "id": new_id() if id is None else check_id(id),
        "run": run_id,
        "time": _time() if start_time is None else float(start_time),
        "name": name,
        "kind": kind,
    }
    if parent is not None:
        record["parent"] = parent
    if used:
        record["used"] = entity_ids(used, "used")
    if planned_epochs is not None:
        record["planned_epochs"] = check_int(planned_epochs, "planned_epochs")
    if attributes:
        record["attributes"] = check_attributes(attributes)
    hps = check_attributes(hyperparameters, "hyperparameters")
    client.pipeline.put(record)
    stage = Stage(client, run_id, record["id"], name, kind)
    for hp_name, value in hps.items():
        stage.log_hyperparameter(hp_name, value)
    return stage


def start_section(
    client: CaptureClient,
    run_id: str,
    stage_id: str,
    name: str,
    index: int,
    *,
    progress: Progress | None = None,
    id: str | None = None,
    start_time: float | None = None,
) -> Section:
    check_name(name, "section name")
    record = {
        "type": "section.start",
        "id": new_id() if id is None else check_id(id),
        "run": run_id,
        "time": _time() if start_time is None else float(start_time),
        "stage": stage_id,
        "name": name,
        "index": check_int(index, "section index"),
    }
    client.pipeline.put(record)
    return Section(client, run_id, record["id"], name, record["index"], progress or Progress())
