"""Concurrent ingest: batches written together (group commit), each caller answered after its own
batch is committed or with its own error; concurrent ingest stores what one-by-one ingest stores."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest

from services.ingest import Ingestor, VersionConflict
from services.ingest._commits import GroupCommit, Pending, RunLocks
from services.store import open_store
from tests.services.ingest.samples import full_batch
from tests.services.ingest.versions_batches import T0, batch, registry, training, version, vid

D = {v: vid("dataset", "digits", v) for v in ("v1", "v2", "v3")}
DATA = [
    version("dataset", "digits", "v1"),
    version("dataset", "digits", "v2", [("v1", 0.1)]),
    version("dataset", "digits", "v3", [("v2", 0.2)]),
]


def quad(i: int) -> ox.Quad:
    node = ox.NamedNode(f"urn:x:{i}")
    return ox.Quad(node, node, node, ox.NamedNode("urn:g"))


def wait_until(condition) -> None:
    done = threading.Event()
    while not condition():
        done.wait(0.001)


class Writer:
    """A write function that records each group and holds the first write until released."""

    def __init__(self, refuse: int | None = None, fail: bool = False) -> None:
        self.groups: list[list[int]] = []
        self.release = threading.Event()
        self.writing = threading.Event()
        self.refuse, self.fail = refuse, fail

    def __call__(self, group: list[Pending]) -> None:
        self.writing.set()
        self.release.wait()
        self.groups.append([len(p.quads) for p in group])
        for pending in group:
            if len(pending.quads) == self.refuse:
                pending.error = VersionConflict("records[0]", "refused")
        if self.fail and len(self.groups) == 2:
            raise OSError("disk full")


def run_callers(commits: GroupCommit, writer: Writer, sizes: list[int]) -> dict[int, object]:
    """The first caller starts a write and holds it; the others queue behind it, then it ends."""
    outcome: dict[int, object] = {}

    def call(size: int) -> None:
        try:
            commits.commit(None, [quad(i) for i in range(size)])
            outcome[size] = ("committed", len(writer.groups))
        except Exception as exc:
            outcome[size] = exc

    threads = [threading.Thread(target=call, args=(sizes[0],))]
    threads[0].start()
    writer.writing.wait()
    for size in sizes[1:]:
        threads.append(threading.Thread(target=call, args=(size,)))
        threads[-1].start()
    wait_until(lambda: len(commits._queue) == len(sizes) - 1)
    writer.release.set()
    for thread in threads:
        thread.join()
    return outcome


def test_batches_queued_during_a_write_share_the_next_one() -> None:
    writer = Writer()
    commits = GroupCommit(writer)
    outcome = run_callers(commits, writer, [1, 2, 3, 4])
    assert writer.groups == [[1], [2, 3, 4]]
    # each caller returned after the write that held its batch
    assert outcome == {
        1: ("committed", 1),
        2: ("committed", 2),
        3: ("committed", 2),
        4: ("committed", 2),
    }


def test_a_refused_batch_fails_alone_and_a_failed_write_fails_its_whole_group() -> None:
    writer = Writer(refuse=3)
    outcome = run_callers(GroupCommit(writer), writer, [1, 2, 3, 4])
    assert isinstance(outcome.pop(3), VersionConflict)
    assert outcome == {1: ("committed", 1), 2: ("committed", 2), 4: ("committed", 2)}

    writer = Writer(fail=True)
    outcome = run_callers(GroupCommit(writer), writer, [1, 2, 3])
    assert outcome[1] == ("committed", 1)
    assert [str(outcome[n]) for n in (2, 3)] == ["disk full", "disk full"]


def test_run_locks_hold_each_run_once_in_a_fixed_order() -> None:
    locks = RunLocks(stripes=4)
    with locks.holding(["a", "b", "a", "c", "d", "e"]):
        # every stripe is taken (five runs on four stripes), each once: no self-deadlock
        assert all(lock.locked() for lock in locks._locks)
    assert not any(lock.locked() for lock in locks._locks)


def dump(store) -> set[str]:
    return set(store.dump(ox.RdfFormat.N_QUADS).decode().splitlines())


def test_concurrent_ingest_stores_what_one_by_one_ingest_stores() -> None:
    jobs = [training(f"r{i}", T0 + 10 * i, [D[f"v{1 + i % 3}"]], f"m{i}") for i in range(12)]
    alone = open_store("memory:")
    one_by_one = Ingestor(alone)
    one_by_one.ingest_batch(registry(*DATA))
    for job in jobs:
        one_by_one.ingest_batch(batch(*job))

    together = open_store("memory:")
    ingestor = Ingestor(together)
    ingestor.ingest_batch(registry(*DATA))
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda job: ingestor.ingest_batch(batch(*job)), jobs))
    assert [r.records for r in results] == [len(job) for job in jobs]
    assert dump(together) == dump(alone)


def distinct(body: dict, suffix: str) -> dict:
    """The batch with every id of its records (and their mentions) made its own."""
    text = json.dumps(body)
    for record in body["records"]:
        text = text.replace(f'"{record["id"]}"', f'"{record["id"]}{suffix}"')
    return json.loads(text)


def test_concurrent_runs_without_versions_are_written_together() -> None:
    bodies = [distinct(full_batch(), f"-{i}") for i in range(12)]
    alone = open_store("memory:")
    for body in bodies:
        Ingestor(alone).ingest_batch(body)
    together = open_store("memory:")
    ingestor = Ingestor(together)
    groups: list[int] = []
    write = ingestor.commits._write
    ingestor.commits._write = lambda group: (groups.append(len(group)), write(group))[1]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(ingestor.ingest_batch, bodies))
    assert sum(groups) == len(bodies)
    assert dump(together) == dump(alone)


def test_a_group_with_a_refused_batch_writes_the_others_as_if_each_came_alone() -> None:
    first, clash, last = (
        batch(*training("r1", T0 + 10, [D["v1"]], "m1")),
        registry(version("dataset", "digits", "v2", [("v1", 0.3)])),  # v2 exists, other weight
        batch(*training("r2", T0 + 20, [D["v2"]], "m2")),
    )
    alone = open_store("memory:")
    one_by_one = Ingestor(alone)
    one_by_one.ingest_batch(registry(*DATA))
    one_by_one.ingest_batch(first)
    with pytest.raises(VersionConflict):
        one_by_one.ingest_batch(clash)
    one_by_one.ingest_batch(last)

    grouped = open_store("memory:")
    ingestor = Ingestor(grouped)
    ingestor.ingest_batch(registry(*DATA))
    pending = []
    for body in (first, clash, last):
        records, _ = ingestor._records("capture", body)
        quads = ingestor.mapper.map(
            records, ingestor.context.plans(ingestor.mapper.plans_needed(records))
        )
        pending.append(Pending(records, quads))
    ingestor.versions.commit_group(pending)
    assert [type(p.error) for p in pending] == [type(None), VersionConflict, type(None)]
    assert dump(grouped) == dump(alone)
