"""Export of a PROV-ML run (``data/run.trig``), of graphs and of the whole store, in all formats."""

from __future__ import annotations

import datetime
import shutil
import xml.etree.ElementTree as ET

import prov.model as pm
import pyoxigraph as ox
import pytest

from provlake.vocab import MLS, PROV, PROVML, RDF, XSD
from services.provdoc import (
    GraphvizNotFoundError,
    RunNotFoundError,
    UnsupportedFormatError,
    export_all,
    export_graph,
    export_run,
    import_document,
    select_quads,
)
from services.store import Store, open_store
from tests.services.provdoc.conftest import BASE, DATA

PROV_FORMATS = ["provn", "provjson", "provxml", "provjsonld"]
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def iri(path: str) -> str:
    return f"<{BASE}{path}>"


def stored(triples: list[ox.Triple] | list[ox.Quad]) -> set[str]:
    """Triples as N-Triples lines, after a trip through an Oxigraph store (which keeps literals by
    value: ``"1.0E-2"^^xsd:double`` and ``"0.01"^^xsd:double`` are one literal)."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {str(q.triple) for q in store}


def run_selection(store: Store) -> set[str]:
    return stored(select_quads(store, "trig", run="r1", base_iri=BASE))


R1_NODES = {
    # the run graph
    "run/r1", "environment/r1", "execution/t1", "execution/e0", "entity/ds1", "entity/m1",
    "evaluation/ev1", "hyperparameter-value/lr1", "hyperparameter-value/lr2",
    "attribute-value/t1/in/shuffle",
    # the catalogue nodes it reaches
    "study/digits", "experiment/digits-mlp", "experiment/digits-mlp/stage/train",
    "experiment/digits-mlp/stage/train/section/epoch", "persona/alice", "software/provlake/0.1.0",
    "measure/accuracy", "hyperparameter/learning_rate", "attribute/shuffle",
}  # fmt: skip

# The PROV-ML statements every export of r1 must carry (as N-Triples).
FACTS = [
    f"{iri('execution/t1')} <{PROV.used}> {iri('entity/ds1')}",
    f"{iri('entity/m1')} <{PROV.wasGeneratedBy}> {iri('execution/t1')}",
    f"{iri('entity/m1')} <{PROV.wasDerivedFrom}> {iri('entity/ds1')}",
    f"{iri('run/r1')} <{PROV.wasAssociatedWith}> {iri('persona/alice')}",
    f'{iri("evaluation/ev1")} <{MLS.hasValue}> "0.9725"^^<{XSD.double}>',
    f'{iri("evaluation/ev1")} <{PROVML.epoch}> "0"^^<{XSD.integer}>',
    f"{iri('evaluation/ev1')} <{MLS.specifiedBy}> {iri('measure/accuracy')}",
    f'{iri("hyperparameter-value/lr2")} <{MLS.hasValue}> "0.005"^^<{XSD.double}>',
    f"{iri('hyperparameter-value/lr2')} <{PROV.wasRevisionOf}> {iri('hyperparameter-value/lr1')}",
    f'{iri("attribute-value/t1/in/shuffle")} <{MLS.hasValue}> "true"^^<{XSD.boolean}>',
    f"{iri('execution/e0')} <{PROVML.isPartOf}> {iri('execution/t1')}",
    f"{iri('execution/t1')} <{RDF.type}> <{PROVML.TrainingExecution}>",
    f"{iri('execution/t1')} <{RDF.type}> <{PROV.Activity}>",
    f'{iri("software/provlake/0.1.0")} <{PROVML.version}> "0.1.0"',
]


def test_a_run_holds_its_graph_and_the_catalogue_nodes_it_reaches(store: Store) -> None:
    quads = select_quads(store, "trig", run="r1", base_iri=BASE)
    subjects = {q.subject.value.removeprefix(BASE) for q in quads}
    assert subjects == R1_NODES
    assert {q.graph_name for q in quads} == {ox.DefaultGraph()}
    by_iri = select_quads(store, "trig", run=f"{BASE}run/r1", base_iri=BASE)
    assert set(map(str, by_iri)) == set(map(str, quads))
    assert set(FACTS) <= stored(quads)


@pytest.mark.parametrize("fmt", PROV_FORMATS)
def test_prov_formats_carry_every_statement_of_the_run(store: Store, fmt: str) -> None:
    data = export_run(store, "r1", fmt, base_iri=BASE)
    back = stored(import_document(data, fmt, base_iri=BASE, name="back"))
    # prov names plans and people by their PROV-DM element type: prov:Entity and prov:Agent are
    # added (PROV-O entails them from prov:Plan, prov:Person, prov:SoftwareAgent)
    entailed = {
        f"{iri(node)} <{RDF.type}> <{PROV.Entity}>"
        for node in R1_NODES
        if node.startswith(("study/", "experiment/", "measure/", "hyperparameter/", "attribute/"))
    } | {
        f"{iri(n)} <{RDF.type}> <{PROV.Agent}>"
        for n in ("persona/alice", "software/provlake/0.1.0")
    }
    assert back == run_selection(store) | entailed
    assert set(FACTS) <= back


def test_prov_ml_values_are_prov_attributes(store: Store) -> None:
    document = pm.ProvDocument.deserialize(
        content=export_run(store, "r1", "provjson", base_iri=BASE), format="json"
    )
    records = {str(r.identifier.uri).removeprefix(BASE): r for r in document.get_records()
               if r.identifier is not None}  # fmt: skip
    evaluation = dict((str(k.uri), v) for k, v in records["evaluation/ev1"].attributes)
    assert evaluation[MLS.hasValue] == 0.9725
    # xsd:integer stays a typed literal in prov's model (a Python int would become xsd:int)
    epoch, step = evaluation[PROVML.epoch], evaluation[PROVML.step]
    assert (epoch.value, str(epoch.datatype.uri)) == ("0", XSD.integer)
    assert (step.value, str(step.datatype.uri)) == ("10", XSD.integer)
    assert str(evaluation[MLS.specifiedBy].uri) == f"{BASE}measure/accuracy"
    run = records["run/r1"]
    assert isinstance(run, pm.ProvActivity)
    assert run.get_startTime() == datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)
    assert isinstance(records["persona/alice"], pm.ProvAgent)
    assert isinstance(records["measure/accuracy"], pm.ProvEntity)


def test_provn_names_nodes_by_their_kind(store: Store) -> None:
    text = export_run(store, "r1", "provn", base_iri=BASE).decode()
    assert f"prefix run <{BASE}run/>" in text
    assert "used(execution:t1, entity:ds1, -)" in text
    assert "wasGeneratedBy(entity:m1, execution:t1, -)" in text
    assert 'mls:hasValue="0.9725" %% xsd:double' in text
    assert "prefix brick" not in text  # no stray rdflib prefixes


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_rdf_formats_hold_exactly_the_run(store: Store, fmt: str) -> None:
    data = export_run(store, "r1", fmt, base_iri=BASE)
    back = list(ox.parse(data, format=RDF_FORMATS[fmt]))
    assert {q.graph_name for q in back} == {ox.DefaultGraph()}
    assert stored(back) == run_selection(store)


def test_pictures(store: Store) -> None:
    dot = export_run(store, "r1", "dot", base_iri=BASE).decode()
    assert dot.startswith("digraph") and f'tooltip="{BASE}execution/t1"' in dot
    if shutil.which("dot") is None:
        # graphviz is a system package (apt-get install graphviz): without it, the clear error
        with pytest.raises(GraphvizNotFoundError, match="install graphviz"):
            export_run(store, "r1", "svg", base_iri=BASE)
        return
    svg = export_run(store, "r1", "svg", base_iri=BASE)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    # every node by its name: the stage, the section, the metric with its value, the settings
    # (the adapted one with its epoch), the run by its experiment and start, the agents
    assert texts == {
        "train",
        "epoch 0",
        "accuracy = 0.9725 (epoch 0)",
        "learning_rate = 0.01",
        "learning_rate = 0.005 (epoch 1)",
        "shuffle = True",
        "Dataset ds1",
        "Model m1",
        "digits-mlp 2026-11-22 10:00:00",
        "alice",
        "provlake 0.1.0",
        "digits",
        *("wasDerivedFrom", "wasGeneratedBy", "evaluatedModel", "evaluatedOn", "isPartOf"),
        *("used", "wasRevisionOf", "wasAssociatedWith"),
    }
    png = export_run(store, "r1", "png", base_iri=BASE)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_picture_without_graphviz_gives_the_dot_source(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program on this PATH
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz") as info:
        export_run(store, "r1", "png", base_iri=BASE)
    assert info.value.dot_source.startswith(b"digraph")
    assert b'[label="train", shape=box' in info.value.dot_source


def test_the_whole_store_keeps_one_bundle_per_graph(store: Store) -> None:
    document = pm.ProvDocument.deserialize(
        content=export_all(store, "provjson", base_iri=BASE), format="json"
    )
    bundles = {str(b.identifier.uri) for b in document.bundles}
    assert bundles == {f"{BASE}graph/run/r1", f"{BASE}graph/run/r2", f"{BASE}graph/catalog"}
    r2 = next(b for b in document.bundles if str(b.identifier.uri).endswith("run/r2"))
    assert {str(r.identifier.uri) for r in r2.get_records() if r.identifier} == {
        f"{BASE}run/r2", f"{BASE}evaluation/ev9"
    }  # fmt: skip
    # RDF keeps every graph, the domain graph too
    trig = list(ox.parse(export_all(store, "trig", base_iri=BASE), format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in trig} == {
        f"{BASE}graph/run/r1", f"{BASE}graph/run/r2", f"{BASE}graph/catalog",
        f"{BASE}graph/domain/digits",
    }  # fmt: skip
    assert len(trig) == store.count()


def test_an_import_exports_as_it_came_in(empty_store: Store) -> None:
    provn = b"""document
      prefix ex <http://example.org/>
      bundle ex:b1
        used(ex:a, ex:e, -, [ex:role="input"])
      endBundle
      activity(ex:a)
    endDocument
    """
    quads = import_document(provn, "provn", base_iri=BASE, name="doc")
    empty_store.add(quads)
    empty_store.add(quads)  # a second import adds nothing
    assert empty_store.count() == len(quads)
    document = pm.ProvDocument.deserialize(
        content=export_graph(empty_store, f"{BASE}graph/import/doc", "provn", base_iri=BASE),
        format="provn",
    )
    (bundle,) = document.bundles
    assert str(bundle.identifier.uri) == "http://example.org/b1"
    (usage,) = bundle.get_records(pm.ProvUsage)
    assert usage.identifier is None  # the skolem IRI is a blank node again
    assert [str(v) for k, v in usage.attributes if str(k.uri) == "http://example.org/role"] == [
        "input"
    ]


def test_unknown_runs_graphs_and_formats(store: Store, empty_store: Store) -> None:
    with pytest.raises(RunNotFoundError, match=f"no run {BASE}run/r9 in the store") as info:
        export_run(store, "r9", "provn", base_iri=BASE)
    assert str(info.value).endswith("no run has the id or name 'r9'; give a full IRI")
    # a run by the name of its experiment, where one run has it
    assert export_run(store, "digits-mlp", "ntriples", base_iri=BASE) == export_run(
        store, "r1", "ntriples", base_iri=BASE
    )
    with pytest.raises(RunNotFoundError, match="close names: digits-mlp"):
        export_run(store, "digits-mpl", "provn", base_iri=BASE)
    assert isinstance(info.value, LookupError) and isinstance(info.value, ValueError)
    with pytest.raises(RunNotFoundError, match="is not a run IRI"):
        export_run(store, f"{BASE}entity/ds1", "provn", base_iri=BASE)
    with pytest.raises(RunNotFoundError, match="no graph"):
        export_graph(store, f"{BASE}graph/import/nothing", "trig", base_iri=BASE)
    with pytest.raises(RunNotFoundError, match="the store is empty"):
        export_all(empty_store, "trig", base_iri=BASE)
    with pytest.raises(UnsupportedFormatError, match="unknown export format 'pdf'"):
        export_run(store, "r1", "pdf", base_iri=BASE)


@pytest.mark.integration
def test_export_from_a_sparql_server_matches_the_embedded_store(
    store: Store, oxigraph_server: str
) -> None:
    # the server is shared by the session: this test uses a base IRI (so graphs) of its own
    base = "http://provdoc-export.test/id/"
    data = (DATA / "run.trig").read_bytes().replace(BASE.encode(), base.encode())
    with open_store("sparql+" + oxigraph_server) as remote:
        remote.add(list(ox.parse(data, format=ox.RdfFormat.TRIG)))
        try:
            # RDF exports are sorted: the same data gives the same bytes
            here = export_run(store, "r1", "nquads", base_iri=BASE)
            there = export_run(remote, "r1", "nquads", base_iri=base)
            assert there.replace(base.encode(), BASE.encode()) == here
            # PROV-JSON: the same statements (prov orders attributes by hash)
            here = export_run(store, "r1", "provjson", base_iri=BASE)
            there = export_run(remote, "r1", "provjson", base_iri=base)
            there = there.replace(base.encode(), BASE.encode())
            assert stored(import_document(there, "provjson", base_iri=BASE)) == stored(
                import_document(here, "provjson", base_iri=BASE)
            )
        finally:
            for graph in remote.graphs():
                if graph.startswith(base):
                    remote.remove_graph(graph)
