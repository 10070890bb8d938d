"""The web UI's run page shows a run's data pipeline (provlake.data), in a real headless Chromium:
the graph of its operations and their table, as the manager answers pipeline-dag."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import provlake as pl
from provlake import data
from tests.integration.conftest import Manager, run_manager
from tests.integration.test_ui_browser import Browser, chromium

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    """A manager holding one run with a pipeline of two sources interleaved, mapped and batched."""
    folder = tmp_path_factory.mktemp("ui-pipeline")
    with run_manager(f"oxigraph:{folder / 'store'}", folder) as running:
        client = pl.Client(manager=running.url, capture_environment=False, spool_dir=folder)
        with client.start_run("pipeline-ui", run_id="ui1"):
            a = data.from_iterable(range(10), identifier="evens")
            b = data.from_iterable(range(10, 20), identifier="odds")
            batches = a.interleave(b, identifier="mix").map(lambda x: x * 2, "double").batch(4)
            assert len(list(batches)) == 5
        assert client.flush(30, acknowledged=True)
        client.close()
        yield running


@pytest.fixture(scope="module")
def browser(manager: Manager, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(manager.url, tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def test_run_page_draws_the_pipeline(browser: Browser) -> None:
    browser.open("run/ui1")
    browser.wait("document.querySelectorAll('table.pipeline tbody tr').length === 5")
    rows = browser.run(
        "[...document.querySelectorAll('table.pipeline tbody tr')]"
        ".map(r => [...r.querySelectorAll('td')].slice(0, 5).map(c => c.textContent))"
    )
    assert rows[0] == ["1", "from_iterable", "evens", "", "10"]
    assert rows[2][:3] == ["3", "interleave", "mix"]
    assert sorted(rows[2][3].split(", ")) == ["1", "2"]
    assert rows[3:] == [["4", "map", "double", "3", "20"], ["5", "batch", "batch", "4", "5"]]
    graph = browser.wait(
        "document.querySelector('.pipeline-graph').cy && "
        "[document.querySelector('.pipeline-graph').cy.nodes().length, "
        "document.querySelector('.pipeline-graph').cy.edges().length]"
    )
    assert graph == [5, 4]
    browser.screenshot("run-pipeline")
    browser.assert_clean()


def test_a_run_without_a_pipeline_has_no_pipeline_card(
    browser: Browser, manager: Manager, tmp_path
) -> None:
    client = pl.Client(manager=manager.url, capture_environment=False, spool_dir=tmp_path)
    run = client.start_run("plain", run_id="ui2")
    with run.stage("training", "training") as stage:
        stage.log_metrics(loss=0.5)
    run.end()
    assert client.flush(30, acknowledged=True)
    client.close()
    browser.open("run/ui2")
    # the metrics card comes after the pipeline's, once pipeline-dag has answered
    browser.wait("[...document.querySelectorAll('h2')].some(t => t.textContent === 'Metrics')")
    titles = browser.run("[...document.querySelectorAll('h2')].map(t => t.textContent)")
    assert "Data pipeline" not in titles and "Timeline" in titles
    browser.assert_clean()
