"""``provml demo``: train real models with capture, then show what the knowledge graph answers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="train MLPs on the digits data with capture, then ask the knowledge graph about them",
        description="Starts a manager on a free local port, trains a small hyperparameter grid of "
        "scikit-learn MLPs epoch by epoch with provenance capture, prints answers to intra- and "
        "inter-training questions, and exports the best training as W3C PROV.",
    )
    parser.add_argument(
        "--store",
        default="oxigraph:./provml-data",
        help="store URI (default: oxigraph:./provml-data, reused across runs; memory: works too)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("provml-export"),
        help="folder for the saved models and the PROV export (default: ./provml-export)",
    )
    parser.add_argument("--epochs", type=int, default=12, help="epochs per training (default: 12)")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="keep the manager and its web UI up after the demo, until Ctrl-C",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of the demo's manager (default: any free port; 7080 is the usual one to serve)",
    )
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    if args.epochs < 4:
        print(
            "provml demo: --epochs must be at least 4 (the learning-rate schedule changes at "
            "half and three quarters of the epochs)",
            file=sys.stderr,
        )
        return 2
    try:
        from services.demo import run_demo
    except ImportError as exc:  # scikit-learn is the demo extra
        print(
            f"provml demo needs the demo extra: pip install 'provml[demo]' ({exc})", file=sys.stderr
        )
        return 2
    try:
        result = run_demo(
            args.store, out=args.out, epochs=args.epochs, serve=args.serve, port=args.port
        )
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"provml demo: {exc}", file=sys.stderr)
        return 1
    return 0 if result.violations == 0 and result.quarantined == 0 else 1
