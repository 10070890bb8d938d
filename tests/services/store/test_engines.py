"""Engine profiles of the remote store: what is sent and read for each engine (mock transport), and
Virtuoso's quirks against the session's real Virtuoso (row limit, digest auth, exact doubles)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from services.store import (
    GraphResult,
    QueryRefusedError,
    ResultTruncatedError,
    SelectResult,
    open_store,
)
from services.store._sparql import SparqlStore

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DOUBLE = ox.NamedNode(XSD + "double")
VIRTUOSO = "sparql+http://h:8890/sparql?engine=virtuoso"


def replying(uri: str, reply: httpx.Response) -> tuple[SparqlStore, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return reply

    return SparqlStore(uri, client=httpx.Client(transport=httpx.MockTransport(handle))), seen


def results(bindings: list[dict], variables: list[str]) -> httpx.Response:
    body = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return httpx.Response(
        200, content=json.dumps(body), headers={"content-type": "application/sparql-results+json"}
    )


def test_virtuoso_endpoints_are_its_sparql_url() -> None:
    store = SparqlStore(VIRTUOSO)
    assert set(store.endpoints.values()) == {"http://h:8890/sparql"}
    assert store.engine_name == "virtuoso" and store.max_rows == 10000
    assert store.substitute_parameters and store.prefetch_subselects
    store.close()
    store = SparqlStore("sparql+http://h:7878")
    assert not store.substitute_parameters and not store.prefetch_subselects
    store.close()


@pytest.mark.parametrize(
    "uri",
    ["sparql+http://h/?engine=blazegraph", "sparql+http://h/?auth=digest", VIRTUOSO + "&auth=x"],
)
def test_bad_engine_or_auth_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match=r"engine|auth"):
        SparqlStore(uri)


def test_digest_auth_is_a_uri_option() -> None:
    store = SparqlStore("sparql+http://dba:pw@h:8890/sparql-auth?engine=virtuoso&auth=digest")
    assert isinstance(store._http().auth, httpx.DigestAuth)
    assert store.uri == "sparql+http://dba:***@h:8890/sparql-auth?engine=virtuoso&auth=digest"
    store.close()


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * {}", "application/sparql-results+json"),
        ("PREFIX a: <http://a/#> # x\n ask {}", "application/sparql-results+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples, text/turtle;q=0.9"),
        ("DESCRIBE <http://a/>", "application/n-triples, text/turtle;q=0.9"),
    ],
)
def test_accept_follows_the_query_form(query: str, accept: str) -> None:
    store, seen = replying("sparql+http://h", results([], []))
    with contextlib.suppress(OSError):  # the canned answer does not suit a graph query
        store.query(query)
    assert seen[0].headers["accept"] == accept


def test_a_construct_answered_with_a_results_table_is_an_error() -> None:
    store, _ = replying(VIRTUOSO, results([], ["s", "p", "o"]))
    with pytest.raises(OSError, match="CONSTRUCT query with application/sparql-results"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }")


def test_virtuoso_blank_nodes_and_booleans_are_read() -> None:
    bindings = [
        {
            "b": {"type": "bnode", "value": "nodeID://b10007"},
            "t": {"type": "typed-literal", "datatype": XSD + "boolean", "value": "1"},
        }
    ]
    store, _ = replying(VIRTUOSO, results(bindings, ["b", "t"]))
    result = store.query("SELECT ?b ?t {}")
    assert result == SelectResult(["b", "t"], [(ox.BlankNode("b10007"), ox.Literal(True))])


def test_an_answer_at_the_row_limit_is_an_error_not_a_partial_answer() -> None:
    rows = [{"s": {"type": "uri", "value": f"{EX}{i}"}} for i in range(3)]
    store, _ = replying(VIRTUOSO + "&maxrows=3", results(rows, ["s"]))
    with pytest.raises(ResultTruncatedError, match="row limit"):
        store.query("SELECT ?s { ?s ?p ?o }")


def test_the_planners_refusal_is_named() -> None:
    message = (
        "Virtuoso 42000 Error SR171: Transaction timed out\nVirtuoso 42000 Error The estimated "
        "execution time 1817603227 (sec) exceeds the limit of 400 (sec)."
    )
    store, _ = replying(VIRTUOSO, httpx.Response(500, text=message))
    with pytest.raises(QueryRefusedError, match="estimated execution time"):
        store.query("SELECT * { ?a ?b ?c . ?d ?e ?f }")
    generic, _ = replying("sparql+http://h", httpx.Response(500, text=message))
    with pytest.raises(OSError):  # another engine: a server error like any other
        generic.query("SELECT * { ?a ?b ?c . ?d ?e ?f }")


def test_drop_all_drops_each_graph_on_virtuoso() -> None:
    graphs = [{"g": {"type": "uri", "value": f"{EX}g{i}"}, "n": {"type": "literal", "value": "1"}}
              for i in range(2)]  # fmt: skip
    store, seen = replying(VIRTUOSO, results(graphs, ["g", "n"]))
    store.update("CLEAR ALL")
    assert (
        seen[-1].content.decode() == f"CLEAR SILENT GRAPH <{EX}g0> ;\nCLEAR SILENT GRAPH <{EX}g1>"
    )


@pytest.fixture
def virtuoso(virtuoso_server: str) -> Iterator[SparqlStore]:
    with open_store(virtuoso_server) as store:
        assert isinstance(store, SparqlStore)
        store.update("DROP ALL")
        yield store


def test_doubles_come_back_as_the_embedded_store_gives_them(virtuoso: SparqlStore) -> None:
    values = ["0.30000000000000004", "1.2345678901234567", "1e-7", "1.0", "NaN", "-INF", "2.5e300"]
    p, g = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "g")
    quads = [
        ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal(v, datatype=DOUBLE), g)
        for i, v in enumerate(values)
    ]
    virtuoso.add(quads)
    virtuoso.add(quads)  # a NaN written twice is one NaN
    assert virtuoso.count() == len(values)
    with open_store("memory:") as embedded:
        embedded.add(quads)
        for query in (
            f"SELECT ?s ?o {{ ?s <{p.value}> ?o }} ORDER BY ?s",
            f"CONSTRUCT WHERE {{ ?s <{p.value}> ?o }}",
        ):
            ours, theirs = virtuoso.query(query), embedded.query(query)
            if isinstance(ours, GraphResult):
                assert set(ours.triples) == set(theirs.triples)  # type: ignore[union-attr]
            else:
                assert ours == theirs
        assert set(ox.parse(virtuoso.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)) == (
            set(ox.parse(embedded.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
        )
    answer = virtuoso.query(f"SELECT ?o {{ ?s <{p.value}> ?o }}")
    texts = [row[0].value for row in answer.rows]  # type: ignore[union-attr]
    big = "25" + "0" * 299
    expected = ["0.30000000000000004", "1.2345678901234567", "0.0000001", "1", "NaN", "-INF", big]
    assert sorted(texts) == sorted(expected)


def test_virtuoso_cuts_at_its_row_limit_and_the_store_says_so(virtuoso: SparqlStore) -> None:
    g = ox.NamedNode(EX + "big")
    p = ox.NamedNode(EX + "p")
    for start in range(0, 10500, 3500):
        batch = range(start, start + 3500)
        virtuoso.add([ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal(i), g) for i in batch])
    assert virtuoso.count() == 10500
    with pytest.raises(ResultTruncatedError):
        virtuoso.query("SELECT ?s ?o { ?s ?p ?o }")
    dumped = list(ox.parse(virtuoso.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    assert len(dumped) == 10500  # the dump pages below the limit


def test_digest_auth_reaches_virtuosos_authenticated_endpoint(virtuoso_server: str) -> None:
    base = virtuoso_server.split("?")[0].replace("sparql+http://", "sparql+http://dba:dba@")
    with open_store(base + "-auth?engine=virtuoso&auth=digest") as store:
        store.update(f"INSERT DATA {{ GRAPH <{EX}auth> {{ <{EX}a> <{EX}b> 1 }} }}")
        assert store.count(EX + "auth") == 1
        store.remove_graph(EX + "auth")
    with open_store(base + "-auth?engine=virtuoso") as basic, pytest.raises(OSError, match="401"):
        basic.count()


def test_load_with_blank_nodes_and_a_nan_on_virtuoso(virtuoso: SparqlStore) -> None:
    turtle = (
        b"@prefix ex: <http://example.org/> .\n"
        b'ex:a ex:p [ ex:q 1 ; ex:r "x" ] ; ex:v "NaN"^^<http://www.w3.org/2001/XMLSchema#double> .'
    )
    graph = EX + "loaded"
    assert virtuoso.load(turtle, ox.RdfFormat.TURTLE, graph) == 4
    assert virtuoso.load(turtle, ox.RdfFormat.TURTLE, graph) == 4  # replaces, adds nothing
    assert virtuoso.count(graph) == 4
    rows = virtuoso.query(f"SELECT ?o {{ <{EX}a> <{EX}p> ?b . ?b <{EX}q> ?o }}").rows
    assert rows == [(ox.Literal(1),)]
    (nan,) = virtuoso.query(f"SELECT ?v {{ <{EX}a> <{EX}v> ?v }}").rows
    assert nan == (ox.Literal("NaN", datatype=DOUBLE),)


def test_scope_keeps_provml_to_its_graphs() -> None:
    graphs = [
        {"g": {"type": "uri", "value": g}, "n": {"type": "literal", "value": "2"}}
        for g in (f"{EX}provml/run/1", f"{EX}other/x", "http://www.w3.org/ns/ldp#")
    ]
    store, seen = replying(VIRTUOSO + f"&scope={EX}provml/", results(graphs, ["g", "n"]))
    assert store.graphs() == [f"{EX}provml/run/1"] and store.count() == 2
    store.update("DROP ALL")
    assert seen[-1].content.decode() == f"DROP SILENT GRAPH <{EX}provml/run/1>"
    unscoped, _ = replying(VIRTUOSO, results(graphs, ["g", "n"]))
    assert unscoped.graphs() == [f"{EX}other/x", f"{EX}provml/run/1"]  # not Virtuoso's own
