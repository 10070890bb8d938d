"""The buffer, the background flusher and the on-disk spool, with in-process transports."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from pathlib import Path

import provlake as pl
from provlake._spool import Spool

FAST = {"backoff": 0.01, "max_backoff": 0.05, "max_retries": 1, "flush_interval": 0.02}


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def capture(client: pl.Client, n: int, name: str = "loss") -> list[float]:
    stage = client.start_run("exp").stage("training", kind="training")
    values = [float(i) for i in range(n)]
    for v in values:
        stage.log_metric(name, v, step=int(v))
    return values


def test_batches_are_cut_by_size_and_keep_capture_order(tmp_path: Path) -> None:
    transport = pl.MemoryTransport()
    with pl.Client(transport, batch_size=10) as client:
        values = capture(client, 45)
        assert client.flush(10)
    sizes = [len(b["records"]) for b in transport.batches]
    assert max(sizes) <= 10 and sum(sizes) == 47
    assert [r["value"] for r in transport.records if r["type"] == "metric"] == values
    batch = transport.batches[0]
    assert batch["schema"] == "provml/capture/1" and batch["client"]["name"] == "provlake"


def test_the_timer_sends_without_an_explicit_flush() -> None:
    transport = pl.MemoryTransport()
    with pl.Client(transport, flush_interval=0.05) as client:
        capture(client, 3)
        assert wait_until(lambda: len(transport.records) == 5)


def test_outage_spills_to_disk_and_resends_in_order(tmp_path: Path) -> None:
    transport = pl.MemoryTransport()
    transport.available = False
    spool_dir = tmp_path / "spool"
    with pl.Client(transport, spool_dir=str(spool_dir), batch_size=20, **FAST) as client:
        first = capture(client, 50)
        assert client.flush(10)  # flushed = safely on disk
        assert transport.batches == []
        on_disk = [
            json.loads(line)
            for p in Spool(spool_dir).segments()
            for line in p.read_text().splitlines()
        ]
        assert sum(len(b["records"]) for b in on_disk) == 52
        assert client.stats()["spooled_records"] == 52
        transport.available = True
        second = capture(client, 30, name="acc")
        assert wait_until(lambda: len(transport.records) == 52 + 32)
    got = transport.records
    assert [r["value"] for r in got if r["type"] == "metric"] == first + second
    assert len({r["id"] for r in got}) == len(got)  # nothing twice
    assert Spool(spool_dir).segments() == []


def test_segments_left_by_a_crashed_process_are_sent_first(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    old = Spool(spool_dir)
    left = {
        "schema": "provml/capture/1",
        "client": {"name": "provlake", "version": "0"},
        "records": [
            {
                "type": "run.start",
                "id": "old-run",
                "run": "old-run",
                "time": 1.0,
                "name": "before-crash",
            }
        ],
    }
    old.append(json.dumps(left).encode(), 1)
    old.seal()
    assert old.folder is not None
    with (old.folder / "999999999.jsonl").open("wb") as torn:
        torn.write(b'{"schema": "provml/capture/1", "records": [{"type": "met')  # killed mid-write
    old.release()  # what the system does when the process dies: its folder's lock is gone
    transport = pl.MemoryTransport()
    with pl.Client(transport, spool_dir=str(spool_dir), **FAST) as client:
        client.start_run("after-restart")
        assert client.flush(10)
    names = [r["name"] for r in transport.records]
    assert names == ["before-crash", "after-restart"]
    assert old.segments() == [] and list(old.pending.iterdir()) == []
    kept = sorted(p.name for p in old.rejected.iterdir())
    assert len(kept) == 2 and kept[0].endswith(".error.json")
    assert "unreadable" in (old.rejected / kept[0]).read_text()


def test_the_spool_folder_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    live = Spool(spool_dir)  # another writer: its folder stays locked while it lives
    live.append(b'{"schema":"provml/capture/1","client":{},"records":[]}', 0)
    live.seal()
    transport = pl.MemoryTransport()
    with pl.Client(transport, spool_dir=str(spool_dir), **FAST) as client:
        client.start_run("exp")
        assert client.flush(10, acknowledged=True)  # its own records: the other folder is not
    assert len(transport.batches) == 1 and len(live.segments()) == 1
    live.release()


class Rejecting(pl.Transport):
    kind = "rejecting"

    def __init__(self) -> None:
        self.accepted: list[dict] = []

    def send(self, body: bytes, count: int) -> None:
        if b"poison" in body:
            raise pl.BatchRejected("HTTP 400 invalid", 400, '{"error": "invalid"}')
        self.accepted.append(json.loads(body))


def test_a_refused_batch_is_kept_in_rejected_and_the_rest_goes_on(tmp_path: Path) -> None:
    transport = Rejecting()
    spool_dir = tmp_path / "spool"
    with pl.Client(transport, spool_dir=str(spool_dir), **FAST) as client:
        run = client.start_run("exp")
        assert client.flush(10)
        run.entity("data", "poison")
        assert client.flush(10)
        run.end()
        assert client.flush(10)
        assert client.stats()["rejected_batches"] == 1
    assert [b["records"][0]["type"] for b in transport.accepted] == ["run.start", "run.end"]
    rejected = Spool(spool_dir).rejected
    (kept,) = rejected.glob("*.jsonl")
    assert json.loads(kept.read_text())["records"][0]["name"] == "poison"
    assert json.loads(next(rejected.glob("*.error.json")).read_text())["status"] == 400


def test_no_disk_and_no_transport_counts_drops_and_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    transport = pl.MemoryTransport()
    transport.available = False
    with pl.Client(transport, spool_dir=str(blocker / "spool"), **FAST) as client:
        capture(client, 10)
        assert client.flush(10)
        assert client.stats()["dropped_records"] == 12


class Blocking(pl.Transport):
    kind = "blocking"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.records = 0

    def send(self, body: bytes, count: int) -> None:
        self.release.wait(30)
        self.records += count


def test_a_hung_send_and_a_full_buffer_never_block_the_caller_and_drops_are_counted() -> None:
    transport = Blocking()
    with pl.Client(transport, batch_size=10, max_buffer=100, flush_interval=0.01) as client:
        stage = client.start_run("exp").stage("t", kind="training")
        assert wait_until(
            lambda: client.stats()["buffered_records"] == 0
        )  # flusher now stuck in send
        for i in range(1000):
            stage.log_metric("loss", float(i))
        dropped = client.stats()["dropped_records"]
        assert dropped >= 1000 - 100
        transport.release.set()
        assert client.flush(20)
        # what was not dropped arrives (part of it through the spool, once the transport answers)
        assert wait_until(lambda: transport.records + dropped == 1002)


class Flaky(pl.Transport):
    kind = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures, self.attempts = failures, 0
        self.inner = pl.MemoryTransport()

    def send(self, body: bytes, count: int) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise pl.TransportError("HTTP 503")
        self.inner.send(body, count)


def test_transient_errors_are_retried_with_backoff_before_spooling() -> None:
    transport = Flaky(failures=3)
    with pl.Client(transport, max_retries=5, backoff=0.01, flush_interval=0.01) as client:
        capture(client, 5)
        assert client.flush(10)
        stats = client.stats()
    assert transport.attempts == 4
    assert (stats["sent_batches"], stats["sent_records"], stats["spooled_batches"]) == (1, 7, 0)
    assert len(transport.inner.records) == 7


def test_close_flushes_what_is_still_buffered() -> None:
    transport = pl.MemoryTransport()
    client = pl.Client(transport, flush_interval=60)  # the timer would not fire before close
    capture(client, 100)
    assert client.close(10)
    assert len(transport.records) == 102
    assert client.close() is True  # idempotent


def test_a_forked_child_captures_through_its_own_flusher(tmp_path: Path) -> None:
    capture_file = tmp_path / "capture.jsonl"
    with pl.Client(
        f"file:{capture_file}", spool_dir=str(tmp_path / "spool"), flush_interval=60
    ) as client:
        stage = client.start_run("exp").stage("training", kind="training")
        stage.log_metric("before_fork", 1.0)  # still in the parent's buffer at the fork
        pid = os.fork()
        if pid == 0:  # the child, like a data-loader worker
            stage.log_metric("in_child", 2.0)
            os._exit(0 if client.flush(10) else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        stage.log_metric("after_fork", 3.0)
    records = [
        r for line in capture_file.read_text().splitlines() for r in json.loads(line)["records"]
    ]
    names = sorted(r["name"] for r in records if r["type"] == "metric")
    assert names == ["after_fork", "before_fork", "in_child"]  # each once
    assert len({r["id"] for r in records}) == len(records)


def test_a_close_that_times_out_leaves_everything_in_the_spool(tmp_path: Path) -> None:
    """A hung manager at exit: the bounded wait ends, nothing captured is lost."""
    spool_dir = tmp_path / "spool"
    hung = Blocking()
    client = pl.Client(hung, spool_dir=str(spool_dir), batch_size=10, flush_interval=0.01)
    run = client.start_run("exp")
    stage = run.stage("t", kind="training")
    for i in range(25):
        stage.log_metric("loss", float(i))
    run.end()
    assert client.close(0.3) is False  # the flusher is stuck in send
    later = pl.MemoryTransport()
    with pl.Client(later, spool_dir=str(spool_dir), **FAST) as restarted:
        assert restarted.flush(10)
    got = later.records
    assert {r["type"] for r in got} == {"run.start", "stage.start", "metric", "run.end"}
    values = sorted({r["value"] for r in got if r["type"] == "metric"})
    assert values == [float(i) for i in range(25)]
    hung.release.set()


def _worker(stage: pl.Stage) -> None:
    stage.log_metric("in_worker", 5.0)  # no explicit flush: the worker ends with os._exit


def test_a_multiprocessing_worker_flushes_at_its_exit(tmp_path: Path) -> None:
    capture_file = tmp_path / "capture.jsonl"
    with pl.Client(f"file:{capture_file}", spool_dir=str(tmp_path / "spool")) as client:
        stage = client.start_run("exp").stage("training", kind="training")
        worker = multiprocessing.get_context("fork").Process(target=_worker, args=(stage,))
        worker.start()
        worker.join(30)
        assert worker.exitcode == 0
    records = [
        r for line in capture_file.read_text().splitlines() for r in json.loads(line)["records"]
    ]
    assert [r["name"] for r in records if r["type"] == "metric"] == ["in_worker"]


class Slow(pl.Transport):
    kind = "slow"

    def __init__(self) -> None:
        self.inner = pl.MemoryTransport()

    def send(self, body: bytes, count: int) -> None:
        time.sleep(0.005)  # about 4,000 records/s with batches of 20
        self.inner.send(body, count)


def test_a_transport_slower_than_capture_goes_through_the_spool_without_drops(
    tmp_path: Path,
) -> None:
    transport = Slow()
    spool_dir = tmp_path / "spool"
    settings = {"batch_size": 20, "max_buffer": 3000, "flush_interval": 0.02}
    with pl.Client(transport, spool_dir=str(spool_dir), **settings) as client:
        stage = client.start_run("exp").stage("t", kind="training")
        for i in range(10_000):  # about 20,000 records/s: faster than the transport
            stage.log_metric("loss", float(i))
            if i % 20 == 19:
                time.sleep(0.001)
        assert wait_until(lambda: len(transport.inner.records) == 10_002, timeout=60)
        stats = client.stats()
    assert stats["dropped_records"] == 0
    assert stats["spooled_batches"] > 0  # the backlog waited on disk, not in memory
    values = [r["value"] for r in transport.inner.records if r["type"] == "metric"]
    assert values == [float(i) for i in range(10_000)]  # in order
    assert Spool(spool_dir).segments() == []


def test_flush_acknowledged_waits_for_the_transport_not_only_the_disk(tmp_path: Path) -> None:
    transport = pl.MemoryTransport()
    transport.available = False
    with pl.Client(transport, spool_dir=str(tmp_path / "spool"), **FAST) as client:
        run = client.start_run("exp")
        assert client.flush(10)  # safely spooled
        assert not run.flush(0.3, acknowledged=True)  # but not at the manager
        transport.available = True
        assert run.flush(10, acknowledged=True)
        assert [r["type"] for r in transport.records] == ["run.start"]
