"""Client → a real manager (``provml serve``, uvicorn) → an on-disk Oxigraph store, over HTTP.

The manager is killed in the middle of a run and restarted on the same port and store: the client
spools meanwhile and delivers everything, in order, once it is back.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import provlake as pl
from provlake.vocab import MLS, PROV, PROVML
from tests.servers import free_port, wait_until_ready

from .conftest import HERE, ROOT, subprocess_env

pytestmark = pytest.mark.integration
FAST = {"backoff": 0.05, "max_backoff": 0.2, "max_retries": 1, "flush_interval": 0.05}


class Manager:
    """``python -m services.cli serve`` on a fixed port; ``kill()``, then ``start()`` again."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.folder, self.env = folder, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Manager:
        command = [sys.executable, "-m", "services.cli", "serve", "--store",
                   f"oxigraph:{self.folder / 'store'}", "--port", str(self.port),
                   "--log-level", "warning"]  # fmt: skip
        log = (self.folder / "manager.log").open("ab")
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=subprocess_env(**self.env), stdout=log, stderr=log
        )
        wait_until_ready(self.url + "/health/ready", self.proc, timeout=60.0)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    def select(self, query: str) -> list[tuple[str, ...]]:
        url = self.url + "/sparql?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.load(response)
        names = answer["head"]["vars"]
        return [tuple(b[n]["value"] for n in names) for b in answer["results"]["bindings"]]


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[Manager]:
    running = Manager(tmp_path).start()
    yield running
    running.stop()


def train(run: pl.Run, epochs: range, on_epoch=None) -> pl.Stage:
    with run.stage("training", kind="training", hyperparameters={"lr": 0.1}) as stage:
        for epoch in epochs:
            with stage.section("epoch", epoch) as ep:
                ep.log_metrics(loss=1.0 / (epoch + 1), accuracy=epoch / 100)
            stage.adapt_hyperparameter("lr", 0.1 / (epoch + 2), epoch=epoch)
            if on_epoch is not None:
                on_epoch(epoch)
    return stage


def epochs_of(manager: Manager, run_id: str) -> list[int]:
    rows = manager.select(
        f"SELECT DISTINCT ?i WHERE {{ ?s a <{PROVML.LearningStageSectionExecution}> ; "
        f"<{PROVML.index}> ?i ; <{PROVML.isPartOf}> ?t . ?t <{PROVML.isPartOf}> "
        f"<http://provml.localhost/id/run/{run_id}> }} ORDER BY ?i"
    )
    return [int(i) for (i,) in rows]


def test_a_training_run_lands_in_the_store(manager: Manager, tmp_path: Path) -> None:
    options = {"spool_dir": str(tmp_path / "spool"), "capture_environment": True}
    with pl.start_run("digits-mlp", study="digits", manager=manager.url, **options) as run:
        data = run.dataset("digits", source="sklearn.datasets.load_digits")
        stage = train(run, range(4))
        model = stage.model("mlp", uri="file:model.pkl", derived_from=[data])
        with run.stage("evaluation", kind="evaluation", used=[model]) as ev:
            ev.log_metric("accuracy", 0.97, model=model, data=data)
    stats = run.client.stats()
    assert (stats["rejected_batches"], stats["spooled_records"]) == (0, 0)
    assert epochs_of(manager, run.id) == [0, 1, 2, 3]
    evaluated = manager.select(
        f"SELECT ?v WHERE {{ ?e <{PROVML.evaluatedModel}> <http://provml.localhost/id/entity/"
        f"{model.id}> ; <{MLS.hasValue}> ?v }}"
    )
    assert [float(v) for (v,) in evaluated] == [0.97]
    adaptations = manager.select(
        f"SELECT (COUNT(?a) AS ?n) WHERE {{ ?a a <{PROVML.HyperparameterAdaptation}> ; "
        f"<{PROV.wasRevisionOf}> ?p }}"
    )
    assert int(adaptations[0][0]) == 4


def test_the_manager_killed_mid_run_and_restarted(manager: Manager, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    client = pl.Client(manager.url, spool_dir=str(spool), **FAST)
    run = client.start_run("long-training")

    def outage(epoch: int) -> None:
        if epoch == 2:
            assert client.flush(30)
            manager.kill()  # SIGKILL: no graceful shutdown
        if epoch == 6:
            assert client.flush(30)  # safely spooled while the manager is down
            assert list((spool / "pending").glob("*/*.jsonl"))
            manager.start()

    train(run, range(10), on_epoch=outage)
    run.end()
    assert client.flush(30)
    deadline_epochs: list[int] = []
    for _ in range(200):
        deadline_epochs = epochs_of(manager, run.id)
        if len(deadline_epochs) == 10 and not list((spool / "pending").glob("*/*.jsonl")):
            break
        client.flush(1)
    client.close(30)
    assert deadline_epochs == list(range(10))
    losses = manager.select(
        f"SELECT (COUNT(?e) AS ?n) WHERE {{ ?e a <{PROVML.ModelEvaluation}> ; "
        f"<{PROV.wasGeneratedBy}> ?s . ?s <{PROVML.isPartOf}> ?t . ?t <{PROVML.isPartOf}> "
        f"<http://provml.localhost/id/run/{run.id}> }}"
    )
    assert int(losses[0][0]) == 20
    status = manager.select(
        f"SELECT ?s WHERE {{ <http://provml.localhost/id/run/{run.id}> <{PROVML.status}> ?s }}"
    )
    assert status == [("finished",)]


def test_bearer_token_required_and_refusals_kept(tmp_path: Path) -> None:
    manager = Manager(tmp_path, PROVML_TOKEN="s3cret").start()
    try:
        with pl.Client(manager.url, token="s3cret", spool_dir=str(tmp_path / "a")) as good:
            good.start_run("with-token").end()
            assert good.flush(30)
            assert good.stats()["rejected_batches"] == 0
        with pl.Client(manager.url, spool_dir=str(tmp_path / "b")) as anonymous:
            anonymous.start_run("without-token").end()
            assert anonymous.flush(30)
            assert anonymous.stats()["rejected_batches"] == 1
        assert len(list((tmp_path / "b" / "rejected").glob("*.jsonl"))) == 1
        names = manager.select(
            f"SELECT ?n WHERE {{ ?r a <{PROVML.LearningExperimentExecution}> ; "
            f"<{PROVML.executionOf}> ?x . ?x <http://www.w3.org/2000/01/rdf-schema#label> ?n }}"
        )
        assert names == [("with-token",)]
    finally:
        manager.stop()


def test_an_unmodified_legacy_script_against_the_manager(manager: Manager, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(HERE / "legacy_scripts" / "train_wf.py")],
        env=subprocess_env(SERVICE_URL=manager.url, PROVML_SPOOL_DIR=str(tmp_path / "spool")),
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    run_id = out.stdout.strip()
    rows = manager.select(
        f"SELECT ?s WHERE {{ <http://provml.localhost/id/run/{run_id}> a "
        f"<{PROVML.WorkflowExecution}> ; <{PROVML.status}> ?s }}"
    )
    assert rows == [("finished",)]
    tasks = manager.select(
        f"SELECT ?st WHERE {{ ?t a <{PROVML.DataTransformationExecution}> ; <{PROVML.status}> ?st ;"
        f" <{PROVML.isPartOf}>* <http://provml.localhost/id/run/{run_id}> }}"
    )
    assert sorted(s for (s,) in tasks) == ["failed", "finished", "finished", "finished"]
    assert not list((tmp_path / "spool" / "rejected").glob("*"))
