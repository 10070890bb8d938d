"""The modules of ``provlake`` import each other in one direction: no import circle.

Every import statement counts — at module level, inside functions and under ``TYPE_CHECKING`` — so
an import moved into a function does not hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "provlake"


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module → the ``provlake`` modules it imports (``from provlake import vocab`` is the module
    ``provlake.vocab``; ``from provlake import Client`` is the package itself)."""
    files = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                    for alias in node.names
                ]
            for target in targets:
                while target and target not in files:  # provlake.x.y → the module that holds y
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_circle_through_a_lazy_import(tmp_path: Path) -> None:
    pkg = tmp_path / "provlake"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from provlake._a import A\n")
    (pkg / "_a.py").write_text("from provlake._b import B\nA = 1\n")
    (pkg / "_b.py").write_text("def f():\n    from ._a import A\n    return A\nB = 2\n")
    (pkg / "_c.py").write_text("if False:\n    import provlake\n")
    graph = import_graph(pkg)
    assert graph["provlake"] == {"provlake._a"} and graph["provlake._b"] == {"provlake._a"}
    assert cycles(graph) == [["provlake._a", "provlake._b"]]
    (pkg / "_b.py").write_text("B = 2\n")
    (pkg / "_a.py").write_text("import provlake\n")  # a module importing its own package
    assert cycles(import_graph(pkg)) == [["provlake", "provlake._a"]]


def test_provlake_has_no_import_circle() -> None:
    graph = import_graph(PACKAGE)
    assert "provlake._client" in graph["provlake"]  # the graph is read, not empty
    assert "provlake._run" in graph["provlake._client"]
    assert cycles(graph) == []
