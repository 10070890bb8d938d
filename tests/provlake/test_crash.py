"""Crash safety: SIGKILL a capturing process, restart, replay; nothing lost or duplicated."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import HERE, RecordingServer, free_port, subprocess_env

pytestmark = pytest.mark.integration


def run_and_kill(transport: str, spool_dir: Path, after_lines: int = 8) -> int:
    """Start crash_child.py, SIGKILL it after it confirmed `after_lines` epochs; return the last
    count.
    """
    child = subprocess.Popen(
        [sys.executable, str(HERE / "crash_child.py"), transport, str(spool_dir)],
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    confirmed = 0
    for _ in range(after_lines):
        confirmed = int(child.stdout.readline())
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    return confirmed


def expected_types(n: int) -> list[str]:
    """The capture sequence of crash_child.py, first n records."""
    types = ["run.start", "stage.start"]
    while len(types) < n:
        types += ["section.start", "metric", "metric", "metric", "section.end"]
    return types[:n]


def check_prefix(records: list[dict], confirmed: int) -> None:
    crashed = [r for r in records if r["run"] == "crashed-run"]
    assert len(crashed) >= confirmed  # everything confirmed before the kill arrived
    assert len({r["id"] for r in crashed if not r["type"].endswith(".end")}) == sum(
        1 for r in crashed if not r["type"].endswith(".end")
    )  # nothing twice
    assert [r["type"] for r in crashed] == expected_types(len(crashed))  # in order, no gap
    sections = [r["index"] for r in crashed if r["type"] == "section.start"]
    assert sections == list(range(len(sections)))


def test_spool_survives_sigkill_and_is_sent_on_next_start(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    port = free_port()
    confirmed = run_and_kill(f"http://127.0.0.1:{port}", spool_dir)  # manager not running yet
    assert list((spool_dir / "pending").glob("*/*.jsonl"))
    server = RecordingServer(tmp_path / "received.jsonl", port).start()
    try:
        code = (
            "import sys, provlake as pl;"
            "c = pl.Client(sys.argv[1], spool_dir=sys.argv[2], capture_environment=False);"
            "c.start_run('restarted'); c.close(20)"
        )
        subprocess.run(
            [sys.executable, "-c", code, server.url, str(spool_dir)],
            env=subprocess_env(),
            check=True,
        )
        records = server.records()
    finally:
        server.stop()
    check_prefix(records, confirmed)
    assert records[-1]["name"] == "restarted"  # the crashed run's spool went first
    assert list((spool_dir / "pending").iterdir()) == []  # the dead folder taken over, removed


def test_file_spool_survives_sigkill_and_replays_with_the_cli(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl"
    confirmed = run_and_kill(f"file:{capture}", tmp_path / "spool")
    lines = capture.read_bytes().splitlines()
    torn = 0
    try:
        json.loads(lines[-1])
    except ValueError:
        torn = 1
    server = RecordingServer(tmp_path / "received.jsonl").start()
    try:
        cli = [
            sys.executable,
            "-m",
            "services.cli",
            "replay",
            str(capture),
            "--manager",
            server.url,
        ]
        first = subprocess.run(cli, env=subprocess_env(), capture_output=True, text=True)
        assert first.returncode == torn, first.stderr
        assert f"{torn} unreadable lines" in first.stdout
        once = server.records()
        second = subprocess.run(cli, env=subprocess_env(), capture_output=True, text=True)
        assert second.returncode == torn
        twice = server.records()
    finally:
        server.stop()
    check_prefix(once, confirmed)
    assert twice[len(once) :] == once  # a replay sends the very same records (same ids): idempotent
