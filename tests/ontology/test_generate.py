"""``provml vocab generate``: the derived files are current, and staleness is reported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import ontology
from services._vocabgen import REPO_ROOT, generated_files, stale_files

DERIVED = [
    "provlake/vocab.py",
    "ontology/context.jsonld",
    "docs/ontology.md",
    "docs/ontology.dot",
    "services/ingest/shape-needs.json",
]


def _provml(*args: str, path: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "vocab", "generate", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_checked_in_files_are_current():
    result = _provml("--check")
    assert result.returncode == 0, result.stderr


def test_generated_files_cover_the_derived_artefacts():
    files = generated_files(REPO_ROOT)
    assert sorted(str(p.relative_to(REPO_ROOT)) for p in files) == sorted(DERIVED)
    assert stale_files(files) == []


def test_check_reports_each_stale_file_but_not_the_svg(tmp_path):
    assert _provml("--root", str(tmp_path)).returncode == 0
    for name in DERIVED:
        assert (tmp_path / name).is_file(), name
    assert _provml("--check", "--root", str(tmp_path)).returncode == 0

    md = tmp_path / "docs" / "ontology.md"
    md.write_text(md.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    (tmp_path / "docs" / "ontology.dot").unlink()
    (tmp_path / "docs" / "ontology.svg").write_text("<svg/>", encoding="utf-8")
    result = _provml("--check", "--root", str(tmp_path))
    assert result.returncode == 1
    reported = {line.split()[1] for line in result.stderr.splitlines() if line.startswith("stale:")}
    assert reported == {str(md), str(tmp_path / "docs" / "ontology.dot")}


def test_svg_is_rendered_when_dot_is_installed(tmp_path):
    result = _provml("--root", str(tmp_path))
    svg = tmp_path / "docs" / "ontology.svg"
    if shutil.which("dot"):
        assert f"wrote {svg}" in result.stdout
        text = svg.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<?xml") and "provml:TrainingExecution" in text
    else:
        assert "Graphviz `dot` is not on PATH" in result.stdout
        assert not svg.exists()


def test_without_dot_the_svg_is_skipped_with_a_note(tmp_path):
    result = _provml("--root", str(tmp_path), path=str(tmp_path / "no-bin"))
    assert result.returncode == 0, result.stderr
    assert "Graphviz `dot` is not on PATH" in result.stdout
    assert not (tmp_path / "docs" / "ontology.svg").exists()
    assert (tmp_path / "docs" / "ontology.dot").is_file()


def test_markdown_states_counts_namespace_and_mapping():
    text = (REPO_ROOT / "docs" / "ontology.md").read_text(encoding="utf-8")
    from provlake.vocab import PROVML

    names = [n for n in vars(PROVML) if not n.startswith("_") and n != "NS"]
    classes = [n for n in names if n[0].isupper()]
    assert f"{len(classes)} classes" in text
    assert "https://w3id.org/provml#" in text and "permanent-identifier service" in text
    assert "| provml:HyperparameterAdaptation | prov:Entity |" in text
    for name in names:
        assert f"### provml:{name}\n" in text, name
    assert Path(ontology.path(ontology.CONTEXT)).is_file()


def test_diagram_has_a_node_per_class_and_an_edge_per_subclass_axiom(ontology_graph):
    from rdflib.namespace import OWL, RDF, RDFS

    from services._ontodocs import render_dot
    from services._ontomodel import compact, load_model

    dot = render_dot(load_model())
    provml_classes = {
        c
        for c in ontology_graph.subjects(RDF.type, OWL.Class)
        if str(c).startswith(ontology.NAMESPACE)
    }
    for cls in provml_classes:
        assert f'"{compact(str(cls))}" [shape=box' in dot
    axioms = list(ontology_graph.subject_objects(RDFS.subClassOf))
    edges = [line for line in dot.splitlines() if "[arrowhead=empty]" in line]
    assert len(edges) == len(axioms) > len(provml_classes)
    for sub, sup in axioms:
        assert f'  "{compact(str(sub))}" -> "{compact(str(sup))}" [arrowhead=empty];' in edges
