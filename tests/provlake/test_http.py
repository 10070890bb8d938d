"""The http transport against a real HTTP receiver that goes down and comes back (same port)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import provlake as pl
from provlake._spool import Spool

from .conftest import RecordingServer

pytestmark = pytest.mark.integration
FAST = {"backoff": 0.01, "max_backoff": 0.1, "max_retries": 1, "flush_interval": 0.02, "timeout": 2}


def training(run: pl.Run, epochs: range) -> None:
    with run.stage("training", kind="training", hyperparameters={"lr": 0.1}) as train:
        for epoch in epochs:
            with train.section("epoch", epoch) as ep:
                ep.log_metrics(loss=1.0 / (epoch + 1), accuracy=epoch / 10)


def test_batches_reach_the_manager_with_the_bearer_token(server: RecordingServer) -> None:
    with pl.start_run("exp", manager=server.url, token="s3cret", capture_environment=True) as run:
        training(run, range(3))
    entries = server.entries()
    assert {e["auth"] for e in entries} == {"Bearer s3cret"}
    records = server.records()
    assert [r["type"] for r in records][:3] == ["run.start", "stage.start", "hyperparameter"]
    assert records[-1]["type"] == "run.end"
    assert sum(r["type"] == "metric" for r in records) == 6
    assert records[0]["environment"]["python"]
    assert run.client.stats()["rejected_batches"] == 0


def test_manager_down_then_back_on_the_same_port(server: RecordingServer, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    client = pl.Client(server.url, spool_dir=str(spool_dir), **FAST)
    run = client.start_run("long-training")
    training(run, range(2))
    assert client.flush(10)
    server.stop()
    training(run, range(2, 5))  # the manager is down: captured calls still return at once
    assert client.flush(10)
    assert Spool(spool_dir).segments() != []
    assert client.stats()["spooled_records"] > 0
    server.start()
    training(run, range(5, 7))
    run.end()
    # run start and end; per stage: start, hyperparameter, end, 4 records per epoch (2, 3, 2 epochs)
    expected = 2 + 3 * 3 + 4 * (2 + 3 + 2)
    received = server.wait_for(expected)
    client.close(10)
    assert len(received) == expected
    assert len({(r["type"], r["id"]) for r in received}) == expected  # no duplicates
    epochs = [r["index"] for r in received if r["type"] == "section.start"]
    assert epochs == list(range(7))  # in capture order, across the outage
    assert Spool(spool_dir).segments() == []


def test_a_4xx_is_rejected_for_good_and_kept(tmp_path: Path) -> None:
    srv = RecordingServer(tmp_path / "received.jsonl").start(status=400)
    try:
        spool_dir = tmp_path / "spool"
        with pl.Client(srv.url, spool_dir=str(spool_dir), **FAST) as client:
            client.start_run("exp")
            assert client.flush(10)
            assert client.stats()["rejected_batches"] == 1
        spool = Spool(spool_dir)
        assert spool.segments() == []  # not retried forever
        (kept,) = spool.rejected.glob("*.jsonl")
        assert json.loads(kept.read_text())["records"][0]["name"] == "exp"
        assert json.loads(next(spool.rejected.glob("*.error.json")).read_text())["status"] == 400
    finally:
        srv.stop()


def test_a_5xx_is_retried_then_spooled_and_delivered_later(tmp_path: Path) -> None:
    srv = RecordingServer(tmp_path / "received.jsonl").start(status=503)
    try:
        spool_dir = tmp_path / "spool"
        client = pl.Client(srv.url, spool_dir=str(spool_dir), **FAST)
        run = client.start_run("exp")
        assert client.flush(10)
        assert srv.records() == [] and len(Spool(spool_dir).segments()) == 1
        srv.stop()
        srv.start(status=200)
        run.end()
        assert [r["type"] for r in srv.wait_for(2)] == ["run.start", "run.end"]
        client.close(10)
    finally:
        srv.stop()
