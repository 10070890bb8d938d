"""Value types of the Braid-DB face: tag types, tag values, action types, record rows, errors.

Errors, one root under :class:`provlake.ProvlakeError`::

    BraidError
    ├── UnknownRecord (KeyError)     a call names a record id the database does not hold
    ├── BraidInputError (ValueError) a wrong argument: a tag value not of its type, a fact
    │                                given a derivation, an invalidation without cause
    └── BraidRejected (ValueError)   the manager refused a write (a SHACL violation, a bad record):
                                     ``status`` and the manager's error ``body``; nothing written
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from enum import Enum, StrEnum, unique
from typing import Any

from provlake._exceptions import ProvlakeError

__all__ = [
    "BraidDerivation",
    "BraidError",
    "BraidInputError",
    "BraidInvalidationAction",
    "BraidRecordModel",
    "BraidRejected",
    "BraidTagType",
    "BraidTagValue",
    "InvalidationActionType",
    "UnknownRecord",
    "digits",
    "parse_time",
]


class BraidError(ProvlakeError):
    """Root of the errors of :mod:`provlake.braid`."""


class UnknownRecord(BraidError, KeyError):
    """A record id the database does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown record"


class BraidInputError(BraidError, ValueError):
    """A wrong argument; nothing was written."""


class BraidRejected(BraidError, ValueError):
    """The manager refused a write (nothing written); ``body`` is its JSON error body."""

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@unique
class BraidTagType(Enum):
    """Braid-DB tag types; a tag's value comes back as its type (``to_python_type``)."""

    NONE = 0
    STRING = 1
    INTEGER = 2
    FLOAT = 3

    @classmethod
    def type_for_value(cls, value: Any) -> BraidTagType:
        """The tag type of a Python value (``bool`` and others: ``NONE``)."""
        if isinstance(value, bool):
            return cls.NONE
        if isinstance(value, int):
            return cls.INTEGER
        if isinstance(value, float):
            return cls.FLOAT
        if isinstance(value, str):
            return cls.STRING
        return cls.NONE

    def to_python_type(self) -> type | None:
        return {"STRING": str, "INTEGER": int, "FLOAT": float}.get(self.name)


class BraidTagValue:
    """A tag value with its type, as ``BraidDB.get_tags`` returns it."""

    def __init__(self, value: Any, type_: BraidTagType) -> None:
        self.value = value
        self.type_ = type_

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BraidTagValue) and (self.value, self.type_) == (
            other.value,
            other.type_,
        )

    def __hash__(self) -> int:
        return hash((self.value, self.type_))

    def __repr__(self) -> str:
        return f"BraidTagValue({self.value!r}, {self.type_})"


class InvalidationActionType(StrEnum):
    """What an invalidation action does: run a command, POST to a webhook (or a Globus Automate
    event, which cannot run here: its run is recorded as failed)."""

    SHELL_COMMAND = "shell"
    WEBHOOK = "webhook"
    AUTOMATE_EVENT = "automate_event"


@dataclass(frozen=True)
class BraidRecordModel:
    """A record as read from the database (what Braid-DB's queries return): a snapshot."""

    record_id: int
    name: str | None
    time: datetime.datetime | None
    kind: str = "record"
    invalidation_id: str | None = None

    @property
    def invalidation(self) -> str | None:
        return self.invalidation_id


@dataclass(frozen=True)
class BraidDerivation:
    """``a.add_derivation(b)``: ``record_id`` a, ``derivation`` b."""

    record_id: int
    derivation: int
    time: datetime.datetime


@dataclass
class BraidInvalidationAction:
    """An action run when a record it guards becomes invalid."""

    action_type: InvalidationActionType
    name: str
    cmd: str
    params: dict[str, Any] = field(default_factory=dict)
    record_id: int | None = None
    id: str = ""


def digits(c: int) -> str:
    """``c`` random digits (for random names), like Braid-DB's ``digits``."""
    return str(random.randint(0, 10**c - 1)).zfill(c)


def parse_time(text: str | None) -> datetime.datetime | None:
    """An ``xsd:dateTime`` answer → an aware UTC ``datetime``."""
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
