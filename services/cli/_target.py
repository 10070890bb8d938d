"""Where ``provml ask``, ``sparql``, ``domain`` and ``export`` read: a store or a running manager.

Precedence: ``--store URI`` or ``--manager URL`` (not both), then ``PROVML_MANAGER``, then
``PROVML_STORE``, then ``oxigraph:./provml-data``. A manager is read through its SPARQL endpoints
(the store URI ``sparql+URL``: ``/query`` and the Graph Store read ``/store``), with ``--token`` or
``PROVML_TOKEN`` as bearer token when it needs one; a ``sparql+http://`` store URI gets it too.

While ``provml serve`` holds an on-disk store ``oxigraph:PATH`` it leaves a note beside it,
``PATH.manager.json`` (its URL and process id), so that a command finding the store locked prints
the command that reaches the manager instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_STORE",
    "TargetError",
    "add_target_arguments",
    "manager_note",
    "open_target",
    "target_uri",
]

DEFAULT_STORE = "oxigraph:./provml-data"


class TargetError(Exception):
    """The store or the manager cannot be opened; the message says what to do."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--store",
        help="store URI (default: $PROVML_STORE or oxigraph:./provml-data; "
        "$PROVML_MANAGER wins over $PROVML_STORE)",
    )
    where.add_argument(
        "--manager",
        metavar="URL",
        help="read through a running manager, e.g. http://127.0.0.1:7080 "
        "(default: $PROVML_MANAGER)",
    )
    parser.add_argument(
        "--token", help="bearer token for a manager that needs one (default: $PROVML_TOKEN)"
    )


def target_uri(args: argparse.Namespace) -> str:
    """The store URI the arguments and the environment name."""
    if args.store:
        return args.store
    manager = args.manager or os.environ.get("PROVML_MANAGER")
    if manager:
        if "://" not in manager:
            manager = "http://" + manager
        return "sparql+" + manager.rstrip("/")
    return os.environ.get("PROVML_STORE") or DEFAULT_STORE


def _note_path(uri: str) -> Path | None:
    scheme, _, path = uri.partition(":")
    if scheme != "oxigraph" or not path:
        return None
    folder = Path(path.removeprefix("//")).expanduser().absolute()
    return folder.parent / f"{folder.name}.manager.json"


@contextmanager
def manager_note(uri: str, url: str) -> Iterator[None]:
    """While it is open, the note of a running manager at ``url`` lies beside the on-disk store
    ``uri`` (nothing for other stores)."""
    path = _note_path(uri)
    if path is None:
        yield
        return
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}) + "\n")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _running_manager(uri: str) -> str | None:
    """The URL of the live manager noted beside the store, if it answers."""
    import httpx

    path = _note_path(uri)
    try:
        note = json.loads(path.read_text()) if path else None
        os.kill(int(note["pid"]), 0)
        httpx.get(note["url"] + "/health/live", timeout=2.0).raise_for_status()
    except (OSError, ValueError, TypeError, KeyError, httpx.HTTPError):
        return None
    return str(note["url"])


def _command_through(argv: list[str], url: str) -> str:
    kept, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "--store":
            skip = True
        elif not word.startswith("--store="):
            kept.append(word)
    return "provml " + shlex.join([*kept, "--manager", url])


def _locked_hint(uri: str, argv: list[str]) -> str:
    url = _running_manager(uri)
    if url is not None:
        return f"\nThe manager at {url} holds it; ask through it:\n  {_command_through(argv, url)}"
    return (
        "\nIf a manager holds it, ask through the manager: add --manager URL (the URL `provml "
        "serve` printed, e.g. http://127.0.0.1:7080) instead of --store."
    )


def open_target(args: argparse.Namespace) -> Any:
    """Open the store the arguments name; ``TargetError`` with a way out when it cannot be."""
    from services.store import StoreError, open_store
    from services.store._sparql import SparqlStore

    uri = target_uri(args)
    scheme, _, path = uri.partition(":")
    if scheme == "oxigraph" and not Path(path.removeprefix("//")).expanduser().exists():
        # reading must not leave an empty store behind
        raise TargetError(f"no store at {path} (give --store URI or --manager URL)")
    token = getattr(args, "token", None) or os.environ.get("PROVML_TOKEN")
    try:
        if scheme in ("sparql+http", "sparql+https"):
            return SparqlStore(uri, token=token)
        return open_store(uri)
    except StoreError as exc:
        hint = _locked_hint(uri, getattr(args, "argv", [])) if isinstance(exc, OSError) else ""
        raise TargetError(f"cannot open the store {uri}: {exc}{hint}") from exc
