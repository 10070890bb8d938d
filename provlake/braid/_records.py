"""Braid records: ``BraidRecord`` and its kinds ``BraidFact``, ``BraidData``, ``BraidModel``.

Each call that changes something sends its ``braid.*`` records as one batch and returns once the
manager committed it; a record handle holds its id only, so it stays usable whatever happened to the
session it was made in, and what it reports (validity, tags, URIs) is read from the database.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from ._db import BraidDB, Session
from ._types import (
    BraidDerivation,
    BraidInputError,
    BraidInvalidationAction,
    BraidRecordModel,
    BraidTagType,
    InvalidationActionType,
    UnknownRecord,
    parse_time,
)

__all__ = ["BraidData", "BraidFact", "BraidModel", "BraidRecord"]

_KINDS: dict[str, type[BraidRecord]] = {}


def _seconds(stamp: datetime.datetime | float | None) -> float:
    if stamp is None:
        return time.time()
    if isinstance(stamp, datetime.datetime):
        return stamp.timestamp()  # a naive time is local time, as datetime.now() gives
    return float(stamp)


def _tag(value: Any, type_: BraidTagType, key: str) -> tuple[Any, str]:
    """The value as its type, and the type's name; a value that is not of its type is refused."""
    if not isinstance(type_, BraidTagType):
        raise BraidInputError(
            f"type_ must be a BraidTagType, got {type_!r} ({type(type_).__name__})"
        )
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BraidInputError(f"tag {key!r}: a value is a string or a number, not {value!r}")
    if type_ is BraidTagType.STRING and not isinstance(value, str):
        type_ = BraidTagType.type_for_value(value)  # STRING is the default: a number keeps its type
    try:
        if type_ is BraidTagType.INTEGER:
            if isinstance(value, float):
                raise ValueError("not an integer")
            return int(value), "INTEGER"
        if type_ is BraidTagType.FLOAT:
            return float(value), "FLOAT"
    except ValueError as exc:
        raise BraidInputError(
            f"tag {key!r}: {value!r} is not a value of type {type_.name}"
        ) from exc
    return str(value), type_.name


