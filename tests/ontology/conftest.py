"""Shared graphs and helpers for the ontology tests: the shipped files, parsed once per session."""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import SH

import ontology

EXPECT = re.compile(r"^# expect: <([^>]+)> <([^>]+)>\s*$")


@pytest.fixture(scope="session")
def ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.path(ontology.ONTOLOGY), format="turtle")


@pytest.fixture(scope="session")
def shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.path(ontology.SHAPES), format="turtle")


@pytest.fixture(scope="session")
def mls_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.path("imports/mls.ttl"), format="turtle")


@pytest.fixture(scope="session")
def validate(shapes_graph, ontology_graph):
    """Validate a data graph as the manager does; return the (focus node, rule) pairs violated.

    The rule is the SPARQL constraint for SPARQL-based results, else the source shape.
    """

    def run(data: rdflib.Graph) -> set[tuple[str, str]]:
        conforms, report, _ = pyshacl.validate(
            data,
            shacl_graph=shapes_graph,
            ont_graph=ontology_graph,
            inference="none",
            advanced=True,
        )
        found = set()
        for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
            rule = report.value(result, SH.sourceConstraint) or report.value(result, SH.sourceShape)
            found.add((str(report.value(result, SH.focusNode)), str(rule)))
        assert conforms == (not found)
        return found

    return run


def _expectations(example: Path) -> set[tuple[str, str]]:
    pairs = set()
    for line in example.read_text(encoding="utf-8").splitlines():
        if match := EXPECT.match(line):
            pairs.add((match.group(2), match.group(1)))
    return pairs


@pytest.fixture(scope="session")
def expectations():
    """The ``# expect: <rule> <focus>`` lines of an invalid example, as (focus, rule) pairs."""
    return _expectations
