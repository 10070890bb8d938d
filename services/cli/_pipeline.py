"""``provml pipeline show RUN``: the data pipelines of a run (provlake.data) as a table, and as a
Graphviz picture (``--dot FILE``, ``--svg FILE``; the SVG needs graphviz's ``dot``)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ._target import TargetError, add_target_arguments, open_target

__all__ = ["register", "to_dot"]

_COLUMNS = ("step", "operation", "identifier", "inputs", "items", "per_item_us", "failures")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("pipeline", help="the data pipelines of a run (provlake.data)")
    pipeline = parser.add_subparsers(dest="pipeline_command", metavar="COMMAND", required=True)
    show = pipeline.add_parser("show", help="print a run's pipeline DAG; draw it with --dot/--svg")
    show.add_argument("run", help="the run: its IRI or client run id")
    show.add_argument("--dot", type=Path, help="write the DAG as Graphviz DOT to this file")
    show.add_argument("--svg", type=Path, help="write the DAG as SVG to this file (runs dot)")
    add_target_arguments(show)
    show.set_defaults(handler=_show)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(rows: list[dict[str, Any]], run: str) -> str:
    """The DAG of ``rows`` (answers of ``pipeline-dag``) in Graphviz DOT: one box per operation,
    one cylinder per data set a source read, an edge per stream.

    >>> print(to_dot([{"step": 1, "operation": "load_from_dir", "identifier": "load",
    ...     "inputs": "cats", "items": 3, "per_item_us": 12.5, "schema": None},
    ...     {"step": 2, "operation": "map", "identifier": "label", "inputs": "1", "items": 3,
    ...     "per_item_us": None, "schema": '"int"'}], "r1"), end="")
    digraph pipeline {
      label="data pipelines of r1"; rankdir=LR; node [fontname="Helvetica", fontsize=10];
      "data:cats" [shape=cylinder, label="cats"];
      "data:cats" -> "op1";
      "op1" [shape=box, style=rounded, label="1. load\\nload_from_dir\\n3 items, 12.5 µs/item"];
      "op1" -> "op2";
      "op2" [shape=box, style=rounded, label="2. label\\nmap\\n3 items\\n\\"int\\""];
    }
    """
    lines = [
        "digraph pipeline {",
        f"  label={_quote('data pipelines of ' + run)}; rankdir=LR; "
        'node [fontname="Helvetica", fontsize=10];',
    ]
    for row in rows:
        node = f"op{row['step']}"
        for source in (row.get("inputs") or "").split(", "):
            if source.isdigit():
                lines.append(f'  "op{source}" -> "{node}";')
            elif source:
                data = _quote("data:" + source)
                lines.append(f"  {data} [shape=cylinder, label={_quote(source)}];")
                lines.append(f'  {data} -> "{node}";')
        label = f"{row['step']}. {row['identifier']}\n{row['operation']}"
        label += f"\n{row.get('items') or 0} items"
        if row.get("per_item_us") is not None:
            label += f", {_cell(row['per_item_us'])} µs/item"
        if row.get("schema"):
            label += f"\n{row['schema'][:60]}"
        lines.append(f'  "{node}" [shape=box, style=rounded, label={_quote(label)}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _show(args: argparse.Namespace) -> int:
    from queryengine import QueryEngineError, ask

    try:
        with open_target(args) as store:
            rows = list(ask("pipeline-dag", store=store, run=args.run))
    except (TargetError, QueryEngineError) as exc:
        print(f"provml: {exc}", file=sys.stderr)
        return 2
    if not rows:
        print(f"provml: run {args.run} has no data pipeline", file=sys.stderr)
        return 1
    table = [[_cell(row[c]) for c in _COLUMNS] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(_COLUMNS)]
    print("  ".join(c.ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)).rstrip())
    for r in table:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    dot = to_dot(rows, args.run)
    if args.dot:
        args.dot.write_text(dot)
    if args.svg:
        program = shutil.which("dot")
        if program is None:
            print("provml: --svg needs graphviz's dot on the PATH", file=sys.stderr)
            return 1
        args.svg.write_bytes(
            subprocess.run(
                [program, "-Tsvg"], input=dot.encode(), capture_output=True, check=True
            ).stdout
        )
    return 0
