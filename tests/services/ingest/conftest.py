"""Fixtures of the ingest tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def store():
    from services.store import open_store

    s = open_store("memory:")
    yield s
    s.close()
