"""Answers of SPARQL servers brought to what the embedded store gives for the same data.

Servers differ from Oxigraph in how they write some terms (see ``EngineProfile``): Virtuoso writes
blank nodes as ``nodeID://…``, booleans as ``"1"`` / ``"0"``, dateTimes with trailing zeros and
``xsd:double`` values rounded to six significant digits. The remote store repairs the first three
while it reads an answer; for doubles it asks again, for the exact text of each double
(``exact_doubles_query``), and puts it back (``with_exact_doubles``) as the embedded store writes
it, so numbers read, exported and compared on replay are the ones written.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from decimal import Decimal

import pyoxigraph as ox

from ._base import GraphResult, QueryResult, SelectResult
from ._errors import StoreUnavailableError
from ._sparql_text import split_prologue

__all__ = [
    "XSD_DOUBLE",
    "double_columns",
    "exact_doubles_query",
    "graph_doubles",
    "graph_doubles_query",
    "repair_json",
    "repair_terms",
    "with_exact_doubles",
    "with_exact_graph_doubles",
]

XSD_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
# Trailing zeros of the seconds' fraction, which the embedded store does not write.
_FRACTION_ZEROS = re.compile(r"(T\d\d:\d\d:\d\d)(\.\d*?)0+(?=Z$|[+-]\d\d:\d\d$|$)")
_BOOLEANS = {"1": "true", "0": "false"}
_NODE_ID = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_EXACT = "provml_exact_"
_NOT_ROUNDED = {"NaN", "INF", "-INF"}


def repair_json(body: bytes) -> bytes:
    """SPARQL JSON results with ``nodeID://bNNN`` blank nodes written as ``bNNN``."""
    return _NODE_ID.sub(rb"\1", body)


def _term(term: object) -> object:
    if not isinstance(term, ox.Literal):
        return term
    if term.datatype == _XSD_BOOLEAN and term.value in _BOOLEANS:
        return ox.Literal(_BOOLEANS[term.value], datatype=_XSD_BOOLEAN)
    if term.datatype == _XSD_DATETIME:
        text = _FRACTION_ZEROS.sub(lambda m: m[1] + m[2].rstrip("."), term.value)
        return ox.Literal(text, datatype=_XSD_DATETIME) if text != term.value else term
    return term


def repair_terms(result: QueryResult) -> QueryResult:
    """The result with ``"1"`` / ``"0"`` booleans written ``true`` / ``false`` and dateTimes
    without trailing zeros in their seconds (as the embedded store writes them).

    >>> repair_terms(GraphResult([ox.Triple(XSD_DOUBLE, XSD_DOUBLE, ox.Literal(
    ...     "2026-12-02T12:46:00.173810Z", datatype=_XSD_DATETIME))])).triples[0].object.value
    '2026-12-02T12:46:00.17381Z'
    """
    if isinstance(result, SelectResult):
        rows = [tuple(_term(t) for t in row) for row in result.rows]
        return SelectResult(result.variables, rows)  # type: ignore[arg-type]
    if isinstance(result, GraphResult):
        return GraphResult(
            [ox.Triple(t.subject, t.predicate, _term(t.object)) for t in result.triples]  # type: ignore[arg-type]
        )
    return result


def double_lexical(text: str) -> str:
    """The text the embedded store writes for the double a server printed as ``text``: Oxigraph
    keeps the value, not the lexical form, and writes the shortest digits that read back as the
    same double, without an exponent.

    >>> [double_lexical(t) for t in ("0.30000000000000004", "1", "1e-07", "-0", "nan", "-inf")]
    ['0.30000000000000004', '1', '0.0000001', '-0', 'NaN', '-INF']
    """
    value = float(text)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    positional = format(Decimal(repr(value)), "f")
    return positional.rstrip("0").rstrip(".") if "." in positional else positional


def double_columns(result: SelectResult) -> list[int]:
    """The columns of ``result`` holding at least one ``xsd:double``."""
    return [
        i
        for i in range(len(result.variables))
        if any(isinstance(r[i], ox.Literal) and r[i].datatype == XSD_DOUBLE for r in result.rows)
    ]


