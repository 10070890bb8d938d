"""The quarantine on disk and in memory: list, get, delete, resubmit."""

from __future__ import annotations

import json

import pytest

from services.ingest import Ingestor, NotInQuarantine, Quarantine, ShapeViolation
from tests.services.ingest.samples import RUN, T0, batch, record

REPORT = [
    {
        "focus_node": "http://x/1",
        "path": None,
        "value": None,
        "message": "m",
        "severity": "Violation",
        "source_shape": "http://x/shape",
        "component": "MinCountConstraintComponent",
    }
]


@pytest.mark.parametrize("on_disk", [True, False])
def test_put_list_get_delete(tmp_path, on_disk: bool) -> None:
    quarantine = Quarantine(tmp_path / "q" if on_disk else None)
    first = quarantine.put(
        source="capture",
        batch=b'{"a": 1}',
        nquads="<a> <b> <c> <g> .\n",
        report=REPORT,
        records=1,
        triples=1,
    )
    second = quarantine.put(
        source="legacy:retrospective",
        batch=b"[]",
        nquads="",
        report=REPORT * 2,
        records=0,
        triples=0,
    )
    assert [e["id"] for e in quarantine.list()] == sorted([first, second])
    entry = quarantine.get(first)
    assert (entry.batch, entry.nquads, entry.report, entry.source) == (
        b'{"a": 1}',
        "<a> <b> <c> <g> .\n",
        REPORT,
        "capture",
    )
    assert entry.received.endswith("Z") and entry.violations == 1
    assert quarantine.get(second).summary()["violations"] == 2
    # The same batch again (a retry) replaces its entry.
    again = quarantine.put(
        source="capture", batch=b'{"a": 1}', nquads="", report=REPORT, records=1, triples=0
    )
    assert again == first and len(quarantine.list()) == 2
    assert quarantine.get(first).triples == 0
    if on_disk:  # another process (a restarted manager) sees the same entries
        assert [e["id"] for e in Quarantine(tmp_path / "q").list()] == sorted([first, second])
        assert json.loads((tmp_path / "q" / first / "report.json").read_text()) == REPORT
    quarantine.delete(first)
    assert [e["id"] for e in quarantine.list()] == [second]
    with pytest.raises(NotInQuarantine):
        quarantine.get(first)
    with pytest.raises(NotInQuarantine):
        quarantine.delete(first)
    with pytest.raises(KeyError):  # NotInQuarantine is a KeyError
        quarantine.get("../../etc")


def test_disk_quarantine_through_the_pipeline(store, tmp_path) -> None:
    ingestor = Ingestor(store, quarantine=Quarantine(tmp_path))
    bad = batch(
        record("run.start", RUN, name="x"), record("run.end", RUN, time=T0 - 1, status="finished")
    )
    with pytest.raises(ShapeViolation) as err:
        ingestor.ingest_batch(bad)
    folder = tmp_path / err.value.quarantine_id
    assert sorted(p.name for p in folder.iterdir()) == [
        "batch",
        "meta.json",
        "quads.nq",
        "report.json",
    ]
    assert json.loads((folder / "batch").read_bytes()) == bad
    assert "prov#endedAtTime" in (folder / "quads.nq").read_text()
    bad["records"][1]["time"] = T0 + 1
    reread = Quarantine(tmp_path)
    result = ingestor.resubmit(err.value.quarantine_id, json.dumps(bad).encode(), quarantine=reread)
    assert result.records == 2 and store.count() == result.triples
    assert not folder.exists() and reread.list() == []
