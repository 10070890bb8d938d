"""Just enough SPARQL lexing to see, before a query runs, where it would make the store fetch a URL
(``SERVICE``, ``LOAD``) and how deeply it nests.

Strings, comments and IRIs are skipped as whole tokens, so a keyword inside a literal or a comment
is not one. A ``SERVICE`` or ``LOAD`` target is resolved the way the parser will resolve it: an IRI
against the last ``BASE`` before it, a prefixed name through the ``PREFIX`` declarations; a variable
or an unknown prefix leaves the target unresolved (``iri`` is ``None``), which callers refuse.

>>> scan = scan_sparql('''PREFIX ex: <http://ex.org/>
... SELECT * WHERE { ?s ?p "SERVICE <http://not.a.target/>" # SERVICE <http://nor/this>
...   SERVICE SILENT ex:sparql { ?s ?p ?o } SERVICE ?where { ?s ?p ?o } }''')
>>> [(t.keyword, t.iri, t.silent) for t in scan.targets]
[('SERVICE', 'http://ex.org/sparql', True), ('SERVICE', None, False)]
>>> scan.depth
2
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

__all__ = ["SparqlScan", "Target", "scan_sparql"]

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<name>(?:[^\W\d][\w.-]*)?:(?:[\w:%-]|\\.|\.(?=[\w:%-]))*|[^\W\d]\w*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
    """,
    re.VERBOSE | re.DOTALL,
)
_FETCHING = {"SERVICE", "LOAD"}


@dataclass(frozen=True)
class Target:
    """A URL the query or update would make the store fetch: ``keyword`` is ``SERVICE`` or
    ``LOAD``, ``iri`` the resolved IRI (``None`` when it cannot be known before evaluation, e.g.
    ``SERVICE ?var``), ``text`` the token as written."""

    keyword: str
    iri: str | None
    silent: bool
    text: str


@dataclass
class SparqlScan:
    """What ``scan_sparql`` found: the fetch targets in order and the deepest nesting of ``{``,
    ``(`` and ``[``."""

    targets: list[Target] = field(default_factory=list)
    depth: int = 0


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or ""
        if kind != "comment":
            out.append((kind, m.group()))
    return out


def _resolve(kind: str, value: str, base: str | None, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        iri = value[1:-1]
        return urljoin(base, iri) if base else iri
    if kind == "name" and ":" in value:
        prefix, _, local = value.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + re.sub(r"\\(.)", r"\1", local)
    return None


def scan_sparql(text: str) -> SparqlScan:
    """Scan a SPARQL query or update (see the module docstring)."""
    scan = SparqlScan()
    tokens = _tokens(text)
    base: str | None = None
    prefixes: dict[str, str] = {}
    depth = 0
    for i, (kind, value) in enumerate(tokens):
        if kind == "open":
            depth += 1
            scan.depth = max(scan.depth, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind != "name":
            continue
        word = value.upper()
        following = tokens[i + 1 : i + 4]
        if word == "BASE" and following and following[0][0] == "iri":
            base = _resolve("iri", following[0][1], base, prefixes)
        elif word == "PREFIX" and len(following) > 1 and following[0][1].endswith(":"):
            if following[1][0] == "iri":
                prefixes[following[0][1][:-1]] = _resolve("iri", following[1][1], base, prefixes)
        elif word in _FETCHING and following:
            silent = following[0][0] == "name" and following[0][1].upper() == "SILENT"
            target = following[1] if silent and len(following) > 1 else following[0]
            if target[0] in ("iri", "var") or (target[0] == "name" and ":" in target[1]):
                iri = _resolve(target[0], target[1], base, prefixes)
                scan.targets.append(Target(word, iri, silent, target[1]))
            elif word == "SERVICE":  # not a target the parser would accept: refuse it anyway
                scan.targets.append(Target(word, None, silent, target[1]))
    return scan
