"""A faster validator compiled from the SHACL shapes, giving the same results as pyshacl.

pyshacl costs tens of milliseconds even for a batch of a few records (it rebuilds its view of the
shapes and walks rdflib graphs on every call). This validator compiles the shapes once into Python
checks run on indexes of the batch + context triples, and runs the SPARQL-based constraints
(``sh:sparql``) as SPARQL queries in an in-memory pyoxigraph store, only for the focus nodes the
batch has.

It implements the SHACL subset the shapes use, with pyshacl's semantics (a class target or
``sh:class`` follows the ontology's ``rdfs:subClassOf``): targets ``sh:targetClass`` and
``sh:targetSubjectsOf``; property shapes with a predicate path and ``sh:minCount``, ``sh:maxCount``,
``sh:hasValue``, ``sh:datatype``, ``sh:nodeKind``, ``sh:pattern`` (``sh:flags``),
``sh:minInclusive``, ``sh:class``, ``sh:or``; SPARQL constraints with ``sh:select`` and
``sh:prefixes``. A shape using anything else raises ``NotImplementedError`` when the validator is
built, so it never silently checks less than pyshacl. A differential test runs both validators on
every ontology example and on mapped batches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from ._fastshacl_checks import (
    Data,
    Term,
    ValueTest,
    any_of,
    datatype_test,
    min_inclusive_test,
    node_kind_test,
    pattern_test,
    to_ox,
)
from ._shape_needs import NEEDS
from ._validation import Report, canonical_values, load_shapes_and_ontology, sort_report

__all__ = ["FastValidator"]


_SHAPE_KEYS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.property,
    SH.sparql,
}
_VALUE_KEYS = {
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH.minInclusive,
    SH["class"],
    SH["or"],
}
_COUNT_KEYS = {SH.minCount, SH.maxCount, SH.hasValue}


@dataclass
class _Property:
    name: str
    path: str
    message: str | None
    severity: str
    min_count: list[int] = field(default_factory=list)
    max_count: list[int] = field(default_factory=list)
    has_value: list[Term] = field(default_factory=list)
    tests: list[tuple[str, ValueTest]] = field(default_factory=list)


@dataclass
class _Sparql:
    name: str
    query: str  # with {values} where the focus nodes go
    message: str | None
    severity: str
    # What every solution needs of $this (the predicate triples and rdf:type objects of the
    # query's mandatory graph patterns): a focus node without them cannot be a result.
    needs: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    # Predicates $this must not have (a top-level ``FILTER NOT EXISTS { $this <p> ?x }``).
    forbids: frozenset[str] = frozenset()

    def candidates(self, data: Data, focus: set[Term]) -> set[Term]:
        """The focus nodes that have what the query needs of $this, and nothing it forbids."""
        if not (self.needs or self.types or self.forbids):
            return focus
        out, types, empty = data.out, data.types, {}
        return {
            node
            for node in focus
            if all(p in out.get(node, empty) for p in self.needs)
            and not any(p in out.get(node, empty) for p in self.forbids)
            and self.types <= types.get(node, frozenset())
        }


@dataclass
class _NodeShape:
    classes: set[str]
    predicates: list[str]
    properties: list[_Property]
    sparql: list[_Sparql]

    def focus(self, data: Data) -> set[Term]:
        nodes: set[Term] = set()
        for cls in self.classes:
            nodes |= data.of_type.get(cls, set())
        for predicate in self.predicates:
            nodes |= data.subjects_of.get(predicate, set())
        return nodes


class FastValidator:
    """Validates with checks compiled from the shapes (same results as ``PyshaclValidator``)."""

    name = "fast"

    def __init__(self, shapes: Path | None = None, ontology_file: Path | None = None) -> None:
        self.shapes, ontology = load_shapes_and_ontology(shapes, ontology_file)
        self._subclasses = _subclass_closure(ontology)
        g = self.shapes
        targets = {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in g.subjects(p)}
        self.node_shapes = [self._node_shape(s) for s in sorted(targets, key=str)]

    # -- compiling ---------------------------------------------------------------------------------

    def _closure(self, cls: rdflib.term.Node) -> set[str]:
        return self._subclasses.get(str(cls), {str(cls)})

    def _node_shape(self, shape: rdflib.term.Node) -> _NodeShape:
        g = self.shapes
        _check_keys(g, shape, _SHAPE_KEYS)
        classes: set[str] = set()
        for cls in g.objects(shape, SH.targetClass):
            classes |= self._closure(cls)
        return _NodeShape(
            classes=classes,
            predicates=[str(p) for p in g.objects(shape, SH.targetSubjectsOf)],
            properties=[self._property(p) for p in g.objects(shape, SH.property)],
            sparql=[self._sparql(shape, c) for c in g.objects(shape, SH.sparql)],
        )

    def _property(self, prop: rdflib.term.Node) -> _Property:
        g = self.shapes
        _check_keys(g, prop, _SHAPE_KEYS | _VALUE_KEYS | _COUNT_KEYS | {SH.path})
        path = g.value(prop, SH.path)
        if not isinstance(path, rdflib.URIRef):
            raise NotImplementedError(f"property shape {prop}: only predicate paths are supported")
        message = g.value(prop, SH.message)
        return _Property(
            name=str(prop) if isinstance(prop, rdflib.URIRef) else str(path),
            path=str(path),
            message=None if message is None else str(message),
            severity=_severity(g, prop),
            min_count=[int(c) for c in g.objects(prop, SH.minCount)],
            max_count=[int(c) for c in g.objects(prop, SH.maxCount)],
            has_value=[to_ox(v) for v in g.objects(prop, SH.hasValue)],
            tests=self._value_tests(prop),
        )

    def _value_tests(self, shape: rdflib.term.Node) -> list[tuple[str, ValueTest]]:
        """(component, test true when a value satisfies it) for the value constraints of a shape."""
        g, tests = self.shapes, []
        for datatype in g.objects(shape, SH.datatype):
            tests.append(("DatatypeConstraintComponent", datatype_test(str(datatype))))
        for kind in g.objects(shape, SH.nodeKind):
            tests.append(("NodeKindConstraintComponent", node_kind_test(kind)))
        for pattern in g.objects(shape, SH.pattern):
            tests.append(
                (
                    "PatternConstraintComponent",
                    pattern_test(str(pattern), g.value(shape, SH.flags)),
                )
            )
        for bound in g.objects(shape, SH.minInclusive):
            tests.append(("MinInclusiveConstraintComponent", min_inclusive_test(bound)))
        for cls in g.objects(shape, SH["class"]):
            classes = self._closure(cls)
            tests.append(
                (
                    "ClassConstraintComponent",
                    lambda d, v, c=classes: not c.isdisjoint(d.types.get(v, ())),
                )
            )
        for members in g.objects(shape, SH["or"]):
            alternatives = [self._conforms(m) for m in Collection(g, members)]
            tests.append(("OrConstraintComponent", any_of(alternatives)))
        return tests

    def _conforms(self, shape: rdflib.term.Node) -> ValueTest:
        """A test true when a node conforms to ``shape`` (a member of an ``sh:or``)."""
        g = self.shapes
        _check_keys(g, shape, _VALUE_KEYS | _COUNT_KEYS | {SH.path, RDF.type, SH.message})
        tests = [t for _, t in self._value_tests(shape)]
        path = g.value(shape, SH.path)
        if path is None:
            if any(g.value(shape, k) is not None for k in _COUNT_KEYS):
                raise NotImplementedError(f"count constraints on node shape {shape}")
            return tests[0] if len(tests) == 1 else lambda d, v: all(t(d, v) for t in tests)
        prop = self._property(shape)
        if prop.max_count == [0] and not (prop.min_count or prop.has_value or tests):
            # "has no value for path", such as [ sh:path rdf:type ; sh:maxCount 0 ] (untyped)
            return lambda d, v, p=prop.path: p not in d.out.get(v, ())

        def conforms(d: Data, v: Term) -> bool:
            values = d.values(v, prop.path)
            return (
                all(len(set(values)) >= n for n in prop.min_count)
                and all(len(set(values)) <= n for n in prop.max_count)
                and all(h in values for h in prop.has_value)
                and all(t(d, w) for t in tests for w in values)
            )

        return conforms

    def _sparql(self, shape: rdflib.term.Node, constraint: rdflib.term.Node) -> _Sparql:
        g = self.shapes
        _check_keys(
            g, constraint, {RDF.type, RDFS.label, RDFS.comment, SH.message, SH.prefixes, SH.select}
        )
        select = g.value(constraint, SH.select)
        if select is None:
            raise NotImplementedError(f"SPARQL constraint {constraint} without sh:select")
        prefixes = sorted(  # sorted: the same text in every process (see _what_this_needs)
            f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>"
            for declarations in g.objects(constraint, SH.prefixes)
            for decl in g.objects(declarations, SH.declare)
        )
        body = re.sub(r"\$this\b", "?this", str(select)).replace("{", "{{").replace("}", "}}")
        # Pre-bind ?this to the focus nodes, as pyshacl does, with VALUES at the top of the WHERE.
        body, found = re.subn(
            r"\bWHERE\s*\{\{", "WHERE {{ VALUES ?this {{ {values} }}", body, count=1, flags=re.I
        )
        if not found:
            raise NotImplementedError(f"SPARQL constraint {constraint}: no WHERE clause")
        message = g.value(constraint, SH.message) or g.value(shape, SH.message)
        query = " ".join(prefixes) + " " + body
        return _Sparql(
            name=str(constraint),
            query=query,
            message=None if message is None else str(message),
            severity=_severity(g, shape),
            **_what_this_needs(query.format(values="UNDEF")),
        )

    # -- validating --------------------------------------------------------------------------------

    def validate(self, triples: Iterable[ox.Quad | ox.Triple]) -> Report:
        data = Data(triples)
        results: list[tuple[str, str | None, Term | None, str | None, str, str, str]] = []
        for shape in self.node_shapes:
            focus = shape.focus(data)
            if not focus:
                continue
            for prop in shape.properties:
                _check_property(data, focus, prop, results)
            for check in shape.sparql:
                # only the nodes that can match: the in-memory store is built when one can
                candidates = check.candidates(data, focus)
                if candidates:
                    _check_sparql(data.store, candidates, check, results)
        values = canonical_values([r[2] for r in results])
        unique = dict.fromkeys((*r[:2], v, *r[3:]) for r, v in zip(results, values, strict=True))
        return sort_report(
            [
                {
                    "focus_node": focus_node,
                    "path": path,
                    "value": value,
                    "message": message,
                    "severity": severity,
                    "source_shape": shape,
                    "component": component,
                }
                for (focus_node, path, value, message, severity, shape, component) in unique
            ]
        )


def _check_sparql(store: ox.Store, focus: set[Term], check: _Sparql, results: list) -> None:
    if all(isinstance(node, ox.NamedNode) for node in focus):
        query = check.query.format(values=" ".join(sorted(str(node) for node in focus)))
    else:  # blank nodes cannot be given in VALUES: run for every node, keep the focus nodes
        query = check.query.format(values="UNDEF")
    solutions = store.query(query, use_default_graph_as_union=True)
    variables = {v.value for v in solutions.variables}
    for row in solutions:
        node = row["this"]
        if node not in focus:
            continue
        # SHACL-SPARQL: without a ?value binding, the value of the result is the focus node
        value = row["value"] if "value" in variables and row["value"] is not None else node
        results.append(
            (
                node.value,
                None,
                value,
                check.message,
                check.severity,
                check.name,
                "SPARQLConstraintComponent",
            )
        )


def _check_property(data: Data, focus: set[Term], prop: _Property, results: list) -> None:
    path, out, counts = prop.path, data.out, prop.min_count or prop.max_count
    if prop.min_count or prop.has_value:
        nodes: Iterable[Term] = focus
    else:  # only nodes with values can break a maximum or a value constraint
        nodes = focus & data.subjects_of.get(path, set())
    for node in nodes:
        values = out.get(node, {}).get(path, ())
        if counts:
            count = len(values) if len(values) < 2 else len(data.distinct(values))
            for n in prop.min_count:
                if count < n:
                    results.append(_result(node, prop, "MinCountConstraintComponent"))
            for n in prop.max_count:
                if count > n:
                    results.append(_result(node, prop, "MaxCountConstraintComponent"))
        for expected in prop.has_value:
            if expected not in values:
                results.append(_result(node, prop, "HasValueConstraintComponent"))
        for component, test in prop.tests:
            for value in values:
                if not test(data, value):
                    results.append(_result(node, prop, component, value))


def _result(node: Term, prop: _Property, component: str, value: Term | None = None) -> tuple:
    return (node.value, prop.path, value, prop.message, prop.severity, prop.name, component)


def _what_this_needs(query: str) -> dict[str, frozenset[str]]:
    """What every solution of ``query`` has, and lacks, on ``?this`` (see ``analyse_needs``): read
    from ``_shape_needs.NEEDS`` for the queries of the project's shapes, analysed otherwise. The
    analysis parses the query with rdflib (about 0.25 s for the eight constraints, the import of
    its SPARQL parser included): the table keeps that out of every manager's start."""
    known = NEEDS.get(hashlib.sha256(query.encode()).hexdigest())
    if known is None:
        return analyse_needs(query)
    return {key: frozenset(values) for key, values in known.items()}


