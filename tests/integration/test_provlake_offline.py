"""Replaying the offline log of the real ProvLake 0.2.982 library is idempotent, in any order.

The library sends a task inside a cycle with the cycle's name and no iteration. The manager finds
the iteration from times (the one whose interval holds the task's start), never from what the store
happens to hold, so the log replayed twice, shuffled, or into a fresh manager in another order,
gives exactly the same graph, and every task is part of the iteration it ran in.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from services.app import Settings, create_app
from services.store import open_store

from .batches import BASE
from .conftest import Manager, OfflineLog, clean_env, run_manager

pytestmark = pytest.mark.integration

ROUTE = "/provenance/api/retrospective-provenance"
PREFIXES = """
    PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX provml: <https://w3id.org/provml#>
    PREFIX mls: <http://www.w3.org/ns/mls#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def replay(client: httpx.Client, lines: list[str]) -> list[httpx.Response]:
    """Each line of the log as the request the library would have sent online."""
    headers = {"Content-Type": "application/json"}
    return [client.post(ROUTE, content=line.encode(), headers=headers) for line in lines]


def select(client: httpx.Client, query: str) -> list[tuple]:
    answer = client.get("/sparql", params={"query": PREFIXES + query})
    answer.raise_for_status()
    body = answer.json()
    names = body["head"]["vars"]
    return [
        tuple(
            (b[n]["type"], b[n]["value"], b[n].get("datatype"), b[n].get("xml:lang"))
            if n in b
            else None
            for n in names
        )
        for b in body["results"]["bindings"]
    ]


def dump(client: httpx.Client) -> set[tuple]:
    """Every quad of the store."""
    return set(select(client, "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"))


def tasks_and_iterations(client: httpx.Client, log: OfflineLog) -> list[tuple[int, int, int]]:
    """(index of the iteration each train_batch task is part of, the epoch the script gave the
    task as an input, the epoch of the evaluation of its batch_loss output)."""
    rows = select(
        client,
        f"SELECT ?index ?input ?epoch WHERE {{ GRAPH <{BASE}graph/run/{log.run}> {{"
        " ?task provml:withinSection 'epochs' ; provml:isPartOf ?iteration ; prov:used ?value ."
        " ?iteration provml:index ?index ."
        " ?value mls:specifiedBy ?attribute ; mls:hasValue ?input ."
        " ?evaluation prov:wasGeneratedBy ?task ; mls:specifiedBy ?measure ; provml:epoch ?epoch }"
        " ?attribute rdfs:label 'epoch' . ?measure rdfs:label 'batch_loss' }",
    )
    return sorted(tuple(int(term[1]) for term in row) for row in rows)


EVERY_TASK_IN_ITS_ITERATION = [(e, e, e) for e in range(4) for _batch in range(2)]


@dataclass
class Replayed:
    """What a real manager held after the log in order, again, then shuffled."""

    statuses: list[list[int]]
    counts: list[int]
    dumps: list[set[tuple]]
    tasks: list[tuple[int, int, int]]
    waiting: list[tuple]


@pytest.fixture(scope="module")
def replayed(offline_logs: dict[float, OfflineLog], tmp_path_factory) -> Replayed:
    log, folder = offline_logs[0.1], tmp_path_factory.mktemp("replayed")
    shuffled = random.Random(982).sample(log.lines, len(log.lines))
    out = Replayed([], [], [], [], [])
    with run_manager(f"oxigraph:{folder / 'store'}", folder) as manager, manager.client() as client:
        for lines in (list(log.lines), list(log.lines), shuffled):
            out.statuses.append([r.status_code for r in replay(client, lines)])
            out.counts.append(manager.count())
            out.dumps.append(dump(client))
        out.tasks = tasks_and_iterations(client, log)
        out.waiting = select(
            client,
            "SELECT ?task WHERE { ?task provml:withinSection ?cycle "
            "FILTER NOT EXISTS { ?task provml:isPartOf ?whole } }",
        )
    return out


@contextmanager
def fresh_manager() -> Iterator[TestClient]:
    """Another manager (the real app in process, on its own memory store)."""
    with open_store("memory:") as store:
        app = create_app(Settings(store="memory:", _env_file=None), store=store)
        with TestClient(app) as client:
            yield client


