"""DfAnalyzer messages through the ingest pipeline: DLProv's reference run, replays, bad input."""

from __future__ import annotations

import copy
import json
import random

import pyoxigraph as ox
import pytest

from services.ingest import Ingestor, InvalidBatch, Quarantine, ShapeViolation
from services.store import open_store
from tests.dlprov import kind_of, reference, replay

BASE = "http://provml.localhost/id/"


def quads(store) -> set[ox.Quad]:
    return set(ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))


@pytest.fixture
def full():
    """A store holding the whole reference run."""
    with open_store("memory:") as store:
        replay(Ingestor(store))
        yield store


def test_replaying_every_request_again_in_any_order_adds_nothing(store, full) -> None:
    ingestor = Ingestor(store)
    replay(ingestor)
    written = quads(store)
    assert written == quads(full) and len(written) > 1000
    again = reference()
    random.Random(11).shuffle(again)
    replay(ingestor, again)
    assert quads(store) == written


def test_each_message_alone_writes_what_the_whole_run_holds(full) -> None:
    """Mapping reads no state but the dataflow's definition: a message ingested right after the
    dataflow gives triples the whole run also holds."""
    everything = quads(full)
    requests = reference()
    for request in requests[1:]:
        with open_store("memory:") as store:
            replay(Ingestor(store), [requests[0], request])
            assert quads(store) <= everything, request["seq"]


def test_an_element_sent_twice_is_one_element(full) -> None:
    elements = full.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/provml#DataElement> ; "
        f"<https://w3id.org/provml#dataflowSet> <{BASE}experiment/mnist/set/oadaptation> }}"
    )
    assert elements.rows[0][0].value == "2"  # sent three times: saved, saved, re-sent by end()


def _task(seq: int) -> dict:
    return copy.deepcopy(reference()[seq - 1]["body"])


BAD_TASKS = [
    (lambda b: b.pop("id"), "body.id", "Field required"),
    (lambda b: b.pop("first"), "body.first", "Field required"),
    (lambda b: b.pop("status"), "body.status", "Field required"),
    (lambda b: b.update(status="DONE"), "body.status", "RUNNING"),
    (lambda b: b.update(color="red"), "body.color", "unknown field"),
    (lambda b: b["sets"][0]["elements"][0].pop(), "body.sets[0].elements[0]", "6 values"),
    (
        lambda b: b["sets"][0]["elements"][0].__setitem__(2, "n/a"),
        "body.sets[0].elements[0][2]",
        "LOSS",
    ),
    (lambda b: b["sets"][0].update(tag="otest"), "body.sets[0].tag", "neither reads nor writes"),
    (lambda b: b.update(transformation="deploy", tag="deploy"), "body.transformation", "deploy"),
    (lambda b: b.update(dataflow="cifar"), "body.dataflow", "save the dataflow"),
    (lambda b: b.update(tag="test"), "body.tag", "transformation tag"),
    (lambda b: b["dependency"]["ids"].append({"id": "9"}), "body.dependency.ids", "one id"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_TASKS)
def test_a_bad_task_message_names_the_field_and_writes_nothing(
    store, change, field, message
) -> None:
    ingestor = Ingestor(store)
    replay(ingestor, reference()[:1])
    before = quads(store)
    body = _task(12)  # train's epoch 1
    change(body)
    with pytest.raises(InvalidBatch) as caught:
        ingestor.ingest_dfanalyzer(json.dumps(body).encode(), kind="task")
    assert caught.value.field == field
    assert message in caught.value.message
    assert quads(store) == before


def test_bad_times_and_hardware_name_the_field(store) -> None:
    ingestor = Ingestor(store)
    replay(ingestor, reference()[:1])
    end = _task(3)  # task 1's end: performances and hardware
    end["performances"][0]["startTime"] = "yesterday"
    with pytest.raises(InvalidBatch, match="YYYY-MM-DD") as caught:
        ingestor.ingest_dfanalyzer(end, kind="task")
    assert caught.value.field == "body.performances[0].startTime"
    end = _task(3)
    end["hardware"] = "{not json"
    with pytest.raises(InvalidBatch, match="malformed JSON") as caught:
        ingestor.ingest_dfanalyzer(end, kind="task")
    assert caught.value.field == "body.hardware"
    dataflow = copy.deepcopy(reference()[0]["body"])
    dataflow["transformations"][0]["sets"][0]["attributes"][1]["name"] = "DATASET_NAME"
    with pytest.raises(InvalidBatch, match="names an attribute twice") as caught:
        ingestor.ingest_dfanalyzer(dataflow, kind="dataflow")
    assert caught.value.field == "body.transformations[0].sets[0].attributes"
    assert len(quads(store)) == 363  # the dataflow only


def test_a_dataflow_that_changes_a_stored_set_is_quarantined(tmp_path) -> None:
    with open_store("memory:") as store:
        ingestor = Ingestor(store, quarantine=Quarantine(tmp_path / "quarantine"))
        replay(ingestor, reference()[:1])
        before = quads(store)
        changed = copy.deepcopy(reference()[0]["body"])
        changed["transformations"][4]["sets"][2]["attributes"].append(
            {"name": "F1", "type": "NUMERIC"}
        )  # oTest gets a third attribute
        with pytest.raises(ShapeViolation) as caught:
            ingestor.ingest_dfanalyzer(changed, kind="dataflow")
        assert [(v["source_shape"], v["focus_node"]) for v in caught.value.report] == [
            (
                "https://w3id.org/provml/shapes#DataflowSet-attributeCount",
                BASE + "experiment/mnist/set/otest",
            )
        ]
        assert quads(store) == before
        entry = ingestor.quarantine.get(caught.value.quarantine_id)
        assert entry.source == "dfanalyzer:dataflow"
        assert len(ingestor.quarantine.list()) == 1


def test_native_task_records_are_checked_like_the_wire(store) -> None:
    ingestor = Ingestor(store)
    replay(ingestor, reference()[:1])
    record = {
        "type": "task",
        "id": "e1~4",
        "run": "e1",
        "time": 1795000000.0,
        "execution": "e1",
        "dataflow": "mnist",
        "transformation": "train",
        "task": "4",
        "status": "running",
        "sets": [{"tag": "itrain", "elements": [["adam", 0.1]]}],
    }
    batch = {"schema": "provml/capture/1", "records": [record]}
    with pytest.raises(InvalidBatch, match="2 values, but set 'itrain' has 5") as caught:
        ingestor.ingest_batch(batch)
    assert caught.value.field == "records[0].sets[0].elements[0]"
    record["sets"][0]["elements"] = [["adam", 0.1, 5, 32, 4]]
    assert ingestor.ingest_batch(batch).records == 1
    rate = store.query(
        f"SELECT ?v WHERE {{ <{BASE}hyperparameter-value/e1~4.learning_rate> "
        "<http://www.w3.org/ns/mls#hasValue> ?v }"
    )
    assert [row[0] for row in rate.rows] == [
        ox.Literal("0.1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))
    ]


def test_kinds(store) -> None:
    with pytest.raises(InvalidBatch, match="dataflow"):
        Ingestor(store).ingest_dfanalyzer(b"{}", kind="program")
    assert [kind_of(r) for r in reference()[:2]] == ["dataflow", "task"]
