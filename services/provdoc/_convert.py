"""Conversion between PROV-O quads (pyoxigraph) and ``prov.model.ProvDocument``.

The ``prov`` library does the PROV-DM ↔ PROV-O mapping both ways (``ProvRDFSerializer``); this
module only moves the data between pyoxigraph and rdflib and gives the document readable prefixes.
Quads in the default graph are the document's own statements; each named graph becomes a PROV bundle
named by the graph IRI (and back)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping

import prov.model as pm
import pyoxigraph as ox
import rdflib
from prov.serializers.provrdf import ProvRDFSerializer
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager

from provlake.vocab import MLS, OWL, PROV, PROVML, RDF, RDFS, XSD
from services.provdoc._errors import ProvDocumentError

__all__ = ["prefixes_for", "prov_to_quads", "quads_to_prov", "with_base_types"]

_VOCAB_PREFIXES = {
    "prov": PROV.NS,
    "provml": PROVML.NS,
    "mls": MLS.NS,
    "xsd": XSD.NS,
    "rdf": RDF.NS,
    "rdfs": RDFS.NS,
    "owl": OWL.NS,
}
# PROV-O subclasses of the PROV-DM element types: prov reads an element from its base type only.
_BASE_TYPES = {
    PROV.Plan: PROV.Entity,
    PROV.Bundle: PROV.Entity,
    PROV.Collection: PROV.Entity,
    PROV.EmptyCollection: PROV.Entity,
    PROV.Person: PROV.Agent,
    PROV.SoftwareAgent: PROV.Agent,
    PROV.Organization: PROV.Agent,
}
_SEGMENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_GENID = ".well-known/genid/"


def prefixes_for(quads: Iterable[ox.Quad], base_iri: str) -> dict[str, str]:
    """Prefixes for a readable serialisation, which ``prov`` also needs to name every IRI.

    The vocabularies keep their usual prefixes; a node minted under the base IRI gets the first
    path segment after the base (``{base}run/r1`` is ``run:r1``, ``{base}measure/accuracy`` is
    ``measure:accuracy``; ``genid`` for skolemised blank nodes); any other IRI gets ``ns1``,
    ``ns2``... for its namespace (the IRI up to its last ``#`` or ``/``), numbered in sorted order.
    """
    iris = {
        term.value
        for quad in quads
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name)
        if isinstance(term, ox.NamedNode)
    }
    prefixes = dict(_VOCAB_PREFIXES)
    others: set[str] = set()
    for iri in sorted(iris):
        if iri.startswith(base_iri):
            rest = iri[len(base_iri) :]
            segment, slash, _ = rest.partition("/")
            if rest.startswith(_GENID):
                prefixes.setdefault("genid", base_iri + _GENID)
                continue
            if slash and _SEGMENT.fullmatch(segment):
                prefixes.setdefault(segment, f"{base_iri}{segment}/")
                continue
        cut = max(iri.rfind("#"), iri.rfind("/"))
        if 0 < cut < len(iri) - 1:
            others.add(iri[: cut + 1])
    taken = set(prefixes.values())
    fresh = sorted(ns for ns in others if not any(ns.startswith(t) for t in taken))
    for number, namespace in enumerate(fresh, start=1):
        prefixes[f"ns{number}"] = namespace
    return prefixes


def with_base_types(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Add the PROV-O base type entailed by a PROV-O subclass (``prov:Plan`` → ``prov:Entity``,
    ``prov:Person`` → ``prov:Agent`` ...), which ``prov`` needs to recognise the element."""
    quads = list(quads)
    rdf_type = ox.NamedNode(RDF.type)
    present = set(quads)
    extra = {}
    for q in quads:
        if q.predicate == rdf_type and isinstance(q.object, ox.NamedNode):
            base = _BASE_TYPES.get(q.object.value)
            if base is not None:
                inferred = ox.Quad(q.subject, rdf_type, ox.NamedNode(base), q.graph_name)
                if inferred not in present:
                    extra[inferred] = None
    return quads + list(extra)


def quads_to_prov(quads: Iterable[ox.Quad], prefixes: Mapping[str, str]) -> pm.ProvDocument:
    """Build a PROV document from PROV-O quads: the default graph as the document, named graphs as
    bundles.

    Raises ``ProvDocumentError`` when ``prov`` cannot map the graph, or reports statements it left
    out."""
    # Built term by term, not parsed: rdflib's parsers bind its ~30 default prefixes, which prov
    # would copy into every document.
    dataset = rdflib.Dataset(default_union=True)
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="core")
    for prefix, namespace in prefixes.items():
        dataset.bind(prefix, namespace)
    contexts: dict[ox.NamedNode | ox.DefaultGraph, rdflib.Graph] = {}
    for q in quads:
        context = contexts.get(q.graph_name)
        if context is None:
            name = (
                q.graph_name.value
                if isinstance(q.graph_name, ox.NamedNode)
                else DATASET_DEFAULT_GRAPH_ID
            )
            context = contexts[q.graph_name] = dataset.graph(rdflib.URIRef(name))
        dataset.addN([(_term(q.subject), _term(q.predicate), _term(q.object), context)])
    serializer = ProvRDFSerializer()
    document = pm.ProvDocument()
    serializer.document = document
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            serializer.decode_document(dataset, document)
        except Exception as exc:  # prov raises a zoo of types for graphs it cannot map
            raise ProvDocumentError(f"the graph cannot be expressed in PROV: {exc}") from exc
    lost = [str(w.message) for w in caught if "were not converted" in str(w.message)]
    if lost:
        raise ProvDocumentError(f"prov could not express every statement: {'; '.join(lost)}")
    return document


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD.string:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def prov_to_quads(document: pm.ProvDocument) -> list[ox.Quad]:
    """The PROV-O quads of a document (``prov``'s own mapping): its statements in the default graph,
    each bundle in a named graph called by the bundle's IRI. Relations without an identifier become
    blank nodes."""
    dataset = ProvRDFSerializer().encode_document(document)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
