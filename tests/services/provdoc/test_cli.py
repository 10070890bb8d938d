"""``provml export`` and ``provml import`` run as subprocesses on an on-disk Oxigraph store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import prov
import pyoxigraph as ox
import pytest

from services.provdoc import import_document
from services.store import open_store
from tests.services.provdoc.conftest import BASE, run_quads
from tests.services.provdoc.test_export import FACTS, stored

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(prov.__file__).parent / "tests"


def provml(
    *args: str, cwd: Path, path: str | None = None, terminal: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PROVML_BASE_IRI": BASE}
    if path is not None:
        env["PATH"] = path
    if terminal:  # rich draws its progress bars as on a terminal
        env["TTY_COMPATIBLE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    uri = f"oxigraph:{tmp_path / 'db'}"
    with open_store(uri) as store:
        store.add(run_quads())
    return uri


def count(uri: str) -> int:
    with open_store(uri) as store:
        return store.count()


def test_export_a_run_in_the_format_of_the_file_name(db: str, tmp_path: Path) -> None:
    for name in ("r1.provn", "r1.json", "r1.provx"):
        done = provml("export", "--store", db, "--run", "r1", "-o", name, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert f"wrote {name}" in done.stderr
    for name, fmt in (("r1.provn", "provn"), ("r1.json", "provjson"), ("r1.provx", "provxml")):
        quads = import_document((tmp_path / name).read_bytes(), fmt, base_iri=BASE)
        assert set(FACTS) <= stored(quads), name
    dot = provml("export", "--store", db, "--run", f"{BASE}run/r1", "-o", "r1.dot", cwd=tmp_path)
    assert dot.returncode == 0, dot.stderr
    assert b'[label="train", shape=box' in (tmp_path / "r1.dot").read_bytes()


def test_export_everything_to_stdout(db: str, tmp_path: Path) -> None:
    done = provml(
        "export", "--store", db, "--all", "--format", "nquads", cwd=tmp_path, terminal=True
    )
    assert done.returncode == 0, done.stderr
    assert f"writing {count(db)} quads" in done.stderr  # the progress bar
    quads = list(ox.parse(done.stdout.encode(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == count(db)
    assert {q.graph_name.value for q in quads} >= {f"{BASE}graph/run/r1", f"{BASE}graph/catalog"}


def test_a_picture_without_graphviz_leaves_the_dot_file(db: str, tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    done = provml(
        "export", "--store", db, "--run", "r1", "-o", "r1.png", cwd=tmp_path, path=str(empty_path)
    )
    assert done.returncode == 1
    assert "install graphviz" in done.stderr and "r1.dot" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r1.png").exists()
    assert (tmp_path / "r1.dot").read_text().startswith("digraph")


def test_bulk_import_then_export_the_import(tmp_path: Path) -> None:
    db = f"oxigraph:{tmp_path / 'db'}"
    files = [str(CORPUS / "json" / "bundle1.json"), str(CORPUS / "rdf" / "activity1.ttl")]
    provn = tmp_path / "train.provn"
    provn.write_text(
        "document\n prefix ex <http://example.org/>\n"
        " used(ex:train, ex:digits, -)\n wasGeneratedBy(ex:model, ex:train, -)\nendDocument\n"
    )
    done = provml("import", "--store", db, *files, str(provn), cwd=tmp_path, terminal=True)
    assert done.returncode == 0, done.stderr
    assert "reading" in done.stderr and "3/3" in done.stderr  # the progress bar
    assert len(done.stdout.splitlines()) == 3
    written = count(db)
    again = provml("import", "--store", db, str(provn), "--name", "train", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"{BASE}graph/import/train" in again.stdout
    twice = provml("import", "--store", db, str(provn), "--name", "train", cwd=tmp_path)
    assert twice.returncode == 0, twice.stderr
    assert count(db) == written + 2  # the named import: 2 triples, once
    graph = f"{BASE}graph/import/train"
    out = provml("export", "--store", db, "--graph", graph, "--format", "provn", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "used(ns1:train, ns1:digits, -)" in out.stdout
    assert "wasGeneratedBy(ns1:model, ns1:train, -)" in out.stdout


def test_an_unreadable_file_imports_nothing(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"entity": ')
    before = count(db)
    good = str(CORPUS / "json" / "bundle1.json")
    done = provml("import", "--store", db, good, str(bad), cwd=tmp_path)
    assert done.returncode == 2
    assert f"{bad}: unparsable provjson document" in done.stderr
    assert "nothing imported" in done.stderr and "Traceback" not in done.stderr
    assert count(db) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "--format", "provn"],
            "one of the arguments --run --dataflow --graph --all is required",
        ),
        (["export", "--run", "r1", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["export", "--run", "r1", "-o", "r1.pdf"], "cannot tell the format of 'r1.pdf'"),
        (["export", "--run", "r1"], "give --format"),
        (["export", "--run", "r9", "--format", "provn"], f"no run {BASE}run/r9 in the store"),
        (["import", "missing.json"], "missing.json: No such file or directory"),
        (["import", "notes.txt"], "cannot tell the format of 'notes.txt'"),
        (["import", "x.json", "--name", "a/b"], None),
    ],
)
def test_bad_arguments_exit_2(
    db: str, tmp_path: Path, args: list[str], message: str | None
) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "x.json").write_text('{"entity": {"ex:e": {}}, "prefix": {"ex": "http://e/"}}')
    before = count(db)
    done = provml(*args, "--store", db, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert (message or "invalid import name 'a/b'") in done.stderr
    assert count(db) == before
    assert not list(tmp_path.glob("r1.*"))
