"""Deterministic skolemisation: the project stores no blank nodes.

Blank nodes are first given canonical labels (RDFC-1.0, so the labels depend only on the graph's
shape, not on the serialisation or the parser), then replaced by
``{base}.well-known/genid/{digest}-{label}`` where ``digest`` is the SHA-256 of the canonical
N-Quads of the whole document. The same document therefore always yields the same IRIs, and
importing it twice adds nothing; two different documents never share a skolem IRI."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["GENID_PATH", "canonical_digest", "deskolemise", "skolemise"]

#: Path, under the base IRI, of skolem IRIs (RDF 1.1 §3.5 "well-known" genid).
GENID_PATH = ".well-known/genid/"


def canonical_digest(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], str]:
    """Canonicalise the blank-node labels of ``quads``; returns the canonical quads and the SHA-256
    hex digest of their sorted N-Quads."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).splitlines())
    return list(dataset), hashlib.sha256(b"\n".join(lines)).hexdigest()


def skolemise(quads: Iterable[ox.Quad], base_iri: str, digest: str) -> list[ox.Quad]:
    """Replace every blank node (subject, object, graph name) by a skolem IRI under ``base_iri``."""
    prefix = f"{base_iri}{GENID_PATH}{digest[:32]}-"

    def term(t):
        return ox.NamedNode(prefix + t.value) if isinstance(t, ox.BlankNode) else t

    return [
        ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name))
        if isinstance(q.subject, ox.BlankNode)
        or isinstance(q.object, ox.BlankNode)
        or isinstance(q.graph_name, ox.BlankNode)
        else q
        for q in quads
    ]


def deskolemise(quads: Iterable[ox.Quad], base_iri: str) -> list[ox.Quad]:
    """Turn skolem IRIs minted by :func:`skolemise` back into blank nodes (for exports that compare
    with, or hand data to, tools expecting the original blank-node structure)."""
    prefix = base_iri + GENID_PATH

    def term(t):
        if isinstance(t, ox.NamedNode) and t.value.startswith(prefix):
            return ox.BlankNode("b" + hashlib.sha1(t.value.encode("utf-8")).hexdigest())
        return t

    return [
        ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name)) for q in quads
    ]
