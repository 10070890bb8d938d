"""The operations as generators that count, sample and time their output (see ``_monitor``).

Each keeps the item count, the next checked position and the last item type in locals; the
``Monitor`` is touched only at checked positions, on a type change and at the end. An exception of
the user's function is recorded as the operation's failure and propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from time import perf_counter
from typing import Any

import numpy as np

from provlake.data._monitor import Monitor

__all__ = [
    "batch_op",
    "filter_op",
    "map_op",
    "pass_op",
    "shuffle_op",
    "stack",
]


def _close(items: Iterable[Any]) -> None:
    """Close the upstream generator now, so its counts are final too (an exception's traceback
    would otherwise keep it open)."""
    close = getattr(items, "close", None)
    if close is not None:
        close()


def pass_op(mon: Monitor, items: Iterable[Any]) -> Iterator[Any]:
    """Counts and inspects the items of ``items`` (sources, take, concatenate, interleave)."""
    n, check, last = mon.start()
    exhausted = False
    try:
        for out in items:
            n += 1
            if n < check and out.__class__ is last:
                yield out
                continue
            check = mon.inspect(n, out)
            last = out.__class__
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(n, exhausted)


def map_op(mon: Monitor, items: Iterable[Any], fn: Callable[[Any], Any]) -> Iterator[Any]:
    n, check, last = mon.start()
    exhausted = False
    try:
        for item in items:
            n += 1
            if n < check:
                try:
                    out = fn(item)
                except Exception as exc:
                    mon.fail(n, item, exc)
                    n -= 1
                    raise
                if out.__class__ is last:
                    yield out
                    continue
            else:
                started = perf_counter()
                try:
                    out = fn(item)
                except Exception as exc:
                    mon.fail(n, item, exc)
                    n -= 1
                    raise
                mon.time(perf_counter() - started)
            check = mon.inspect(n, out)
            last = out.__class__
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(n, exhausted)


def filter_op(mon: Monitor, items: Iterable[Any], predicate: Callable[[Any], Any]) -> Iterator[Any]:
    """Times the predicate on the inputs that follow a checked output."""
    n, check, last = mon.start()
    exhausted = False
    timing = True
    try:
        for item in items:
            if timing:
                started = perf_counter()
                try:
                    keep = predicate(item)
                except Exception as exc:
                    mon.fail(n + 1, item, exc)
                    raise
                mon.time(perf_counter() - started)
                timing = False
            else:
                try:
                    keep = predicate(item)
                except Exception as exc:
                    mon.fail(n + 1, item, exc)
                    raise
            if not keep:
                continue
            n += 1
            if n < check and item.__class__ is last:
                yield item
                continue
            timing = n >= check
            check = mon.inspect(n, item)
            last = item.__class__
            yield item
        exhausted = True
    finally:
        _close(items)
        mon.stop(n, exhausted)


def shuffle_op(
    mon: Monitor, items: Iterable[Any], rng: np.random.Generator, buffer_size: int
) -> Iterator[Any]:
    """tf.data's buffer shuffle: fill a buffer of ``buffer_size`` items, then for each new item
    yield a uniformly chosen buffered one and put the new item in its place; at the end yield the
    rest of the buffer in random order. Random numbers are drawn from ``rng`` in blocks, so a seeded
    generator gives the same order every time."""
    n, check, last = mon.start()
    exhausted = False
    buffer: list[Any] = []
    block = np.empty(0)
    used = 0
    try:
        source = iter(items)
        for item in source:
            buffer.append(item)
            if len(buffer) >= buffer_size:
                break
        size = len(buffer)
        for item in source:
            n += 1
            if used == len(block):
                block, used = rng.random(4096).tolist(), 0
            if n < check:
                slot = int(block[used] * size)
                used += 1
                out = buffer[slot]
                buffer[slot] = item
                if out.__class__ is last:
                    yield out
                    continue
            else:
                started = perf_counter()
                slot = int(block[used] * size)
                used += 1
                out = buffer[slot]
                buffer[slot] = item
                mon.time(perf_counter() - started)
            check = mon.inspect(n, out)
            last = out.__class__
            yield out
        rest = rng.permutation(len(buffer)).tolist()
        for slot in rest:
            out = buffer[slot]
            n += 1
            if n >= check or out.__class__ is not last:
                check = mon.inspect(n, out)
                last = out.__class__
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(n, exhausted)


def stack(items: list[Any]) -> Any:
    """A batch of ``items``: numpy arrays and numbers stack into one array, dicts per key, tuples
    per position; anything else stays a list."""
    first = items[0]
    if isinstance(first, np.ndarray | np.generic | int | float) and not isinstance(first, bool):
        return np.stack([np.asarray(i) for i in items])
    if isinstance(first, dict):
        return {key: stack([i[key] for i in items]) for key in first}
    if isinstance(first, tuple):
        return tuple(stack(list(column)) for column in zip(*items, strict=True))
    return list(items)


def batch_op(mon: Monitor, items: Iterable[Any], size: int, drop_remainder: bool) -> Iterator[Any]:
    """Batches of ``size`` items (the last one smaller unless ``drop_remainder``); the stacking of
    every batch is timed."""
    n, check, last = mon.start()
    exhausted = False
    try:
        pending: list[Any] = []
        for item in items:
            pending.append(item)
            if len(pending) < size:
                continue
            started = perf_counter()
            out = stack(pending)
            mon.time(perf_counter() - started)
            pending = []
            n += 1
            if n >= check or out.__class__ is not last:
                check = mon.inspect(n, out)
                last = out.__class__
            yield out
        if pending and not drop_remainder:
            started = perf_counter()
            out = stack(pending)
            mon.time(perf_counter() - started)
            n += 1
            if n >= check or out.__class__ is not last:
                check = mon.inspect(n, out)
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(n, exhausted)
