"""The PROV-ML ontology read into plain Python objects, for the generators of derived files.

>>> model = load_model()
>>> model.terms["TrainingExecution"].prov_parent
'prov:Activity'
>>> model.terms["LearningStageExecution"].mls_parents
['mls:Run']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

import ontology

__all__ = ["PREFIXES", "OntologyModel", "Term", "compact", "load_model"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_DCTERMS = "http://purl.org/dc/terms/"

# Prefixes used to write IRIs compactly in generated files.
PREFIXES = {
    "provml": ontology.NAMESPACE,
    "prov": "http://www.w3.org/ns/prov#",
    "mls": "http://www.w3.org/ns/mls#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": _RDFS,
    "owl": _OWL,
    "dcterms": _DCTERMS,
}

_KINDS = {
    _OWL + "Class": "class",
    _OWL + "ObjectProperty": "object",
    _OWL + "DatatypeProperty": "datatype",
}


def compact(iri: str) -> str:
    """Write an IRI as ``prefix:local`` when a known prefix applies, else ``<iri>``.

    >>> compact("http://www.w3.org/ns/prov#Activity")
    'prov:Activity'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


@dataclass
class Term:
    """One PROV-ML class or property and what the ontology says of it (IRIs written compactly)."""

    name: str
    kind: str  # "class", "object" or "datatype"
    label: str = ""
    comment: str = ""
    parents: list[str] = field(default_factory=list)  # rdfs:subClassOf / rdfs:subPropertyOf
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse_of: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    prov_parent: str = ""  # classes: the nearest PROV-O class reached through rdfs:subClassOf
    mls_parents: list[str] = field(default_factory=list)  # direct ML Schema parents
    mls_inherited: list[str] = field(
        default_factory=list
    )  # ML Schema classes reached through ancestors

    @property
    def curie(self) -> str:
        return f"provml:{self.name}"

    @property
    def is_property(self) -> bool:
        return self.kind != "class"


@dataclass
class OntologyModel:
    """The ontology header and its terms, keyed by local name."""

    header: dict[str, str]
    terms: dict[str, Term]

    @property
    def classes(self) -> list[Term]:
        return [t for t in self.terms.values() if t.kind == "class"]

    @property
    def properties(self) -> list[Term]:
        return [t for t in self.terms.values() if t.is_property]


def _nearest(start: str, parents: dict[str, list[str]], prefix: str) -> tuple[str, list[str]]:
    """Breadth-first over rdfs:subClassOf: the nearest ``prefix:`` class and all those reached."""
    seen, frontier, found = {start}, [start], []
    while frontier:
        nxt = []
        for node in frontier:
            for parent in parents.get(node, []):
                if parent in seen:
                    continue
                seen.add(parent)
                nxt.append(parent)
                if parent.startswith(prefix + ":"):
                    found.append(parent)
        frontier = nxt
    return (found[0] if found else ""), found


def load_model() -> OntologyModel:
    """Read ``ontology/provml.ttl`` into an :class:`OntologyModel`."""
    triples = list(ox.parse(path=str(ontology.path(ontology.ONTOLOGY))))
    by_subject: dict[str, list[tuple[str, ox.NamedNode | ox.Literal | ox.BlankNode]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject.setdefault(t.subject.value, []).append((t.predicate.value, t.object))

    header = {}
    for pred, obj in by_subject.get(ontology.ONTOLOGY_IRI, []):
        header[compact(pred)] = obj.value
    terms: dict[str, Term] = {}
    for iri, pairs in sorted(by_subject.items()):
        if not iri.startswith(ontology.NAMESPACE):
            continue
        kinds = [_KINDS[o.value] for p, o in pairs if p == _RDF + "type" and o.value in _KINDS]
        if not kinds:
            continue
        term = Term(name=iri[len(ontology.NAMESPACE) :], kind=kinds[0])
        for pred, obj in pairs:
            value = compact(obj.value) if isinstance(obj, ox.NamedNode) else obj.value
            if pred == _RDFS + "label":
                term.label = obj.value
            elif pred == _RDFS + "comment":
                term.comment = obj.value
            elif pred in (_RDFS + "subClassOf", _RDFS + "subPropertyOf"):
                term.parents.append(value)
            elif pred == _RDFS + "domain":
                term.domain.append(value)
            elif pred == _RDFS + "range":
                term.range.append(value)
            elif pred == _OWL + "inverseOf":
                term.inverse_of.append(value)
            elif pred == _RDFS + "seeAlso":
                term.see_also.append(value)
        term.parents.sort()
        terms[term.name] = term

    parents = {t.curie: t.parents for t in terms.values() if t.kind == "class"}
    for term in terms.values():
        if term.kind == "class":
            term.prov_parent, _ = _nearest(term.curie, parents, "prov")
            term.mls_parents = [p for p in term.parents if p.startswith("mls:")]
            _, reached = _nearest(term.curie, parents, "mls")
            term.mls_inherited = [m for m in reached if m not in term.mls_parents]
    return OntologyModel(header=header, terms=terms)
