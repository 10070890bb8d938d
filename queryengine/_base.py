"""The base IRI the manager mints nodes under (a leaf module: everything else may import it)."""

from __future__ import annotations

import os

__all__ = ["DEFAULT_BASE_IRI", "default_base_iri"]

DEFAULT_BASE_IRI = "http://provml.localhost/id/"


def default_base_iri() -> str:
    """The base IRI nodes are minted under: ``PROVML_BASE_IRI`` or
    ``http://provml.localhost/id/``.

    >>> DEFAULT_BASE_IRI
    'http://provml.localhost/id/'
    """
    return os.environ.get("PROVML_BASE_IRI") or DEFAULT_BASE_IRI
