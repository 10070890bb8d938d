"""RDF literals of captured values: times and JSON scalars (a leaf module the mappings share)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pyoxigraph as ox

from provlake.vocab import XSD

from ._iris import V, term

__all__ = ["integer", "literal", "time_literal"]

_XSD_DOUBLE = term(XSD.double)


def time_literal(seconds: float) -> ox.Literal:
    """Unix seconds → ``xsd:dateTime`` in UTC with microseconds.

    >>> time_literal(0.5).value
    '1970-01-01T00:00:00.500000Z'
    """
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return ox.Literal(stamp, datatype=V.xsd_dateTime)


def literal(value: bool | int | float | str) -> ox.Literal:
    """A JSON scalar → ``xsd:boolean`` / ``xsd:integer`` / ``xsd:double`` / ``xsd:string``."""
    if isinstance(value, bool | str):
        return ox.Literal(value)
    if isinstance(value, int):
        return integer(value)
    if math.isnan(value):
        lexical = "NaN"
    elif math.isinf(value):
        lexical = "INF" if value > 0 else "-INF"
    else:
        lexical = repr(value)
    return ox.Literal(lexical, datatype=_XSD_DOUBLE)


def integer(value: int) -> ox.Literal:
    """An ``xsd:integer`` literal."""
    return ox.Literal(str(value), datatype=V.xsd_integer)
