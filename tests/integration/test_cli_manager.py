"""The command line against a running manager (a real ``provml serve`` on an on-disk store, fed
by the capture client): ``ask``, ``sparql`` and ``export`` with ``--manager``, ``PROVML_MANAGER``
and the plain ``sparql+http://HOST:PORT`` store URI; the hint printed for a locked store; tokens;
``provml serve`` on a busy port and on port 0; ``provml --version``."""

from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

import provlake as pl
from services.store import open_store
from tests.servers import stop_process, wait_until_ready

from .batches import BASE
from .conftest import ROOT, Manager, clean_env, run_manager

pytestmark = pytest.mark.integration

RUN = "cli-manager-1"
RUN_GRAPH = f"{BASE}graph/run/{RUN}"


def capture(manager: str, spool: Path) -> None:
    """A small training captured by the client: 5 epochs with two metrics, an LR change, a model
    and its evaluation."""
    lr = 0.1
    with pl.start_run("cli-training", study="cli", run_id=RUN, manager=manager,
                      spool_dir=str(spool), capture_environment=False) as run:  # fmt: skip
        data = run.dataset("digits", source="sklearn", record_count=1797)
        with run.stage("training", kind="training", hyperparameters={"lr": lr, "batch": 32},
                       used=[data], planned_epochs=5) as train:  # fmt: skip
            for epoch in range(5):
                with train.section("epoch", epoch) as ep:
                    ep.log_metrics(loss=1.0 / (epoch + 1), val_loss=1.2 / (epoch + 1))
                if epoch == 2:
                    lr /= 10
                    train.adapt_hyperparameter("lr", lr, epoch=epoch)
            model = train.model("mlp", uri="file:mlp.pkl")
        with run.stage("evaluation", kind="evaluation", used=[model]) as ev:
            ev.log_metric("test_accuracy", 0.93, model=model, data=data)
        run.flush(acknowledged=True)


def provml(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def select(manager: Manager, query: str) -> list[dict[str, str]]:
    answer = httpx.get(manager.url + "/sparql", params={"query": query}, timeout=60)
    answer.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in answer.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    folder = tmp_path_factory.mktemp("cli-manager")
    with run_manager(f"oxigraph:{folder / 'kg'}", folder) as manager:
        capture(manager.url, folder / "spool")
        yield manager


def test_export_through_the_manager_holds_the_whole_run(tmp_path: Path) -> None:
    with run_manager(f"oxigraph:{tmp_path / 'kg'}", tmp_path) as manager:
        capture(manager.url, tmp_path / "spool")
        held = select(
            manager, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{RUN_GRAPH}> {{ ?s ?p ?o }} }}"
        )
        run_triples = int(held[0]["n"])
        graph = httpx.get(manager.url + "/store", params={"graph": RUN_GRAPH},
                          headers={"Accept": "application/n-triples"}, timeout=60)  # fmt: skip
        expected = {q.triple for q in ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES)}
        assert len(expected) == run_triples > 100
        host = manager.url.removeprefix("http://")
        exports = {
            "--manager": provml(
                "export",
                "--run",
                RUN,
                "--format",
                "ntriples",
                "--manager",
                manager.url,
                cwd=tmp_path,
            ),
            "PROVML_MANAGER": provml(
                "export", "--run", RUN, "--format", "ntriples", cwd=tmp_path, PROVML_MANAGER=host
            ),
            "sparql+http": provml(
                "export",
                "--run",
                RUN,
                "--format",
                "ntriples",
                "--store",
                f"sparql+{manager.url}",
                cwd=tmp_path,
            ),
        }
    for how, done in exports.items():
        assert done.returncode == 0, f"{how}: {done.stderr}"
        exported = {q.triple for q in ox.parse(done.stdout.encode(), format=ox.RdfFormat.N_TRIPLES)}
        assert expected <= exported, f"{how}: {len(expected - exported)} run triples missing"
        assert len(exported) > run_triples  # and the catalogue nodes the run reaches
    # the manager stopped: the same export straight from its on-disk store, byte for byte
    embedded = provml("export", "--run", RUN, "--format", "ntriples", "--store",
                      f"oxigraph:{tmp_path / 'kg'}", cwd=tmp_path)  # fmt: skip
    assert embedded.returncode == 0, embedded.stderr
    assert {how: done.stdout for how, done in exports.items()} == dict.fromkeys(
        exports, embedded.stdout
    )


