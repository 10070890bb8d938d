"""The web UI's Braid invalidation state in a real headless Chromium against a real manager that a
Braid-DB workflow wrote to through ``provlake.braid`` (manager mode): the Invalidated page shows the
cascade as the tree the invalidation followed, a record's node page shows its validity, cause, root
and cascade and the action its invalidation ran, and a cascade started while the page is open
appears without a reload. Same browser rules as ``test_ui_browser.py``: no console error, no request
leaving this machine; screenshots to ``ui-screenshots/``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from provlake.braid import BraidData, BraidDB, BraidFact, BraidModel, InvalidationActionType
from tests.integration.conftest import Manager, run_manager
from tests.integration.test_ui_browser import Browser, chromium

pytestmark = pytest.mark.integration

CAUSE = "detector calibration drifted by 0.3 px"
RETRAIN = "import sys; print('retrain requested for record', sys.argv[1])"


@dataclass
class Beamline:
    manager: Manager
    db: BraidDB
    calibration: BraidFact
    scan: BraidData
    finder: BraidModel
    surrogate: BraidModel
    peaks: BraidData

    def iri(self, record: BraidFact | BraidData | BraidModel) -> str:
        return f"http://provml.localhost/id/braid/record/{record.record_id}"

    def fragment(self, record: BraidFact | BraidData | BraidModel) -> str:
        return f"node/{httpx.QueryParams({'x': self.iri(record)})['x']}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Beamline]:
    """A manager on an on-disk store; a beamline workflow written to it by provlake.braid: a
    calibration fact and a scan train a peak finder, a surrogate learns from the finder and the
    finder from the surrogate (a cycle), peaks are derived from the finder; the surrogate has a
    shell action; then the calibration is invalidated."""
    folder = tmp_path_factory.mktemp("ui-braid")
    with run_manager(f"oxigraph:{folder / 'store'}", folder) as manager:
        db = BraidDB(manager.url)
        calibration = BraidFact(db, "detector calibration")
        scan = BraidData(db, "scan 1")
        finder = BraidModel(db, "peak finder")
        surrogate = BraidModel(db, "surrogate")
        finder.update(calibration)
        finder.update(scan)
        surrogate.update(finder)
        finder.update(surrogate)
        peaks = BraidData(db, "peaks of scan 1")
        finder.add_derivation(peaks)
        retrain = {"args": ["-c", RETRAIN]}
        shell = InvalidationActionType.SHELL_COMMAND
        surrogate.add_invalidation_action(shell, "retrain", sys.executable, retrain)
        calibration.invalidate(CAUSE)
        try:
            yield Beamline(manager, db, calibration, scan, finder, surrogate, peaks)
        finally:
            db.close()


@pytest.fixture(scope="module")
def browser(site: Beamline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with chromium(site.manager.url, tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


ROWS = (
    "[...document.querySelectorAll('{table} tbody tr')].map(r => ({{"
    "id: Number(r.dataset.recordId), depth: Number(r.dataset.depth),"
    " name: r.querySelector('td.record a').textContent,"
    " cause: r.querySelector('td.caused-by').textContent,"
    " current: r.classList.contains('current')}}))"
)


def test_invalidated_page_shows_the_cascade_as_a_tree(site: Beamline, browser: Browser) -> None:
    browser.open("invalidated")
    browser.wait("document.querySelectorAll('table.cascade tbody tr').length === 4")
    rows = browser.run(ROWS.format(table="table.cascade"))
    assert [(r["id"], r["depth"], r["name"], r["cause"]) for r in rows] == [
        (site.calibration.record_id, 0, "detector calibration", "the root"),
        (site.finder.record_id, 1, "peak finder", "detector calibration"),
        # the finder's derivations, by id: the surrogate (updated with it) and the peaks; the
        # surrogate's own update of the finder closes a cycle the cascade does not walk twice
        (site.surrogate.record_id, 2, "surrogate", "peak finder"),
        (site.peaks.record_id, 2, "peaks of scan 1", "peak finder"),
    ]
    card = browser.run("document.querySelector('.cascade-card').dataset.root")
    assert card == site.iri(site.calibration)
    assert browser.run("document.querySelector('.cascade-card q.cause').textContent") == CAUSE
    browser.screenshot("braid-invalidated")
    browser.assert_clean()


def test_node_page_shows_validity_cause_root_cascade_and_action(
    site: Beamline, browser: Browser
) -> None:
    browser.open(site.fragment(site.surrogate))
    browser.wait("document.querySelector('table.actions')")
    facts = browser.run(
        "Object.fromEntries([...document.querySelectorAll('table.invalidation tr')]"
        ".map(r => [r.querySelector('th').textContent, r.querySelector('td').textContent]))"
    )
    assert facts["cause"] == CAUSE
    assert facts["because of"] == "peak finder"
    assert facts["root of the cascade"] == f"detector calibration ({CAUSE})"
    assert browser.run("document.querySelector('p.validity .badge').textContent") == "invalid"
    rows = browser.run(ROWS.format(table="table.cascade"))
    assert [r["id"] for r in rows if r["current"]] == [site.surrogate.record_id]
    assert len(rows) == 4
    (action,) = browser.run(
        "[...document.querySelectorAll('table.actions tbody tr')]"
        ".map(r => [...r.querySelectorAll('td')].map(c => c.textContent))"
    )
    assert action[:4] == ["retrain", "shell", "finished", "0"]
    assert action[5].strip() == f"retrain requested for record {site.surrogate.record_id}"
    browser.screenshot("braid-node")
    browser.assert_clean()


def test_node_page_of_a_valid_record_says_it_is_valid(site: Beamline, browser: Browser) -> None:
    browser.open(site.fragment(site.scan))
    browser.wait("document.querySelector('p.validity')")
    assert browser.run("document.querySelector('p.validity .badge').textContent") == "valid"
    assert browser.run("document.querySelector('table.cascade')") is None
    browser.assert_clean()


def test_a_cascade_started_now_appears_in_the_open_page(site: Beamline, browser: Browser) -> None:
    browser.open("invalidated")
    browser.wait("document.querySelectorAll('.cascade-card').length === 1")
    site.scan.invalidate("scan 1 had a saturated detector")  # its finder is already invalid
    cards = "document.querySelectorAll('.cascade-card')"
    browser.wait(f"{cards}.length === 2")
    roots = browser.run(f"[...{cards}].map(c => c.dataset.root)")
    assert roots == [site.iri(site.calibration), site.iri(site.scan)]
    browser.open(f"invalidated/{httpx.QueryParams({'x': site.iri(site.scan)})['x']}")
    browser.wait(f"{cards}.length === 1 && {cards}[0].dataset.root === '{site.iri(site.scan)}'")
    assert browser.run("document.querySelectorAll('table.cascade tbody tr').length") == 1
    browser.assert_clean()
