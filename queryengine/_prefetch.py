"""Sub-selects asked on their own first, for engines that cannot compile a question in one piece.

A line ``# @prefetch`` just before a group (``{`` or ``OPTIONAL {``) whose content is one sub-select
marks that sub-select as asked first on a store whose ``prefetch_subselects`` is true (Virtuoso,
see docs/stores.md): the engine sends it as a query of its own (with the question's prologue),
then replaces the group's content with a ``VALUES`` block of its rows. SPARQL evaluates a
sub-select bottom-up, independently of the patterns around it, so the answer is the same; the
server compiles two small queries instead of one large one. Two marked sub-selects with the same
text are asked once. Every other store runs the text as it is (the marker is a comment).

A sub-select whose answer holds a blank node (a ``VALUES`` block cannot hold one) leaves the text
as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from queryengine._lexer import group_end

__all__ = ["MARKER", "prefetched"]

#: The marker line and the opening brace of the group after it.
MARKER = re.compile(r"^[ \t]*# @prefetch[ \t]*\n[ \t]*(?:OPTIONAL[ \t]*)?\{", re.MULTILINE)
_PROLOGUE = re.compile(r"^[ \t]*(?:PREFIX|BASE)\b[^\n]*", re.MULTILINE | re.IGNORECASE)


def prefetched(text: str, ask: Callable[[str], Any]) -> str:
    """``text`` with each marked sub-select replaced by a ``VALUES`` block of the rows that
    ``ask`` (a query text → a store's ``SelectResult``) answers for it alone.

    >>> text = '''PREFIX ex: <http://ex.org/>
    ... SELECT ?s ?n WHERE {
    ...   # @prefetch
    ...   { SELECT ?s WHERE { ?s ex:p 1 } ORDER BY ?s LIMIT 1 }
    ...   ?s ex:name ?n
    ... }'''
    >>> from queryengine._testing import PyoxigraphStore
    >>> store = PyoxigraphStore()
    >>> store.add_turtle("<http://ex.org/a> <http://ex.org/p> 1 ; <http://ex.org/name> 'a' .")
    >>> print(prefetched(text, store.query).splitlines()[2])
      { VALUES (?s) { (<http://ex.org/a>) } }
    """
    prologue = "\n".join(m.group(0).strip() for m in _PROLOGUE.finditer(text))
    answers: dict[str, str] = {}
    start = 0
    while m := MARKER.search(text, start):
        end = group_end(text, m.end())
        inner = text[m.end() : end].strip()
        if inner not in answers:
            result = ask(f"{prologue}\n{inner}")
            block = _values(result.variables, result.rows)
            if block is None:
                return text
            answers[inner] = block
        opening = text[m.start() + m.group(0).index("\n") + 1 : m.end()]  # the marker dropped
        text = f"{text[: m.start()]}{opening} {answers[inner]} {text[end:]}"
        start = m.start()
    return text


def _values(variables: list[str], rows: list[Any]) -> str | None:
    """A ``VALUES`` block of ``rows`` (``None`` when a row holds a blank node)."""
    cells = []
    for row in rows:
        terms = list(row)
        if any(isinstance(t, ox.BlankNode | ox.Triple) for t in terms):
            return None
        cells.append("(" + " ".join("UNDEF" if t is None else str(t) for t in terms) + ")")
    head = " ".join(f"?{n}" for n in variables)
    return f"VALUES ({head}) {{ {' '.join(cells)} }}"
