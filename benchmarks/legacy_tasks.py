"""One repetition of the legacy-API workload of ``capture_overhead.py --legacy``, with whichever
``provlake`` is on the path (provml's, or the real ``provlake==0.2.982``): the same script for both.

A workflow in file mode (offline log) runs CYCLES iterations of a ``ProvCycle``, each with TASKS
tasks: ``ProvTask(...)`` constructed, ``begin()`` and ``end(...)`` timed together with
``perf_counter_ns``. Prints one JSON object: the per-task times (ns), the process CPU time of the
loop (all threads), and the time of ``ProvWorkflow.end()`` (the final flush and close). With
``diagnose`` (a separate pass: the probes cost time), what the slow tasks (over twice the median)
met: a minor page fault (first touch of fresh memory) or a garbage collection, counted per task.

    PYTHONPATH=DIR python benchmarks/legacy_tasks.py LOG CYCLES TASKS [BAG_SIZE|default [diagnose]]
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import sys
import time


def main(log: str, cycles: int, tasks: int, bag_size: int | None, diagnose: bool = False) -> dict:
    from provlake import ProvLake
    from provlake.capture import ProvCycle, ProvTask, ProvWorkflow

    pc = time.perf_counter_ns
    options = {"bag_size": bag_size} if bag_size else {}
    prov = ProvLake.get_persister(log_file_path=log, context="bench", **options)
    wf = ProvWorkflow(prov, "legacy-bench", custom_metadata={"user": "bench"})
    wf.begin()
    per_task: list[int] = []
    probes: list[tuple[int, int]] = []  # (minor page faults, garbage collections) per task
    collections = [0]
    if diagnose:
        gc.callbacks.append(lambda phase, info: collections.__setitem__(0, collections[0] + 1))
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu, wall = time.process_time_ns(), pc()
    for epoch in range(cycles):
        cycle = ProvCycle(prov, "epochs", epoch, wf, input_args={"lr": 0.01, "momentum": 0.9})
        cycle.begin()
        for batch in range(tasks):
            t0 = pc()
            task = ProvTask(
                prov,
                "train_batch",
                wf,
                input_args={"epoch": epoch, "batch": batch},
                parent_cycle_name="epochs",
            )
            task.begin()
            task.end({"loss": 0.5, "accuracy": 0.75})
            per_task.append(pc() - t0)
            if diagnose:
                now = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                probes.append((now - faults, collections[0]))
                faults, collections[0] = now, 0
        cycle.end({"loss": 0.4, "accuracy": 0.8})
    loop_cpu, loop_wall = time.process_time_ns() - cpu, pc() - wall
    t = pc()
    wf.end()
    if diagnose:
        limit = 2 * statistics.median(per_task)
        slow = [p for t, p in zip(per_task, probes, strict=True) if t > limit]
        return {
            "slow": len(slow),
            "faulted": sum(1 for f, _ in slow if f),
            "collected": sum(1 for _, c in slow if c),
            "either": sum(1 for f, c in slow if f or c),
        }
    return {
        "per_task_ns": per_task,
        "loop_cpu_ns": loop_cpu,
        "loop_wall_ns": loop_wall,
        "end_ns": pc() - t,
        "cpu_ns": time.process_time_ns() - cpu,
    }


if __name__ == "__main__":
    bag = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] != "default" else None
    diagnose = sys.argv[5:] == ["diagnose"]
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), bag, diagnose)))
