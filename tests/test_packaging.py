"""The wheel ships every data file the packages open, and an installed copy runs without the source
tree: the ontology files are found, and ``provml demo`` runs from an unrelated folder."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Not copied for the build: setuptools reuses an existing build/ dir, which could ship stale files.
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "provml-*"
)
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]

PROBE = """
import json, ontology
print(json.dumps({
    "module": ontology.__file__,
    "ontology": str(ontology.path("provml.ttl")),
    "shapes": str(ontology.path("shapes.ttl")),
    "context": str(ontology.path("context.jsonld")),
    "mls": str(ontology.path("imports/mls.ttl")),
    "valid": [str(p) for p in ontology.examples("valid")],
    "invalid": [str(p) for p in ontology.examples("invalid")],
}))
"""


def _isolation_flags() -> list[str]:
    """Build with this interpreter's setuptools when it reads PEP 639 licence strings (>= 77).

    The ``test`` extra requires it; an older setuptools (the one Python 3.11's venv bundles) cannot
    read ``license = "Apache-2.0"``, so pip then builds in an isolated environment instead.
    """
    try:
        major = int(version("setuptools").split(".")[0])
    except PackageNotFoundError:
        major = 0
    return ["--no-build-isolation"] if major >= 77 else []


def _packaging() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _data_files() -> set[str]:
    """Every file of the packages that is not Python source (what the code opens at run time)."""
    found = set()
    for pattern in _packaging()["packages"]["find"]["include"]:
        for folder in ROOT.glob(pattern.rstrip("*")):
            for path in folder.rglob("*"):
                parts = path.relative_to(ROOT).parts
                if (
                    path.is_file()
                    and path.suffix not in {".py", ".pyc"}
                    and not any(p == "__pycache__" or p.startswith(".") for p in parts)
                ):
                    found.add("/".join(parts))
    return found


def test_package_data_globs_match_the_data_files() -> None:
    """Each package-data glob names files that exist, and every data file is under one of them."""
    globs = _packaging()["package-data"]
    covered = set()
    for package, patterns in globs.items():
        for pattern in patterns:
            files = (p for p in (ROOT / package).glob(pattern) if p.is_file())
            matched = {p.relative_to(ROOT).as_posix() for p in files}
            assert matched, f"package data {package}: {pattern!r} matches no file"
            covered |= matched
    assert _data_files() - covered == set()
    assert "services/demo/digits-domain.ttl" in covered


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once from a copy of the sources."""
    folder = tmp_path_factory.mktemp("wheel")
    source, wheels = folder / "src", folder / "wheels"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    subprocess.run(
        [*PIP, "wheel", "--no-deps", *_isolation_flags(), "-w", str(wheels), str(source)],
        check=True,
        timeout=240,
    )
    (built,) = wheels.glob("provml-*.whl")
    return built


@pytest.mark.integration
def test_wheel_holds_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert _data_files() - names == set()


@pytest.mark.integration
def test_the_wheel_requires_what_provml_demo_imports(wheel: Path) -> None:
    """A plain ``pip install`` (no extras) must be enough for ``provml demo``: every package the
    demo imports is a requirement of the wheel without an ``extra ==`` marker."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(metadata).decode().splitlines()
    required = {
        line.removeprefix("Requires-Dist: ").split(";")[0].split("[")[0].split(">")[0].strip()
        for line in lines
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    }
    demo = ROOT / "services" / "demo"
    imported = {"sklearn": "scikit-learn", "numpy": "numpy", "rich": "rich", "httpx": "httpx"}
    used = {
        dist
        for module, dist in imported.items()
        if any(
            f"import {module}" in f.read_text() or f"from {module}" in f.read_text()
            for f in demo.glob("*.py")
        )
    }
    assert "scikit-learn" in used  # the scan reads the demo's sources
    assert used <= required, used - required


def test_installed_wheel_ships_the_ontology_files(wheel: Path, tmp_path: Path) -> None:
    target, elsewhere = tmp_path / "site", tmp_path / "cwd"
    elsewhere.mkdir()
    subprocess.run(
        [*PIP, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, timeout=120
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    found = json.loads(out.stdout)
    paths = [found[k] for k in ("module", "ontology", "shapes", "context", "mls")]
    paths += found["valid"] + found["invalid"]
    for path in paths:
        assert Path(path).is_relative_to(target), path
        assert Path(path).is_file(), path
    names = {Path(p).name for p in found["valid"]}
    assert "training.ttl" in names
    assert len(found["invalid"]) == len(list((ROOT / "ontology/examples/invalid").glob("*.ttl")))


@pytest.fixture
def installed(wheel: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh venv holding the wheel (not editable). Its dependencies are this interpreter's
    site-packages, added as plain path entries: their ``.pth`` files (among them the editable
    install of the source tree) are not processed, so ``provml`` can only come from the wheel."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (purelib,) = (venv / "lib").glob("python3*/site-packages")
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    python = venv / "bin" / "python"
    subprocess.run(
        [*PIP, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=120,
    )
    yield venv


@pytest.mark.integration
def test_demo_runs_from_an_installed_wheel(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    provml = installed / "bin" / "provml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PROVML_"))}
    env |= {"PATH": os.defpath, "COLUMNS": "200"}
    probe = subprocess.run(
        [installed / "bin" / "python", "-c", "import services; print(services.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(installed), probe.stdout
    done = subprocess.run(
        [provml, "demo", "--store", "memory:", "--epochs", "4", "--out", "export"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Trainings ranked by test accuracy" in out
    assert "SHACL (pyshacl): 0 violations" in out and "0 batches in quarantine" in out
    assert len(list((elsewhere / "export" / "models").glob("*.pkl"))) == 4
    # provml is not on PATH here: the commands printed name the executable that ran.
    assert f"\n  {provml} ask --list" in out
    assert f"\n  {provml} ask training-curve --store memory: --param run=" in out
    assert "\n  provml " not in out
