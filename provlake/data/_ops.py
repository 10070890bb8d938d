"""The operations as generators that count, sample and time their output (see ``_monitor``).

Each keeps in locals a countdown to the next checked item (``left``; the item count is the checked
position minus it) and the type of the last item: per item, a decrement, a truth test and a type
identity test. The ``Monitor`` is touched only at checked positions, on a type change and at the
end. An exception of
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
    left = check - n  # items until the next checked one, that one included
    exhausted = False
    try:
        for out in items:
            left -= 1
            if left and type(out) is last:
                yield out
                continue
            n = check - left
            check = mon.inspect(n, out)
            left = check - n
            last = type(out)
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(check - left, exhausted)


def map_op(mon: Monitor, items: Iterable[Any], fn: Callable[[Any], Any]) -> Iterator[Any]:
    n, check, last = mon.start()
    left = check - n
    exhausted = False
    try:
        for item in items:
            left -= 1
            if left:
                try:
                    out = fn(item)
                except Exception as exc:
                    mon.fail(check - left, item, exc)
                    left += 1
                    raise
                if type(out) is last:
                    yield out
                    continue
            else:
                started = perf_counter()
                try:
                    out = fn(item)
                except Exception as exc:
                    mon.fail(check, item, exc)
                    left += 1
                    raise
                mon.time(perf_counter() - started)
            n = check - left
            check = mon.inspect(n, out)
            left = check - n
            last = type(out)
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(check - left, exhausted)


def filter_op(mon: Monitor, items: Iterable[Any], predicate: Callable[[Any], Any]) -> Iterator[Any]:
    """Times the predicate on the input that follows a checked output."""
    n, check, last = mon.start()
    left = check - n
    exhausted = False
    timing = True
    try:
        for item in items:
            if timing:
                started = perf_counter()
                try:
                    keep = predicate(item)
                except Exception as exc:
                    mon.fail(check - left + 1, item, exc)
                    raise
                mon.time(perf_counter() - started)
                timing = False
            else:
                try:
                    keep = predicate(item)
                except Exception as exc:
                    mon.fail(check - left + 1, item, exc)
                    raise
            if not keep:
                continue
            left -= 1
            if left and type(item) is last:
                yield item
                continue
            timing = not left
            n = check - left
            check = mon.inspect(n, item)
            left = check - n
            last = type(item)
            yield item
        exhausted = True
    finally:
        _close(items)
        mon.stop(check - left, exhausted)


def shuffle_op(
    mon: Monitor, items: Iterable[Any], rng: np.random.Generator, buffer_size: int
) -> Iterator[Any]:
    """tf.data's buffer shuffle: fill a buffer of ``buffer_size`` items, then for each new item
    yield a uniformly chosen buffered one and put the new item in its place; at the end yield the
    rest of the buffer in random order. Random numbers are drawn from ``rng`` in blocks, so a seeded
    generator gives the same order every time."""
    n, check, last = mon.start()
    left = check - n
    exhausted = False
    buffer: list[Any] = []
    block: list[float] = []
    used = 0
    try:
        source = iter(items)
        for item in source:
            buffer.append(item)
            if len(buffer) >= buffer_size:
                break
        size = len(buffer)
        for item in source:
            if used == len(block):
                block, used = rng.random(4096).tolist(), 0
            left -= 1
            if left:
                slot = int(block[used] * size)
                used += 1
                out = buffer[slot]
                buffer[slot] = item
                if type(out) is last:
                    yield out
                    continue
            else:
                started = perf_counter()
                slot = int(block[used] * size)
                used += 1
                out = buffer[slot]
                buffer[slot] = item
                mon.time(perf_counter() - started)
            n = check - left
            check = mon.inspect(n, out)
            left = check - n
            last = type(out)
            yield out
        for slot in rng.permutation(len(buffer)).tolist():
            out = buffer[slot]
            left -= 1
            if not left or type(out) is not last:
                n = check - left
                check = mon.inspect(n, out)
                left = check - n
                last = type(out)
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(check - left, exhausted)


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
    each checked batch is timed."""
    n, check, last = mon.start()
    left = check - n
    exhausted = False
    try:
        pending: list[Any] = []
        for item in items:
            pending.append(item)
            if len(pending) < size:
                continue
            left -= 1
            if left:
                out = stack(pending)
                pending = []
                if type(out) is last:
                    yield out
                    continue
            else:
                started = perf_counter()
                out = stack(pending)
                mon.time(perf_counter() - started)
                pending = []
            n = check - left
            check = mon.inspect(n, out)
            left = check - n
            last = type(out)
            yield out
        if pending and not drop_remainder:
            left -= 1
            started = perf_counter()
            out = stack(pending)
            if not left:
                mon.time(perf_counter() - started)
            if not left or type(out) is not last:
                n = check - left
                check = mon.inspect(n, out)
                left = check - n
            yield out
        exhausted = True
    finally:
        _close(items)
        mon.stop(check - left, exhausted)
