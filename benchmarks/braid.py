"""Per-call latency of provlake.braid (database file, manager) and of Braid-DB on SQLite.

Times two calls, each N times, every call on its own (perf_counter_ns):

- record creation, ``BraidData(db, name)``: a write that returns its id (Braid-DB: one SQLite
  commit; provml: one batch parsed, mapped, SHACL-checked and committed, then acknowledged);
- ``db.get_predecessors(id)`` of a record with two predecessors (one hop).

Side by side in one run: provml on a database file (``BraidDB("x.db")``: an in-process manager,
each write fsynced to the capture log), provml through a real manager (``provml serve`` on an
on-disk Oxigraph store, over HTTP on this machine), and Braid-DB 0.1.0a1 on SQLite, installed from
PyPI into a temporary virtual environment (``braid-db`` without its funcx dependencies,
``sqlmodel==0.0.8`` and ``SQLAlchemy==1.4.35`` as it pins), run in a child process.

    python benchmarks/braid.py                       # 300 calls each
    python benchmarks/braid.py --calls 1000 --venv /tmp/braid-venv   # keep the Braid-DB venv

Figures for docs/performance.md ("Braid-DB").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The measurement, run in a child process for each system (the Braid-DB venv's python for
# Braid-DB): it only uses the names both APIs share.
MEASURE = """
import json, sys, time
from {module} import BraidData, BraidDB
db = BraidDB(sys.argv[1])
db.create()
calls = int(sys.argv[2])
pc = time.perf_counter_ns
create = []
records = []
for i in range(calls):
    t = pc()
    rec = BraidData(db, "r%d" % i)
    create.append(pc() - t)
    records.append(rec)
targets = []
for i in range(calls):
    a, b, c = records[i], records[(i + 1) % calls], records[(i + 2) % calls]
    a.add_derivation(c)
    b.add_derivation(c)
    targets.append(c.record_id)
hop = []
for record_id in targets:
    t = pc()
    found = db.get_predecessors(record_id)
    hop.append(pc() - t)
    assert len(found) == 2, (record_id, found)
print(json.dumps({{"create": create, "predecessors": hop}}))
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(module: str, target: str, calls: int, python: str, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [python, "-c", MEASURE.format(module=module), target, str(calls)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{module} on {target} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def braid_db_venv(path: Path) -> str:
    """A venv with Braid-DB 0.1.0a1 from PyPI; its python."""
    python = path / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-deps", "braid-db==0.1.0a1"],
            check=True,
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "sqlmodel==0.0.8", "SQLAlchemy==1.4.35"],
            check=True,
        )
    return str(python)


def serve(store: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
    env["PYTHONPATH"] = str(ROOT)
    out = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "serve",
            "--store",
            store,
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health/ready", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the manager did not start; see {log}")


def summary(ns: list[int]) -> tuple[float, float]:
    ms = sorted(n / 1e6 for n in ns)
    return statistics.median(ms), ms[int(0.9 * (len(ms) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls of each kind per system")
    parser.add_argument("--venv", type=Path, help="where to keep the Braid-DB virtualenv")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
        env_provml = {**env, "PYTHONPATH": str(ROOT)}
        python = braid_db_venv(args.venv or work / "braid-venv")
        results = {}
        results["Braid-DB 0.1.0a1, SQLite file"] = _run(
            "braid_db", str(work / "braid.sqlite"), args.calls, python, env
        )
        results["provml, database file"] = _run(
            "provlake.braid", str(work / "braid.db"), args.calls, sys.executable, env_provml
        )
        process, url = serve(f"oxigraph:{work / 'store'}", work / "manager.log")
        try:
            results["provml, manager (HTTP, Oxigraph)"] = _run(
                "provlake.braid", url, args.calls, sys.executable, env_provml
            )
        finally:
            process.terminate()
            process.wait(30)

    base = results["Braid-DB 0.1.0a1, SQLite file"]
    print(f"{args.calls} calls each; ms per call (median, p90); ratio of medians to Braid-DB")
    print("| system | create median | create p90 | × | get_predecessors median | p90 | × |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, figures in results.items():
        c50, c90 = summary(figures["create"])
        p50, p90 = summary(figures["predecessors"])
        cx = c50 / summary(base["create"])[0]
        px = p50 / summary(base["predecessors"])[0]
        print(f"| {name} | {c50:.2f} | {c90:.2f} | {cx:.2f} | {p50:.2f} | {p90:.2f} | {px:.2f} |")


if __name__ == "__main__":
    main()
