"""The little a remote store reads of a query's text: its prologue and its form.

>>> split_prologue("PREFIX ex: <http://ex.org/#> # a comment\\nSELECT * { ?s ?p ?o }")
('PREFIX ex: <http://ex.org/#> # a comment\\n', 'SELECT * { ?s ?p ?o }')
>>> query_form("BASE <http://ex.org/> ask {}")
'ASK'
"""

from __future__ import annotations

import re

__all__ = ["query_form", "split_prologue"]

_PROLOGUE_ITEM = re.compile(
    r"\s+|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>|DEFINE\s+\S+\s+(?:<[^>]*>|\"[^\"]*\"|\S+)",
    re.IGNORECASE,
)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def split_prologue(sparql: str) -> tuple[str, str]:
    """The query's prologue (``BASE``, ``PREFIX``, comments) and the rest, the query itself."""
    end = 0
    while match := _PROLOGUE_ITEM.match(sparql, end):
        if match.end() == end:
            break
        end = match.end()
    return sparql[:end], sparql[end:]


def query_form(sparql: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; ``None`` when the text starts otherwise
    (the server will say what is wrong)."""
    match = _FORM.match(split_prologue(sparql)[1])
    return match.group(1).upper() if match else None
