"""``Task``: one task of a dataflow execution, sent as ``task`` records.

``begin()``, ``save()`` and ``end()`` each append one record (the data sets added since the last
one) to the capture buffer and return: the background flusher sends it. Task 1's ``begin()`` starts
the execution's run (with the environment and DLProv's hardware facts), as DfAnalyzer creates the
execution at task 1. Unlike ``dfa_lib_python``, data sets are not sent again by the next call, and
``set_datasets`` keeps every data set it is given (the original keeps the last one).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from provlake.dataflow._dataflow import Dataflow, capture_client
from provlake.dataflow._hardware import hardware_attributes
from provlake.dataflow._ids import run_id, task_id
from provlake.dataflow._spec import DataSet, Dependency, TaskStatus

if TYPE_CHECKING:
    from provlake import Client

__all__ = ["Task"]


def _wall_clock(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


class Task:
    """A task of transformation ``transformation_tag`` in execution ``exec_tag`` of ``dataflow``
    (a ``Dataflow``, or its tag)."""

    def __init__(
        self,
        id: Any,
        dataflow: Dataflow | str,
        exec_tag: str,
        transformation_tag: str,
        sub_id: str = "",
        dependency: Task | list[Task] | None = None,
        workspace: str = "",
        resource: str = "",
        output: str = "",
        error: str = "",
        *,
        client: Client | None = None,
    ) -> None:
        if isinstance(dataflow, Dataflow):
            self._dataflow, self._email = dataflow.tag, dataflow.email
            client = client if client is not None else dataflow._client
        else:
            self._dataflow, self._email = str(dataflow).lower(), ""
        self._tag = transformation_tag.lower()
        self._exec = exec_tag
        self._id = str(id)
        self._sub_id = str(sub_id) if sub_id not in ("", None) else ""
        self._attributes = {
            name: value
            for name, value in (
                ("workspace", workspace),
                ("resource", resource),
                ("output", output),
                ("error", error),
            )
            if value
        }
        self._status = TaskStatus.READY.value
        self._sets: list[dict[str, Any]] = []
        self._dependencies: list[tuple[str, str]] = []
        self._client = client
        self._run = run_id(exec_tag)
        self._started: float | None = None
        self.start_time: str | None = None
        self.end_time: str | None = None
        if isinstance(dependency, Task):
            dependency = [dependency]
        for task in dependency or []:
            self._dependencies.append((task._tag, task._id))

    @property
    def id(self) -> str:
        return self._id

    def add_dependency(self, dependency: Dependency) -> None:
        """Depend on the tasks a ``Dependency`` names (replacing earlier dependencies)."""
        if not isinstance(dependency, Dependency):
            raise TypeError("The dependency must be valid.")
        pairs = zip(dependency.tags, dependency.ids, strict=True)
        self._dependencies = [(t["tag"], i["id"]) for t, i in pairs]

    def set_datasets(self, datasets: list[DataSet]) -> None:
        if not isinstance(datasets, list):
            raise TypeError("The parameter must be a list.")
        for dataset in datasets:
            self.add_dataset(dataset)

    def add_dataset(self, dataset: DataSet) -> None:
        """Add a data set to send with the next ``begin``, ``save`` or ``end``."""
        if not isinstance(dataset, DataSet):
            raise TypeError("The dataset must be valid.")
        self._sets.append(dataset.get_specification())

    def set_status(self, status: TaskStatus) -> None:
        if not isinstance(status, TaskStatus):
            raise TypeError("The task status must be valid.")
        self._status = status.value

    def begin(self) -> None:
        """The task starts (RUNNING); task 1 also starts the execution."""
        now = time.time()
        self.set_status(TaskStatus.RUNNING)
        self._started = now
        self.start_time = _wall_clock(now)
        if self._id == "1" and not self._sub_id:
            client = capture_client(self._client)
            client.start_run(
                self._dataflow,
                run_id=self._run,
                user=self._email or None,
                attributes=hardware_attributes(),
                start_time=now,
            )
        self._send(now)

    def save(self) -> None:
        """Send the data sets added since the last message (e.g. one epoch's output)."""
        self._send(time.time())

    def end(self) -> None:
        """The task ends (FINISHED)."""
        now = time.time()
        self.set_status(TaskStatus.FINISHED)
        self.end_time = _wall_clock(now)
        self._send(now, end=now)

    def _send(self, now: float, end: float | None = None) -> None:
        record: dict[str, Any] = {
            "type": "task",
            "id": task_id(self._run, self._id, self._sub_id or None),
            "run": self._run,
            "time": now,
            "execution": self._exec,
            "dataflow": self._dataflow,
            "transformation": self._tag,
            "task": f"{self._id}/{self._sub_id}" if self._sub_id else self._id,
            "status": self._status.lower(),
            "dependencies": [
                {"transformation": tag, "id": task_id(self._run, id_)}
                for tag, id_ in self._dependencies
            ],
            "sets": self._sets,
        }
        if self._started is not None:
            record["start"] = self._started
        if end is not None:
            record["end"] = end
        if self._email:
            record["user"] = self._email
        if self._attributes:
            record["attributes"] = dict(self._attributes)
        self._sets = []
        capture_client(self._client).emit(record)