def test_ask_and_sparql_through_the_manager(captured: Manager, tmp_path: Path) -> None:
    over_http = httpx.get(
        f"{captured.url}/api/v1/questions/training-curve",
        params={"run": RUN, "measure": "loss"},
        timeout=60,
    ).json()["rows"]
    assert len(over_http) == 5
    asked = provml("ask", "training-curve", "-p", f"run={RUN}", "-p", "measure=loss",
                   "--manager", captured.url, "--format", "json", cwd=tmp_path)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout) == over_http
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counted = provml("sparql", count, "--format", "json", cwd=tmp_path,
                     PROVML_MANAGER=captured.url)  # fmt: skip
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout) == [{"n": int(select(captured, count)[0]["n"])}]
    plain = provml("sparql", count, "--format", "json", "--store", f"sparql+{captured.url}",
                   cwd=tmp_path)  # fmt: skip
    assert plain.stdout == counted.stdout


def test_a_locked_store_prints_a_command_that_works(captured: Manager, tmp_path: Path) -> None:
    argv = ["ask", "best-epoch", "-p", f"run={RUN}", "-p", "measure=val_loss", "--format", "json"]
    locked = provml(*argv, "--store", captured.store, cwd=tmp_path)
    assert locked.returncode == 1
    assert "already in use" in locked.stderr
    suggested = [
        line.strip() for line in locked.stderr.splitlines() if line.strip().startswith("provml ")
    ]
    assert suggested == [f"provml {shlex.join(argv)} --manager {captured.url}"]
    done = provml(*shlex.split(suggested[0])[1:], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [row["epoch"] for row in json.loads(done.stdout)] == [4]


def test_a_manager_that_needs_a_token(tmp_path: Path) -> None:
    with run_manager("memory:", tmp_path, PROVML_READ_TOKEN="r3ad") as guarded:
        argv = ["sparql", "ASK { ?s ?p ?o }", "--manager", guarded.url]
        refused = provml(*argv, cwd=tmp_path)
        assert refused.returncode == 1
        assert "401" in refused.stderr and "bearer token" in refused.stderr
        assert provml(*argv, "--token", "r3ad", cwd=tmp_path).stdout.strip() == "false"
        assert provml(*argv, cwd=tmp_path, PROVML_TOKEN="r3ad").stdout.strip() == "false"
        wrong = provml("export", "--all", "--format", "nquads", "--manager", guarded.url,
                       "--token", "nope", cwd=tmp_path)  # fmt: skip
        assert wrong.returncode == 1 and "401" in wrong.stderr


def test_the_manager_note_lives_as_long_as_the_manager(tmp_path: Path) -> None:
    note = tmp_path / "kg.manager.json"
    with run_manager(f"oxigraph:{tmp_path / 'kg'}", tmp_path) as manager:
        assert json.loads(note.read_text())["url"] == manager.url
    assert not note.exists()


def test_serve_on_a_busy_port_fails_before_claiming_to_be_up(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = provml("serve", "--store", f"oxigraph:{tmp_path / 'kg'}", "--port", str(port),
                      cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1
    assert "provml manager on" not in done.stdout
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "in use" in done.stderr
    with open_store(f"oxigraph:{tmp_path / 'kg'}") as store:  # released on the way out
        assert store.count() == 0


def test_serve_on_port_0_names_the_port_it_took(tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--store", "memory:", "--port", "0"],
            cwd=tmp_path, env=clean_env(), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not log.read_text().endswith("\n") and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.05)
        first = log.read_text().splitlines()[0]
        url = re.fullmatch(
            r"provml manager on (http://127\.0\.0\.1:(\d+))/ \(store memory:\)", first
        )
        assert url and int(url.group(2)) > 0, first
        wait_until_ready(url.group(1) + "/health/live", process, log=log)
        assert httpx.get(url.group(1) + "/", timeout=10).json()["links"]["sparql"] == "/sparql"
    finally:
        stop_process(process)


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "--version"],
        cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.strip() == f"provml {version('provml')}"
