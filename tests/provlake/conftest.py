"""Fixtures for the capture-client tests: a real HTTP receiver in a subprocess, stoppable and
restartable.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import provlake

# scripts run as subprocesses by the tests; --doctest-modules must not import (run) them
collect_ignore = ["legacy_scripts", "crash_child.py", "recording_server.py"]

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for key in [k for k in env if k.startswith("PROVML_")]:
        del env[key]
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingServer:
    """``recording_server.py`` on a fixed port; ``stop()`` kills it, ``start()`` brings it back."""

    def __init__(self, out: Path, port: int | None = None) -> None:
        self.out = out
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, status: int = 200) -> RecordingServer:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "recording_server.py"),
                "--port",
                str(self.port),
                "--out",
                str(self.out),
                "--status",
                str(status),
            ],
            env=subprocess_env(),
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == b"ready"
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def entries(self) -> list[dict]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line]

    def records(self) -> list[dict]:
        return [r for e in self.entries() for r in e["batch"]["records"]]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict]:
        """Records received, once at least ``count`` arrived (or the deadline passed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            records = self.records()
            if len(records) >= count:
                return records
            time.sleep(0.05)
        return self.records()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RecordingServer]:
    srv = RecordingServer(tmp_path / "received.jsonl").start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No PROVML_* from the outside; the spool in a tmp dir; no legacy persister left over."""
    for key in [k for k in os.environ if k.startswith("PROVML_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("PROVML_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("PROVML_CAPTURE_ENVIRONMENT", "0")
    yield
    provlake.ProvLake._persister_singleton_instance = None
