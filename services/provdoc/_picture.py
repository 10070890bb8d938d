"""Pictures of a PROV document: ``prov.dot.prov_to_dot`` draws it, graphviz's ``dot`` renders PNG or
SVG.

Without graphviz (``dot`` not on ``PATH``) a PNG or SVG request raises ``GraphvizNotFoundError``,
which carries the DOT source so the caller can still write a ``.dot`` file; ``dot`` output never
needs graphviz."""

from __future__ import annotations

import shutil

import prov.model as pm
from prov.dot import prov_to_dot

from services.provdoc._errors import GraphvizNotFoundError, ProvDocumentError

__all__ = ["GRAPHVIZ_HINT", "render_picture"]

GRAPHVIZ_HINT = (
    "graphviz is not installed (no 'dot' program on PATH): install it to get PNG or SVG "
    "pictures (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
)


def render_picture(document: pm.ProvDocument, format: str) -> bytes:
    """The document drawn as ``png``, ``svg`` or ``dot`` (the DOT source).

    Left to right, one box per node with its label and no attribute boxes: a training has dozens
    of metric nodes, and top-to-bottom with attribute boxes gives a picture too wide for graphviz
    (its 32767-pixel limit) to draw legibly. The values are in the PROV-N / PROV-JSON exports.
    """
    graph = prov_to_dot(
        document,
        direction="LR",
        use_labels=True,
        show_element_attributes=False,
        show_relation_attributes=False,
    )
    source = graph.to_string().encode("utf-8")
    if format == "dot":
        return source
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(GRAPHVIZ_HINT, source)
    try:
        return graph.create(prog="dot", format=format)
    except Exception as exc:  # pydot reports a failing dot run with a bare Exception
        raise ProvDocumentError(f"graphviz could not render the {format} picture: {exc}") from exc
