"""A hand-built Braid-DB capture (``braid.*`` records), ingested through the real pipeline.

A beamline workflow: a calibration fact (1), two scans (2, 4), a peak finder model (3) updated with
the calibration, then scan 1, then retrained on scan 2, a surrogate model (5) updated with the peak
finder, which is in turn updated with the surrogate (a cycle), and peaks (10) derived from the peak
finder. The calibration was invalidated: the cascade reached 3, then 5 and 10, never twice.
"""

from __future__ import annotations

from services.ingest import Ingestor
from services.store import Store

T0 = 1795341600.0  # 2026-11-22T10:00:00Z


def _at(minutes: float) -> float:
    return T0 + 60 * minutes


def braid_records() -> list[dict]:
    def record(n: int, kind: str, name: str, minute: float) -> dict:
        return {
            "type": "braid.record",
            "record": n,
            "kind": kind,
            "name": name,
            "time": _at(minute),
        }

    def update(model: int, used: int, version: int, previous: int, minute: float) -> dict:
        return {
            "type": "braid.update",
            "model": model,
            "record": used,
            "version": version,
            "previous": previous,
            "time": _at(minute),
        }

    def tag(n: int, rec: int, key: str, value: object, kind: str) -> dict:
        return {
            "type": "braid.tag",
            "tag": n,
            "record": rec,
            "key": key,
            "value": value,
            "tag_type": kind,
            "time": _at(1),
        }

    def invalidation(id_: str, rec: int, parent: str | None) -> dict:
        out = {
            "type": "braid.invalidation",
            "invalidation": id_,
            "record": rec,
            "cause": "calibration drifted",
            "time": _at(30),
        }
        if parent is not None:
            out |= {"root": "inv-cal", "informed_by": parent}
        return out

    return [
        record(1, "fact", "detector calibration", 0),
        record(2, "data", "scan 1", 1),
        record(3, "model", "peak finder", 2),
        record(4, "data", "scan 2", 3),
        record(5, "model", "surrogate", 4),
        update(3, 1, 6, 3, 5),
        update(3, 2, 7, 6, 6),
        update(3, 4, 8, 7, 7),
        update(5, 3, 9, 5, 8),
        record(10, "data", "peaks of scan 2", 9),
        {"type": "braid.derivation", "source": 3, "target": 10, "time": _at(9)},
        update(3, 5, 11, 8, 10),
        tag(12, 2, "frames", 1200, "INTEGER"),
        tag(13, 1, "beamline", "APS 1-ID", "STRING"),
        tag(14, 3, "threshold", 0.25, "FLOAT"),
        tag(15, 4, "frames", 1200, "INTEGER"),
        {"type": "braid.uri", "record": 2, "uri": "globus://aps/scan-1.h5", "time": _at(1)},
        invalidation("inv-cal", 1, None),
        invalidation("inv-cal-3", 3, "inv-cal"),
        invalidation("inv-cal-5", 5, "inv-cal-3"),
        invalidation("inv-cal-10", 10, "inv-cal-3"),
    ]


def load_braid_capture(store: Store) -> Store:
    Ingestor(store).ingest_batch({"schema": "provml/capture/1", "records": braid_records()})
    return store
