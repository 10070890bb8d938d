"""The version questions (version-graph, version-history, version-explain) on the version-graph
example written by the real ingest (tests/queryengine/versions_capture.py), exact rows, on the
embedded store and on a real ``oxigraph serve``, binding with VALUES + LATERAL and plain VALUES,
and with the sub-selects marked ``# @prefetch`` asked first (as on Virtuoso)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from queryengine import ParameterError, ask
from services.store import Store, open_store
from tests.queryengine.capture import load_capture
from tests.queryengine.test_questions import tuples
from tests.queryengine.versions_capture import load_versions


@pytest.fixture(scope="module", params=["embedded", "server"])
def versions_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The capture of the other questions plus the version-graph example."""
    if request.param == "embedded":
        store = open_store(f"oxigraph:{tmp_path_factory.mktemp('versions')}")
    else:
        store = open_store("sparql+" + request.getfixturevalue("oxigraph_server"))
        store.update("DROP ALL")
    with store:
        yield load_versions(load_capture(store))


class Prefetching:
    """A store that asks the sub-selects marked ``# @prefetch`` first, as the Virtuoso profile
    does, and keeps the texts it is asked."""

    prefetch_subselects = True

    def __init__(self, store: Store) -> None:
        self.store, self.asked = store, []

    def query(self, sparql: str, *, timeout: float | None = None) -> Any:
        self.asked.append(sparql)
        return self.store.query(sparql, timeout=timeout)


@pytest.fixture(params=["lateral", "values", "prefetch"])
def answer(request: pytest.FixtureRequest, versions_store) -> Callable[..., list[dict[str, Any]]]:
    if request.param == "prefetch":
        return partial(ask, store=Prefetching(versions_store))
    return partial(ask, store=versions_store, lateral=request.param == "lateral")


def test_version_graph(answer) -> None:
    rows = answer("version-graph", kind="model", name="mlp")
    assert rows.columns == ["from", "from_name", "to", "to_name", "weight", "inferred"]
    assert tuples(rows, "from_name", "to_name") == [
        ("mlp (mlp-1)", "mlp (mlp-2)"),
        ("mlp (mlp-2)", "mlp (mlp-3)"),
        ("mlp (mlp-2)", "mlp (mlp-4)"),
    ]
    assert tuples(rows, "from", "to", "weight", "inferred") == [
        ("entity/mlp-1", "entity/mlp-2", 0.05, True),
        ("entity/mlp-2", "entity/mlp-3", 0.1, True),
        ("entity/mlp-2", "entity/mlp-4", 0.025, True),
    ]
    rows = answer("version-graph", kind="dataset", name="digits")
    assert tuples(rows, "from", "to", "weight", "inferred") == [
        ("entity/dataset.digits.v1", "entity/dataset.digits.v2", 0.1, False),
        ("entity/dataset.digits.v2", "entity/dataset.digits.v3", 0.2, False),
    ]
    assert tuples(rows, "from_name", "to_name") == [
        ("digits v1", "digits v2"),
        ("digits v2", "digits v3"),
    ]
    assert answer("version-graph", kind="dataset", name="no such data") == []


def test_version_history(answer) -> None:
    rows = answer("version-history", kind="model", name="mlp")
    assert rows.columns == [
        *("version", "version_name", "id", "depth", "started", "revises", "inputs", "digest")
    ]
    assert [r["version_name"] for r in rows] == [f"mlp (mlp-{n})" for n in (1, 2, 3, 4)]
    assert tuples(rows, "id", "depth", "started", "revises", "inputs") == [
        ("mlp-1", 0, "2026-01-01T10:00:00Z", None, "algorithm/mlp-code@v1, dataset/digits@v1"),
        ("mlp-2", 1, "2026-01-01T11:00:00Z", "mlp-1", "algorithm/mlp-code@v1, dataset/digits@v2"),
        ("mlp-3", 2, "2026-01-01T12:00:00Z", "mlp-2", "algorithm/mlp-code@v1, dataset/digits@v3"),
        ("mlp-4", 2, "2026-01-01T13:00:00Z", "mlp-2", "algorithm/mlp-code@v2, dataset/digits@v2"),
    ]
    rows = answer("version-history", kind="algorithm", name="mlp-code")
    assert tuples(rows, "version", "version_name", "id", "depth", "revises") == [
        ("entity/algorithm.mlp-code.v1", "mlp-code v1", "v1", 0, None),
        ("entity/algorithm.mlp-code.v2", "mlp-code v2", "v2", 1, "v1"),
    ]


