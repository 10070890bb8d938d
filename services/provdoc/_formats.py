"""The document formats ``provml import`` and ``provml export`` know, by name.

Three families: PROV serialisations written and read through the ``prov`` library (PROV-N,
PROV-JSON, PROV-XML, PROV-JSONLD), RDF serialisations of PROV-O written and read through pyoxigraph,
and pictures of the graph drawn by graphviz. Kept free of heavy imports so the command line can list
the names cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from services.provdoc._errors import UnsupportedFormatError

__all__ = ["EXPORT_FORMATS", "FORMATS", "IMPORT_FORMATS", "Format", "format_for_path", "get_format"]


@dataclass(frozen=True)
class Format:
    """One serialisation: its name, family, usual file extensions and media type.

    ``prov_name`` is the ``prov`` library's serializer key (PROV family); ``rdf_format`` the
    attribute name of ``pyoxigraph.RdfFormat`` (RDF family); ``quads`` says whether the format can
    hold named graphs."""

    name: str
    family: Literal["prov", "rdf", "picture"]
    extensions: tuple[str, ...]
    media_type: str
    prov_name: str | None = None
    rdf_format: str | None = None
    quads: bool = False
    readable: bool = True


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("provn", "prov", (".provn", ".pn"), "text/provenance-notation", prov_name="provn"),
        Format("provjson", "prov", (".json", ".provjson"), "application/json", prov_name="json"),
        Format("provxml", "prov", (".xml", ".provx"), "application/xml", prov_name="xml"),
        Format("provjsonld", "prov", (".provjsonld",), "application/ld+json", prov_name="jsonld"),
        Format("turtle", "rdf", (".ttl",), "text/turtle", rdf_format="TURTLE"),
        Format("trig", "rdf", (".trig",), "application/trig", rdf_format="TRIG", quads=True),
        Format("ntriples", "rdf", (".nt",), "application/n-triples", rdf_format="N_TRIPLES"),
        Format("nquads", "rdf", (".nq",), "application/n-quads", rdf_format="N_QUADS", quads=True),
        Format(
            "jsonld", "rdf", (".jsonld",), "application/ld+json", rdf_format="JSON_LD", quads=True
        ),
        Format("rdfxml", "rdf", (".rdf", ".owl"), "application/rdf+xml", rdf_format="RDF_XML"),
        Format("png", "picture", (".png",), "image/png", readable=False),
        Format("svg", "picture", (".svg",), "image/svg+xml", readable=False),
        Format("dot", "picture", (".dot", ".gv"), "text/vnd.graphviz", readable=False),
    )
}

#: Names accepted by ``import_document`` (and ``provml import --format``).
IMPORT_FORMATS: tuple[str, ...] = tuple(n for n, f in FORMATS.items() if f.readable)
#: Names accepted by the export functions (and ``provml export --format``).
EXPORT_FORMATS: tuple[str, ...] = tuple(FORMATS)


def get_format(name: str, *, for_import: bool = False) -> Format:
    """The format called ``name``; raises ``UnsupportedFormatError`` listing the valid names
    otherwise."""
    fmt = FORMATS.get(name)
    valid = IMPORT_FORMATS if for_import else EXPORT_FORMATS
    if fmt is None or name not in valid:
        what = "import" if for_import else "export"
        raise UnsupportedFormatError(
            f"unknown {what} format {name!r}: expected one of {', '.join(valid)}"
        )
    return fmt


def format_for_path(path: str | PurePath) -> Format:
    """Guess the format from a file name's extension (``.json`` is PROV-JSON, ``.jsonld`` RDF
    JSON-LD)."""
    suffix = PurePath(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    raise UnsupportedFormatError(
        f"cannot tell the format of {str(path)!r} from its extension {suffix or '(none)'!r}: "
        f"give it with --format ({', '.join(IMPORT_FORMATS)})"
    )
