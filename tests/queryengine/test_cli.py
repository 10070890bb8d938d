"""``provml ask``, ``provml sparql`` and ``provml domain`` on a real on-disk store, in process and
as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from queryengine import catalogue, example_domain_graph
from services.cli import main
from services.store import open_store
from tests.queryengine.capture import BASE, capture_quads, load_capture

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store_uri(tmp_path: Path) -> str:
    uri = f"oxigraph:{tmp_path / 'data'}"
    with open_store(uri) as store:
        load_capture(store)
    return uri


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json(capsys, store_uri: str) -> None:
    code, out, _ = run(
        capsys,
        "ask",
        "best-epoch",
        "--param",
        "run=r2",
        "-p",
        "measure=loss",
        "--store",
        store_uri,
        "--format",
        "json",
        "--base-iri",
        BASE,
    )
    assert code == 0
    assert json.loads(out) == [{"stage": "train", "epoch": 1, "metric": "loss", "value": 0.3}]


def test_ask_csv_and_table(capsys, store_uri: str) -> None:
    code, out, _ = run(
        capsys,
        "ask",
        "training-curve",
        "-p",
        "run=r1",
        "-p",
        "measure=loss",
        "--store",
        store_uri,
        "--format",
        "csv",
    )
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [
        ["stage", "epoch", "step", "metric", "value", "evaluation", "evaluation_name"],
        ["train", "0", "", "loss", "0.9", f"{BASE}evaluation/r1-loss-0", "loss = 0.9 (epoch 0)"],
        ["train", "1", "", "loss", "0.5", f"{BASE}evaluation/r1-loss-1", "loss = 0.5 (epoch 1)"],
        ["train", "2", "", "loss", "0.4", f"{BASE}evaluation/r1-loss-2", "loss = 0.4 (epoch 2)"],
    ]
    code, out, _ = run(
        capsys, "ask", "training-curve", "-p", "run=r1", "-p", "measure=loss", "--store", store_uri
    )
    lines = out.splitlines()  # the table names the evaluations instead of showing their IRIs
    assert lines[0].split() == ["stage", "epoch", "step", "metric", "value", "evaluation"]
    assert lines[2].split()[:4] == ["train", "0", "loss", "0.9"]
    assert lines[2].endswith("  loss = 0.9 (epoch 0)")
    assert lines[-1] == "(3 rows)" and BASE not in out
    code, out, _ = run(
        capsys,
        *("ask", "training-curve", "-p", "run=r1", "-p", "measure=loss", "--iris"),
        *("--store", store_uri),
    )
    lines = out.splitlines()
    assert lines[0].split() == [
        *("stage", "epoch", "step", "metric", "value", "evaluation", "evaluation_name")
    ]
    assert f"{BASE}evaluation/r1-loss-0  loss = 0.9 (epoch 0)" in lines[2]


def test_ask_list(capsys) -> None:
    code, out, _ = run(capsys, "ask", "--list")
    assert code == 0
    for name in catalogue():
        assert f"\n{name}\n" in f"\n{out}"
    assert "--param run=<iri:run>" in out
    code, out, _ = run(capsys, "ask", "--list", "--format", "json")
    assert [q["name"] for q in json.loads(out)] == list(catalogue())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "no-such-question"], "unknown question 'no-such-question'"),
        (["ask", "best-epoch", "-p", "run=r1"], "needs parameter 'measure'"),
        (
            ["ask", "upstream", "-p", "start=m1", "-p", "hops=many"],
            "parameter 'hops' (integer[1..10])",
        ),
        (["ask", "training-curve", "-p", "run"], "--param takes KEY=VALUE"),
        (["ask", "training-curve", "-p", "run=r1", "-p", "oops=1"], "no parameter 'oops'"),
        (["ask"], "give a question name"),
        (["sparql", "SELECT WHERE {"], "invalid SPARQL"),
    ],
)
def test_bad_input_exits_2_naming_it(capsys, store_uri: str, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv, "--store", store_uri)
    assert code == 2
    assert message in err
    assert out == ""


def test_ask_takes_names(capsys, store_uri: str) -> None:
    """A name one node has stands for it; one several have, or none, exits 2 listing the
    candidates."""
    ask = ("ask", "upstream", "-p", "hops=1", "--store", store_uri, "--format", "json")
    code, by_name, _ = run(capsys, *ask, "-p", "start=mlp-r1")
    assert code == 0
    assert json.loads(by_name) == [
        {"node": f"{BASE}execution/r1-train", "node_name": "train", "distance": 1}
    ]
    code, out, err = run(capsys, *ask, "-p", "start=digits-mlp")
    assert (code, out) == (2, "")
    assert err == (
        "provml: parameter 'start': 3 runs are called 'digits-mlp'; give the IRI (or id) of one"
        " of them:\n"
        f"  {BASE}run/r1  digits-mlp 2026-01-01 10:00:00\n"
        f"  {BASE}run/r2  digits-mlp 2026-01-01 10:10:00\n"
        f"  {BASE}run/r3  digits-mlp 2026-01-01 11:00:00\n"
    )
    code, out, err = run(capsys, *ask, "-p", "start=mlp-r4")
    assert (code, out) == (2, "")
    assert err == (
        "provml: parameter 'start': no run, model or dataset has the id or name 'mlp-r4'; "
        "close names: mlp-r2, mlp-r1\n"
    )


def test_a_missing_store_is_not_created(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    code, _, err = run(
        capsys, "ask", "training-curve", "-p", "run=r1", "--store", f"oxigraph:{missing}"
    )
    assert code == 1 and "no store at" in err
    assert not missing.exists()


def test_sparql(capsys, store_uri: str, tmp_path: Path) -> None:
    query = (
        "SELECT ?run WHERE { ?run a <https://w3id.org/provml#LearningExperimentExecution> } "
        "ORDER BY ?run"
    )
    code, out, _ = run(capsys, "sparql", query, "--store", store_uri, "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"run": BASE + f"run/r{i}"} for i in (1, 2, 3)]
    code, out, _ = run(
        capsys, "sparql", "ASK { ?s <https://w3id.org/provml#refersTo> ?o }", "--store", store_uri
    )
    assert (code, out) == (0, "true\n")
    file = tmp_path / "q.rq"
    file.write_text("CONSTRUCT { ?m a <urn:x:M> } WHERE { ?m a <https://w3id.org/provml#Model> }")
    code, out, _ = run(capsys, "sparql", f"@{file}", "--store", store_uri)
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert sorted(out.splitlines()) == [
        f"<{BASE}entity/m{i}> {rdf_type} <urn:x:M> ." for i in (1, 2)
    ]


def test_domain_commands(capsys, tmp_path: Path) -> None:
    uri = f"oxigraph:{tmp_path / 'data'}"
    with open_store(uri) as store:
        store.add(capture_quads())
    code, out, _ = run(
        capsys, "domain", "attach", "cores", str(example_domain_graph()), "--store", uri
    )
    assert (code, out) == (0, "attached cores: 34 triples\n")
    code, _, _ = run(
        capsys, "domain", "register", "far", "http://127.0.0.1:9/query", "--store", uri
    )
    assert code == 0
    code, out, _ = run(capsys, "domain", "list", "--store", uri, "--format", "json")
    assert [(d["name"], d["endpoint"]) for d in json.loads(out)] == [
        ("cores", None),
        ("far", "http://127.0.0.1:9/query"),
    ]
    code, out, _ = run(
        capsys,
        "ask",
        "models-by-domain-property",
        "-p",
        "property=https://example.org/cores#porosity",
        "-p",
        "below=0.2",
        "-p",
        "measure=test_accuracy",
        "--store",
        uri,
        "--format",
        "json",
    )
    assert [r["value"] for r in json.loads(out)] == [0.83, 0.87]
    code, _, err = run(
        capsys, "domain", "attach", "bad name", str(example_domain_graph()), "--store", uri
    )
    assert code == 2 and "name must be" in err


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.integration
def test_subprocess_and_locked_store(store_uri: str) -> None:
    done = cli(
        "ask", "models-from-data", "-p", "data=raw-a", "--store", store_uri, "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert [r["name"] for r in json.loads(done.stdout)] == ["mlp-r1", "mlp-r2"]
    with open_store(store_uri):  # a manager holding the embedded store
        locked = cli("ask", "models-from-data", "-p", "data=raw-a", "--store", store_uri)
    assert locked.returncode == 1
    assert "add --manager URL" in locked.stderr  # no manager noted beside the store
    bad = cli("ask", "nope", "--store", store_uri)
    assert bad.returncode == 2 and "unknown question 'nope'" in bad.stderr
