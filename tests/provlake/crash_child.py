"""A training loop that reports, after each flushed epoch, how many records are safely captured.

Run by test_crash.py, which kills it with SIGKILL in the middle of the run.
"""

from __future__ import annotations

import sys
import time

import provlake as pl


def main(transport: str, spool_dir: str) -> None:
    client = pl.Client(
        transport,
        spool_dir=spool_dir,
        flush_interval=0.01,
        backoff=0.01,
        max_retries=0,
        capture_environment=False,
    )
    run = client.start_run("crashing", run_id="crashed-run")
    train = run.stage("training", kind="training")
    captured = 2
    for epoch in range(100_000):
        with train.section("epoch", epoch) as ep:
            ep.log_metrics(loss=1.0 / (epoch + 1), accuracy=0.5, val_loss=0.7)
        captured += 5
        client.flush(10)
        print(captured, flush=True)
        time.sleep(0.005)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
