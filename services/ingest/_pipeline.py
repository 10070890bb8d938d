"""The ingest pipeline: parse → map to quads → validate (batch + store context) → commit atomically.

Nothing is written when any step fails. A batch that violates the shapes goes to the quarantine.

Concurrent calls run side by side: a batch holds the locks of its runs from mapping to commit (the
batches of one run go one after the other, each mapped on what the earlier ones committed), and the
batches ready to be written share one transaction, under ``write_lock`` (the lock of every write to
the store); a call returns once its batch is committed (``_commits``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import pyoxigraph as ox

from ..store._base import Store
from ._commits import GroupCommit, Pending, RunLocks
from ._context import StoreContext
from ._cycles import cycle_links
from ._dataflow_store import StoredDefinitions
from ._dataflows import resolve
from ._dfanalyzer import DFANALYZER_KINDS, convert_dfanalyzer
from ._exceptions import BatchTooLarge, InvalidBatch, ShapeViolation, UnknownReference
from ._iris import DEFAULT_BASE_IRI, Iris
from ._legacy import convert_retrospective
from ._legacy_catalog import convert_data_store, convert_prospective
from ._mapping import Mapper
from ._mapping_dlprov import DATAFLOW_HANDLERS
from ._mapping_pipeline import PIPELINE_HANDLERS
from ._quarantine import Quarantine, QuarantineEntry
from ._records import VersionRecord, parse_batch
from ._references import unknown_references
from ._summaries import stage_summaries
from ._validation import PyshaclValidator, Report
from ._versions import VersionInference

__all__ = ["LEGACY_KINDS", "IngestResult", "Ingestor"]

LEGACY_KINDS = ("retrospective", "prospective", "data-store")
ValidatorName = Literal["pyshacl", "fast"]


@dataclass
class IngestResult:
    """What a committed batch wrote: ``triples`` is the number of quads of the batch (the store
    dedups)."""

    records: int
    triples: int
    graphs: list[str]
    timings: dict[str, float] = field(default_factory=dict)


@cache
def make_validator(name: ValidatorName) -> Any:
    """The validator ``name``, built once per process (both are stateless between batches)."""
    if name == "pyshacl":
        return PyshaclValidator()
    if name == "fast":
        from ._fastshacl import FastValidator

        return FastValidator()
    raise ValueError(f"validator must be 'pyshacl' or 'fast', not {name!r}")


class Ingestor:
    """Turns captured provenance into validated PROV-ML quads and commits them to ``store``."""

    def __init__(
        self,
        store: Store,
        *,
        base_iri: str = DEFAULT_BASE_IRI,
        quarantine: Quarantine | None = None,
        validate: bool = True,
        max_records: int = 100_000,
        validator: ValidatorName = "fast",
        write_lock: threading.Lock | None = None,
        max_in_flight: int = 4,
    ) -> None:
        self.store = store
        self.write_lock = write_lock if write_lock is not None else threading.Lock()
        # Batches between parsing and commit at once: enough to map and validate one while others
        # are written (the store writes without the interpreter lock), few enough that the rest
        # wait in turn (sharing two CPUs among dozens of batches only makes each answer later) and
        # that the memory held by batches in progress stays bounded.
        self.in_flight = threading.BoundedSemaphore(max_in_flight)
        self.run_locks = RunLocks()
        self.commits = GroupCommit(self._write_group)
        self._resubmitting = threading.Lock()
        self.iris = Iris(base_iri)
        self.mapper = Mapper(self.iris, handlers=DATAFLOW_HANDLERS | PIPELINE_HANDLERS)
        self.context = StoreContext(store, self.iris)
        self.definitions = StoredDefinitions(store, self.iris)
        self.versions = VersionInference(store, self.iris)
        self.quarantine = quarantine if quarantine is not None else Quarantine(None)
        self.max_records = max_records
        self.validator = make_validator(validator) if validate else None

    # -- public entry points ---------------------------------------------------------------------

    def ingest_batch(self, body: bytes | dict) -> IngestResult:
        """Ingest a native capture batch (``provml/capture/1``)."""
        return self._ingest("capture", body)

    def ingest_legacy(
        self, body: bytes | list | dict, *, kind: str = "retrospective"
    ) -> IngestResult:
        """Ingest a ProvLake 0.2.982 request body: ``retrospective``, ``prospective`` or
        ``data-store``."""
        if kind not in LEGACY_KINDS:
            raise InvalidBatch("kind", f"must be one of {list(LEGACY_KINDS)}, not {kind!r}")
        return self._ingest(f"legacy:{kind}", body)

    def ingest_dfanalyzer(self, body: bytes | dict, *, kind: str) -> IngestResult:
        """Ingest one DfAnalyzer message (DLProv's ``dfa_lib_python``): ``dataflow`` or ``task``."""
        if kind not in DFANALYZER_KINDS:
            raise InvalidBatch("kind", f"must be one of {list(DFANALYZER_KINDS)}, not {kind!r}")
        return self._ingest(f"dfanalyzer:{kind}", body)

    def ingest_quads(self, quads: Sequence[ox.Quad], *, source: str) -> IngestResult:
        """Ingest already-mapped quads (e.g. a PROV document), validated the same way."""
        return self._ingest(f"quads:{source}", list(quads))

    # -- the pipeline ------------------------------------------------------------------------------

    def _records(self, source: str, body: Any) -> tuple[list[Any] | None, list[ox.Quad] | None]:
        if source == "capture":
            records = list(parse_batch(body, max_records=self.max_records).records)
            return resolve(records, self.definitions, "records[{}]".format), None
        if source.startswith("dfanalyzer:"):
            records = convert_dfanalyzer(body, source.removeprefix("dfanalyzer:"))
            return resolve(records, self.definitions, lambda _: "body"), None
        if source.startswith("legacy:"):
            kind = source.removeprefix("legacy:")
            if kind == "retrospective":
                records = convert_retrospective(body)
            elif kind == "prospective":
                records = convert_prospective(body)
            else:
                records = convert_data_store(body)
            if len(records) > self.max_records:
                raise BatchTooLarge(
                    "body",
                    f"the request gives {len(records)} records, more than {self.max_records}",
                )
            return records, None
        return None, _check_quads(body, self.max_records)

    def _ingest(
        self,
        source: str,
        body: Any,
        quarantine_id: str | None = None,
        quarantine: Quarantine | None = None,
    ) -> IngestResult:
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = now - clock
            clock = now

        with self.in_flight:
            clock = time.perf_counter()  # the wait for a turn is no stage's time
            records, quads = self._records(source, body)
            lap("parse")
            runs = {run for r in records or () if isinstance(run := getattr(r, "run", None), str)}
            with self.run_locks.holding(runs):
                return self._ingest_parsed(
                    source, body, records, quads, timings, lap, quarantine_id, quarantine
                )

    def _ingest_parsed(
        self,
        source: str,
        body: Any,
        records: list[Any] | None,
        quads: list[ox.Quad] | None,
        timings: dict[str, float],
        lap: Callable[[str], None],
        quarantine_id: str | None,
        quarantine: Quarantine | None,
    ) -> IngestResult:
        if records and any(isinstance(r, VersionRecord) for r in records):
            with self.write_lock:  # the version index changes only under the write lock
                self.versions.check(records)  # registered versions against the store: 400, 409
        if quads is None:
            # Mapping is pure: the records, and immutable facts read from the store for it.
            quads = self.mapper.map(records, self.context.plans(self.mapper.plans_needed(records)))
            quads += cycle_links(records, self.iris, self.context)
            if source == "capture":  # legacy evaluations get their epoch after the task ends
                quads += stage_summaries(records, quads, self.iris, self.store)
        lap("convert")
        unknown = unknown_references(records, self.store, self.iris) if records else []
        report = unknown or self._validate(quads)
        lap("validate")
        count = len(records) if records is not None else len(quads)
        if report:
            keeper = quarantine or self.quarantine
            entry = keeper.put(
                source=source,
                batch=_as_bytes(body),
                nquads=_nquads(quads),
                report=report,
                records=count,
                triples=len(quads),
                id=quarantine_id,
            )
            raise (UnknownReference if unknown else ShapeViolation)(report, entry)
        # the batch, with the version revisions it lets the manager infer, in one transaction
        # (shared with the batches of other calls ready at the same time)
        self.commits.commit(records, quads)
        lap("commit")
        graphs = sorted({q.graph_name.value for q in quads})
        return IngestResult(records=count, triples=len(quads), graphs=graphs, timings=timings)

    def _write_group(self, batches: list[Pending]) -> None:
        with self.write_lock:
            self.versions.commit_group(batches)

    def _validate(self, quads: list[ox.Quad]) -> Report:
        if self.validator is None or not quads:
            return []
        context = self.context.validation_context(quads)
        return self.validator.validate([*quads, *context])

    def resubmit(
        self, id: str, body: bytes | None = None, *, quarantine: Quarantine | None = None
    ) -> IngestResult:
        """Run quarantine entry ``id`` (or its fixed version ``body``) through the pipeline again.

        On success the batch is committed and the entry removed. When it still violates the shapes
        the entry is updated (new batch, quads and report) and ``ShapeViolation`` raised; invalid
        input raises ``InvalidBatch`` and leaves the entry as it was. ``quarantine`` defaults to
        this ingestor's own.
        """
        quarantine = self.quarantine if quarantine is None else quarantine
        entry = quarantine.get(id)
        return self._resubmit(entry, entry.batch if body is None else body, quarantine)

    def _resubmit(
        self, entry: QuarantineEntry, body: bytes, quarantine: Quarantine
    ) -> IngestResult:
        if entry.source.startswith("quads:"):
            try:
                parsed: Any = list(ox.parse(body, format=ox.RdfFormat.N_QUADS))
            except SyntaxError as exc:
                raise InvalidBatch("body", f"malformed N-Quads: {exc}") from exc
        else:
            parsed = body
        with self._resubmitting:  # an entry is committed and removed once
            result = self._ingest(
                entry.source, parsed, quarantine_id=entry.id, quarantine=quarantine
            )
            quarantine.delete(entry.id)
        return result


def _check_quads(quads: list[Any], max_records: int) -> list[ox.Quad]:
    if len(quads) > max_records:
        raise BatchTooLarge("quads", f"{len(quads)} quads, more than {max_records}")
    for i, quad in enumerate(quads):
        if not isinstance(quad, ox.Quad):
            raise InvalidBatch(
                f"quads[{i}]", f"expected a pyoxigraph Quad, got {type(quad).__name__}"
            )
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise InvalidBatch(f"quads[{i}].graph_name", "every quad must be in a named graph")
        for position in ("subject", "object"):
            if isinstance(getattr(quad, position), ox.BlankNode | ox.Triple):
                raise InvalidBatch(
                    f"quads[{i}].{position}", "blank nodes are not stored: skolemise them first"
                )
    return quads


def _as_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, list) and body and isinstance(body[0], ox.Quad):
        return _nquads(body).encode()
    return json.dumps(body).encode()


def _nquads(quads: list[ox.Quad]) -> str:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()
