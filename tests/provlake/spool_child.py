"""A capturing process for test_shared_spool.py, driven by lines on stdin.

``spool_child.py URL SPOOL_DIR RUN_ID N``: captures a run of N metrics (the manager is down: they
are spooled), prints ``spooled``, then answers ``flush`` with the result of
``flush(acknowledged=True)`` and ends on ``exit`` (or at the end of stdin).
"""

from __future__ import annotations

import sys

import provlake as pl


def main(url: str, spool_dir: str, run_id: str, n: int) -> None:
    client = pl.Client(
        url,
        spool_dir=spool_dir,
        capture_environment=False,
        flush_interval=0.02,
        backoff=0.01,
        max_backoff=0.05,
        max_retries=0,
        batch_size=10,
    )
    stage = client.start_run("shared-spool", run_id=run_id).stage("training", kind="training")
    for i in range(n):
        stage.log_metric("loss", float(i), step=i)
    print("spooled" if client.flush(20) else "not spooled", flush=True)
    for line in sys.stdin:
        if line.strip() == "flush":
            print(client.flush(20, acknowledged=True), flush=True)
        elif line.strip() == "exit":
            break
    client.close(20)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
