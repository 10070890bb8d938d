"""Exceptions of the ingest pipeline, one root for the package::

IngestError                      any failure to ingest a batch
├── InvalidBatch (ValueError)    malformed input: nothing written            → HTTP 400
│   ├── BatchTooLarge            more records than the manager accepts       → HTTP 413
│   └── VersionConflict          a version registered again says otherwise   → HTTP 409
└── ShapeViolation               the mapped RDF violates the SHACL shapes:
    │                            nothing written, the batch quarantined      → HTTP 422
    └── UnknownReference         the batch names a run, execution or entity
                                 that neither it nor the store holds:
                                 nothing written, the batch quarantined      → HTTP 422
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BatchTooLarge",
    "IngestError",
    "InvalidBatch",
    "NotInQuarantine",
    "ShapeViolation",
    "UnknownReference",
    "VersionConflict",
]


class IngestError(Exception):
    """Root of every ingest failure."""


class InvalidBatch(IngestError, ValueError):
    """The batch cannot be read: malformed JSON, a wrong field type, an unknown type or field.

    ``field`` is the path of the first offending field (``records[3].value``), ``details`` lists
    every problem found as ``{"field": ..., "message": ...}``.
    """

    def __init__(
        self, field: str, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        self.field = field
        self.message = message
        self.details = details if details is not None else [{"field": field, "message": message}]
        super().__init__(f"{field}: {message}" if field else message)


class BatchTooLarge(InvalidBatch):
    """The batch holds more records than the ingestor's ``max_records``."""


class VersionConflict(InvalidBatch):
    """A version registered again with other facts (revised versions, weights, digest), another
    version of the object registered under the same version id, or an id already given to a
    version of another object: versions are immutable."""


class ShapeViolation(IngestError):
    """The batch violates the SHACL shapes; ``report`` lists the violations, ``quarantine_id`` names
    the kept batch."""

    def __init__(self, report: list[dict[str, Any]], quarantine_id: str | None) -> None:
        self.report = report
        self.quarantine_id = quarantine_id
        first = report[0]["message"] if report else "shape violation"
        super().__init__(f"{len(report)} SHACL violation(s), first: {first}")


class UnknownReference(ShapeViolation):
    """The batch refers to nodes (the run of a record, an execution, an entity) that exist neither
    in the batch nor in the store; ``report`` names each, the batch is kept in the quarantine
    (``quarantine_id``) to be resubmitted once what it depends on is in."""

    def __init__(self, report: list[dict[str, Any]], quarantine_id: str | None) -> None:
        self.report = report
        self.quarantine_id = quarantine_id
        first = report[0]["message"] if report else "unknown reference"
        IngestError.__init__(
            self,
            f"{len(report)} unknown reference(s), first: {first}; the batch is quarantined as "
            f"{quarantine_id}",
        )


class NotInQuarantine(IngestError, KeyError):
    """No quarantine entry has that id."""
