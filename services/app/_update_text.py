"""Just enough SPARQL Update lexing for the protocol endpoint: is there a ``LOAD``, and the
protocol's dataset (``using-graph-uri``, ``using-named-graph-uri``) written as ``USING`` clauses.

The text is cut into tokens (IRIs, strings, comments, words, punctuation) and the operations are
found at brace depth 0, between ``;``. A ``DELETE``/``INSERT ... WHERE`` operation gets the clauses
before its ``WHERE``; ``DELETE WHERE { P }`` becomes ``DELETE { P } USING ... WHERE { P }``, its
definition in SPARQL 1.1 Update. The store parses the result, so a lexing slip on invalid text
still ends as a syntax error.

>>> with_using("DELETE WHERE { ?s ?p ?o }", ["http://g"], [])
'DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }'
>>> has_load("INSERT DATA { GRAPH <http://g> { <http://a> <http://b> 'LOAD' } }")
False
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ._errors import BadRequest

__all__ = ["has_load", "with_using"]

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<word>[^\s{}()\[\]<>"';,\#]+)
    |(?P<punct>.)""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int

    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" and self.text.isalpha() else ""


def _tokens(text: str) -> list[_Token]:
    tokens, depth = [], 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("space", "comment"):
            continue
        value = match.group()
        if value == "}":
            depth = max(depth - 1, 0)
        tokens.append(_Token(kind, value, match.start(), match.end(), depth))
        if value == "{":
            depth += 1
    return tokens


def _operations(tokens: list[_Token]) -> list[list[_Token]]:
    """The tokens of each operation (split at ``;`` outside braces), prologue included."""
    operations: list[list[_Token]] = [[]]
    for token in tokens:
        if token.depth == 0 and token.text == ";":
            operations.append([])
        else:
            operations[-1].append(token)
    return [op for op in operations if op]


def has_load(update: str) -> bool:
    """True when the update has a ``LOAD`` operation (or the word LOAD outside strings, IRIs and
    comments: refusing too much is safe, fetching a file or URL is not)."""
    return any(token.keyword() == "LOAD" for token in _tokens(update))


def _keywords(op: list[_Token]) -> list[_Token]:
    """The keywords of an operation outside braces, its prologue (BASE, PREFIX) left out."""
    words = [t for t in op if t.depth == 0 and t.keyword()]
    while words and words[0].keyword() in ("BASE", "PREFIX"):
        words.pop(0)
    return words


def _group(op: list[_Token], opening: _Token) -> tuple[int, int] | None:
    """Start and end offsets of the ``{ ... }`` group opened by ``opening`` (None if unclosed)."""
    index = op.index(opening)
    for token in op[index + 1 :]:
        if token.text == "}" and token.depth == 0:
            return opening.start, token.end
    return None


def with_using(update: str, graphs: Sequence[str], named: Sequence[str]) -> str:
    """The update with ``USING <g>`` / ``USING NAMED <n>`` added to every operation that has a
    ``WHERE``; ``BadRequest`` when an operation has its own ``USING`` or ``WITH`` (the protocol
    forbids both at once)."""
    clauses = " ".join([*(f"USING <{g}>" for g in graphs), *(f"USING NAMED <{n}>" for n in named)])
    field = "using-graph-uri" if graphs else "using-named-graph-uri"
    edits: list[tuple[int, int, str]] = []
    for op in _operations(_tokens(update)):
        words = _keywords(op)
        names = [t.keyword() for t in words]
        if "USING" in names or "WITH" in names:
            raise BadRequest(
                f"{field} cannot be combined with an update that has its own USING or WITH clause",
                field=field,
            )
        if "WHERE" not in names or names[0] not in ("DELETE", "INSERT"):
            continue
        where = words[names.index("WHERE")]
        if names[:2] == ["DELETE", "WHERE"]:
            braces = [t for t in op if t.text == "{" and t.depth == 0 and t.start > where.start]
            group = _group(op, braces[0]) if braces else None
            if group is None:
                continue  # invalid text: the store reports it
            start, end = group
            pattern = update[start:end]
            edits.append((words[0].start, end, f"DELETE {pattern} {clauses} WHERE {pattern}"))
        else:
            edits.append((where.start, where.start, f"{clauses} "))
    for start, end, text in sorted(edits, reverse=True):
        update = update[:start] + text + update[end:]
    return update
