"""Helpers for tests that start real servers as subprocesses on free loopback ports.

``start_oxigraph_server(data_dir)`` runs ``oxigraph serve`` (from the ``oxigraph`` package,
installed next to the running Python) and yields its base URL once it answers; ``wait_until_ready``
does the same wait for any HTTP server a test starts itself (uvicorn, ...).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = [
    "free_port",
    "oxigraph_binary",
    "start_oxigraph_server",
    "stop_process",
    "wait_until_ready",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_binary() -> Path:
    """The ``oxigraph`` command installed with the running interpreter (the ``test`` extra)."""
    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        raise FileNotFoundError(
            f"{binary} not found: install the oxigraph package (the 'test' extra)"
        )
    return binary


def wait_until_ready(
    url: str, process: subprocess.Popen[bytes], *, timeout: float = 30.0, log: Path | None = None
) -> None:
    """Poll ``url`` until it answers below 500; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output = log.read_text(errors="replace") if log else ""
            raise RuntimeError(
                f"server exited with {process.returncode} before answering {url}\n{output}"
            )
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from {url} within {timeout} s")
        time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """Terminate ``process`` (SIGTERM); kill it if it still runs after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)


@contextmanager
def start_oxigraph_server(
    data_dir: Path, *, union_default_graph: bool = True, extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``oxigraph serve --location data_dir`` on a free port; yield its base URL.

    The base URL is ``http://127.0.0.1:PORT``; the store URI for it is ``"sparql+" + base_url``.
    """
    port = free_port()
    command = [
        str(oxigraph_binary()),
        "serve",
        "--location",
        str(data_dir),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if union_default_graph:
        command.append("--union-default-graph")
    command.extend(extra_args)
    with tempfile.NamedTemporaryFile(
        prefix="oxigraph-serve-", suffix=".log", delete=False
    ) as log_file:
        log = Path(log_file.name)
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base_url}/query?query=ASK%7B%7D", process, log=log)
        yield base_url
    finally:
        stop_process(process)
        log.unlink(missing_ok=True)
