"""Fixtures shared by the whole suite. Sub-folders add their own in their own conftest.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.servers import start_oxigraph_server, start_virtuoso_server

#: A store URI to run the store conformance suite and the question tests against as well (any
#: SPARQL 1.1 server; the tests drop its provml graphs before each test).
STORE_ENV = "PROVML_TEST_STORE"


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of one ``oxigraph serve --union-default-graph`` shared by the session.

    Its store URI is ``"sparql+" + oxigraph_server``. Tests share its data: a test that needs exact
    contents clears it first (``DROP ALL``) or uses graphs of its own.
    """
    with start_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Store URI of one OpenLink Virtuoso 7 shared by the session (``engine=virtuoso``), started
    from Debian's package in a temp dir, loopback only, SPARQL updates granted."""
    with start_virtuoso_server(tmp_path_factory.mktemp("virtuoso-server")) as uri:
        yield uri


def remote_store_params() -> list[str]:
    """The remote stores the suites run against: ``oxigraph serve``, Virtuoso, and the store URI
    in ``PROVML_TEST_STORE`` when it is set."""
    return ["sparql+http", "virtuoso"] + (["env"] if os.environ.get(STORE_ENV) else [])


def remote_store_uri(request: pytest.FixtureRequest, kind: str) -> str:
    """The store URI of one of ``remote_store_params``."""
    if kind == "sparql+http":
        return "sparql+" + request.getfixturevalue("oxigraph_server")
    if kind == "virtuoso":
        return request.getfixturevalue("virtuoso_server")
    return os.environ[STORE_ENV]
