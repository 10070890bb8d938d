"""Many trainings capturing at once through one manager: records acknowledged per second, response
time of each request, the manager's memory, errors and lost records.

A real manager (``provml serve``, on-disk Oxigraph store) and ``--clients`` processes, each a
training loop capturing ``--rate`` metrics per second through the real client library
(``provlake.Client`` with its http transport and default settings: batches of up to 500 records,
sent every 0.2 s by the background flusher, spooled to disk while the manager lags). The processes
start capturing together once all are imported, capture for ``--seconds``, then flush and wait
until the manager acknowledged everything. Reported:

- records/s acknowledged: records the manager acknowledged during the capture window, per second;
- the response time of every request (the transport's ``send``, from the flusher's side), p50/p99;
- the manager's peak resident memory (``VmHWM``), errors (refused batches, dropped records, failed
  sends: a failed send is retried, so it costs time, not data) and records lost (captured but not
  in the store at the end, counted per run with SPARQL).

Usage::

    python benchmarks/concurrency.py [--clients 16] [--seconds 45] [--rate 500] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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

from tests.servers import free_port, stop_process, wait_until_ready  # noqa: E402


def child(url: str, seconds: float, rate: float, spool: str) -> None:
    """One training process: report readiness, wait for the start time on stdin, capture."""
    import provlake as pl

    client = pl.Client(url, spool_dir=spool, capture_environment=False)
    transport = client.transport
    send, responses, failures = transport.send, [], [0]

    def timed_send(body: bytes, count: int) -> None:
        began = time.perf_counter()
        try:
            send(body, count)
        except Exception:
            failures[0] += 1
            raise
        finally:
            responses.append(time.perf_counter() - began)

    transport.send = timed_send  # type: ignore[method-assign]
    run = client.start_run("concurrency-benchmark")
    stage = run.stage("training", kind="training")
    print("ready", flush=True)
    start = float(sys.stdin.readline())
    time.sleep(max(0.0, start - time.time()))
    began, step = time.monotonic(), -1
    while (elapsed := time.monotonic() - began) < seconds:
        due = int(elapsed * rate)
        while step < due:
            step += 1
            stage.log_metric("loss", 1.0 / (step + 1), step=step)
        time.sleep(0.005)
    in_window = client.stats()["sent_records"]
    stage.end()
    run.end()
    drained = client.flush(600, acknowledged=True)
    stats = client.stats()
    client.close(60)
    print(
        json.dumps(
            {
                "run": run.id,
                "metrics": step + 1,
                "acknowledged_in_window": in_window,
                "drained": drained,
                "stats": stats,
                "responses": responses,
                "failed_sends": failures[0],
            }
        ),
        flush=True,
    )


def start_manager(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
    env["PYTHONPATH"] = str(ROOT)
    store = f"oxigraph:{folder / 'kg'}"
    command = [sys.executable, "-m", "services.cli", "serve", "--store", store,
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
    log = folder / "manager.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url + "/health/ready", process, timeout=120, log=log)
    return process, url


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def stored_metrics(url: str, run: str) -> int:
    query = (
        "SELECT (COUNT(?e) AS ?n) WHERE { GRAPH <http://provml.localhost/id/graph/run/"
        f"{run}> {{ ?e a <https://w3id.org/provml#ModelEvaluation> }} }}"
    )
    answer = httpx.get(url + "/sparql", params={"query": query}, timeout=120).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    manager, url = start_manager(folder)
    rss: list[int] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.5):
            rss.append(memory(manager.pid)["VmRSS"])

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    url,
                    "--seconds",
                    str(args.seconds),
                    "--rate",
                    str(args.rate),
                    "--spool",
                    str(folder / f"spool-{i}"),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(args.clients)
        ]
        for c in children:
            assert c.stdout is not None and c.stdout.readline().strip() == "ready"
        sampler.start()
        start = time.time() + 0.5
        for c in children:
            assert c.stdin is not None
            c.stdin.write(f"{start}\n")
            c.stdin.flush()
        reports = []
        for c in children:
            out, _ = c.communicate(timeout=args.seconds + 900)
            reports.append(json.loads(out.strip().splitlines()[-1]))
        finished = time.time() - start
        sampling.set()
        sampler.join()
        peak = memory(manager.pid)["VmHWM"]
        lost = sum(r["metrics"] - stored_metrics(url, r["run"]) for r in reports)
    finally:
        stop_process(manager)
    responses = [t for r in reports for t in r["responses"]]
    stats = [r["stats"] for r in reports]
    captured = sum(r["metrics"] for r in reports)
    return {
        "clients": args.clients,
        "seconds": args.seconds,
        "offered_records_per_s": round(args.clients * args.rate),
        "captured_metrics": captured,
        "acknowledged_records_per_s": round(
            sum(r["acknowledged_in_window"] for r in reports) / args.seconds
        ),
        "requests": len(responses),
        "response_ms": {
            "p50": round(statistics.median(responses) * 1000, 1),
            "p99": round(percentile(responses, 0.99) * 1000, 1),
            "max": round(max(responses) * 1000, 1),
        },
        "all_acknowledged_after_s": round(finished - args.seconds, 1),
        "spooled_records": sum(s.get("spooled_records", 0) for s in stats),
        "manager_rss_mib": {
            "median": round(statistics.median(rss) / 1024) if rss else None,
            "peak": round(peak / 1024),
        },
        "errors": {
            "failed_sends": sum(r["failed_sends"] for r in reports),
            "rejected_batches": sum(s.get("rejected_batches", 0) for s in stats),
            "dropped_records": sum(s.get("dropped_records", 0) for s in stats),
            "not_drained": sum(not r["drained"] for r in reports),
        },
        "lost_records": lost,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="client processes")
    parser.add_argument("--seconds", type=float, default=45.0, help="capture window")
    parser.add_argument("--rate", type=float, default=500.0, help="metrics per second per client")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spool", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.seconds, args.rate, args.spool)
        return 0
    with tempfile.TemporaryDirectory(prefix="provml-concurrency-") as tmp:
        figures = measure(args, Path(tmp))
    figures["command"] = " ".join(["python benchmarks/concurrency.py", *(argv or sys.argv[1:])])
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
