"""``adapt_hyperparameter(..., epoch=e)``: e is the first epoch that runs with the new value, and
``hyperparameters-by-epoch`` gives each epoch the value it ran with, around every change."""

from __future__ import annotations

import json

import pytest

import provlake as pl
from queryengine import ask
from services.ingest import Ingestor
from services.store import open_store


def capture() -> tuple[pl.Run, list[dict]]:
    """A learning-rate schedule changed in the three usual places."""
    memory = pl.MemoryTransport()
    client = pl.Client(memory, capture_environment=False)
    with (
        client.start_run("schedule") as run,
        run.stage(
            "training", kind="training", hyperparameters={"lr": 0.1}, planned_epochs=6
        ) as train,
    ):
        for epoch in range(6):
            if epoch == 5:  # before the epoch starts, saying which one
                train.adapt_hyperparameter("lr", 0.005, epoch=5)
            with train.section("epoch", epoch) as ep:
                ep.log_metric("loss", 1.0 / (epoch + 1))
                if epoch == 3:  # inside epoch 3, at its end: epoch 4 is the first
                    ep.adapt_hyperparameter("lr", 0.01)
            if epoch == 1:  # between epochs, after epoch 1 ended: epoch 2 is the first
                train.adapt_hyperparameter("lr", 0.05)
        train.adapt_hyperparameter("lr", 0.001)  # after the last epoch: 6, none ran with it
    assert client.close(10)
    return run, memory.batches


def test_the_default_epoch_of_an_adaptation_is_the_first_that_runs_with_it() -> None:
    _, batches = capture()
    records = [r for b in batches for r in b["records"] if r["type"] == "hyperparameter"]
    assert [(r["value"], r.get("epoch")) for r in records] == [
        (0.1, None),
        (0.05, 2),
        (0.01, 4),
        (0.005, 5),
        (0.001, 6),
    ]
    stage = (
        pl.Client("memory:").start_run("x").stage("t", kind="training", hyperparameters={"a": 1})
    )
    stage.adapt_hyperparameter("a", 2)  # before any epoch: the first one runs with it
    stage.client.close()
    (adapted,) = [r for r in stage.client.transport.records if r.get("previous")]
    assert adapted["epoch"] == 0


@pytest.mark.integration
def test_hyperparameters_by_epoch_gives_each_epoch_the_value_it_ran_with() -> None:
    run, batches = capture()
    with open_store("memory:") as store:
        ingestor = Ingestor(store)
        for batch in batches:  # accepted: 6 is the planned number of epochs, allowed for a change
            ingestor.ingest_batch(json.dumps(batch).encode())
        rows = ask("hyperparameters-by-epoch", store=store, run=run.id)
    lr = {r["epoch"]: (r["value"], r["since_epoch"]) for r in rows if r["hyperparameter"] == "lr"}
    assert lr == {
        0: (0.1, None),
        1: (0.1, None),
        2: (0.05, 2),
        3: (0.05, 2),
        4: (0.01, 4),
        5: (0.005, 5),
        6: (0.001, 6),  # the epochs of adaptations are listed too: from 6 on (none ran)
    }
