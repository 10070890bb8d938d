"""``provml ask`` (named questions), ``provml sparql`` (raw SPARQL) and ``provml domain`` (domain
graphs).

They read ``--store URI`` or a running manager (``--manager URL``); see ``_target`` for the
defaults. An embedded on-disk store admits one process at a time: while a manager holds it, the
commands ask through the manager, and a command finding the store locked prints the one that does.
The store is not opened with pyoxigraph's ``read_only`` mode, which is undefined behaviour while
another process writes.

``provml ask`` shows names: its table has the name of each IRI in the IRI's column (``--iris``
shows both); CSV and JSON keep every column (``COLUMN`` with the IRI, ``COLUMN_name`` with its
name). A run, model or dataset parameter takes a name where one node has it; an ambiguous or unknown
name is a bad-input error listing the candidates.

Exit codes: 0 answered, 2 bad input (unknown question, missing or ill-typed parameter, invalid
SPARQL), 1 the store failed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ._target import TargetError, add_target_arguments, open_target


def register(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="answer a named question (provml ask --list shows them)")
    ask.add_argument("name", nargs="?", help="the question, e.g. training-curve")
    ask.add_argument(
        "-p", "--param", action="append", default=[], metavar="K=V", help="a parameter (repeatable)"
    )
    ask.add_argument("--list", action="store_true", help="list the questions with their parameters")
    ask.add_argument(
        "--iris",
        action="store_true",
        help="the table shows IRIs next to their names (csv and json always hold both)",
    )
    _common(ask)
    ask.set_defaults(handler=_ask)

    sparql = sub.add_parser(
        "sparql", help="run a SPARQL query over the provenance and domain graphs"
    )
    sparql.add_argument(
        "query", help="the query text, @FILE to read it from a file, or - for standard input"
    )
    _common(sparql)
    sparql.set_defaults(handler=_sparql)

    domain = sub.add_parser("domain", help="attach, register and list domain knowledge graphs")
    dsub = domain.add_subparsers(dest="domain_command", metavar="ACTION", required=True)
    attach = dsub.add_parser(
        "attach", help="load a domain graph from a file into its own named graph"
    )
    attach.add_argument("name")
    attach.add_argument(
        "file", help="Turtle, N-Triples, JSON-LD or RDF/XML (format from the extension)"
    )
    register_ = dsub.add_parser(
        "register", help="register a remote SPARQL endpoint as a domain graph"
    )
    register_.add_argument("name")
    register_.add_argument("endpoint", help="the endpoint URL, e.g. http://host:7878/query")
    listing = dsub.add_parser("list", help="list the attached and registered domain graphs")
    for p in (attach, register_, listing):
        _common(p, formats=p is listing)
        p.set_defaults(handler=_domain)


def _common(parser: argparse.ArgumentParser, *, formats: bool = True) -> None:
    add_target_arguments(parser)
    parser.add_argument("--base-iri", help="base IRI of minted nodes (default: $PROVML_BASE_IRI)")
    if formats:
        parser.add_argument(
            "--format", choices=["table", "csv", "json"], default="table", help="output format"
        )
        parser.add_argument("--timeout", type=float, help="give up after this many seconds")


class _Fail(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def _store(args: argparse.Namespace) -> Iterator[Any]:
    try:
        store = open_target(args)
    except TargetError as e:
        raise _Fail(str(e), 1) from e
    with store:
        yield store


def _run(action: Any) -> int:
    from queryengine import QueryEngineError
    from services.store import StoreError

    try:
        action()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (head, less) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except _Fail as e:
        print(f"provml: {e}", file=sys.stderr)
        return e.code
    except QueryEngineError as e:
        print(f"provml: {e}", file=sys.stderr)
        return 2
    except SyntaxError as e:
        print(f"provml: invalid SPARQL: {e}", file=sys.stderr)
        return 2
    except (StoreError, OSError) as e:
        print(f"provml: the store failed: {e}", file=sys.stderr)
        return 1
    return 0


def _ask(args: argparse.Namespace) -> int:
    from queryengine import catalogue, run_question

    def action() -> None:
        if args.list:
            _print_catalogue(catalogue(), args.format)
            return
        if not args.name:
            raise _Fail("give a question name, or --list to see them", 2)
        from queryengine import get_question

        question = get_question(args.name)
        params: dict[str, str] = {}
        for item in args.param:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise _Fail(f"--param takes KEY=VALUE, not {item!r}", 2)
            if key in params:
                raise _Fail(f"parameter {key!r} is given more than once", 2)
            params[key] = value
        with _store(args) as store:
            rows = run_question(
                question, store=store, params=params, base_iri=args.base_iri, timeout=args.timeout
            )
        columns = rows.columns
        if args.format == "table" and not args.iris:
            columns, shown = _named(rows.columns, list(rows))
            _print_rows(columns, shown, args.format)
        else:
            _print_rows(columns, list(rows), args.format)

    return _run(action)


def _named(columns: list[str], rows: list[dict[str, Any]]) -> tuple[list[str], list[dict]]:
    """The table's columns: a column of IRIs shows their names (its ``_name`` column) instead."""
    named = {c for c in columns if f"{c}_name" in columns}
    shown = [c for c in columns if not (c.endswith("_name") and c[: -len("_name")] in named)]
    return shown, [
        {c: (row[f"{c}_name"] if c in named and row[c] is not None else row[c]) for c in shown}
        for row in rows
    ]


def _sparql(args: argparse.Namespace) -> int:
    from queryengine import sparql

    def action() -> None:
        text = args.query
        if text == "-":
            text = sys.stdin.read()
        elif text.startswith("@"):
            try:
                with open(text[1:], encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                raise _Fail(f"cannot read the query file {text[1:]}: {e}", 2) from e
        with _store(args) as store:
            result = sparql(text, store=store, timeout=args.timeout)
        if isinstance(result, bool):
            print(json.dumps({"boolean": result}) if args.format == "json" else str(result).lower())
        elif isinstance(result, list) and not hasattr(result, "columns"):
            for triple in result:
                print(f"{triple} .")
        else:
            _print_rows(result.columns, list(result), args.format)

    return _run(action)


def _domain(args: argparse.Namespace) -> int:
    from queryengine import attach_domain_graph, domain_graphs, register_endpoint

    def action() -> None:
        with _store(args) as store:
            if args.domain_command == "attach":
                n = attach_domain_graph(store, args.name, args.file, base_iri=args.base_iri)
                print(f"attached {args.name}: {n} triples")
            elif args.domain_command == "register":
                register_endpoint(store, args.name, args.endpoint, base_iri=args.base_iri)
                print(f"registered {args.name}: {args.endpoint}")
            else:
                graphs = domain_graphs(store, base_iri=args.base_iri)
                _print_rows(["name", "graph", "triples", "endpoint"], graphs, args.format)

    return _run(action)


def _print_catalogue(questions: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([q.describe() for q in questions.values()], indent=2))
        return
    if fmt == "csv":
        rows = [{"name": q.name, "description": q.description} for q in questions.values()]
        _print_rows(["name", "description"], rows, "csv")
        return
    for q in questions.values():
        print(f"{q.name}\n    {q.description}")
        for p in q.parameters:
            default = (
                ""
                if p.required
                else (" (optional)" if p.default == "UNDEF" else f" (default {p.default})")
            )
            print(f"    --param {p.name}=<{p.type}>{default}  {p.doc}")
        print(f"    returns: {', '.join(q.returns)}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _print_rows(columns: list[str], rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        sys.stdout.write(out.getvalue())
        return
    cells = [[_cell(row.get(c)).replace("\n", "\\n") for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
