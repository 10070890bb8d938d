"""Parameters: types validated before anything runs, clear errors naming the parameter, and hostile
values that cannot change the query (they stay data in the VALUES block) in every parameter type."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from queryengine import (
    ParameterError,
    UnknownQuestionError,
    ask,
    bind,
    get_question,
    parse_question,
)
from services.store import open_store
from tests.queryengine.capture import BASE, load_capture

HOSTILE = [
    'x" } DROP ALL #',
    "x' } ; DELETE WHERE { ?s ?p ?o } #",
    "a}b",
    "# comment",
    "line\nbreak } INSERT DATA { <a:b> <a:b> <a:b> }",
    "> . DROP ALL",
    '"""',
    "\\",
    "?run",
    "UNDEF) (UNDEF",
    "é ☃ \u202e",
]

PROBE = parse_question(
    """# name: probe
# description: Every parameter type, echoed back.
# param: text string — a string
# param: whole integer — an integer
# param: real double — a double
# param: flag boolean — a boolean
# param: node iri:entity — an entity
# param: measure iri:measure — a measure (a name)
# returns: text, whole, real, flag, node, measure
SELECT ?text ?whole ?real ?flag ?node ?measure WHERE {
  # @values
}
"""
)
GOOD = {"text": "t", "whole": 1, "real": 0.5, "flag": True, "node": "e1", "measure": "loss"}


@pytest.fixture(scope="module")
def store():
    with open_store("memory:") as s:
        yield load_capture(s)


def echo(store, **params):
    rows = store.query(bind(PROBE, {**GOOD, **params}, base_iri=BASE)).rows
    assert len(rows) == 1
    return dict(zip(["text", "whole", "real", "flag", "node", "measure"], rows[0], strict=True))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_strings_stay_one_literal(store, value: str) -> None:
    assert echo(store, text=value)["text"] == ox.Literal(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_names_are_minted_into_one_iri(store, value: str) -> None:
    node = echo(store, measure=value)["measure"]
    assert isinstance(node, ox.NamedNode)
    assert node.value.startswith(BASE + "measure/")
    assert " " not in node.value and ">" not in node.value and "}" not in node.value


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["whole", "real", "flag", "node"])
def test_hostile_values_of_typed_parameters_are_rejected(store, name: str, value: str) -> None:
    with pytest.raises(ParameterError) as e:
        bind(PROBE, {**GOOD, name: value}, base_iri=BASE)
    assert e.value.parameter == name
    assert name in str(e.value)


@pytest.mark.parametrize(
    "value", ["http://x/> . DROP ALL", "http://x/a}b", "http://x/a b", "http://x/\n"]
)
def test_hostile_iris_are_rejected(value: str) -> None:
    with pytest.raises(ParameterError, match="'node'"):
        bind(PROBE, {**GOOD, "node": value}, base_iri=BASE)


@pytest.mark.parametrize("value", [*HOSTILE, "http://x/> } DROP ALL"])
def test_hostile_endpoints_are_rejected(store, value: str) -> None:
    with pytest.raises(ParameterError) as e:
        ask(
            "models-by-domain-property-remote",
            store=store,
            endpoint=value,
            property="http://x/p",
            below=1,
            measure="m",
        )
    assert e.value.parameter == "endpoint"


def test_hostile_values_in_every_question_leave_the_store_unchanged(store) -> None:
    """Run each question with hostile text in every string-like parameter: no error, store
    intact."""
    before = store.count()
    for question in get_question.__globals__["catalogue"]().values():
        if any(p.base == "endpoint" for p in question.parameters):
            continue
        for value in HOSTILE:
            params = {}
            for p in question.parameters:
                if p.base == "iri" and p.kind in ("measure", "hyperparameter", "experiment"):
                    params[p.name] = value
                elif p.base == "iri":
                    params[p.name] = "r1" if p.kind == "run" else BASE + "entity/raw-a"
                elif p.base == "string" and not p.choices:
                    params[p.name] = value
                elif p.base == "double":
                    params[p.name] = 1.0
            ask(question.name, store=store, base_iri=BASE, **params)
    assert store.count() == before


