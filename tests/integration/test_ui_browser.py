"""The web UI in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by
Selenium) against a real manager holding the demo's trainings: every view loads with no console
error and no request leaving this machine, and shows the numbers the trainings recorded themselves.

Screenshots of each view go to ``ui-screenshots/`` at the repository root (kept out of git).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.demo._runner import DEFAULT_GRID, DOMAIN_GRAPH
from services.demo._training import DIGITS_IRI, Outcome, prepare_data, train
from tests.integration.batches import T0, batch, new_id, record
from tests.integration.conftest import Manager, run_manager

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "ui-screenshots"
EPOCHS = 12
WAIT = 30
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


@dataclass
class Site:
    manager: Manager
    outcomes: list[Outcome]
    preparation: str

    def best(self) -> Outcome:
        return max(self.outcomes, key=lambda o: o.test_accuracy)

    def api(self, path: str) -> Any:
        answer = httpx.get(self.manager.url + path, timeout=60)
        answer.raise_for_status()
        return answer.json()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A manager on an on-disk store with the demo's domain graph, then the demo's preparation and
    its four trainings of 12 epochs captured into it by the capture client."""
    import provlake as pl
    from queryengine import attach_domain_graph
    from services.store import open_store

    folder = tmp_path_factory.mktemp("ui")
    store = folder / "store"
    with open_store(f"oxigraph:{store}") as db:
        attach_domain_graph(db, "optdigits", DOMAIN_GRAPH)
    cwd = Path.cwd()
    os.chdir(folder)  # the capture client's spool stays in the temp folder
    try:
        with run_manager(f"oxigraph:{store}", folder) as manager:
            prepared = prepare_data(manager.url)
            outcomes = [
                train(manager.url, prepared, c, epochs=EPOCHS, model_dir=folder / "models")
                for c in DEFAULT_GRID
            ]
            assert pl.flush(timeout=60, acknowledged=True)
            yield Site(manager, outcomes, prepared.run_id)
    finally:
        os.chdir(cwd)


class Browser:
    """A Chromium page on the manager, collecting console errors and every requested URL."""

    def __init__(self, driver: Any, base: str) -> None:
        self.driver = driver
        self.base = base
        self.errors: list[str] = []
        self.requests: list[str] = []

    def open(self, fragment: str) -> None:
        self.driver.get(f"{self.base}/#/{fragment}")

    def wait(self, script: str, timeout: float = WAIT) -> Any:
        """Wait until the JavaScript expression ``script`` is truthy; return its value."""
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            lambda d: d.execute_script(f"return {script}")
        )

    def run(self, script: str) -> Any:
        return self.driver.execute_script(f"return {script}")

    def collect(self) -> None:
        for entry in self.driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                self.errors.append(entry["message"])
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])

    def screenshot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.driver.save_screenshot(str(SHOTS / f"{name}.png"))

    def assert_clean(self) -> None:
        """No console error, and no network request to anywhere but this manager (the browser's own
        ``chrome:`` pages are not network requests)."""
        self.collect()
        assert self.errors == [], self.errors
        network = [u for u in self.requests if u.startswith(("http:", "https:", "ws:", "wss:"))]
        assert any(u.startswith(self.base) for u in network)  # the log does see the page's requests
        outside = [u for u in network if not u.startswith(self.base + "/")]
        assert outside == [], outside


