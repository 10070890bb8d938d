"""The wheel ships the ontology files: an installed copy finds them without the source tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Not copied for the build: setuptools reuses an existing build/ dir, which could ship stale files.
_NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "provml-*"
)

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


@pytest.mark.integration
def test_installed_wheel_ships_the_ontology_files(tmp_path):
    source, wheels = tmp_path / "src", tmp_path / "wheels"
    target, elsewhere = tmp_path / "site", tmp_path / "cwd"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", *_isolation_flags(), "-w", str(wheels), str(source)],
        check=True,
        timeout=240,
    )
    (wheel,) = wheels.glob("provml-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, timeout=120
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
