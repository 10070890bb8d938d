"""The public face of services.ingest."""

from __future__ import annotations

import services.ingest as ingest


def test_all_is_exact() -> None:
    public = {name for name in vars(ingest) if not name.startswith("_") and name != "annotations"}
    assert set(ingest.__all__) == public
    assert ingest.__all__ == sorted(ingest.__all__, key=lambda n: (not n.isupper(), n))


def test_exception_tree() -> None:
    assert issubclass(ingest.InvalidBatch, ingest.IngestError) and issubclass(
        ingest.InvalidBatch, ValueError
    )
    assert issubclass(ingest.BatchTooLarge, ingest.InvalidBatch)
    assert issubclass(ingest.ShapeViolation, ingest.IngestError)
    assert issubclass(ingest.NotInQuarantine, KeyError)
    err = ingest.InvalidBatch("records[3].value", "value must be a number")
    assert (err.field, err.message, err.details) == (
        "records[3].value",
        "value must be a number",
        [{"field": "records[3].value", "message": "value must be a number"}],
    )
