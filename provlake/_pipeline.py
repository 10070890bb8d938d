"""The capture pipeline: an append-only buffer filled by the caller, drained by one background
flusher.

Caller's thread: build a record (a tuple or a small dict) and ``deque.append`` it; no I/O, no lock.
Flusher thread: every ``flush_interval`` seconds, or as soon as a full batch is waiting, turn
records into
batches and hand them to the transport, retrying with exponential backoff. A batch that cannot be
delivered
goes to the on-disk spool, and so does every later batch until the spool is drained (order is kept);
the
spool is re-sent oldest first when the transport is back, including segments left by a crashed
process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

from provlake._exceptions import BatchRejected, TransportError
from provlake._records import MetricEncoder, encode_batch, encode_record
from provlake._spool import Spool
from provlake._transports import Transport

__all__ = ["Pipeline"]

log = logging.getLogger("provlake")


class _Marker:
    """Put in the buffer by ``flush()``: set once every record before it is delivered or spooled."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class Pipeline:
    """Buffer + flusher + spool in front of one transport."""

    def __init__(self, transport: Transport, settings: Any, client: Mapping[str, str]) -> None:
        self.transport = transport
        self.settings = settings
        self.client = dict(client)
        self.spool = Spool(settings.spool_dir)
        self.buffer: deque[Any] = deque()
        self._encode_metric = MetricEncoder()
        self.soft_limit = settings.batch_size
        self._wake = threading.Event()
        self._closing = False
        self._offline_until = 0.0
        self._delay = settings.backoff
        self._backlog = True  # a previous process may have left segments: try them first
        self.counters = dict.fromkeys(
            (
                "sent_records",
                "sent_batches",
                "spooled_records",
                "spooled_batches",
                "replayed_batches",
                "rejected_batches",
                "dropped_records",
                "non_finite_metrics",
            ),
            0,
        )
        self._thread = threading.Thread(target=self._loop, name="provlake-flusher", daemon=True)
        self._thread.start()

    # -- caller side -----------------------------------------------------------------------------
    def put(self, item: Any) -> None:
        """Append a record (dict), a metric tuple or a callable returning a record."""
        buf = self.buffer
        if len(buf) < self.soft_limit:
            buf.append(item)
        else:
            self.put_under_pressure(item)

    def put_under_pressure(self, item: Any) -> None:
        """The buffer holds a full batch: wake the flusher; past ``max_buffer`` count the record as
        dropped.
        """
        if len(self.buffer) >= self.settings.max_buffer:
            self.counters["dropped_records"] += 1
            if self.counters["dropped_records"] == 1:
                log.error("provlake: capture buffer full (%d records), dropping", len(self.buffer))
        else:
            self.buffer.append(item)
        if not self._wake.is_set():
            self._wake.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every record captured so far is delivered or spooled; False on timeout."""
        if not self._thread.is_alive():
            return not self.buffer
        marker = _Marker()
        self.buffer.append(marker)
        self._wake.set()
        return marker.done.wait(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Final flush (bounded wait), then stop the flusher; undelivered batches stay spooled."""
        if not self._thread.is_alive():
            return True
        self._closing = True
        done = self.flush(timeout)
        self._wake.set()
        self._thread.join(timeout if done else 0.1)
        self.transport.close()
        c = self.counters
        if c["dropped_records"] or c["rejected_batches"] or self._backlog:
            log.warning(
                "provlake: closed with %d dropped records, %d rejected batches%s (spool: %s)",
                c["dropped_records"],
                c["rejected_batches"],
                ", undelivered batches kept in the spool" if self._backlog else "",
                self.spool.root,
            )
        return done

    # -- flusher thread -------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            self._wake.wait(self.settings.flush_interval)
            self._wake.clear()
            try:
                self._cycle()
            except Exception:  # a bug here must not kill capture for the rest of the run
                log.exception("provlake: unexpected error in the flusher")
            if self._closing and not self.buffer:
                self.spool.seal()
                return

    def _cycle(self) -> None:
        batch_size = self.settings.batch_size
        encode_metric = self._encode_metric
        records: list[str] = []
        markers: list[_Marker] = []
        if self._backlog and time.monotonic() >= self._offline_until:
            self._drain_spool()
        buf = self.buffer
        while buf:
            item = buf.popleft()
            kind = type(item)
            if kind is tuple:
                text = encode_metric(item)
                if text is None:
                    self.counters["non_finite_metrics"] += 1
                    continue
            elif kind is _Marker:
                markers.append(item)
                continue
            else:
                try:
                    text = encode_record(item if kind is dict else item())
                except (TypeError, ValueError):
                    log.exception("provlake: a record could not be encoded, dropped")
                    self.counters["dropped_records"] += 1
                    continue
            records.append(text)
            if len(records) >= batch_size:
                self._deliver(records)
                records = []
        if records:
            self._deliver(records)
        for marker in markers:
            marker.done.set()

    def _deliver(self, records: list[str]) -> None:
        body = encode_batch(records, self.client)
        count = len(records)
        if self._backlog:
            if time.monotonic() >= self._offline_until and not self._closing:
                self._drain_spool()
            if self._backlog:
                self._to_spool(body, count)
                return
        try:
            self._send(body, count, retries=0 if self._closing else self.settings.max_retries)
        except BatchRejected as exc:
            self._reject(body, count, exc)
        except TransportError as exc:
            log.warning("provlake: %s; spooling to %s", exc, self.spool.pending)
            self._offline()
            self._to_spool(body, count)

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

    def _drain_spool(self) -> None:
        def send(body: bytes, count: int) -> None:
            self.transport.send(body, count)
            self.counters["replayed_batches"] += 1
            self.counters["sent_batches"] += 1
            self.counters["sent_records"] += count

        try:
            _, _, rejected = self.spool.drain(send)
        except TransportError as exc:
            log.info("provlake: transport still unavailable (%s)", exc)
            self._offline()
        except OSError as exc:
            log.error("provlake: cannot read the spool %s: %s", self.spool.pending, exc)
            self._offline()
        else:
            self._backlog = False
            self._delay = self.settings.backoff
            self.counters["rejected_batches"] += rejected

    def _offline(self) -> None:
        self._backlog = True
        self._offline_until = time.monotonic() + self._delay
        self._delay = min(self._delay * 2, self.settings.max_backoff)

    def _to_spool(self, body: bytes, count: int) -> None:
        try:
            self.spool.append(body)
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

    def stats(self) -> dict[str, int]:
        """Counters since the pipeline started, plus records waiting in memory and spool segments on
        disk.
        """
        out = dict(self.counters)
        out["buffered_records"] = len(self.buffer)
        out["spool_segments"] = len(self.spool.segments())
        return out
