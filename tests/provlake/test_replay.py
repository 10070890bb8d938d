"""``provlake.replay`` and ``provml replay``: spool directories and JSONL files, in order."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import provlake as pl
from provlake._spool import Spool

from .conftest import ROOT, free_port, subprocess_env

FAST = {"backoff": 0.01, "max_backoff": 0.05, "max_retries": 0, "flush_interval": 0.02}


def spooled_run(spool_dir: Path, n: int) -> list[float]:
    down = pl.MemoryTransport()
    down.available = False
    with pl.Client(down, spool_dir=str(spool_dir), batch_size=4, **FAST) as client:
        stage = client.start_run("offline").stage("t", kind="training")
        values = [float(i) for i in range(n)]
        for v in values:
            stage.log_metric("loss", v)
        assert client.flush(10)
    assert down.batches == []
    return values


def test_replay_a_spool_directory_in_order_and_empty_it(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    values = spooled_run(spool_dir, 10)
    assert Spool(spool_dir).segments()
    target = pl.MemoryTransport()
    result = pl.replay(spool_dir, target)  # 3 lines of 4 records, sent as one batch
    assert (result.batches, result.records, result.rejected, result.busy) == (1, 12, 0, 0)
    assert [r["value"] for r in target.records if r["type"] == "metric"] == values
    assert Spool(spool_dir).segments() == []
    assert pl.replay(spool_dir / "pending", target).batches == 0  # nothing left to send


def test_replay_a_file_counts_refused_and_unreadable_lines(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    with pl.Client(f"file:{capture}", spool_dir=str(tmp_path / "s"), **FAST) as client:
        client.start_run("a").end()
        assert client.flush(10)
        client.start_run("poison")
    with capture.open("ab") as f:
        f.write(b'{"schema": "provml/capture/1", "records": [{"ty\n')

    class Refusing(pl.Transport):
        kind = "refusing"

        def __init__(self) -> None:
            self.names: list[str | None] = []

        def send(self, body: bytes, count: int) -> None:
            names = [r.get("name") for r in json.loads(body)["records"]]
            if "poison" in names:
                raise pl.BatchRejected("HTTP 422", 422)
            self.names += names

    target = Refusing()
    result = pl.replay(capture, target)
    assert (result.batches, result.rejected, result.unreadable) == (1, 1, 1)
    assert target.names == ["a", None]
    assert capture.exists()  # a file is left in place


def test_replay_to_an_unreachable_manager_keeps_everything(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    spooled_run(spool_dir, 3)
    before = sorted(p.read_bytes() for p in Spool(spool_dir).segments())
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(pl.TransportError):
        pl.replay(spool_dir, manager=url)
    cli = subprocess.run(
        [sys.executable, "-m", "services.cli", "replay", str(spool_dir), "--manager", url],
        env=subprocess_env(), capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert cli.returncode == 1 and "nothing lost" in cli.stderr
    assert sorted(p.read_bytes() for p in Spool(spool_dir).segments()) == before
    missing = subprocess.run(
        [sys.executable, "-m", "services.cli", "replay", str(tmp_path / "nope.jsonl")],
        env=subprocess_env(), capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert missing.returncode == 2 and "no such file" in missing.stderr
