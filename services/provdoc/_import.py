"""Import of PROV and PROV-O documents into quads for the store.

PROV-JSON, PROV-XML, PROV-N (``prov`` reads it since 3.2) and PROV-JSONLD are read by the ``prov``
library and mapped to PROV-O by it; the RDF formats are parsed by pyoxigraph as they are. Either way
the statements land in the named graph ``{base}graph/import/{name}``; a PROV bundle (a named graph,
in RDF) lands in ``{base}graph/import/{name}/bundle/{percent-encoded bundle IRI}``, so bundles stay
apart and their IRIs can be recovered on export. Blank nodes are skolemised deterministically
(``_skolem``)."""

from __future__ import annotations

import io
import re
import warnings
from urllib.parse import quote

import prov.model as pm
import pyoxigraph as ox

from services.provdoc._convert import prov_to_quads
from services.provdoc._errors import ProvDocumentError
from services.provdoc._formats import Format, get_format
from services.provdoc._skolem import canonical_digest, skolemise

__all__ = ["bundle_graph_iri", "import_document", "import_graph_iri"]

_NAME = re.compile(r"[A-Za-z0-9._~-]{1,128}")
BUNDLE_SEGMENT = "/bundle/"


def import_graph_iri(base_iri: str, name: str) -> str:
    """IRI of the named graph an import called ``name`` goes to: ``{base}graph/import/{name}``."""
    return f"{base_iri}graph/import/{name}"


def bundle_graph_iri(graph: str, bundle: str) -> str:
    """IRI of the named graph holding the bundle ``bundle`` of the import graph ``graph``."""
    return f"{graph}{BUNDLE_SEGMENT}{quote(bundle, safe='')}"


def import_document(
    data: bytes, format: str, *, base_iri: str, name: str | None = None
) -> list[ox.Quad]:
    """Parse a PROV or PROV-O document into skolemised quads in the graph
    ``{base}graph/import/{name}``.

    ``format`` is one of ``provjson``, ``provxml``, ``provn``, ``provjsonld``, ``turtle``, ``trig``,
    ``ntriples``, ``nquads``, ``jsonld``, ``rdfxml``. ``name`` (1–128 chars of ``[A-Za-z0-9._~-]``)
    defaults to the first 16 hex digits of the SHA-256 of the document's canonical quads, so the
    same content always goes to the same graph. Importing the same document twice gives the same
    quads. Raises ``ProvDocumentError`` (a ``ValueError``) for an unknown format, a bad name, or a
    document that cannot be parsed or is empty."""
    fmt = get_format(format, for_import=True)
    if name is not None and not _NAME.fullmatch(name):
        raise ProvDocumentError(
            f"invalid import name {name!r}: "
            "use 1-128 characters of letters, digits, '.', '_', '~', '-'"
        )
    quads = _parse_prov(data, fmt) if fmt.family == "prov" else _parse_rdf(data, fmt)
    if not quads:
        raise ProvDocumentError(f"the {fmt.name} document holds no statements: nothing to import")
    canonical, digest = canonical_digest(quads)
    graph = import_graph_iri(base_iri, name or digest[:16])
    targets: dict[ox.NamedNode | ox.DefaultGraph, ox.NamedNode] = {}
    for q in canonical:
        if q.graph_name not in targets:
            targets[q.graph_name] = ox.NamedNode(
                bundle_graph_iri(graph, q.graph_name.value)
                if isinstance(q.graph_name, ox.NamedNode)
                else graph
            )
    return [
        ox.Quad(q.subject, q.predicate, q.object, targets[q.graph_name])
        for q in skolemise(canonical, base_iri, digest)
    ]


def _parse_prov(data: bytes, fmt: Format) -> list[ox.Quad]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = pm.ProvDocument.deserialize(io.BytesIO(data), format=fmt.prov_name)
    except Exception as exc:  # json, lxml, the PROV-N parser and prov's model raise many types
        raise ProvDocumentError(f"unparsable {fmt.name} document: {_first_line(exc)}") from exc
    try:
        quads = prov_to_quads(document)
    except Exception as exc:
        raise ProvDocumentError(
            f"the {fmt.name} document cannot be mapped to PROV-O: {exc}"
        ) from exc
    return _unname_blank_graphs(quads)


def _parse_rdf(data: bytes, fmt: Format) -> list[ox.Quad]:
    try:
        parsed = list(ox.parse(data, format=getattr(ox.RdfFormat, fmt.rdf_format)))
    except (SyntaxError, ValueError, OSError) as exc:
        raise ProvDocumentError(f"unparsable {fmt.name} document: {_first_line(exc)}") from exc
    return _unname_blank_graphs(parsed)


def _unname_blank_graphs(quads: list[ox.Quad]) -> list[ox.Quad]:
    """A graph named by a blank node is no bundle: its statements belong to the document (as
    ``prov`` reads it)."""
    return [
        ox.Quad(q.subject, q.predicate, q.object) if isinstance(q.graph_name, ox.BlankNode) else q
        for q in quads
    ]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
