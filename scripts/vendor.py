"""Refresh or check the web UI's vendored JavaScript libraries (services/static/vendor).

``services/static/vendor/manifest.json`` lists each library: npm name, exact version, licence, the
registry's integrity (sha512 of the tarball) and the files taken from the tarball, with the sha256
of each as vendored.

    python scripts/vendor.py            fetch every listed version with ``npm pack``, verify the
                                        tarball against the manifest's integrity, copy the files
                                        and record their sha256
    python scripts/vendor.py --check    offline: every vendored file is there with its sha256
    python scripts/vendor.py --bump NAME@VERSION
                                        take the integrity of another version from the registry
                                        (``npm view``), then refresh

Needs ``npm`` for a refresh or a bump, nothing for a check.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "services" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _pack(name: str, version: str, integrity: str, folder: Path) -> tarfile.TarFile:
    """The package's tarball from the registry, refused unless it has the expected integrity."""
    answer = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(folder), f"{name}@{version}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    filename = json.loads(answer.stdout)[0]["filename"]
    data = (folder / filename).read_bytes()
    if _integrity(data) != integrity:
        raise SystemExit(f"{name}@{version}: the tarball's integrity is not the manifest's")
    return tarfile.open(folder / filename)


def _copy(package: dict[str, Any], source: dict[str, Any], folder: Path) -> None:
    with _pack(source["name"], source["version"], source["integrity"], folder) as tar:
        for member, target in source["files"].items():
            extracted = tar.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{source['name']}@{source['version']}: no file {member}")
            data = extracted.read()
            path = VENDOR / package["folder"] / target["to"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            target["sha256"] = _sha256(data)


def refresh(manifest: dict[str, Any]) -> None:
    """Fetch, verify and copy every package's files; record their sha256 in the manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        for package in manifest["packages"]:
            _copy(package, package, Path(tmp))
            if "license_from" in package:
                _copy(package, package["license_from"], Path(tmp))
            print(f"{package['name']}@{package['version']}: {package['folder']}/")
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")


def check(manifest: dict[str, Any]) -> list[str]:
    """Problems of the vendored files: missing, changed, or a package without a licence file."""
    problems = []
    for package in manifest["packages"]:
        files = dict(package["files"])
        files.update(package.get("license_from", {}).get("files", {}))
        targets = [t["to"] for t in files.values()]
        if "LICENSE" not in targets:
            problems.append(f"{package['name']}: no LICENSE file vendored")
        for target in files.values():
            path = VENDOR / package["folder"] / target["to"]
            if not path.is_file():
                problems.append(f"{path.relative_to(ROOT)}: missing")
            elif _sha256(path.read_bytes()) != target.get("sha256"):
                problems.append(f"{path.relative_to(ROOT)}: not the file the manifest records")
    return problems


def bump(manifest: dict[str, Any], spec: str) -> None:
    """Point a package at another version, with the registry's integrity for it."""
    name, _, version = spec.rpartition("@")
    package = next((p for p in manifest["packages"] if p["name"] == name), None)
    if package is None or not version:
        raise SystemExit(f"--bump needs NAME@VERSION of a listed package, not {spec!r}")
    answer = subprocess.run(
        ["npm", "view", "--json", f"{name}@{version}", "dist.integrity", "license"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    facts = json.loads(answer.stdout)
    package.update(
        version=version, integrity=facts["dist.integrity"], license=facts.get("license", "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify the vendored files, offline")
    parser.add_argument("--bump", metavar="NAME@VERSION", help="move a package to another version")
    args = parser.parse_args(argv)
    manifest = json.loads(MANIFEST.read_text())
    if args.check:
        problems = check(manifest)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if args.bump:
        bump(manifest, args.bump)
    refresh(manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
