"""``provml vocab``: regenerate the artefacts derived from the ontology."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("vocab", help="regenerate files derived from ontology/provml.ttl")
    vsub = parser.add_subparsers(dest="vocab_command", metavar="ACTION", required=True)
    gen = vsub.add_parser("generate", help="write provlake/vocab.py from the ontology")
    gen.add_argument(
        "--check",
        action="store_true",
        help="only check that the files are up to date (exit 1 if not)",
    )
    gen.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    from services._vocabgen import VOCAB_MODULE, render_vocab

    outputs = {VOCAB_MODULE: render_vocab()}
    stale = [
        p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text
    ]
    if args.check:
        for p in stale:
            print(f"stale: {p} (run `provml vocab generate`)", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(outputs[p], encoding="utf-8")
        print(f"wrote {p}")
    return 0
