"""W3C PROV interchange: export the provenance graph as PROV-N, PROV-JSON, PROV-XML, PROV-JSONLD,
PROV-O (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) or a picture, and import PROV and PROV-O
documents into named graphs.

Exceptions: every error is a :class:`ProvDocumentError` (a ``ValueError``); see ``_errors``.

The format table and the exceptions load at once; the converters (``prov``, rdflib, pyoxigraph) on
first use, so ``provml --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from services.provdoc._errors import (
    GraphvizNotFoundError,
    ProvDocumentError,
    RunNotFoundError,
    UnsupportedFormatError,
)
from services.provdoc._formats import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    Format,
    format_for_path,
    get_format,
)

if TYPE_CHECKING:
    from services.provdoc._export import (
        DEFAULT_BASE_IRI,
        export_all,
        export_graph,
        export_run,
        select_quads,
        serialize_quads,
        to_prov_document,
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

_LAZY = {
    "DEFAULT_BASE_IRI": "_export",
    "export_all": "_export",
    "export_graph": "_export",
    "export_run": "_export",
    "select_quads": "_export",
    "serialize_quads": "_export",
    "to_prov_document": "_export",
    "bundle_graph_iri": "_import",
    "import_document": "_import",
    "import_graph_iri": "_import",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
