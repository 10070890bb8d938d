"""The measure-summary capture in Virtuoso: the inter-training questions answer exactly as on the
embedded store, with the summaries and without them.

The capture (tests/queryengine/test_summaries.py) holds what the legacy capture of
test_remote_questions.py does not: NaN and infinite values (a NaN is text in Virtuoso; a run ranked
on NaN comes last), ties, a value without an epoch, a stage still running and stages ended in later
batches. The quads the embedded store holds after ingesting it are written to Virtuoso as they are:
the questions are under test here, not the mapping.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from queryengine import ask
from services.ingest import Ingestor
from services.store import Store, open_store
from tests.queryengine.capture import BASE
from tests.queryengine.test_summaries import (
    CASES,
    DROP_SUMMARIES,
    capture,
    comparable,
    table_metrics,
)

pytestmark = pytest.mark.integration

# Averages of doubles: the engines add them in different orders (the last bit may differ).
AVERAGES = {("metric-by-hyperparameter", "mean")}


def embedded(summaries: bool) -> Store:
    store = open_store("memory:")
    ingestor = Ingestor(store, base_iri=BASE)
    for records in capture():
        ingestor.ingest_batch({"schema": "provml/capture/1", "records": records})
    if not summaries:
        store.update(DROP_SUMMARIES)
    return store


@pytest.fixture(scope="module", params=[True, False], ids=["summaries", "evaluations"])
def pair(request: pytest.FixtureRequest, virtuoso_server: str) -> Iterator[tuple[Store, Store]]:
    """The embedded store and Virtuoso holding the same quads, with or without the summaries."""
    ours = embedded(request.param)
    quads = list(ox.parse(ours.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    with open_store(virtuoso_server) as theirs:
        theirs.update("DROP ALL")
        theirs.add(quads)
        assert theirs.count() == ours.count() == len(quads)
        yield ours, theirs
    ours.close()


def same(question: str, ours: list[dict], theirs: list[dict]) -> bool:
    close = {k for k in (ours[0] if ours else {}) if (question, k) in AVERAGES}
    if comparable([{k: v for k, v in r.items() if k not in close} for r in ours]) != comparable(
        [{k: v for k, v in r.items() if k not in close} for r in theirs]
    ):
        return False
    return all(
        (math.isnan(a[k]) and math.isnan(b[k])) or math.isclose(a[k], b[k], rel_tol=1e-15)
        for a, b in zip(ours, theirs, strict=True)
        for k in close
    )


@pytest.mark.parametrize(("question", "params"), CASES)
def test_virtuoso_answers_as_the_embedded_store(pair, question: str, params: dict) -> None:
    ours, theirs = pair
    expected = ask(question, store=ours, base_iri=BASE, **params)
    answer = ask(question, store=theirs, base_iri=BASE, **params)
    assert expected
    assert same(question, expected, answer), (comparable(expected), comparable(answer))


def test_a_run_whose_ranked_value_is_nan_comes_last_on_virtuoso(pair) -> None:
    theirs = pair[1]
    for goal, order in (("min", ["r4", "r2", "r3"]), ("max", ["r2", "r4", "r3"])):
        rows = ask("rank-trainings", store=theirs, base_iri=BASE, measure="accuracy", goal=goal)
        assert [r["run"].rsplit("/", 1)[-1] for r in rows] == order
        assert math.isnan(rows[-1]["value"]) and math.isnan(rows[-1]["best"])


def test_the_runs_table_on_virtuoso_is_the_embedded_one(pair) -> None:
    ours, theirs = pair
    table = table_metrics(ours)
    assert table["r2"]["loss"]["count"] == 4
    assert table_metrics(theirs) == table
