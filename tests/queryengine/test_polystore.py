"""The polystore: domain graphs attached from files in every RDF format, registered remote
endpoints, and the cross-graph question over SERVICE against a second real ``oxigraph serve``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from queryengine import (
    DomainGraphError,
    ParameterError,
    ask,
    attach_domain_graph,
    domain_graph_iri,
    domain_graphs,
    example_domain_graph,
    register_endpoint,
)
from services.store import open_store
from tests.queryengine.capture import BASE, CORES, capture_quads, load_capture
from tests.servers import start_oxigraph_server

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def domain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second ``oxigraph serve`` holding only the example domain graph; yields its query endpoint
    URL."""
    with start_oxigraph_server(tmp_path_factory.mktemp("domain-server")) as url:
        with open_store("sparql+" + url) as remote:
            remote.load(
                example_domain_graph().read_bytes(),
                ox.RdfFormat.TURTLE,
                "https://example.org/cores",
            )
        yield url + "/query"


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_attach_from_every_format(tmp_path: Path, extension: str) -> None:
    triples = list(ox.parse(path=str(example_domain_graph())))
    path = tmp_path / f"cores.{extension}"
    path.write_bytes(ox.serialize(triples, format=FORMATS[extension]))
    with open_store("memory:") as store:
        store.add(capture_quads())
        assert attach_domain_graph(store, "cores", path, base_iri=BASE) == len(triples)
        assert store.count(domain_graph_iri(BASE, "cores")) == len(triples)
        rows = ask("domain-entities-of-run", store=store, run="r1", base_iri=BASE)
        assert {(r["property"], r["value"]) for r in rows} >= {(CORES + "porosity", 0.12)}


def test_attach_replaces_and_lists(memory_store) -> None:
    attach_domain_graph(
        memory_store,
        "tiny",
        b"<http://ex.org/a> <http://ex.org/p> 1 .",
        format=ox.RdfFormat.TURTLE,
        base_iri=BASE,
    )
    attach_domain_graph(
        memory_store,
        "tiny",
        b"<http://ex.org/b> <http://ex.org/p> 2 , 3 .",
        format=ox.RdfFormat.TURTLE,
        base_iri=BASE,
    )
    listed = {d["name"]: d for d in domain_graphs(memory_store, base_iri=BASE)}
    assert listed["tiny"]["triples"] == 2 and listed["tiny"]["endpoint"] is None
    assert listed["cores"]["triples"] == 34


def test_attach_errors_name_the_problem(memory_store, tmp_path: Path) -> None:
    with pytest.raises(DomainGraphError, match="name must be"):
        attach_domain_graph(memory_store, "bad name/..", example_domain_graph(), base_iri=BASE)
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://ex.org/a> <http://ex.org/p> .")
    with pytest.raises(DomainGraphError, match="not valid"):
        attach_domain_graph(memory_store, "broken", bad, base_iri=BASE)
    with pytest.raises(DomainGraphError, match="cannot tell the RDF format"):
        attach_domain_graph(memory_store, "x", tmp_path / "data.csv", base_iri=BASE)
    with pytest.raises(DomainGraphError, match="cannot read"):
        attach_domain_graph(memory_store, "x", tmp_path / "missing.ttl", base_iri=BASE)
    with pytest.raises(DomainGraphError, match="http"):
        register_endpoint(memory_store, "x", "file:///etc/passwd", base_iri=BASE)
    assert "broken" not in {d["name"] for d in domain_graphs(memory_store, base_iri=BASE)}


def remote_rows(store, endpoint: str, below: float) -> list[tuple]:
    rows = ask(
        "models-by-domain-property-remote",
        store=store,
        endpoint=endpoint,
        property=CORES + "porosity",
        below=below,
        measure="test_accuracy",
        base_iri=BASE,
    )
    return [
        (r["model"].removeprefix(BASE), r["entity"], r["property_value"], r["value"]) for r in rows
    ]


EXPECTED = [("entity/m1", CORES + "S1", 0.12, 0.83), ("entity/m2", CORES + "S1", 0.12, 0.87)]


def test_service_join_from_the_embedded_store(domain_server: str, tmp_path: Path) -> None:
    with open_store(f"oxigraph:{tmp_path / 'store'}") as store:
        store.add(capture_quads())  # provenance only: the domain graph is remote
        assert remote_rows(store, domain_server, 0.2) == EXPECTED
        assert (
            remote_rows(store, domain_server, 0.3) == EXPECTED
        )  # S2 (0.25) fed r3, which has no model yet
        assert remote_rows(store, domain_server, 0.1) == []
        register_endpoint(store, "cores-remote", domain_server, base_iri=BASE)
        assert remote_rows(store, "cores-remote", 0.2) == EXPECTED
        with pytest.raises(ParameterError, match="no registered endpoint 'elsewhere'"):
            remote_rows(store, "elsewhere", 0.2)


def test_service_join_from_a_sparql_server(domain_server: str, oxigraph_server: str) -> None:
    with open_store("sparql+" + oxigraph_server) as store:
        store.update("DROP ALL")
        store.add(capture_quads())
        assert remote_rows(store, domain_server, 0.2) == EXPECTED


def test_local_and_remote_answers_agree(domain_server: str) -> None:
    with open_store("memory:") as store:
        load_capture(store)
        local = ask(
            "models-by-domain-property",
            store=store,
            property=CORES + "porosity",
            below=0.2,
            measure="test_accuracy",
            base_iri=BASE,
        )
        assert [
            (r["model"].removeprefix(BASE), r["entity"], r["property_value"], r["value"])
            for r in local
        ] == (remote_rows(store, domain_server, 0.2))
