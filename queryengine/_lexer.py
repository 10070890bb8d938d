"""Just enough SPARQL lexing to find where a group graph pattern ends, skipping IRIs, strings and
comments (used to wrap the rest of a group after a ``# @values`` line into ``LATERAL { ... }``),
and to substitute constants for variables in such a group (for engines without LATERAL that
ignore a VALUES-bound start of a property path)."""

from __future__ import annotations

import re

__all__ = ["SKIPPED", "group_end", "substitute"]

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRINGS = [
    re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
    re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
    re.compile(r'"(?:[^"\\\n]|\\.)*"'),
    re.compile(r"'(?:[^'\\\n]|\\.)*'"),
]
#: What a scan of a query's code passes over whole (a regular expression): strings, long ones
#: first, IRIs and comments.
SKIPPED = "|".join(p.pattern for p in (*_STRINGS, _IRI)) + r"|#[^\n]*"


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


_TOKEN = re.compile(r"[?$](?P<var>[A-Za-z_0-9]+)|(?P<word>[A-Za-z]+)")
# After these keywords variables are named, not used: a projection, a grouping, a VALUES head.
_BOUND = re.compile(r"BOUND\s*\(\s*$", re.IGNORECASE)
_NAMING = {
    "select": ("where", "{"),
    "group": ("}", "having", "order", "limit", "offset"),
    "values": ("{",),
}


def substitute(text: str, start: int, end: int, terms: dict[str, str]) -> str:
    """``text[start:end]`` with each use of a variable of ``terms`` replaced by its constant; a
    subquery projects it bound to the constant and groups by the constant; ``VALUES ?v``,
    ``AS ?v`` and ``BOUND(?v)`` keep the variable.

    >>> q = '{ SELECT ?a { ?a <p> "?a" FILTER(BOUND(?a)) } GROUP BY ?a }'
    >>> print(substitute(q, 1, len(q), {"a": "<x:1>"}))
    { SELECT (<x:1> AS ?a) { <x:1> <p> "?a" FILTER(BOUND(?a)) } GROUP BY (<x:1>) }
    >>> substitute("BIND(?a AS ?b) VALUES ?a { 1 }", 0, 30, {"a": "1", "b": "2"})
    'BIND(1 AS ?b) VALUES ?a { 1 }'
    """
    out, i, last = [text[:start]], start, start
    naming: tuple[str, ...] = ()
    after_as = False
    while i < end:
        c = text[i]
        if c == "#":
            newline = text.find("\n", i)
            i = end if newline < 0 else newline
            continue
        if c == "<" and (m := _IRI.match(text, i)):
            i = m.end()
            continue
        if c in "\"'":
            for pattern in _STRINGS:
                if m := pattern.match(text, i):
                    i = m.end()
                    break
            else:
                raise ValueError(f"unterminated string at {i}")
            continue
        if c in "{}" and c in naming:
            naming = ()
        m = _TOKEN.match(text, i)
        if m is None or (m["word"] and i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            i += 1
            continue
        if m["word"]:
            word = m["word"].lower()
            if word in naming:
                naming = ()
            if word in _NAMING:
                naming = _NAMING[word]
            after_as = word == "as"
        elif (
            m["var"] in terms
            and naming is not _NAMING["values"]
            and not after_as
            and not _BOUND.search(text, max(start, i - 20), i)
        ):
            constant = terms[m["var"]]
            if naming is _NAMING["select"]:  # still projected, bound to the constant
                constant = f"({constant} AS ?{m['var']})"
            elif naming is _NAMING["group"]:
                constant = f"({constant})"
            out.append(text[last:i] + constant)
            last = m.end()
        else:
            after_as = False
        i = m.end()
    return "".join(out) + text[last:]
