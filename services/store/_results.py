"""Query results: built from pyoxigraph answers, serialised for the SPARQL protocol.

pyoxigraph serialises only the live answer of a query, so a materialised ``SelectResult`` is first
written as SPARQL results TSV (whose terms are N-Triples terms, which pyoxigraph writes) and read
back by pyoxigraph, which then writes the requested format. Every format is therefore produced by
pyoxigraph's own writers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import pyoxigraph as ox

from ._base import AskResult, GraphResult, QueryResult, SelectResult
from ._errors import InvalidDataError, StoreTimeoutError

__all__ = [
    "GRAPH_MEDIA_TYPES",
    "SOLUTIONS_MEDIA_TYPES",
    "materialize",
    "serialize_result",
]

#: Media types for SELECT and ASK results; the first is the default.
SOLUTIONS_MEDIA_TYPES: tuple[str, ...] = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
#: Media types for CONSTRUCT and DESCRIBE results; the first is the default.
GRAPH_MEDIA_TYPES: tuple[str, ...] = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
)


def materialize(
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    cancel: threading.Event | None = None,
) -> QueryResult:
    """Read a pyoxigraph answer into a result; stops at the next row once ``cancel`` is set."""
    if isinstance(answer, ox.QueryBoolean):
        return AskResult(bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        width = range(len(variables))
        rows = []
        for solution in answer:
            if cancel is not None and cancel.is_set():
                raise StoreTimeoutError("query cancelled after its timeout")
            rows.append(tuple(solution[i] for i in width))
        return SelectResult(variables, rows)
    triples = []
    for triple in answer:
        if cancel is not None and cancel.is_set():
            raise StoreTimeoutError("query cancelled after its timeout")
        triples.append(triple)
    return GraphResult(triples)


def _bare(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def _tsv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        inner = (_tsv_term(term.subject), _tsv_term(term.predicate), _tsv_term(term.object))
        return "<<( {} {} {} )>>".format(*inner)
    # Tabs are the only characters N-Triples leaves raw that TSV cannot carry.
    return str(term).replace("\t", "\\t")


def _tsv(result: SelectResult) -> str:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines.extend("\t".join(_tsv_term(t) for t in row) for row in result.rows)
    return "\n".join(lines) + "\n"


def _serialize_rows(rows: Iterable[ox.Triple], media_type: str) -> bytes:
    return ox.serialize(rows, format=ox.RdfFormat.from_media_type(media_type))


def serialize_result(result: QueryResult, media_type: str) -> bytes:
    """Serialise a query result in ``media_type`` (parameters such as ``charset`` are ignored).

    Raises ``ValueError`` when the media type does not suit the kind of result.

    >>> serialize_result(AskResult(True), "application/sparql-results+json")
    b'{"head":{},"boolean":true}'
    """
    bare = _bare(media_type)
    if isinstance(result, GraphResult):
        if bare not in GRAPH_MEDIA_TYPES:
            raise InvalidDataError(
                f"cannot serialise a graph result as {media_type!r}; use one of {GRAPH_MEDIA_TYPES}"
            )
        return _serialize_rows(result.triples, bare)
    if bare not in SOLUTIONS_MEDIA_TYPES:
        raise InvalidDataError(
            f"cannot serialise a {type(result).__name__} as {media_type!r}; "
            f"use one of {SOLUTIONS_MEDIA_TYPES}"
        )
    fmt = ox.QueryResultsFormat.from_media_type(bare)
    if isinstance(result, AskResult):
        text = '{"head":{},"boolean":%s}' % ("true" if result.value else "false")
        answer = ox.parse_query_results(text, ox.QueryResultsFormat.JSON)
    else:
        answer = ox.parse_query_results(_tsv(result), ox.QueryResultsFormat.TSV)
    return answer.serialize(format=fmt)
