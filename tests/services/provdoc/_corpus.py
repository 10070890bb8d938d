"""The example documents shipped with the installed ``prov`` package, and the round-trip check."""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import unquote

import prov
import prov.model as pm
import pyoxigraph as ox

from services.provdoc import export_graph, get_format, import_document
from services.provdoc._convert import prov_to_quads
from services.provdoc._skolem import deskolemise
from services.store._base import Store

CORPUS = Path(prov.__file__).parent / "tests"
BASE = "http://provml.localhost/id/"

# Format of each corpus folder (by path prefix and suffix) in import_document's names, and the
# export format the document goes back to.
_RULES = [
    ("json/", ".json", "provjson"),
    ("jsonld/", ".jsonld", "provjsonld"),
    ("xml/", ".xml", "provxml"),
    ("unification/", ".xml", "provxml"),
    ("unification/", ".provx", "provxml"),
    ("provn/", ".provn", "provn"),
    ("rdf/", ".ttl", "turtle"),
    ("rdf/", ".trig", "trig"),
    ("rdf/", ".rdf", "rdfxml"),
    ("malformed/", ".json", "provjson"),
    ("malformed/", ".xml", "provxml"),
    ("malformed/", ".ttl", "turtle"),
    ("malformed/", ".rdf", "rdfxml"),
]
_FORMAT_NAMES = {
    "provjson": {"format": "json"},
    "provjsonld": {"format": "jsonld"},
    "provxml": {"format": "xml"},
    "provn": {"format": "provn"},
    "turtle": {"format": "rdf", "rdf_format": "turtle"},
    "trig": {"format": "rdf", "rdf_format": "trig"},
    "rdfxml": {"format": "rdf", "rdf_format": "xml"},
}
_PROV_NAMES = {"provjson": "json", "provjsonld": "jsonld", "provxml": "xml", "provn": "provn"}
_RDF_NAMES = {"turtle": "turtle", "trig": "trig", "rdfxml": "xml"}


def corpus_files() -> list[tuple[str, str]]:
    """(path relative to the corpus, import format) of every example document, sorted."""
    files = []
    for path in sorted(CORPUS.rglob("*")):
        rel = path.relative_to(CORPUS).as_posix()
        for folder, suffix, fmt in _RULES:
            if rel.startswith(folder) and rel.endswith(suffix):
                files.append((rel, fmt))
    return files


def prov_reading(data: bytes, fmt: str) -> pm.ProvDocument:
    """The document as the ``prov`` library reads it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt in _PROV_NAMES:
            return pm.ProvDocument.deserialize(content=data, format=_PROV_NAMES[fmt])
        return pm.ProvDocument.deserialize(content=data, format="rdf", rdf_format=_RDF_NAMES[fmt])


def prov_writing(document: pm.ProvDocument, fmt: str) -> bytes:
    """The document as the ``prov`` library writes it in ``fmt``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = document.serialize(**_FORMAT_NAMES[fmt])
    return text if isinstance(text, bytes) else text.encode("utf-8")


def prov_own_round_trip(data: bytes, fmt: str) -> list[str]:
    """What ``prov`` alone makes of the document through PROV-O: read it, write PROV-O, read that
    back with prov's own PROV-O reader, write it in ``fmt``, read it, write PROV-O."""
    first = prov_writing(prov_reading(data, fmt), "trig")
    again = prov_writing(prov_reading(first, "trig"), fmt)
    return canonical(prov_to_quads(prov_reading(again, fmt)))


def canonical(quads: list[ox.Quad]) -> list[str]:
    """Sorted canonical N-Quads of the quads as an Oxigraph store holds them: equal lists mean
    isomorphic datasets. Oxigraph stores literals by value (``"1"^^xsd:int`` is kept as
    ``"1"^^xsd:integer``, ``"1.0E-2"^^xsd:double`` as ``"0.01"``), so both sides of a comparison
    go through a store; blank nodes get RDFC-1.0 labels."""
    store = ox.Store()
    store.bulk_extend(quads)
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(map(str, dataset))


def round_trip(store: Store, rel: str, fmt: str) -> tuple[list[str], list[str], list[str]]:
    """Import ``rel`` into ``store`` and export its graph back in the same format.

    Returns three canonical datasets that must be equal: the reference, the imported quads (skolem
    IRIs back to blank nodes, bundle graphs back to their bundle IRIs) and the export read back.
    For a PROV format the reference is the PROV-O ``prov`` itself makes of the file, and the export
    is read back by ``prov``; for an RDF format the reference is the file's own triples, and the
    export is read back by pyoxigraph (no ``prov`` on the way: stricter).
    """
    data = (CORPUS / rel).read_bytes()
    graph = f"{BASE}graph/import/corpus"
    quads = import_document(data, fmt, base_iri=BASE, name="corpus")
    store.add(quads)
    try:
        exported = export_graph(store, graph, fmt, base_iri=BASE)
    finally:
        for name in store.graphs():
            store.remove_graph(name)
    imported = canonical(_original_graphs(deskolemise(quads, BASE), graph))
    if fmt in _PROV_NAMES:
        expected = prov_to_quads(prov_reading(data, fmt))
        back = prov_to_quads(prov_reading(exported, fmt))
    else:
        rdf_format = getattr(ox.RdfFormat, get_format(fmt).rdf_format or "")
        expected = list(ox.parse(data, format=rdf_format))
        back = list(ox.parse(exported, format=rdf_format))
    return canonical(expected), imported, canonical(back)


def _original_graphs(quads: list[ox.Quad], graph: str) -> list[ox.Quad]:
    prefix = f"{graph}/bundle/"
    out = []
    for q in quads:
        name = q.graph_name.value
        target = (
            ox.NamedNode(unquote(name[len(prefix) :]))
            if name.startswith(prefix)
            else ox.DefaultGraph()
        )
        out.append(ox.Quad(q.subject, q.predicate, q.object, target))
    return out
