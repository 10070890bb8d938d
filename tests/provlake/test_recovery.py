"""Outages: a returning manager is noticed at once by a waiting flush, the spool goes back in
batches of ``batch_size``, and no flush or close waits without bound or leaves silently.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import provlake as pl
from provlake._delivery import Backoff
from provlake._spool import Spool

from .conftest import free_port, subprocess_env


class Counting(pl.Transport):
    """Counts requests and keeps what it accepted; ``available = False`` refuses everything."""

    kind = "counting"

    def __init__(self) -> None:
        self.available = False
        self.requests: list[int] = []  # records of each accepted request
        self.records: list[dict] = []

    def send(self, body: bytes, count: int) -> None:
        if not self.available:
            raise pl.TransportError("connection refused")
        self.requests.append(count)
        self.records += json.loads(body)["records"]


def test_after_an_outage_the_spool_goes_back_in_batches_of_batch_size(tmp_path: Path) -> None:
    transport = Counting()
    settings = {"backoff": 0.01, "max_backoff": 0.05, "max_retries": 0, "batch_size": 100}
    with pl.Client(transport, spool_dir=str(tmp_path / "spool"), **settings) as client:
        stage = client.start_run("exp").stage("training", kind="training")
        for i in range(200):
            stage.log_metric("loss", float(i), step=i)
            if i % 5 == 4:
                assert client.flush(10)  # each flush spools what came since: 40 small lines
        lines = [line for p in Spool(tmp_path / "spool").segments() for line in p.read_bytes()
                 .splitlines()]  # fmt: skip
        assert len(lines) == 40
        transport.available = True
        assert client.flush(10, acknowledged=True)
    assert transport.requests == [97, 100, 5]  # whole lines, up to 100 records a request
    assert [r["step"] for r in transport.records if r["type"] == "metric"] == list(range(200))
    assert Spool(tmp_path / "spool").segments() == []


def test_a_refused_line_in_a_merged_batch_goes_alone_to_rejected(tmp_path: Path) -> None:
    class Picky(Counting):
        def send(self, body: bytes, count: int) -> None:
            if b'"poison"' in body:
                raise pl.BatchRejected("HTTP 422 invalid", 422)
            super().send(body, count)

    transport = Picky()
    with pl.Client(transport, spool_dir=str(tmp_path / "spool"), max_retries=0) as client:
        run = client.start_run("exp")
        for name in ("a", "poison", "b"):
            run.entity("data", name)
            assert client.flush(10)  # one spooled line each
        transport.available = True
        assert not client.flush(10, acknowledged=True)  # a batch was refused: not all committed
        assert client.flush(10, acknowledged=True)  # nothing refused since
    assert [r.get("name") for r in transport.records] == ["exp", "a", "b"]
    (kept,) = (tmp_path / "spool" / "rejected").glob("*.jsonl")
    assert [r["name"] for r in json.loads(kept.read_text())["records"]] == ["poison"]


def test_an_acknowledged_flush_tries_a_returning_manager_at_once() -> None:
    transport = Counting()
    # after the first failure the next attempt would wait 30 s: longer than the flush below
    with pl.Client(transport, backoff=30, max_backoff=60, max_retries=0) as client:
        client.start_run("exp")
        assert client.flush(10)  # spooled; the transport failed once
        transport.available = True
        assert client.flush(10, acknowledged=True)
    assert transport.requests == [1]


def test_the_reconnection_delay_doubles_up_to_its_ceiling_and_resets() -> None:
    default = pl.Settings()
    backoff = Backoff(default.backoff, default.max_backoff)
    waits = []
    for now in range(10):
        backoff.failed(float(now))
        waits.append(round(backoff.until - now, 3))
    assert waits == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0, 2.0, 2.0]  # a returning manager:
    backoff.reset()  # noticed within 2 s by default
    assert (backoff.delay, backoff.ready(0.0)) == (0.1, True)


def test_an_acknowledged_flush_with_no_manager_ends_and_says_what_is_pending(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    down = Counting()
    client = pl.Client(down, spool_dir=str(tmp_path / "spool"), flush_timeout=0.5, max_retries=0)
    run = client.start_run("exp")
    run.stage("training", kind="training").log_metric("loss", 0.5)
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(run.flush(acknowledged=True)))
    with caplog.at_level(logging.WARNING, logger="provlake"):
        waiter.start()
        waiter.join(30)  # no timeout given: the default one ends it
        assert not waiter.is_alive() and result == [False]
        assert client.close(1) is False
    messages = [r.getMessage() for r in caplog.records]
    (flushed,) = (m for m in messages if "timed out" in m)
    (closed,) = (m for m in messages if "closed" in m)
    spool = (tmp_path / "spool").resolve()
    assert "flush(acknowledged=True) timed out after 0.5 s: 3 records not acknowledged" in flushed
    assert f"3 in the spool {spool}/pending/" in flushed and "connection refused" in flushed
    assert f"provml replay {spool}" in flushed
    assert closed.startswith("provlake: closed with 3 records not acknowledged")
    assert f"wait in the spool {spool}: the next client" in closed
    assert closed.endswith(f"or now: provml replay {spool}")


def test_the_quickstart_with_the_manager_down_ends_and_tells_how_to_replay(tmp_path: Path) -> None:
    script = (
        "import provlake as pl\n"
        "with pl.start_run('toy', manager=MANAGER) as run:\n"
        "    run.stage('training', kind='training').log_metric('loss', 0.1)\n"
        "    print(run.flush(acknowledged=True))\n"
    ).replace("MANAGER", repr(f"http://127.0.0.1:{free_port()}"))
    env = subprocess_env(PROVML_FLUSH_TIMEOUT="1", PROVML_CAPTURE_ENVIRONMENT="0")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout == "False\n"
    spool = (tmp_path / "provml-spool").resolve()  # the default spool directory
    assert "flush(acknowledged=True) timed out after 1 s: 3 records not acknowledged" in done.stderr
    assert "provlake: closed with 4 records not acknowledged" in done.stderr  # with run.end
    assert f"or now: provml replay {spool} --manager http://127.0.0.1:" in done.stderr
    spooled = [json.loads(line) for p in Spool(spool).segments() for line in p.open("rb")]
    assert [r["type"] for b in spooled for r in b["records"]] == [
        *("run.start", "stage.start", "metric", "run.end")
    ]


def test_a_spool_directory_removed_while_capturing_is_made_again(tmp_path: Path) -> None:
    transport = Counting()
    spool = tmp_path / "spool"
    with pl.Client(transport, spool_dir=str(spool), max_retries=0) as client:
        run = client.start_run("exp")
        assert client.flush(10) and Spool(spool).segments()
        shutil.rmtree(spool)  # a clean-up script, under a running training
        run.entity("data", "after")
        assert client.flush(10)
        transport.available = True
        assert not client.flush(10, acknowledged=True)  # run.start went with the folder: not True
        assert client.stats()["dropped_records"] == 1
        assert client.flush(10, acknowledged=True)
    assert [r.get("name") for r in transport.records] == ["after"]
