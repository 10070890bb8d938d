"""The web UI's Versions page in a real headless Chromium against a real manager holding
registered dataset and algorithm versions and three trainings whose model versions the manager
inferred: the list names every versioned object with its counts, a dataset's graph shows its
declared revisions with their weights, the models' graph the inferred ones (dashed). Same browser
rules as ``test_ui_browser.py``: no console error, no request leaving this machine; screenshots to
``ui-screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import Manager, run_manager
from tests.integration.test_ui_browser import Browser, chromium
from tests.services.ingest.versions_batches import CODE, DATA, T0, A, D, batch, registry, training

pytestmark = pytest.mark.integration

BASE = "http://provml.localhost/id/"


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    folder = tmp_path_factory.mktemp("ui-versions")
    with run_manager(f"oxigraph:{folder / 'store'}", folder) as running:
        with running.client() as client:
            assert client.post("/api/v1/capture", json=registry(*DATA, *CODE)).status_code == 200
            for i, v in enumerate(("v1", "v2", "v3"), start=1):
                job = training(f"r{i}", T0 + 10 * i, [D[v], A["v1"]], f"m{i}")
                assert client.post("/api/v1/capture", json=batch(*job)).status_code == 200
        yield running


@pytest.fixture(scope="module")
def browser(manager: Manager, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(manager.url, tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


def test_the_api_lists_objects_and_refuses_an_unknown_one(manager: Manager) -> None:
    with manager.client() as client:
        objects = client.get("/api/v1/versions").json()["objects"]
        missing = client.get("/api/v1/versions/dataset/nothing")
    assert [(o["kind"], o["name"], o["versions"], o["revisions"]) for o in objects] == [
        ("algorithm", "code", 2, 1),
        ("dataset", "digits", 3, 2),
        ("model", "mlp", 3, 2),
    ]
    assert missing.status_code == 404
    body = missing.json()
    assert body["error"] == "not_found"
    assert body["details"] == [
        {"field": "name", "message": "no dataset called 'nothing' has versions"}
    ]


def test_versions_page_lists_the_objects(manager: Manager, browser: Browser) -> None:
    browser.open("versions")
    browser.wait("document.querySelectorAll('table.versioned-objects tbody tr').length === 3")
    rows = browser.run(
        "[...document.querySelectorAll('table.versioned-objects tbody tr')]"
        ".map(r => [...r.cells].map(c => c.textContent))"
    )
    assert rows == [
        ["algorithm", "code", "2", "1"],
        ["dataset", "digits", "3", "2"],
        ["model", "mlp", "3", "2"],
    ]
    browser.assert_clean()


def test_a_datasets_graph_shows_its_declared_revisions_with_their_weights(
    manager: Manager, browser: Browser
) -> None:
    browser.open("versions/dataset/digits")
    browser.wait("!!(document.getElementById('graph') && document.getElementById('graph').cy)")
    edges = browser.run(
        "document.getElementById('graph').cy.edges().map(e => "
        "[e.data('source'), e.data('target'), e.data('text'), e.style('line-style')])"
    )
    assert sorted(edges) == [
        [BASE + f"entity/{D['v1']}", BASE + f"entity/{D['v2']}", "0.1", "solid"],
        [BASE + f"entity/{D['v2']}", BASE + f"entity/{D['v3']}", "0.2", "solid"],
    ]
    labels = browser.run("document.getElementById('graph').cy.nodes().map(n => n.data('label'))")
    assert sorted(labels) == ["digits v1", "digits v2", "digits v3"]
    browser.screenshot("versions-dataset")
    browser.assert_clean()


def test_the_models_graph_shows_the_inferred_revisions_dashed(
    manager: Manager, browser: Browser
) -> None:
    answer = httpx.get(
        manager.url + "/api/v1/questions/version-graph",
        params={"kind": "model", "name": "mlp"},
        timeout=60,
    ).json()
    # a model version differs from the one before by the mean of its inputs' differences: the
    # dataset's declared weight and 0 for the unchanged algorithm
    expected = sorted((r["from"], r["to"], r["weight"]) for r in answer["rows"])
    assert expected == [
        (BASE + "entity/m1", BASE + "entity/m2", 0.05),
        (BASE + "entity/m2", BASE + "entity/m3", 0.1),
    ]
    browser.open("versions/model/mlp")
    browser.wait("!!(document.getElementById('graph') && document.getElementById('graph').cy)")
    edges = browser.run(
        "document.getElementById('graph').cy.edges().map(e => "
        "[e.data('source'), e.data('target'), e.data('text'), e.style('line-style')])"
    )
    assert sorted(edges) == [[a, b, f"{w:.4g}", "dashed"] for a, b, w in expected]
    browser.screenshot("versions-models")
    browser.assert_clean()
