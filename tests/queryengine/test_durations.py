"""Durations in seconds, exact, on the embedded store and on every remote server (``oxigraph
serve``, Virtuoso): stages shorter than a second that cross a second, midnight, the end of a month
and a leap day; times with zone offsets (whole and half hours, east and west of UTC); a stage not
ended yet. The capture of the other question tests holds whole seconds in UTC only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from queryengine import ask
from services.store import Store, open_store
from tests.conftest import remote_store_params, remote_store_uri
from tests.queryengine.capture import BASE

# stage: (started, ended) as captured, and the seconds between them worked out by hand
STAGES = {
    # 23:59:59.999950 on 28 February 2024 to 00:00:00.000099 on the 29th (a leap day)
    "leap-midnight": ("2024-02-28T23:59:59.99995Z", "2024-02-29T00:00:00.000099Z", 0.000149),
    # 12:00:00.999900 to 12:00:01.000050: across a second boundary
    "second": ("2024-02-29T12:00:00.9999Z", "2024-02-29T12:00:01.00005Z", 0.00015),
    # 31 December 23:59:59.75 to 1 January 00:00:00.25: across a year
    "new-year": ("2023-12-31T23:59:59.75Z", "2024-01-01T00:00:00.25Z", 0.5),
    # 23:00:00.5 UTC (01:00:00.5 the next day at +02:00) to 23:00:01.25 UTC (18:00:01.25 at -05:00)
    "zones": ("2024-02-29T01:00:00.5+02:00", "2024-02-28T18:00:01.25-05:00", 0.75),
    # 23:59:59.9999 UTC on 29 February (05:29:59.9999 on 1 March at +05:30) to 23:59:59.99995 UTC
    "half-hour-zone": ("2024-03-01T05:29:59.9999+05:30", "2024-02-29T23:59:59.99995Z", 0.00005),
    # 31 January 23:30 to 1 February 00:45:00.000001: across a month, over an hour
    "month": ("2024-01-31T23:30:00Z", "2024-02-01T00:45:00.000001Z", 4500.000001),
}
RUN_START, RUN_END = "2023-12-31T23:59:59.75Z", "2024-03-01T00:00:00.000001Z"
RUN_SECONDS = 5184000.250001  # 60 days (31 in January, 29 in February) and 0.250001 s
OPEN_START = "2024-03-01T00:00:00Z"  # a stage, and a second run, not ended yet

_PREFIXES = """@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix provml: <https://w3id.org/provml#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def _quads(trig: str) -> list[ox.Quad]:
    return list(ox.parse(_PREFIXES + trig, format=ox.RdfFormat.TRIG, base_iri=BASE))


def _time(text: str) -> str:
    return f'"{text}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'


def _trig() -> str:
    time = _time
    lines = [
        "<graph/catalog> { <experiment/timing> a provml:LearningExperiment, prov:Plan ;"
        ' rdfs:label "timing" . }',
        "<graph/run/timed> {",
        "  <run/timed> a provml:LearningExperimentExecution, prov:Activity ;"
        ' provml:identifier "timed" ; provml:executionOf <experiment/timing> ;'
        f" prov:startedAtTime {time(RUN_START)} ; prov:endedAtTime {time(RUN_END)} ;"
        ' provml:status "finished" .',
    ]
    for name, (started, ended, _) in {**STAGES, "open": (OPEN_START, None, None)}.items():
        lines += [
            f"  <experiment/timing/stage/{name}> a provml:TrainingStage, prov:Plan ;"
            f' rdfs:label "{name}" .',
            f"  <execution/timed-{name}> a provml:TrainingExecution, prov:Activity ;"
            f" provml:executionOf <experiment/timing/stage/{name}> ; provml:isPartOf <run/timed> ;"
            f" prov:startedAtTime {time(started)}"
            + (f" ; prov:endedAtTime {time(ended)} ." if ended else " ."),
        ]
    lines += [
        "}",
        "<graph/run/running> {",
        "  <run/running> a provml:LearningExperimentExecution, prov:Activity ;"
        ' provml:identifier "running" ; provml:executionOf <experiment/timing> ;'
        f" prov:startedAtTime {time(OPEN_START)} .",
        "}",
    ]
    return "\n".join(lines)


@pytest.fixture(scope="module", params=["embedded", *remote_store_params()])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    if request.param == "embedded":
        opened = open_store(f"oxigraph:{Path(tmp_path_factory.mktemp('durations')) / 'store'}")
    else:
        opened = open_store(remote_store_uri(request, request.param))
        opened.update("DROP ALL")
    with opened:
        opened.add(_quads(_trig()))
        yield opened


def _seconds_since(start: str) -> float:
    return (datetime.now(UTC) - datetime.fromisoformat(start)).total_seconds()


def test_execution_times(store: Store) -> None:
    rows = ask("execution-times", store=store, run="timed", names=False)
    assert {r["stage"]: r["seconds"] for r in rows} == {
        **{name: seconds for name, (_, _, seconds) in STAGES.items()},
        "open": None,
    }


def test_training_status(store: Store) -> None:
    rows = ask("training-status", store=store, run="timed", names=False)
    assert [(r["status"], r["elapsed_seconds"], r["metric"]) for r in rows] == [
        ("finished", RUN_SECONDS, None)
    ]
    before = _seconds_since(OPEN_START)
    (row,) = ask("training-status", store=store, run="running", names=False)
    after = _seconds_since(OPEN_START)
    assert row["status"] == "running" and before - 1 <= row["elapsed_seconds"] <= after + 1


def test_runs(store: Store) -> None:
    before = _seconds_since(OPEN_START)
    rows = ask("runs", store=store, names=False)
    after = _seconds_since(OPEN_START)
    assert [(r["run"].removeprefix(BASE), r["status"]) for r in rows] == [
        ("run/running", "running"),
        ("run/timed", "finished"),
    ]
    assert rows[1]["duration_seconds"] == RUN_SECONDS
    assert before - 1 <= rows[0]["duration_seconds"] <= after + 1


def test_a_run_begun_seconds_ago(store: Store) -> None:
    """Its elapsed time changes between any two requests: a store that asks twice for one answer
    (Virtuoso's exact doubles) sends both the same instant for NOW()."""
    begun = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    store.add(
        _quads(
            "<graph/run/young> { <run/young> a provml:LearningExperimentExecution ;"
            ' provml:identifier "young" ; provml:executionOf <experiment/timing> ;'
            f" prov:startedAtTime {_time(begun)} . }}"
        )
    )
    for _ in range(3):
        before = _seconds_since(begun)
        (row,) = ask("training-status", store=store, run="young", names=False)
        (young,) = [r for r in ask("runs", store=store, names=False) if r["run"].endswith("young")]
        after = _seconds_since(begun)
        assert before - 1 <= row["elapsed_seconds"] <= young["duration_seconds"] <= after + 1
