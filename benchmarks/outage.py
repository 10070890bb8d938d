"""Recovery after a manager outage: how soon captured data is queryable once the manager is back.

A real manager (``provml serve``, uvicorn in a subprocess) on an on-disk Oxigraph store; a training
loop in this process captures metrics at a steady rate (``--rate`` records per second, each metric
with its step) through the http transport with default client settings. After ``--before``
seconds the manager is stopped for ``--outage`` seconds — the client spools meanwhile — then
started again on the same port and store. Reported:

- recovery: from the manager answering again (``/health/ready``) until every metric captured before
  the restart is queryable through ``/sparql`` (the loop goes on capturing meanwhile);
- the spool drain: the records waiting in the spool at the restart, the requests that sent the
  spool back, and the drain rate: records acknowledged per second from the manager's return until
  this process's spool is empty (the backlog and what the loop captured meanwhile).

    python benchmarks/outage.py                          # 60 s outage, 300 records/s
    python benchmarks/outage.py --outage 10 --rate 1000  # shorter, heavier

Figures for docs/performance.md ("Recovery after an outage").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import provlake as pl  # noqa: E402
from tests.servers import free_port, stop_process, wait_until_ready  # noqa: E402

BASE = "http://provml.localhost/id/"


class Manager:
    """``provml serve --store oxigraph:DIR`` on a fixed port, stoppable and restartable."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(timeout=60)  # one client: building one per request costs ~50 ms

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
        env["PYTHONPATH"] = str(ROOT)
        log = self.folder / "manager.log"
        command = [sys.executable, "-m", "services.cli", "serve", "--store",
                   f"oxigraph:{self.folder / 'store'}", "--port", str(self.port),
                   "--log-level", "warning"]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        wait_until_ready(self.url + "/health/ready", self.process, timeout=120, log=log)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def _select(self, query: str) -> Any:
        r = self.http.get(self.url + "/sparql", params={"query": query})
        r.raise_for_status()
        return r.json()

    def queryable(self, run: str, cutoff: int) -> bool:
        """Whether every metric of ``run`` up to step ``cutoff`` is seen by a query: the last one
        first (one index lookup, cheap to repeat), then all of them counted."""
        step = "<https://w3id.org/provml#step>"
        graph = f"<{BASE}graph/run/{run}>"
        if not self._select(f"ASK {{ GRAPH {graph} {{ ?e {step} {cutoff} }} }}")["boolean"]:
            return False
        count = self._select(
            f"SELECT (COUNT(?e) AS ?n) WHERE {{ GRAPH {graph} {{ ?e {step} ?s "
            f"FILTER(?s <= {cutoff}) }} }}"
        )
        return int(count["results"]["bindings"][0]["n"]["value"]) == cutoff + 1


class Loop:
    """A training loop capturing ``rate`` metrics per second in a thread, each with its step."""

    def __init__(self, stage: pl.Stage, rate: float) -> None:
        self.stage, self.rate = stage, rate
        self.step = -1  # the last step captured
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self.stop.is_set():
            due = int((time.monotonic() - started) * self.rate)
            while self.step < due:
                self.step += 1
                self.stage.log_metric("loss", 1.0 / (self.step + 1), step=self.step)
            time.sleep(0.005)


def pending(client: pl.Client) -> int:
    """This process's records waiting in the spool (or its segments, for clients without it)."""
    stats = client.stats()
    return stats.get("spooled_pending_records", stats["spool_segments"])


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    manager = Manager(folder)
    manager.start()
    client = pl.Client(
        manager.url, spool_dir=str(folder / "spool"), capture_environment=False,
        batch_size=args.batch_size,
    )  # fmt: skip
    run = client.start_run("outage-benchmark")
    loop = Loop(run.stage("training", kind="training"), args.rate)
    loop.thread.start()
    try:
        time.sleep(args.before)
        manager.stop()
        stopped = loop.step
        time.sleep(args.outage)
        cutoff = loop.step  # everything up to here was captured before the restart
        replayed = client.stats()["replayed_batches"]
        manager.start()
        ready = time.monotonic()
        backlog, sent = pending(client), client.stats()["sent_records"]
        drained = queryable_at = None
        while queryable_at is None or drained is None:
            now = time.monotonic()
            if drained is None and pending(client) == 0:
                drained, sent = now, client.stats()["sent_records"] - sent
            if queryable_at is None and manager.queryable(run.id, cutoff):
                queryable_at = now
            if now - ready > args.give_up:
                raise SystemExit(f"not queryable or not drained {args.give_up} s after the restart")
            time.sleep(0.1)
        requests = client.stats()["replayed_batches"] - replayed
    finally:
        loop.stop.set()
        loop.thread.join()
        run.end()
        client.close(60)
        manager.stop()
    drain_seconds = max(drained - ready, 1e-9)
    return {
        "outage_s": args.outage,
        "rate_records_per_s": args.rate,
        "captured_during_outage": cutoff - stopped,
        "queryable_after_s": round(queryable_at - ready, 2),
        "spooled_records_at_restart": backlog,
        "drain_requests": requests,
        "drain_s": round(drain_seconds, 2),
        "drain_records_per_s": round(sent / drain_seconds),  # the backlog and the new records
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=60.0, help="seconds the manager is down")
    parser.add_argument("--rate", type=float, default=300.0, help="records captured per second")
    parser.add_argument("--before", type=float, default=5.0, help="seconds of capture before")
    parser.add_argument("--batch-size", type=int, default=500, help="the client's batch_size")
    parser.add_argument("--give-up", type=float, default=300.0, help="seconds to wait at most")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="provml-outage-") as tmp:
        result = measure(args, Path(tmp))
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"# {args.outage:g} s outage, {args.rate:g} records/s; Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    for key, value in result.items():
        print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