def test_replaying_the_log_twice_and_shuffled_adds_nothing(
    replayed: Replayed, offline_logs: dict[float, OfflineLog]
) -> None:
    lines = len(offline_logs[0.1].lines)
    assert replayed.statuses == [[200] * lines] * 3  # no 422: "part of at most one whole"
    first, again, shuffled = replayed.counts
    assert first == len(replayed.dumps[0]) > 500 and again == first and shuffled == first
    assert replayed.dumps[1] == replayed.dumps[0] and replayed.dumps[2] == replayed.dumps[0]


def test_every_task_lands_in_the_iteration_it_ran_in(replayed: Replayed) -> None:
    assert replayed.tasks == EVERY_TASK_IN_ITS_ITERATION
    assert replayed.waiting == []  # no task left waiting for its iteration


def test_a_fresh_manager_fed_in_another_order_holds_the_same_graph(
    replayed: Replayed, offline_logs: dict[float, OfflineLog]
) -> None:
    """The workflow's first request first (the run exists), then the others in any order: tasks
    arrive before, with or after the end of their iteration, and are linked all the same."""
    log = offline_logs[0.1]
    first, *rest = log.lines
    for seed in (7, 8):
        with fresh_manager() as client:
            order = [first, *random.Random(seed).sample(rest, len(rest))]
            assert [r.status_code for r in replay(client, order)] == [200] * len(order)
            assert dump(client) == replayed.dumps[0]
            assert tasks_and_iterations(client, log) == EVERY_TASK_IN_ITS_ITERATION


def test_requests_before_the_workflow_started_wait_in_quarantine(
    replayed: Replayed, offline_logs: dict[float, OfflineLog]
) -> None:
    """Lines sent before both workflow messages refer to a run that never started: each is kept in
    the quarantine (422 unknown_reference), and goes in unchanged once the run is there."""
    log = offline_logs[0.1]
    first, *middle, last = log.lines
    with fresh_manager() as client:
        early = replay(client, random.Random(3).sample(middle, len(middle)))
        assert {r.status_code for r in early} == {422}
        errors = [r.json() for r in early]
        assert {e["error"] for e in errors} == {"unknown_reference"}
        assert all(f"run '{log.run}'" in e["message"] for e in errors)
        assert [r.status_code for r in replay(client, [last, first])] == [200, 200]
        entries = client.get("/api/v1/quarantine").json()["entries"]
        assert len(entries) == len(middle)
        for entry in entries:
            resubmitted = client.post(f"/api/v1/quarantine/{entry['id']}/resubmit")
            assert resubmitted.status_code == 200, resubmitted.text
        assert client.get("/api/v1/quarantine").json()["count"] == 0
        assert dump(client) == replayed.dumps[0]


def test_provml_replay_sends_a_provlake_log(
    replayed: Replayed, offline_logs: dict[float, OfflineLog], manager: Manager
) -> None:
    """``provml replay prov-*.log`` posts the library's offline log line by line, twice safely."""
    log = offline_logs[0.1]
    command = [sys.executable, "-m", "services.cli", "replay", str(log.path)]
    for _ in range(2):
        done = subprocess.run(
            [*command, "--manager", manager.url],
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == (
            f"replayed {len(log.lines)} ProvLake requests ({len(log.messages)} messages); "
            "0 quarantined, 0 refused, 0 unreadable lines"
        )
        with manager.client() as client:
            assert dump(client) == replayed.dumps[0]


def test_provml_replay_tells_a_provlake_log_from_a_capture_file(
    offline_logs: dict[float, OfflineLog], tmp_path
) -> None:
    from services.cli._replay_provlake import is_provlake_log
    from tests.servers import free_port

    capture = tmp_path / "capture.jsonl"
    capture.write_text('{"schema": "provml/capture/1", "records": []}\\n')
    assert is_provlake_log(offline_logs[0.1].path) and not is_provlake_log(capture)
    assert not is_provlake_log(tmp_path)
    done = subprocess.run(  # nobody listens: nothing is lost, the replay can run again
        [sys.executable, "-m", "services.cli", "replay", str(offline_logs[0.1].path),
         "--manager", f"http://127.0.0.1:{free_port()}"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 1 and "stopped at line 1" in done.stderr
