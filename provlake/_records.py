"""Capture records (``docs/capture-format.md``): ids, kinds, value checks and batch encoding.

Records are plain dicts. The hot path (metrics) is a tuple turned into a dict on the flusher thread,
so the caller only pays for a tuple and a deque append.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from provlake import vocab
from provlake._exceptions import CaptureUsageError

__all__ = [
    "ENTITY_KINDS",
    "NON_FINITE",
    "SCHEMA",
    "STAGE_KINDS",
    "STATUSES",
    "VERSION",
    "MetricEncoder",
    "check_attributes",
    "check_id",
    "check_name",
    "check_number",
    "check_scalar",
    "check_status",
    "encode_batch",
    "encode_record",
    "new_id",
]

SCHEMA = "provml/capture/1"
VERSION = "0.1.0"  # of this client, sent in every batch header (``provlake.__version__``)

# The PROV-ML class each kind becomes (the manager maps; the client checks the kind).
STAGE_KINDS: dict[str, str] = {
    "training": vocab.PROVML.TrainingExecution,
    "validation": vocab.PROVML.ValidationExecution,
    "evaluation": vocab.PROVML.EvaluationExecution,
    "testing": vocab.PROVML.TestingExecution,
    "transformation": vocab.PROVML.DataTransformationExecution,
}
ENTITY_KINDS: dict[str, str] = {
    "dataset": vocab.PROVML.Dataset,
    "data": vocab.PROVML.LearningData,
    "feature_set": vocab.PROVML.FeatureSet,
    "model": vocab.PROVML.Model,
    "data_reference": vocab.PROVML.DataReference,
    "kg_reference": vocab.PROVML.KnowledgeGraphReference,
}
STATUSES = ("finished", "failed", "killed")

# JSON has no NaN or infinity: they travel as the tokens Python's json module writes and reads
# (and the manager's parser reads), so a diverging loss is recorded, not dropped.
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}

_ID = re.compile(r"[A-Za-z0-9._~-]{1,128}")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
METRIC = 0  # tag of the metric tuples appended by the hot path


_id_prefix = ""
_id_counter = itertools.count(1)


def _new_id_prefix() -> None:
    """A random 80-bit prefix for this process's ids (again in a forked child) and a fresh
    counter."""
    global _id_prefix, _id_counter
    _id_prefix = os.urandom(10).hex()
    _id_counter = itertools.count(1)


_new_id_prefix()
os.register_at_fork(after_in_child=_new_id_prefix)


def new_id() -> str:
    """A fresh client id: 32 hex digits, a random 80-bit prefix per process and a 48-bit counter.

    Unique like a UUID4 (two processes share ids only if their random prefixes collide) but
    costing a string format instead of a call to the random source; thread-safe (the counter is
    one atomic step), and a forked child draws a prefix of its own.
    """
    return f"{_id_prefix}{next(_id_counter):012x}"


def check_id(value: Any, field: str = "id") -> str:
    if type(value) is not str or not _ID.fullmatch(value):
        raise CaptureUsageError(
            f"{field} must be 1-128 characters of [A-Za-z0-9._~-], got {value!r}"
        )
    return value


def check_name(value: Any, field: str = "name") -> str:
    if type(value) is not str or not value.strip():
        raise CaptureUsageError(f"{field} must be a non-empty string, got {value!r}")
    return value


def check_number(value: Any, field: str) -> int | float:
    """Accept int/float and numeric scalars (numpy, torch 0-d tensors); refuse bool and strings."""
    if isinstance(value, bool | str | bytes) or not hasattr(value, "__float__"):
        raise CaptureUsageError(f"{field} must be a number, got {type(value).__name__} {value!r}")
    if isinstance(value, int | float):
        return value
    if hasattr(value, "__index__"):
        return int(value)
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise CaptureUsageError(f"{field} must be a number, got {value!r}") from exc


def check_scalar(value: Any, field: str) -> str | int | float | bool:
    """A JSON scalar for hyperparameters and attributes: str, bool, int or float (numeric scalars
    converted).
    """
    if isinstance(value, str | bool | int | float):
        return value
    if value is not None and hasattr(value, "__float__") and not isinstance(value, bytes):
        return check_number(value, field)
    raise CaptureUsageError(
        f"{field} must be a string, number or boolean, got {type(value).__name__} {value!r}"
    )


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise CaptureUsageError(f"status must be one of {', '.join(STATUSES)}; got {status!r}")
    return status


def check_int(value: Any, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__") or int(value) < minimum:
        raise CaptureUsageError(f"{field} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_attributes(attributes: Mapping[str, Any] | None, field: str = "attributes") -> dict:
    if attributes is None:
        return {}
    if not isinstance(attributes, Mapping):
        raise CaptureUsageError(f"{field} must be a mapping of name to scalar, got {attributes!r}")
    return {
        check_name(k, f"{field} key"): check_scalar(v, f"{field}[{k!r}]")
        for k, v in attributes.items()
    }


def check_iri(value: Any, field: str) -> str:
    if type(value) is not str or not _ABSOLUTE_IRI.fullmatch(value):
        raise CaptureUsageError(f"{field} must be an absolute IRI, got {value!r}")
    return value


def entity_ids(values: Iterable[Any] | None, field: str) -> list[str]:
    """Ids of entity handles (anything with ``.id``) or id strings."""
    if values is None:
        return []
    if isinstance(values, str) or hasattr(values, "id"):
        values = [values]
    return [check_id(getattr(v, "id", v), f"{field} item") for v in values]


class MetricEncoder:
    """Encodes hot-path metric tuples straight to JSON text on the flusher thread.

    Ids come from :func:`new_id`.
    """

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self.non_finite = 0  # NaN and infinite values encoded (sent, as NaN / Infinity tokens)

    def __call__(self, item: tuple) -> str:
        """The JSON text of one metric record (a NaN or infinite value as a ``NaN`` /
        ``Infinity`` / ``-Infinity`` token, see ``NON_FINITE``)."""
        _, run, execution, name, value, time, epoch, step, model, data = item
        if value.__class__ is not int:
            value = float(value)
            if math.isfinite(value):
                value = float.__repr__(value)
            else:
                self.non_finite += 1
                value = NON_FINITE[float.__repr__(value)]
        else:
            value = int.__repr__(value)
        quoted = self._names.get(name)
        if quoted is None:
            quoted = self._names[name] = json.dumps(name)
        text = (
            f'{{"type":"metric","id":"{_id_prefix}{next(_id_counter):012x}","run":"{run}",'
            f'"time":{float.__repr__(time)},"execution":"{execution}","name":{quoted},"value":{value}'
        )
        if epoch is not None:
            text += f',"epoch":{int.__repr__(epoch)}'
        if step is not None:
            text += f',"step":{int.__repr__(step)}'
        if model is not None:
            text += f',"model":"{model}"'
        if data is not None:
            text += f',"data":"{data}"'
        return text + "}"


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=True)


def encode_record(record: Mapping[str, Any]) -> str:
    """The JSON text of one record (raises ValueError or TypeError when not encodable); NaN and
    infinite numbers are written as the ``NaN`` / ``Infinity`` / ``-Infinity`` tokens."""
    return _ENCODER.encode(record)


def encode_batch(records: list[str], client: Mapping[str, str]) -> bytes:
    """The JSON body of one batch of encoded records, on one line (one spool line per batch)."""
    head = json.dumps({"schema": SCHEMA, "client": dict(client)}, separators=(",", ":"))
    return f'{head[:-1]},"records":[{",".join(records)}]}}'.encode()