class BraidRecord:
    """A record of a Braid database, created in it when ``db`` is given."""

    kind = "record"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _KINDS[cls.kind] = cls

    def __init__(
        self,
        db: BraidDB | None = None,
        name: str | None = None,
        timestamp: datetime.datetime | None = None,
        debug: bool = True,
        session: Session | None = None,
    ) -> None:
        self.db = db
        self.name = name
        self.derivations: list[BraidRecord] = []
        self.uris: list[str] = []
        self.tags: dict[str, Any] = {}
        self.logger = logging.getLogger("BraidRecord")
        self.timestamp = timestamp if timestamp is not None else datetime.datetime.now()
        self._id: int | None = None
        self._version: int | None = None
        if db is not None:
            self._create()

    def _create(self) -> None:
        record_id = self.db.create_record(self.kind, self.name, _seconds(self.timestamp))
        self._id = record_id
        self._version = record_id if self.kind == "model" else None

    # -- identity ----------------------------------------------------------------------------------
    @property
    def record_id(self) -> int | None:
        if self._id is None and self.db is not None:
            self._create()
        return self._id

    @property
    def model(self) -> BraidRecordModel:
        """A snapshot of the stored record (Braid-DB: its SQL model)."""
        return self._db().get_record_model_by_id(self.record_id) or BraidRecordModel(
            self.record_id, self.name, self.timestamp, self.kind
        )

    def _db(self) -> BraidDB:
        if self.db is None:
            raise BraidInputError("this record belongs to no database (BraidRecord(db=None))")
        return self.db

    @classmethod
    def _from_row(cls, db: BraidDB, row: dict[str, Any]) -> BraidRecord:
        kind = _KINDS.get(row.get("kind", "record"), BraidRecord)
        chosen = kind if issubclass(kind, cls) else cls
        record = chosen.__new__(chosen)
        BraidRecord.__init__(record, None, row.get("name"), parse_time(row.get("time")))
        record.db, record._id = db, row["record_id"]
        return record

    @classmethod
    def from_orm(cls, orm_model: BraidRecordModel, db: BraidDB | None = None, session=None):
        record = cls(db=None, name=orm_model.name, timestamp=orm_model.time)
        record.db, record._id = db, orm_model.record_id
        return record

    @classmethod
    def by_record_id(
        cls, db: BraidDB, record_id: int, session: Session | None = None
    ) -> BraidRecord | None:
        """The record ``record_id`` (as its kind: a fact comes back a ``BraidFact``), or None."""
        row = db.record_row(record_id)
        return None if row is None else cls._from_row(db, row)

    @classmethod
    def for_tag_value(
        cls, db: BraidDB, key: str, value: Any, session: Session | None = None
    ) -> Iterator[BraidRecord]:
        """The records with a tag ``key`` of value ``value`` (both must match; numbers compare as
        numbers, text as text)."""
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        rows = db.ask("braid-records-by-tag", key=str(key), value=str(value), numeric=numeric)
        seen: set[int] = set()
        for row in rows:
            if row["record_id"] not in seen:
                seen.add(row["record_id"])
                yield cls.by_record_id(db, row["record_id"])

    @classmethod
    def invalidate_by_tag_value(
        cls,
        db: BraidDB,
        key: str,
        value: Any,
        session: Session | None = None,
        cascade: bool = False,
        cause: str | None = None,
    ) -> list[BraidRecord]:
        """Invalidate the records with tag ``key`` = ``value``; the ones that were valid."""
        if cause is None:
            cause = f"Invalidated because of tag {key} having value {value}"
        done = (
            r.invalidate(cause=cause, cascade=cascade) for r in cls.for_tag_value(db, key, value)
        )
        return [r for r in done if r is not None]

    # -- changes -----------------------------------------------------------------------------------
    def _known(self, other: BraidRecord) -> int:
        if not isinstance(other, BraidRecord):
            raise BraidInputError(f"expected a BraidRecord, got {type(other).__name__}")
        other_id = other.record_id
        if other_id is None or other.db is None:
            raise UnknownRecord(f"{other} belongs to no database")
        if not self._db().same_database(other.db):
            raise UnknownRecord(f"record {other_id} belongs to another database ({other.db})")
        if not self._db().knows(other_id):
            raise UnknownRecord(f"no record {other_id} in {self.db}")
        return other_id

    def add_derivation(
        self, record: BraidRecord, session: Session | None = None
    ) -> BraidDerivation:
        """``record`` is derived from this record: invalidating this one invalidates it. Adding the
        same derivation again changes nothing."""
        target = self._known(record)
        stamp = time.time()
        self._db().write(
            [
                {
                    "type": "braid.derivation",
                    "source": self.record_id,
                    "target": target,
                    "time": stamp,
                }
            ]
        )
        self.derivations.append(record)
        return BraidDerivation(self.record_id, target, datetime.datetime.fromtimestamp(stamp))

    def add_uri(self, uri: str, session: Session | None = None) -> None:
        if not isinstance(uri, str) or not uri:
            raise BraidInputError(f"a URI is a non-empty string, got {uri!r}")
        self._db().write(
            [{"type": "braid.uri", "record": self.record_id, "uri": uri, "time": time.time()}]
        )
        self.uris.append(uri)

    def get_uris(self) -> list[str]:
        return self._db().get_uris(self.record_id)

    def add_tag(
        self,
        key: str,
        value: Any,
        type_: BraidTagType = BraidTagType.STRING,
        session: Session | None = None,
    ) -> int:
        """Tag the record; the value keeps its type (a number given with the default STRING type
        is stored as a number). Returns the tag id (> 0)."""
        if not isinstance(key, str) or not key:
            raise BraidInputError(f"a tag key is a non-empty string, got {key!r}")
        typed, type_name = _tag(value, type_, key)
        db = self._db()
        tag_id = db.new_id()
        db.write(
            [
                {
                    "type": "braid.tag",
                    "tag": tag_id,
                    "record": self.record_id,
                    "key": key,
                    "value": typed,
                    "tag_type": type_name,
                    "time": time.time(),
                }
            ]
        )
        self.tags[key] = typed
        return tag_id

    def tags_as_dict(self, session: Session | None = None) -> dict[str, Any]:
        """The tags, each value as its type (the latest value of a key wins)."""
        return {key: tag.value for key, tag in self._db().get_tags(self.record_id).items()}

    def add_invalidation_action(
        self,
        action_type: InvalidationActionType,
        name: str,
        cmd: str,
        params: dict[str, Any],
        session: Session | None = None,
    ) -> BraidInvalidationAction:
        """Run ``cmd`` (a program, or a webhook URL) when this record becomes invalid."""
        try:
            kind = InvalidationActionType(action_type)
        except ValueError as exc:
            raise BraidInputError(f"unknown invalidation action type {action_type!r}") from exc
        action = BraidInvalidationAction(
            kind, name, cmd, dict(params or {}), self.record_id, uuid.uuid4().hex
        )
        self._db().write(
            [
                {
                    "type": "braid.action",
                    "action": action.id,
                    "record": self.record_id,
                    "action_type": kind.value,
                    "name": name,
                    "command": cmd,
                    "parameters": action.params,
                    "time": time.time(),
                }
            ]
        )
        return action

    def set_invalidation_action(
        self, invalidation_action_id: str, session: Session | None = None
    ) -> BraidInvalidationAction | None:
        """Guard this record with an existing action too; None when no action has that id."""
        db = self._db()
        rows = db.ask("braid-actions", action=str(invalidation_action_id))
        if not rows:
            return None
        row = rows[0]
        db.write(
            [
                {
                    "type": "braid.action_set",
                    "action": row["action_id"],
                    "record": self.record_id,
                    "time": time.time(),
                }
            ]
        )
        return BraidInvalidationAction(
            InvalidationActionType(row["action_type"]),
            row["name"],
            row["command"],
            json.loads(row["parameters"]),
            self.record_id,
            row["action_id"],
        )

    def invalidate(
        self,
        cause: str | None = None,
        root_invalidation: str | uuid.UUID | None = None,
        cascade: bool = True,
        perform_invalidation_action: bool = True,
        perform_invalidation_action_on_cascade: bool = True,
        session: Session | None = None,
    ) -> BraidRecord | None:
        """Mark this record invalid and, with ``cascade``, every valid record derived from it
        (across cycles, each once), keeping the cause and the root invalidation; run the actions of
        the records invalidated. None when the record was already invalid."""
        from ._invalidation import invalidate

        done = invalidate(
            self._db(),
            self.record_id,
            cause,
            root_invalidation,
            cascade,
            perform_invalidation_action,
            perform_invalidation_action_on_cascade,
        )
        return self if done else None

    def is_valid(self, session: Session | None = None) -> bool:
        """Read from the database: False once the record was invalidated."""
        row = self._db().record_row(self.record_id)
        if row is None:
            raise UnknownRecord(f"no record {self.record_id} in {self.db}")
        return row.get("invalidation") is None

    def strftime(self) -> str:
        return self.timestamp.strftime("%Y-%m-%d %H:%M:%S")

    def __str__(self) -> str:
        return f'BraidRecord("{self.name}")' if self.name is not None else "BraidRecord"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._id} {self.name!r}>"

    def debug(self, msg: str) -> None:
        self.logger.debug(msg)


