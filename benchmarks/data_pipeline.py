"""Cost of recording a ``provlake.data`` pipeline: the same chain with and without provenance.

The chain is load → map → map → shuffle → batch, run in this process:

- ``plain``: the operations written as plain Python generators (the same shuffle algorithm and the
  same batch stacking as ``provlake.data``), the way a script would without any library;
- ``tracked``: the ``provlake.data`` chain recorded in a run of a client whose transport encodes
  every record on its background thread and keeps it in memory (``memory:``), so the cost measured
  is what the iterating thread pays.

Two workloads: ``small`` (ITEMS integers, two arithmetic maps, a shuffle buffer of 1,024, batches
of 32) and ``numpy`` (IMAGES image-sized arrays, 3x224x224 float32: a normalisation and a flip,
a buffer of 64, batches of 32). Each repetition runs every variant once, alternating which goes
first, and the figures are medians over the repetitions of the iterating thread's CPU time
(``time.thread_time``: on a shared machine, wall time mostly measures the other processes): the
seconds of each chain, the overhead of ``tracked`` over ``plain`` (of the medians, and the median
of the ratios of runs side by side) and, for the small workload, the provenance cost per item of
each operation (the growth of the overhead as the chain gets one operation longer).

    python benchmarks/data_pipeline.py
    python benchmarks/data_pipeline.py --sample-rate 256
    python benchmarks/data_pipeline.py --items 200000 --images 500 --repeat 3 --numpy-repeat 5

Figures for docs/performance.md ("Data pipelines").
"""

from __future__ import annotations

import argparse
import collections
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import provlake as pl  # noqa: E402
from provlake import data  # noqa: E402
from provlake.data._ops import stack  # noqa: E402

OPERATIONS = ["load", "map", "map", "shuffle", "batch"]


# -- the chain as plain generators ----------------------------------------------------------------


def _load(source: Callable[[], Iterator[Any]]) -> Iterator[Any]:
    yield from source()


def _map(items: Iterator[Any], fn: Callable[[Any], Any]) -> Iterator[Any]:
    for item in items:
        yield fn(item)


def _shuffle(items: Iterator[Any], rng: np.random.Generator, size: int) -> Iterator[Any]:
    buffer: list[Any] = []
    block: list[float] = []
    used = 0
    source = iter(items)
    for item in source:
        buffer.append(item)
        if len(buffer) >= size:
            break
    size = len(buffer)
    for item in source:
        if used == len(block):
            block, used = rng.random(4096).tolist(), 0
        slot = int(block[used] * size)
        used += 1
        out = buffer[slot]
        buffer[slot] = item
        yield out
    for slot in rng.permutation(len(buffer)).tolist():
        yield buffer[slot]


def _batch(items: Iterator[Any], size: int) -> Iterator[Any]:
    pending: list[Any] = []
    for item in items:
        pending.append(item)
        if len(pending) == size:
            yield stack(pending)
            pending = []
    if pending:
        yield stack(pending)


def plain(work: dict[str, Any], length: int) -> Iterator[Any]:
    """The first ``length`` operations of the chain as plain generators."""
    items: Iterator[Any] = _load(work["source"])
    if length > 1:
        items = _map(items, work["first"])
    if length > 2:
        items = _map(items, work["second"])
    if length > 3:
        items = _shuffle(items, np.random.default_rng(1), work["buffer"])
    if length > 4:
        items = _batch(items, 32)
    return items


def tracked(
    work: dict[str, Any], length: int, client: pl.Client, sample_rate: int = 64
) -> Iterator[Any]:
    """The same with ``provlake.data``, recorded in a new run (one item in ``sample_rate``
    inspected and timed)."""
    run = client.start_run("benchmark", kind="workflow")
    ds = data.from_generator(work["source"], identifier="load")
    if length > 1:
        ds = ds.map(work["first"], "first map")
    if length > 2:
        ds = ds.map(work["second"], "second map")
    if length > 3:
        ds = ds.shuffle(np.random.default_rng(1), work["buffer"], identifier="shuffle")
    if length > 4:
        ds = ds.batch(32, identifier="batch")
    return iter(ds.track(run, sample_rate=sample_rate))


