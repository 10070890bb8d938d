"""braid.* records through the ingest: pure mapping, strict parsing, the shapes, both validators."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from services.ingest import Ingestor, InvalidBatch, Iris, ShapeViolation, parse_batch
from services.ingest._fastshacl import FastValidator
from services.ingest._mapping import Mapper
from services.ingest._validation import PyshaclValidator
from services.store import open_store
from tests.queryengine.braid_capture import braid_records

B = "http://provml.localhost/id/"


def batch(*records: dict) -> dict:
    return {"schema": "provml/capture/1", "records": list(records)}


def test_mapping_is_pure_and_deterministic() -> None:
    records = parse_batch(batch(*braid_records())).records
    first = Mapper(Iris()).map(records)
    assert Mapper(Iris()).map(records) == first
    assert Mapper(Iris()).map(list(reversed(records))) != [] and set(
        Mapper(Iris()).map(list(reversed(records)))
    ) == set(first)
    assert all(isinstance(q.subject, ox.NamedNode) for q in first)
    graphs = {q.graph_name.value for q in first}
    assert graphs == {B + "graph/braid", B + "graph/catalog"}
    update = [q for q in first if q.subject.value == B + "braid/version/7"]
    predicates = {q.predicate.value.rsplit("#", 1)[-1]: q.object for q in update}
    assert predicates["wasRevisionOf"].value == B + "braid/version/6"
    assert predicates["specializationOf"].value == B + "braid/record/3"


def test_the_capture_ingested_twice_in_any_order_adds_nothing() -> None:
    with open_store("memory:") as store:
        ingestor = Ingestor(store)
        ingestor.ingest_batch(batch(*braid_records()))
        once = store.count()
        for record in reversed(braid_records()):
            ingestor.ingest_batch(batch(record))
        assert store.count() == once


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        (
            {
                "type": "braid.tag",
                "tag": 2,
                "record": 1,
                "key": "k",
                "value": "x",
                "tag_type": "INTEGER",
                "time": 1.0,
            },
            "records[0].value",
            "must be an integer",
        ),
        (
            {
                "type": "braid.tag",
                "tag": 2,
                "record": 1,
                "key": "k",
                "value": 1.5,
                "tag_type": "STRING",
                "time": 1.0,
            },
            "records[0].value",
            "must be a string",
        ),
        (
            {"type": "braid.record", "record": 0, "kind": "data", "time": 1.0},
            "records[0].record",
            "",
        ),
        (
            {"type": "braid.record", "record": 1, "kind": "dataset", "time": 1.0},
            "records[0].kind",
            "",
        ),
        (
            {"type": "braid.derivation", "source": 1, "target": 2, "time": 1.0, "why": "x"},
            "records[0].why",
            "unknown field",
        ),
        (
            {"type": "braid.update", "model": 1, "record": 2, "version": 3, "time": 1.0},
            "records[0].previous",
            "",
        ),
        (
            {
                "type": "braid.action_run",
                "execution": "e",
                "action": "a",
                "invalidation": "i",
                "record": 1,
                "started": 1.0,
                "status": "killed",
                "time": 1.0,
            },
            "records[0].status",
            "",
        ),
    ],
)
def test_bad_braid_records_name_their_field_and_write_nothing(record, field, message) -> None:
    with open_store("memory:") as store:
        with pytest.raises(InvalidBatch) as refused:
            Ingestor(store).ingest_batch(batch(record))
        assert refused.value.details[0]["field"] == field
        assert message in refused.value.details[0]["message"]
        assert store.count() == 0


def test_derivation_from_a_fact_is_quarantined_with_its_rule() -> None:
    with open_store("memory:") as store:
        ingestor = Ingestor(store)
        ingestor.ingest_batch(batch(*braid_records()))
        before = store.count()
        with pytest.raises(ShapeViolation) as refused:
            ingestor.ingest_batch(
                batch({"type": "braid.derivation", "source": 1, "target": 2, "time": 5.0})
            )
        (violation,) = refused.value.report
        assert violation["focus_node"] == B + "braid/record/2"
        assert violation["source_shape"].endswith("NothingDerivedFromFact")
        assert store.count() == before
        assert [(e["source"], e["records"]) for e in ingestor.quarantine.list()] == [("capture", 1)]


def test_a_second_invalidation_of_a_record_is_refused() -> None:
    with open_store("memory:") as store:
        ingestor = Ingestor(store)
        ingestor.ingest_batch(batch(*braid_records()))
        with pytest.raises(ShapeViolation):
            ingestor.ingest_batch(
                batch(
                    {
                        "type": "braid.invalidation",
                        "invalidation": "again",
                        "record": 3,
                        "cause": "twice",
                        "time": 9.0,
                    }
                )
            )


def test_both_validators_agree_on_mapped_braid_batches() -> None:
    reference, fast = PyshaclValidator(), FastValidator()
    good = Mapper(Iris()).map(parse_batch(batch(*braid_records())).records)
    assert fast.validate(good) == reference.validate(good) == []
    broken = good + Mapper(Iris()).map(
        parse_batch(
            batch(
                {"type": "braid.derivation", "source": 1, "target": 4, "time": 1.0},
                {
                    "type": "braid.invalidation",
                    "invalidation": "x",
                    "record": 2,
                    "cause": "c",
                    "time": 1.0,
                },
                {
                    "type": "braid.invalidation",
                    "invalidation": "y",
                    "record": 2,
                    "cause": "d",
                    "time": 1.0,
                },
            )
        ).records
    )
    report = reference.validate(broken)
    assert fast.validate(broken) == report
    assert {(v["focus_node"], v["source_shape"].rsplit("#", 1)[-1]) for v in report} >= {
        (B + "braid/record/2", "BraidRecord-invalidation"),
    }
    assert len(report) == 2
