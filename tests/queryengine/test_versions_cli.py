"""``provml versions graph`` and ``provml versions explain`` on the version-graph example."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.cli import main
from services.store import open_store
from tests.queryengine.versions_capture import load_versions


@pytest.fixture(scope="module")
def store_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    uri = f"oxigraph:{tmp_path_factory.mktemp('versions-cli') / 'store'}"
    with open_store(uri) as store:
        load_versions(store)
    return uri


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_graph_as_a_table_with_version_ids(store_uri, capsys) -> None:
    code, out, _ = run(capsys, "versions", "graph", "model", "mlp", "--store", store_uri)
    assert code == 0
    assert out.splitlines()[2:] == [
        "mlp-1  mlp-2  0.05    true",
        "mlp-2  mlp-3  0.1     true",
        "mlp-2  mlp-4  0.025   true",
        "(3 rows)",
    ]


def test_graph_as_mermaid_dot_and_svg(store_uri, capsys, tmp_path: Path) -> None:
    code, out, _ = run(
        capsys,
        "versions",
        "graph",
        "dataset",
        "digits",
        "--store",
        store_uri,
        "--format",
        "mermaid",
    )
    assert code == 0
    assert out.splitlines()[-2:] == ["  v0 -.->|0.1| v1", "  v1 -.->|0.2| v2"]
    graph = ("versions", "graph", "model", "mlp", "--store", store_uri)
    code, out, _ = run(capsys, *graph, "--format", "dot")
    assert code == 0 and '"mlp-2" -> "mlp-4" [label="0.025", style=solid];' in out
    picture = tmp_path / "mlp.svg"
    code, out, _ = run(capsys, *graph, "--format", "svg", "--output", str(picture))
    assert code == 0 and out == f"wrote {picture}\n"
    text = picture.read_text()
    assert "<svg" in text and ">0.025</text>" in text


def test_explain(store_uri, capsys) -> None:
    explain = ("versions", "explain", "mlp-1", "mlp-4", "--store", store_uri)
    code, out, _ = run(capsys, *explain, "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "step,older,older_name,newer,newer_name,weight,input,input_from,input_to,change,measure,"
        "from_value,to_value"
    )
    assert lines[2].endswith(",dataset/digits,v1,v2,0.1,,,")
    assert lines[-1].endswith(",mlp (mlp-4),0.07500000000000001,,,,,accuracy,0.9,0.95")


def test_errors(store_uri, capsys) -> None:
    code, _, err = run(capsys, "versions", "graph", "model", "nope", "--store", store_uri)
    assert (code, err) == (1, "provml: no versions of model 'nope' in the store\n")
    explain = ("versions", "explain", "mlp-1", "mlp-4", "--store", store_uri)
    code, _, err = run(capsys, *explain, "--max-hops", "9")
    assert (code, err) == (2, "provml: --max-hops is between 1 and 6\n")
