"""Export of the provenance graph in PROV and PROV-O formats, and as a picture.

A run export is one flat PROV document: the run's statements and the catalogue nodes they reference
(the run IRI names what it is about; no bundle is needed to keep it apart). ``export_all`` keeps the
store's structure: each named graph becomes a PROV bundle (a named graph in TriG, N-Quads and
JSON-LD) named by the graph IRI; the single-graph RDF formats (Turtle, N-Triples, RDF/XML) then hold
the union of the graphs.

Skolem IRIs (``{base}.well-known/genid/...``, minted on import for the blank nodes of a document)
turn back into blank nodes in every export, so an imported document exports as it came in. PROV
formats go through ``prov`` (``quads_to_prov``), which knows an element only by its PROV-DM type:
a node typed ``prov:Plan`` gets ``prov:Entity``, one typed ``prov:Person`` or ``prov:SoftwareAgent``
gets ``prov:Agent`` (both entailed by PROV-O). RDF formats are written by pyoxigraph, sorted, so the
same data always gives the same bytes (JSON-LD in expanded form, without a context)."""

from __future__ import annotations

import prov.model as pm
import pyoxigraph as ox

from services.provdoc._convert import prefixes_for, quads_to_prov, with_base_types
from services.provdoc._formats import get_format
from services.provdoc._picture import render_picture
from services.provdoc._select import all_quads, dataflow_quads, graph_quads, run_quads
from services.provdoc._skolem import deskolemise
from services.store._base import Store

__all__ = [
    "DEFAULT_BASE_IRI",
    "export_all",
    "export_graph",
    "export_run",
    "select_quads",
    "serialize_quads",
    "to_prov_document",
]

_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: The manager's default base IRI (``PROVML_BASE_IRI``).
DEFAULT_BASE_IRI = "http://provml.localhost/id/"


def select_quads(
    store: Store,
    format: str,
    *,
    run: str | None = None,
    graph: str | None = None,
    dataflow: str | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> list[ox.Quad]:
    """The quads an export in ``format`` holds: one run (client id, IRI or DLProv execution tag),
    every execution of a dataflow (by tag), one graph, or, with none, the whole store. For PROV
    formats and pictures the whole store means its provenance graphs (runs, catalogue, imports):
    domain knowledge graphs are not PROV and are left out."""
    fmt = get_format(format)
    if run is not None or dataflow is not None or graph is not None:
        if run is not None:
            quads = run_quads(store, run, base_iri=base_iri)
        elif dataflow is not None:
            quads = dataflow_quads(store, dataflow, base_iri=base_iri)
        else:
            quads = graph_quads(store, graph)
        return quads + _names_of_others(store, quads) if fmt.family == "picture" else quads
    quads = all_quads(store)
    if fmt.family != "rdf":
        kept = tuple(f"{base_iri}graph/{name}" for name in ("run/", "catalog", "data", "import/"))
        quads = [q for q in quads if q.graph_name.value.startswith(kept)]
    return quads


def export_run(store: Store, run: str, format: str, *, base_iri: str = DEFAULT_BASE_IRI) -> bytes:
    """One run (client id or run IRI) with the catalogue nodes it references, as a flat document.

    Raises ``RunNotFoundError`` for an unknown run, ``UnsupportedFormatError`` for an unknown
    format and ``GraphvizNotFoundError`` for a picture when graphviz is missing.
    """
    quads = select_quads(store, format, run=run, base_iri=base_iri)
    return serialize_quads(quads, format, base_iri=base_iri)


def export_graph(
    store: Store, graph: str, format: str, *, base_iri: str = DEFAULT_BASE_IRI
) -> bytes:
    """One named graph (for instance an import graph, with the bundles imported with it)."""
    quads = select_quads(store, format, graph=graph, base_iri=base_iri)
    return serialize_quads(quads, format, base_iri=base_iri)


def export_all(store: Store, format: str, *, base_iri: str = DEFAULT_BASE_IRI) -> bytes:
    """The whole store, one bundle (named graph) per graph (see ``select_quads``)."""
    return serialize_quads(
        select_quads(store, format, base_iri=base_iri), format, base_iri=base_iri
    )


def to_prov_document(quads: list[ox.Quad], *, base_iri: str = DEFAULT_BASE_IRI) -> pm.ProvDocument:
    """A ``prov`` document of the quads: default graph as the document, named graphs as bundles."""
    quads = sorted(deskolemise(quads, base_iri), key=str)  # the same data, the same document
    return quads_to_prov(with_base_types(quads), prefixes_for(quads, base_iri))


def serialize_quads(
    quads: list[ox.Quad], format: str, *, base_iri: str = DEFAULT_BASE_IRI
) -> bytes:
    """Write quads in an export format (see ``EXPORT_FORMATS``)."""
    fmt = get_format(format)
    if fmt.family == "picture":
        return render_picture(_union(sorted(deskolemise(quads, base_iri), key=str)), fmt.name)
    if fmt.family == "rdf":
        quads = sorted(deskolemise(quads, base_iri), key=str)  # the same data, the same bytes
        data: list[ox.Quad] | list[ox.Triple] = quads if fmt.quads else _union(quads)
        return ox.serialize(
            data,
            format=getattr(ox.RdfFormat, fmt.rdf_format or ""),
            prefixes=prefixes_for(quads, base_iri),
        )
    document = to_prov_document(quads, base_iri=base_iri)
    text = (
        document.serialize(format=fmt.prov_name, indent=2)
        if fmt.name == "provjson"
        else (document.serialize(format=fmt.prov_name))
    )
    return text.encode("utf-8")


def _names_of_others(store: Store, quads: list[ox.Quad]) -> list[ox.Quad]:
    """For a picture: the types and names of the nodes the quads mention but describe elsewhere
    (the data another run prepared), so that the picture names them too."""
    described = {q.subject for q in quads if q.predicate == _TYPE}
    mentioned = {t for q in quads for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
    missing = sorted((mentioned - described), key=str)
    found: list[ox.Quad] = []
    for start in range(0, len(missing), 400):
        values = " ".join(str(n) for n in missing[start : start + 400])
        result = store.query(
            f"CONSTRUCT {{ ?s a ?t . ?s <{_LABEL}> ?l }} WHERE {{ VALUES ?s {{ {values} }} "
            f"{{ ?s a ?t }} UNION {{ ?s <{_LABEL}> ?l }} }}"
        )
        found += [ox.Quad(t.subject, t.predicate, t.object) for t in getattr(result, "triples", [])]
    return found


def _union(quads: list[ox.Quad]) -> list[ox.Triple]:
    seen = dict.fromkeys(q.triple for q in quads)
    return list(seen)
