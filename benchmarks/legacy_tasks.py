"""One repetition of the legacy-API workload of ``capture_overhead.py --legacy``, with whichever
``provlake`` is on the path (provml's, or the real ``provlake==0.2.982``): the same script for both.

A workflow in file mode (offline log) runs CYCLES iterations of a ``ProvCycle``, each with TASKS
tasks: ``ProvTask(...)`` constructed, ``begin()`` and ``end(...)`` timed together with
``perf_counter_ns``. Prints one JSON object: the per-task times (ns), the process CPU time of the
loop (all threads), and the time of ``ProvWorkflow.end()`` (the final flush and close).

    PYTHONPATH=DIR python benchmarks/legacy_tasks.py LOG CYCLES TASKS [BAG_SIZE]
"""

from __future__ import annotations

import json
import sys
import time


def main(log: str, cycles: int, tasks: int, bag_size: int | None) -> dict:
    from provlake import ProvLake
    from provlake.capture import ProvCycle, ProvTask, ProvWorkflow

    pc = time.perf_counter_ns
    options = {"bag_size": bag_size} if bag_size else {}
    prov = ProvLake.get_persister(log_file_path=log, context="bench", **options)
    wf = ProvWorkflow(prov, "legacy-bench", custom_metadata={"user": "bench"})
    wf.begin()
    per_task: list[int] = []
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
        cycle.end({"loss": 0.4, "accuracy": 0.8})
    loop_cpu, loop_wall = time.process_time_ns() - cpu, pc() - wall
    t = pc()
    wf.end()
    return {
        "per_task_ns": per_task,
        "loop_cpu_ns": loop_cpu,
        "loop_wall_ns": loop_wall,
        "end_ns": pc() - t,
        "cpu_ns": time.process_time_ns() - cpu,
    }


if __name__ == "__main__":
    bag = int(sys.argv[4]) if len(sys.argv) > 4 else None
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), bag)))
