"""A real full disk under a real manager: the store lives on a small tmpfs that the test fills with
a file. While the disk is full, writes are refused (503) and ``/health/ready`` says not ready;
once the file is gone, the store recovers by itself (no restart) and takes writes again.

Mounting a tmpfs needs root, which the development machines and CI have.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.batches import new_id, training_run
from tests.integration.conftest import run_manager

pytestmark = pytest.mark.integration


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs of its own."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(path: Path) -> None:
    """Write ``path`` until the disk has no space left (unbuffered: a buffered file would try to
    write the part of the last block that did not fit again when closed, and fail there)."""
    with path.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == 28  # ENOSPC


def capture(client: httpx.Client, epochs: int = 20) -> httpx.Response:
    return client.post("/api/v1/capture", json=training_run(new_id(), epochs=epochs))


def test_writes_resume_and_readiness_follows_once_space_is_back(disk: Path, tmp_path: Path) -> None:
    with run_manager(f"oxigraph:{disk / 'store'}", tmp_path) as manager, manager.client() as client:
        assert capture(client).status_code == 200
        assert client.get("/health/ready").status_code == 200
        acknowledged = manager.count()

        fill(disk / "filler")
        refused = None
        for _ in range(50):  # the write-ahead log's buffer takes a few batches before it must grow
            response = capture(client)
            if response.status_code != 200:
                refused = response
                break
            acknowledged = manager.count()
        assert refused is not None, "no write failed on a full disk"
        assert (refused.status_code, refused.json()["error"]) == (503, "store_unavailable")
        not_ready = client.get("/health/ready")
        assert (not_ready.status_code, not_ready.json()["error"]) == (503, "store_unavailable")
        assert client.get("/health/live").status_code == 200
        assert manager.count() == acknowledged  # reads go on; the refused batch left nothing

        (disk / "filler").unlink()
        assert client.get("/health/ready").status_code == 200
        assert capture(client).status_code == 200
        assert manager.count() > acknowledged


def test_a_manager_that_recovered_keeps_its_data_across_a_restart(
    disk: Path, tmp_path: Path
) -> None:
    store = f"oxigraph:{disk / 'store'}"
    with run_manager(store, tmp_path) as manager, manager.client() as client:
        assert capture(client).status_code == 200
        fill(disk / "filler")
        statuses = [capture(client).status_code for _ in range(50)]
        assert 503 in statuses
        (disk / "filler").unlink()
        assert capture(client).status_code == 200
        count = manager.count()
    with run_manager(store, tmp_path) as restarted:
        assert restarted.count() == count