@contextmanager
def chromium(base: str, profile: Path) -> Iterator[Browser]:
    """A headless Chromium on the manager at ``base``, with its profile in ``profile``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield Browser(driver, base)
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def browser(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(site.manager.url, tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def test_runs_table_shows_the_trainings_with_their_test_accuracy(
    site: Site, browser: Browser
) -> None:
    browser.open("runs")
    browser.wait("document.querySelectorAll('tr[data-run]').length === 5")
    rows = browser.run(
        "[...document.querySelectorAll('tr[data-run]')].map(r => ({run: r.dataset.run, "
        "status: r.dataset.status, name: r.querySelector('td.name a').textContent, "
        "accuracy: (r.querySelector('td[data-column=\"metric.test_accuracy\"]') || {}).dataset}))"
    )
    trainings = {r["run"]: r for r in rows if r["name"] == "digits-mlp"}
    assert set(trainings) == {o.run_id for o in site.outcomes}
    for outcome in site.outcomes:
        row = trainings[outcome.run_id]
        assert float(row["accuracy"]["value"]) == outcome.test_accuracy
        assert row["status"] == "finished"
    preparation = next(r for r in rows if r["run"] == site.preparation)
    assert preparation["name"] == "digits-preparation"
    browser.screenshot("runs")
    browser.assert_clean()


def test_run_page_charts_the_recorded_loss(site: Site, browser: Browser) -> None:
    best = site.best()
    browser.open(f"run/{best.run_id}")
    chart = "document.querySelector('.chart[data-metric=\"loss\"]')"
    browser.wait(f"{chart} && {chart}.chartData")
    (series,) = browser.run(f"{chart}.chartData")
    assert series["x"] == list(range(EPOCHS))
    assert series["y"] == [epoch["loss"] for epoch in best.curve]
    adapted = browser.run(
        "[...document.querySelectorAll('table.hyperparameters tr')].map(r => r.textContent)"
        ".filter(t => t.includes('adapted at'))"
    )
    assert len(adapted) == len(best.lr_changes) == 2
    # the environment card shows its first 8 rows and folds the rest under "N more"
    environment = site.api(f"/api/v1/runs/{best.run_id}")["environment"]
    assert len(environment) > 8
    card = (
        "[...document.querySelectorAll('section.card')]"
        ".find(c => c.querySelector('h2').textContent === 'Environment')"
    )
    shown, folded, summary = browser.run(
        f"(() => {{ const c = {card};"
        " return [c.querySelectorAll(':scope > .folded > table tbody tr').length,"
        " c.querySelectorAll('details tbody tr').length,"
        " c.querySelector('details > summary').textContent]; })()"
    )
    assert (shown, folded, summary) == (8, len(environment) - 8, f"{len(environment) - 8} more")
    browser.screenshot("run")
    browser.assert_clean()


def test_compare_shows_exactly_the_differing_hyperparameters(site: Site, browser: Browser) -> None:
    ids = ",".join(o.run_id for o in site.outcomes)
    browser.open(f"compare/{ids}")
    names = "[...document.querySelectorAll('table.parameters tbody tr td:first-child')]"
    browser.wait(f"{names}.length > 0")
    assert browser.run(f"{names}.map(c => c.textContent)") == ["hidden_units", "lr"]
    browser.run("document.getElementById('only-differences').click()")
    assert browser.run(f"{names}.map(c => c.textContent)") == [
        "batch_size",
        "epochs",
        "hidden_units",
        "lr",
        "momentum",
        "solver",
    ]
    browser.run("document.getElementById('only-differences').click()")
    browser.wait("document.querySelectorAll('.chart[data-metric=\"val_accuracy\"]').length === 1")
    overlaid = browser.run(
        "document.querySelector('.chart[data-metric=\"val_accuracy\"]').chartData.length"
    )
    assert overlaid == len(site.outcomes)
    browser.screenshot("compare")
    browser.assert_clean()


def test_lineage_of_the_best_model_reaches_the_raw_data_and_the_domain_entity(
    site: Site, browser: Browser
) -> None:
    detail = site.api(f"/api/v1/runs/{site.best().run_id}")
    (model,) = [e for e in detail["generated"] if e["type"] == "Model"]
    browser.open(f"lineage/{httpx.QueryParams({'x': model['iri']})['x']}?depth=6&direction=up")
    browser.wait("!!(document.getElementById('graph') && document.getElementById('graph').cy)")
    labels = browser.run("document.getElementById('graph').cy.nodes().map(n => n.data('label'))")
    assert model["label"] in labels
    assert "digits" in labels  # the raw dataset
    assert "Optical Recognition of Handwritten Digits" in labels  # the domain entity
    ids = browser.run("document.getElementById('graph').cy.nodes().map(n => n.id())")
    assert DIGITS_IRI in ids
    assert not [x for x in labels if re.fullmatch(r"[0-9a-f]{12,}", x)], labels  # no bare hex
    browser.screenshot("lineage")
    browser.assert_clean()
    # the same graph from the model's name, the model in focus
    browser.open(f"lineage/{model['label']}?depth=6&direction=up")
    browser.wait(  # the page of the name, its graph drawn
        f"document.querySelector('.toolbar input').value === '{model['label']}'"
        " && !!(document.getElementById('graph') && document.getElementById('graph').cy)"
    )
    assert browser.run("document.getElementById('graph').cy.nodes().length") == len(labels)
    focus = browser.run(
        "document.getElementById('graph').cy.nodes().filter(n => n.data('focus')).map(n => n.id())"
    )
    assert focus == [model["iri"]]
    browser.assert_clean()


def test_node_page_names_its_links(site: Site, browser: Browser) -> None:
    detail = site.api(f"/api/v1/runs/{site.best().run_id}")
    (model,) = [e for e in detail["generated"] if e["type"] == "Model"]
    browser.open(f"node/{httpx.QueryParams({'x': model['iri']})['x']}")
    browser.wait("document.querySelector('table.properties')")
    text = browser.run("document.querySelector('main').textContent")
    assert model["label"] in text and "provml:Model" in text and "Turtle" in text
    assert "training" in browser.run(
        "[...document.querySelectorAll('table.properties a')].map(a => a.textContent)"
    )
    browser.screenshot("node")
    browser.assert_clean()


def test_sparql_query_runs_and_shows_its_rows(site: Site, browser: Browser) -> None:
    browser.open("sparql")
    browser.wait("!!window.provmlYasgui")
    browser.run(
        "(() => { const tab = window.provmlYasgui.getTab(); tab.getYasqe().setValue("
        "'PREFIX provml: <https://w3id.org/provml#>\\n"
        "SELECT ?run WHERE { ?run a provml:LearningExperimentExecution }'); "
        "tab.getYasqe().query(); return true; })()"
    )
    rows = "document.querySelectorAll('.yasr table tbody tr')"
    browser.wait(f"{rows}.length === {len(site.outcomes)}")
    shown = browser.run(f"[...{rows}].map(r => r.textContent).join(' ')")
    for outcome in site.outcomes:
        assert outcome.run_id in shown
    browser.screenshot("sparql")
    browser.assert_clean()


def test_question_form_answers_with_names(site: Site, browser: Browser) -> None:
    browser.open("questions/rank-trainings")
    browser.wait("document.querySelector('form.question input[name=\"measure\"]')")
    browser.run(
        "(() => { const f = document.querySelector('form.question'); "
        "f.elements.measure.value = 'test_accuracy'; f.requestSubmit(); return true; })()"
    )
    browser.wait(
        f"document.querySelectorAll('table.answer tbody tr').length === {len(site.outcomes)}"
    )
    first = browser.run("document.querySelector('table.answer tbody tr').textContent")
    assert f"{site.best().test_accuracy:.4g}".rstrip("0") in first
    assert "digits-mlp" in first  # the run is named, not shown as its IRI
    browser.screenshot("questions")
    browser.assert_clean()


def test_question_form_takes_names_and_lists_the_runs_a_name_is_ambiguous_for(
    site: Site, browser: Browser
) -> None:
    """The four trainings share their experiment's name: asking by it lists them, each a button
    that asks again with its IRI; a model's name is taken as it is."""
    browser.open("questions/upstream")
    browser.wait("document.querySelector('form.question input[name=\"start\"]')")
    ask = (
        "(() => { const f = document.querySelector('form.question'); "
        "f.elements.start.value = %s; f.elements.hops.value = '1'; f.requestSubmit(); "
        "return true; })()"
    )
    browser.run(ask % "'digits-mlp'")
    browser.wait(f"document.querySelectorAll('ul.candidates li').length === {len(site.outcomes)}")
    listed = browser.run("document.querySelector('ul.candidates').textContent")
    assert all(o.run_id in listed or "digits-mlp" in listed for o in site.outcomes)
    message = browser.run("document.querySelector('p.message.error').textContent")
    assert (
        message
        == "parameter 'start': 4 runs are called 'digits-mlp'; give the IRI (or id) of one of them:"
    )
    browser.screenshot("questions-ambiguous")
    browser.collect()  # the refusal is the one console error: Chrome reports every 400
    assert browser.errors == [
        f"{site.manager.url}/api/v1/questions/upstream - Failed to load resource: the server "
        "responded with a status of 400 (Bad Request)"
    ]
    browser.errors.clear()
    browser.run("document.querySelector('ul.candidates button').click()")
    browser.wait("document.querySelectorAll('table.answer tbody tr').length > 0")
    assert browser.run("document.querySelector('form.question').elements.start.value").startswith(
        "http://"
    )
    best = site.best().config
    browser.run(ask % f"'mlp-h{best.hidden}-lr{best.lr}'")
    browser.wait(
        "[...document.querySelectorAll('table.answer tbody tr')].map(r => r.textContent)"
        ".join(' ').includes('training')"
    )
    shown = browser.run("document.querySelector('table.answer').textContent")
    assert "http://" not in shown  # IRIs shown by their names
    browser.assert_clean()


