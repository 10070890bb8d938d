"""What DLProv records of the hardware, beyond provml's environment capture (host, OS, Python,
processor, GPUs visible to the process, packages): the architecture, whether the process runs in a
container, and the GPUs ``nvidia-smi`` lists when it exists.

Read once per process, at the first task of an execution (DLProv reads it there too).
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess

__all__ = ["hardware_attributes"]


def _in_container() -> bool:
    try:
        with open("/proc/1/cgroup", encoding="utf-8", errors="replace") as cgroup:
            if any(
                word in cgroup.read() for word in ("docker", "kubepods", "containerd", "podman")
            ):
                return True
    except OSError:
        pass
    return os.path.exists("/.dockerenv") or os.path.exists("/run/.containerenv")


def _gpus() -> str | None:
    """The GPU names ``nvidia-smi`` reports, comma-separated; None without it."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        listed = subprocess.run(
            [smi, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return ", ".join(line.strip() for line in listed.splitlines() if line.strip()) or None


@functools.lru_cache(maxsize=1)
def hardware_attributes() -> dict[str, str | bool]:
    """``hardware.*`` attributes of an execution (run attributes, next to its environment)."""
    found: dict[str, str | bool] = {
        "hardware.architecture": platform.machine(),
        "hardware.in_container": _in_container(),
    }
    gpus = _gpus()
    if gpus:
        found["hardware.gpus"] = gpus
    return found
