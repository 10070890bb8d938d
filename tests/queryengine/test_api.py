"""The public face of queryengine, the question files, and the result conversion."""

from __future__ import annotations

import ast
from pathlib import Path

import pyoxigraph as ox
import pytest

import queryengine
from queryengine import (
    QuestionFileError,
    Rows,
    ask,
    catalogue,
    parse_question,
    python_value,
    to_dataframe,
)

# keyword arguments of ask(); the question name is positional only, so a parameter may be "name"
RESERVED = {"store", "timeout", "base_iri", "lateral"}


def test_all_is_exact() -> None:
    exported = {n for n in vars(queryengine) if not n.startswith("_")} - {"annotations"}
    modules = {n for n, v in vars(queryengine).items() if type(v).__name__ == "module"}
    assert set(queryengine.__all__) == exported - modules
    assert queryengine.__all__ == sorted(queryengine.__all__)


def test_queryengine_depends_only_on_the_store_contract() -> None:
    for path in Path(queryengine.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(
                    n.split(".")[0] in ("services", "fastapi", "provlake") for n in names
                ), path


def test_every_question_file_is_well_formed() -> None:
    questions = catalogue()
    assert len(questions) >= 17
    for q in questions.values():
        assert q.description and q.returns, q.name
        assert not {p.name for p in q.parameters} & RESERVED, q.name
        assert len({p.name for p in q.parameters}) == len(q.parameters), q.name
        # every declared column is projected, in order
        head = q.sparql[q.sparql.index("SELECT") : q.sparql.index("WHERE")]
        positions = [head.find(f"?{c}") for c in q.returns]
        assert -1 not in positions and positions == sorted(positions), q.name


H = "# name: x\n# description: d\n# returns: a\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("# name: x\n# returns: a\nSELECT ?a WHERE {}", "lacks description"),
        (
            H + "# param: p string — doc\nSELECT ?a WHERE { ?p ?a ?b }",
            "no '# @values' line",
        ),
        (
            H + "# param: p string — doc\nSELECT ?a WHERE {\n# @values\n}",
            "parameter p is not used",
        ),
        (
            H + "# param: p colour — doc\nSELECT ?p WHERE {}",
            "bad parameter",
        ),
        (
            H + "# param: p iri:planet — doc\nSELECT ?p WHERE {}",
            "unknown IRI kind",
        ),
        (
            H + "# param: p integer[1..3] 9 — doc\nSELECT ?p WHERE {}",
            "between 1 and 3",
        ),
        (
            H + "# param: p\nSELECT ?p WHERE {}",
            "bad parameter line",
        ),
        (
            H + "SELECT ?s WHERE {\n  # @prefetch\n  { ?s ?p ?o }\n}",
            "'# @prefetch' line is not before a group holding a sub-select",
        ),
    ],
)
def test_malformed_question_files_are_refused(text: str, problem: str) -> None:
    with pytest.raises((QuestionFileError, ValueError), match=problem):
        parse_question(text, "x.rq")


def test_python_values() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert python_value(ox.Literal("-P1DT1H")) == "-P1DT1H"  # a plain string stays a string
    assert (
        python_value(ox.Literal("-P1DT1H", datatype=ox.NamedNode(xsd + "dayTimeDuration")))
        == -90000.0
    )
    assert python_value(ox.Literal("1.50", datatype=ox.NamedNode(xsd + "decimal"))) == 1.5
    assert python_value(ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean"))) is True
    assert python_value(ox.Literal("x", language="en")) == "x"
    assert python_value(ox.BlankNode("b0")) == "_:b0"
    assert python_value(None) is None


def test_rows_and_dataframe(memory_store) -> None:
    rows = ask("best-epoch", store=memory_store, run="r1", measure="loss")
    assert isinstance(rows, Rows) and isinstance(rows, list)
    assert rows.columns == ["stage", "epoch", "metric", "value"]
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            to_dataframe(rows)
    else:  # pragma: no cover - pandas is optional
        frame = rows.to_dataframe()
        assert list(frame.columns) == rows.columns and frame["value"].tolist() == [0.4]


class Sparql11OnlyStore:
    """Like a SPARQL 1.1 server without SEP-0006: refuses LATERAL (wraps a real store)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.queries: list[str] = []

    def query(self, sparql: str, *, timeout: float | None = None):
        self.queries.append(sparql)
        if "LATERAL" in sparql:
            raise SyntaxError("LATERAL is not SPARQL 1.1")
        return self.inner.query(sparql, timeout=timeout)


def test_stores_without_lateral_get_plain_values(memory_store) -> None:
    plain = Sparql11OnlyStore(memory_store)
    expected = ask("training-curve", store=memory_store, run="r1", measure="loss")
    assert ask("training-curve", store=plain, run="r1", measure="loss") == expected
    asked = lambda: [  # noqa: E731  the question's queries, not the look-up of names
        "LATERAL" in q for q in plain.queries if q.startswith("# name: ") and "node-labels" not in q
    ]
    assert asked() == [True, False]
    ask("best-epoch", store=plain, run="r1", measure="loss")  # remembered: no second refusal
    assert asked() == [True, False, False]


def test_a_prefetched_sub_select_with_a_blank_node_leaves_the_text_as_it_is() -> None:
    from queryengine._prefetch import prefetched
    from queryengine._testing import PyoxigraphStore

    store = PyoxigraphStore()
    store.add_turtle("[] <http://ex.org/p> 1 . <http://ex.org/a> <http://ex.org/p> 2 .")
    text = (
        "SELECT ?s ?o WHERE {\n  # @prefetch\n  OPTIONAL {\n"
        "    SELECT ?s WHERE { ?s <http://ex.org/p> ?o } ORDER BY ?o LIMIT 1\n  }\n}"
    )
    assert prefetched(text, store.query) == text
    iris = text.replace("ORDER BY ?o", "ORDER BY DESC(?o)")
    assert prefetched(iris, store.query) == (
        "SELECT ?s ?o WHERE {\n  OPTIONAL { VALUES (?s) { (<http://ex.org/a>) } }\n}"
    )
