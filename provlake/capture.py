"""Legacy ProvLake capture classes (``provlake==0.2.982`` signatures) over the non-blocking
pipeline.

Mapping: ``ProvWorkflow`` → ``run.start``/``run.end`` (kind ``workflow``); ``ProvTask`` →
``stage.start``/``stage.end`` (kind ``transformation``, parent = the open cycle iteration it names);
``ProvCycle`` → ``section.start``/``section.end`` under the run. Input values of tasks are start
attributes, output values end attributes; typed values (``provlake.utils.args_handler``) become
entities. Scalar inputs of a cycle iteration become hyperparameter values it used (a section has no
input attributes). Numeric outputs of tasks and cycle iterations are also metrics (epoch = the
iteration), as the manager maps them for the 0.2.982 wire format, so the questions see them.

Tasks, the bulk of a legacy capture, cost their caller a tuple appended to the buffer at
``begin()`` and at ``end()``: their values are converted and their records built on the flusher
thread (:mod:`provlake._legacy_values`). Like ProvLake 0.2.982, which serialises its requests when
a bag is full, the values are read after the call returns: a container changed afterwards in place
may be recorded with its new content.
"""

from __future__ import annotations

import re
import time
from typing import Any

from provlake._entities import entity_record
from provlake._legacy import Persister
from provlake._legacy_values import (
    convert_values,
    task_end_records,
    task_start_records,
    with_extras,
)
from provlake._records import check_name, new_id
from provlake._run import Run
from provlake._stages import Section, start_section
from provlake.utils.constants import Status

__all__ = ["ProvCycle", "ProvTask", "ProvWorkflow"]

_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_STATUS = {Status.ERRORED: "failed"}
_time = time.time


def _client_id(value: Any) -> str | None:
    """A caller-given id kept when it is a valid client id (legacy default ids are timestamps:
    replaced).
    """
    if value.__class__ is float:  # the default: the generated time
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


class ActivityCapture:
    """Common base (legacy name): holds the persister; a ``None`` persister turns capture off."""

    def __init__(
        self,
        prov_persister: Persister | None,
        custom_metadata: dict | None = None,
        generated_time: float | None = None,
    ) -> None:
        self._prov_persister = prov_persister
        self._custom_metadata = custom_metadata
        self.generated_time = generated_time or time.time()
        self.stored_output = False

    def get_custom_metadata(self) -> dict | None:
        return self._custom_metadata

    def get_persister(self) -> Persister | None:
        return self._prov_persister

    def __enter__(self) -> Any:
        self.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._prov_persister is not None and not self.stored_output:
            self.end()

    def begin(self, start_time: float | None = None) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def end(
        self, output_args: Any = None, stdout: Any = None, stderr: Any = None, **kw: Any
    ) -> Any:
        raise NotImplementedError  # pragma: no cover - overridden


def _metrics(execution: Section, outputs: dict[str, Any], epoch: int | None) -> None:
    """Numeric outputs (booleans excepted) are model evaluations too, in the iteration's epoch."""
    for name, value in outputs.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            execution.log_metric(name, value, epoch=epoch)


def _entities(
    persister: Persister, run_id: str, specs: list[dict], generated_by: str | None = None
) -> list[str]:
    return [
        entity_record(
            persister.client, run_id, spec.pop("kind"), generated_by=generated_by, **spec
        ).id
        for spec in specs
    ]


