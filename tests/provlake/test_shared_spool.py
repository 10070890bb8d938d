"""Several live processes sharing one spool directory (torchrun ranks, jobs started from one
folder): each sends its own records, so ``flush(acknowledged=True)`` is True only once they are at
the manager; the folders of dead processes are taken over.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import provlake as pl
from provlake._segments import LOCK, lock
from provlake._spool import Spool

from .conftest import HERE, RecordingServer, subprocess_env

pytestmark = pytest.mark.integration
FAST = {"backoff": 0.01, "max_backoff": 0.05, "max_retries": 0, "flush_interval": 0.02}
N = 40  # metrics a child captures: with run.start and stage.start, N + 2 records


class Child:
    """``spool_child.py``: a process that spooled a run and answers ``flush`` and ``exit``."""

    def __init__(self, url: str, spool: Path, run_id: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "spool_child.py"), url, str(spool), run_id, str(N)],
            env=subprocess_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def wait_spooled(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def stop(self) -> int:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("exit\n")
            self.proc.stdin.close()
        return self.proc.wait(30)


@contextmanager
def children(url: str, spool: Path, *run_ids: str) -> Iterator[list[Child]]:
    started = [Child(url, spool, run_id) for run_id in run_ids]
    try:
        yield started
    finally:
        for child in started:
            if child.proc.poll() is None:
                child.proc.kill()
                child.proc.wait()


class Grabbing(pl.Transport):
    """Never acknowledges; holds a batch of ``other`` (another process's run) once it gets one."""

    kind = "grabbing"

    def __init__(self, other: str) -> None:
        self.other = other.encode()
        self.grabbed = threading.Event()
        self.release = threading.Event()

    def send(self, body: bytes, count: int) -> None:
        if self.other in body:
            self.grabbed.set()
            self.release.wait(60)
        raise pl.TransportError("no manager here")


def test_acknowledged_means_at_the_manager_when_processes_share_the_spool(
    tmp_path: Path,
) -> None:
    spool = tmp_path / "spool"
    server = RecordingServer(tmp_path / "received.jsonl")  # down for now
    with children(server.url, spool, "run-a", "run-c") as (a, c):
        assert (a.wait_spooled(), c.wait_spooled()) == ("spooled", "spooled")
        # a third process on the same spool, whose own transport fails, keeps scanning it
        grabbing = Grabbing("run-a")
        other = pl.Client(grabbing, spool_dir=str(spool), **FAST)
        other.start_run("other")
        grabbing.grabbed.wait(3)  # a spool shared naively lets it take run-a's batches
        server.start()
        try:
            assert a.ask("flush") == "True"
            assert c.ask("flush") == "True"
            received = server.records()
        finally:
            grabbing.release.set()
            other.close(1)
            server.stop()
        assert (a.stop(), c.stop()) == (0, 0)
    for run_id in ("run-a", "run-c"):  # True meant: all of them at the manager, in order
        mine = [r for r in received if r["run"] == run_id]
        assert [r["type"] for r in mine[:2]] == ["run.start", "stage.start"]
        assert [r["step"] for r in mine if r["type"] == "metric"] == list(range(N))
    assert not grabbing.grabbed.is_set()  # never another process's records while it lives
    # the third process's own run.start waits in its folder; the two others left nothing
    assert [p.parent for p in Spool(spool).segments()] == [next((spool / "pending").iterdir())]


def test_the_folder_of_a_process_that_died_is_taken_over(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    server = RecordingServer(tmp_path / "received.jsonl")
    with children(server.url, spool, "run-dead") as (dead,):
        assert dead.wait_spooled() == "spooled"
        live = Spool(spool)  # a live process with records of its own waiting
        live.append(b'{"schema":"provml/capture/1","client":{},"records":[]}', 0)
        live.seal()
        result = pl.replay(spool, server.url)  # the dead one still runs: its folder is its own
        assert (result.batches, result.busy) == (0, 2)
        dead.proc.kill()
        dead.proc.wait()
    server.start()
    try:
        result = pl.replay(spool, server.url)
        received = server.records()
    finally:
        server.stop()
    assert (result.batches, result.records, result.busy) == (1, N + 2, 1)  # batched: one request
    assert [r["step"] for r in received if r["type"] == "metric"] == list(range(N))
    folder = live.folder
    assert folder is not None and [p.parent for p in Spool(spool).segments()] == [folder]
    live.release()
    assert list((spool / "pending").iterdir()) == [folder]  # not empty: kept for a replay


def test_a_forked_child_spools_into_a_folder_of_its_own(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    down = pl.MemoryTransport()
    down.available = False
    client = pl.Client(down, spool_dir=str(spool), **FAST)
    stage = client.start_run("exp").stage("training", kind="training")
    stage.log_metric("loss", 1.0)
    assert client.flush(10)
    parent = client.pipeline.spool.folder
    pid = os.fork()
    if pid == 0:  # like a data-loader worker: no atexit, its folder stays for the parent
        stage.log_metric("loss", 2.0)
        flushed = client.flush(10)
        os._exit(0 if flushed and client.pipeline.spool.folder not in (None, parent) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    folders = sorted({p.parent for p in Spool(spool).segments()})
    assert parent in folders and len(folders) == 2
    assert lock(parent / LOCK) is None  # the child's exit left the parent's folder locked
    down.available = True
    assert client.flush(10, acknowledged=True)  # its own, and the dead child's folder taken over
    client.close()
    assert sorted(r["value"] for r in down.records if r["type"] == "metric") == [1.0, 2.0]
    assert list((spool / "pending").iterdir()) == []
