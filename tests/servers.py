"""Helpers for tests that start real servers as subprocesses on free loopback ports.

``start_oxigraph_server(data_dir)`` runs ``oxigraph serve`` (from the ``oxigraph`` package,
installed next to the running Python) and yields its base URL once it answers;
``start_virtuoso_server(data_dir)`` does the same for OpenLink Virtuoso 7 (Debian's
``virtuoso-opensource-7-bin``), configured in ``data_dir``; ``wait_until_ready`` does the same wait
for any HTTP server a test starts itself (uvicorn, ...).
"""

from __future__ import annotations

import shutil
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
    "VIRTUOSO_SETUP",
    "free_port",
    "oxigraph_binary",
    "start_oxigraph_server",
    "start_virtuoso_server",
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


# Loopback only, every file in the data directory; the [SPARQL] limits are the ones docs/stores.md
# documents for a provml store.
_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
ServerThreads = 10
DirsAllowed = {dir}
CaseMode = 2
MaxSortedTopRows = 1000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


_PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: The isql statements docs/stores.md gives for a Virtuoso holding provml's graphs: the anonymous
#: /sparql endpoint may update, and Virtuoso's own graphs are private (hidden from it).
VIRTUOSO_SETUP = " ".join(
    [
        'grant SPARQL_UPDATE to "SPARQL";',
        f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{_PRIVATE}', 1);",
        *(
            f"DB.DBA.RDF_GRAPH_GROUP_INS ('{_PRIVATE}', '{graph}');"
            for graph in (
                "http://www.openlinksw.com/schemas/virtrdf#",
                "http://www.w3.org/ns/ldp#",
                "http://localuriqaserver/sparql",
            )
        ),
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);",
        "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);",
    ]
)


@contextmanager
def start_virtuoso_server(data_dir: Path, *, max_rows: int = 10000) -> Iterator[str]:
    """Run ``virtuoso-t`` with a database in ``data_dir`` on free loopback ports; yield the store
    URI (``sparql+http://127.0.0.1:PORT/sparql?engine=virtuoso``) once SPARQL updates are granted
    to its anonymous ``/sparql`` endpoint."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        raise FileNotFoundError("virtuoso-t not found: apt-get install virtuoso-opensource-7-bin")
    sql_port, http_port = free_port(), free_port()
    ini = data_dir / "virtuoso.ini"
    ini.write_text(
        _VIRTUOSO_INI.format(
            dir=data_dir, sql_port=sql_port, http_port=http_port, max_rows=max_rows
        )
    )
    log = data_dir / "console.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_until_ready(f"{base_url}?query=ASK%7B%7D", process, timeout=120.0, log=log)
        done = subprocess.run(
            [isql, str(sql_port), "dba", "dba", "exec=" + VIRTUOSO_SETUP],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            raise RuntimeError(f"the Virtuoso setup failed: {done.stdout}{done.stderr}")
        yield f"sparql+{base_url}?engine=virtuoso"
    finally:
        stop_process(process, grace=30.0)
