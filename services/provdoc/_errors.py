"""Exceptions of ``services.provdoc``.

Hierarchy (one root, mapped onto the builtins callers already catch)::

    ProvDocumentError(ValueError)        unparsable or unusable input, or an impossible export
    ├── UnsupportedFormatError           a format name this package does not read or write
    ├── RunNotFoundError(LookupError)    no run (or graph) with that id or IRI in the store
    └── GraphvizNotFoundError            a picture needs graphviz ``dot``, which is not installed;
                                         carries the DOT source so the caller can still write it
"""

from __future__ import annotations

__all__ = [
    "GraphvizNotFoundError",
    "ProvDocumentError",
    "RunNotFoundError",
    "UnsupportedFormatError",
]


class ProvDocumentError(ValueError):
    """Root of the package: a PROV or RDF document could not be read, or an export could not be
    made."""


class UnsupportedFormatError(ProvDocumentError):
    """The format name is not one this package reads (import) or writes (export)."""


class RunNotFoundError(ProvDocumentError, LookupError):
    """The store holds no run (or named graph) with the given id or IRI."""


class GraphvizNotFoundError(ProvDocumentError):
    """A PNG or SVG picture needs graphviz's ``dot`` program, which is not on ``PATH``.

    ``dot_source`` holds the graph in the DOT language, so the caller can write it and render it
    later."""

    def __init__(self, message: str, dot_source: bytes) -> None:
        super().__init__(message)
        self.dot_source = dot_source
