"""Real manager servers: ``python -m services.cli serve`` in a subprocess on a free port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, stop_process, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Manager:
    """A running manager: its base URL, its store URI and its log file."""

    url: str
    store: str
    log: Path

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60.0)

    def count(self) -> int:
        """Quads in the store, through /sparql."""
        r = httpx.get(
            self.url + "/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            timeout=60.0,
        )
        r.raise_for_status()
        return int(r.json()["results"]["bindings"][0]["n"]["value"])


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without PROVML_* settings, plus ``settings`` and PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


@contextmanager
def run_manager(
    store: str, log_dir: Path, *, host: str = "127.0.0.1", **settings: str
) -> Iterator[Manager]:
    """Start ``provml serve --store STORE --host HOST --port <free>`` with ``PROVML_*`` settings."""
    port = free_port()
    log = log_dir / f"manager-{port}.log"
    command = [sys.executable, "-m", "services.cli", "serve", "--store", store, "--host", host]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--log-level", "warning"],
            cwd=log_dir,
            env=clean_env(**settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{host}:{port}"
    try:
        wait_until_ready(url + "/health/live", process, timeout=60.0, log=log)
        yield Manager(url=url, store=store, log=log)
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Manager]:
    """One manager per test module on its own on-disk store, writes open (loopback, no token)."""
    folder = tmp_path_factory.mktemp("manager")
    with run_manager(f"oxigraph:{folder / 'store'}", folder) as running:
        yield running


@pytest.fixture(scope="session")
def provlake_0_2_982() -> Path:
    """A folder holding provlake==0.2.982 and its dependencies, installed once (cached in the temp
    dir between runs). Never on the project's own path: the project's package is also `provlake`."""
    version = f"py{sys.version_info.major}{sys.version_info.minor}"
    target = Path(tempfile.gettempdir()) / f"provml-tests-provlake-0.2.982-{version}"
    if (target / "provlake" / "capture" / "__init__.py").exists():
        return target
    staging = target.with_name(f"{target.name}.{uuid.uuid4().hex}")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-input", "--target", str(staging), "--ignore-requires-python", "--only-binary=:all:",
         "provlake==0.2.982", "requests-futures", "pandas", "numpy"],
        check=True,
        timeout=600,
    )  # fmt: skip
    try:
        staging.rename(target)
    except OSError:  # another run installed it first
        shutil.rmtree(staging, ignore_errors=True)
    return target


@dataclass(frozen=True)
class OfflineLog:
    """The log file the ProvLake 0.2.982 library wrote offline: one JSON list of messages a line,
    each line a request body for ``/provenance/api/retrospective-provenance``."""

    lr: float
    path: Path
    lines: tuple[str, ...]

    @property
    def messages(self) -> list[dict]:
        return [m for line in self.lines for m in json.loads(line)]

    @property
    def run(self) -> str:
        """The client run id the manager mints: ``repr`` of the float execution id."""
        return repr(self.messages[0]["prov_obj"]["wf_execution"])


@pytest.fixture(scope="session")
def offline_logs(
    provlake_0_2_982: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[float, OfflineLog]:
    """tests/integration/legacy_training.py run offline with the real provlake==0.2.982, once per
    learning rate (0.1, then 0.05)."""
    folder = tmp_path_factory.mktemp("offline")
    script = Path(__file__).with_name("legacy_training.py")
    logs = {}
    for lr in (0.1, 0.05):
        log = folder / f"prov-{lr}.log"
        done = subprocess.run(
            [sys.executable, str(script), str(log), str(lr)],
            cwd=folder,
            env={**clean_env(), "PYTHONPATH": str(provlake_0_2_982)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        lines = tuple(line for line in log.read_text().splitlines() if line.strip())
        logs[lr] = OfflineLog(lr, log, lines)
    return logs
