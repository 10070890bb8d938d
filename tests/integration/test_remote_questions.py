"""The same capture in a remote SPARQL server and in the embedded store: replaying it adds nothing,
and every question of the catalogue answers exactly what the embedded store answers.

The remote stores are the session's Virtuoso and, when set, the server of ``PROVML_TEST_STORE``
(their provml graphs are dropped first). Questions are asked with the parameters of the legacy
capture test (tests/integration/test_provlake_questions.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest

from queryengine import catalogue
from services.store import open_store
from tests.conftest import remote_store_params, remote_store_uri

from .conftest import Manager, OfflineLog, run_manager
from .test_provlake_questions import ROUTE, Capture, expected_answers

pytestmark = pytest.mark.integration

REMOTE = [p for p in remote_store_params() if p != "sparql+http"]


@dataclass
class Pair:
    """Two managers that received the same batches: one on the embedded store, one remote."""

    engine: str
    embedded: Manager
    remote: Manager
    cases: dict[str, list[tuple[dict, list[dict]]]]
    remote_count: int


def _replay(manager: Manager, logs: dict[float, OfflineLog]) -> None:
    with manager.client() as client:
        for log in logs.values():
            for line in log.lines:
                answer = client.post(
                    ROUTE, content=line.encode(), headers={"Content-Type": "application/json"}
                )
                assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module", params=REMOTE)
def pair(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    offline_logs: dict[float, OfflineLog],
    oxigraph_server: str,
) -> Iterator[Pair]:
    uri = remote_store_uri(request, request.param)
    with open_store(uri) as store:
        store.update("DROP ALL")
        engine = getattr(store, "engine_name", "")
    folder = tmp_path_factory.mktemp("remote-questions")
    allowed = {"PROVML_ALLOWED_ENDPOINTS": oxigraph_server + "/query"}
    with (
        run_manager(f"oxigraph:{folder / 'store'}", folder, **allowed) as embedded,
        run_manager(uri, folder, **allowed) as remote,
    ):
        _replay(embedded, offline_logs)
        _replay(remote, offline_logs)
        count = remote.count()
        with embedded.client() as client:
            captures = {lr: Capture(log, client) for lr, log in offline_logs.items()}
        cases = expected_answers(captures, oxigraph_server + "/query")
        yield Pair(engine, embedded, remote, cases, count)


def test_the_capture_reaches_the_remote_store_whole(pair: Pair) -> None:
    assert pair.remote_count == pair.embedded.count() > 0


def test_the_whole_store_dumps_as_the_embedded_one(pair: Pair) -> None:
    """Every quad, numbers exact: the dump behind ``provml export --all``."""
    dumps = []
    for manager in (pair.embedded, pair.remote):
        with manager.client() as client:
            answer = client.get("/store", headers={"Accept": "application/n-quads"})
            assert answer.status_code == 200, answer.text
            dumps.append(set(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS)))
    assert sorted(map(str, dumps[1] - dumps[0]))[:4] == sorted(map(str, dumps[0] - dumps[1]))[:4]
    assert dumps[1] == dumps[0] and len(dumps[0]) == pair.remote_count


def test_replaying_the_capture_adds_nothing(
    pair: Pair, offline_logs: dict[float, OfflineLog]
) -> None:
    _replay(pair.remote, offline_logs)
    assert pair.remote.count() == pair.remote_count


# Questions whose ORDER BY leaves ties: compared as sets of rows.
TIES = {"execution-times", "training-curve"}
# Averages of doubles: the engines add them in different orders (the last bit may differ).
AVERAGES = {("metric-average", "average")}


def _rows(text: str, question: str) -> list[dict]:
    rows = json.loads(text)["rows"]
    if question in TIES:
        rows = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return rows


def _same(ours: list[dict], theirs: list[dict], question: str) -> bool:
    if len(ours) != len(theirs):
        return False
    for mine, other in zip(ours, theirs, strict=True):
        close = {k for k in mine if (question, k) in AVERAGES}
        # As JSON text: 0 and false (a boolean Virtuoso computes as an integer) differ.
        if json.dumps({k: v for k, v in mine.items() if k not in close}, sort_keys=True) != (
            json.dumps({k: v for k, v in other.items() if k not in close}, sort_keys=True)
        ):
            return False
        if any(not math.isclose(mine[k], other[k], rel_tol=1e-15) for k in close):
            return False
    return True


@pytest.mark.parametrize("question", sorted(catalogue()))
def test_every_question_answers_as_on_the_embedded_store(question: str, pair: Pair) -> None:
    with pair.embedded.client() as embedded, pair.remote.client() as remote:
        for params, _ in pair.cases[question]:
            theirs = embedded.get(f"/api/v1/questions/{question}", params=params)
            ours = remote.get(f"/api/v1/questions/{question}", params=params)
            assert theirs.status_code == 200, theirs.text
            assert ours.status_code == 200, ours.text
            ours_rows, theirs_rows = _rows(ours.text, question), _rows(theirs.text, question)
            assert _same(ours_rows, theirs_rows, question), (params, ours_rows, theirs_rows)
