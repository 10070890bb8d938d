"""The demo's closing commands run as printed, whether or not ``provml`` is on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.demo._next import provml_command


@pytest.fixture
def venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out like a venv's bin/, with an executable ``provml`` and ``python``."""
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name in ("provml", "python"):
        (bin_ / name).write_text("#!/bin/sh\n")
        (bin_ / name).chmod(0o755)
    monkeypatch.chdir(tmp_path)
    return bin_


def test_not_on_path_prints_the_executable_that_ran(
    venv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", os.defpath)
    assert provml_command(".venv/bin/provml", str(venv / "python")) == ".venv/bin/provml"
    # started as `python -m services.cli` (or from Python): the provml beside the interpreter
    assert provml_command("/src/services/cli/__main__.py", str(venv / "python")) == (
        ".venv/bin/provml"
    )


def test_on_path_prints_the_bare_name(venv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{venv}{os.pathsep}{os.defpath}")
    assert provml_command(str(venv / "provml"), str(venv / "python")) == "provml"


def test_another_provml_on_path_is_not_taken_for_this_one(
    venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "provml").write_text("#!/bin/sh\n")
    (other / "provml").chmod(0o755)
    monkeypatch.setenv("PATH", f"{other}{os.pathsep}{os.defpath}")
    assert provml_command(str(venv / "provml"), str(venv / "python")) == ".venv/bin/provml"


def test_without_a_provml_executable_the_module_is_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    python = Path("/opt/py thon/bin/python3")
    assert provml_command("-c", str(python)) == "'/opt/py thon/bin/python3' -m services.cli"
