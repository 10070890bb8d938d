"""Per-task cost of DLProv's client on the training thread: ``provlake.dataflow`` vs the original
``dfa_lib_python``, against a local server.

The workload is DLProv's training loop: TASKS tasks of a dataflow, each ``begin()`` with an input
element, SAVES ``save()`` calls with one element each (one per epoch) and ``end()``. Both clients
run in this process, one after the other, against the same local server:

- ``stub``: an HTTP server that answers 200 at once, as DfAnalyzer's does (DfAnalyzer queues the
  message and answers before storing it): the least ``dfa_lib_python`` can cost;
- ``manager``: the provml manager (``provml serve --store memory:``), which answers DfAnalyzer's
  messages after its commit; ``provlake.dataflow`` sends to it in the background.

For each client it reports the median time of one task's calls on the caller's thread (the
milliseconds a training pays per task), the median per call, and for ``provlake.dataflow`` the time
the final acknowledged flush took (the background work a training no longer waits for). The
original library is not on PyPI: give the path of a checkout (its ``lib-python`` folder, or a
folder holding ``dfa_lib_python``); it needs ``requests`` and ``psutil`` installed. It prints every
status code, as it does in a training; its output goes to /dev/null here.

    python benchmarks/dlprov_task_cost.py --dfa-lib ../dlprov/lib-python
    python benchmarks/dlprov_task_cost.py --dfa-lib PATH --server manager --tasks 20 --saves 10

Figures for docs/performance.md ("DLProv client: cost per task").
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, stop_process, wait_until_ready  # noqa: E402

pc = time.perf_counter


class _Stub(BaseHTTPRequestHandler):
    """Answers every POST with 200 and an echo of the body, like DfAnalyzer."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def server(kind: str):
    """The base URL of a local server of ``kind`` (``stub`` or ``manager``)."""
    if kind == "stub":
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_port}"
        finally:
            httpd.shutdown()
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "manager.log"
        command = [sys.executable, "-m", "services.cli", "serve", "--store", "memory:"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--port", str(port), "--log-level", "warning"],
                cwd=folder,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_ready(f"http://127.0.0.1:{port}/health/ready", process, log=log)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)


def original_api(checkout: Path, url: str) -> SimpleNamespace:
    """``dfa_lib_python``'s classes from a checkout, sending to ``url`` (its modules read DFA_URL
    once, when imported: set again for each server)."""
    folder = checkout if (checkout / "dfa_lib_python").is_dir() else checkout / "lib-python"
    if not (folder / "dfa_lib_python").is_dir():
        raise SystemExit(f"no dfa_lib_python in {checkout} (give its lib-python folder)")
    sys.path.insert(0, str(folder))
    from dfa_lib_python import (
        attribute,
        attribute_type,
        dataflow,
        dataset,
        element,
        set_type,
        task,
        transformation,
    )
    from dfa_lib_python import set as set_

    dataflow.dfa_url = task.dfa_url = url + "/"
    return SimpleNamespace(
        Attribute=attribute.Attribute,
        AttributeType=attribute_type.AttributeType,
        Dataflow=dataflow.Dataflow,
        DataSet=dataset.DataSet,
        Element=element.Element,
        Set=set_.Set,
        SetType=set_type.SetType,
        Task=task.Task,
        Transformation=transformation.Transformation,
    )


def workload(api: SimpleNamespace, tag: str, tasks: int, saves: int, **extra: object) -> list:
    """Run the workload; returns the caller-thread seconds of each task's calls."""
    df = api.Dataflow(tag, predefined=True, **extra)
    df.save()
    per_task = []
    for n in range(1, tasks + 1):
        task = api.Task(n, df, f"{tag}-exec", "Train")
        started = pc()
        task.add_dataset(api.DataSet("iTrain", [api.Element(["adam", 0.001, saves, 32, 4])]))
        task.begin()
        for epoch in range(saves):
            values = ["2026-12-02 05:09:49", 0.02, 0.5 / (epoch + 1), 0.9, 0.6, 0.85, epoch]
            task.add_dataset(api.DataSet("oTrain", [api.Element(values)]))
            task.save()
        task.end()
        per_task.append(pc() - started)
    return per_task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dfa-lib", type=Path, required=True, help="a dfa_lib_python checkout")
    parser.add_argument("--server", choices=["stub", "manager", "both"], default="both")
    parser.add_argument("--tasks", type=int, default=30, help="tasks per repeat (default 30)")
    parser.add_argument("--saves", type=int, default=5, help="save() calls per task (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats; medians over them")
    args = parser.parse_args()
    kinds = ["stub", "manager"] if args.server == "both" else [args.server]
    calls = args.saves + 2
    import provlake as pl
    import provlake.dataflow as ours

    for kind in kinds:
        with server(kind) as url:
            theirs = original_api(args.dfa_lib, url)
            original, provml, drains = [], [], []
            for r in range(args.repeat):
                with contextlib.redirect_stdout(io.StringIO()):  # it prints every status code
                    original += workload(theirs, f"orig{r}", args.tasks, args.saves)
                client = pl.Client(url, capture_environment=False)
                provml += workload(ours, f"ours{r}", args.tasks, args.saves, client=client)
                started = pc()
                assert client.flush(120, acknowledged=True), "the manager did not acknowledge"
                drains.append(pc() - started)
                stats = client.stats()
                client.close()
                assert stats["rejected_batches"] == 0, stats
        o, p = statistics.median(original), statistics.median(provml)
        print(f"server={kind} tasks={args.tasks}x{args.repeat} saves={args.saves}")
        print(f"  dfa_lib_python     {o * 1e3:9.3f} ms/task  {o / calls * 1e6:9.1f} µs/call")
        print(f"  provlake.dataflow  {p * 1e3:9.3f} ms/task  {p / calls * 1e6:9.1f} µs/call")
        print(
            f"  ratio              {o / p:9.0f} x   final flush {statistics.median(drains):.3f} s"
        )


if __name__ == "__main__":
    main()
