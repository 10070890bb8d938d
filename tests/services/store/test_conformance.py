"""One suite for every backend: each test runs against oxigraph:PATH, memory: and sparql+http://."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from services.store import (
    GRAPH_MEDIA_TYPES,
    SOLUTIONS_MEDIA_TYPES,
    AskResult,
    GraphResult,
    SelectResult,
    Store,
    StoreError,
    UpdateConflictError,
    serialize_result,
)

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G1, G2 = ox.NamedNode(EX + "graph/1"), ox.NamedNode(EX + "graph/2")
P = ox.NamedNode(EX + "p")


def iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


# Literals whose escaping or datatype a careless writer would get wrong.
LITERALS = [
    typed("42", "integer"),
    typed("-0.5", "decimal"),
    typed("1.5", "double"),
    typed("true", "boolean"),
    typed("2024-05-01T12:30:00Z", "dateTime"),
    ox.Literal("apprentissage profond", language="fr"),
    ox.Literal("機械学習 ∑ 🧪 ü"),
    ox.Literal('quote " backslash \\ newline \n tab \t cr \r end'),
    ox.Literal("looks like an escape: \\u0022 and \\n"),
    ox.Literal("} . GRAPH <x> { ; DROP ALL"),
]


def sample_quads() -> list[ox.Quad]:
    return [ox.Quad(iri(f"s{i}"), P, literal, G1) for i, literal in enumerate(LITERALS)]


def select(store: Store, sparql: str) -> SelectResult:
    result = store.query(sparql)
    assert isinstance(result, SelectResult)
    return result


def test_add_then_query_keeps_datatypes_languages_and_unicode(store: Store) -> None:
    store.add(sample_quads())
    result = select(store, f"SELECT ?s ?o WHERE {{ ?s <{P.value}> ?o }} ORDER BY ?s")
    assert result.variables == ["s", "o"]
    assert {row[0]: row[1] for row in result.rows} == {
        iri(f"s{i}"): literal for i, literal in enumerate(LITERALS)
    }
    assert store.count() == len(LITERALS)
    assert store.count(G1.value) == len(LITERALS)


def test_query_filters_on_typed_values(store: Store) -> None:
    store.add(sample_quads())
    result = select(store, "SELECT ?o WHERE { ?s ?p ?o FILTER(isNumeric(?o) && ?o > 1) }")
    assert {row[0] for row in result.rows} == {typed("1.5", "double"), typed("42", "integer")}


@pytest.mark.parametrize(
    "bad",
    [
        ox.Quad(ox.BlankNode("b0"), P, ox.Literal("x"), G1),
        ox.Quad(iri("s"), P, ox.BlankNode("b1"), G1),
        ox.Quad(iri("s"), P, ox.Literal("x"), ox.DefaultGraph()),
        ox.Quad(iri("s"), P, ox.Literal("x"), ox.BlankNode("g")),
        ox.Triple(iri("s"), P, ox.Literal("x")),
        None,
    ],
    ids=["blank-subject", "blank-object", "default-graph", "blank-graph", "triple", "none"],
)
def test_batch_with_an_invalid_quad_writes_nothing(store: Store, bad: object) -> None:
    store.add(sample_quads()[:2])
    before = store.dump(ox.RdfFormat.N_QUADS)
    batch = [
        ox.Quad(iri("new1"), P, ox.Literal("a"), G1),
        ox.Quad(iri("new2"), P, ox.Literal("b"), G2),
        bad,
        ox.Quad(iri("new3"), P, ox.Literal("c"), G2),
    ]
    with pytest.raises(ValueError, match="quad #2") as caught:
        store.add(batch)  # type: ignore[arg-type]
    assert isinstance(caught.value, StoreError)
    assert store.count() == 2
    assert store.graphs() == [G1.value]
    assert store.dump(ox.RdfFormat.N_QUADS) == before


def test_adding_the_same_quads_twice_adds_nothing(store: Store) -> None:
    store.add(sample_quads())
    store.add(sample_quads())
    store.add(sample_quads()[:3])
    assert store.count() == len(LITERALS)


def test_empty_batch_is_a_no_op(store: Store) -> None:
    store.add([])
    assert store.count() == 0


def test_default_graph_is_the_union_of_named_graphs(store: Store) -> None:
    run, model = iri("run"), iri("model")
    store.add(
        [
            ox.Quad(run, iri("generated"), model, G1),
            ox.Quad(model, iri("accuracy"), typed("0.93", "decimal"), G2),
            ox.Quad(run, iri("label"), ox.Literal("run"), G2),
        ]
    )
    rows = select(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }").rows
    assert len(rows) == 3  # one solution per triple: no duplicates from the union
    joined = select(
        store,
        f"SELECT ?acc WHERE {{ <{run.value}> <{EX}generated> ?m . ?m <{EX}accuracy> ?acc }}",
    )
    assert joined.rows == [(typed("0.93", "decimal"),)]
    in_g2 = select(store, f"SELECT ?s WHERE {{ GRAPH <{G2.value}> {{ ?s ?p ?o }} }} ORDER BY ?s")
    assert in_g2.rows == [(model,), (run,)]


def test_graphs_lists_non_empty_graphs_sorted(store: Store) -> None:
    assert store.graphs() == []
    store.add([ox.Quad(iri("a"), P, ox.Literal("x"), G2), ox.Quad(iri("a"), P, iri("b"), G1)])
    assert store.graphs() == [G1.value, G2.value]
    assert store.count(G2.value) == 1


def test_remove_graph_deletes_only_that_graph(store: Store) -> None:
    store.add([*sample_quads(), ox.Quad(iri("a"), P, ox.Literal("kept"), G2)])
    store.remove_graph(G1.value)
    assert store.graphs() == [G2.value]
    assert store.count(G1.value) == 0
    assert store.count() == 1
    store.remove_graph(G1.value)  # absent: not an error
    store.remove_graph(EX + "never-existed")
    assert store.count() == 1


DOMAIN_TURTLE = f"""
@prefix ex: <{EX}> .
@prefix xsd: <{XSD}> .
ex:resnet ex:name "ResNet-50"@en ; ex:layers 50 ; ex:family ex:cnn .
ex:cnn ex:name "réseau convolutif"@fr ; ex:score "0.5"^^xsd:double .
""".encode()


def triple_set(data: bytes, format: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, format=format)}


@pytest.mark.parametrize(
    "format",
    [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML],
    ids=lambda f: f.name,
)
def test_load_then_dump_round_trips(store: Store, format: ox.RdfFormat) -> None:
    expected = triple_set(DOMAIN_TURTLE, ox.RdfFormat.TURTLE)
    data = ox.serialize(expected, format=format)
    graph = EX + "domain"
    assert store.load(data, format, graph) == 5
    assert store.graphs() == [graph]
    assert store.count(graph) == 5
    assert triple_set(store.dump(format, graph), format) == expected
    assert select(store, f"SELECT ?n WHERE {{ <{EX}resnet> <{EX}layers> ?n }}").rows[0][0] == typed(
        "50", "integer"
    )


def test_load_replaces_the_graph_and_leaves_others(store: Store) -> None:
    graph = EX + "domain"
    store.add([ox.Quad(iri("x"), P, ox.Literal("other graph"), G1)])
    store.load(DOMAIN_TURTLE, ox.RdfFormat.TURTLE, graph)
    newer = f'<{EX}resnet> <{EX}layers> "101"^^<{XSD}integer> .'.encode()
    assert store.load(newer, ox.RdfFormat.N_TRIPLES, graph) == 1
    assert store.count(graph) == 1
    assert store.count(G1.value) == 1
    assert triple_set(store.dump(ox.RdfFormat.N_TRIPLES, graph), ox.RdfFormat.N_TRIPLES) == (
        triple_set(newer, ox.RdfFormat.N_TRIPLES)
    )


def test_load_of_bad_data_leaves_the_graph_as_it_was(store: Store) -> None:
    graph = EX + "domain"
    store.load(DOMAIN_TURTLE, ox.RdfFormat.TURTLE, graph)
    before = store.dump(ox.RdfFormat.N_TRIPLES, graph)
    with pytest.raises(ValueError, match="Turtle") as caught:
        store.load(b"<http://example.org/a> <http://example.org/b> .", ox.RdfFormat.TURTLE, graph)
    assert isinstance(caught.value, StoreError)
    with pytest.raises(ValueError, match="RdfFormat"):  # a format name instead of an RdfFormat
        store.load(DOMAIN_TURTLE, "turtle", graph)  # type: ignore[arg-type]
    assert store.dump(ox.RdfFormat.N_TRIPLES, graph) == before


def test_dump_of_every_graph_gives_all_quads(store: Store) -> None:
    quads = [*sample_quads(), ox.Quad(iri("a"), P, iri("b"), G2)]
    store.add(quads)
    for format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        assert set(ox.parse(store.dump(format), format=format)) == set(quads)
    with pytest.raises(ValueError, match="quad format"):
        store.dump(ox.RdfFormat.TURTLE)


def test_dump_of_an_absent_graph_is_empty(store: Store) -> None:
    assert list(ox.parse(store.dump(ox.RdfFormat.TURTLE, EX + "absent"), ox.RdfFormat.TURTLE)) == []


@pytest.mark.parametrize("sparql", ["SELEC ?s WHERE { ?s ?p ?o }", "SELECT ?s WHERE { ?s ?p }"])
def test_invalid_query_raises_syntax_error(store: Store, sparql: str) -> None:
    with pytest.raises(SyntaxError) as caught:
        store.query(sparql)
    assert isinstance(caught.value, StoreError)
    assert str(caught.value)


def test_invalid_update_raises_syntax_error_and_changes_nothing(store: Store) -> None:
    store.add(sample_quads()[:1])
    with pytest.raises(SyntaxError):
        store.update(f"DROP GRAPH <{G1.value}> ; INSERT DATA {{ GRAPH <{G1.value}> {{ <a> }} }}")
    assert store.count() == 1


def test_update_is_applied(store: Store) -> None:
    store.update(f"INSERT DATA {{ GRAPH <{G2.value}> {{ <{EX}a> <{EX}b> 7 }} }}")
    assert store.graphs() == [G2.value]
    store.update(f"DELETE WHERE {{ GRAPH <{G2.value}> {{ ?s ?p 7 }} }}")
    assert store.count() == 0


def _engine(store: Store) -> str | None:
    return getattr(store, "engine_name", None)


# What Virtuoso 7 does instead (docs/stores.md, "Virtuoso"): CLEAR and MOVE of a graph it does not
# hold succeed and change nothing; an update of several operations keeps the ones before the one
# that fails.
VIRTUOSO_UPDATES = {
    f"CLEAR GRAPH <{G2.value}>": "accepted",
    f"MOVE <{G2.value}> TO <{EX}x>": "accepted",
    f"INSERT DATA {{ GRAPH <{G2.value}> {{ <{EX}a> <{EX}b> 1 }} }} ; CREATE GRAPH <{G1.value}>": (
        "partial"
    ),
}


@pytest.mark.parametrize(
    "update",
    [
        f"CREATE GRAPH <{G1.value}>",
        f"DROP GRAPH <{G2.value}>",
        f"CLEAR GRAPH <{G2.value}>",
        f"MOVE <{G2.value}> TO <{EX}x>",
        f"INSERT DATA {{ GRAPH <{G2.value}> {{ <{EX}a> <{EX}b> 1 }} }} ; CREATE GRAPH <{G1.value}>",
    ],
)
def test_update_the_store_cannot_apply_is_a_conflict_and_changes_nothing(
    store: Store, update: str
) -> None:
    store.add(sample_quads())
    deviation = VIRTUOSO_UPDATES.get(update) if _engine(store) == "virtuoso" else None
    if deviation == "accepted":
        store.update(update)
    else:
        with pytest.raises(UpdateConflictError, match="graph") as caught:
            store.update(update)
        assert isinstance(caught.value, ValueError)
    if deviation == "partial":
        assert store.graphs() == [G1.value, G2.value] and store.count() == len(LITERALS) + 1
        store.update(f"DROP SILENT GRAPH <{G2.value}>")
    assert store.graphs() == [G1.value] and store.count() == len(LITERALS)
    store.update(f"CREATE SILENT GRAPH <{G1.value}> ; DROP SILENT GRAPH <{G2.value}>")
    assert store.count() == len(LITERALS)


def test_relative_iris_resolve_against_the_base_iri(store: Store) -> None:
    store.update("INSERT DATA { GRAPH <g> { <s> <p> <o> } }", base_iri=EX)
    assert store.graphs() == [EX + "g"]
    result = store.query("SELECT ?o WHERE { <s> <p> ?o }", base_iri=EX)
    assert result == SelectResult(["o"], [(iri("o"),)])
    construct = store.query("CONSTRUCT { <a> <b> 1 } WHERE {}", base_iri=EX + "sub/")
    assert construct.triples == [ox.Triple(iri("sub/a"), iri("sub/b"), typed("1", "integer"))]


def test_a_protocol_dataset_replaces_the_union(store: Store) -> None:
    store.add(
        [ox.Quad(iri("s1"), P, ox.Literal("1"), G1), ox.Quad(iri("s2"), P, ox.Literal("2"), G2)]
    )
    everything = (
        "SELECT ?s ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } ORDER BY ?s ?g"
    )
    assert len(select(store, everything).rows) == 4
    only_g1 = store.query(everything, default_graphs=[G1.value])
    assert only_g1.rows == [(iri("s1"), None)]  # no named graph given: none
    named_g2 = store.query(everything, named_graphs=[G2.value])
    assert named_g2.rows == [(iri("s2"), G2)]  # no default graph given: an empty one
    both = store.query(everything, default_graphs=[G1.value, G2.value], named_graphs=[G1.value])
    assert both.rows == [(iri("s1"), None), (iri("s1"), G1), (iri("s2"), None)]


def cross_product_store(store: Store) -> None:
    store.add([ox.Quad(iri(f"s{i}"), P, ox.Literal(str(i)), G1) for i in range(60)])


def test_query_past_its_timeout_raises_timeout_error(store: Store) -> None:
    cross_product_store(store)  # 60 ** 4 = 13 million solutions
    with pytest.raises(TimeoutError) as caught:
        store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", timeout=0.2)
    assert isinstance(caught.value, StoreError)
    assert store.ready()
    assert store.count() == 60  # the store still answers


def test_query_within_its_timeout_answers(store: Store) -> None:
    cross_product_store(store)
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=30)
    assert result == SelectResult(["n"], [(typed("3600", "integer"),)])


def test_ask_and_construct(store: Store) -> None:
    store.add(sample_quads())
    assert store.query(f"ASK {{ <{EX}s0> ?p 42 }}") == AskResult(True)
    assert store.query(f"ASK {{ <{EX}s0> ?p 43 }}") == AskResult(False)
    result = store.query(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{P.value}> ?o }}")
    assert isinstance(result, GraphResult)
    assert set(result.triples) == {
        ox.Triple(iri(f"s{i}"), iri("q"), literal) for i, literal in enumerate(LITERALS)
    }


SELECT_ALL = f"""
SELECT ?s ?o ?missing WHERE {{ ?s <{P.value}> ?o OPTIONAL {{ ?s <{EX}none> ?missing }} }}
ORDER BY ?s
"""


def csv_value(term: ox.NamedNode | ox.Literal | None) -> str:
    return "" if term is None else term.value


@pytest.mark.parametrize("media_type", SOLUTIONS_MEDIA_TYPES)
def test_select_result_serialises_in_every_media_type(store: Store, media_type: str) -> None:
    store.add(sample_quads())
    result = select(store, SELECT_ALL)
    assert len(result.rows) == len(LITERALS)
    data = serialize_result(result, media_type + "; charset=utf-8")
    if media_type == "text/csv":  # CSV keeps values only (and pyoxigraph does not read CSV)
        rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
        assert rows[0] == result.variables
        assert rows[1:] == [[csv_value(term) for term in row] for row in result.rows]
        return
    parsed = ox.parse_query_results(data, ox.QueryResultsFormat.from_media_type(media_type))
    assert [v.value for v in parsed.variables] == result.variables
    assert [tuple(solution[i] for i in range(3)) for solution in parsed] == result.rows


@pytest.mark.parametrize("media_type", SOLUTIONS_MEDIA_TYPES)
def test_ask_result_serialises_in_every_media_type(store: Store, media_type: str) -> None:
    result = store.query("ASK { ?s ?p ?o }")
    data = serialize_result(result, media_type)
    if media_type in ("text/csv", "text/tab-separated-values"):
        assert data.strip() == b"false"
    else:
        answer = ox.parse_query_results(data, ox.QueryResultsFormat.from_media_type(media_type))
        assert bool(answer) is False


@pytest.mark.parametrize("media_type", GRAPH_MEDIA_TYPES)
def test_graph_result_serialises_in_every_media_type(store: Store, media_type: str) -> None:
    store.add(sample_quads())
    result = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, GraphResult)
    data = serialize_result(result, media_type)
    format = ox.RdfFormat.from_media_type(media_type)
    assert triple_set(data, format) == set(result.triples)
    assert len(result.triples) == len(LITERALS)


def test_serialising_in_an_unsuitable_media_type_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="text/turtle"):
        serialize_result(store.query("SELECT * WHERE { ?s ?p ?o }"), "text/turtle")
    with pytest.raises(ValueError, match="application/sparql-results\\+json"):
        serialize_result(
            store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "application/sparql-results+json"
        )


def test_close_is_idempotent_and_final(store: Store) -> None:
    assert store.ready() is True
    store.close()
    store.close()
    assert store.ready() is False
    with pytest.raises(StoreError, match="closed"):
        store.query("ASK {}")
    with pytest.raises(StoreError, match="closed"):
        store.add(sample_quads())


@pytest.mark.parametrize("graph", ["not an iri", "http://example.org/a b", "http://x/>} DROP ALL"])
def test_invalid_graph_iri_is_refused_everywhere(store: Store, graph: str) -> None:
    store.add(sample_quads()[:1])
    for call in (
        lambda: store.load(DOMAIN_TURTLE, ox.RdfFormat.TURTLE, graph),
        lambda: store.dump(ox.RdfFormat.TURTLE, graph),
        lambda: store.remove_graph(graph),
        lambda: store.count(graph),
    ):
        with pytest.raises(ValueError, match="invalid graph IRI") as caught:
            call()
        assert isinstance(caught.value, StoreError)
    assert store.count() == 1


def test_only_a_store_that_sees_every_write_has_a_generation(store: Store) -> None:
    quad = ox.Quad(iri("a"), P, ox.Literal("1"), iri("g"))
    if store.uri.startswith(("oxigraph:", "memory:")):  # embedded: every write is this object's
        instance, before = store.generation
        store.add([quad])
        assert store.generation == (instance, before + 1)
    else:  # a server: others may write to it unseen
        assert store.generation is None
        store.add([quad])
        assert store.generation is None
