"""Checking quads before they are written, and writing them as SPARQL text.

``add`` accepts only ground quads in a named graph: IRIs and literals, no blank nodes (a blank node
would get a fresh identity on each write, breaking the idempotency of replays) and no triple terms.
Checking is lazy so the embedded store can feed it straight into its transaction: the first invalid
quad aborts the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from ._errors import InvalidDataError

__all__ = [
    "checked_quads",
    "delete_data",
    "insert_data",
    "named_graph",
    "replace_graph_update",
    "sparql_iri",
]


def _check_term(term: object, position: str, index: int) -> None:
    if isinstance(term, ox.NamedNode) or (isinstance(term, ox.Literal) and position == "object"):
        return
    raise InvalidDataError(
        f"quad #{index}: the {position} must be an IRI"
        + (" or a literal" if position == "object" else "")
        + f", got {term!r}"
    )


def checked_quads(quads: Iterable[object]) -> Iterator[ox.Quad]:
    """Yield the quads, raising ``InvalidDataError`` at the first one ``add`` must refuse."""
    for index, quad in enumerate(quads):
        if not isinstance(quad, ox.Quad):
            raise InvalidDataError(f"quad #{index}: expected a pyoxigraph Quad, got {quad!r}")
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise InvalidDataError(
                f"quad #{index}: the graph must be a named graph IRI, got {quad.graph_name!r}"
            )
        _check_term(quad.subject, "subject", index)
        _check_term(quad.predicate, "predicate", index)
        _check_term(quad.object, "object", index)
        yield quad


def named_graph(iri: str) -> ox.NamedNode:
    """The graph name for ``iri``; ``InvalidDataError`` when it is not a valid IRI."""
    try:
        return ox.NamedNode(iri)
    except (TypeError, ValueError) as exc:
        raise InvalidDataError(f"invalid graph IRI {iri!r}: {exc}") from exc


def sparql_iri(iri: str) -> str:
    """The IRI as SPARQL text (``<...>``), checked by pyoxigraph so it cannot break the query."""
    return str(named_graph(iri))


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    # N-Triples term syntax (escaped by pyoxigraph) is valid SPARQL term syntax.
    return str(term)


def _graph_blocks(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        by_graph.setdefault(str(quad.graph_name), []).append(
            f"{_term(quad.subject)} {_term(quad.predicate)} {_term(quad.object)} ."
        )
    return "\n".join(
        f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}" for graph, lines in by_graph.items()
    )


_NAN = ox.Literal("NaN", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double"))


def insert_data(
    quads: Iterable[ox.Quad], *, nan_apart: bool = False, blank_template: bool = False
) -> str:
    """One ``INSERT DATA`` update writing every quad (grouped in ``GRAPH`` blocks).

    With ``blank_template``, quads with blank nodes are written by ``INSERT { ... } WHERE {}``
    (Virtuoso refuses blank nodes in ``INSERT DATA``; a template makes them fresh just the same).

    With ``nan_apart``, each quad whose object is the double ``NaN`` is written by an operation
    of its own in the same request, as a typed string (Virtuoso's column store breaks its indexes
    when it sorts a native NaN among other numbers).
    """
    quads = list(quads)
    alone = [q for q in quads if nan_apart and q.object == _NAN]
    rest = [q for q in quads if not (nan_apart and q.object == _NAN)]
    if blank_template and any(_blank(q) for q in rest):
        operations = ["INSERT {\n" + _graph_blocks(rest) + "\n} WHERE {}"]
    else:
        operations = ["INSERT DATA {\n" + _graph_blocks(rest) + "\n}"] if rest or not alone else []
    operations.extend(_insert_nan(q) for q in alone)
    return " ;\n".join(operations)


def _blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _insert_nan(quad: ox.Quad) -> str:
    """The quad, written as a typed string the server never sorts as a number, unless its graph
    already holds it (matched by subject, predicate and text, never by comparing the NaN)."""
    s, p, g = _term(quad.subject), _term(quad.predicate), str(quad.graph_name)
    double = "<http://www.w3.org/2001/XMLSchema#double>"
    return (
        f'INSERT {{ GRAPH {g} {{ {s} {p} ?nan }} }} WHERE {{ BIND(STRDT("NaN", {double}) AS ?nan)'
        f" FILTER NOT EXISTS {{ GRAPH {g} {{ {s} {p} ?old FILTER(DATATYPE(?old) = {double}"
        f' && LCASE(STR(?old)) = "nan") }} }} }}'
    )


def delete_data(quads: Iterable[ox.Quad]) -> str:
    """One ``DELETE DATA`` update removing every quad (grouped in ``GRAPH`` blocks)."""
    return "DELETE DATA {\n" + _graph_blocks(quads) + "\n}"


def graph_load_update(
    data: bytes,
    format: ox.RdfFormat,
    graph: str,
    *,
    nan_apart: bool = False,
    blank_template: bool = False,
) -> tuple[str, int]:
    """The SPARQL update that replaces ``graph`` with the parsed data, and the number of triples.

    The data is parsed here, before anything reaches a store, so bad data never writes anything.
    """
    sparql_iri(graph)
    if not isinstance(format, ox.RdfFormat):
        raise InvalidDataError(f"format must be a pyoxigraph RdfFormat, not {format!r}")
    try:
        triples = list(ox.parse(data, format=format))
    except (SyntaxError, ValueError) as exc:
        raise InvalidDataError(f"cannot parse the {format.name} data for {graph}: {exc}") from exc
    update = replace_graph_update(
        graph, triples, nan_apart=nan_apart, blank_template=blank_template
    )
    return update, len(triples)


def replace_graph_update(
    graph: str,
    triples: Iterable[ox.Triple | ox.Quad],
    *,
    nan_apart: bool = False,
    blank_template: bool = False,
) -> str:
    """One update request that empties ``graph`` and fills it with ``triples`` (one transaction)."""
    target = named_graph(graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
    update = f"DROP SILENT GRAPH {sparql_iri(graph)}"
    if quads:
        update += " ;\n" + insert_data(quads, nan_apart=nan_apart, blank_template=blank_template)
    return update
