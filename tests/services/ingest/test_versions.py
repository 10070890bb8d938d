"""Version inference through the real ingest pipeline: exact inferred revisions and weights on
hand-built cases, order independence, replay, several managers on one store, bad input."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest
from hypothesis import given, settings

from services.ingest import Ingestor, InvalidBatch, UnknownReference, VersionConflict
from services.ingest._fastshacl import FastValidator
from services.store import open_store
from tests.services.ingest.versions_batches import (
    CODE,
    DATA,
    T0,
    A,
    D,
    batch,
    registry,
    training,
    version,
    vid,
)
from tests.services.ingest.versions_reference import inferred_edges, worlds

BASE = "http://provml.localhost/id/"
INFERRED = f"{BASE}graph/inferred/model/mlp"


def inferred(store) -> dict[tuple[str, str], float]:
    """(older model id, newer model id) → weight of every inferred revision."""
    rows = store.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX provml: <https://w3id.org/provml#> "
        f"SELECT ?a ?b ?w WHERE {{ GRAPH <{INFERRED}> {{ ?b prov:qualifiedRevision ?r . "
        "?r a provml:InferredRevision ; prov:entity ?a ; provml:weight ?w } }"
    ).rows
    return {
        (a.value.removeprefix(BASE + "entity/"), b.value.removeprefix(BASE + "entity/")): float(
            w.value
        )
        for a, b, w in rows
    }


def dump(store) -> set[str]:
    return set(store.dump(ox.RdfFormat.N_QUADS).decode().splitlines())


def ingest(jobs, *, registered=(*DATA, *CODE), store=None):
    store = store or open_store("memory:")
    ingestor = Ingestor(store)
    ingestor.ingest_batch(registry(*registered))
    for job in jobs:
        ingestor.ingest_batch(batch(*job))
    return store, ingestor


CHAIN = [
    training("r1", T0 + 10, [D["v1"]], "m1"),
    training("r2", T0 + 20, [D["v2"]], "m2"),
    training("r3", T0 + 30, [D["v3"]], "m3"),
]


def test_chain_gives_nearest_ancestors_with_their_weights() -> None:
    store, _ = ingest(CHAIN)
    assert inferred(store) == {("m1", "m2"): 0.1, ("m2", "m3"): 0.2}


def test_the_route_of_each_input_object_is_recorded() -> None:
    store, _ = ingest([CHAIN[0], CHAIN[2]])
    rows = store.query(
        "PREFIX provml: <https://w3id.org/provml#> "
        f"SELECT ?from ?to ?w ?via WHERE {{ <{BASE}revision/m3/m1> provml:inputRoute ?route . "
        "?route provml:fromVersion ?from ; provml:toVersion ?to ; provml:weight ?w ; "
        "provml:viaRevision ?via } ORDER BY ?via"
    ).rows
    assert [tuple(t.value.removeprefix(BASE) for t in row) for row in rows] == [
        (
            "entity/" + D["v1"],
            "entity/" + D["v3"],
            "0.30000000000000004",
            f"revision/{D['v2']}/{D['v1']}",
        ),
        (
            "entity/" + D["v1"],
            "entity/" + D["v3"],
            "0.30000000000000004",
            f"revision/{D['v3']}/{D['v2']}",
        ),
    ]


def test_diamond_of_two_input_objects() -> None:
    jobs = [
        training("base", T0 + 1, [D["v1"], A["v1"]], "base"),
        training("data", T0 + 2, [D["v2"], A["v1"]], "data"),
        training("code", T0 + 3, [D["v1"], A["v2"]], "code"),
        training("both", T0 + 4, [D["v2"], A["v2"]], "both"),
    ]
    store, _ = ingest(jobs)
    assert inferred(store) == {
        ("base", "data"): 0.05,
        ("base", "code"): 0.025,
        ("data", "both"): 0.025,
        ("code", "both"): 0.05,
    }


def test_unreachable_input_and_other_input_objects_give_no_edge() -> None:
    side = version("dataset", "digits", "side")  # a second root: not reachable from v1
    jobs = [
        training("r1", T0 + 1, [D["v1"]], "m1"),
        training("r2", T0 + 2, [vid("dataset", "digits", "side")], "m2"),
        training("r3", T0 + 3, [D["v2"], A["v1"]], "m3"),  # other input objects
    ]
    store, _ = ingest(jobs, registered=(*DATA, *CODE, side))
    assert inferred(store) == {}
    members = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <" + INFERRED + "> "
        "{ ?m a <https://w3id.org/provml#ObjectVersion> } }"
    ).rows
    assert int(members[0][0].value) == 3


def test_redundant_edge_is_never_added_and_late_intermediate_removes_it() -> None:
    store, _ = ingest([CHAIN[0], CHAIN[2]])
    assert inferred(store) == {("m1", "m3"): 0.30000000000000004}
    store, _ = ingest([CHAIN[0], CHAIN[2], CHAIN[1]])
    assert inferred(store) == {("m1", "m2"): 0.1, ("m2", "m3"): 0.2}
    assert not any("revision/m3/m1" in line for line in dump(store))


def test_every_permutation_of_the_jobs_gives_the_same_graph() -> None:
    jobs = [
        training("base", T0 + 1, [D["v1"], A["v1"]], "base"),
        training("data", T0 + 2, [D["v2"], A["v1"]], "data"),
        training("more", T0 + 3, [D["v3"], A["v1"]], "more"),
        training("code", T0 + 4, [D["v1"], A["v2"]], "code"),
        training("again", T0 + 5, [D["v1"], A["v1"]], "again"),  # equal inputs: after base
    ]
    dumps = {frozenset(dump(ingest(order)[0])) for order in itertools.permutations(jobs)}
    assert len(dumps) == 1
    store, _ = ingest(jobs)
    assert inferred(store) == {
        ("base", "again"): 0.0,
        ("again", "data"): 0.05,
        ("data", "more"): 0.1,
        ("again", "code"): 0.025,
    }


def test_replay_adds_nothing_with_a_warm_or_a_cold_index() -> None:
    store, ingestor = ingest(CHAIN)
    before = dump(store)
    for job in CHAIN:
        ingestor.ingest_batch(batch(*job))
    assert dump(store) == before
    cold = Ingestor(store)
    cold.ingest_batch(registry(*DATA))
    cold.ingest_batch(batch(*CHAIN[1]))
    assert dump(store) == before


def test_a_second_manager_on_the_same_store_sees_the_first_ones_writes() -> None:
    store = open_store("memory:")
    first, second = Ingestor(store), Ingestor(store)
    first.ingest_batch(registry(*DATA))
    first.ingest_batch(batch(*CHAIN[0]))
    second.ingest_batch(batch(*CHAIN[2]))
    first.ingest_batch(batch(*CHAIN[1]))  # its index is stale: it reads the object again
    assert inferred(store) == {("m1", "m2"): 0.1, ("m2", "m3"): 0.2}
    assert dump(store) == dump(ingest(CHAIN, registered=DATA)[0])


def test_facts_written_around_the_inference_are_taken_in_at_the_next_write() -> None:
    store, _ = ingest(CHAIN)
    expected = dump(store)
    store, ingestor = ingest([CHAIN[0], CHAIN[1]])
    # the third training reaches the store without the manager's inference (a restored dump)
    store.add(ingestor.mapper.map(ingestor._records("capture", batch(*CHAIN[2]))[0]))
    Ingestor(store).ingest_batch(batch(*CHAIN[2]))  # a replay: the stored digest tells
    assert dump(store) == expected
    # two digests (two managers wrote the object at the same instant): recomputed too
    digest = f"<{BASE}object/model/mlp> <https://w3id.org/provml#inferenceDigest>"
    store.update(f'INSERT DATA {{ GRAPH <{INFERRED}> {{ {digest} "00ff" }} }}')
    Ingestor(store).ingest_batch(batch(*CHAIN[2]))
    assert dump(store) == expected


def test_used_link_or_version_arriving_after_the_model_completes_the_job() -> None:
    job = training("r2", T0 + 20, [], "m2")
    store, ingestor = ingest([CHAIN[0], job])
    assert inferred(store) == {}
    late = {"type": "used", "id": "u1", "run": "r2", "time": T0 + 25, "execution": "r2-train"}
    ingestor.ingest_batch(batch({**late, "entity": D["v2"]}))
    assert inferred(store) == {("m1", "m2"): 0.1}
    # a training that used a version not registered yet is quarantined (an unknown reference),
    # and completes the job once the version is registered and the batch resubmitted
    store, ingestor = ingest([CHAIN[0]], registered=(*DATA[:1], *CODE))
    with pytest.raises(UnknownReference) as refused:
        ingestor.ingest_batch(batch(*CHAIN[1]))
    assert inferred(store) == {}
    ingestor.ingest_batch(registry(*DATA[1:]))
    ingestor.resubmit(refused.value.quarantine_id)
    assert inferred(store) == {("m1", "m2"): 0.1}


def test_inferred_and_registered_graphs_conform_to_the_shapes() -> None:
    store, _ = ingest([*CHAIN, training("x", T0 + 40, [D["v3"], A["v2"]], "x")])
    quads = ox.parse(store.dump(ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    assert FastValidator().validate(triples) == []


@pytest.mark.parametrize(
    ("records", "field", "error"),
    [
        (
            [version("dataset", "digits", "v9", [("v7", 0.1)])],
            "records[1].revises[0].id",
            InvalidBatch,
        ),
        (
            [{**version("dataset", "digits", "v9"), "revises": [{"id": A["v1"], "weight": 0.1}]}],
            "records[1].revises[0].id",
            InvalidBatch,
        ),
        (
            [version("dataset", "digits", "v9", [("v1", -0.5)])],
            "records[1].revises[0].weight",
            InvalidBatch,
        ),
        (
            [version("dataset", "digits", "v2", [("v1", 0.3)])],
            "records[1].revises",
            VersionConflict,
        ),
        (
            [{**version("dataset", "digits", "v4", [("v1", 0.3)]), "id": D["v2"]}],
            "records[1].version",
            VersionConflict,
        ),
        ([{**version("dataset", "digits", "v4"), "id": A["v1"]}], "records[1].id", VersionConflict),
        ([version("dataset", "digits", "v9", [("v9", 0.1)])], "records[1].revises", InvalidBatch),
    ],
    ids=["unknown", "other-object", "negative", "other-weight", "same-id", "id-of-other", "itself"],
)
def test_bad_versions_are_refused_naming_the_field_and_write_nothing(records, field, error) -> None:
    store, ingestor = ingest(CHAIN)
    before = dump(store)
    with pytest.raises(error) as refused:
        ingestor.ingest_batch(registry(*records))
    assert type(refused.value) is error
    assert refused.value.field == field, refused.value.details
    assert dump(store) == before
    ingestor.ingest_batch(batch(*training("r4", T0 + 40, [D["v3"]], "m4")))  # still consistent
    assert inferred(store) == {("m1", "m2"): 0.1, ("m2", "m3"): 0.2, ("m3", "m4"): 0.0}


def test_a_job_using_two_versions_of_one_object_is_refused() -> None:
    store, ingestor = ingest([CHAIN[0]])
    before = dump(store)
    with pytest.raises(InvalidBatch, match="one version of each input object"):
        ingestor.ingest_batch(batch(*training("r2", T0 + 20, [D["v1"], D["v2"]], "m2")))
    assert dump(store) == before


@settings(max_examples=40, deadline=None)
@given(worlds())
def test_the_pipeline_matches_the_definition_in_any_order(world) -> None:
    spec, jobs, order, churn = world
    registered = [
        version("k", p, v, [(u, w) for u, w in parents])
        for p, versions in spec.items()
        for v, parents in versions.items()
    ]
    trainings = [
        training(m, T0 + jobs[m][1], [vid("k", p, v) for p, v in jobs[m][0].items()], m)
        for m in order
    ]
    store, ingestor = ingest(trainings, registered=registered)
    for m in churn:  # replays change nothing
        ingestor.ingest_batch(batch(*trainings[order.index(m)]))
    expected = {edge: weight for edge, weight in inferred_edges(spec, jobs).items()}
    actual = inferred(store)
    assert set(actual) == set(expected)
    assert all(abs(actual[e] - w) < 1e-12 for e, w in expected.items())
