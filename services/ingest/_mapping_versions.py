"""Version graphs (OMProv) as PROV-ML quads: registered versions of input objects (from ``version``
records) and the revisions inferred between output versions (from the version index). Pure
functions of their arguments; no blank nodes.

Graphs (docs/versions.md): a versioned object and its registered versions live in the object's graph
``{base}graph/object/{kind}/{name}``; the revisions inferred between the versions of an output
object (and which models are its versions) in ``{base}graph/inferred/{kind}/{name}``, which the
manager replaces incrementally.

>>> from services.ingest._iris import Iris
>>> quads = version_quads(Iris("http://ex.org/"), "dataset", "digits", "d2", "v2", [("d1", 0.25)],
...                       measure="text")
>>> sorted({q.graph_name.value for q in quads})
['http://ex.org/graph/object/dataset/digits']
>>> [q.object.value for q in quads if q.predicate.value.endswith("#weight")]
['0.25']
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from provlake.vocab import PROV, XSD

from ._iris import ML, Iris, V, term

__all__ = [
    "MODEL_KIND",
    "RouteHop",
    "digest_quad",
    "edge_quads",
    "member_quads",
    "object_quads",
    "version_quads",
    "weight_literal",
]

MODEL_KIND = "model"  # the kind of the output objects: the models of one name
_XSD_DOUBLE = term(XSD.double)
_SPECIALIZATION_OF = term(PROV.specializationOf)
_QUALIFIED_REVISION = term(PROV.qualifiedRevision)
_PROV_ENTITY = term(PROV.entity)
_REVISION = term(PROV.Revision)
_INFLUENCE = term(PROV.Influence)

# One input object's route along an inferred revision: (kind, name, from version id, to version id,
# weight, [(newer version id, older version id) of each declared revision on the route]).
RouteHop = tuple[str, str, str, str, float, list[tuple[str, str]]]


def weight_literal(weight: float) -> ox.Literal:
    """A weight as ``xsd:double`` (shortest round-trip text)."""
    return ox.Literal(repr(float(weight)), datatype=_XSD_DOUBLE)


def object_quads(iris: Iris, kind: str, name: str) -> list[ox.Quad]:
    """The description of a versioned object, in its object graph."""
    node, g = iris.versioned_object(kind, name), iris.object_graph(kind, name)
    return [
        ox.Quad(node, V.type, ML.VersionedObject, g),
        ox.Quad(node, V.type, V.Entity, g),
        ox.Quad(node, V.label, ox.Literal(name), g),
        ox.Quad(node, ML.objectKind, ox.Literal(kind), g),
    ]


def version_quads(
    iris: Iris,
    kind: str,
    name: str,
    id_: str,
    version: str,
    revises: Iterable[tuple[str, float]],
    *,
    measure: str | None = None,
    digest: str | None = None,
    location: str | None = None,
) -> list[ox.Quad]:
    """A registered version of an input object and its declared revisions (qualified, weighted)."""
    g = iris.object_graph(kind, name)
    node = iris.entity(id_)
    out = object_quads(iris, kind, name)
    out += [
        ox.Quad(node, V.type, ML.ObjectVersion, g),
        ox.Quad(node, V.type, V.Entity, g),
        ox.Quad(node, ML.identifier, ox.Literal(id_), g),
        ox.Quad(node, _SPECIALIZATION_OF, iris.versioned_object(kind, name), g),
        ox.Quad(node, ML.version, ox.Literal(version), g),
    ]
    for prop, value in ((ML.digest, digest), (ML.location, location)):
        if value is not None:
            out.append(ox.Quad(node, prop, ox.Literal(value), g))
    for older, weight in revises:
        revision = iris.revision(id_, older)
        out += [
            ox.Quad(node, V.wasRevisionOf, iris.entity(older), g),
            ox.Quad(node, _QUALIFIED_REVISION, revision, g),
            ox.Quad(revision, V.type, ML.DeclaredRevision, g),
            ox.Quad(revision, V.type, _REVISION, g),
            ox.Quad(revision, _PROV_ENTITY, iris.entity(older), g),
            ox.Quad(revision, ML.weight, weight_literal(weight), g),
        ]
        if measure is not None:
            out.append(ox.Quad(revision, ML.differenceMeasure, ox.Literal(measure), g))
    return out


def member_quads(iris: Iris, name: str, model: str) -> list[ox.Quad]:
    """A model (entity id) as a version of the output object ``name``, in its inferred graph."""
    g, node = iris.inferred_graph(MODEL_KIND, name), iris.entity(model)
    return [
        ox.Quad(node, V.type, ML.ObjectVersion, g),
        ox.Quad(node, _SPECIALIZATION_OF, iris.versioned_object(MODEL_KIND, name), g),
    ]


def edge_quads(
    iris: Iris, name: str, older: str, newer: str, weight: float, routes: Iterable[RouteHop]
) -> list[ox.Quad]:
    """An inferred revision between two models (entity ids) of output object ``name``, with one
    route per input object, in the object's inferred graph."""
    g = iris.inferred_graph(MODEL_KIND, name)
    node, previous = iris.entity(newer), iris.entity(older)
    revision = iris.revision(newer, older)
    out = [
        ox.Quad(node, V.wasRevisionOf, previous, g),
        ox.Quad(node, _QUALIFIED_REVISION, revision, g),
        ox.Quad(revision, V.type, ML.InferredRevision, g),
        ox.Quad(revision, V.type, _REVISION, g),
        ox.Quad(revision, _PROV_ENTITY, previous, g),
        ox.Quad(revision, ML.weight, weight_literal(weight), g),
    ]
    for kind, input_name, start, end, distance, hops in routes:
        route = Iris.route(revision, kind, input_name)
        out += [
            ox.Quad(revision, ML.inputRoute, route, g),
            ox.Quad(route, V.type, ML.InputRoute, g),
            ox.Quad(route, V.type, _INFLUENCE, g),
            ox.Quad(route, ML.inputObject, iris.versioned_object(kind, input_name), g),
            ox.Quad(route, ML.fromVersion, iris.entity(start), g),
            ox.Quad(route, ML.toVersion, iris.entity(end), g),
            ox.Quad(route, ML.weight, weight_literal(distance), g),
        ]
        out += [ox.Quad(route, ML.viaRevision, iris.revision(a, b), g) for a, b in hops]
    return out


def digest_quad(iris: Iris, name: str, digest: int) -> ox.Quad:
    """The digest of the facts an output object's inferred graph was computed from."""
    return ox.Quad(
        iris.versioned_object(MODEL_KIND, name),
        ML.inferenceDigest,
        ox.Literal(f"{digest:064x}"),
        iris.inferred_graph(MODEL_KIND, name),
    )
