"""The Keras callback on a real small Keras 3 model (CPU, torch backend): what it captures is what
Keras reports, and it lands as valid PROV-ML that the questions answer."""

from __future__ import annotations

import contextvars
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras
import numpy as np
import pytest

import provlake as pl
from provlake.integrations.keras import ProvenanceCallback
from queryengine import ask
from services.ingest import Ingestor
from services.store import open_store

EPOCHS = 4
BASE = "http://provml.localhost/id/"


def _model() -> keras.Model:
    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ],
        name="tiny",
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.5),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _data() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.RandomState(0).rand(64, 4).astype("float32")
    return x, (x.sum(axis=1) * 1.4).astype(int) % 3


def _fit(
    scheduler: keras.callbacks.Callback, first: bool
) -> tuple[list[dict], keras.callbacks.History]:
    x, y = _data()
    with pl.Client("memory:", capture_environment=False) as client:
        run = client.start_run("tiny-keras", run_id="keras-run")
        data = run.dataset("tiny-xy", id="tiny-xy")
        callback = ProvenanceCallback(run, used=[data])
        callbacks = [scheduler, callback] if first else [callback, scheduler]
        history = _model().fit(
            x,
            y,
            epochs=EPOCHS,
            batch_size=16,
            validation_split=0.25,
            verbose=0,
            callbacks=callbacks,
        )
        run.end()
        client.flush(10)
        return client.transport.batches, history


def _adaptations(history: keras.callbacks.History) -> list[tuple[int, float]]:
    """Where the learning rate Keras used changed, by its own history."""
    rates = history.history["learning_rate"]
    return [(e, pytest.approx(rates[e])) for e in range(1, EPOCHS) if rates[e] != rates[e - 1]]


@pytest.mark.parametrize("first", [True, False], ids=["scheduler-first", "scheduler-last"])
@pytest.mark.parametrize("kind", ["schedule", "plateau"])
def test_metrics_hyperparameters_and_rate_changes(kind: str, first: bool) -> None:
    scheduler = (
        keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate / 2 if epoch == 2 else rate)
        if kind == "schedule"
        else keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10)
    )
    batches, history = _fit(scheduler, first)
    records = [r for b in batches for r in b["records"]]
    start = next(r for r in records if r["type"] == "stage.start")
    assert (start["kind"], start["planned_epochs"]) == ("training", EPOCHS)
    settings = {
        r["name"]: r["value"]
        for r in records
        if r["type"] == "hyperparameter" and "previous" not in r
    }
    assert settings["optimizer"] == "SGD" and settings["momentum"] == 0.5
    assert settings["learning_rate"] == pytest.approx(0.1)
    changes = [(r["epoch"], r["value"]) for r in records if r.get("previous")]
    expected = _adaptations(history)
    assert changes == expected and expected  # the scheduler did change the rate
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        logged = [r["value"] for r in records if r["type"] == "metric" and r["name"] == name]
        assert logged == pytest.approx(history.history[name]), name
    assert not [r for r in records if r["type"] == "metric" and r["name"] == "learning_rate"]

    with open_store("memory:") as store:
        ingestor = Ingestor(store)
        for batch in batches:
            ingestor.ingest_batch(batch)
        curve = ask("training-curve", store=store, run="keras-run", measure="val_loss")
        assert [(r["epoch"], r["value"]) for r in curve] == [
            (e, pytest.approx(v)) for e, v in enumerate(history.history["val_loss"])
        ]
        rates = ask("hyperparameters-by-epoch", store=store, run="keras-run")
        in_force = [
            (r["epoch"], r["value"]) for r in rates if r["hyperparameter"] == "learning_rate"
        ]
        used = history.history["learning_rate"]
        assert in_force == [(e, pytest.approx(used[e])) for e in range(EPOCHS)]
        # the model saved at the end derives from the data the training read
        (model,) = ask("models-from-data", store=store, data="tiny-xy")
        assert (model["name"], model["run"]) == ("tiny", f"{BASE}run/keras-run")
        assert model["training"] == f"{BASE}execution/{start['id']}"


def test_starts_and_ends_its_own_run_without_one() -> None:
    x, y = _data()

    def fit() -> list[str]:
        assert pl.active_run() is None
        with pl.Client("memory:", capture_environment=False) as client:
            callback = ProvenanceCallback(client=client, name="tiny-run")
            _model().fit(x, y, epochs=1, verbose=0, callbacks=[callback])
            return [r["type"] for r in client.transport.records]

    types = contextvars.Context().run(fit)  # no run is active in a fresh context
    assert types[0] == "run.start" and types[-1] == "run.end"
    assert types.count("metric") == 2  # loss, accuracy
