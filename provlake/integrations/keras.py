"""A Keras 3 callback that captures a training as PROV-ML (needs the ``keras`` extra).

``model.fit(..., callbacks=[ProvenanceCallback()])`` records one training stage: the optimizer's
hyperparameters (its configuration's scalars, ``optimizer`` for its class) and the planned epochs
when training begins; each epoch's metrics from Keras' ``logs`` (``loss``, ``accuracy``,
``val_loss``, ...); and every change of the learning rate — by ``LearningRateScheduler``,
``ReduceLROnPlateau`` or a schedule — as a hyperparameter adaptation at the first epoch that uses
the new rate. This is what DLProv users write by hand for each training.

The stage belongs to ``run`` (a ``provlake.Run``), else to the active run, else to a run the
callback starts (named after the model, ``start_run`` options as keyword arguments) and ends with
the training. ``used`` names the data the training reads (entities or their ids): the model it
saves at the end derives from them, so ``models-from-data`` and ``lineage`` find it. Keras is
imported when the class is first used, never by ``import provlake``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["ProvenanceCallback"]

ProvenanceCallback: type  # a keras.callbacks.Callback subclass, built on first access (__getattr__)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def optimizer_hyperparameters(optimizer: Any, learning_rate: float | None) -> dict[str, Any]:
    """The scalar settings of a Keras optimizer's configuration, and its class as ``optimizer``."""
    found: dict[str, Any] = {"optimizer": type(optimizer).__name__}
    for key, value in optimizer.get_config().items():
        if key != "name" and isinstance(value, bool | int | float | str):
            found[key] = value
    if learning_rate is not None:
        found["learning_rate"] = learning_rate
    return found


@functools.cache
def _callback_class() -> type:
    import keras

    class ProvenanceCallback(keras.callbacks.Callback):
        """Captures the training ``fit`` runs as a provml training stage (see the module)."""

        def __init__(
            self,
            run: Any = None,
            *,
            stage: str = "training",
            name: str | None = None,
            hyperparameters: Mapping[str, Any] | None = None,
            used: Iterable[Any] = (),
            **run_options: Any,
        ) -> None:
            super().__init__()
            self._given_run, self._stage_name, self._name = run, stage, name
            self._extra = dict(hyperparameters or {})
            self._used = list(used)
            self._run_options = run_options
            self._run: Any = None
            self._owns_run = False
            self.stage: Any = None
            self._rate: float | None = None
            self._epoch_to_check: int | None = None

        def _learning_rate(self) -> float | None:
            rate = getattr(self.model.optimizer, "learning_rate", None)
            return None if rate is None else _number(keras.ops.convert_to_numpy(rate))

        def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
            import provlake

            self._run = self._given_run or provlake.active_run()
            if self._run is None:
                name = self._name or self.model.name
                self._run = provlake.start_run(name, **self._run_options)
                self._owns_run = True
            self._rate = self._learning_rate()
            settings = optimizer_hyperparameters(self.model.optimizer, self._rate)
            settings.update(self._extra)
            self.stage = self._run.stage(
                self._stage_name,
                kind="training",
                hyperparameters=settings,
                used=self._used,
                planned_epochs=self.params.get("epochs") or None,
            )

        def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
            self._epoch_to_check = epoch  # read at the first batch, once every callback has run

        def on_train_batch_begin(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
            if self._epoch_to_check is not None:
                self._check_rate(self._epoch_to_check)

        def _check_rate(self, epoch: int) -> None:
            self._epoch_to_check = None
            rate = self._learning_rate()
            if rate is not None and self._rate is not None and rate != self._rate:
                self.stage.adapt_hyperparameter("learning_rate", rate, epoch=epoch)
            self._rate = rate if rate is not None else self._rate

        def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
            if self._epoch_to_check is not None:
                self._check_rate(epoch)
            metrics = {
                name: number
                for name, value in (logs or {}).items()
                if name != "learning_rate" and (number := _number(value)) is not None
            }
            if metrics:
                self.stage.log_metrics(metrics, epoch=epoch)

        def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
            self.stage.model(self.model.name)
            self.stage.end()
            if self._owns_run:
                self._run.end()
                self._run.flush(self._run.client.settings.exit_timeout)

    ProvenanceCallback.__module__ = __name__
    return ProvenanceCallback


def __getattr__(name: str) -> Any:
    if name == "ProvenanceCallback":
        return _callback_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
