"""The ``provml`` command: one module per sub-command group, each with a ``register(subparsers)``.

Sub-command modules keep their heavy imports inside the handlers so ``provml --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]

# Sub-command group modules (in services.cli), in the order their commands are listed by --help.
_GROUPS = [
    "_vocab",
    "_serve",
    "_ask",
    "_versions",
    "_replay",
    "_export",
    "_demo",
    "_braid",
    "_pipeline",
]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("provml")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provml",
        description="Provenance knowledge graph for machine learning (PROV-ML in Oxigraph).",
    )
    parser.add_argument("--version", action="version", version=f"provml {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``provml`` command line; returns the process exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv  # the command as typed, for hints that repeat it
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return int(args.handler(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
