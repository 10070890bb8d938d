"""Delivery of encoded batches, on the flusher thread: the transport, retries, the spool.

A batch is sent at once, with ``max_retries`` immediate retries (``backoff`` doubled, within
``timeout``). When that fails the transport is offline: this batch and every later one go to the
spool (order is kept) until the spool is drained. Reconnection is tried after a :class:`Backoff`
delay — ``backoff`` seconds, doubling up to ``max_backoff``, reset by a success or by someone
waiting for an acknowledgement — and then the spool is sent, oldest first, in batches of
``batch_size`` records.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from provlake._exceptions import BatchRejected, TransportError
from provlake._records import encode_batch
from provlake._spool import DrainResult, Spool
from provlake._transports import Transport

__all__ = ["COUNTERS", "Backoff", "Delivery"]

log = logging.getLogger("provlake")
COUNTERS = (
    "sent_records",
    "sent_batches",
    "spooled_records",
    "spooled_batches",
    "replayed_batches",
    "rejected_batches",
    "dropped_records",
    "non_finite_metrics",
)


class Backoff:
    """When to try a failing transport again: ``first`` seconds after the first failure, the
    delay doubling with each failure up to ``ceiling``.

    >>> b = Backoff(0.5, 2.0)
    >>> for now in range(4):
    ...     b.failed(now)
    ...     print(b.until, b.ready(now), b.ready(b.until))
    0.5 False True
    2.0 False True
    4.0 False True
    5.0 False True
    >>> b.reset(); (b.delay, b.ready(0))
    (0.5, True)
    """

    def __init__(self, first: float, ceiling: float) -> None:
        self.first, self.ceiling = first, ceiling
        self.delay = first  # the wait after the next failure
        self.until = 0.0  # no attempt before this time (time.monotonic())

    def failed(self, now: float) -> None:
        self.until = now + self.delay
        self.delay = min(self.delay * 2, self.ceiling)

    def reset(self) -> None:
        self.delay, self.until = self.first, 0.0

    def ready(self, now: float) -> bool:
        return now >= self.until


class Delivery:
    """Gets batches acknowledged: ``deliver`` a new batch, ``drain`` the spool."""

    def __init__(
        self,
        transport: Transport,
        settings: Any,
        spool: Spool,
        client: Mapping[str, str],
        counters: dict[str, int],
    ) -> None:
        self.transport, self.settings, self.spool = transport, settings, spool
        self.client = dict(client)  # the batch header
        self.counters = counters
        self.backoff = Backoff(settings.backoff, settings.max_backoff)
        self.backlog = True  # batches wait in the spool (a dead process may have left a folder)
        self.closing = False  # no retries: the close has a deadline
        self.abandon = False  # a close timed out: spool everything, send nothing more
        self.inflight: bytes | None = None  # the batch being sent
        self.inflight_count = 0
        self.last_error = ""

    def may_drain(self, now: float) -> bool:
        return self.backlog and not self.abandon and self.backoff.ready(now)

    def deliver(self, records: list[str]) -> None:
        body = encode_batch(records, self.client)
        count = len(records)
        if self.abandon or self.backlog:  # older batches wait on disk: this one goes after them
            self.to_spool(body, count)
            return
        try:
            self.inflight, self.inflight_count = body, count
            self._send(body, count, retries=0 if self.closing else self.settings.max_retries)
        except BatchRejected as exc:
            self._reject(body, count, exc)
        except TransportError as exc:
            log.warning("provlake: %s; spooling to %s", exc, self.spool.pending)
            self._offline(exc)
            self.to_spool(body, count)
        finally:
            self.inflight = None

    def _send(self, body: bytes, count: int, retries: int) -> None:
        started = time.monotonic()
        delay = self.settings.backoff
        for attempt in range(retries + 1):
            try:
                self.transport.send(body, count)
            except BatchRejected:
                raise
            except TransportError:
                spent = time.monotonic() - started
                if attempt == retries or spent + delay > self.settings.timeout:
                    raise
                time.sleep(delay)
                delay *= 2
            else:
                self.counters["sent_batches"] += 1
                self.counters["sent_records"] += count
                return

    def drain(self, deadline: float) -> None:
        """Send the spool until ``deadline``; the backlog is over once this process's folder (and
        what it could take over) is empty."""

        def send(body: bytes, count: int) -> None:
            self.transport.send(body, count)
            self.counters["replayed_batches"] += 1
            self.counters["sent_batches"] += 1
            self.counters["sent_records"] += count

        result = DrainResult()
        try:
            result = self.spool.drain(send, deadline, self.settings.batch_size)
        except TransportError as exc:
            log.info("provlake: transport still unavailable (%s)", exc)
            self._offline(exc)
        except OSError as exc:
            log.error("provlake: cannot read the spool %s: %s", self.spool.pending, exc)
            self._offline(exc)
        else:
            self.backlog = not result.complete
            self.backoff.reset()
        self.counters["rejected_batches"] += result.rejected
        if result.lost:
            self.counters["dropped_records"] += result.lost
            log.error(
                "provlake: %d spooled records vanished from %s before they were sent (deleted?)",
                result.lost,
                self.spool.pending,
            )

    def _offline(self, error: Exception) -> None:
        self.backlog = True
        self.last_error = str(error)
        self.backoff.failed(time.monotonic())

    def to_spool(self, body: bytes, count: int) -> None:
        try:
            self.spool.append(body, count)
        except OSError as exc:
            self.counters["dropped_records"] += count
            log.error("provlake: cannot spool %d records to %s: %s", count, self.spool.pending, exc)
        else:
            self.counters["spooled_batches"] += 1
            self.counters["spooled_records"] += count

    def _reject(self, body: bytes, count: int, exc: BatchRejected) -> None:
        log.error("provlake: %s (kept in %s)", exc, self.spool.rejected)
        try:
            self.spool.reject(body, str(exc), exc.status)
        except OSError as err:
            log.error("provlake: cannot keep the rejected batch: %s", err)
            self.counters["dropped_records"] += count
        self.counters["rejected_batches"] += 1
