"""Memory of the manager under sustained ingest, and once idle.

A real manager (``provml serve``, uvicorn in a subprocess) on an on-disk Oxigraph store receives
capture batches over HTTP (the training runs of ``benchmarks/ingest.py``) until the store holds
``--quads`` quads; the resident memory of the manager process is read from ``/proc/PID/status``
(``VmRSS``, and ``VmHWM`` for the peak) after every batch, then every second for ``--idle`` seconds
once the ingest stops. ``--flush-every`` sets ``PROVML_FLUSH_EVERY_QUADS`` (0: never flush
explicitly, RocksDB's own policy).

Usage::

    python benchmarks/soak.py [--quads 3000000] [--epochs 200] [--idle 30]
                              [--flush-every 250000] [--validator fast|none] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest import run_batch  # noqa: E402

from tests.servers import free_port, stop_process, wait_until_ready  # noqa: E402

MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def memory(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def start_manager(folder: Path, flush_every: int, validator: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
    env |= {"PYTHONPATH": str(ROOT), "PROVML_FLUSH_EVERY_QUADS": str(flush_every)}
    if validator == "none":
        env["PROVML_VALIDATE"] = "false"
    else:
        env["PROVML_VALIDATOR"] = validator
    command = [sys.executable, "-m", "services.cli", "serve", "--store", f"oxigraph:{folder}"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url + "/health/live", process, timeout=60)
    return process, url


def soak(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="provml-soak-") as tmp:
        process, url = start_manager(Path(tmp) / "store", args.flush_every, args.validator)
        samples: list[tuple[float, int, int]] = []  # (seconds, quads, rss)
        try:
            start = time.monotonic()
            quads = 0
            with httpx.Client(base_url=url, timeout=600) as client:
                while quads < args.quads:
                    body = json.dumps(run_batch(uuid.uuid4().hex[:12], args.epochs)).encode()
                    response = client.post("/api/v1/capture", content=body, headers=JSON)
                    response.raise_for_status()
                    quads += response.json()["triples"]
                    rss = memory(process.pid)["VmRSS"]
                    samples.append((time.monotonic() - start, quads, rss))
                ingest_seconds = time.monotonic() - start
                end_rss = memory(process.pid)["VmRSS"]
                idle = []
                for _ in range(args.idle):
                    time.sleep(1)
                    idle.append(memory(process.pid)["VmRSS"])
                peak = memory(process.pid)["VmHWM"]
                assert client.get("/health/ready").status_code == 200
        finally:
            stop_process(process)
    checkpoints = {}
    for fraction in (0.25, 0.5, 0.75, 1.0):
        at = next(s for s in samples if s[1] >= fraction * quads)
        checkpoints[f"{at[1]:,} quads"] = round(at[2] / MIB)
    return {
        "flush_every": args.flush_every,
        "validator": args.validator,
        "quads": quads,
        "batches": len(samples),
        "ingest_seconds": round(ingest_seconds, 1),
        "quads_per_second": round(quads / ingest_seconds),
        "rss_mib_during": checkpoints,
        "peak_rss_mib": round(peak / MIB),
        "rss_mib_at_end": round(end_rss / MIB),
        "idle_rss_mib": round(idle[-1] / MIB) if idle else None,
        "idle_seconds": args.idle,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=3_000_000, help="stop past this many quads")
    parser.add_argument("--epochs", type=int, default=200, help="epochs per run (batch size)")
    parser.add_argument("--idle", type=int, default=30, help="seconds of idle sampling after")
    parser.add_argument("--flush-every", type=int, default=250_000, help="PROVML_FLUSH_EVERY_QUADS")
    parser.add_argument("--validator", choices=["fast", "none"], default="fast")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = soak(args)
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            print(f"{key:>16}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
