"""Ingest: captured provenance → validated PROV-ML RDF, committed atomically to a store.

>>> from services.ingest import DEFAULT_BASE_IRI
>>> DEFAULT_BASE_IRI
'http://provml.localhost/id/'

``Ingestor(store).ingest_batch(body)`` parses a native capture batch (docs/capture-format.md), maps
it to quads, validates them with the SHACL shapes against the batch plus its store context and
commits them in one ``store.add``. ``ingest_legacy`` does the same for ProvLake 0.2.982 requests,
``ingest_dfanalyzer`` for DfAnalyzer messages (DLProv's client), ``ingest_quads`` for already-mapped
RDF. Errors: ``InvalidBatch`` (400; ``BatchTooLarge`` 413;
``VersionConflict`` 409, a registered version said otherwise before), ``ShapeViolation`` (422, the
batch quarantined; ``UnknownReference`` when it names a run, execution or entity that neither it
nor the store holds), ``NotInQuarantine`` (404), all under ``IngestError``.

Version graphs (docs/versions.md): ``version`` records register versions of input objects; the
models trainings generate from them are placed in their model's version graph on ingest, with the
revisions inferred between them committed in the same transaction as the batch.

``validator="fast"`` (the default) runs checks compiled from the shapes, which give the same
report as pyshacl (a differential test runs both on every ontology example and on mapped
batches) at a small fraction of its cost; ``validator="pyshacl"`` runs pyshacl itself.
"""

from __future__ import annotations

from ._braid_ids import BraidIds
from ._exceptions import (
    BatchTooLarge,
    IngestError,
    InvalidBatch,
    NotInQuarantine,
    ShapeViolation,
    UnknownReference,
    VersionConflict,
)
from ._iris import DEFAULT_BASE_IRI, Iris
from ._pipeline import LEGACY_KINDS, Ingestor, IngestResult
from ._quarantine import Quarantine, QuarantineEntry
from ._records import SCHEMA, CaptureBatch, parse_batch

__all__ = [
    "DEFAULT_BASE_IRI",
    "LEGACY_KINDS",
    "SCHEMA",
    "BatchTooLarge",
    "BraidIds",
    "CaptureBatch",
    "IngestError",
    "IngestResult",
    "Ingestor",
    "InvalidBatch",
    "Iris",
    "NotInQuarantine",
    "Quarantine",
    "QuarantineEntry",
    "ShapeViolation",
    "UnknownReference",
    "VersionConflict",
    "parse_batch",
]
