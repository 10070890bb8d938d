"""Capture overhead: what logging metrics costs a training loop, per transport.

A loop of EPOCHS x STEPS steps, each doing WORK_US of pure-Python work and logging 3 metrics, plus 4
metrics per epoch (in an epoch section). Reports, per transport: median and p99 microseconds per
capture call (each call timed with perf_counter_ns; the timer's own cost is shown apart), the
overhead of the captured loop over the same loop without capture, and the time of the final flush.

    python benchmarks/capture_overhead.py              # memory and file (http with --manager URL)
    python benchmarks/capture_overhead.py --manager http://127.0.0.1:7080
    python benchmarks/capture_overhead.py --serve      # starts `provml serve --store memory:`
    python benchmarks/capture_overhead.py --legacy     # the legacy API against provlake==0.2.982

``--legacy`` compares the legacy ProvLake API of provml with the real ``provlake==0.2.982`` client
(installed on first use into a folder of its own, the one the tests use: both packages are called
``provlake``): the same script (``benchmarks/legacy_tasks.py``, CYCLES x TASKS tasks, each a
``ProvTask`` constructed, begun and ended inside a ``ProvCycle``, file mode) runs in a child process
per library, the two alternating for ``--repeat`` repetitions; per bag size, it reports the mean,
median and p99 time per task on the caller's thread, the CPU time per task of the whole process
(every thread, the final flush included) and what ``ProvWorkflow.end()`` waited for.

Figures for docs/performance.md ("Capture overhead", "Legacy API").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import provlake as pl

pc = time.perf_counter_ns


def make_work(work_us: float):
    """A pure-Python step of about ``work_us`` microseconds (calibrated)."""

    def step(n: int) -> float:
        acc = 0.0
        for i in range(n):
            acc += i * 0.5
        return acc

    n = 1000
    while True:  # the median of several trials
        per = statistics.median(_trial(step, n) for _ in range(5))
        if per > 5:
            break
        n *= 2
    n = max(1, int(n * work_us / per))
    return lambda: step(n)


def _trial(step, n: int) -> float:
    t = pc()
    for _ in range(20):
        step(n)
    return (pc() - t) / 20 / 1000


def loop(run: pl.Run | None, epochs: int, steps: int, work, timed: list[int] | None) -> None:
    if run is None:
        for _epoch in range(epochs):
            for _step in range(steps):
                work()
        return
    with run.stage("training", kind="training", hyperparameters={"lr": 0.01}) as train:
        for epoch in range(epochs):
            with train.section("epoch", epoch) as ep:
                for step in range(steps):
                    x = work()
                    if timed is None:
                        ep.log_metric("loss", x, step=step)
                        ep.log_metric("accuracy", 0.5, step=step)
                        ep.log_metric("lr", 0.01, step=step)
                    else:
                        t0 = pc()
                        ep.log_metric("loss", x, step=step)
                        t1 = pc()
                        ep.log_metric("accuracy", 0.5, step=step)
                        t2 = pc()
                        ep.log_metric("lr", 0.01, step=step)
                        t3 = pc()
                        timed += (t1 - t0, t2 - t1, t3 - t2)
                if timed is None:
                    ep.log_metrics(val_loss=0.3, val_accuracy=0.9, epoch_time=1.0, grad_norm=2.0)
                else:
                    for name in ("val_loss", "val_accuracy", "epoch_time", "grad_norm"):
                        t0 = pc()
                        ep.log_metric(name, 0.3)
                        timed.append(pc() - t0)


def measure(transport: str, args: argparse.Namespace, work, spool: Path) -> dict:
    per_call: list[int] = []
    baselines, captured, flushes, spooled = [], [], [], []
    for i in range(args.repeat + 1):
        if i > 0:  # interleaved with the captured runs, so both see the same machine load
            baselines.append(_timed_s(lambda: loop(None, args.epochs, args.steps, work, None)))
        client = pl.Client(transport, spool_dir=str(spool / f"run{i}"), capture_environment=False)
        run = client.start_run("bench")
        if i == 0:  # per-call timings in a separate pass (the timers cost time themselves)
            loop(run, args.epochs, args.steps, work, per_call)
        else:
            captured.append(
                _timed_s(lambda run=run: loop(run, args.epochs, args.steps, work, None))
            )
        run.end()
        t = pc()
        assert client.flush(120), "flush timed out"
        flushed = pc()
        expected = args.epochs * (args.steps * 3 + 4 + 2) + 5
        while client.stats()["sent_records"] < expected and pc() - t < 600e9:
            time.sleep(0.01)
        flushes.append(((flushed - t) / 1e6, (pc() - t) / 1e9))
        stats = client.stats()
        spooled.append(stats["spooled_records"])
        client.close()
        assert stats["sent_records"] == expected and stats["dropped_records"] == 0, stats
    per_call.sort()
    return {
        "transport": transport.split(":")[0] if "://" not in transport else "http",
        "calls": len(per_call),
        "median_us": statistics.median(per_call) / 1000,
        "p99_us": per_call[int(len(per_call) * 0.99)] / 1000,
        "baseline_s": min(w for w, _ in baselines),
        "captured_s": min(w for w, _ in captured),
        "overhead_pct": (min(captured)[0] - min(baselines)[0]) / min(baselines)[0] * 100,
        "cpu_overhead_pct": (min(c for _, c in captured) / min(c for _, c in baselines) - 1) * 100,
        "cpu_us_per_record": (min(c for _, c in captured) - min(c for _, c in baselines))
        / expected
        * 1e6,
        "flush_ms": statistics.median(f for f, _ in flushes[1:]),
        "acked_s": statistics.median(a for _, a in flushes[1:]),
        "spooled": max(spooled[1:]),
    }


def _timed_s(fn) -> tuple[float, float]:
    """Wall-clock and process CPU seconds (every thread, so the flusher's work is included)."""
    t, c = pc(), time.process_time_ns()
    fn()
    return (pc() - t) / 1e9, (time.process_time_ns() - c) / 1e9


def _timer_cost_us() -> float:
    samples = []
    for _ in range(10000):
        t0 = pc()
        t1 = pc()
        samples.append(t1 - t0)
    return statistics.median(samples) / 1000


def _serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--store", "memory:", "--port", str(port),
         "--log-level", "warning"],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/health/ready", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the manager did not start")


