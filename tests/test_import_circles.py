"""The modules of ``queryengine`` and of ``services`` import each other in one direction: no
import circle (every import statement counts, lazy and ``TYPE_CHECKING`` ones included; the
checker is the one of ``provlake``'s test, tests/provlake/test_imports.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.provlake.test_imports import cycles, import_graph

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("package", "module", "imports"),
    [
        ("queryengine", "queryengine._engine", "queryengine._names"),
        ("services", "services.ingest._mapping", "services.ingest._literals"),
    ],
)
def test_package_has_no_import_circle(package: str, module: str, imports: str) -> None:
    graph = import_graph(ROOT / package)
    assert imports in graph[module]  # the graph is read, not empty
    assert cycles(graph) == []
