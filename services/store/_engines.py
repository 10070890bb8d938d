"""Engine profiles of the remote store: what one SPARQL server needs that the protocol leaves open.

A ``sparql+http(s)://`` store URI names its engine with ``engine=`` (default ``oxigraph``); every
request goes through the one ``SparqlStore`` code path, which asks the profile only where servers
differ (see docs/stores.md, "Engine profiles").

>>> profile("virtuoso").paths["query"], profile("virtuoso").drop_all
('', False)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._errors import InvalidDataError

__all__ = ["ENGINES", "EngineProfile", "profile"]


@dataclass(frozen=True)
class EngineProfile:
    """How provml talks to one SPARQL server."""

    name: str
    #: Default endpoint paths, relative to the base URL ("" is the base URL itself).
    paths: dict[str, str]
    #: The graphs the server keeps for itself: never listed, counted, dumped or dropped (queries
    #: over the default graph still see them: Virtuoso's graph-exclusion pragmas also hide the
    #: triples of ``GRAPH <iri>`` patterns, so they are not used).
    system_graphs: tuple[str, ...] = ()
    #: ``dump`` reads the Graph Store Protocol endpoint (else it pages a SPARQL SELECT).
    graph_store: bool = True
    #: ``DROP ALL`` / ``CLEAR ALL`` work (else provml drops its graphs one by one).
    drop_all: bool = True
    #: ``None`` when ``xsd:double`` values come back exact in query results; else a SPARQL
    #: expression (``{}`` is the variable) giving a double's exact text, through which the store
    #: reads them again.
    exact_double: str | None = None
    #: Blank nodes of ``load`` are written by an ``INSERT`` template, not ``INSERT DATA``.
    blank_template: bool = False
    #: A double ``NaN`` is written by an insert operation of its own (see ``insert_data``).
    nan_apart: bool = False
    #: Booleans may come back as ``"1"`` / ``"0"`` and dateTimes with trailing zeros: the store
    #: writes them as the embedded store does (``true`` / ``false``, ``12:00:00.5Z``).
    canonical_terms: bool = False
    #: The server ignores a VALUES-bound start of a property path: questions substitute the
    #: parameter's constant into the query text instead.
    substitute_parameters: bool = False
    #: A question's sub-selects marked ``# @prefetch`` are asked first, on their own, and their
    #: rows given back as ``VALUES``: the server cannot compile the question in one piece.
    prefetch_subselects: bool = False
    #: The server cuts every answer at this many rows without saying so (``None``: it never
    #: does); a ``maxrows=`` URI parameter overrides it.
    max_rows: int | None = None
    #: Regular expressions of the server's messages that refuse a valid query: its planner's
    #: estimate, its compiler's internal limits, its memory limit for one query.
    refusals: tuple[str, ...] = field(default_factory=tuple)
    #: ``NOW()`` is sent as the dateTime of the moment the store is asked (UTC): the server's
    #: ``NOW()`` has no time zone, and a query asked twice (``exact_double``) must see one instant.
    pinned_now: bool = False


ENGINES: dict[str, EngineProfile] = {
    "oxigraph": EngineProfile(
        "oxigraph", paths={"query": "query", "update": "update", "store": "store"}
    ),
    "virtuoso": EngineProfile(
        "virtuoso",
        paths={"query": "", "update": "", "store": ""},
        system_graphs=(
            "http://www.openlinksw.com/schemas/virtrdf#",
            "http://www.w3.org/ns/ldp#",
            "http://localuriqaserver/sparql",
            "http://www.w3.org/2002/07/owl#",
        ),
        graph_store=False,
        drop_all=False,
        exact_double='bif:sprintf("%.17g", xsd:double({}))',
        blank_template=True,
        nan_apart=True,
        canonical_terms=True,
        substitute_parameters=True,
        prefetch_subselects=True,
        max_rows=10000,
        refusals=(
            r"estimated execution time .* exceeds the limit",
            r"SP031: SPARQL compiler: Internal error",
            r"memory pool size \d+ reached the limit",
            r"SR353: Sorted TOP clause",
        ),
        pinned_now=True,
    ),
}


def profile(name: str) -> EngineProfile:
    """The profile called ``name``; ``InvalidDataError`` names the known ones otherwise."""
    try:
        return ENGINES[name]
    except KeyError:
        raise InvalidDataError(
            f"unknown engine {name!r} in the store URI; known: {sorted(ENGINES)}"
        ) from None
