"""Views: the SPARQL the web UI runs, one file per view in ``queryengine/views``.

A view file has the header of a question (``# name``, ``# description``, ``# param``,
``# returns``) and is bound the same way (typed parameters in a ``VALUES`` block at ``# @values``).
A view may also take a set of nodes: a line ``# @nodes`` becomes ``VALUES ?node { ... }`` with the
IRIs serialised by pyoxigraph (so they are data, never text). Views are not questions: ``provml
ask`` does not list them; they are the building blocks of the manager's ``/api/v1`` read routes.

>>> from queryengine._testing import PyoxigraphStore
>>> store = PyoxigraphStore()
>>> store.add_turtle('''<http://ex.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .''')
>>> [(r["node"], r["label"]) for r in run_node_view("node-labels", store=store, nodes=["http://ex.org/a"])]
[('http://ex.org/a', 'A')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from queryengine._catalogue import Question, parse_question
from queryengine._errors import QuestionFileError, UnknownQuestionError
from queryengine._results import Rows
from queryengine._store import QueryableStore

__all__ = ["get_view", "run_node_view", "views"]

_NODES = re.compile(r"^[ \t]*# @nodes[ \t]*$", re.MULTILINE)


@cache
def views() -> dict[str, Question]:
    """All bundled views by name.

    >>> "run-summaries" in views()
    True
    """
    folder = Path(str(files("queryengine").joinpath("views")))
    found: dict[str, Question] = {}
    for f in sorted(folder.glob("*.rq")):
        q = parse_question(f.read_text(encoding="utf-8"), str(f))
        if q.name != f.stem:
            raise QuestionFileError(f"{f}: name {q.name!r} differs from the file name", file=str(f))
        found[q.name] = q
    return found


def get_view(name: str) -> Question:
    """The view called ``name``; raises ``UnknownQuestionError`` naming the known ones."""
    try:
        return views()[name]
    except KeyError as e:
        known = sorted(views())
        raise UnknownQuestionError(
            f"unknown view {name!r}; known views: {', '.join(known)}", question=name, known=known
        ) from e


def run_node_view(
    name: str, *, store: QueryableStore, nodes: Iterable[str], timeout: float | None = None
) -> Rows:
    """Answer a ``# @nodes`` view over ``nodes`` (IRIs); an empty set of nodes answers no rows
    without asking the store. (A view with parameters is answered by ``queryengine.run_view``.)"""
    view = get_view(name)
    if not _NODES.search(view.sparql):
        raise QuestionFileError(f"view {name!r} takes no nodes", file=view.path)
    terms = sorted({str(ox.NamedNode(iri)) for iri in nodes})
    if not terms:
        return Rows(view.returns)
    block = f"VALUES ?node {{ {' '.join(terms)} }}"
    text = _NODES.sub(lambda m: m.group(0).replace("# @nodes", block), view.sparql)
    return Rows.from_result(store.query(text, timeout=timeout))
