"""``provml vocab``: regenerate the artefacts derived from the ontology."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("vocab", help="regenerate files derived from ontology/provml.ttl")
    vsub = parser.add_subparsers(dest="vocab_command", metavar="ACTION", required=True)
    gen = vsub.add_parser(
        "generate",
        help="write provlake/vocab.py, ontology/context.jsonld, docs/ontology.{md,dot,svg}, "
        "services/ingest/shape-needs.json",
    )
    gen.add_argument(
        "--check",
        action="store_true",
        help="only check that the generated files are up to date (exit 1 if not; SVG not checked)",
    )
    gen.add_argument(
        "--root",
        type=Path,
        default=None,
        help="source checkout to write into (default: the one this command runs from)",
    )
    gen.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    from services._vocabgen import REPO_ROOT, generated_files, render_svg, stale_files

    root = args.root or REPO_ROOT
    files = generated_files(root)
    stale = stale_files(files)
    if args.check:
        for path in stale:
            print(f"stale: {path} (run `provml vocab generate`)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path}")
    dot_file = root / "docs" / "ontology.dot"
    svg_file = dot_file.with_suffix(".svg")
    if dot_file in stale or not svg_file.exists():
        print(render_svg(dot_file, svg_file))
    return 0
