"""End-to-end ingest throughput and capture-to-queryable latency of the manager.

A real manager (``provml serve``, uvicorn in a subprocess) on an on-disk Oxigraph store receives
capture batches over HTTP (``--workload capture``: one native batch per training run;
``--workload metrics``: a run capturing only metrics, ``--epochs`` × 90 of them, sent as the client
library sends them, 450 per request), or the requests of the ProvLake 0.2.982 library
(``--workload legacy``: each run's workflow, task and cycle messages, ``--legacy-batch`` messages
per request); each is parsed, mapped to PROV-ML,
SHACL-validated and committed before the answer. ``--concurrency N`` posts from N threads, each
sending whole runs (the requests of one run in order, as one client does). The same quads are then
loaded by pyoxigraph's own ``bulk_load`` into a fresh on-disk store, and written by its
transactional ``extend`` (the commit alone; also as N-Quads text ``load`` and as the non-atomic
``bulk_extend``), in the same run. The time is split by stage from the
``Server-Timing`` header of each answer (parse, convert, validate, commit; summed over requests,
so with several posters the stages overlap and the rest is not HTTP and JSON alone).

Usage::

    python benchmarks/ingest.py [--runs 40] [--epochs 50] [--validator fast|pyshacl|none]
                                [--workload capture|legacy|metrics] [--legacy-batch 100]
                                [--concurrency 1] [--latency-samples 50] [--in-process]
                                [--json]
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
import uuid
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, stop_process, wait_until_ready  # noqa: E402

T0 = 1795341827.25
STAGES = ("parse", "convert", "validate", "commit")
JSON = {"Content-Type": "application/json"}


def record(type_: str, id_: str, run: str, time_: float, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "id": id_, "run": run, "time": time_, **fields}


def run_batch(run: str, epochs: int) -> dict[str, Any]:
    """One training run as the client sends it: a stage, ``epochs`` epochs each with two metrics,
    a learning-rate change every ten epochs, a dataset and a model."""
    stage = f"{run}-tr"
    records = [
        record("run.start", run, run, T0, name="bench-mlp", study="bench", user="bench"),
        record("entity", f"{run}-ds", run, T0, kind="dataset", name="train", record_count=60000),
        record(
            "stage.start",
            stage,
            run,
            T0 + 1,
            name="training",
            kind="training",
            used=[f"{run}-ds"],
            planned_epochs=epochs,
        ),
        record("hyperparameter", f"{run}-lr0", run, T0 + 1, execution=stage, name="lr", value=0.1),
    ]
    previous = f"{run}-lr0"
    for epoch in range(epochs):
        section, t = f"{run}-ep{epoch}", T0 + 2 + epoch
        records.append(
            record("section.start", section, run, t, stage=stage, name="epoch", index=epoch)
        )
        for name, value in (("val loss", 1.0 / (epoch + 2)), ("val accuracy", 0.5 + epoch / 1e3)):
            records.append(
                record(
                    "metric",
                    f"{section}-{name.replace(' ', '-')}",
                    run,
                    t + 0.5,
                    execution=section,
                    name=name,
                    value=value,
                    epoch=epoch,
                )
            )
        if epoch and epoch % 10 == 0:
            hp = f"{run}-lr{epoch}"
            records.append(
                record(
                    "hyperparameter",
                    hp,
                    run,
                    t + 0.6,
                    execution=stage,
                    name="lr",
                    value=0.1 / epoch,
                    epoch=epoch,
                    previous=previous,
                )
            )
            previous = hp
        records.append(record("section.end", section, run, t + 0.9, status="finished"))
    end = T0 + 2 + epochs
    records += [
        record("entity", f"{run}-model", run, end, kind="model", name="mlp", generated_by=stage),
        record("stage.end", stage, run, end, status="finished"),
        record("run.end", run, run, end + 1, status="finished"),
    ]
    return {"schema": "provml/capture/1", "client": {"name": "bench"}, "records": records}


def legacy_run(run: float, epochs: int, per_request: int) -> list[bytes]:
    """One training as the ProvLake 0.2.982 library sends it: the workflow, a data loading task,
    ``epochs`` iterations of an ``epochs`` cycle (its learning rate in, a training task with its
    loss and accuracy, the epoch's accuracy out) and the workflow's end, ``per_request`` messages
    per request."""

    def message(act_type: str, prov_obj: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "prov_obj": prov_obj,
            "dataflow_name": "bench_wf",
            "act_type": act_type,
            "context": "bench",
            **extra,
        }

    t = run
    load = run + 0.001
    messages = [
        message("workflow", {"wf_execution": run, "startTime": t}, custom_metadata={"user": "b"}),
        message(
            "task",
            {
                "task": {"id": load, "wf_execution": run, "generatedTime": load},
                "dt": "load_data",
                "type": "Generate",
                "values": {"path": {"values": "/data/x.csv", "prov_attr_type": "data_reference"}},
            },
        ),
        message(
            "task",
            {
                "task": {
                    "id": load,
                    "wf_execution": run,
                    "startTime": load,
                    "endTime": load + 0.001,
                    "generatedTime": load,
                    "status": "FINISHED",
                },
                "dt": "load_data",
                "type": "Output",
                "values": {"rows": 60000},
            },
        ),
    ]
    for epoch in range(epochs):
        start = run + 1 + epoch
        task = {
            "id": start + 0.001,
            "wf_execution": run,
            "generatedTime": start + 0.001,
            "parent_cycle_name": "epochs",
        }
        cycle = {"iteration_id": epoch, "wf_execution": run, "startTime": start}
        messages += [
            message(
                "cycle",
                {
                    "cycle": {**cycle, "status": "RUNNING"},
                    "cycle_name": "epochs",
                    "type": "Input",
                    "values": {"lr": 0.1 / (1 + epoch // 10)},
                },
            ),
            message(
                "task",
                {"task": task, "dt": "train_epoch", "type": "Generate", "values": {"batches": 100}},
            ),
            message(
                "task",
                {
                    "task": {**task, "startTime": start + 0.002},
                    "dt": "train_epoch",
                    "type": "Input",
                },
            ),
            message(
                "task",
                {
                    "task": {
                        **task,
                        "startTime": start + 0.002,
                        "endTime": start + 0.9,
                        "status": "FINISHED",
                    },
                    "dt": "train_epoch",
                    "type": "Output",
                    "values": {"loss": 1.0 / (epoch + 2), "accuracy": 0.5 + epoch / 1e3},
                },
            ),
            message(
                "cycle",
                {
                    "cycle": {**cycle, "endTime": start + 0.95, "status": "FINISHED"},
                    "cycle_name": "epochs",
                    "type": "Output",
                    "values": {"val_accuracy": 0.5 + epoch / 2e3},
                },
            ),
        ]
    end = run + 1 + epochs
    messages.append(
        message(
            "workflow",
            {
                "wf_execution": run,
                "startTime": t,
                "endTime": end,
                "status": "FINISHED",
                "values": {"model": "m.pt"},
            },
        )
    )
    return [
        json.dumps(messages[i : i + per_request]).encode()
        for i in range(0, len(messages), per_request)
    ]


def metrics_run(metrics: int, per_request: int) -> list[bytes]:
    """One training as the client library sends it when it captures only metrics (the client of
    ``benchmarks/concurrency.py``): a run, a training stage and ``metrics`` metrics with a step,
    flushed every ``per_request`` records, then the stage's and the run's end."""
    import provlake as pl

    client = pl.Client("memory:", capture_environment=False)
    run = client.start_run("bench-metrics")
    stage = run.stage("training", kind="training")
    for step in range(metrics):
        stage.log_metric("loss", 1.0 / (step + 1), step=step)
        if step % per_request == per_request - 1:
            client.flush()
    stage.end()
    run.end()
    client.flush()
    client.close()
    return [json.dumps(batch).encode() for batch in client.transport.batches]


def server_timing(header: str) -> dict[str, float]:
    out = {}
    for part in filter(None, (p.strip() for p in header.split(","))):
        name, _, dur = part.partition(";dur=")
        out[name] = float(dur) / 1000
    return out


def start_manager(store_dir: Path, validator: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVML_")}
    env.update(PYTHONPATH=str(ROOT), PROVML_MAX_BODY_BYTES=str(256 * 1024 * 1024))
    if validator == "none":
        env["PROVML_VALIDATE"] = "false"
    else:
        env["PROVML_VALIDATOR"] = validator
    command = [sys.executable, "-m", "services.cli", "serve", "--store", f"oxigraph:{store_dir}"]
    log_path = store_dir.parent / "manager.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url + "/health/ready", process, timeout=120, log=log_path)
    return process, url


def measure_ingest(
    url: str, path: str, runs: list[list[bytes]], concurrency: int
) -> dict[str, Any]:
    """Post every run's requests (in order) from ``concurrency`` threads, each taking the next run.
    The stage times are summed over requests (with several posters they overlap in time)."""
    stages = dict.fromkeys(STAGES, 0.0)
    latencies: list[float] = []
    sent = [0]
    todo = list(reversed(runs))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def poster() -> None:
        with httpx.Client(base_url=url, timeout=600) as client:
            while True:
                with lock:
                    if not todo or failures:
                        return
                    requests = todo.pop()
                for body in requests:
                    began = time.perf_counter()
                    try:
                        r = client.post(path, content=body, headers=JSON)
                        r.raise_for_status()
                    except BaseException as exc:
                        failures.append(exc)
                        return
                    took = time.perf_counter() - began
                    timing = server_timing(r.headers.get("server-timing", ""))
                    with lock:
                        latencies.append(took)
                        sent[0] += r.json()["triples"]
                        for name, seconds in timing.items():
                            stages[name] = stages.get(name, 0.0) + seconds

    threads = [threading.Thread(target=poster) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise failures[0]
    return {"wall": wall, "quads_sent": sent[0], "stages": stages, "latencies": latencies}


def measure_in_process(store_dir: Path, workload: str, runs: list[list[bytes]], validator: str):
    """The same requests through an ``Ingestor`` in this process (no HTTP, one after the other):
    the pipeline alone, e.g. to profile it (``python -m cProfile benchmarks/ingest.py
    --in-process``). Returns the figures of ``measure_ingest`` and the quads stored."""
    from services.ingest import Ingestor
    from services.store import open_store

    store = open_store(f"oxigraph:{store_dir}")
    checked = validator != "none"
    ingestor = Ingestor(store, validate=checked, validator=validator if checked else "fast")
    ingest = ingestor.ingest_legacy if workload == "legacy" else ingestor.ingest_batch
    stages = dict.fromkeys(STAGES, 0.0)
    latencies: list[float] = []
    sent = 0
    started = time.perf_counter()
    for requests in runs:
        for body in requests:
            began = time.perf_counter()
            result = ingest(body)
            latencies.append(time.perf_counter() - began)
            sent += result.triples
            for name, seconds in result.timings.items():
                stages[name] = stages.get(name, 0.0) + seconds
    wall = time.perf_counter() - started
    stored = store.count()
    store.close()
    return {"wall": wall, "quads_sent": sent, "stages": stages, "latencies": latencies}, stored


def count_quads(client: httpx.Client) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = client.get("/sparql", params={"query": query}).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def measure_latency(client: httpx.Client, samples: int) -> list[float]:
    """Seconds from sending one small batch to the first query that sees it."""
    latencies = []
    for i in range(samples):
        run = uuid.uuid4().hex
        body = {
            "schema": "provml/capture/1",
            "records": [
                record("run.start", run, run, T0, name="latency"),
                record("stage.start", f"{run}-s", run, T0 + 1, name="training", kind="training"),
                record(
                    "metric", f"{run}-m", run, T0 + 2, execution=f"{run}-s", name="loss", value=i
                ),
            ],
        }
        ask = (
            "ASK { <http://provml.localhost/id/evaluation/"
            f"{run}-m> <http://www.w3.org/ns/mls#hasValue> ?v }}"
        )
        start = time.perf_counter()
        client.post("/api/v1/capture", json=body).raise_for_status()
        while not client.get("/sparql", params={"query": ask}).json()["boolean"]:
            pass
        latencies.append(time.perf_counter() - start)
    return latencies


def measure_bulk_load(nquads: bytes, folder: Path) -> float:
    store = ox.Store(str(folder))
    started = time.perf_counter()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    assert len(store) > 0
    del store
    return seconds


def measure_writes(nquads: bytes, folder: Path, chunks: int) -> dict[str, float]:
    """The same quads written in as many chunks as batches, each way pyoxigraph offers: its
    transactional ``extend`` (what a commit costs without the pipeline around it), ``load`` of
    each chunk as N-Quads text (also one transaction per chunk) and ``bulk_extend`` (not atomic:
    a failure can leave part of a chunk written, so it cannot serve an acknowledged batch)."""
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    size = -(-len(quads) // chunks)
    parts = [quads[start : start + size] for start in range(0, len(quads), size)]
    texts = [ox.serialize(part, format=ox.RdfFormat.N_QUADS) for part in parts]
    writes = {
        "extend": lambda store, i: store.extend(parts[i]),
        "load": lambda store, i: store.load(texts[i], format=ox.RdfFormat.N_QUADS),
        "bulk_extend": lambda store, i: store.bulk_extend(parts[i]),
    }
    seconds = {}
    for name, write in writes.items():
        store = ox.Store(str(folder / name))
        started = time.perf_counter()
        for i in range(len(parts)):
            write(store, i)
        store.flush()
        seconds[name] = time.perf_counter() - started
        assert len(store) == len(set(quads))
        del store
    return seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="batches (one run each)")
    parser.add_argument("--epochs", type=int, default=50, help="epochs per run")
    parser.add_argument("--validator", choices=["fast", "pyshacl", "none"], default="fast")
    parser.add_argument("--workload", choices=["capture", "legacy", "metrics"], default="capture")
    parser.add_argument(
        "--legacy-batch", type=int, default=100, help="ProvLake messages per request (legacy)"
    )
    parser.add_argument("--concurrency", type=int, default=1, help="posting threads")
    parser.add_argument("--latency-samples", type=int, default=50)
    parser.add_argument(
        "--in-process", action="store_true", help="the pipeline alone: no manager, no HTTP"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    if args.workload == "capture":
        path = "/api/v1/capture"
        runs = [
            [json.dumps(run_batch(uuid.uuid4().hex, args.epochs)).encode()]
            for _ in range(args.runs)
        ]
    elif args.workload == "metrics":  # --epochs × 90 metrics per run, 450 per request
        path = "/api/v1/capture"
        runs = [metrics_run(args.epochs * 90, 450) for _ in range(args.runs)]
    else:
        path = "/provenance/api/retrospective-provenance"
        runs = [
            legacy_run(T0 + 1000 * i + 0.25, args.epochs, args.legacy_batch)
            for i in range(args.runs)
        ]
    bodies = [body for requests in runs for body in requests]
    with tempfile.TemporaryDirectory(prefix="provml-bench-") as tmp:
        folder = Path(tmp)
        if args.in_process:
            ingest, ingested = measure_in_process(
                folder / "kg", args.workload, runs, args.validator
            )
            latencies = []
        else:
            process, url = start_manager(folder / "kg", args.validator)
            try:
                ingest = measure_ingest(url, path, runs, args.concurrency)
                with httpx.Client(base_url=url, timeout=600) as client:
                    ingested = count_quads(client)
                    latencies = measure_latency(client, args.latency_samples)
            finally:
                stop_process(process)
        kg = ox.Store.read_only(str(folder / "kg"))
        stored = len(kg)
        nquads = kg.dump(format=ox.RdfFormat.N_QUADS)
        del kg
        bulk = measure_bulk_load(nquads, folder / "bulk")
        writes = measure_writes(nquads, folder, len(bodies))

    records = sum(
        len(body) if isinstance(body := json.loads(b), list) else len(body["records"])
        for b in bodies
    )
    e2e_rate = ingested / ingest["wall"]
    bulk_rate = stored / bulk
    other = ingest["wall"] - sum(ingest["stages"].values())
    rest = "other" if args.in_process else "http+json"
    figures = {
        "command": " ".join(["python benchmarks/ingest.py", *(argv or sys.argv[1:])]),
        "validator": args.validator,
        "workload": args.workload,
        "concurrency": args.concurrency,
        "runs": args.runs,
        "requests": len(bodies),
        "records": records,
        "quads_ingested": ingested,
        "e2e_seconds": round(ingest["wall"], 3),
        "e2e_quads_per_s": round(e2e_rate),
        "bulk_load_seconds": round(bulk, 3),
        "bulk_load_quads_per_s": round(bulk_rate),
        "ratio_to_bulk_load": round(e2e_rate / bulk_rate, 3),
        "extend_quads_per_s": round(stored / writes["extend"]),
        "load_quads_per_s": round(stored / writes["load"]),
        "bulk_extend_quads_per_s": round(stored / writes["bulk_extend"]),
        "stage_seconds": {
            **{k: round(v, 3) for k, v in ingest["stages"].items()},
            rest: round(other, 3),
        },
        "stage_share": {
            **{k: round(v / ingest["wall"], 3) for k, v in ingest["stages"].items()},
            rest: round(other / ingest["wall"], 3),
        },
        "response_ms": {
            "p50": round(statistics.median(ingest["latencies"]) * 1000, 1),
            "p99": round(percentile(ingest["latencies"], 0.99) * 1000, 1),
        },
    }
    if latencies:
        figures["latency_ms"] = {
            "p50": round(statistics.median(latencies) * 1000, 1),
            "p95": round(percentile(latencies, 0.95) * 1000, 1),
            "samples": len(latencies),
        }
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
