"""Real manager servers: ``python -m services.cli serve`` in a subprocess on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
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