def _timed(items: Iterator[Any]) -> float:
    """CPU seconds of this thread to run the chain: what the iterating thread pays, and less
    disturbed than wall time by other processes on a shared machine."""
    started = time.thread_time()
    collections.deque(items, maxlen=0)
    return time.thread_time() - started


def measure(
    work: dict[str, Any], lengths: list[int], repeat: int, sample_rate: int
) -> dict[tuple[str, int], float]:
    """Median seconds of each (variant, chain length), the runs interleaved; ``("ratio", n)``:
    the median of the ratios tracked / plain of the runs side by side."""
    client = pl.Client("memory:", capture_environment=False)
    times: dict[tuple[str, int], list[float]] = collections.defaultdict(list)
    for rep in range(repeat):
        for length in lengths:
            order = ["plain", "tracked"] if rep % 2 == 0 else ["tracked", "plain"]
            for variant in order:
                gc.collect()
                chain = (
                    plain(work, length)
                    if variant == "plain"
                    else tracked(work, length, client, sample_rate)
                )
                times[(variant, length)].append(_timed(chain))
        client.flush(60)
        client.transport.batches.clear()
    client.close()
    medians = {key: statistics.median(values) for key, values in times.items()}
    for length in lengths:
        pairs = zip(times[("tracked", length)], times[("plain", length)], strict=True)
        medians[("ratio", length)] = statistics.median(t / p for t, p in pairs)
    return medians


def small(items: int) -> dict[str, Any]:
    return {
        "source": lambda: iter(range(items)),
        "first": lambda x: x * 2,
        "second": lambda x: x + 1,
        "buffer": 1024,
        "items": items,
    }


def images(count: int) -> dict[str, Any]:
    pool = [
        np.random.default_rng(i).integers(0, 256, (3, 224, 224), dtype=np.uint8) for i in range(8)
    ]
    mean = np.float32(127.5)

    return {
        "source": lambda: (pool[i % 8] for i in range(count)),
        "first": lambda image: (image.astype(np.float32) - mean) / mean,
        "second": lambda image: image[:, :, ::-1].copy(),
        "buffer": 64,
        "items": count,
    }


def _report(name: str, work: dict[str, Any], medians: dict[tuple[str, int], float]) -> None:
    n = work["items"]
    full = len(OPERATIONS)
    p, t = medians[("plain", full)], medians[("tracked", full)]
    print(f"{name}: {n:,} items, load → map → map → shuffle → batch")
    print(f"  plain generators  {p:8.3f} s   {p / n * 1e6:8.3f} µs/item")
    print(f"  provlake.data     {t:8.3f} s   {t / n * 1e6:8.3f} µs/item")
    print(f"  overhead          {(t / p - 1) * 100:+7.1f} %   {(t - p) / n * 1e9:+8.1f} ns/item")
    ratio = medians[("ratio", full)]
    print(f"  side by side      {(ratio - 1) * 100:+7.1f} %   (median of the paired ratios)")
    if ("plain", 1) in medians:
        print("  provenance cost per item, by operation (growth of the overhead):")
        before = 0.0
        for length, operation in enumerate(OPERATIONS, 1):
            extra = (medians[("tracked", length)] - medians[("plain", length)]) / n * 1e9
            print(f"    {operation:8} {extra - before:+8.1f} ns")
            before = extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="items of the small workload")
    parser.add_argument("--images", type=int, default=1_000, help="items of the numpy workload")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions (medians)")
    parser.add_argument(
        "--sample-rate", type=int, default=64, help="one item in N inspected and timed (64)"
    )
    parser.add_argument(
        "--numpy-repeat", type=int, default=15, help="repetitions of the numpy workload"
    )
    args = parser.parse_args()
    work = small(args.items)
    print(f"one item in {args.sample_rate} inspected and timed")
    _report("small", work, measure(work, [1, 2, 3, 4, 5], args.repeat, args.sample_rate))
    work = images(args.images)
    _report("numpy", work, measure(work, [5], args.numpy_repeat, args.sample_rate))


if __name__ == "__main__":
    main()