def test_version_explain(answer) -> None:
    rows = answer("version-explain", **{"from": "mlp-1", "to": "mlp-4"})
    assert rows.columns == [
        *("step", "older", "older_name", "newer", "newer_name", "weight", "input", "input_from"),
        *("input_to", "change", "measure", "from_value", "to_value"),
    ]
    assert {(r["older_name"], r["newer_name"]) for r in rows} == {
        ("mlp (mlp-1)", "mlp (mlp-2)"),
        ("mlp (mlp-2)", "mlp (mlp-4)"),
        ("mlp (mlp-1)", "mlp (mlp-4)"),
    }
    columns = ("step", "older", "newer", "weight", "input", "input_from", "input_to", "change")
    assert tuples(rows[:4], *columns) == [
        (1, "entity/mlp-1", "entity/mlp-2", 0.05, "algorithm/mlp-code", "v1", "v1", 0.0),
        (1, "entity/mlp-1", "entity/mlp-2", 0.05, "dataset/digits", "v1", "v2", 0.1),
        (2, "entity/mlp-2", "entity/mlp-4", 0.025, "algorithm/mlp-code", "v1", "v2", 0.05),
        (2, "entity/mlp-2", "entity/mlp-4", 0.025, "dataset/digits", "v2", "v2", 0.0),
    ]
    measures = ("step", "older", "newer", "weight", "measure", "from_value", "to_value")
    assert tuples(rows[4:], *measures) == [
        (None, "entity/mlp-1", "entity/mlp-4", 0.07500000000000001, "accuracy", 0.9, 0.95)
    ]
    # no route between versions where neither inherits the other: the measures only, no weight
    rows = answer("version-explain", **{"from": "mlp-3", "to": "mlp-4"})
    assert tuples(rows, "step", "weight", "measure", "from_value", "to_value") == [
        (None, None, "accuracy", 0.93, 0.95)
    ]
    # a route longer than max_hops is not searched
    rows = answer("version-explain", **{"from": "mlp-1", "to": "mlp-3", "max_hops": 1})
    assert tuples(rows, "step", "weight", "measure") == [(None, None, "accuracy")]
    with pytest.raises(ParameterError, match="max_hops"):
        answer("version-explain", **{"from": "mlp-1", "to": "mlp-3", "max_hops": 7})


def test_version_explain_asks_the_route_once_when_prefetching(versions_store) -> None:
    store = Prefetching(versions_store)
    params = {"from": "mlp-1", "to": "mlp-4"}
    rows = ask("version-explain", store=store, names=False, **params)
    assert tuples(rows, "step", "weight", "measure") == [
        (1, 0.05, None),
        (1, 0.05, None),
        (2, 0.025, None),
        (2, 0.025, None),
        (None, 0.07500000000000001, "accuracy"),
    ]
    # the two marked sub-selects have the same text: asked once, then given back twice as VALUES
    searches = [q for q in store.asked if "ORDER BY ?total" in q]
    assert len(searches) == 1 and "?step" not in searches[0]
    entity, xsd = "<http://provml.localhost/id/entity/", "<http://www.w3.org/2001/XMLSchema#"
    route = (
        f"VALUES (?from ?to ?length ?total ?n1 ?n2 ?n3 ?n4 ?n5 ?r1 ?r2 ?r3 ?r4 ?r5 ?r6) "
        f'{{ ({entity}mlp-1> {entity}mlp-4> "2"^^{xsd}integer> "0.07500000000000001"^^'
        f"{xsd}double> {entity}mlp-2> UNDEF UNDEF UNDEF UNDEF "
        "<http://provml.localhost/id/revision/mlp-2/mlp-1> "
        "<http://provml.localhost/id/revision/mlp-4/mlp-2> UNDEF UNDEF UNDEF UNDEF) }"
    )
    assert store.asked[-1].count(route) == 2
    # no route: an empty VALUES block, so no step rows and the measures without a weight
    store.asked.clear()
    rows = ask("version-explain", store=store, names=False, **{"from": "mlp-3", "to": "mlp-4"})
    assert tuples(rows, "step", "weight", "measure") == [(None, None, "accuracy")]
    assert store.asked[-1].count("?r4 ?r5 ?r6) {  }") == 2
