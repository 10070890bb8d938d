"""What an export holds, read from a store (the contract in ``services.store._base``).

- a run (by client id, run IRI, DLProv execution tag or a name one run has, see
  ``queryengine.find_by_name``): the triples of its graph
  ``{base}graph/run/{id}`` plus the descriptions of the shared data it reaches (data graph) and the
  catalogue nodes they reach (plans, measures, hyperparameters, agents, studies, and what those
  reach in turn), all in the default graph: a self-contained flat PROV document;
- a dataflow (DLProv's ``generate_prov --df_tag``): every run that is an execution of it, with the
  shared data and catalogue nodes they reach, as one flat document;
- a graph: its triples in the default graph and, for an import graph, the bundles imported with
  it as named graphs called by their original bundle IRIs (the inverse of ``import_document``);
- everything: every named graph of the store, each as a named graph (a PROV bundle named by the
  graph IRI).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pyoxigraph as ox

from provlake.dataflow._ids import run_id
from provlake.vocab import PROVML
from queryengine import ParameterError, find_by_name
from services.provdoc._errors import RunNotFoundError
from services.provdoc._import import BUNDLE_SEGMENT
from services.store._base import GraphResult, Store

__all__ = ["all_quads", "dataflow_quads", "graph_quads", "run_graph_iri", "run_quads"]

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")

# Nodes of a shared graph (catalogue, data) reachable from the run graph, with their triples (paths
# stay in that graph).
_CLOSURE = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ SELECT DISTINCT ?root WHERE {{
      GRAPH <{run}> {{ {{ ?root ?p0 ?o0 }} UNION {{ ?s1 ?p1 ?root }} }}
      FILTER(isIRI(?root))
  }} }}
  GRAPH <{shared}> {{ ?root (!<urn:provml:no-such-predicate>)* ?s . ?s ?p ?o }}
}}
"""
# Catalogue nodes reachable from given roots (those of the shared data descriptions).
_CATALOGUE_FROM = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  VALUES ?root {{ {roots} }}
  GRAPH <{catalog}> {{ ?root (!<urn:provml:no-such-predicate>)* ?s . ?s ?p ?o }}
}}
"""


def run_graph_iri(run: str, base_iri: str) -> tuple[str, str]:
    """The run IRI and run graph IRI for a run given by client id or by IRI (``{base}run/{id}``)."""
    run_prefix = f"{base_iri}run/"
    if _IRI.fullmatch(run):
        if not run.startswith(run_prefix) or len(run) == len(run_prefix):
            raise RunNotFoundError(f"{run!r} is not a run IRI: run IRIs look like {run_prefix}ID")
        encoded = run[len(run_prefix) :]
    else:  # a client id, or an execution tag (mapped to its run id as the manager does)
        encoded = quote(run_id(run), safe="")
    return f"{run_prefix}{encoded}", f"{base_iri}graph/run/{encoded}"


def run_quads(store: Store, run: str, *, base_iri: str) -> list[ox.Quad]:
    """The run's own triples, the shared data and catalogue triples it references, all in the
    default graph."""
    run_iri, graph = run_graph_iri(run, base_iri)
    if store.count(graph) == 0 and not _IRI.fullmatch(run):  # a name one run has, maybe
        try:
            found = find_by_name(store, run, ("run",), parameter="run").value
        except ParameterError as exc:
            raise RunNotFoundError(
                f"no run {run_iri} in the store (its graph {graph} is empty); {exc.message}"
            ) from exc
        run_iri, graph = run_graph_iri(found, base_iri)
    if store.count(graph) == 0:
        raise RunNotFoundError(f"no run {run_iri} in the store (its graph {graph} is empty)")
    catalog = f"{base_iri}graph/catalog"
    triples = _triples(store, graph)
    data = _construct(store, _CLOSURE.format(run=graph, shared=f"{base_iri}graph/data"))
    catalogue = _construct(store, _CLOSURE.format(run=graph, shared=catalog))
    roots = {n.value for t in data for n in (t.subject, t.object) if isinstance(n, ox.NamedNode)}
    if roots:
        values = " ".join(f"<{r}>" for r in sorted(roots))
        catalogue += _construct(store, _CATALOGUE_FROM.format(roots=values, catalog=catalog))
    unique = dict.fromkeys([*triples, *data, *catalogue])
    return [ox.Quad(t.subject, t.predicate, t.object) for t in unique]


def _construct(store: Store, query: str) -> list[ox.Triple]:
    result = store.query(query)
    return list(result.triples) if isinstance(result, GraphResult) else []


def dataflow_quads(store: Store, dataflow: str, *, base_iri: str) -> list[ox.Quad]:
    """Every execution of a dataflow (by tag) with the catalogue nodes they reach, in the default
    graph, each triple once."""
    experiment = f"{base_iri}experiment/{quote(dataflow, safe='')}"
    found = store.query(
        f"SELECT DISTINCT ?run WHERE {{ GRAPH ?g {{ ?run <{PROVML.executionOf}> <{experiment}> }} "
        f'FILTER(STRSTARTS(STR(?g), "{base_iri}graph/run/")) }} ORDER BY ?run'
    )
    runs = [row[0].value for row in found.rows]
    if not runs:
        raise RunNotFoundError(f"no execution of dataflow {dataflow!r} ({experiment}) in the store")
    quads: dict[ox.Quad, None] = {}
    for run in runs:
        quads.update(dict.fromkeys(run_quads(store, run, base_iri=base_iri)))
    return list(quads)


def graph_quads(store: Store, graph: str) -> list[ox.Quad]:
    """A graph's triples in the default graph, and its imported bundles as named graphs."""
    quads = [ox.Quad(t.subject, t.predicate, t.object) for t in _triples(store, graph)]
    bundle_prefix = graph + BUNDLE_SEGMENT
    for name in store.graphs():
        if name.startswith(bundle_prefix):
            bundle = ox.NamedNode(unquote(name[len(bundle_prefix) :]))
            quads += [
                ox.Quad(t.subject, t.predicate, t.object, bundle) for t in _triples(store, name)
            ]
    if not quads:
        raise RunNotFoundError(f"no graph {graph} in the store")
    return quads


def all_quads(store: Store) -> list[ox.Quad]:
    """Every quad of the store, each in its named graph."""
    quads = list(ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    if not quads:
        raise RunNotFoundError("the store is empty: nothing to export")
    return quads


def _triples(store: Store, graph: str) -> list[ox.Triple]:
    data = store.dump(ox.RdfFormat.N_TRIPLES, graph)
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
