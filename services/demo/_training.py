"""The demo's real training: scikit-learn MLPClassifier on the bundled digits data, captured.

Data preparation (load, split, scale) is one workflow run whose transformations generate the
splits; each training of the hyperparameter grid is its own experiment execution that uses those
splits, so lineage runs from every test metric back to the raw data and on to the domain knowledge
graph entity the data came from.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import provlake as pl

DIGITS_IRI = "https://archive.ics.uci.edu/dataset/80"
EXPERIMENT = "digits-mlp"
STUDY = "handwritten-digits"


@dataclass(frozen=True)
class Config:
    """One point of the hyperparameter grid."""

    hidden: int
    lr: float
    momentum: float = 0.9
    batch_size: int = 64


@dataclass
class Prepared:
    """The prepared splits (arrays) and the provenance entities that stand for them."""

    arrays: dict[str, Any]
    entities: dict[str, pl.Entity]
    run_id: str


@dataclass
class Outcome:
    """What one training recorded about itself, to check the knowledge graph's answers against."""

    run_id: str
    config: Config
    curve: list[dict[str, float]] = field(default_factory=list)
    lr_changes: list[tuple[int, float]] = field(default_factory=list)
    test_accuracy: float = 0.0
    test_loss: float = 0.0
    model_path: str = ""


def _digest(*arrays: Any) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(a.tobytes())
    return "sha256:" + h.hexdigest()


def prepare_data(manager: str, *, seed: int = 0) -> Prepared:
    """Load, split and scale the digits data inside a captured workflow run."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    with pl.start_run("digits-preparation", study=STUDY, manager=manager, kind="workflow") as run:
        source = run.reference(DIGITS_IRI, name="UCI optdigits")
        with run.stage("load", kind="transformation", used=[source]) as load:
            x, y = load_digits(return_X_y=True)
            raw = load.entity(
                "dataset",
                "digits",
                location="sklearn.datasets.load_digits",
                digest=_digest(x, y),
                record_count=len(y),
                derived_from=[source.id],
            )
        with run.stage(
            "split", kind="transformation", used=[raw], attributes={"seed": seed}
        ) as split:
            x_rest, x_test, y_rest, y_test = train_test_split(
                x, y, test_size=0.2, random_state=seed, stratify=y
            )
            x_train, x_val, y_train, y_val = train_test_split(
                x_rest, y_rest, test_size=0.2, random_state=seed, stratify=y_rest
            )
            parts = {
                "train": (x_train, y_train),
                "validation": (x_val, y_val),
                "test": (x_test, y_test),
            }
            split_entities = {
                name: split.entity(
                    "dataset",
                    f"digits-{name}",
                    digest=_digest(*xy),
                    record_count=len(xy[1]),
                    derived_from=[raw.id],
                )
                for name, xy in parts.items()
            }
        with run.stage("scale", kind="transformation", used=list(split_entities.values())) as scale:
            scaler = StandardScaler().fit(x_train)
            arrays: dict[str, Any] = {}
            entities: dict[str, pl.Entity] = {}
            for name, (xs, ys) in parts.items():
                scaled = scaler.transform(xs)
                arrays[name] = (scaled, ys)
                entities[name] = scale.entity(
                    "dataset",
                    f"digits-{name}-scaled",
                    digest=_digest(scaled, ys),
                    record_count=len(ys),
                    derived_from=[split_entities[name].id],
                )
            scale.set_attributes(scaler="StandardScaler", fitted_on="train")
    return Prepared(arrays=arrays, entities=entities, run_id=run.id)


def lr_schedule(base: float, epoch: int, steps: Sequence[int]) -> float:
    """Step decay: the rate is divided by 5 at each epoch listed in ``steps``.

    >>> [lr_schedule(0.1, e, (2, 4)) for e in range(6)]
    [0.1, 0.1, 0.02, 0.02, 0.004, 0.004]
    """
    return base / 5 ** sum(1 for s in steps if epoch >= s)


def train(
    manager: str,
    prepared: Prepared,
    config: Config,
    *,
    epochs: int,
    model_dir: Path,
    on_epoch: Callable[[Config, int, dict[str, float]], None] | None = None,
) -> Outcome:
    """Train one MLP epoch by epoch with ``partial_fit``, capturing everything, and test it."""
    import numpy as np
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier

    (x_train, y_train), (x_val, y_val) = prepared.arrays["train"], prepared.arrays["validation"]
    x_test, y_test = prepared.arrays["test"]
    classes = np.unique(y_train)
    steps = (epochs // 2, (3 * epochs) // 4)
    hyperparameters = {
        "hidden_units": config.hidden,
        "lr": config.lr,
        "momentum": config.momentum,
        "batch_size": config.batch_size,
        "epochs": epochs,
        "solver": "sgd",
    }
    with pl.start_run(
        EXPERIMENT, study=STUDY, manager=manager, attributes={"model_family": "MLPClassifier"}
    ) as run:
        outcome = Outcome(run_id=run.id, config=config)
        clf = MLPClassifier(
            hidden_layer_sizes=(config.hidden,),
            solver="sgd",
            learning_rate_init=config.lr,
            momentum=config.momentum,
            batch_size=config.batch_size,
            random_state=0,
        )
        used = [prepared.entities["train"], prepared.entities["validation"]]
        with run.stage(
            "training",
            kind="training",
            hyperparameters=hyperparameters,
            used=used,
            planned_epochs=epochs,
        ) as training:
            for epoch in range(epochs):
                rate = lr_schedule(config.lr, epoch, steps)
                if epoch and rate != lr_schedule(config.lr, epoch - 1, steps):
                    clf._optimizer.learning_rate = (
                        rate  # sklearn keeps the SGD rate on its optimizer
                    )
                    # before the epoch starts: it is the first epoch that runs with the new rate
                    training.adapt_hyperparameter("lr", rate, epoch=epoch)
                    outcome.lr_changes.append((epoch, rate))
                with training.section("epoch", epoch) as section:
                    clf.partial_fit(x_train, y_train, classes=classes)
                    metrics = {
                        "loss": float(clf.loss_),
                        "accuracy": float(clf.score(x_train, y_train)),
                        "val_loss": float(
                            log_loss(y_val, clf.predict_proba(x_val), labels=classes)
                        ),
                        "val_accuracy": float(clf.score(x_val, y_val)),
                    }
                    section.log_metrics(metrics)
                outcome.curve.append(metrics)
                if on_epoch:
                    on_epoch(config, epoch, metrics)
            model_dir.mkdir(parents=True, exist_ok=True)
            path = model_dir / f"mlp-{run.id}.pkl"
            blob = pickle.dumps(clf)
            path.write_bytes(blob)
            model = training.model(
                f"mlp-h{config.hidden}-lr{config.lr}",
                uri=path.resolve().as_uri(),
                digest="sha256:" + hashlib.sha256(blob).hexdigest(),
            )
            outcome.model_path = str(path)
        with run.stage("test", kind="testing", used=[model, prepared.entities["test"]]) as testing:
            outcome.test_accuracy = float(clf.score(x_test, y_test))
            outcome.test_loss = float(log_loss(y_test, clf.predict_proba(x_test), labels=classes))
            testing.log_metrics(
                test_accuracy=outcome.test_accuracy,
                test_loss=outcome.test_loss,
                model=model,
                data=prepared.entities["test"],
            )
    return outcome
