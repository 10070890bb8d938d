"""SHACL validation of a batch with pyshacl, as docs/capture-format.md says.

``pyshacl.validate(data, shacl_graph=shapes, ont_graph=provml ontology, inference="none",
advanced=True)`` on the batch plus its store context. The shapes and the ontology are parsed once
per process; the rdflib data graph is built straight from pyoxigraph terms (no serialisation round
trip).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

import ontology

__all__ = [
    "PyshaclValidator",
    "Report",
    "canonical_values",
    "load_shapes_and_ontology",
    "to_rdflib",
]

Report = list[dict[str, Any]]


@cache
def load_shapes_and_ontology(
    shapes: Path | None = None, ontology_file: Path | None = None
) -> tuple[rdflib.Graph, rdflib.Graph]:
    """Parse the SHACL shapes and the PROV-ML ontology (with its imports) once."""
    shapes_graph = rdflib.Graph().parse(shapes or ontology.path(ontology.SHAPES), format="turtle")
    ont = rdflib.Graph().parse(ontology_file or ontology.path(ontology.ONTOLOGY), format="turtle")
    return shapes_graph, ont


class _Terms:
    """pyoxigraph → rdflib term conversion with a cache for IRIs (the same IRIs recur a lot)."""

    def __init__(self) -> None:
        self.iris: dict[str, rdflib.URIRef] = {}
        self.lock = threading.Lock()

    def iri(self, value: str) -> rdflib.URIRef:
        node = self.iris.get(value)
        if node is None:
            node = rdflib.URIRef(value)
            if len(self.iris) < 200_000:
                self.iris[value] = node
        return node

    @staticmethod
    def to_ox(t: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, rdflib.URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, rdflib.BNode):
            return ox.BlankNode(str(t))
        if t.language:
            return ox.Literal(str(t), language=t.language)
        datatype = ox.NamedNode(str(t.datatype)) if t.datatype else None
        return ox.Literal(str(t), datatype=datatype)

    def term(self, t: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
        if isinstance(t, ox.NamedNode):
            return self.iri(t.value)
        if isinstance(t, ox.BlankNode):
            return rdflib.BNode(t.value)
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=self.iri(t.datatype.value))


_TERMS = _Terms()


def to_rdflib(
    triples: Iterable[ox.Quad | ox.Triple], graph: rdflib.Graph | None = None
) -> rdflib.Graph:
    """Add pyoxigraph triples (the graph name of quads is dropped) to an rdflib graph."""
    graph = graph if graph is not None else rdflib.Graph()
    term, add = _TERMS.term, graph.add
    for t in triples:
        add((term(t.subject), term(t.predicate), term(t.object)))
    return graph


def _node_text(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, rdflib.BNode):
        # A property shape or a path given as a blank node: name it by what it says.
        path = graph.value(node, SH.path)
        if path is not None:
            return _node_text(graph, path)
        owner = graph.value(predicate=SH.property, object=node)
        return _node_text(graph, owner) if owner is not None else None
    return str(node)


def canonical_values(
    values: list[rdflib.term.Node | ox.NamedNode | ox.BlankNode | ox.Literal | None],
) -> list[str | None]:
    """Value nodes as Oxigraph writes them (canonical lexical forms: ``1.0e0`` → ``1``), so that a
    report reads the same whichever validator made it and whatever the store returns later."""
    store = ox.Store()
    predicate = ox.NamedNode("urn:provml:value")
    for i, value in enumerate(values):
        if value is not None:
            term = (
                value
                if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal)
                else _TERMS.to_ox(value)
            )
            store.add(ox.Quad(ox.NamedNode(f"urn:provml:v{i}"), predicate, term))
    found = {q.subject.value: q.object.value for q in store}
    return [None if v is None else found[f"urn:provml:v{i}"] for i, v in enumerate(values)]


def report_from_graph(results: rdflib.Graph, shapes: rdflib.Graph) -> Report:
    """The validation results of a pyshacl report graph, as plain dicts sorted for comparison."""
    report = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        constraint = results.value(result, SH.sourceConstraint)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        component = results.value(result, SH.sourceConstraintComponent)
        # Name the rule broken: the SPARQL constraint or the shape, by IRI; a blank-node
        # property shape by the node shape that holds it.
        if isinstance(constraint, rdflib.URIRef):
            rule = constraint
        elif isinstance(shape, rdflib.BNode):
            rule = shapes.value(predicate=SH.property, object=shape) or shape
        else:
            rule = shape
        report.append(
            {
                "focus_node": str(results.value(result, SH.focusNode)),
                "path": _node_text(results, results.value(result, SH.resultPath)),
                "value": value,
                "message": None if message is None else str(message),
                "severity": str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                "source_shape": _node_text(shapes, rule),
                "component": None if component is None else str(component).rsplit("#", 1)[-1],
            }
        )
    for entry, value in zip(report, canonical_values([e["value"] for e in report]), strict=True):
        entry["value"] = value
    return sort_report(report)


def sort_report(report: Report) -> Report:
    """Results in a stable order (by focus node, path, rule, value), whatever found them first."""
    keys = ("focus_node", "path", "source_shape", "component", "value", "message")
    return sorted(report, key=lambda r: tuple(str(r.get(k)) for k in keys))


class PyshaclValidator:
    """Validates with pyshacl (the reference implementation of the shapes)."""

    name = "pyshacl"

    def __init__(self, shapes: Path | None = None, ontology_file: Path | None = None) -> None:
        self.shapes, self.ontology = load_shapes_and_ontology(shapes, ontology_file)

    def validate(self, triples: Iterable[ox.Quad | ox.Triple]) -> Report:
        import pyshacl

        data = to_rdflib(triples)
        conforms, results, _ = pyshacl.validate(
            data,
            shacl_graph=self.shapes,
            ont_graph=self.ontology,
            inference="none",
            advanced=True,
            inplace=True,
        )
        return [] if conforms else report_from_graph(results, self.shapes)
