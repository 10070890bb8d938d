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
from rdflib.namespace import NamespaceManager

from provlake.vocab import MLS, OWL, PROV, PROVML, RDF, RDFS, XSD
from services.provdoc._errors import ProvDocumentError

__all__ = ["prefixes_for", "prov_to_quads", "quads_to_prov"]

_VOCAB_PREFIXES = {
    "prov": PROV.NS,
    "provml": PROVML.NS,
    "mls": MLS.NS,
    "xsd": XSD.NS,
    "rdf": RDF.NS,
    "rdfs": RDFS.NS,
    "owl": OWL.NS,
}
_SEGMENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_GENID = ".well-known/genid/"


def prefixes_for(quads: Iterable[ox.Quad], base_iri: str) -> dict[str, str]:
    """Prefixes for a readable serialisation: the vocabularies, plus one per kind of node minted
    under the base.

    ``{base}run/r1`` is written ``run:r1``, ``{base}measure/accuracy`` ``measure:accuracy`` and so
    on; the prefix is the first path segment after the base IRI (``genid`` for skolemised blank
    nodes)."""
    prefixes = dict(_VOCAB_PREFIXES)
    taken = set(prefixes.values())
    for quad in quads:
        for term in (quad.subject, quad.object, quad.graph_name):
            if not isinstance(term, ox.NamedNode) or not term.value.startswith(base_iri):
                continue
            rest = term.value[len(base_iri) :]
            if rest.startswith(_GENID):
                prefix, namespace = "genid", base_iri + _GENID
            else:
                segment, slash, _ = rest.partition("/")
                if not slash or not _SEGMENT.fullmatch(segment):
                    continue
                prefix, namespace = segment, f"{base_iri}{segment}/"
            if namespace not in taken and prefix not in prefixes:
                prefixes[prefix] = namespace
                taken.add(namespace)
    return prefixes


def quads_to_prov(quads: Iterable[ox.Quad], prefixes: Mapping[str, str]) -> pm.ProvDocument:
    """Build a PROV document from PROV-O quads: the default graph as the document, named graphs as
    bundles.

    Raises ``ProvDocumentError`` when ``prov`` cannot map the graph, or reports statements it left
    out."""
    trig = ox.serialize(list(quads), format=ox.RdfFormat.TRIG, prefixes=dict(prefixes))
    dataset = rdflib.Dataset(default_union=True)
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="core")
    dataset.parse(data=trig, format="trig")
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


def prov_to_quads(document: pm.ProvDocument) -> list[ox.Quad]:
    """The PROV-O quads of a document (``prov``'s own mapping): its statements in the default graph,
    each bundle in a named graph called by the bundle's IRI. Relations without an identifier become
    blank nodes."""
    dataset = ProvRDFSerializer().encode_document(document)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
