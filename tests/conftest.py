"""Fixtures shared by the whole suite. Sub-folders add their own in their own conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import start_oxigraph_server


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of one ``oxigraph serve --union-default-graph`` shared by the session.

    Its store URI is ``"sparql+" + oxigraph_server``. Tests share its data: a test that needs exact
    contents clears it first (``DROP ALL``) or uses graphs of its own.
    """
    with start_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as base_url:
        yield base_url
