"""The legacy task path: records built on the flusher thread (the plain-value fast path gives the
bytes of the general conversion), deferred work split into exact batches, and client ids."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import provlake as pl
from provlake import ProvLake
from provlake._legacy_values import (
    _task_end_records,
    _task_start_records,
    task_end_records,
    task_start_records,
)
from provlake._records import MetricEncoder, new_id
from provlake.capture import ProvCycle, ProvTask, ProvWorkflow
from provlake.utils import args_handler as ah

from .conftest import subprocess_env

ID = re.compile(r"[0-9a-f]{32}")
METRIC_ID = re.compile(r'"id":"[0-9a-f]{32}"')
TIGHT = 20000  # tasks in a loop with no work: about 0.1 s of capture, enough to outpace the flusher

plain_values = st.dictionaries(
    st.text(min_size=1).filter(str.strip),
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    values=plain_values | st.none(),
    name=st.text(min_size=1).filter(str.strip),
    parent=st.none() | st.just("section-1"),
    epoch=st.none() | st.integers(min_value=0, max_value=10**6),
    status=st.sampled_from(["finished", "failed"]),
)
def test_the_fast_path_gives_the_bytes_of_the_general_conversion(
    values: dict | None, name: str, parent: str | None, epoch: int | None, status: str
) -> None:
    encode = MetricEncoder()
    start = (task_start_records, "run-1", "stage-1", name, parent, values, None, None, 1.5e9)
    assert task_start_records(start, encode) == _task_start_records(start)
    end = (task_end_records, "run-1", "stage-1", values, None, None, 1.6e9, 1.7e9, status, epoch)
    fast, general = task_end_records(end, encode), _task_end_records(end, encode)
    assert [METRIC_ID.sub('"id":""', t) for t in fast] == [
        METRIC_ID.sub('"id":""', t) for t in general
    ]
    assert len(fast) == 1 + sum(
        1 for v in (values or {}).values() if type(v) in (int, float)
    )  # a metric per number, then the end


def test_typed_values_take_the_general_path_and_keep_their_order() -> None:
    """Data references (entities), a person id, custom metadata and stdout; and a second end."""
    transport = pl.MemoryTransport()
    prov = ProvLake.get_persister(transport=transport, bag_size=2)
    wf = ProvWorkflow(prov, "wf")
    wf.begin()
    with ProvCycle(prov, "epochs", 0, wf):
        task = ProvTask(
            prov,
            "t",
            wf,
            input_args={"a": ah.get_data_reference("/a"), "b": ah.get_data_reference("/b")},
            parent_cycle_name="epochs",
            person_id="ana",
            custom_metadata={"gpu": True},
        )
        task.begin()
        task.end({"out": ah.get_data_reference("/out"), "loss": 0.5}, stdout="ok")
        task.end({"loss": 0.1})  # ended already: nothing more is recorded
    wf.end()
    got = transport.records
    assert {len(b["records"]) for b in transport.batches} <= {1, 2}  # a task's 3 records: split
    types = [r["type"] for r in got if r["type"] not in {"run.start", "run.end"}]
    assert types == [
        "section.start",
        "entity",
        "entity",
        "stage.start",
        "entity",
        "metric",
        "stage.end",
        "section.end",
    ]
    a, b, start, out, loss, end = got[2:8]
    assert start["used"] == [a["id"], b["id"]]
    assert start["attributes"] == {"person_id": "ana", "custom_metadata.gpu": True}
    assert (out["location"], out["generated_by"]) == ("/out", start["id"])
    assert (loss["name"], loss["value"], loss["epoch"]) == ("loss", 0.5, 0)
    assert end["attributes"] == {"loss": 0.5, "stdout": "ok"}
    assert task.get_data_transformation_execution_id() == start["id"] == end["id"]


def test_ids_are_32_hex_digits_a_process_prefix_and_a_counter() -> None:
    ids = [new_id() for _ in range(1000)]
    assert all(ID.fullmatch(i) for i in ids)
    assert len({i[:20] for i in ids}) == 1  # one random prefix per process
    counters = [int(i[20:], 16) for i in ids]
    assert counters == list(range(counters[0], counters[0] + 1000))


def test_ids_are_unique_across_threads() -> None:
    found: list[list[str]] = [[] for _ in range(4)]

    def draw(out: list[str]) -> None:
        out.extend(new_id() for _ in range(20000))

    threads = [threading.Thread(target=draw, args=(out,)) for out in found]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({i for out in found for i in out}) == 80000


def test_ids_are_unique_across_forks_and_processes() -> None:
    before = new_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its ids, then exit without the parent's cleanup
        os.write(write, json.dumps([new_id() for _ in range(100)]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = json.loads(pipe.read())
    os.waitpid(pid, 0)
    parent = [new_id() for _ in range(100)]
    code = "from provlake._records import new_id; print(*(new_id() for _ in range(100)))"
    other = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True
    ).stdout.split()
    assert len(other) == 100 and all(ID.fullmatch(i) for i in child + other)
    prefixes = {before[:20]}, {i[:20] for i in child}, {i[:20] for i in other}
    assert [len(p) for p in prefixes] == [1, 1, 1] and len(set.union(*prefixes)) == 3
    assert len({before, *parent, *child, *other}) == 301


def test_a_flusher_far_behind_slows_the_caller_instead_of_dropping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tight loop of tasks outpaces the flusher (it waits for the interpreter lock): past a
    quarter of ``max_buffer`` the caller converts its own values, so nothing is dropped."""
    monkeypatch.setenv("PROVML_MAX_BUFFER", "8000")
    transport = pl.MemoryTransport()
    prov = ProvLake.get_persister(transport=transport)
    client = prov.client
    wf = ProvWorkflow(prov, "wf")
    wf.begin()
    with ProvCycle(prov, "epochs", 0, wf):
        for i in range(TIGHT):
            with ProvTask(prov, "t", wf, input_args={"i": i}, parent_cycle_name="epochs") as task:
                task.end({"loss": i / 10})
    wf.end()
    assert client.stats()["dropped_records"] == 0
    got = transport.records
    assert len(got) == 2 + 2 + TIGHT * 3  # run, section, tasks (start, metric, end)
    starts = [r for r in got if r["type"] == "stage.start"]
    assert [s["attributes"] for s in starts] == [{"i": i} for i in range(TIGHT)]  # in order
    losses = [r["value"] for r in got if r["type"] == "metric"]
    assert losses == [i / 10 for i in range(TIGHT)]
