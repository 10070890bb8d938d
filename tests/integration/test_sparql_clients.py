"""Real SPARQL clients against a real manager: rdflib's ``SPARQLStore`` / ``SPARQLUpdateStore``
(``Dataset`` and ``Graph(store, identifier=...)``) and SPARQLWrapper, over both path layouts
(``/sparql`` + ``/sparql/update`` and ``/query`` + ``/update``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from .conftest import Manager, run_manager

pytestmark = pytest.mark.integration

ADMIN = "client-admin"
EX = "http://example.org/clients/"
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")
P = URIRef(EX + "p")
BEARER = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    folder = tmp_path_factory.mktemp("clients")
    with run_manager(f"oxigraph:{folder / 'kg'}", folder, PROVML_ADMIN_TOKEN=ADMIN) as running:
        yield running


@pytest.fixture
def data(manager: Manager) -> Manager:
    """g1 holds s0..s2, g2 holds s3..s4 (written through rdflib's update store)."""
    store = SPARQLUpdateStore(
        query_endpoint=manager.url + "/query",
        update_endpoint=manager.url + "/update",
        headers=dict(BEARER),
    )
    store.update("DROP ALL")
    for graph, numbers in ((G1, range(3)), (G2, range(3, 5))):
        g = Graph(store, identifier=graph)
        for n in numbers:
            g.add((URIRef(f"{EX}s{n}"), P, Literal(n)))
    return manager


@pytest.mark.parametrize("paths", [("/sparql", "/sparql/update"), ("/query", "/update")])
def test_rdflib_update_store_dataset(data: Manager, paths: tuple[str, str]) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=data.url + paths[0],
        update_endpoint=data.url + paths[1],
        headers=dict(BEARER),
    )
    ds = Dataset(store=store)
    fresh = ds.graph(URIRef(EX + "fresh"))  # CREATE GRAPH of a new graph
    fresh.add((URIRef(EX + "a"), P, Literal("new")))
    assert len(fresh) == 1
    assert {str(c.identifier) for c in ds.graphs()} >= {str(G1), str(G2), EX + "fresh"}
    g1 = Graph(store, identifier=G1)
    g1.remove((URIRef(EX + "s0"), None, None))
    assert sorted(int(o) for o in g1.objects(None, P)) == [1, 2]
    # CREATE GRAPH of a graph that exists is an error in SPARQL 1.1 Update: a 409, nothing changed
    with pytest.raises(HTTPError) as refused:
        ds.graph(G1)
    assert refused.value.code == 409
    store.rollback()  # rdflib keeps a refused update in its transaction until rolled back
    assert len(Graph(store, identifier=G1)) == 2
    ds.remove_graph(fresh)  # DROP GRAPH
    assert len(Graph(store, identifier=URIRef(EX + "fresh"))) == 0


def test_rdflib_read_only_store_graph_and_dataset(data: Manager) -> None:
    store = SPARQLStore(data.url + "/query", returnFormat="json")
    g1 = Graph(store, identifier=G1)  # sent as default-graph-uri
    assert len(g1) == 3
    assert {str(s) for s in g1.subjects(P, None)} == {f"{EX}s{n}" for n in range(3)}
    assert len(Graph(store, identifier=G2)) == 2
    assert {str(name) for name in store.contexts()} == {str(G1), str(G2)}
    ds = Dataset(store=store, default_union=True)  # rdflib's way to query the union
    union = ds.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert [int(row[0]) for row in union] == [5]
    assert len(list(ds.triples((None, P, None)))) == 5
    # without default_union rdflib asks for its own default graph, <urn:x-rdflib:default>
    own = Dataset(store=store).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert [int(row[0]) for row in own] == [0]
    with pytest.raises(TypeError, match="read only"):  # rdflib's own refusal, before any request
        ds.graph(G1)


def test_sparqlwrapper_queries_and_updates(data: Manager) -> None:
    sparql = SPARQLWrapper(data.url + "/sparql", updateEndpoint=data.url + "/sparql/update")
    sparql.setReturnFormat(JSON)
    sparql.setQuery(f"SELECT ?s WHERE {{ ?s <{P}> ?o }} ORDER BY ?s")
    rows = sparql.query().convert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [f"{EX}s{n}" for n in range(5)]
    sparql.addDefaultGraph(str(G2))
    rows = sparql.query().convert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [f"{EX}s3", f"{EX}s4"]
    sparql.setMethod(POST)
    assert len(sparql.query().convert()["results"]["bindings"]) == 2

    construct = SPARQLWrapper(data.url + "/query")
    construct.setQuery(f"CONSTRUCT {{ ?s <{P}> ?o }} WHERE {{ GRAPH <{G1}> {{ ?s <{P}> ?o }} }}")
    construct.setReturnFormat(TURTLE)
    turtle = construct.query().convert()
    assert len(Graph().parse(data=turtle, format="turtle")) == 3

    update = SPARQLWrapper(data.url + "/sparql", updateEndpoint=data.url + "/sparql/update")
    update.setMethod(POST)
    update.addCustomHttpHeader("Authorization", f"Bearer {ADMIN}")
    update.setQuery(f"INSERT DATA {{ GRAPH <{G2}> {{ <{EX}s9> <{P}> 9 }} }}")
    update.query()
    sparql.resetQuery()  # the default graph and the format go too
    sparql.setReturnFormat(JSON)
    sparql.setQuery(f"ASK {{ GRAPH <{G2}> {{ <{EX}s9> <{P}> 9 }} }}")
    assert sparql.query().convert()["boolean"] is True
    update.setQuery("INSERT DATA { GRAPH <http://x> { <http://a> <http://b> } }")
    with pytest.raises(QueryBadFormed, match="query_syntax"):
        update.query()


def test_clients_see_errors_not_emptiness(data: Manager, tmp_path: Path) -> None:
    store = SPARQLStore(data.url + "/query", returnFormat="json", method="POST")
    answer = store.query("SELECT * WHERE { ?s ?p }")  # rdflib returns the HTTP error for POST
    assert answer[0] == 400
    wrapper = SPARQLWrapper(data.url + "/sparql")
    wrapper.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed, match='"field":"query"'):
        wrapper.query()
