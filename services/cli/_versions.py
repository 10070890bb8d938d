"""``provml versions``: the version graph of an object (a table, Graphviz DOT or SVG, Mermaid) and
why one model version differs from another.

    provml versions graph model mlp                     # table: from, to, weight, inferred
    provml versions graph dataset digits --format mermaid
    provml versions graph model mlp --format svg --output mlp.svg
    provml versions explain mlp-1 mlp-4                 # the version-explain question

Versions are shown by their id (a registered version id, or a model's entity id). Exit codes as
``provml ask``: 0 answered, 2 bad input, 1 the store failed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from typing import Any

from ._ask import _common, _Fail, _print_rows, _run, _store

_FORMATS = ["table", "csv", "json", "dot", "svg", "mermaid"]


def register(sub: argparse._SubParsersAction) -> None:
    versions = sub.add_parser("versions", help="version graphs of datasets, algorithms and models")
    vsub = versions.add_subparsers(dest="versions_command", metavar="ACTION", required=True)
    graph = vsub.add_parser("graph", help="the version graph of one object")
    graph.add_argument("kind", help="the object's kind: dataset, algorithm, model, ...")
    graph.add_argument("name", help="the object's name (for models, the model name)")
    graph.add_argument("--output", help="write the picture or table to this file")
    _common(graph, formats=False)
    graph.add_argument("--format", choices=_FORMATS, default="table", help="output format")
    graph.add_argument("--timeout", type=float, help="give up after this many seconds")
    graph.set_defaults(handler=_graph)
    explain = vsub.add_parser("explain", help="why a model version differs from an earlier one")
    explain.add_argument("older", help="the older version: a model's IRI or client entity id")
    explain.add_argument("newer", help="the newer version: a model's IRI or client entity id")
    explain.add_argument("--max-hops", type=int, default=6, help="longest route searched (1-6)")
    _common(explain)
    explain.set_defaults(handler=_explain)


def _ask(args: argparse.Namespace, store: Any, question: str, **params: Any) -> Any:
    from queryengine import get_question, run_question

    return run_question(
        get_question(question),
        store=store,
        params=params,
        base_iri=args.base_iri,
        timeout=args.timeout,
    )


def _graph(args: argparse.Namespace) -> int:
    def action() -> None:
        with _store(args) as store:
            edges = list(_ask(args, store, "version-graph", kind=args.kind, name=args.name))
            history = list(_ask(args, store, "version-history", kind=args.kind, name=args.name))
        if not history:
            raise _Fail(f"no versions of {args.kind} {args.name!r} in the store", 1)
        ids = {row["version"]: row["id"] for row in history}
        rows = [
            {**e, "from": ids.get(e["from"], e["from"]), "to": ids.get(e["to"], e["to"])}
            for e in edges
        ]
        if args.format in ("table", "csv", "json"):
            if args.output:
                raise _Fail("--output is for dot, svg and mermaid pictures", 2)
            _print_rows(["from", "to", "weight", "inferred"], rows, args.format)
            return
        versions = [row["id"] for row in history]
        text = (mermaid if args.format == "mermaid" else dot)(args.kind, args.name, versions, rows)
        data = text.encode() if args.format != "svg" else _svg(text)
        if args.output:
            with open(args.output, "wb") as out:
                out.write(data)
            print(f"wrote {args.output}")
        else:
            print(data.decode(), end="")

    return _run(action)


def _explain(args: argparse.Namespace) -> int:
    def action() -> None:
        if not 1 <= args.max_hops <= 6:
            raise _Fail("--max-hops is between 1 and 6", 2)
        with _store(args) as store:
            rows = _ask(
                args,
                store,
                "version-explain",
                **{"from": args.older, "to": args.newer, "max_hops": args.max_hops},
            )
        _print_rows(rows.columns, list(rows), args.format)

    return _run(action)


def _label(weight: float) -> str:
    return f"{weight:.4g}"


def dot(kind: str, name: str, versions: list[str], edges: list[dict[str, Any]]) -> str:
    """Graphviz DOT: versions oldest first, left to right; inferred revisions solid, declared
    ones dashed, labelled with their weight.

    >>> print(dot("dataset", "d", ["v1", "v2"], [{"from": "v1", "to": "v2", "weight": 0.25,
    ...                                          "inferred": False}]))
    digraph versions {
      rankdir=LR;
      label="dataset d";
      node [shape=box, style=rounded];
      "v1";
      "v2";
      "v1" -> "v2" [label="0.25", style=dashed];
    }
    <BLANKLINE>
    """

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph versions {", "  rankdir=LR;", f"  label={q(f'{kind} {name}')};"]
    lines.append("  node [shape=box, style=rounded];")
    lines += [f"  {q(v)};" for v in versions]
    for e in edges:
        style = "solid" if e["inferred"] else "dashed"
        label = q(_label(e["weight"]))
        lines.append(f"  {q(e['from'])} -> {q(e['to'])} [label={label}, style={style}];")
    return "\n".join([*lines, "}"]) + "\n"


def mermaid(kind: str, name: str, versions: list[str], edges: list[dict[str, Any]]) -> str:
    """A Mermaid flowchart: inferred revisions as arrows, declared ones dotted.

    >>> print(mermaid("model", "m", ["a", "b"], [{"from": "a", "to": "b", "weight": 0.5,
    ...                                          "inferred": True}]))
    flowchart LR
      %% model m
      v0["a"]
      v1["b"]
      v0 -->|0.5| v1
    <BLANKLINE>
    """
    node = {v: f"v{i}" for i, v in enumerate(versions)}
    lines = ["flowchart LR", f"  %% {kind} {name}"]
    lines += [f'  {node[v]}["{v.replace(chr(34), "#quot;")}"]' for v in versions]
    for e in edges:
        arrow = "-->" if e["inferred"] else "-.->"
        lines.append(f"  {node[e['from']]} {arrow}|{_label(e['weight'])}| {node[e['to']]}")
    return "\n".join(lines) + "\n"


def _svg(text: str) -> bytes:
    binary = shutil.which("dot")
    if binary is None:
        raise _Fail("SVG needs Graphviz (the dot command); --format dot writes the source", 1)
    done = subprocess.run([binary, "-Tsvg"], input=text.encode(), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise _Fail(f"dot failed: {done.stderr.decode(errors='replace')}", 1)
    return done.stdout
