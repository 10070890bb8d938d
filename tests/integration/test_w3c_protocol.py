"""The W3C SPARQL 1.1 Protocol test suite (``shared/reference/w3c-sparql11-protocol``) against real
managers: one on an embedded store, one in front of ``oxigraph serve``. Every test of the manifest
runs on each, except those ``docs/manager.md`` lists as not applicable there (with the reason): the
tests below check that the list and the manifest agree, and that those tests fail as documented."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.servers import start_oxigraph_server
from tests.sparql_protocol import Endpoint, ProtocolTest, load_manifest

from .conftest import ROOT, run_manager

pytestmark = pytest.mark.integration

MANIFEST = ROOT.parent / "shared" / "reference" / "w3c-sparql11-protocol" / "manifest.ttl"
TESTS = load_manifest(MANIFEST)
ADMIN = "w3c-admin"


BACKENDS = {"embedded store": "oxigraph", "behind oxigraph serve": "sparql+http"}


def documented_not_applicable() -> dict[tuple[str, str], str]:
    """(backend, test name) -> reason, as docs/manager.md lists them."""
    text = (ROOT / "docs" / "manager.md").read_text()
    section = text.split("### W3C SPARQL 1.1 Protocol tests", 1)[1].split("\n#", 1)[0]
    items = re.findall(r"^- `(\w+)` \(([a-z ]+)\): (.+)$", section, flags=re.M)
    return {(BACKENDS[where], name): reason for name, where, reason in items}


NOT_APPLICABLE = documented_not_applicable()
RUNS = [
    pytest.param(backend, test, id=f"{backend}-{test.name}")
    for backend in BACKENDS.values()
    for test in TESTS
    if (backend, test.name) not in NOT_APPLICABLE
]


def test_the_not_applicable_tests_are_manifest_tests_with_a_reason() -> None:
    assert len(TESTS) == 34
    assert {name for _, name in NOT_APPLICABLE} <= {t.name for t in TESTS}
    assert all(len(reason) > 20 for reason in NOT_APPLICABLE.values())
    assert len(RUNS) + len(NOT_APPLICABLE) == len(TESTS) * len(BACKENDS)


@pytest.fixture(scope="module")
def endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Endpoint]:
    folder = tmp_path_factory.mktemp("w3c")
    if request.param == "oxigraph":
        with run_manager(f"oxigraph:{folder / 'kg'}", folder, PROVML_ADMIN_TOKEN=ADMIN) as manager:
            yield Endpoint(manager.url, admin_token=ADMIN)
        return
    with (
        start_oxigraph_server(folder / "served") as served,
        run_manager(f"sparql+{served}", folder, PROVML_ADMIN_TOKEN=ADMIN) as manager,
    ):
        endpoint = Endpoint(manager.url, admin_token=ADMIN)
        endpoint.remote = True
        yield endpoint


@pytest.mark.parametrize(("endpoint", "test"), RUNS, indirect=["endpoint"], scope="module")
def test_w3c_protocol(endpoint: Endpoint, test: ProtocolTest) -> None:
    assert endpoint.run(test) == [], test.label


@pytest.mark.parametrize("endpoint", list(BACKENDS.values()), indirect=True, scope="module")
def test_the_suite_also_runs_at_the_oxigraph_serve_paths(endpoint: Endpoint) -> None:
    backend = "sparql+http" if endpoint.remote else "oxigraph"
    at_oxigraph_paths = Endpoint(endpoint.base_url, "/query", "/update", endpoint.admin_token)
    runs = [t for t in TESTS if (backend, t.name) not in NOT_APPLICABLE]
    assert {t.name: problems for t in runs if (problems := at_oxigraph_paths.run(t))} == {}


@pytest.mark.parametrize("endpoint", ["sparql+http"], indirect=True, scope="module")
def test_what_is_not_applicable_is_refused_with_a_4xx(endpoint: Endpoint) -> None:
    """Behind oxigraph serve the update dataset tests fail, each with a clean 400 naming the
    update: the documented reason, not a crash."""
    for test in TESTS:
        if ("sparql+http", test.name) in NOT_APPLICABLE:
            problem = endpoint.run(test)[0]  # then the check of what the update did fails too
            assert problem.startswith("request 0: status 400 not in"), problem
            assert '"field":"update"' in problem and "using-union-graph" in problem
