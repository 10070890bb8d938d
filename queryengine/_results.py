"""Answers as plain Python: RDF terms become str / int / float / bool / None, rows become dicts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

__all__ = ["Rows", "python_value", "to_dataframe"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {_XSD + "double", _XSD + "float", _XSD + "decimal"}
_DURATION = re.compile(r"(-?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def python_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Any:
    """The Python value of an RDF term: IRIs as ``str``, numbers as ``int`` / ``float``, booleans as
    ``bool``, ``xsd:dayTimeDuration`` as seconds (``float``), any other literal as its lexical form.

    >>> python_value(ox.Literal("3", datatype=ox.NamedNode(_XSD + "integer")))
    3
    >>> python_value(ox.Literal("PT1M2.5S", datatype=ox.NamedNode(_XSD + "dayTimeDuration")))
    62.5
    >>> python_value(ox.NamedNode("http://example.org/a"))
    'http://example.org/a'
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    datatype = term.datatype.value
    text = term.value
    try:
        if datatype in _INTEGERS:
            return int(text)
        if datatype in _FLOATS:
            return float(text)
        if datatype == _XSD + "boolean":
            return text in ("true", "1")
        if datatype == _XSD + "dayTimeDuration":
            m = _DURATION.fullmatch(text)
            if m:
                sign, d, h, mi, s = m.groups()
                seconds = (
                    int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)
                )
                return -seconds if sign else seconds
    except ValueError:
        pass
    return text


class Rows(list):
    """The answer of a question: a list of dicts (one per row, every column present), with
    ``columns``; ``iris`` names the columns whose cells are IRIs (named by ``with_names``)."""

    def __init__(
        self,
        columns: Sequence[str],
        rows: Iterable[dict[str, Any]] = (),
        *,
        iris: Iterable[str] = (),
    ) -> None:
        super().__init__(rows)
        self.columns = list(columns)
        self.iris = frozenset(iris)

    @classmethod
    def from_result(cls, result: Any) -> Rows:
        """Convert a store ``SelectResult`` (``variables`` + tuples of terms)."""
        columns = list(result.variables)
        iris: set[str] = set()
        rows = []
        for row in result.rows:
            cells = {}
            for c, t in zip(columns, row, strict=True):
                if isinstance(t, ox.NamedNode):
                    iris.add(c)
                cells[c] = python_value(t)
            rows.append(cells)
        return cls(columns, rows, iris=iris)

    def pivot(self, key: str, name: str, value: str) -> Rows:
        """One row per distinct ``key`` (the column dropped), with the other columns as in its first
        row, then one column per distinct ``name`` (in the order names first appear) holding
        ``value``; rows keep the order their key first appears.

        >>> long = Rows(["run", "row", "attribute", "value"], [
        ...     {"run": "r1", "row": 1, "attribute": "loss", "value": 0.5},
        ...     {"run": "r1", "row": 1, "attribute": "epoch", "value": 1},
        ...     {"run": "r1", "row": 2, "attribute": "loss", "value": 0.3}])
        >>> wide = long.pivot("row", "attribute", "value")
        >>> wide.columns, wide[1]
        (['run', 'loss', 'epoch'], {'run': 'r1', 'loss': 0.3, 'epoch': None})
        """
        fixed = [c for c in self.columns if c not in (key, name, value)]
        names: dict[str, None] = {}
        wide: dict[Any, dict[str, Any]] = {}
        for row in self:
            label = str(row[name])
            names[label] = None
            entry = wide.setdefault(row[key], {c: row[c] for c in fixed})
            entry[label] = row[value]
        columns = fixed + [n for n in names if n not in fixed]
        return Rows(
            columns,
            ({c: entry.get(c) for c in columns} for entry in wide.values()),
            iris=self.iris & set(fixed),
        )

    def to_dataframe(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs pandas)."""
        return to_dataframe(self)


def to_dataframe(rows: Rows) -> Any:
    """The rows as a ``pandas.DataFrame``; raises ``ImportError`` with a hint when pandas is not
    installed."""
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError("to_dataframe needs pandas: pip install pandas") from e
    return pd.DataFrame(list(rows), columns=getattr(rows, "columns", None))
