"""Cost of ingesting one batch by size: parse, map, validate (fast and pyshacl), commit, against a
pyoxigraph bulk_load of the same quads.

Run from the repository root:
``PYTHONPATH=. python tests/services/ingest/bench_validation.py [sizes]``.
Not a test (no timing assertions live in the suite); it prints a table.
"""

from __future__ import annotations

import json
import sys
import time

T0 = 1795341827.25


def training_batch(records: int, run: str = "bench") -> bytes:
    """A run with a training stage, epochs and metrics: about ``records`` records."""
    out = [
        {"type": "run.start", "id": run, "run": run, "time": T0, "name": "bench", "user": "alice"},
        {"type": "stage.start", "id": "tr", "run": run, "time": T0 + 1, "name": "training",
         "kind": "training", "planned_epochs": records},
    ]  # fmt: skip
    epoch = 0
    while len(out) < records:
        section = f"ep{epoch}"
        out.append({"type": "section.start", "id": section, "run": run, "time": T0 + 2 + epoch,
                    "stage": "tr", "name": "epoch", "index": epoch})  # fmt: skip
        for name in ("loss", "accuracy", "val loss"):
            out.append({"type": "metric", "id": f"{section}-{name.replace(' ', '-')}", "run": run,
                        "time": T0 + 2.5 + epoch, "execution": section, "name": name,
                        "value": 1.0 / (epoch + 1), "epoch": epoch})  # fmt: skip
        out.append({"type": "section.end", "id": section, "run": run, "time": T0 + 3 + epoch,
                    "status": "finished"})  # fmt: skip
        epoch += 1
    return json.dumps({"schema": "provml/capture/1", "records": out}).encode()


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)  # the machine is shared: the fastest run is the least disturbed


def main(sizes: list[int]) -> None:
    import pyoxigraph as ox

    from services.ingest import Ingestor, parse_batch
    from services.ingest._fastshacl import FastValidator
    from services.ingest._iris import Iris
    from services.ingest._mapping import Mapper
    from services.ingest._validation import PyshaclValidator
    from services.store import open_store

    fast, reference = FastValidator(), PyshaclValidator()
    print("records  quads   parse  convert  fast-val  pyshacl-val  commit  end-to-end", end="")
    print("  bulk_load  ratio")
    for size in sizes:
        body = training_batch(size)
        records = parse_batch(body).records
        quads = Mapper(Iris()).map(records)
        nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        repeat = 5 if size <= 1000 else 2
        parse = best(lambda b=body: parse_batch(b), repeat)
        convert = best(lambda r=records: Mapper(Iris()).map(r), repeat)
        fast_time = best(lambda q=quads: fast.validate(q), repeat)
        # pyshacl grows faster than linearly: measured up to 1000 records only.
        slow = best(lambda q=quads: reference.validate(q), 3) if size <= 1000 else float("nan")

        def commit(q=quads) -> None:
            with open_store("memory:") as store:
                store.add(q)

        def end_to_end(b=body) -> None:
            with open_store("memory:") as store:
                Ingestor(store).ingest_batch(b)  # the compiled validator is shared

        def bulk(data=nquads) -> None:
            ox.Store().bulk_load(data, format=ox.RdfFormat.N_QUADS)

        commit_time, e2e, bulk_time = (
            best(commit, repeat),
            best(end_to_end, repeat),
            best(bulk, repeat),
        )
        print(
            f"{len(records):7d} {len(quads):6d} {parse * 1e3:7.1f} {convert * 1e3:8.1f} "
            f"{fast_time * 1e3:9.1f} {slow * 1e3:12.1f} {commit_time * 1e3:7.1f} {e2e * 1e3:11.1f} "
            f"{bulk_time * 1e3:10.1f} {bulk_time / e2e:6.3f}"
        )
    print("times in ms (best of runs); ratio = bulk_load time / end-to-end time (throughput ratio)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 100, 1000, 10000])
