"""What one operation records about itself and its output stream while items flow.

The hot path of an operation is a decrement of a countdown to a precomputed position (``check``)
and a type identity test; only at ``check`` (the first few items, then one item in
``sample_rate`` on average, at random positions) or when the item's type changes does the operation
call :meth:`Monitor.inspect`, which infers the schema, keeps samples and timings, and sends an
update every ``update_seconds`` seconds or ``update_items`` items. Nothing builds a record per item.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from provlake.data._schema import render, schema_text

__all__ = ["Monitor", "Options"]

_TIMINGS = 512  # timings kept (a reservoir) for the percentiles
_MAX_SCHEMAS = 16  # schemas recorded per stream; later changes are counted only


@dataclass(frozen=True)
class Options:
    """How much a pipeline records: one item in ``sample_rate`` inspected and timed (at random
    positions, after the first ``first_samples``), ``first_samples`` + ``reservoir_samples``
    samples per stream per iteration, an update every ``update_seconds`` or ``update_items``."""

    sample_rate: int = 64
    first_samples: int = 3
    reservoir_samples: int = 5
    update_seconds: float = 1.0
    update_items: int = 100_000


class Monitor:
    """Counters, schema, samples and timings of one operation (``op``) and its output stream."""

    def __init__(self, emit: Any, run: str, op: str, options: Options) -> None:
        self._emit, self._run, self.op, self.stream = emit, run, op, f"{op}.out"
        self.options = options
        self._random = random.Random(op).random
        self._span = 2 * options.sample_rate - 1  # gaps 1 .. 2 * rate - 1: one item in rate
        self.items = 0  # output items, all iterations (exact at every check and at the end)
        self.check = 1  # the position of the next inspected item
        self.iterations = 0
        self.failures = 0
        self.schema: str | None = None
        self.schema_id: str | None = None
        self.schema_changes = 0
        self._schemas: dict[str, str] = {}  # schema text -> id of its record
        self.timed = 0
        self.total_time = 0.0
        self.timings: list[float] = []
        self._inspected = 0
        self._reservoir: list[tuple[int, str, str]] = []
        self._sent_samples: set[int] = set()
        self._updates = 0
        self._next_update_time = time.monotonic() + options.update_seconds
        self._next_update_items = options.update_items

    # -- called by the operations ----------
    def start(self) -> tuple[int, int, type | None]:
        """A new iteration: (items so far, next check, last type) for the operation's locals."""
        self.iterations += 1
        # samples come from the first iteration: a bounded set whatever the number of epochs
        first = self.options.first_samples if self.iterations == 1 else 0
        self.check = self.items + 1
        self._first_end = self.items + first
        self._reservoir = []
        self._inspected = 0
        return self.items, self.check, None

    def time(self, seconds: float) -> None:
        self.timed += 1
        self.total_time += seconds
        if len(self.timings) < _TIMINGS:
            self.timings.append(seconds)
        else:
            slot = int(self._random() * self.timed)
            if slot < _TIMINGS:
                self.timings[slot] = seconds

    def inspect(self, n: int, item: Any) -> int:
        """Look at output item ``n`` (1-based over all iterations); the next position to check."""
        self.items = n
        text = schema_text(item)
        if text is not self.schema and text != self.schema:
            self._schema_change(n, text)
        check = self.check
        if n < check:  # a type change between checked items
            return check
        if n <= self._first_end:
            self._sample(n, render(item), text, "first")
            check = n + 1 if n < self._first_end else n + 1 + int(self._random() * self._span)
        else:
            if self.iterations == 1:
                self._keep(n, item, text)
            check = n + 1 + int(self._random() * self._span)
        self.check = check
        if n >= self._next_update_items or time.monotonic() >= self._next_update_time:
            self.update()
        return check

    def _keep(self, n: int, item: Any, text: str) -> None:
        """Reservoir sampling over the inspected items of the first iteration."""
        self._inspected += 1
        size = self.options.reservoir_samples
        if len(self._reservoir) < size:
            self._reservoir.append((n, render(item), text))
        else:
            slot = int(self._random() * self._inspected)
            if slot < size:
                self._reservoir[slot] = (n, render(item), text)

    def fail(self, n: int, item: Any, exc: BaseException) -> None:
        """Item ``n`` of the input made the operation raise ``exc``: recorded at once."""
        self.items = n - 1
        self.failures += 1
        text = f"{type(exc).__name__}: {exc}"
        self.update(error=text[:1000], error_item=render(item), position=n - 1)

    def stop(self, n: int, exhausted: bool) -> None:
        """The iteration ended (``exhausted``) or was left early: the final counts of it."""
        self.items = n
        if exhausted:
            for position, text, schema in sorted(self._reservoir):
                self._sample(position, text, schema, "reservoir")
        self.update(exhausted=exhausted)

    # -- records ----------
    def update(self, **extra: Any) -> None:
        """Send the operation's counters and timing now."""
        self._updates += 1
        now = time.monotonic()
        self._next_update_time = now + self.options.update_seconds
        self._next_update_items = self.items + self.options.update_items
        record: dict[str, Any] = {
            "type": "pipeline.update",
            "id": f"{self.op}.u{self._updates}.{self.iterations}.{self.items}",
            "run": self._run,
            "time": time.time(),
            "operation": self.op,
            "items": self.items,
            "iterations": self.iterations,
            "failures": self.failures,
            "schema_changes": self.schema_changes,
        }
        if self.timed:
            ordered = sorted(self.timings)
            record["timing"] = {
                "sampled": self.timed,
                "rate": self.timed / self.items if self.items else 1.0,
                "mean_us": round(self.total_time / self.timed * 1e6, 3),
                "p50_us": round(ordered[len(ordered) // 2] * 1e6, 3),
                "p99_us": round(ordered[min(len(ordered) - 1, len(ordered) * 99 // 100)] * 1e6, 3),
            }
        for key, value in extra.items():
            if key == "exhausted" and not value:
                continue
            record[key] = value
        self._emit(record)

    def _schema_change(self, n: int, text: str) -> None:
        """Each schema is recorded once, at the first item that has it, as a revision of the one
        in force before; going back to a known schema is counted only."""
        self.schema = text
        if self.schema_id is not None:
            self.schema_changes += 1
        known = self._schemas.get(text)
        if known is not None:
            self.schema_id = known
            return
        if len(self._schemas) >= _MAX_SCHEMAS:
            return
        record: dict[str, Any] = {
            "type": "pipeline.schema",
            "id": f"{self.stream}.schema.{n - 1}",
            "run": self._run,
            "time": time.time(),
            "stream": self.stream,
            "schema": text,
            "position": n - 1,
        }
        if self.schema_id is not None:
            record["previous"] = self.schema_id
        self.schema_id = self._schemas[text] = record["id"]
        self._emit(record)

    def _sample(self, n: int, text: str, schema: str, kind: str) -> None:
        if n in self._sent_samples:
            return
        self._sent_samples.add(n)
        self._emit(
            {
                "type": "pipeline.sample",
                "id": f"{self.stream}.sample.{n - 1}",
                "run": self._run,
                "time": time.time(),
                "stream": self.stream,
                "position": n - 1,
                "kind": kind,
                "value": text,
                "schema": schema,
            }
        )