def needs_table(validator: FastValidator | None = None) -> dict[str, dict[str, list[str]]]:
    """``analyse_needs`` of every SPARQL constraint's query of the validator (by default the
    project's shapes), by the SHA-256 of the query: what ``provml vocab generate`` writes into
    ``_shape_needs.py``."""
    validator = validator or FastValidator()
    table = {}
    for shape in validator.node_shapes:
        for constraint in shape.sparql:
            query = constraint.query.format(values="UNDEF")
            found = analyse_needs(query)
            table[hashlib.sha256(query.encode()).hexdigest()] = {
                key: sorted(values) for key, values in found.items()
            }
    return dict(sorted(table.items()))


def analyse_needs(query: str) -> dict[str, frozenset[str]]:
    """What every solution of ``query`` has, and lacks, on ``?this`` (bound by the VALUES at the
    top of its WHERE): ``needs``, the predicates of the triple patterns ``?this <p> ...`` of its
    mandatory part (the basic graph patterns reached through projections, filters' patterns, joins,
    extensions and the left side of optionals and minus; never unions, paths or what a filter
    expression says), ``types`` the classes of its ``?this a <C>`` patterns, and ``forbids`` the
    predicates of the top-level filter's ``NOT EXISTS { ?this <p> ?x }`` conjuncts (``?x`` bound
    nowhere else)."""
    from rdflib.plugins.sparql import prepareQuery

    this = rdflib.Variable("this")
    needs: set[str] = set()
    types: set[str] = set()
    forbids: set[str] = set()
    todo, top = [prepareQuery(query).algebra], True
    while todo:
        node = todo.pop()
        name = getattr(node, "name", None)
        if name == "Filter" and top:
            forbids |= _forbidden(node["expr"], node["p"]._vars, this)
        top = top and name in ("SelectQuery", "Project", "Distinct", "Reduced")
        if name == "BGP":
            for s, p, o in node["triples"]:
                if s == this and isinstance(p, rdflib.URIRef):
                    needs.add(str(p))
                    if p == RDF.type and isinstance(o, rdflib.URIRef):
                        types.add(str(o))
        elif name in ("SelectQuery", "Project", "Filter", "Extend", "Distinct", "Reduced"):
            todo.append(node["p"])
        elif name == "Join":
            todo += [node["p1"], node["p2"]]
        elif name in ("LeftJoin", "Minus"):
            todo.append(node["p1"])
    return {"needs": frozenset(needs), "types": frozenset(types), "forbids": frozenset(forbids)}