class BraidFact(BraidRecord):
    """Trusted static data or software: nothing is derived from a fact (models are updated with
    it)."""

    kind = "fact"

    def __init__(self, db: BraidDB | None = None, name: str | None = None) -> None:
        super().__init__(db=db, name=name)

    def add_derivation(self, record: BraidRecord, session: Session | None = None):
        raise BraidInputError("BraidFacts do not have derivatives!")

    def store(self) -> int | None:
        return self.record_id


class BraidData(BraidRecord):
    """Data derived in the workflow: simulation outputs, analyses, experiment outputs."""

    kind = "data"

    def __init__(self, db: BraidDB | None = None, name: str | None = None) -> None:
        super().__init__(db=db, name=name)

    def store(self) -> int | None:
        return self.record_id


class BraidModel(BraidRecord):
    """A model updated with data or other models; each update is a new version of it."""

    kind = "model"

    def __init__(self, db: BraidDB | None = None, name: str | None = None) -> None:
        super().__init__(db=db, name=name)

    def update(self, record: BraidRecord, session: Session | None = None) -> int:
        """Expose the model to ``record`` (it learns from it): a new version, revision of the
        current one, that used ``record``. Cycles among records are fine. Returns the version id."""
        used = self._known(record)
        db = self._db()
        if self._version is None:
            history = db.ask("model-history", model=str(self.record_id))
            if not history:
                raise UnknownRecord(f"record {self.record_id} is not a model of {db}")
            self._version = history[-1]["version_id"]
        version = db.new_id()
        db.write(
            [
                {
                    "type": "braid.update",
                    "model": self.record_id,
                    "record": used,
                    "version": version,
                    "previous": self._version,
                    "time": time.time(),
                }
            ]
        )
        self._version = version
        self.derivations.append(record)
        return version

    def store(self) -> int | None:
        return self.record_id
