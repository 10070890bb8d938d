"""Inference time per new output version as the version graph grows (OMProv).

Builds ``--kinds`` input objects of ``--inputs`` versions each (each version revises one of the five
before it: chains with branches), then adds ``--outputs`` model versions one by one, each job using
a random version of every input object, and reports the median time of one insertion into the
version index (the reachability checks, the nearest ancestors and descendants, the redundant edges)
in windows of the growth curve. With ``--ingest`` it also times the whole ingest of a training batch
(parse, map, validate, infer, commit in one update) on an in-memory store holding the final graph.

    python benchmarks/versions.py                       # 3 kinds x 1,000 versions, 10,000 models
    python benchmarks/versions.py --outputs 2000 --ingest 0
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.ingest._versions_index import InputGraph, OutputGraph


def build_inputs(kinds: int, versions: int, rng: random.Random) -> list[InputGraph]:
    graphs = []
    for k in range(kinds):
        graph = InputGraph(f"input-{k}")
        for v in range(versions):
            parents = [] if v == 0 else [(f"{k}:{rng.randint(max(0, v - 5), v - 1)}", rng.random())]
            graph.add(f"{k}:{v}", parents)
        graphs.append(graph)
    return graphs


def grow(
    inputs: list[InputGraph], outputs: int, windows: list[int], rng: random.Random
) -> list[tuple[int, float, float, int]]:
    """(size, median ms, max ms, edges) per window of insertions ending at each size."""
    models = OutputGraph("mlp")
    rows, times, start = [], [], 0
    for n in range(outputs):
        job = {g: g.iris[rng.randrange(len(g))] for g in inputs}
        t0 = time.perf_counter()
        models.insert(f"m{n}", job, float(n))
        times.append(time.perf_counter() - t0)
        if n + 1 in windows:
            window = times[start:]
            rows.append((n + 1, statistics.median(window) * 1e3, max(window) * 1e3, 0))
            start = len(times)
    edges = len(models.edges())
    rows[-1] = (*rows[-1][:3], edges)
    return rows


def ingest_times(outputs: int, kinds: int, versions: int, samples: int, seed: int) -> list[float]:
    """Seconds of the whole ingest of one training batch, on a store with ``outputs`` models."""
    from services.ingest import Ingestor
    from services.store import open_store

    rng = random.Random(seed)
    store = open_store("memory:")
    ingestor = Ingestor(store)

    def body(records: list[dict]) -> dict:
        return {"schema": "provml/capture/1", "records": records}

    registered = [{"type": "run.start", "id": "reg", "run": "reg", "time": 1.0, "name": "reg"}]
    for k in range(kinds):
        for v in range(versions):
            revises = [] if v == 0 else [
                {"id": f"k{k}.v{rng.randint(max(0, v - 5), v - 1)}", "weight": rng.random()}
            ]  # fmt: skip
            registered.append({"type": "version", "id": f"k{k}.v{v}", "run": "reg", "time": 1.0,
                               "kind": "k", "name": f"k{k}", "version": str(v),
                               "revises": revises})  # fmt: skip
    for at in range(0, len(registered), 5000):
        ingestor.ingest_batch(body(registered[at : at + 5000]))

    def job(n: int) -> list[dict]:
        used = [f"k{k}.v{rng.randrange(versions)}" for k in range(kinds)]
        return [
            {"type": "run.start", "id": f"r{n}", "run": f"r{n}", "time": 10.0 + n, "name": "e"},
            {"type": "stage.start", "id": f"s{n}", "run": f"r{n}", "time": 10.0 + n,
             "name": "train", "kind": "training", "used": used},
            {"type": "entity", "id": f"m{n}", "run": f"r{n}", "time": 10.5 + n, "kind": "model",
             "name": "mlp", "generated_by": f"s{n}"},
            {"type": "stage.end", "id": f"s{n}", "run": f"r{n}", "time": 10.9 + n},
        ]  # fmt: skip

    for n in range(outputs):
        ingestor.ingest_batch(body(job(n)))
    times = []
    for n in range(outputs, outputs + samples):
        t0 = time.perf_counter()
        ingestor.ingest_batch(body(job(n)))
        times.append(time.perf_counter() - t0)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", type=int, default=3, help="input objects (default 3)")
    parser.add_argument("--inputs", type=int, default=1000, help="versions of each (default 1000)")
    parser.add_argument("--outputs", type=int, default=10000, help="model versions (10000)")
    parser.add_argument("--windows", type=int, default=10, help="points on the growth curve")
    parser.add_argument("--ingest", type=int, default=20, help="timed ingests at the end (20)")
    parser.add_argument("--ingest-outputs", type=int, default=2000,
                        help="models in the store before the timed ingests (2000)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    inputs = build_inputs(args.kinds, args.inputs, rng)
    step = max(1, args.outputs // args.windows)
    windows = [min(args.outputs, step * (i + 1)) for i in range(args.windows)]
    print(f"{args.kinds} input objects x {args.inputs} versions; one insertion per model version")
    print("models  median ms  max ms")
    rows = grow(inputs, args.outputs, windows, rng)
    for size, median, worst, _ in rows:
        print(f"{size:6d}  {median:9.3f}  {worst:6.2f}")
    print(f"inferred revisions at {rows[-1][0]} models: {rows[-1][3]}")
    if args.ingest:
        times = ingest_times(args.ingest_outputs, args.kinds, args.inputs, args.ingest, args.seed)
        print(
            f"whole ingest of one training batch at {args.ingest_outputs} models: median "
            f"{statistics.median(times) * 1e3:.2f} ms, max {max(times) * 1e3:.2f} ms "
            f"({args.ingest} batches, memory store)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