LEGACY_SCRIPT = Path(__file__).with_name("legacy_tasks.py")
ROOT = Path(__file__).resolve().parents[1]


def provlake_0_2_982(folder: Path | None) -> Path:
    """A folder holding ``provlake==0.2.982`` and its dependencies (installed if missing)."""
    if folder is None:
        version = f"py{sys.version_info.major}{sys.version_info.minor}"
        folder = Path(tempfile.gettempdir()) / f"provml-tests-provlake-0.2.982-{version}"
    if not (folder / "provlake" / "capture" / "__init__.py").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-input", "--target", str(folder), "--ignore-requires-python",
             "--only-binary=:all:", "provlake==0.2.982", "requests-futures", "pandas", "numpy"],
            check=True,
        )  # fmt: skip
    return folder


def legacy_once(
    library: Path,
    settings: dict[str, str],
    args: argparse.Namespace,
    bag: int | None,
    tmp: Path,
    diagnose: bool = False,
) -> dict:
    """One run of the legacy script with ``library`` first on the path; checks the log it wrote."""
    log = tmp / f"legacy-{library.name}-{bag}-{time.monotonic_ns()}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROVML_", "PROV_"))}
    env.update(settings, PYTHONPATH=str(library))
    command = [sys.executable, str(LEGACY_SCRIPT), str(log), str(args.cycles), str(args.tasks)]
    out = subprocess.run(
        command + [str(bag or "default")] + (["diagnose"] if diagnose else []),
        env=env, cwd=tmp, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(out.stdout)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    if library == ROOT:  # batches of capture records: run, cycles (+ 2 hyperparameters and 2
        # metrics each), tasks (start, 2 metrics, end)
        got = sum(len(batch["records"]) for batch in lines)
        expected = 2 + args.cycles * (6 + 4 * args.tasks)
    else:  # lists of ProvLake requests: workflow, cycles, tasks (constructor, begin, end)
        got = sum(len(requests) for requests in lines)
        expected = 2 + args.cycles * (2 + 3 * args.tasks)
    assert got == expected, f"{library}: {got} records in the log, expected {expected}"
    log.unlink()
    return result


def legacy(args: argparse.Namespace) -> None:
    real = provlake_0_2_982(args.provlake_0_2_982)
    libraries = {  # name: (folder, environment)
        "provlake 0.2.982": (real, {}),
        "provml": (ROOT, {}),
        # the same without the environment capture at run start (a fixed cost, about 60 ms here)
        "provml, capture_environment off": (ROOT, {"PROVML_CAPTURE_ENVIRONMENT": "false"}),
    }
    bags = [None if b == "default" else int(b) for b in args.bag_size or ["default", "500"]]
    results: dict[tuple, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for bag in bags:
                order = list(libraries.items())
                for name, (library, settings) in order if i % 2 == 0 else order[::-1]:
                    run = legacy_once(library, settings, args, bag, Path(tmp))  # interleaved
                    results.setdefault((bag, name), []).append(run)
    tasks = args.cycles * args.tasks
    print(
        f"# legacy API: {args.cycles} cycles x {args.tasks} tasks (ProvTask + begin + end), "
        f"file mode, {args.repeat} repetitions interleaved; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(
        "| bag_size | client | tasks timed | mean µs/task | median µs/task | p99 µs/task "
        "| CPU µs/task (all threads, with the end) | ProvWorkflow.end() (ms) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for bag in bags:
        stats = {}
        for name in libraries:
            runs = results[(bag, name)]
            times = sorted(t for run in runs for t in run["per_task_ns"])
            stats[name] = (
                statistics.fmean(times) / 1000,
                statistics.median(times) / 1000,
                times[int(len(times) * 0.99)] / 1000,
            )
            cells = [
                bag or "default", name, len(times), *(f"{v:.2f}" for v in stats[name]),
                f"{statistics.median(r['cpu_ns'] for r in runs) / tasks / 1000:.2f}",
                f"{statistics.median(r['end_ns'] for r in runs) / 1e6:.1f}",
            ]  # fmt: skip
            print("| " + " | ".join(map(str, cells)) + " |")
        ratios = [a / b for a, b in zip(stats["provlake 0.2.982"], stats["provml"], strict=True)]
        print(
            f"| {bag or 'default'} | **provlake 0.2.982 ÷ provml** | | "
            + " | ".join(f"**{r:.1f}×**" for r in ratios)
            + " | | |",
            flush=True,
        )
    if args.diagnose:
        with tempfile.TemporaryDirectory() as tmp:
            for name, (library, settings) in libraries.items():
                for bag in bags:
                    d = legacy_once(library, settings, args, bag, Path(tmp), diagnose=True)
                    print(
                        f"# {name}, bag_size {bag or 'default'}: {d['slow']} tasks over twice "
                        f"the median; {d['faulted']} of them took a minor page fault, "
                        f"{d['collected']} ran a garbage collection ({d['either']} either)"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--work-us", type=float, default=100.0, help="pure-Python work per step")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--manager", help="benchmark the http transport against this manager")
    parser.add_argument(
        "--serve", action="store_true", help="start a manager (memory store) for http"
    )
    parser.add_argument(
        "--legacy", action="store_true", help="the legacy API against provlake==0.2.982"
    )
    parser.add_argument("--cycles", type=int, default=10, help="legacy: ProvCycle iterations")
    parser.add_argument("--tasks", type=int, default=500, help="legacy: tasks per iteration")
    parser.add_argument(
        "--bag-size",
        action="append",
        help="legacy: bag_size given to get_persister, or 'default' (repeatable; "
        "default: 'default' and 500)",
    )
    parser.add_argument(
        "--provlake-0-2-982",
        type=Path,
        help="legacy: folder holding provlake==0.2.982 (default: the tests' cache, installed if "
        "missing)",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="legacy: one more pass per client counting page faults and garbage collections in "
        "the slow tasks",
    )
    args = parser.parse_args()
    if args.legacy:
        legacy(args)
        return
    work = make_work(args.work_us)
    server = None
    if args.serve:
        server, args.manager = _serve()
    transports = ["memory:", None, args.manager] if args.manager else ["memory:", None]
    print(
        f"# {args.epochs} epochs x {args.steps} steps, {args.work_us:.0f} us of work per step "
        "(see the loop without capture); "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    timer = _timer_cost_us()
    print(f"# timer cost (a perf_counter_ns pair, inside the per-call figures): {timer:.3f} us")
    print(
        "| transport | capture calls | median µs/call | p99 µs/call | loop without capture (s) "
        "| loop with capture (s) | overhead (wall) | overhead (CPU) | CPU µs/record "
        "| final flush (ms) | all acknowledged (s) | via the spool |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for transport in transports:
                spec = transport or f"file:{tmp}/capture.jsonl"
                r = measure(spec, args, work, Path(tmp) / "spool")
                cells = [
                    r["transport"], r["calls"], f"{r['median_us']:.2f}", f"{r['p99_us']:.2f}",
                    f"{r['baseline_s']:.3f}", f"{r['captured_s']:.3f}",
                    f"{r['overhead_pct']:+.1f} %", f"{r['cpu_overhead_pct']:+.1f} %",
                    f"{r['cpu_us_per_record']:.1f}",
                    f"{r['flush_ms']:.1f}", f"{r['acked_s']:.2f}", r["spooled"],
                ]  # fmt: skip
                print("| " + " | ".join(map(str, cells)) + " |", flush=True)
    finally:
        if server is not None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