def exact_doubles_query(sparql: str, variables: list[str], columns: list[int], expr: str) -> str:
    """The query again, projecting also the exact text (``expr``) of each double column."""
    prologue, query = split_prologue(sparql)
    extra = " ".join(
        f'(IF(DATATYPE(?{variables[i]}) = {XSD_DOUBLE}, {expr.format("?" + variables[i])}, "")'
        f" AS ?{_EXACT}{i})"
        for i in columns
    )
    projection = " ".join(f"?{v}" for v in variables)
    return f"{prologue}SELECT {projection} {extra} WHERE {{\n{query}\n}}"


def with_exact_doubles(
    first: SelectResult, again: SelectResult, columns: list[int]
) -> SelectResult:
    """``first`` with the doubles of ``columns`` read from ``again`` (the exact-doubles query).

    Rows are matched by their rounded terms, so the order of ``first`` is kept even if the server
    returned ``again`` in another order; an answer that changed in between is an error.
    """
    width = len(first.variables)
    pairs = []
    for row in again.rows:
        exact = list(row[:width])
        for k, i in enumerate(columns):
            text = row[width + k]
            term = exact[i]
            if isinstance(text, ox.Literal) and text.value and isinstance(term, ox.Literal):
                exact[i] = ox.Literal(double_lexical(text.value), datatype=XSD_DOUBLE)
        pairs.append((tuple(row[:width]), tuple(exact)))
    if [rounded for rounded, _ in pairs] == first.rows:
        return SelectResult(first.variables, [exact for _, exact in pairs])
    pool: dict[tuple, list[tuple]] = defaultdict(list)
    for rounded, exact in pairs:
        pool[rounded].append(exact)
    rows = []
    for row in first.rows:
        if not pool.get(row):
            raise StoreUnavailableError(
                "the store's answer changed while its exact xsd:double values were read"
            )
        rows.append(pool[row].pop(0))
    return SelectResult(first.variables, rows)


def graph_doubles(result: GraphResult) -> list[ox.NamedNode]:
    """The subjects (IRIs) of the triples of ``result`` whose object is a rounded double."""
    subjects = {
        t.subject: None
        for t in result.triples
        if isinstance(t.object, ox.Literal)
        and t.object.datatype == XSD_DOUBLE
        and t.object.value not in _NOT_ROUNDED
        and isinstance(t.subject, ox.NamedNode)
    }
    return list(subjects)  # type: ignore[arg-type]


def graph_doubles_query(subjects: list[ox.NamedNode], expr: str) -> str:
    """A SELECT of every stored double of ``subjects``: its rounded term and its exact text."""
    values = " ".join(str(s) for s in subjects)
    return (
        f"SELECT DISTINCT ?s ?o ({expr.format('?o')} AS ?x) WHERE {{ VALUES ?s {{ {values} }} "
        f"?s ?p ?o FILTER(isNumeric(?o) && DATATYPE(?o) = {XSD_DOUBLE}) }}"
    )


def with_exact_graph_doubles(result: GraphResult, stored: SelectResult) -> GraphResult:
    """``result`` with each double replaced by the value its subject holds that it was rounded
    from; a double no stored value of its subject explains (computed by the query), or two
    stored values that round alike, is an error, never a rounded number."""
    exact: dict[tuple, set[str]] = defaultdict(set)
    for s, o, x in stored.rows:
        if isinstance(x, ox.Literal):
            exact[(s, o)].add(double_lexical(x.value))
    triples = []
    for t in result.triples:
        if (
            isinstance(t.object, ox.Literal)
            and t.object.datatype == XSD_DOUBLE
            and t.object.value not in _NOT_ROUNDED
        ):
            found = exact.get((t.subject, t.object), set())
            if len(found) != 1:
                raise StoreUnavailableError(
                    f"cannot read the exact xsd:double of {t}: the server rounds doubles in "
                    "graph results, and its subject holds "
                    + ("no such value" if not found else "several values that round alike")
                )
            t = ox.Triple(t.subject, t.predicate, ox.Literal(found.pop(), datatype=XSD_DOUBLE))
        triples.append(t)
    return GraphResult(triples)