def _forbidden(expr: object, outer: set, this: rdflib.Variable) -> set[str]:
    """The predicates of the ``NOT EXISTS { ?this <p> ?x }`` conjuncts of a filter expression."""
    name = getattr(expr, "name", None)
    if name == "ConditionalAndExpression":
        found: set[str] = set()
        for part in [expr["expr"], *expr["other"]]:
            found |= _forbidden(part, outer, this)
        return found
    if name != "Builtin_NOTEXISTS":
        return set()
    parts = expr["graph"].get("part", [])
    if len(parts) != 1 or getattr(parts[0], "name", None) != "TriplesBlock":
        return set()
    triples = parts[0]["triples"]
    if len(triples) != 1:
        return set()
    s, p, o = triples[0]
    uncorrelated = isinstance(o, rdflib.Variable) and o not in outer and o != this
    return {str(p)} if s == this and isinstance(p, rdflib.URIRef) and uncorrelated else set()


def _severity(g: rdflib.Graph, shape: rdflib.term.Node) -> str:
    return str(g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]


def _check_keys(g: rdflib.Graph, shape: rdflib.term.Node, allowed: set) -> None:
    unknown = {p for p in g.predicates(shape) if p not in allowed}
    if unknown:
        names = ", ".join(sorted(str(p) for p in unknown))
        raise NotImplementedError(
            f"shape {shape} uses {names}: not supported by the fast validator"
        )


def _subclass_closure(ontology: rdflib.Graph) -> dict[str, set[str]]:
    """class IRI → itself and all its subclasses (rdfs:subClassOf*), from the ontology."""
    children: dict[str, set[str]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, rdflib.URIRef) and isinstance(sup, rdflib.URIRef):
            children.setdefault(str(sup), set()).add(str(sub))
    closure: dict[str, set[str]] = {}
    for cls in list(children):
        seen, todo = {cls}, [cls]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        closure[cls] = seen
    return closure
