"""The PROV-ML ontology as data: OWL vocabulary, SHACL shapes, JSON-LD context and examples.

The files ship inside the wheel, so an installed copy finds them without the source tree:

>>> path("provml.ttl").name
'provml.ttl'
>>> NAMESPACE
'https://w3id.org/provml#'
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["CONTEXT", "NAMESPACE", "ONTOLOGY", "ONTOLOGY_IRI", "SHAPES", "examples", "path"]

NAMESPACE = "https://w3id.org/provml#"
ONTOLOGY_IRI = "https://w3id.org/provml"
ONTOLOGY = "provml.ttl"
SHAPES = "shapes.ttl"
CONTEXT = "context.jsonld"


def path(name: str) -> Path:
    """Return the filesystem path of an ontology file, e.g. ``path("shapes.ttl")``."""
    found = Path(str(files(__name__).joinpath(name)))
    if not found.exists():
        raise FileNotFoundError(f"ontology file {name!r} is not shipped in {found.parent}")
    return found


def examples(kind: str) -> list[Path]:
    """Return the example Turtle files of one kind, ``"valid"`` or ``"invalid"``, sorted by name."""
    if kind not in ("valid", "invalid"):
        raise ValueError(f"example kind must be 'valid' or 'invalid', not {kind!r}")
    return sorted(Path(str(files(__name__).joinpath("examples", kind))).glob("*.ttl"))
