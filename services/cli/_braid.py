"""``provml braid``: Braid-DB's command-line tools on a provml database (a path, a manager URL or a
store URI): ``create``, ``print``, ``to-mermaid``, ``to-dot``, ``invalidate``."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["register"]

_HTML = """<html>
  <body>
    <script src="https://cdn.jsdelivr.net/npm/mermaid/dist/mermaid.min.js"></script>
    <script>mermaid.initialize({ startOnLoad: true });</script>
    <div class="mermaid">
%s
    </div>
  </body>
</html>
"""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("braid", help="Braid-DB tools: create, print, draw, invalidate")
    braid = parser.add_subparsers(dest="braid_command", metavar="COMMAND", required=True)

    create = braid.add_parser("create", help="create a database (Braid-DB db-create)")
    create.add_argument("-B", action="store_true", help="move an existing database file aside")
    create.add_argument("-v", action="store_true", help="say what is created")
    create.add_argument("db", help="a database file, a manager URL or a store URI")
    create.set_defaults(handler=_create)

    show = braid.add_parser("print", help="print every record (Braid-DB db-print)")
    show.add_argument("db")
    show.set_defaults(handler=_print)

    for name, helptext in (("to-mermaid", "Mermaid"), ("to-dot", "Graphviz DOT")):
        draw = braid.add_parser(name, help=f"draw the records around one record as {helptext}")
        draw.add_argument("record_id", type=int)
        draw.add_argument("--db-file", required=True, help="the database (file, URL, store URI)")
        if name == "to-mermaid":
            draw.add_argument(
                "--raw-mermaid", action="store_true", help="the Mermaid text, not an HTML page"
            )
        draw.set_defaults(handler=_draw, drawing=name)

    invalidate = braid.add_parser(
        "invalidate", help="invalidate records, cascading (Braid-DB invalidate-record)"
    )
    invalidate.add_argument("db")
    invalidate.add_argument("cause")
    invalidate.add_argument("record_ids", type=int, nargs="*")
    invalidate.set_defaults(handler=_invalidate)


def _open(target: str):
    from provlake.braid import BraidDB

    return BraidDB(target)


def _next_backup(path: str) -> str:
    i = 1
    while os.path.exists(f"{path}.{i:03}.bak"):
        i += 1
    return f"{path}.{i:03}.bak"


def _create(args: argparse.Namespace) -> int:
    if args.B and os.path.exists(args.db):
        backup = _next_backup(args.db)
        print(f"provml braid create: renaming {args.db} -> {backup}")
        os.rename(args.db, backup)
    if args.v:
        print(f"provml braid create: creating {args.db}")
    with _open(args.db) as db:
        db.create()
    return 0


def _print(args: argparse.Namespace) -> int:
    with _open(args.db) as db:
        db.print()
    return 0


def _draw(args: argparse.Namespace) -> int:
    from provlake.braid import UnknownRecord
    from provlake.braid._graphs import to_dot, to_mermaid

    with _open(args.db_file) as db:
        try:
            if args.drawing == "to-dot":
                text = to_dot(args.record_id, db)
            else:
                text = to_mermaid(args.record_id, db)
                if not args.raw_mermaid:
                    text = _HTML % text
        except UnknownRecord as exc:
            print(f"provml braid: {exc}", file=sys.stderr)
            return 2
    sys.stdout.write(text)
    return 0


def _invalidate(args: argparse.Namespace) -> int:
    from provlake.braid import BraidRecord

    with _open(args.db) as db:
        records = [(i, BraidRecord.by_record_id(db, i)) for i in args.record_ids]
        missing = [i for i, record in records if record is None]
        if missing:
            print(f"provml braid: no record {missing[0]} in {args.db}", file=sys.stderr)
            return 2
        for record_id, record in records:
            print(f"Invalidating record id {record_id} with name {record.name}")
            record.invalidate(cause=args.cause)
    return 0