class ProvWorkflow(ActivityCapture):
    """A workflow execution: ``run.start`` at ``begin()``, ``run.end`` at ``end()``."""

    def __init__(
        self,
        prov_persister: Persister | None,
        workflow_name: str,
        custom_metadata: dict | None = None,
        wf_exec_id: Any = None,
        wf_start_time: float | None = None,
    ) -> None:
        super().__init__(prov_persister, custom_metadata)
        self.workflow_name = workflow_name
        self.wf_start_time = time.time() if wf_start_time is None else wf_start_time
        self.wf_exec_id = self.wf_start_time if wf_exec_id is None else wf_exec_id
        self.run: Run | None = None

    def begin(self, start_time: float | None = None) -> ProvWorkflow | None:
        persister = self._prov_persister
        if persister is None:
            return None
        attrs, specs = convert_values(self._custom_metadata)
        if persister.context:
            attrs.setdefault("context", persister.context)
        self.run = persister.client.start_run(
            self.workflow_name,
            kind="workflow",
            attributes=attrs,
            run_id=_client_id(self.wf_exec_id),
            start_time=self.wf_start_time,
        )
        _entities(persister, self.run.id, specs)
        persister.workflows.append(self)
        return self

    def end(
        self,
        output_args: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        end_time: float | None = None,
    ) -> ProvWorkflow | None:
        persister = self._prov_persister
        if persister is None:
            return None
        if self.run is None:
            self.begin()
        assert self.run is not None
        self.stored_output = True
        attrs, specs = convert_values(with_extras(output_args, stdout, stderr))
        _entities(persister, self.run.id, specs)
        self.run.end("finished", attrs, end_time=end_time)
        if self in persister.workflows:
            persister.workflows.remove(self)
        persister.close()
        return self

    def get_workflow_execution_id(self) -> str | None:
        return None if self.run is None else self.run.id


class ProvTask(ActivityCapture):
    """A data transformation execution: ``stage.start`` at ``begin()``, ``stage.end`` at end."""

    # set by begin(); class-level defaults spare the constructor three stores
    _run_id: str | None = None
    _stage_id: str | None = None
    _epoch: int | None = None  # the index of the cycle iteration it runs in

    def __init__(
        self,
        prov_persister: Persister | None,
        data_transformation_name: str,
        prov_workflow: ProvWorkflow | None = None,
        input_args: dict | None = None,
        parent_cycle_name: str | None = None,
        parent_cycle_iteration: Any = None,
        person_id: str | None = None,
        task_id: Any = None,
        custom_metadata: dict | None = None,
        attribute_associations: dict | None = None,
        generated_time: float | None = None,
    ) -> None:
        # ActivityCapture.__init__, inlined: a task is constructed on the caller's hot path
        self._prov_persister = prov_persister
        self._custom_metadata = custom_metadata
        self.generated_time = generated_time or _time()
        self.stored_output = False
        self.dt_name = data_transformation_name
        self.prov_workflow = prov_workflow
        self._input_args = input_args
        self.parent_cycle_name = parent_cycle_name
        self.parent_cycle_iteration = parent_cycle_iteration
        self.person_id = person_id
        self.task_id = self.generated_time if task_id is None else task_id
        self.attribute_associations = attribute_associations

    def _run(self) -> Run:
        assert self._prov_persister is not None
        workflow = self.prov_workflow
        if workflow is not None:
            if workflow.run is None:
                workflow.begin()
            assert workflow.run is not None
            return workflow.run
        return self._prov_persister.current_run()

    def begin(self, start_time: float | None = None) -> ProvTask | None:
        persister = self._prov_persister
        if persister is None or self._stage_id is not None:
            return None if persister is None else self
        workflow = self.prov_workflow
        run = None if workflow is None else workflow.run
        run_id = (self._run() if run is None else run).id
        parent = None
        if self.parent_cycle_name is not None:
            cycle = persister.open_cycle(
                run_id, self.parent_cycle_name, self.parent_cycle_iteration
            )
            if cycle is not None:
                parent, self._epoch = cycle.id, cycle.index
        name = self.dt_name
        if name.__class__ is not str or not name.strip():
            check_name(name, "stage name")  # raises
        self._run_id = run_id
        self._stage_id = stage_id = _client_id(self.task_id) or new_id()
        persister.client.pipeline.put(
            (
                task_start_records,
                run_id,
                stage_id,
                name,
                parent,
                self._input_args,
                self.person_id,
                self._custom_metadata,
                _time() if start_time is None else float(start_time),
            )
        )
        return self

    def end(
        self,
        output_args: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        end_time: float | None = None,
        status: str = Status.FINISHED,
        attribute_associations: dict | None = None,
    ) -> ProvTask | None:
        persister = self._prov_persister
        if persister is None:
            return None
        if self._stage_id is None:
            self.begin(start_time=self.generated_time)
        if self.stored_output:  # the end is recorded once
            return self
        self.stored_output = True
        now = _time()
        persister.client.pipeline.put(
            (
                task_end_records,
                self._run_id,
                self._stage_id,
                output_args,
                stdout,
                stderr,
                now,
                now if end_time is None else float(end_time),
                _STATUS.get(status, "finished"),
                self._epoch,
            )
        )
        return self

    def get_data_transformation_execution_id(self) -> str | None:
        return self._stage_id


