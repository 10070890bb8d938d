"""W3C PROV interchange: export the provenance graph as PROV-N, PROV-JSON, PROV-XML, PROV-JSONLD,
PROV-O (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) or a picture, and import PROV and PROV-O
documents into named graphs.

Exceptions: every error is a :class:`ProvDocumentError` (a ``ValueError``); see ``_errors`` for the
tree."""

from services.provdoc._errors import (
    GraphvizNotFoundError,
    ProvDocumentError,
    RunNotFoundError,
    UnsupportedFormatError,
)
from services.provdoc._export import (
    DEFAULT_BASE_IRI,
    export_all,
    export_graph,
    export_run,
    select_quads,
    serialize_quads,
    to_prov_document,
)
from services.provdoc._formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    Format,
    format_for_path,
    get_format,
)
from services.provdoc._import import bundle_graph_iri, import_document, import_graph_iri

__all__ = [
    "DEFAULT_BASE_IRI",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "Format",
    "GraphvizNotFoundError",
    "ProvDocumentError",
    "RunNotFoundError",
    "UnsupportedFormatError",
    "bundle_graph_iri",
    "export_all",
    "export_graph",
    "export_run",
    "format_for_path",
    "get_format",
    "import_document",
    "import_graph_iri",
    "select_quads",
    "serialize_quads",
    "to_prov_document",
]
