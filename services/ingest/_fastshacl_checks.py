"""The building blocks of the fast validator: indexes of the data graph and the value tests of the
SHACL Core constraints it supports (datatype, node kind, pattern, minimum, ``sh:or``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

__all__ = [
    "Data",
    "Term",
    "ValueTest",
    "any_of",
    "datatype_test",
    "min_inclusive_test",
    "node_kind_test",
    "pattern_test",
    "to_ox",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = str(RDF.type)
# Lexical forms of the XSD datatypes whose well-formedness pyshacl (through rdflib) checks.
_LEXICAL = {
    f"{_XSD}integer": re.compile(r"^[+-]?[0-9]+$"),
    f"{_XSD}decimal": re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    f"{_XSD}double": re.compile(
        r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$"
    ),
    f"{_XSD}float": re.compile(
        r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$"
    ),
    f"{_XSD}boolean": re.compile(r"^(true|false|1|0)$"),
    f"{_XSD}dateTime": re.compile(
        r"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"
    ),
}


class Data:
    """Indexes of the data graph: outgoing values per node and predicate, nodes per type.

    Built straight from the batch and context triples (one pass). The same triple may come twice
    (a batch sent again meets its stored copy): values are compared as sets, and a literal may then
    appear in two lexical forms of one value ("…47.250000Z" and the stored "…47.25Z"), which
    ``distinct`` folds into one, as rdflib does for pyshacl.
    """

    def __init__(self, triples: Iterable[ox.Quad | ox.Triple]) -> None:
        self.out: dict[Term, dict[str, list[Term]]] = {}
        self.subjects_of: dict[str, set[Term]] = {}
        self.types: dict[Term, set[str]] = {}
        self.of_type: dict[str, set[Term]] = {}
        # What the SPARQL store gets: the quads as they are, and the triples (the context) that
        # the quads do not already hold.
        self.quads: list[ox.Quad] = []
        self.extra: list[ox.Triple] = []
        out, subjects_of, quads, extra = self.out, self.subjects_of, self.quads, self.extra
        # A node's triples come one after the other (the mapping writes a node at a time): its
        # entry is looked up once per run of triples, not once per triple.
        last: Term | None = None
        by_predicate: dict[str, list[Term]] = {}
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            is_quad = isinstance(t, ox.Quad)
            if is_quad:
                quads.append(t)
            if s != last:
                found = out.get(s)
                if found is None:
                    found = out[s] = {}
                by_predicate, last = found, s
            values = by_predicate.get(p)
            if values is None:
                by_predicate[p] = [o]
                subjects = subjects_of.get(p)
                if subjects is None:
                    subjects_of[p] = {s}
                else:
                    subjects.add(s)
            elif o not in values:
                values.append(o)
            else:
                continue  # a repeated triple
            if not is_quad:
                extra.append(t)
            if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
                self.types.setdefault(s, set()).add(o.value)
                self.of_type.setdefault(o.value, set()).add(s)
        self._store: ox.Store | None = None

    def values(self, node: Term, path: str) -> list[Term]:
        return self.out.get(node, {}).get(path, [])

    @staticmethod
    def distinct(values: list[Term]) -> list[Term]:
        """The values without repeats of one literal value in another lexical form."""
        if len(values) < 2 or not any(isinstance(v, ox.Literal) for v in values):
            return values
        store = ox.Store()  # Oxigraph stores literals in canonical form
        subject, predicate = ox.NamedNode("urn:provml:s"), ox.NamedNode("urn:provml:p")
        store.extend(
            ox.Quad(subject, predicate, v) for v in values if not isinstance(v, ox.BlankNode)
        )
        return [q.object for q in store] + [v for v in values if isinstance(v, ox.BlankNode)]

    @property
    def store(self) -> ox.Store:
        """The data in an in-memory store, queried with its default graph as the union of all
        graphs (built when a SPARQL constraint first needs it)."""
        if self._store is None:
            self._store = ox.Store()
            self._store.extend(self.quads)
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.extra)
        return self._store


ValueTest = Callable[[Data, Term], bool]


def any_of(alternatives: list[ValueTest]) -> ValueTest:
    def test(d: Data, v: Term) -> bool:
        for alternative in alternatives:  # noqa: SIM110 (a loop: any() over a generator is slower)
            if alternative(d, v):
                return True
        return False

    return test


def datatype_test(datatype: str) -> ValueTest:
    lexical = _LEXICAL.get(datatype)

    def test(_: Data, v: Term) -> bool:
        if not isinstance(v, ox.Literal) or v.datatype.value != datatype:
            return False
        return lexical is None or lexical.match(v.value) is not None

    return test


def node_kind_test(kind: rdflib.term.Node) -> ValueTest:
    kinds = {
        SH.IRI: (ox.NamedNode,),
        SH.Literal: (ox.Literal,),
        SH.BlankNode: (ox.BlankNode,),
        SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
        SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
        SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
    }[kind]
    return lambda _, v: isinstance(v, kinds)


def pattern_test(pattern: str, flags: rdflib.term.Node | None) -> ValueTest:
    re_flags = 0
    for flag in str(flags or ""):
        re_flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(flag, 0)
    regex = re.compile(pattern, re_flags)
    return lambda _, v: not isinstance(v, ox.BlankNode) and regex.search(v.value) is not None


def _python_value(term: Term) -> Any:
    """A literal's value for ordering comparisons, or None when it has none."""
    if not isinstance(term, ox.Literal):
        return None
    kind, text = term.datatype.value.removeprefix(_XSD), term.value
    try:
        if kind in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"):
            return int(text)
        if kind == "decimal":
            return Decimal(text)
        if kind in ("double", "float"):
            return float(text)
        if kind == "dateTime":
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, InvalidOperation):
        return None
    return None


def min_inclusive_test(bound: rdflib.term.Node) -> ValueTest:
    limit = _python_value(to_ox(bound))

    def test(_: Data, v: Term) -> bool:
        value = _python_value(v)
        try:
            return value is not None and value >= limit
        except TypeError:
            return False

    return test


def to_ox(node: rdflib.term.Node) -> Term:
    if isinstance(node, rdflib.URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or _XSD + "string")))
    raise NotImplementedError(f"blank node {node} as a constraint parameter")