class ProvCycle(ActivityCapture):
    """One iteration of a loop of the workflow: ``section.start``/``section.end`` under the run."""

    def __init__(
        self,
        prov_persister: Persister | None,
        cycle_name: str,
        iteration_id: Any,
        prov_workflow: ProvWorkflow | None = None,
        input_args: dict | None = None,
        custom_metadata: dict | None = None,
    ) -> None:
        super().__init__(prov_persister, custom_metadata)
        self.cycle_name = cycle_name
        self.iteration_id = iteration_id
        self.prov_workflow = prov_workflow
        self._input_args = input_args or {}
        self.section: Section | None = None

    def begin(self, start_time: float | None = None) -> ProvCycle | None:
        persister = self._prov_persister
        if persister is None or self.section is not None:
            return None if persister is None else self
        workflow = self.prov_workflow
        if workflow is not None and workflow.run is None:
            workflow.begin()
        run = (
            workflow.run
            if workflow is not None and workflow.run is not None
            else persister.current_run()
        )
        key = (run.id, self.cycle_name)
        index = self.iteration_id
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            index = (
                int(index)
                if isinstance(index, str) and index.isdigit()
                else len(persister.cycles.get(key, []))
            )
        self.section = start_section(
            persister.client,
            run.id,
            run.id,
            self.cycle_name,
            index,
            start_time=time.time() if start_time is None else start_time,
        )
        persister.cycles.setdefault(key, []).append((self.iteration_id, self.section))
        attrs, specs = convert_values(self._input_args)
        for name, value in attrs.items():  # set anew each iteration: in force at its epoch
            self.section.log_hyperparameter(name, value, epoch=self.section.index)
        custom, custom_specs = convert_values(self._custom_metadata, "custom_metadata.")
        self.section.set_attributes(custom)  # descriptive: sent with section.end
        used = _entities(persister, run.id, specs + custom_specs)
        if used:
            self.section.used(*used)
        return self

    def end(
        self,
        output_args: Any = None,
        stdout: Any = None,
        stderr: Any = None,
        end_time: float | None = None,
        status: str = Status.FINISHED,
    ) -> ProvCycle | None:
        persister = self._prov_persister
        if persister is None:
            return None
        if self.section is None:
            self.begin()
        assert self.section is not None
        self.stored_output = True
        extra = (
            {} if isinstance(self.iteration_id, int) else {"iteration_id": str(self.iteration_id)}
        )
        attrs, specs = convert_values(with_extras(output_args, stdout, stderr, **extra))
        _entities(persister, self.section.run_id, specs, generated_by=self.section.id)
        _metrics(self.section, attrs, self.section.index)
        self.section.end(_STATUS.get(status, "finished"), attrs, end_time=end_time)
        key = (self.section.run_id, self.cycle_name)
        entries = persister.cycles.get(key, [])
        persister.cycles[key] = [e for e in entries if e[1] is not self.section]
        return self