def test_values_are_typed(store) -> None:
    row = echo(store, whole="42", real="2.5e-3", flag="false", node=BASE + "entity/x")
    assert row["whole"] == ox.Literal(
        "42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    assert row["real"].value in ("0.0025", "2.5e-3", "2.5E-3", "0.0025e0")
    assert float(row["real"].value) == 0.0025
    assert row["flag"].value == "false"
    assert row["node"] == ox.NamedNode(BASE + "entity/x")


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("whole", 1.5, "must be an integer"),
        ("whole", True, "must be an integer"),
        ("whole", "1e3", "must be an integer"),
        ("real", "nan", "finite"),
        ("real", "abc", "must be a number"),
        ("flag", "maybe", "must be a boolean"),
        ("text", 3, "must be a string"),
        ("node", "", "non-empty"),
        ("node", "http://not an iri", "not a valid IRI"),
        ("node", "not an id", "cannot resolve 'not an id' without a store"),
    ],
)
def test_ill_typed_values_name_the_parameter(name: str, value: object, problem: str) -> None:
    with pytest.raises(ParameterError, match=problem) as e:
        bind(PROBE, {**GOOD, name: value}, base_iri=BASE)
    assert e.value.parameter == name
    assert e.value.code == "invalid_parameter"


def test_missing_and_unknown_parameters(store) -> None:
    with pytest.raises(ParameterError, match="needs parameter 'run'") as e:
        ask("training-curve", store=store)
    assert (e.value.parameter, e.value.code) == ("run", "missing_parameter")
    with pytest.raises(ParameterError, match="no parameter 'colour'") as e:
        ask("training-curve", store=store, run="r1", colour="red")
    assert (e.value.parameter, e.value.code) == ("colour", "unknown_parameter")


def test_values_written_otherwise_are_not_names(store) -> None:
    """Only IRI parameters are looked up by name: a number or boolean written in another form
    (``2e-1``, ``yes``) is its value."""
    ask_ = {"store": store, "base_iri": BASE, "measure": "test_accuracy"}
    prop = "https://example.org/cores#porosity"
    assert ask("models-by-domain-property", property=prop, below="2e-1", **ask_) == ask(
        "models-by-domain-property", property=prop, below=0.2, **ask_
    )
    finished = ask(
        "rank-trainings", measure="loss", goal="min", finished="yes", base_iri=BASE, store=store
    )
    assert [r["run"] for r in finished] == [BASE + "run/r2", BASE + "run/r1"]


def test_choices_and_ranges(store) -> None:
    with pytest.raises(ParameterError, match="must be one of min, max"):
        ask("best-epoch", store=store, run="r1", measure="loss", goal="median")
    with pytest.raises(ParameterError, match="between 1 and 10"):
        ask("upstream", store=store, start="r1-test", hops=11)


def test_unknown_question_lists_the_known_ones(store) -> None:
    with pytest.raises(UnknownQuestionError, match="training-curve") as e:
        ask("no-such-question", store=store)
    assert e.value.code == "unknown_question"
    assert "training-curve" in e.value.details["known"]


def test_generic_iri_accepts_a_client_id_or_a_full_iri(store) -> None:
    by_id = ask("upstream", store=store, start="m1", hops=1, base_iri=BASE)
    by_iri = ask("upstream", store=store, start=BASE + "entity/m1", hops=1, base_iri=BASE)
    assert by_id == by_iri and [r["node"] for r in by_id] == [BASE + "execution/r1-train"]
    with pytest.raises(
        ParameterError, match="no run, model or dataset has the id or name 'nothing"
    ):
        ask("upstream", store=store, start="nothing-here", base_iri=BASE)
