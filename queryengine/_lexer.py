"""Just enough SPARQL lexing to find where a group graph pattern ends, skipping IRIs, strings and
comments (used to wrap the rest of a group after a ``# @values`` line into ``LATERAL { ... }``)."""

from __future__ import annotations

import re

__all__ = ["group_end"]

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRINGS = [
    re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
    re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
    re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    re.compile(r"'(?:[^'\\\n]|\\.)*'"),
]


def group_end(text: str, start: int) -> int:
    """The index of the ``}`` closing the group that encloses ``start``.

    >>> q = 'SELECT * WHERE { ?s <http://x/a#b> "}" . FILTER(?s < 3) # }\\n { ?a ?b ?c } } LIMIT 1'
    >>> q[group_end(q, 16):]
    '} LIMIT 1'
    """
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if c == "<":
            m = _IRI.match(text, i)
            if m:
                i = m.end()
                continue
        elif c in "\"'":
            for pattern in _STRINGS:
                m = pattern.match(text, i)
                if m:
                    i = m.end()
                    break
            else:
                raise ValueError(f"unterminated string at {i}")
            continue
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise ValueError(f"no '}}' closes the group around offset {start}")
