"""The little a remote store reads of a query's text: its prologue and its form.

>>> split_prologue("PREFIX ex: <http://ex.org/#> # a comment\\nSELECT * { ?s ?p ?o }")
('PREFIX ex: <http://ex.org/#> # a comment\\n', 'SELECT * { ?s ?p ?o }')
>>> query_form("BASE <http://ex.org/> ask {}")
'ASK'
>>> print(with_now('ASK { FILTER(NOW() > 0) } # NOW()', "2026-01-01T00:00:00Z"))
ASK { FILTER("2026-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> > 0) } # NOW()
"""

from __future__ import annotations

import re

from queryengine._lexer import SKIPPED

__all__ = ["query_form", "split_prologue", "with_now"]

_PROLOGUE_ITEM = re.compile(
    r"\s+|#[^\n]*(?:\n|$)|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>|DEFINE\s+\S+\s+(?:<[^>]*>|\"[^\"]*\"|\S+)",
    re.IGNORECASE,
)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
# NOW() outside what a scan of the code passes over whole (strings, IRIs, comments).
_NOW = re.compile(SKIPPED + r"|(?<![\w?$:])NOW\s*\(\s*\)", re.IGNORECASE | re.DOTALL)


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


def with_now(sparql: str, now: str) -> str:
    """The query with each ``NOW()`` call replaced by the ``xsd:dateTime`` ``now`` (its lexical
    form), outside strings, IRIs and comments."""
    literal = f'"{now}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        return literal if text[0] not in "\"'<#" else text

    return _NOW.sub(replace, sparql)
