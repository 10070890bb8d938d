"""Environment capture at run start: Python, imported packages' versions, host, OS, CPU/GPU, git
commit.

Runs on the flusher thread (the ``run.start`` record is completed there), never on the training
thread.
"""

from __future__ import annotations

import functools
import os
import platform
import socket
import sys
from pathlib import Path
from typing import Any

__all__ = ["capture_environment", "git_commit"]


def _packages() -> dict[str, str]:
    """Versions of the distributions providing the top-level modules imported so far."""
    from importlib import metadata

    try:
        providers = metadata.packages_distributions()
    except Exception:
        return {}
    found: dict[str, str] = {}
    for module in sorted({m.partition(".")[0] for m in list(sys.modules)}):
        for dist in providers.get(module, ()):
            if dist not in found:
                try:
                    found[dist] = metadata.version(dist)
                except metadata.PackageNotFoundError:
                    continue
    return found


def _accelerators() -> list[str]:
    """GPU names visible to this process, from the NVIDIA driver or an already imported torch."""
    names: list[str] = []
    torch = sys.modules.get("torch")
    try:
        if torch is not None and torch.cuda.is_available():
            names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:
        names = []
    if not names:
        root = Path("/proc/driver/nvidia/gpus")
        if root.is_dir():
            for info in sorted(root.glob("*/information")):
                for line in info.read_text(errors="replace").splitlines():
                    if line.startswith("Model:"):
                        names.append(line.split(":", 1)[1].strip())
    return names


def git_commit(start: str | Path | None = None) -> str | None:
    """The commit checked out in the git repository containing ``start`` (default: cwd), read from
    .git.
    """
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        dotgit = folder / ".git"
        if dotgit.is_file():  # a worktree or submodule: "gitdir: PATH"
            text = dotgit.read_text().strip()
            if not text.startswith("gitdir:"):
                return None
            dotgit = (folder / text.partition(":")[2].strip()).resolve()
        if not dotgit.is_dir():
            continue
        head = (dotgit / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head or None
        ref = head.partition(":")[2].strip()
        common = dotgit
        if (dotgit / "commondir").is_file():
            common = (dotgit / (dotgit / "commondir").read_text().strip()).resolve()
        for base in (dotgit, common):
            if (base / ref).is_file():
                return (base / ref).read_text().strip()
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text().splitlines():
                    sha, _, name = line.partition(" ")
                    if name == ref:
                        return sha
        return None
    return None


@functools.lru_cache(maxsize=1)
def _static() -> dict[str, Any]:
    return {
        "hostname": socket.gethostname(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "accelerators": _accelerators(),
    }


def capture_environment() -> dict[str, Any]:
    """The ``environment`` object of a ``run.start`` record."""
    env = dict(_static())
    env["packages"] = _packages()
    try:
        commit = git_commit()
    except OSError:
        commit = None
    if commit:
        env["git_commit"] = commit
    return env
