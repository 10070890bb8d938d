"""The dataflow paths and the version explanation on data where they find something (the legacy
capture of test_remote_questions has no DLProv dataflow and no inferred revision): DLProv's
reference run and the version-graph example, written by the real ingest into the embedded store,
then copied as they are into the session's Virtuoso (its provml graphs dropped first).

The embedded store answers them exactly, and Virtuoso 7.2 gives the same rows: the dataflow
paths as one walk of nested one-hop sub-selects, the version explanation with its route search
asked first (``# @prefetch``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from queryengine import ask
from services.ingest import Ingestor
from services.store import Store, open_store
from tests.dlprov import EXEC, replay
from tests.queryengine.versions_capture import load_versions

pytestmark = pytest.mark.integration

ENTITY = "http://provml.localhost/id/entity/"


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, virtuoso_server: str) -> Iterator[dict]:
    folder: Path = tmp_path_factory.mktemp("remote-dataflow")
    with open_store(f"oxigraph:{folder / 'store'}") as embedded, open_store(virtuoso_server) as v:
        replay(Ingestor(embedded))
        load_versions(embedded)
        quads = list(ox.parse(embedded.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
        v.update("DROP ALL")
        v.add(quads)
        assert v.count() == embedded.count() == len(quads)
        yield {"embedded": embedded, "virtuoso": v}


def _rows(store: Store, question: str, **params: object) -> list[dict]:
    return [dict(r) for r in ask(question, store=store, **params)]


CASES = [
    (
        "dataflow-shortest-path",
        {"dataflow": "mnist", "source": "otest", "target": "oLoadData"},
        [{"execution": EXEC, "length": 4, "path": "otest ← test ← otestset ← ofilter ← oloaddata"}],
    ),
    (
        "dataflow-shortest-path",
        {"dataflow": "mnist", "source": "oloaddata", "target": "otest"},
        [{"execution": EXEC, "length": 4, "path": "oloaddata → ofilter → otestset → test → otest"}],
    ),
    (
        "dataflow-lineage",
        {"dataflow": "mnist", "source": "otest", "target": "iinputdataset"},
        [
            {"execution": EXEC, "length": 6, "path": "otest ← test ← otestset ← ofilter"
             " ← oloaddata ← loaddata ← iinputdataset"},
            {"execution": EXEC, "length": 8, "path": "otest ← test ← otrainedmodel ← train"
             " ← otrainset ← ofilter ← oloaddata ← loaddata ← iinputdataset"},
            {"execution": EXEC, "length": 8, "path": "otest ← test ← otrainedmodel ← train"
             " ← ovalset ← ofilter ← oloaddata ← loaddata ← iinputdataset"},
        ],
    ),
    (
        "dataflow-lineage",
        {"dataflow": "mnist", "source": "iinputdataset", "target": "OTEST", "max_hops": 7},
        [{"execution": EXEC, "length": 6, "path": "iinputdataset → loaddata → oloaddata → ofilter"
          " → otestset → test → otest"}],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("question", "params", "expected"), CASES)
def test_dataflow_paths(
    stores: dict[str, Store], question: str, params: dict, expected: list[dict]
) -> None:
    assert _rows(stores["embedded"], question, **params) == expected
    assert _rows(stores["virtuoso"], question, **params) == expected


def _step(step: int, older: str, newer: str, weight: float, input_: str, versions, change):
    return {
        "step": step,
        "older": ENTITY + older,
        "older_name": f"mlp ({older})",
        "newer": ENTITY + newer,
        "newer_name": f"mlp ({newer})",
        "weight": weight,
        "input": input_,
        "input_from": versions[0],
        "input_to": versions[1],
        "change": change,
        "measure": None,
        "from_value": None,
        "to_value": None,
    }


def test_version_explain(stores: dict[str, Store]) -> None:
    params = {"from": "mlp-1", "to": "mlp-4"}
    expected = [
        _step(1, "mlp-1", "mlp-2", 0.05, "algorithm/mlp-code", ("v1", "v1"), 0.0),
        _step(1, "mlp-1", "mlp-2", 0.05, "dataset/digits", ("v1", "v2"), 0.1),
        _step(2, "mlp-2", "mlp-4", 0.025, "algorithm/mlp-code", ("v1", "v2"), 0.05),
        _step(2, "mlp-2", "mlp-4", 0.025, "dataset/digits", ("v2", "v2"), 0.0),
        {
            **_step(None, "mlp-1", "mlp-4", 0.07500000000000001, None, (None, None), None),
            "measure": "accuracy",
            "from_value": 0.9,
            "to_value": 0.95,
        },
    ]
    assert _rows(stores["embedded"], "version-explain", **params) == expected
    assert _rows(stores["virtuoso"], "version-explain", **params) == expected


@pytest.mark.parametrize(
    "params",
    [{"from": "mlp-3", "to": "mlp-4"}, {"from": "mlp-1", "to": "mlp-3", "max_hops": 1}],
    ids=["no-route", "route-too-long"],
)
def test_version_explain_without_a_route(stores: dict[str, Store], params: dict) -> None:
    expected = _rows(stores["embedded"], "version-explain", **params)
    assert [(r["step"], r["weight"], r["measure"]) for r in expected] == [(None, None, "accuracy")]
    assert _rows(stores["virtuoso"], "version-explain", **params) == expected
