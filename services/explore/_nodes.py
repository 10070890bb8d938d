"""The description of any node: its types, properties and the nodes that point to it, every IRI
named; and its triples for the RDF serialisations."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ._errors import UnknownNode
from ._labels import label_nodes
from ._lineage import check_iri

__all__ = ["INCOMING_LIMIT", "describe_node", "node_triples", "short_iri"]

INCOMING_LIMIT = 1000
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = {
    "provml": "https://w3id.org/provml#",
    "prov": "http://www.w3.org/ns/prov#",
    "mls": "http://www.w3.org/ns/mls#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}


def short_iri(iri: str) -> str:
    """``prov:used`` for ``http://www.w3.org/ns/prov#used``; other IRIs as they are.

    >>> short_iri("https://w3id.org/provml#epoch"), short_iri("http://example.org/x")
    ('provml:epoch', 'http://example.org/x')
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def node_triples(store: Any, iri: str, *, timeout: float | None = None) -> list[ox.Triple]:
    """The triples about ``iri`` (as subject) and pointing to it (as object, the first 1000)."""
    node = str(ox.NamedNode(check_iri(iri, "iri")))
    outgoing = store.query(
        f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}", timeout=timeout
    )
    incoming = store.query(
        f"CONSTRUCT {{ ?s ?p {node} }} WHERE {{ ?s ?p {node} }} LIMIT {INCOMING_LIMIT}",
        timeout=timeout,
    )
    triples = list(outgoing.triples) + list(incoming.triples)
    if not triples:
        raise UnknownNode(f"nothing is known about {iri}", field="iri")
    return triples


def _literal(term: ox.Literal) -> dict[str, Any]:
    return {
        "value": term.value,
        "datatype": short_iri(term.datatype.value) if term.datatype else None,
        "language": term.language,
    }


def describe_node(store: Any, iri: str, *, timeout: float | None = None) -> dict[str, Any]:
    """``{iri, label, type, category, types, properties, incoming}``; IRIs come with their names."""
    iri = check_iri(iri, "iri")
    triples = node_triples(store, iri, timeout=timeout)
    outgoing = [t for t in triples if t.subject.value == iri]
    incoming = [
        t
        for t in triples
        if t.subject.value != iri and isinstance(t.object, ox.NamedNode) and t.object.value == iri
    ]
    mentioned = {iri}
    mentioned |= {t.object.value for t in outgoing if isinstance(t.object, ox.NamedNode)}
    mentioned |= {t.subject.value for t in incoming if isinstance(t.subject, ox.NamedNode)}
    names = label_nodes(store, mentioned, timeout=timeout)
    types = sorted(t.object.value for t in outgoing if t.predicate.value == RDF_TYPE)

    def term(value: Any) -> dict[str, Any]:
        if isinstance(value, ox.NamedNode):
            return {"iri": value.value, **names.get(value.value, {"label": value.value})}
        if isinstance(value, ox.Literal):
            return _literal(value)
        return {"value": str(value)}

    properties = [
        {
            "predicate": t.predicate.value,
            "short": short_iri(t.predicate.value),
            "object": term(t.object),
        }
        for t in outgoing
        if t.predicate.value != RDF_TYPE
    ]
    properties.sort(
        key=lambda p: (p["short"], str(p["object"].get("label", p["object"].get("value"))))
    )
    referenced = [
        {
            "subject": term(t.subject),
            "predicate": t.predicate.value,
            "short": short_iri(t.predicate.value),
        }
        for t in incoming
    ]
    referenced.sort(key=lambda p: (p["short"], p["subject"].get("label", "")))
    return {
        "iri": iri,
        **names[iri],
        "types": [{"iri": t, "short": short_iri(t)} for t in types],
        "properties": properties,
        "incoming": referenced,
        "incoming_truncated": len(incoming) >= INCOMING_LIMIT,
    }
