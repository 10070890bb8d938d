"""``provml replay``: re-send captured batches (a file transport's JSONL file or a spool dir)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "replay",
        help="re-send captured batches to the manager, in order (safe to repeat)",
        description="Re-send a JSONL capture file (file transport), a spool directory "
        "(PROVML_SPOOL_DIR) or a log the ProvLake 0.2.982 library wrote offline, in order. "
        "Records carry client ids, so sending twice adds nothing.",
    )
    parser.add_argument(
        "path",
        help="JSONL file written by the file transport, a spool directory, or a ProvLake "
        "0.2.982 offline log (prov-*.log)",
    )
    parser.add_argument(
        "--manager", help="manager base URL (default: PROVML_MANAGER or 127.0.0.1:7080)"
    )
    parser.add_argument("--token", help="bearer token (default: PROVML_TOKEN)")
    parser.set_defaults(handler=_replay)


def _replay(args: argparse.Namespace) -> int:
    from pathlib import Path

    from provlake import TransportError, replay

    if not Path(args.path).exists():
        print(f"provml replay: {args.path}: no such file or directory", file=sys.stderr)
        return 2
    from ._replay_provlake import is_provlake_log, replay_provlake_log

    if is_provlake_log(Path(args.path)):  # written offline by the ProvLake 0.2.982 library
        return replay_provlake_log(Path(args.path), args.manager, args.token)
    try:
        result = replay(args.path, {"type": "http"}, manager=args.manager, token=args.token)
    except TransportError as exc:
        print(f"provml replay: {exc} (nothing lost: run it again later)", file=sys.stderr)
        return 1
    print(
        f"replayed {result.batches} batches ({result.records} records); "
        f"{result.rejected} rejected, {result.unreadable} unreadable lines"
    )
    return 1 if result.rejected or result.unreadable else 0
