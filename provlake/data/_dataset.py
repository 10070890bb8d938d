"""``Dataset``: a lazy, chainable, re-iterable pipeline of operations, like ``tf.data.Dataset``.

Each ``Dataset`` is one operation (a source, map, filter, shuffle, ...) and its output stream.
Nothing runs until it is iterated; iterating it (or asking its ``id``, e.g. to link a training
stage to it) first declares the operations upstream of it to the run it belongs to, then each
``iter()`` runs the chain of generators once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np

from provlake._exceptions import CaptureUsageError
from provlake.data._files import decode
from provlake.data._monitor import Monitor, Options
from provlake.data._ops import batch_op, filter_op, map_op, pass_op, shuffle_op
from provlake.data._recorder import Recorder, recorder_for

if TYPE_CHECKING:
    from provlake import Client, Run

__all__ = ["Dataset", "interleave"]

# (the operation's monitor, the parents' fresh iterators) -> the operation's output iterator
Build = Callable[[Monitor, list[Iterator[Any]]], Iterator[Any]]


class Dataset:
    """One operation of a pipeline and the stream of items it produces. Build one with the
    ``from_*`` and ``load_from_dir`` constructors and chain operations on it; every operation
    takes an optional ``identifier``, a label for it in the recorded graph."""

    def __init__(
        self,
        operation: str,
        identifier: str | None,
        parents: Sequence[Dataset],
        build: Build,
        parameters: Mapping[str, Any] | None = None,
        *,
        folder: Path | None = None,
    ) -> None:
        self.operation = operation
        self.identifier = identifier if identifier is not None else operation
        self._parents = list(parents)
        self._build = build
        self._parameters = dict(parameters or {})
        self._folder = folder
        self._op = ""  # named when declared: {run}.op{step}
        self._monitor: Monitor | None = None
        self._recorder: Recorder | None = None
        self._run: Run | None = None
        self._client: Client | None = None
        self._options = Options()

    # -- sources ----------
    @classmethod
    def from_generator(cls, generator: Callable[[], Iterable[Any]], identifier: str | None = None):
        """Items of ``generator()``, called anew for every iteration."""
        return cls("from_generator", identifier, [], lambda mon, _: pass_op(mon, generator()))

    @classmethod
    def from_iterable(cls, iterable: Iterable[Any], identifier: str | None = None) -> Dataset:
        """Items of ``iterable`` (a list can be iterated many times, an iterator once)."""
        return cls("from_iterable", identifier, [], lambda mon, _: pass_op(mon, iterable))

    @classmethod
    def from_numpy(cls, arrays: Any, identifier: str | None = None) -> Dataset:
        """Slices along the first axis of an array, of a tuple of arrays (tuples of slices) or of a
        dict of arrays (dicts of slices)."""
        if isinstance(arrays, Mapping):
            columns = {k: np.asarray(v) for k, v in arrays.items()}
            length = _common_length(list(columns.values()))

            def items() -> Iterator[Any]:
                for i in range(length):
                    yield {k: v[i] for k, v in columns.items()}

        elif isinstance(arrays, tuple):
            parts = [np.asarray(a) for a in arrays]
            length = _common_length(parts)

            def items() -> Iterator[Any]:
                for i in range(length):
                    yield tuple(p[i] for p in parts)

        else:
            array = np.asarray(arrays)

            def items() -> Iterator[Any]:
                return iter(array)

        return cls("from_numpy", identifier, [], lambda mon, _: pass_op(mon, items()))

    @classmethod
    def from_files(
        cls,
        paths: Iterable[str | Path],
        loader: Callable[[Path], Any] | None = None,
        identifier: str | None = None,
    ) -> Dataset:
        """One item per file: ``loader(path)``, by default ``.npy`` arrays, PGM/PPM images (other
        images with Pillow), text or bytes. Each file read is recorded (path, size, digest, DVC md5
        when a ``.dvc`` file sits next to it)."""
        files = [Path(p) for p in paths]
        return cls._files("from_files", identifier, lambda: files, loader, {})

    @classmethod
    def load_from_dir(
        cls,
        folder: str | Path,
        pattern: str = "*",
        loader: Callable[[Path], Any] | None = None,
        identifier: str | None = None,
    ) -> Dataset:
        """The files of ``folder`` matching ``pattern`` (``**/*.npy`` reaches into subfolders), in
        name order, as in :meth:`from_files`; the folder is recorded as a data set, with its DVC md5
        when DVC tracks it (``FOLDER.dvc`` or a ``dvc.lock`` next to it)."""
        root = Path(folder)

        def files() -> list[Path]:
            return sorted(p for p in root.glob(pattern) if p.is_file())

        return cls._files(
            "load_from_dir", identifier, files, loader, {"pattern": pattern}, folder=root
        )

    @classmethod
    def _files(
        cls,
        operation: str,
        identifier: str | None,
        files: Callable[[], list[Path]],
        loader: Callable[[Path], Any] | None,
        parameters: dict[str, Any],
        folder: Path | None = None,
    ) -> Dataset:
        dataset: Dataset

        def read(path: Path) -> Any:
            recorder = dataset._recorder
            if loader is None:
                data = path.read_bytes()
                recorder.file(dataset._op, path, data)
                return decode(path, data)
            recorder.file(dataset._op, path, None)
            return loader(path)

        dataset = cls(
            operation,
            identifier,
            [],
            lambda mon, _: map_op(mon, files(), read),
            parameters,
            folder=folder,
        )
        return dataset

    # -- operations ----------
    def map(self, fn: Callable[[Any], Any], identifier: str | None = None) -> Dataset:
        """``fn(item)`` for every item."""
        return Dataset("map", identifier, [self], lambda mon, its: map_op(mon, its[0], fn))

    def filter(self, predicate: Callable[[Any], Any], identifier: str | None = None) -> Dataset:
        """The items for which ``predicate(item)`` is true."""
        return Dataset(
            "filter", identifier, [self], lambda mon, its: filter_op(mon, its[0], predicate)
        )

    def shuffle(
        self, rng: np.random.Generator, buffer_size: int, identifier: str | None = None
    ) -> Dataset:
        """Items in random order through a buffer of ``buffer_size`` items (``tf.data``'s
        semantics); the same seeded ``rng`` gives the same order."""
        if not isinstance(rng, np.random.Generator):
            raise CaptureUsageError(f"rng must be a numpy Generator, got {rng!r}")
        if int(buffer_size) < 1:
            raise CaptureUsageError(f"buffer_size must be >= 1, got {buffer_size!r}")
        size = int(buffer_size)
        return Dataset(
            "shuffle",
            identifier,
            [self],
            lambda mon, its: shuffle_op(mon, its[0], rng, size),
            {"buffer_size": size},
        )

    def batch(
        self, batch_size: int, drop_remainder: bool = False, identifier: str | None = None
    ) -> Dataset:
        """Consecutive items stacked in batches of ``batch_size``: arrays and numbers into one
        array, dicts per key, tuples per position; the last, smaller batch is dropped with
        ``drop_remainder``."""
        if int(batch_size) < 1:
            raise CaptureUsageError(f"batch_size must be >= 1, got {batch_size!r}")
        size, drop = int(batch_size), bool(drop_remainder)
        return Dataset(
            "batch",
            identifier,
            [self],
            lambda mon, its: batch_op(mon, its[0], size, drop),
            {"batch_size": size, "drop_remainder": drop},
        )

    def take(self, count: int, identifier: str | None = None) -> Dataset:
        """The first ``count`` items."""
        limit = int(count)

        def first(source: Iterator[Any]) -> Iterator[Any]:
            if limit <= 0:
                return
            for i, item in enumerate(source, 1):
                yield item
                if i >= limit:
                    return

        return Dataset(
            "take",
            identifier,
            [self],
            lambda mon, its: pass_op(mon, first(its[0])),
            {"count": limit},
        )

    def concatenate(self, other: Dataset, identifier: str | None = None) -> Dataset:
        """The items of this dataset, then those of ``other``."""

        def chained(iterators: list[Iterator[Any]]) -> Iterator[Any]:
            for iterator in iterators:
                yield from iterator

        return Dataset(
            "concatenate", identifier, [self, other], lambda mon, its: pass_op(mon, chained(its))
        )

    def interleave(self, *others: Dataset, identifier: str | None = None) -> Dataset:
        """One item of each dataset in turn (this one first) until all are exhausted."""
        return interleave(self, *others, identifier=identifier)

    def reduce(self, initial: Any, fn: Callable[[Any, Any], Any], identifier: str | None = None):
        """``fn(state, item)`` over all items from ``initial``: the final state (recorded as the
        one item of the reduce operation's stream)."""

        def reduced(mon: Monitor, its: list[Iterator[Any]]) -> Iterator[Any]:
            def run() -> Iterator[Any]:
                state = initial
                started = perf_counter()
                for item in its[0]:
                    state = fn(state, item)
                mon.time(perf_counter() - started)
                yield state

            return pass_op(mon, run())

        (result,) = list(Dataset("reduce", identifier, [self], reduced))
        return result

    # -- provenance ----------
    def track(
        self, run: Run | None = None, *, client: Client | None = None, **options: Any
    ) -> Dataset:
        """Record this pipeline in ``run`` (default: the active run, else a run of its own on
        ``client``); ``options`` tune what is recorded (``sample_rate``, ``first_samples``,
        ``reservoir_samples``, ``update_seconds``, ``update_items``)."""
        if self._recorder is not None:
            raise CaptureUsageError("this dataset is recorded already; call track() before use")
        self._run, self._client = run, client
        self._options = Options(**options)
        return self

    @property
    def id(self) -> str:
        """The id of this dataset's stream (an entity of the capture): declares the pipeline, so a
        stage can name it in ``used`` before iterating it."""
        self._declare()
        return f"{self._op}.out"

    def _settings(self) -> tuple[Run | None, Client | None, Options]:
        if self._run is not None or self._client is not None or self._options != Options():
            return self._run, self._client, self._options
        for parent in self._parents:
            found = parent._settings()
            if found != (None, None, Options()):
                return found
        return None, None, self._options

    def _declare(self, recorder: Recorder | None = None, options: Options | None = None) -> Monitor:
        if self._monitor is not None:
            return self._monitor
        if recorder is None:
            run, client, options = self._settings()
            recorder = recorder_for(run, client, self.identifier)
        if self._options != Options() or options is None:
            options = self._options  # its own, else those of the dataset that uses it
        for parent in self._parents:
            parent._declare(recorder, options)
        self._recorder = recorder
        used = [recorder.folder(self._folder)] if self._folder is not None else []
        self._monitor = recorder.operation(
            self.operation,
            self.identifier,
            [f"{p._op}.out" for p in self._parents],
            self._parameters,
            used,
            options,
        )
        self._op = self._monitor.op
        return self._monitor

    def __iter__(self) -> Iterator[Any]:
        monitor = self._declare()
        iterator = self._build(monitor, [iter(parent) for parent in self._parents])
        recorder = self._recorder
        if recorder is not None and recorder.owned and recorder.sink is None:
            recorder.sink = self
        if recorder is not None and recorder.owned and recorder.sink is self:
            return _ending(iterator, recorder)
        return iterator

    def __repr__(self) -> str:
        return f"<Dataset {self.operation} {self.identifier!r}>"


def _ending(iterator: Iterator[Any], recorder: Recorder) -> Iterator[Any]:
    """The items of the sink of a pipeline that started its own run; the run ends when they do."""
    yield from iterator
    recorder.run.end("finished")


def interleave(*datasets: Dataset, identifier: str | None = None) -> Dataset:
    """One item of each of ``datasets`` in turn until all are exhausted (the "load each class,
    label it, mix them" step)."""
    if not datasets:
        raise CaptureUsageError("interleave needs at least one dataset")

    def mixed(iterators: list[Iterator[Any]]) -> Iterator[Any]:
        live = list(iterators)
        while live:
            still = []
            for iterator in live:
                for item in iterator:
                    yield item
                    still.append(iterator)
                    break
            live = still

    return Dataset(
        "interleave", identifier, list(datasets), lambda mon, its: pass_op(mon, mixed(its))
    )


def _common_length(arrays: list[np.ndarray]) -> int:
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise CaptureUsageError(f"arrays must have the same first dimension, got {sorted(lengths)}")
    return lengths.pop()
