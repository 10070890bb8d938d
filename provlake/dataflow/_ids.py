"""Client ids of DfAnalyzer executions and tasks, shared by ``provlake.dataflow`` and the manager's
DfAnalyzer wire route, so that one script gives the same ids through either.

An execution tag (DLProv's convention: ``"<dataflow>-<datetime.now()>"``) is kept as the run id when
it is a valid client id; otherwise its invalid characters become ``_`` and a digest of the tag
follows a ``~``, so two tags never share an id. A task's id is the run id, ``~`` and the task id
(a digest when the task id is not made of ``[A-Za-z0-9._-]``), so it is never ambiguous either.

>>> run_id("mnist-2026-12-02 05:09:49.361281")
'mnist-2026-12-02_05_09_49.361281~80ac85a9d214'
>>> run_id("exp-7")
'exp-7'
>>> task_id("exp-7", "4")
'exp-7~4'
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["digest", "run_id", "task_id"]

_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_TASK = re.compile(r"[A-Za-z0-9._-]{1,40}")
_INVALID = re.compile(r"[^A-Za-z0-9._-]+")


def digest(text: str, length: int = 12) -> str:
    """The first ``length`` hex digits of the SHA-1 of ``text``."""
    return hashlib.sha1(text.encode()).hexdigest()[:length]


def run_id(execution: str) -> str:
    """The run id of the execution tagged ``execution``."""
    if _ID.fullmatch(execution):
        return execution
    readable = _INVALID.sub("_", execution).strip("_")[:100] or "execution"
    return f"{readable}~{digest(execution)}"


def task_id(run: str, task: str, sub: str | None = None) -> str:
    """The id of task ``task`` (sub-task ``sub``) of the run ``run``."""
    key = f"{task}/{sub}" if sub else task
    part = key if _TASK.fullmatch(key) else "t" + digest(key, 16)
    if len(run) + 1 + len(part) > 128:
        run = digest(run, 24)
    return f"{run}~{part}"
