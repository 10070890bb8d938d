"""End to end: the demo's real trainings through a real manager, answers checked against the
numbers the trainings recorded themselves."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from services.demo import Config, run_demo

ROOT = Path(__file__).resolve().parents[2]
GRID = (Config(hidden=8, lr=0.1), Config(hidden=32, lr=0.02))
EPOCHS = 4


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    cwd = Path.cwd()
    os.chdir(folder)  # the client's spool and the default paths stay in the temp folder
    try:
        console = Console(file=open(folder / "out.txt", "w"), width=120)  # noqa: SIM115
        result = run_demo(
            f"oxigraph:{folder / 'store'}",
            out=folder / "export",
            grid=GRID,
            epochs=EPOCHS,
            console=console,
        )
        console.file.close()
    finally:
        os.chdir(cwd)
    return result, folder


def test_every_training_is_ranked_with_its_own_test_accuracy(demo) -> None:
    result, _ = demo
    ranked = result.answers["rank-trainings"]
    expected = sorted(result.outcomes, key=lambda o: -o.test_accuracy)
    assert [r["value"] for r in ranked] == [o.test_accuracy for o in expected]
    assert {r["run"].rsplit("/", 1)[-1] for r in ranked} == {o.run_id for o in result.outcomes}
    best = next(o for o in result.outcomes if result.best_run.endswith(o.run_id))
    assert best.test_accuracy == max(o.test_accuracy for o in result.outcomes)
    assert f"hidden_units={best.config.hidden}" in ranked[0]["hyperparameters"]
    assert f"lr={best.config.lr}" in ranked[0]["hyperparameters"]


def test_loss_curve_and_lr_changes_are_the_trainings_own(demo) -> None:
    result, _ = demo
    best = next(o for o in result.outcomes if result.best_run.endswith(o.run_id))
    assert [(r["epoch"], r["value"]) for r in result.answers["training-curve"]] == [
        (epoch, metrics["loss"]) for epoch, metrics in enumerate(best.curve)
    ]
    assert [(r["epoch"], r["value"]) for r in result.answers["val-curve"]] == [
        (epoch, metrics["val_loss"]) for epoch, metrics in enumerate(best.curve)
    ]
    changes = [
        (r["epoch"], r["value"])
        for r in result.answers["hyperparameters-by-epoch"]
        if r["hyperparameter"] == "lr" and r["adapted"] and r["epoch"] == r["since_epoch"]
    ]
    assert changes == best.lr_changes
    assert [e for e, _ in best.lr_changes] == [EPOCHS // 2, 3 * EPOCHS // 4]


def test_lineage_reaches_the_raw_data_and_the_domain_entity(demo) -> None:
    result, _ = demo
    edges = {(r["relation"], r["target_type"]) for r in result.answers["lineage"]}
    assert ("evaluatedModel", "Model") in edges
    assert ("wasGeneratedBy", "TrainingExecution") in edges
    assert ("wasDerivedFrom", "KnowledgeGraphReference") in edges
    targets = {r["target"] for r in result.answers["lineage"] if r["relation"] == "refersTo"}
    assert targets == {"https://archive.ics.uci.edu/dataset/80"}


def test_export_validation_and_files(demo) -> None:
    result, folder = demo
    assert result.violations == 0 and result.quarantined == 0
    assert result.validated_triples > 500
    provn = result.exports["provn"].read_text()
    assert provn.startswith("document") and "mlp-h" in provn
    document = json.loads(result.exports["provjson"].read_text())
    assert {"activity", "entity", "used", "wasGeneratedBy"} <= set(document)
    if shutil.which("dot"):
        assert result.exports["svg"].read_text().lstrip().startswith(("<?xml", "<svg"))
        assert result.exports["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert (result.exports["provn"].parent / "provenance.dot").read_text().startswith("digraph")
    models = sorted((folder / "export" / "models").glob("*.pkl"))
    assert len(models) == len(GRID)
    printed = (folder / "out.txt").read_text()
    assert "Trainings ranked by test accuracy" in printed and "0 violations" in printed


@pytest.mark.integration
def test_provml_demo_command_reuses_its_default_store(tmp_path: Path) -> None:
    """`provml demo` as the README runs it: no arguments, default store in the working folder,
    reused by a second run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "services.cli", "demo", "--epochs", "4"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "0 violations" in done.stdout
        assert "provml ask training-curve" in done.stdout
        assert "the web UI at http://127.0.0.1:7080/" in done.stdout
    assert (tmp_path / "provml-data").is_dir()
    assert len(list((tmp_path / "provml-export" / "models").glob("*.pkl"))) == 8


@pytest.mark.integration
def test_provml_demo_serve_keeps_the_web_ui_up_until_ctrl_c(tmp_path: Path) -> None:
    """`provml demo --serve` prints the UI's URL, serves it, and stops cleanly on Ctrl-C."""
    import re
    import signal

    import httpx

    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "services.cli", "demo", "--epochs", "4", "--serve"]
    command += ["--store", "memory:"]
    # started as a background job of a shell without job control would start it: SIGINT ignored
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            found = re.search(r"The web UI: (http://127\.0\.0\.1:\d+)/", line)
            if found:
                break
        assert found, "".join(lines)[-3000:]
        page = httpx.get(found.group(1) + "/", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "/static/ui/app.js" in page.text
        runs = httpx.get(found.group(1) + "/api/v1/runs", timeout=30).json()
        assert runs["total"] == 5  # the preparation and four trainings
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
