"""The modules of ``queryengine`` import each other in one direction: no import circle (every
import statement counts, lazy ones included; the checker is the one of ``provlake``'s test)."""

from __future__ import annotations

from pathlib import Path

from tests.provlake.test_imports import cycles, import_graph

PACKAGE = Path(__file__).resolve().parents[2] / "queryengine"


def test_queryengine_has_no_import_circle() -> None:
    graph = import_graph(PACKAGE)
    assert "queryengine._names" in graph["queryengine._engine"]  # the graph is read, not empty
    assert "queryengine._views" in graph["queryengine._names"]
    assert cycles(graph) == []
