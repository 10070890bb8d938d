"""The web UI on DLProv's reference run, in a real headless Chromium: the 23 requests
``dfa_lib_python`` sent, posted to a real manager's DfAnalyzer routes, show as one ended execution
of ``mnist`` with its losses, its two learning-rate adaptations, its steps named by transformation
and task, its datasets and trained model, and the model's lineage back to the raw input.

Screenshots go to ``ui-screenshots/`` like the other browser tests'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provlake.dataflow._ids import run_id
from tests.dlprov import EXEC, LOSSES, reference
from tests.integration.conftest import Manager, run_manager
from tests.integration.test_ui_browser import Browser, chromium

pytestmark = pytest.mark.integration

RUN = run_id(EXEC)
STEPS = ["loaddata 1", "applyfilter 2", "splitdata 3", "train 4", "adaptation 5", "test 6"]


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    """A manager on an on-disk store that received DLProv's reference traffic on its DfAnalyzer
    routes."""
    folder = tmp_path_factory.mktemp("ui-dlprov")
    with run_manager(f"oxigraph:{folder / 'store'}", folder) as running:
        with httpx.Client(base_url=running.url, timeout=60) as client:
            for request in reference():
                answer = client.post(request["norm_path"], json=request["body"])
                assert answer.status_code == 200, answer.text
        yield running


@pytest.fixture(scope="module")
def browser(manager: Manager, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(manager.url, tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def _api(manager: Manager, path: str) -> Any:
    answer = httpx.get(manager.url + path, timeout=60)
    answer.raise_for_status()
    return answer.json()


def test_runs_table_shows_the_execution_ended_with_its_metrics(browser: Browser) -> None:
    browser.open("runs")
    browser.wait("document.querySelectorAll('tr[data-run]').length === 1")
    (row,) = browser.run(
        "[...document.querySelectorAll('tr[data-run]')].map(r => ({run: r.dataset.run, "
        "status: r.dataset.status, name: r.querySelector('td.name a').textContent, "
        "cells: Object.fromEntries([...r.querySelectorAll('td[data-column]')]"
        ".map(c => [c.dataset.column, c.dataset.value]))}))"
    )
    assert (row["run"], row["name"]) == (RUN, "mnist")
    assert row["status"] == "ended"  # every task it began has ended: DfAnalyzer sends no end
    cells = row["cells"]
    assert float(cells["metric.loss"]) == LOSSES[-1]
    assert float(cells["metric.test_loss"]) == 0.1873
    assert float(cells["hp.learning_rate"]) == 0.002
    browser.screenshot("dlprov-runs")
    browser.assert_clean()


def test_run_page_shows_losses_adaptations_steps_and_the_model(
    manager: Manager, browser: Browser
) -> None:
    browser.open(f"run/{RUN}")
    chart = "document.querySelector('.chart[data-metric=\"loss\"]')"
    browser.wait(f"{chart} && {chart}.chartData")
    (series,) = browser.run(f"{chart}.chartData")
    assert series["x"] == [1, 2, 3, 4, 5]
    assert series["y"] == LOSSES
    adapted = browser.run(
        "[...document.querySelectorAll('table.hyperparameters tr')].map(r => r.textContent)"
        ".filter(t => t.includes('adapted at'))"
    )
    assert [re.search(r"adapted at (\d)", t).group(1) for t in adapted] == ["1", "3"]
    assert all("adaptation 5" in t for t in adapted)  # set by the Adaptation task
    steps = browser.run(
        "[...document.querySelectorAll('.timeline .tl-label')].map(l => l.textContent)"
    )
    assert steps == STEPS
    links = browser.run("[...document.querySelectorAll('main a')].map(a => a.textContent)")
    assert "trained_model" in links and "iinputdataset" in links and "otest" in links
    assert not [x for x in links if x.startswith("DataElement")], links  # no bare element ids
    (model,) = [
        e for e in _api(manager, f"/api/v1/runs/{RUN}")["generated"] if e["type"] == "Model"
    ]
    assert (model["label"], model["execution_label"]) == ("trained_model", "train 4")
    browser.screenshot("dlprov-run")
    browser.assert_clean()


def test_lineage_of_the_trained_model_reaches_the_raw_input(
    manager: Manager, browser: Browser
) -> None:
    detail = _api(manager, f"/api/v1/runs/{RUN}")
    (model,) = [e for e in detail["generated"] if e["type"] == "Model"]
    browser.open(f"lineage/{model['iri']}?depth=6&direction=up")
    browser.wait("!!(document.getElementById('graph') && document.getElementById('graph').cy)")
    labels = browser.run("document.getElementById('graph').cy.nodes().map(n => n.data('label'))")
    expected = {"trained_model", "train 4", "otrainset", "splitdata 3", "ofilter", "oloaddata"}
    expected |= {"loaddata 1", "iinputdataset", "iinputdataset: MNIST", "learning_rate = 0.002"}
    assert expected <= set(labels), labels
    assert not [x for x in labels if x.startswith("DataElement")], labels
    assert not [x for x in labels if re.fullmatch(r"[0-9a-f]{12,}", x)], labels
    browser.screenshot("dlprov-lineage")
    browser.assert_clean()
