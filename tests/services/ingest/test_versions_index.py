"""The in-memory version graphs against hand-worked cases and, property-based, against the
brute-force reference in every order of arrival (with removals and re-insertions)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from services.ingest._versions_index import InputGraph, OutputGraph
from tests.services.ingest.versions_reference import inferred_edges, worlds


def graphs(spec: dict[str, dict[str, list[tuple[str, float]]]]) -> dict[str, InputGraph]:
    out = {}
    for name, versions in spec.items():
        graph = out[name] = InputGraph(name)
        for version, parents in versions.items():
            graph.add(version, parents)
    return out


def place(inputs: dict[str, InputGraph], jobs: dict, order: list[str]) -> OutputGraph:
    models = OutputGraph("model")
    for m in order:
        x, t = jobs[m]
        models.insert(m, {inputs[p]: v for p, v in x.items()}, t)
    return models


def weights(inputs: dict[str, InputGraph], models: OutputGraph) -> dict[tuple[str, str], float]:
    out = {}
    for j, i in models.edges():
        xj, xi = models.inputs_of(j), models.inputs_of(i)
        total = 0.0
        for p in sorted(xj):
            total += inputs[p].distance(xj[p], xi[p])
        out[(j, i)] = total / len(xj)
    return out


CHAIN = {"d": {"d1": [], "d2": [("d1", 0.1)], "d3": [("d2", 0.2)]}}
DIAMOND = {
    "d": {"d1": [], "d2": [("d1", 0.3)]},
    "a": {"a1": [], "a2": [("a1", 0.5)]},
}


def test_input_graph_lightest_route_and_merges() -> None:
    merge = {"d1": [], "d2": [("d1", 1.0)], "d3": [("d1", 0.25)], "d4": [("d2", 0.0), ("d3", 0.5)]}
    g = graphs({"d": merge})["d"]
    assert g.distance("d1", "d4") == 0.75  # through d3, not d2
    assert g.route("d1", "d4") == [("d3", "d1"), ("d4", "d3")]
    assert g.distance("d2", "d4") == 0.0 and g.distance("d4", "d1") == math.inf
    assert g.distance("d3", "d3") == 0.0
    with pytest.raises(ValueError, match="not reachable"):
        g.route("d2", "d3")


def test_chain_keeps_nearest_ancestor_only() -> None:
    inputs = graphs(CHAIN)
    jobs = {"m1": ({"d": "d1"}, 1.0), "m2": ({"d": "d2"}, 2.0), "m3": ({"d": "d3"}, 3.0)}
    models = place(inputs, jobs, ["m1", "m2", "m3"])
    assert weights(inputs, models) == {("m1", "m2"): 0.1, ("m2", "m3"): 0.2}


def test_diamond_of_two_input_objects() -> None:
    inputs = graphs(DIAMOND)
    jobs = {
        "base": ({"d": "d1", "a": "a1"}, 1.0),
        "data": ({"d": "d2", "a": "a1"}, 2.0),
        "code": ({"d": "d1", "a": "a2"}, 3.0),
        "both": ({"d": "d2", "a": "a2"}, 4.0),
    }
    models = place(inputs, jobs, ["both", "code", "base", "data"])
    assert weights(inputs, models) == {
        ("base", "data"): 0.15,
        ("base", "code"): 0.25,
        ("data", "both"): 0.25,
        ("code", "both"): 0.15,
    }


def test_unreachable_input_and_other_input_objects_give_no_edge() -> None:
    inputs = graphs({"d": {"d1": [], "d2": [("d1", 0.1)], "x": []}, "a": {"a1": []}})
    jobs = {
        "m1": ({"d": "d1"}, 1.0),
        "side": ({"d": "x"}, 2.0),  # a root of its own: not reachable from d1
        "more": ({"d": "d2", "a": "a1"}, 3.0),  # other input objects: not comparable
    }
    assert place(inputs, jobs, list(jobs)).edges() == []


def test_equal_inputs_are_ordered_by_start_time() -> None:
    inputs = graphs(CHAIN)
    jobs = {"late": ({"d": "d1"}, 5.0), "early": ({"d": "d1"}, 1.0), "next": ({"d": "d2"}, 0.5)}
    models = place(inputs, jobs, ["next", "late", "early"])
    assert weights(inputs, models) == {("early", "late"): 0.0, ("late", "next"): 0.1}


def test_late_intermediate_removes_the_redundant_edge_and_removal_restores_it() -> None:
    inputs = graphs(CHAIN)
    jobs = {"m1": ({"d": "d1"}, 1.0), "m2": ({"d": "d2"}, 2.0), "m3": ({"d": "d3"}, 3.0)}
    models = place(inputs, jobs, ["m1", "m3"])
    assert models.edges() == [("m1", "m3")]
    change = models.insert("m2", {inputs["d"]: "d2"}, 2.0)
    assert (sorted(change.added), change.removed) == ([("m1", "m2"), ("m2", "m3")], [("m1", "m3")])
    change = models.remove("m2")
    assert (sorted(change.removed), change.added) == ([("m1", "m2"), ("m2", "m3")], [("m1", "m3")])
    assert models.edges() == [("m1", "m3")] and "m2" not in models


def test_digest_depends_on_the_facts_only() -> None:
    inputs = graphs(CHAIN)
    jobs = {"m1": ({"d": "d1"}, 1.0), "m2": ({"d": "d2"}, 2.0), "m3": ({"d": "d3"}, 3.0)}
    a, b = place(inputs, jobs, ["m1", "m2", "m3"]), place(inputs, jobs, ["m3", "m1", "m2"])
    assert a.digest == b.digest != 0
    b.remove("m2")
    assert b.digest != a.digest
    b.insert("m2", {inputs["d"]: "d2"}, 2.0)
    assert b.digest == a.digest


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_matches_the_definition_in_any_order(world) -> None:
    spec, jobs, order, churn = world
    inputs = graphs(spec)
    models = place(inputs, jobs, order)
    for m in churn:
        models.remove(m)
    for m in churn:
        x, t = jobs[m]
        models.insert(m, {inputs[p]: v for p, v in x.items()}, t)
    expected = inferred_edges(spec, jobs)
    assert set(models.edges()) == set(expected)
    actual = weights(inputs, models)
    assert all(math.isclose(actual[e], w, abs_tol=1e-12) for e, w in expected.items())
