"""The lineage closures and the Braid invalidation actions on Virtuoso answer what the embedded
store answers, on data where they find something (the legacy capture of test_remote_questions has no
Braid action and short lineage only): the hand-built capture with its Braid records, plus two
invalidation actions, one guarding two records, and two runs of it.

The quads are written by the real ingest into the embedded store, then copied as they are into the
session's Virtuoso (its provml graphs dropped first).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from queryengine import ask
from services.ingest import Ingestor
from services.store import Store, open_store
from tests.queryengine.braid_capture import T0
from tests.queryengine.capture import load_capture

pytestmark = pytest.mark.integration


def _at(minutes: float) -> float:
    return T0 + 60 * minutes


ACTIONS = [
    {
        "type": "braid.action",
        "action": "act-note",
        "record": 3,
        "action_type": "shell",
        "name": "note",
        "command": "true",
        "parameters": {"level": 1},
        "time": _at(20),
    },
    {"type": "braid.action_set", "action": "act-note", "record": 5, "time": _at(21)},
    {
        "type": "braid.action",
        "action": "act-hook",
        "record": 10,
        "action_type": "shell",
        "name": "hook",
        "command": "echo",
        "parameters": {},
        "time": _at(22),
    },
    {
        "type": "braid.action_run",
        "execution": "run-a",
        "action": "act-note",
        "invalidation": "inv-cal-3",
        "record": 3,
        "started": _at(30),
        "time": _at(30.1),
        "status": "finished",
        "exit_status": 0,
    },
    {
        "type": "braid.action_run",
        "execution": "run-b",
        "action": "act-note",
        "invalidation": "inv-cal-5",
        "record": 5,
        "started": _at(31),
        "time": _at(31.1),
        "status": "failed",
        "exit_status": 1,
    },
]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, virtuoso_server: str) -> Iterator[dict]:
    folder: Path = tmp_path_factory.mktemp("remote-paths")
    with open_store(f"oxigraph:{folder / 'store'}") as embedded, open_store(virtuoso_server) as v:
        load_capture(embedded)
        Ingestor(embedded).ingest_batch({"schema": "provml/capture/1", "records": ACTIONS})
        quads = list(ox.parse(embedded.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
        v.update("DROP ALL")
        v.add(quads)
        assert v.count() == embedded.count() == len(quads)
        yield {"embedded": embedded, "virtuoso": v}


def _answers(stores: dict[str, Store], question: str, **params: object) -> list[list[dict]]:
    return [[dict(r) for r in ask(question, store=s, **params)] for s in stores.values()]


def _action(action_id: str, name: str, command: str, parameters: str, record: int, runs: int):
    return {
        "action_id": action_id,
        "name": name,
        "action_type": "shell",
        "command": command,
        "parameters": parameters,
        "record_id": record,
        "runs": runs,
    }


NOTE = ("act-note", "note", "true", '{"level":1}')
HOOK = ("act-hook", "hook", "echo", "{}")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [_action(*HOOK, 10, 0), _action(*NOTE, 3, 2), _action(*NOTE, 5, 2)]),
        ({"record": "5"}, [_action(*NOTE, 5, 2)]),
        ({"record": "10"}, [_action(*HOOK, 10, 0)]),
        ({"action": "act-note"}, [_action(*NOTE, 3, 2), _action(*NOTE, 5, 2)]),
        ({"record": "1"}, []),
        ({"record": "3", "action": "act-hook"}, []),
    ],
)
def test_braid_actions(stores: dict[str, Store], params: dict, expected: list[dict]) -> None:
    embedded, virtuoso = _answers(stores, "braid-actions", **params)
    assert embedded == expected
    assert virtuoso == embedded


@pytest.mark.parametrize(
    ("question", "params", "count"),
    [
        ("upstream", {"start": "r1-test", "hops": 10}, 19),
        ("upstream", {"start": "10", "hops": 4}, 14),
        ("downstream", {"start": "raw-b", "hops": 10}, 10),
        ("downstream", {"start": "1", "hops": 4}, 10),
    ],
)
def test_lineage_closures(
    stores: dict[str, Store], question: str, params: dict, count: int
) -> None:
    embedded, virtuoso = _answers(stores, question, **params)
    assert len(embedded) == count
    assert virtuoso == embedded