def test_quarantine_lists_and_opens_a_report(site: Site, browser: Browser) -> None:
    run = new_id()
    bad = batch(
        record("run.start", run, run, name="exp"),
        record("run.end", run, run, time=T0 - 60, status="finished"),
    )
    answer = httpx.post(site.manager.url + "/api/v1/capture", json=bad, timeout=60)
    assert answer.status_code == 422
    entry = answer.json()["details"]["quarantine_id"]
    browser.open(f"quarantine/{entry}")
    browser.wait("document.querySelector('pre.batch')")
    text = browser.run("document.querySelector('main').textContent")
    assert entry in text and run in text and "SHACL report" in text
    browser.screenshot("quarantine")
    browser.collect()
    browser.errors.clear()  # the report's own 422 capture came from httpx, not from the page
    browser.assert_clean()


def test_a_capture_posted_now_appears_in_the_open_runs_table(site: Site, browser: Browser) -> None:
    browser.open("runs")
    browser.wait("document.querySelectorAll('tr[data-run]').length >= 5")
    run = new_id()
    start = record("run.start", run, run, time=T0 + 10**6, name="live-probe")
    httpx.post(
        site.manager.url + "/api/v1/capture", json=batch(start), timeout=60
    ).raise_for_status()
    row = f"document.querySelector('tr[data-run=\"{run}\"]')"
    assert browser.wait(f"{row} && {row}.dataset.status") == "running"
    end = record("run.end", run, run, time=T0 + 10**6 + 5, status="finished")
    httpx.post(site.manager.url + "/api/v1/capture", json=batch(end), timeout=60).raise_for_status()
    assert browser.wait(f"{row} && {row}.dataset.status === 'finished' && 'ok'") == "ok"
    browser.screenshot("runs-live")
    browser.assert_clean()
