"""pipeline.* records (provlake.data) through the ingest pipeline: mapping, shapes, references,
replays."""

from __future__ import annotations

import json

import numpy as np
import pyoxigraph as ox
import pytest

import provlake as pl
from provlake import data
from services.ingest import Ingestor, InvalidBatch, UnknownReference

BASE = "http://provml.localhost/id/"
ML = "https://w3id.org/provml#"


def captured(tmp_path) -> list[dict]:
    """The records of a small pipeline over a DVC-tracked folder, used by a training stage."""
    folder = tmp_path / "digits"
    folder.mkdir()
    for i in range(4):
        np.save(folder / f"{i}.npy", np.full((2, 2), i, "uint8"))
    (tmp_path / "digits.dvc").write_text(
        "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  path: digits\n"
    )
    client = pl.Client("memory:", capture_environment=False)
    with client.start_run("digits", run_id="run1") as run:
        ds = data.load_from_dir(folder, "*.npy", identifier="load digits")
        ds = ds.map(lambda a: (a, int(a[0, 0]) % 2), "label parity").batch(2, identifier="pairs")
        ds.track(run, sample_rate=1)
        with run.stage("training", "training", used=[ds], id="train1"):
            batches = list(ds)
            run.model("parity", id="model1", generated_by="train1")
    assert len(batches) == 2
    client.close()
    return json.loads(json.dumps(client.transport.records))


def batch(records: list[dict]) -> dict:
    return {"schema": "provml/capture/1", "records": records}


def dump(store) -> set[ox.Quad]:
    return set(ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))


def test_a_pipeline_maps_to_valid_prov_ml_and_a_replay_adds_nothing(store, tmp_path):
    records = captured(tmp_path)
    ingestor = Ingestor(store)
    ingestor.ingest_batch(batch(records))
    written = dump(store)
    ingestor.ingest_batch(batch(records))
    assert dump(store) == written
    # the operations, their plans, steps and the streams between them
    rows = store.query(
        f"""PREFIX ml: <{ML}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?step ?kind ?label (COUNT(DISTINCT ?input) AS ?inputs) WHERE {{
          ?op a ml:PipelineOperation ; ml:pipelineStep ?step ; rdfs:label ?label ;
              ml:executionOf/rdfs:label ?kind ; ml:isPartOf <{BASE}run/run1> .
          ?stream prov:wasGeneratedBy ?op ; a ml:ArtifactStream .
          OPTIONAL {{ ?op prov:used ?input FILTER NOT EXISTS {{ ?input a ml:AttributeValue }} }}
        }} GROUP BY ?step ?kind ?label ORDER BY ?step"""
    ).rows
    assert [tuple(t.value for t in row) for row in rows] == [
        ("1", "load_from_dir", "load digits", "5"),  # the folder and its 4 files
        ("2", "map", "label parity", "1"),
        ("3", "batch", "pairs", "1"),
    ]
    # lineage: the model back to the DVC-tracked folder through every operation
    path = store.query(
        f"""PREFIX ml: <{ML}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?digest WHERE {{
          <{BASE}entity/model1> prov:wasGeneratedBy/prov:used/(prov:wasDerivedFrom)+ ?source .
          ?source ml:digest ?digest }}"""
    ).rows
    digests = sorted(row[0].value for row in path)
    assert digests[0] == "md5:0123456789abcdef0123456789abcdef"
    assert len(digests) == 1
    # schemas and the final counts
    schemas = store.query(
        f"""PREFIX ml: <{ML}> SELECT ?text WHERE {{ ?s a ml:StreamSchema ; ml:schemaText ?text }}"""
    ).rows
    assert sorted(r[0].value for r in schemas) == sorted(
        [
            '[[2,2],"uint8"]',  # the files
            '[[[2,2],"uint8"],"int"]',  # labelled
            '[[[2,2,2],"uint8"],[[2],"int64"]]',  # in pairs
        ]
    )
    counts = store.query(
        f"""PREFIX ml: <{ML}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?step (MAX(?n) AS ?items) WHERE {{
          ?u a ml:StreamStatistics ; prov:wasGeneratedBy ?op ; ml:itemCount ?n .
          ?op ml:pipelineStep ?step }} GROUP BY ?step ORDER BY ?step"""
    ).rows
    assert [(r[0].value, r[1].value) for r in counts] == [("1", "4"), ("2", "4"), ("3", "2")]


def test_each_record_alone_writes_only_what_the_whole_capture_holds(store, tmp_path):
    records = captured(tmp_path)
    Ingestor(store).ingest_batch(batch(records))
    everything = dump(store)
    from services.store import open_store

    with open_store("memory:") as alone:
        ingestor = Ingestor(alone)
        for record in records:  # one record per batch, in order: every reference resolves
            ingestor.ingest_batch(batch([record]))
        assert dump(alone) == everything


def test_a_sample_of_a_stream_nobody_declared_is_an_unknown_reference(store, tmp_path):
    records = captured(tmp_path)
    Ingestor(store).ingest_batch(batch(records[:1]))  # the run only
    sample = next(r for r in records if r["type"] == "pipeline.sample")
    with pytest.raises(UnknownReference) as caught:
        Ingestor(store).ingest_batch(batch([sample]))
    assert caught.value.report[0]["path"] == "records[0].stream"


def test_a_malformed_update_is_refused_naming_the_field(store, tmp_path):
    records = captured(tmp_path)
    update = dict(next(r for r in records if r["type"] == "pipeline.update"))
    update["items"] = -1
    with pytest.raises(InvalidBatch) as caught:
        Ingestor(store).ingest_batch(batch([update]))
    assert caught.value.field == "records[0].items"
