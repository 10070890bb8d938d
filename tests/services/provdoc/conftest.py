"""Fixtures: stores opened through ``services.store.open_store``, holding the hand-built PROV-ML
run of ``data/run.trig``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from services.store import Store, open_store

DATA = Path(__file__).parent / "data"
BASE = "http://provml.localhost/id/"


def run_quads() -> list[ox.Quad]:
    """The quads of ``data/run.trig``: runs r1 and r2, the catalogue and a domain graph."""
    return list(ox.parse((DATA / "run.trig").read_bytes(), format=ox.RdfFormat.TRIG))


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("memory:") as s:
        s.add(run_quads())
        yield s


@pytest.fixture
def empty_store() -> Iterator[Store]:
    with open_store("memory:") as s:
        yield s
