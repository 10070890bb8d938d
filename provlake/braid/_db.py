"""``BraidDB``: a Braid-DB database on the provml pipeline.

``BraidDB(path)`` opens an in-process manager over a capture log at ``path`` (a file: deleting it
deletes the database); ``BraidDB("http://HOST:PORT")`` talks to a provml manager, which many
processes can share; a store URI (``oxigraph:DIR``, ``memory:``) opens an in-process manager over
that store. Every write is one batch, committed before the call returns; every read is a named
question, so it sees every write before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from provlake._exceptions import BatchRejected
from provlake._manager import open_sync_transport
from provlake._sync import SyncWriter

from ._types import (
    BraidInputError,
    BraidRecordModel,
    BraidRejected,
    BraidTagType,
    BraidTagValue,
    parse_time,
)

__all__ = ["BraidDB", "Session"]

_TAG_TYPES = {t.name: t for t in BraidTagType}


class Session:
    """What ``BraidDB.get_session()`` returns. Each call is committed as it is made (a Braid-DB
    script that forgets ``commit()`` loses nothing), so ``commit()`` has nothing left to do and
    ``rollback()`` cannot undo; a session only groups calls, as in Braid-DB scripts."""

    def __init__(self, db: BraidDB) -> None:
        self.db = db

    def commit(self) -> None:
        """Nothing to do: every call was committed when it returned."""

    def flush(self) -> None:
        """Nothing to do, as ``commit``."""

    def rollback(self) -> None:
        logging.getLogger("provlake.braid").warning(
            "provlake.braid: rollback() undoes nothing; every call is committed as it is made"
        )

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BraidDB:
    """A Braid-DB database: a path (a capture log), a manager URL or a store URI."""

    def __init__(
        self,
        db_url: str,
        log: bool = False,
        debug: bool = False,
        mpi: bool = False,
        echo_sql: bool = False,
        create_engine_kwargs: dict | None = None,
    ) -> None:
        if mpi:
            raise BraidInputError(
                "mpi=True is not supported: run a manager (provml serve) and open it by URL"
            )
        self.db_url = db_url
        self.logger = logging.getLogger("BraidDB")
        self.logger.setLevel(logging.DEBUG if debug else logging.INFO if log else logging.WARNING)
        self.echo_sql = echo_sql
        self.writer = SyncWriter(open_sync_transport(db_url))
        self.engine = self.writer.transport  # where the data lives (Braid-DB: the SQL engine)
        self.sql = self
        self._known: set[int] = set()

    # -- plumbing ---------------------------------------------------------------------------------
    def write(self, records: list[dict[str, Any]]) -> None:
        """Commit ``records`` as one batch, or raise ``BraidRejected`` (nothing written)."""
        try:
            self.writer.write(records)
        except BatchRejected as exc:
            raise BraidRejected(str(exc), exc.status, exc.body) from exc

    def ask(self, question: str, **params: Any) -> list[dict[str, Any]]:
        return self.writer.ask(question, **params)

    def new_id(self) -> int:
        return self.writer.new_id()

    def record_row(self, record_id: Any) -> dict[str, Any] | None:
        """The ``braid-record`` row of ``record_id``, or None."""
        if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
            return None
        rows = self.ask("braid-record", record=str(record_id))
        if rows:
            self._known.add(record_id)
        return rows[0] if rows else None

    def knows(self, record_id: int) -> bool:
        return record_id in self._known or self.record_row(record_id) is not None

    def same_database(self, other: BraidDB) -> bool:
        """Whether ``other`` reads and writes the same data (the same in-process manager, or the
        same manager URL)."""
        mine, theirs = self.writer.transport, other.writer.transport
        return mine is theirs or (
            getattr(mine, "url", None) is not None
            and getattr(mine, "url", None) == getattr(theirs, "url", None)
        )

    def remember(self, record_id: int) -> None:
        self._known.add(record_id)

    @staticmethod
    def _model(row: dict[str, Any]) -> BraidRecordModel:
        invalidation = row.get("invalidation")
        return BraidRecordModel(
            record_id=row["record_id"],
            name=row.get("name"),
            time=parse_time(row.get("time")),
            kind=row.get("kind", "record"),
            invalidation_id=invalidation.rsplit("/", 1)[-1] if invalidation else None,
        )

    # -- Braid-DB's public API --------------------------------------------------------------------
    def create_engine(self, db_url: str, echo_sql: bool = False, create_engine_kwargs=None):
        """Braid-DB compatibility: the connection is opened by the constructor."""
        return self.engine

    def create(self) -> None:
        """Braid-DB compatibility: a provml database needs no tables (the file already exists)."""

    def get_session(self, **kwargs: Any) -> Session:
        return Session(self)

    def insert(self, record: Any) -> None:
        """Deprecated in Braid-DB and does nothing, as there."""

    def create_record(self, kind: str, name: str | None, seconds: float) -> int:
        """Write a new record of ``kind``; its id."""
        record_id = self.new_id()
        record = {"type": "braid.record", "record": record_id, "kind": kind, "time": seconds}
        if name is not None:
            record["name"] = str(name)
        self.write([record])
        self.remember(record_id)
        return record_id

    def add_model(self, model: BraidRecordModel, session: Session | None = None):
        """Braid-DB compatibility: store a record given as a model; returns it with its id."""
        if not isinstance(model, BraidRecordModel):
            raise BraidInputError(f"add_model takes a BraidRecordModel, got {type(model).__name__}")
        if model.record_id is not None and self.knows(model.record_id):
            return model
        stamp = model.time.timestamp() if model.time is not None else time.time()
        record_id = self.create_record(model.kind, model.name, stamp)
        return BraidRecordModel(record_id, model.name, model.time, model.kind)

    def get_record_model_by_id(
        self, record_id: int, session: Session | None = None
    ) -> BraidRecordModel | None:
        row = self.record_row(record_id)
        return None if row is None else self._model(row)

    def _hop(self, question: str, record_id: int) -> list[BraidRecordModel]:
        if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
            return []
        seen: dict[int, BraidRecordModel] = {}
        for row in self.ask(question, record=str(record_id)):  # an unknown id: no rows
            if row["record_id"] not in seen:
                seen[row["record_id"]] = self._model(row)
        return list(seen.values())

    def get_predecessors(self, record_id: int, session: Session | None = None):
        """The records ``record_id`` derives from, one hop (``a`` of every ``a.add_derivation(r)``,
        and what a model was updated with)."""
        return self._hop("braid-predecessors", record_id)

    def get_derivations(self, record_id: int, session: Session | None = None):
        """The records derived from ``record_id``, one hop (``b`` of every
        ``r.add_derivation(b)``, and the models updated with it)."""
        return self._hop("braid-derivations", record_id)

    def get_uris(self, record_id: int, session: Session | None = None) -> list[str]:
        if self.record_row(record_id) is None:
            return []
        return [row["uri"] for row in self.ask("braid-uris", record=str(record_id))]

    def get_tags(self, record_id: int, session: Session | None = None) -> dict[str, BraidTagValue]:
        """Tags by key (the latest value of a key wins), each value of its type."""
        if self.record_row(record_id) is None:
            return {}
        return {
            row["key"]: BraidTagValue(row["value"], _TAG_TYPES[row["type"]])
            for row in self.ask("braid-tags", record=str(record_id))
        }

    def records(self) -> Iterator[BraidRecordModel]:
        """Every record, by id."""
        for row in self.ask("braid-records"):
            yield self._model(row)

    def print(self, session: Session | None = None) -> None:
        """Print every record as Braid-DB does: id, name, time, derivations, URIs and tags."""
        for record in self.records():
            text = f"[{record.record_id:5}] : {record.name or '':16} {record.time}"
            derived = [d.record_id for d in self.get_derivations(record.record_id)]
            text += " <- " + str(derived)
            for uri in self.get_uris(record.record_id):
                text += "\n\t\t\t URI: " + uri
            for key, tag in self.get_tags(record.record_id).items():
                quote = "'" if tag.type_ is BraidTagType.STRING else ""
                text += f"\n\t\t\t TAG: {key} = {quote}{tag.value}{quote}"
            if record.invalidation_id is not None:
                text += f"\n\t\t\t INVALID: {record.invalidation_id}"
            print(text)

    def size(self) -> int:
        """Records + derivations + URIs + tags, printed by kind as Braid-DB does."""
        counts = {"records": 0, "derivations": 0, "uris": 0, "tags": 0}
        for record in self.records():
            counts["records"] += 1
            counts["derivations"] += len(self.get_derivations(record.record_id))
            counts["uris"] += len(self.get_uris(record.record_id))
            counts["tags"] += len(self.ask("braid-tags", record=str(record.record_id)))
        for table, count in counts.items():
            print(f"count: {table} = {count}")
        return sum(counts.values())

    def close(self) -> None:
        self.writer.close()

    def __enter__(self) -> BraidDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def debug(self, msg: str) -> None:
        self.logger.debug(msg)

    def trace(self, msg: str) -> None:
        self.logger.log(logging.DEBUG - 5, msg)

    def __repr__(self) -> str:
        return f"<BraidDB {self.db_url}>"
