"""Ingest through the manager into each store, side by side in one run: the embedded on-disk
Oxigraph, ``oxigraph serve`` and OpenLink Virtuoso 7 (``engine=virtuoso``).

The same capture batches (those of ``benchmarks/ingest.py``: one training run per batch) are sent to
a real manager (``provml serve``) on each store, one after the other; every store must end with the
same number of quads. Virtuoso comes from Debian's ``virtuoso-opensource-7-bin``, configured in a
temporary directory like the test suite's (``tests/servers.py``).

Usage::

    python benchmarks/remote_ingest.py [--runs 20] [--epochs 50] [--json]
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
from contextlib import ExitStack
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import count_quads, run_batch  # noqa: E402
from tests.servers import (  # noqa: E402
    free_port,
    start_oxigraph_server,
    start_virtuoso_server,
    stop_process,
    wait_until_ready,
)

JSON = {"Content-Type": "application/json"}


def start_manager(store: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
    env.update(PYTHONPATH=str(ROOT), PROVML_MAX_BODY_BYTES=str(256 * 1024 * 1024))
    log_path = folder / f"manager-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "--store", store, "--port", str(port),
             "--log-level", "warning"],
            env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url + "/health/ready", process, timeout=120, log=log_path)
    return process, url


def ingest(store: str, folder: Path, bodies: list[bytes]) -> tuple[float, int]:
    """Seconds to send every batch through a manager on ``store``, and the quads it ends with."""
    process, url = start_manager(store, folder)
    try:
        with httpx.Client(base_url=url, timeout=600) as client:
            started = time.perf_counter()
            for body in bodies:
                client.post("/api/v1/capture", content=body, headers=JSON).raise_for_status()
            seconds = time.perf_counter() - started
            return seconds, count_quads(client)
    finally:
        stop_process(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="batches (one run each)")
    parser.add_argument("--epochs", type=int, default=50, help="epochs per run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    bodies = [
        json.dumps(run_batch(uuid.uuid4().hex, args.epochs)).encode() for _ in range(args.runs)
    ]
    records = sum(len(json.loads(b)["records"]) for b in bodies)
    figures: dict[str, object] = {
        "command": " ".join(["python benchmarks/remote_ingest.py", *(argv or sys.argv[1:])]),
        "batches": args.runs,
        "records": records,
    }
    with tempfile.TemporaryDirectory(prefix="provml-bench-") as tmp, ExitStack() as servers:
        folder = Path(tmp)
        (folder / "oxigraph-serve").mkdir()
        (folder / "virtuoso").mkdir()
        stores = {
            "embedded": f"oxigraph:{folder / 'embedded'}",
            "oxigraph serve": "sparql+"
            + servers.enter_context(start_oxigraph_server(folder / "oxigraph-serve")),
            "virtuoso": servers.enter_context(start_virtuoso_server(folder / "virtuoso")),
        }
        rates = {}
        for name, store in stores.items():
            seconds, quads = ingest(store, folder, bodies)
            rates[name] = records / seconds
            figures[name] = {
                "seconds": round(seconds, 2),
                "records_per_s": round(records / seconds),
                "quads": quads,
            }
        quads = {figures[name]["quads"] for name in stores}  # type: ignore[index]
        if len(quads) != 1:
            raise SystemExit(f"the stores ended with different numbers of quads: {figures}")
        figures["ratio_to_embedded"] = {
            name: round(rate / rates["embedded"], 2) for name, rate in rates.items()
        }
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            print(f"{key:18} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
